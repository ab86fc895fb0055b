"""What a report and a fraud proof show the contracts about a meter's signed data (the structs of
contracts/modules/evidence.vy and `BoundaryReading`), each checked here before it is sent.

- `BoundaryReading`: a signed batch ending on a report's boundary reading, with its Merkle proof
  into the report's root.
- `BatchData`: a signed batch with all its readings, each abi.encode(uint64 ts, uint256 wh),
  concatenated; they must hash to the signed readings hash.
- `IntervalEvidence`: two readings of one meter in one or two batches (`record_violation`,
  `prove_interval`).
- `leaf_struct`: a committed batch's signed fields (`evidence.Leaf`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jcredit.eip712 import Batch, readings_hash
from jcredit.errors import InputError

# evidence.MAX_BATCH_READINGS: a batch shown as evidence holds at most this many readings.
MAX_BATCH_READINGS = 288
# evidence.MAX_PROOF_DEPTH: the deepest Merkle proof the contracts accept.
MAX_PROOF_DEPTH = 32
_READING_BYTES = 64


def _check_proof(proof: Sequence[bytes], what: str) -> None:
    if len(proof) > MAX_PROOF_DEPTH:
        raise InputError(f"{what}: Merkle proof of {len(proof)} levels, at most {MAX_PROOF_DEPTH}")
    if any(len(node) != 32 for node in proof):
        raise InputError(f"{what}: every Merkle proof node must be 32 bytes")


@dataclass(frozen=True)
class BoundaryReading:
    """A report's boundary reading: the signed batch ending on it and the batch's Merkle proof."""

    batch: Batch
    proof: tuple[bytes, ...]

    def __post_init__(self) -> None:
        _check_proof(self.proof, f"boundary reading of meter {self.batch.meter}")

    @property
    def timestamp(self) -> int:
        return self.batch.last_timestamp

    @property
    def cumulative_wh(self) -> int:
        return self.batch.last_cumulative_wh

    def as_tuple(self) -> tuple:
        return (self.batch.as_signed_reading(), list(self.proof))


@dataclass(frozen=True)
class BatchData:
    """A signed batch and all its readings (timestamp, cumulative Wh), in time order."""

    batch: Batch
    readings: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        batch = self.batch
        label = f"batch {batch.first_timestamp}..{batch.last_timestamp} of {batch.meter}"
        if not self.readings:
            raise InputError(f"{label}: no readings")
        if len(self.readings) > MAX_BATCH_READINGS:
            raise InputError(
                f"{label}: {len(self.readings)} readings, the contracts take at most "
                f"{MAX_BATCH_READINGS} (the meter must sign smaller batches)"
            )
        ts, wh = zip(*self.readings, strict=True)
        if readings_hash(ts, wh) != self.batch.readings_hash:
            raise InputError(f"{label}: the readings do not hash to the signed readings hash")
        if (self.readings[0][0], self.readings[-1]) != (
            self.batch.first_timestamp,
            (self.batch.last_timestamp, self.batch.last_cumulative_wh),
        ):
            raise InputError(f"{label}: first or last reading differs from the signed batch")

    def encoded_readings(self) -> bytes:
        return b"".join(ts.to_bytes(32, "big") + wh.to_bytes(32, "big") for ts, wh in self.readings)

    def index_of(self, timestamp: int) -> int:
        for index, (ts, _) in enumerate(self.readings):
            if ts == timestamp:
                return index
        raise InputError(f"batch of {self.batch.meter} has no reading at {timestamp}")

    def as_tuple(self) -> tuple:
        return (self.batch.as_signed_reading(), self.encoded_readings())


@dataclass(frozen=True)
class IntervalEvidence:
    """Reading `first_index` of `batches[0]` and reading `second_index` of the last batch."""

    batches: tuple[BatchData, ...]
    first_index: int
    second_index: int

    def __post_init__(self) -> None:
        if not 1 <= len(self.batches) <= 2:
            raise InputError(f"interval evidence takes 1 or 2 batches, got {len(self.batches)}")
        if len({data.batch.meter for data in self.batches}) != 1:
            raise InputError("interval evidence: both batches must be of one meter")
        if not 0 <= self.first_index < len(self.batches[0].readings):
            raise InputError(f"interval evidence: no reading {self.first_index} in the first batch")
        if not 0 <= self.second_index < len(self.batches[-1].readings):
            raise InputError(f"interval evidence: no reading {self.second_index} in the last batch")
        if self.first[0] >= self.second[0]:
            raise InputError("interval evidence: the first reading must be before the second")

    @property
    def meter(self) -> str:
        return self.batches[0].batch.meter

    @property
    def first(self) -> tuple[int, int]:
        return self.batches[0].readings[self.first_index]

    @property
    def second(self) -> tuple[int, int]:
        return self.batches[-1].readings[self.second_index]

    def as_tuple(self) -> tuple:
        return ([data.as_tuple() for data in self.batches], self.first_index, self.second_index)


def leaf_struct(batch: Batch) -> tuple:
    """The committed batch's signed fields, as `evidence.Leaf`."""
    return (
        batch.meter,
        batch.first_timestamp,
        batch.last_timestamp,
        batch.last_cumulative_wh,
        batch.readings_hash,
    )


def check_proof(proof: Sequence[bytes], what: str) -> list[bytes]:
    """A Merkle proof the contracts accept (<= 32 nodes of 32 bytes), as a list."""
    _check_proof(proof, what)
    return list(proof)
