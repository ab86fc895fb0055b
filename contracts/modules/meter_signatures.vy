# pragma version ~=0.4.3
"""
@title EIP-712 messages signed by meters
@custom:contract-name meter_signatures
@license MIT
@notice A meter signs two kinds of EIP-712 typed data under the Registry's
        domain (name "SolarJCredit", version "1", chain id, the Registry's
        address), so every signature is bound to one chain, one Registry,
        one project and one meter:
        - `ReadingBatch(uint256 projectId,address meter,uint64
          firstTimestamp,uint64 lastTimestamp,uint256 lastCumulativeWh,
          bytes32 readingsHash)`: a batch of its register readings, the last
          one in clear, all of them by hash;
        - `MeterRegistration(uint256 projectId,address owner,string serial)`:
          its consent to be registered for a project by an owner (proof that
          whoever registers it holds the meter).
        The module is stateless: each function takes the domain separator,
        so the Registry (its own domain) and the reports contract (the
        Registry's domain) verify the same messages. Uses snekmate's `ecdsa`
        (which refuses malleable `s`).
"""

from snekmate.utils import ecdsa


# @notice One meter's signed batch of readings.
struct SignedReading:
    meter: address
    first_timestamp: uint64
    last_timestamp: uint64
    last_cumulative_wh: uint256
    readings_hash: bytes32
    signature: Bytes[65]


# @notice keccak256 of the ReadingBatch type string.
READING_BATCH_TYPEHASH: constant(bytes32) = keccak256(
    "ReadingBatch(uint256 projectId,address meter,uint64 firstTimestamp,uint64 lastTimestamp,uint256 lastCumulativeWh,bytes32 readingsHash)"
)
# @notice keccak256 of the MeterRegistration type string.
METER_REGISTRATION_TYPEHASH: constant(bytes32) = keccak256(
    "MeterRegistration(uint256 projectId,address owner,string serial)"
)
# @notice EIP-712 domain of every meter signature: the Registry's.
DOMAIN_NAME: constant(String[50]) = "SolarJCredit"
DOMAIN_VERSION: constant(String[20]) = "1"
_DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


@internal
@view
def _domain_separator(registry: address) -> bytes32:
    """
    @notice The EIP-712 domain separator of the Registry `registry` on this
            chain (recomputed each time, so a chain split is handled).
    @param registry The Registry's address (the verifying contract).
    @return bytes32 The domain separator.
    """
    return keccak256(
        abi_encode(
            _DOMAIN_TYPEHASH, keccak256(DOMAIN_NAME), keccak256(DOMAIN_VERSION), chain.id, registry
        )
    )


@internal
@pure
def _reading_digest(
    separator: bytes32,
    project_id: uint256,
    meter: address,
    first_timestamp: uint64,
    last_timestamp: uint64,
    last_cumulative_wh: uint256,
    readings_hash: bytes32,
) -> bytes32:
    """
    @notice EIP-712 digest of a ReadingBatch.
    @param separator The Registry's domain separator.
    @param project_id The project the readings are for.
    @param meter The meter's signing address.
    @param first_timestamp Timestamp of the batch's first reading.
    @param last_timestamp Timestamp of the batch's last reading.
    @param last_cumulative_wh Register value of the batch's last reading.
    @param readings_hash keccak256 of abi.encode(uint64, uint256) per reading.
    @return bytes32 The digest the meter signs.
    """
    struct_hash: bytes32 = keccak256(
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
    return keccak256(concat(b"\x19\x01", separator, struct_hash))


@internal
@pure
def _check_reading(separator: bytes32, project_id: uint256, reading: SignedReading):
    """
    @notice Reverts unless `reading` is signed by its own meter for
            `project_id` under `separator`, and its first timestamp is not
            after its last.
    @param separator The Registry's domain separator.
    @param project_id The project.
    @param reading The signed batch.
    """
    assert reading.first_timestamp <= reading.last_timestamp, "registry: batch first > last"
    digest: bytes32 = self._reading_digest(
        separator,
        project_id,
        reading.meter,
        reading.first_timestamp,
        reading.last_timestamp,
        reading.last_cumulative_wh,
        reading.readings_hash,
    )
    assert ecdsa._recover_sig(digest, reading.signature) == reading.meter, "registry: bad meter signature"


@internal
@pure
def _registration_digest(separator: bytes32, project_id: uint256, owner: address, serial: String[64]) -> bytes32:
    """
    @notice EIP-712 digest of a MeterRegistration.
    @param separator The Registry's domain separator.
    @param project_id The project the meter joins.
    @param owner The project owner registering it.
    @param serial The meter's serial number.
    @return bytes32 The digest the meter signs.
    """
    struct_hash: bytes32 = keccak256(
        abi_encode(METER_REGISTRATION_TYPEHASH, project_id, owner, keccak256(serial))
    )
    return keccak256(concat(b"\x19\x01", separator, struct_hash))


@internal
@pure
def _check_registration(
    separator: bytes32, project_id: uint256, owner: address, meter: address, serial: String[64], signature: Bytes[65]
):
    """
    @notice Reverts unless the meter's key signed its registration for this
            project, owner and serial.
    @param separator The Registry's domain separator.
    @param project_id The project.
    @param owner The project owner registering the meter.
    @param meter The meter's signing address.
    @param serial The meter's serial number.
    @param signature The meter's signature.
    """
    digest: bytes32 = self._registration_digest(separator, project_id, owner, serial)
    assert ecdsa._recover_sig(digest, signature) == meter, "registry: meter did not sign registration"
