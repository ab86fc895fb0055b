# pragma version ~=0.4.3
"""
@title EIP-712 meter signatures
@custom:contract-name meter_signatures
@license MIT
@notice A meter signs each batch of its readings as EIP-712 typed data
        `ReadingBatch(uint256 projectId,address meter,uint64 firstTimestamp,
        uint64 lastTimestamp,uint256 lastCumulativeWh,bytes32 readingsHash)`
        under the domain (name "SolarJCredit", version "1", chain id, the
        Registry's address), so a signature is bound to one chain, one
        contract, one project and one meter. Uses snekmate's
        `eip712_domain_separator` and `ecdsa` (which refuses malleable `s`).
"""

from snekmate.utils import ecdsa
from snekmate.utils import eip712_domain_separator

uses: eip712_domain_separator


# @notice One meter's signed batch; the report uses its last reading.
struct SignedReading:
    meter: address
    first_timestamp: uint64
    last_timestamp: uint64
    last_cumulative_wh: uint256
    readings_hash: bytes32
    signature: Bytes[65]


# @notice keccak256 of the ReadingBatch type string.
READING_BATCH_TYPEHASH: public(constant(bytes32)) = keccak256(
    "ReadingBatch(uint256 projectId,address meter,uint64 firstTimestamp,uint64 lastTimestamp,uint256 lastCumulativeWh,bytes32 readingsHash)"
)


@deploy
def __init__():
    """
    @notice Nothing to set: the domain lives in `eip712_domain_separator`.
    """
    pass


@external
@view
def domain_separator() -> bytes32:
    """
    @notice The EIP-712 domain separator of this chain and contract.
    @return The domain separator.
    """
    return eip712_domain_separator._domain_separator_v4()


@external
@view
def reading_digest(
    project_id: uint256,
    meter: address,
    first_timestamp: uint64,
    last_timestamp: uint64,
    last_cumulative_wh: uint256,
    readings_hash: bytes32,
) -> bytes32:
    """
    @notice The EIP-712 digest a meter signs for a batch of readings.
    @param project_id The project the readings are for.
    @param meter The meter's signing address.
    @param first_timestamp Timestamp of the batch's first reading.
    @param last_timestamp Timestamp of the batch's last reading.
    @param last_cumulative_wh Register value of the batch's last reading.
    @param readings_hash keccak256 of abi.encode(uint64, uint256) per reading.
    @return The digest to sign.
    """
    return self._digest(project_id, meter, first_timestamp, last_timestamp, last_cumulative_wh, readings_hash)


@internal
@view
def _digest(
    project_id: uint256,
    meter: address,
    first_timestamp: uint64,
    last_timestamp: uint64,
    last_cumulative_wh: uint256,
    readings_hash: bytes32,
) -> bytes32:
    """
    @notice EIP-712 digest of a ReadingBatch.
    @param project_id The project the readings are for.
    @param meter The meter's signing address.
    @param first_timestamp Timestamp of the batch's first reading.
    @param last_timestamp Timestamp of the batch's last reading.
    @param last_cumulative_wh Register value of the batch's last reading.
    @param readings_hash keccak256 of abi.encode(uint64, uint256) per reading.
    @return bytes32 The digest the meter signs.
    """
    return eip712_domain_separator._hash_typed_data_v4(
        keccak256(
            abi_encode(
                READING_BATCH_TYPEHASH,
                project_id,
                meter,
                first_timestamp,
                last_timestamp,
                last_cumulative_wh,
                readings_hash,
            )
        )
    )


@internal
@view
def _check_signature(project_id: uint256, reading: SignedReading):
    """
    @notice Reverts unless `reading` is signed by its own meter for
            `project_id` on this chain and contract.
    @param project_id The project the reading is submitted for.
    @param reading The signed reading.
    """
    digest: bytes32 = self._digest(
        project_id,
        reading.meter,
        reading.first_timestamp,
        reading.last_timestamp,
        reading.last_cumulative_wh,
        reading.readings_hash,
    )
    assert ecdsa._recover_sig(digest, reading.signature) == reading.meter, "registry: bad meter signature"
