# pragma version ~=0.4.3
"""
@title Evidence about a meter's signed data: batches, readings, Merkle leaves
@custom:contract-name evidence
@license MIT
@notice What fraud proofs and void reports show the contract, and how it is
        checked. Stateless: modules call it without `uses:`.

        A `BatchData` is a meter-signed `ReadingBatch` together with all its
        readings, each `abi.encode(uint64 timestamp, uint256 cumulativeWh)`
        (64 bytes), concatenated in time order: they must hash to the signed
        readings hash, and the first and last must match the signed clear
        fields. A Merkle leaf is the OpenZeppelin StandardMerkleTree leaf of
        a batch's signed fields `(address, uint64, uint64, uint256,
        bytes32)`; internal nodes hash the sorted pair.
"""

from . import constants
from . import meter_signatures


# @notice Most readings one batch may carry as evidence: a day of 5-minute
#         readings. Longer batches cannot be shown (their meter must sign
#         smaller batches).
MAX_BATCH_READINGS: constant(uint256) = 288
# @notice Deepest Merkle proof accepted: 2**32 committed batches.
MAX_PROOF_DEPTH: constant(uint256) = 32
_READING_BYTES: constant(uint256) = 64


# @notice A meter-signed batch and all its readings.
struct BatchData:
    batch: meter_signatures.SignedReading
    readings: Bytes[18432]


# @notice Two readings of one meter: reading `first_index` of
#         `batches[0]` and reading `second_index` of the last batch (one
#         batch when both readings are in it).
struct IntervalEvidence:
    batches: DynArray[BatchData, 2]
    first_index: uint256
    second_index: uint256


# @notice The signed fields of a batch as committed in a Merkle leaf.
struct Leaf:
    meter: address
    first_timestamp: uint64
    last_timestamp: uint64
    last_cumulative_wh: uint256
    readings_hash: bytes32


@internal
@pure
def _leaf_hash(
    meter: address, first_timestamp: uint64, last_timestamp: uint64, last_cumulative_wh: uint256, readings_hash: bytes32
) -> bytes32:
    """
    @notice The OpenZeppelin StandardMerkleTree leaf of a batch's signed
            fields (hashed twice, so no leaf equals an inner node).
    @param meter The meter.
    @param first_timestamp Timestamp of the batch's first reading.
    @param last_timestamp Timestamp of the batch's last reading.
    @param last_cumulative_wh Register of the batch's last reading.
    @param readings_hash keccak256 of the batch's readings.
    @return bytes32 The leaf.
    """
    return keccak256(
        keccak256(abi_encode(meter, first_timestamp, last_timestamp, last_cumulative_wh, readings_hash))
    )


@internal
@pure
def _in_root(proof: DynArray[bytes32, MAX_PROOF_DEPTH], root: bytes32, leaf: bytes32) -> bool:
    """
    @notice Whether `leaf` is in the Merkle tree of `root` (sorted pairs).
            snekmate's `merkle_proof_verification` does the same with a
            255-deep bound; this bound keeps the report path's memory small.
    @param proof Sibling hashes from the leaf up.
    @param root The Merkle root.
    @param leaf The leaf hash.
    @return bool True when the proof leads to the root.
    """
    node: bytes32 = leaf
    for sibling: bytes32 in proof:
        if convert(node, uint256) < convert(sibling, uint256):
            node = keccak256(concat(node, sibling))
        else:
            node = keccak256(concat(sibling, node))
    return node == root


@internal
@pure
def _check_batch(separator: bytes32, project_id: uint256, data: BatchData) -> uint256:
    """
    @notice Reverts unless the batch is signed by its meter for the project
            and its readings are exactly the ones signed.
    @param separator The Registry's EIP-712 domain separator.
    @param project_id The project.
    @param data The batch and its readings.
    @return uint256 The number of readings.
    """
    meter_signatures._check_reading(separator, project_id, data.batch)
    size: uint256 = len(data.readings)
    assert size != 0 and size % _READING_BYTES == 0, "reports: malformed readings"
    assert keccak256(data.readings) == data.batch.readings_hash, "reports: readings not as signed"
    count: uint256 = size // _READING_BYTES
    first_ts: uint256 = 0
    last_ts: uint256 = 0
    last_wh: uint256 = 0
    first_ts, last_wh = self._reading(data, 0)
    assert first_ts == convert(data.batch.first_timestamp, uint256), "reports: readings not as signed"
    last_ts, last_wh = self._reading(data, count - 1)
    assert (
        last_ts == convert(data.batch.last_timestamp, uint256) and last_wh == data.batch.last_cumulative_wh
    ), "reports: readings not as signed"
    return count


@internal
@pure
def _reading(data: BatchData, index: uint256) -> (uint256, uint256):
    """
    @notice Reading `index` of a batch: (timestamp, cumulative Wh).
    @param data The batch and its readings.
    @param index The reading's position (0 = first).
    @return uint256 The timestamp.
    @return uint256 The register in Wh.
    """
    offset: uint256 = index * _READING_BYTES
    assert offset + _READING_BYTES <= len(data.readings), "reports: no such reading"
    return (
        extract32(data.readings, offset, output_type=uint256),
        extract32(data.readings, offset + 32, output_type=uint256),
    )


@internal
@pure
def _interval_violated(
    separator: bytes32,
    project_id: uint256,
    meter: address,
    from_ts: uint256,
    to_ts: uint256,
    capacity_w: uint256,
    proof: IntervalEvidence,
) -> (bool, uint256, uint256):
    """
    @notice Whether two signed readings of `meter` within [from_ts, to_ts]
            show the methodology's interval violation: more energy between
            them than capacity x their distance (then some interval between
            them is above capacity, whatever the readings in between), or a
            register going backwards. Reverts on malformed evidence.
    @param separator The Registry's EIP-712 domain separator.
    @param project_id The project.
    @param meter The meter the readings must be of.
    @param from_ts Earliest timestamp a reading may have (the period's
           baseline reading of the meter).
    @param to_ts Latest timestamp a reading may have (its end reading).
    @param capacity_w The project's capacity in W.
    @param proof The two readings and their batches.
    @return bool True when the readings show the violation.
    @return uint256 The first reading's timestamp.
    @return uint256 The second reading's timestamp.
    """
    count: uint256 = len(proof.batches)
    assert count != 0, "reports: no evidence"
    for data: BatchData in proof.batches:
        assert data.batch.meter == meter, "reports: evidence of another meter"
        self._check_batch(separator, project_id, data)
    ts_a: uint256 = 0
    wh_a: uint256 = 0
    ts_b: uint256 = 0
    wh_b: uint256 = 0
    ts_a, wh_a = self._reading(proof.batches[0], proof.first_index)
    ts_b, wh_b = self._reading(proof.batches[count - 1], proof.second_index)
    assert ts_a < ts_b, "reports: readings out of order"
    assert ts_a >= from_ts and ts_b <= to_ts, "reports: readings outside the period"
    if wh_b < wh_a:
        return True, ts_a, ts_b
    return (wh_b - wh_a) * 3600 > capacity_w * (ts_b - ts_a), ts_a, ts_b
