"""Meter batches of readings: how meters group them (one batch per JST day) and how the oracle
checks a meter's readings against the batches it signed.

Meters sign a batch of consecutive readings instead of each reading: the oracle then recovers one
public key per meter-day (48 readings) instead of per reading, which is what makes verification
cheap enough (benchmarks/bench_oracle.py measures both). The message itself is the Registry's
EIP-712 `ReadingBatch` (`jcredit.eip712`).
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from eth_utils import to_checksum_address

from jcredit.eip712 import (
    Batch,
    batch_digest_from,
    encode_readings,
    recover_bytes,
    struct_prefix,
)
from jcredit.keccak import keccak256
from methodology.fiscal import DAY_S, JST_OFFSET_S


def jst_day(timestamps: np.ndarray) -> np.ndarray:
    """Batch day of each timestamp: readings in (D 00:00, D+1 00:00] JST share day D."""
    return (np.asarray(timestamps, dtype=np.int64) + JST_OFFSET_S - 1) // DAY_S


def day_batches(meter: str, timestamps: np.ndarray, cumulative_wh: np.ndarray) -> list[Batch]:
    """Unsigned per-JST-day batches of one meter's readings (sorted by time)."""
    timestamps = np.asarray(timestamps, dtype=np.int64)
    cumulative_wh = np.asarray(cumulative_wh, dtype=np.int64)
    rows = encode_readings(timestamps, cumulative_wh)
    days = jst_day(timestamps)
    cuts = np.flatnonzero(np.diff(days)) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [len(timestamps)]))
    return [
        Batch(
            meter=meter,
            first_timestamp=int(timestamps[a]),
            last_timestamp=int(timestamps[b - 1]),
            last_cumulative_wh=int(cumulative_wh[b - 1]),
            readings_hash=keccak256(rows[a:b].tobytes()),
        )
        for a, b in zip(starts, ends, strict=True)
    ]


@dataclass(frozen=True)
class Refusal:
    """A reading the oracle will not use, and why."""

    meter: str
    timestamp: int
    reason: str


@dataclass
class Verification:
    """Outcome of checking a meter's readings against the batches it signed."""

    accepted: np.ndarray  # bool per reading
    valid_batches: list[Batch]
    refusals: list[Refusal]


def verify_meter(
    project_id: int,
    separator: bytes,
    meter: str,
    timestamps: np.ndarray,
    cumulative_wh: np.ndarray,
    batches: Iterable[Batch],
) -> Verification:
    """Check every batch of one meter against its readings (sorted by time).

    A reading is accepted when a valid batch covers it and no failing batch does; every other
    reading is refused with the reason, so the operator sees exactly which data is not signed.
    """
    timestamps = np.asarray(timestamps, dtype=np.int64)
    check = _MeterCheck(project_id, separator, meter, timestamps, cumulative_wh)
    covered = np.zeros(len(timestamps), dtype=bool)
    tainted = np.zeros(len(timestamps), dtype=bool)
    reasons: dict[int, str] = {}
    valid: list[Batch] = []
    for batch in batches:
        a = bisect_left(check.times, batch.first_timestamp)
        b = bisect_right(check.times, batch.last_timestamp)
        problem = check.problem(batch, a, b)
        if problem is None:
            covered[a:b] = True
            valid.append(batch)
        else:
            tainted[a:b] = True
            for i in range(a, b):
                reasons.setdefault(i, problem)
    accepted = covered & ~tainted
    refusals = [
        Refusal(meter, int(timestamps[i]), reasons.get(i, "not covered by any signed batch"))
        for i in np.flatnonzero(~accepted)
    ]
    return Verification(accepted=accepted, valid_batches=valid, refusals=refusals)


class _MeterCheck:
    """One meter's readings, prepared once for checking each of its batches.

    The readings are encoded into one buffer (a batch's readings hash is a slice of it, hashed
    without a copy) and kept as Python ints, which bisect and compare faster per batch than
    numpy scalars; the struct-hash prefix every batch of the meter shares is built once.
    """

    def __init__(
        self,
        project_id: int,
        separator: bytes,
        meter: str,
        timestamps: np.ndarray,
        cumulative_wh: np.ndarray,
    ) -> None:
        self.separator = separator
        self.meter = meter
        self.meter_bytes = bytes.fromhex(meter[2:])
        self.prefix = struct_prefix(project_id, meter)
        self.encoded = memoryview(encode_readings(timestamps, cumulative_wh).tobytes())
        self.times = timestamps.tolist()
        # The signed timestamp is the uint64 in the encoding (int64 times wrap like numpy's cast).
        self.signed_times = (timestamps.astype(">u8")).tolist()
        self.registers = np.asarray(cumulative_wh).tolist()

    def problem(self, batch: Batch, a: int, b: int) -> str | None:
        """Why the batch covering readings [a, b) is not valid, or None when it is."""
        if batch.meter.lower() != self.meter.lower():
            return f"{_label(batch)} is for meter {batch.meter}"
        if b <= a:
            return f"{_label(batch)} covers no reading"
        if keccak256(self.encoded[64 * a : 64 * b]) != batch.readings_hash:
            return (
                f"{_label(batch)}: readings differ from what the meter signed "
                "(readings hash mismatch)"
            )
        if (
            self.signed_times[b - 1] != batch.last_timestamp
            or self.registers[b - 1] != batch.last_cumulative_wh
        ):
            return f"{_label(batch)}: last reading differs from the signed last reading"
        signer = recover_bytes(
            batch_digest_from(self.separator, self.prefix, batch), batch.signature
        )
        if signer is None:
            return f"{_label(batch)}: malformed signature"
        if signer != self.meter_bytes:
            return f"{_label(batch)}: signed by {to_checksum_address(signer)}, not by the meter"
        return None


def _label(batch: Batch) -> str:
    return f"batch {batch.first_timestamp}..{batch.last_timestamp}"
