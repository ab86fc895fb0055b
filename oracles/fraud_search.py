"""Search a pending report for a cheat the contracts let anyone prove: the watcher's judgement.

Given a report's facts, the batches its Merkle root commits (the archive manifest of its data
URI) and every signed batch of the project's meters the watcher knows (with their readings where
it has them all), `find_fraud` returns the first provable cheat, checked in the order the proofs
are cheapest and most certain:

5. two committed batches of one meter overlap, or the later one ends on a lower register;
4. a committed batch differs from the batch the meter signed for the same span;
1. a meter has a signed reading after the report's end reading and not after the period end;
2. likewise after a start reading the report carried and not after the period start;
3. a report claiming credits spans an interval above capacity (or a register going backwards) on
   its capacity-checked meter.

Nothing here reads the chain or sends anything (oracles/watcher.py does); everything returned is
ready for the matching `jcredit.fraud_proofs.FraudProofsClient` call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from jcredit.eip712 import Batch
from jcredit.errors import InputError
from jcredit.evidence import BatchData, IntervalEvidence
from jcredit.facts import MeterPeriod, ReportFacts
from jcredit.merkle import MerkleTree, leaf_hash
from jcredit.types import FraudKind, MeterKind
from oracles.errors import DataError


@dataclass
class KnownData:
    """Every validly signed batch of a project's meters the watcher holds, per meter address
    (lower case): `signed` all of them, `readable` those whose readings it holds too."""

    signed: dict[str, list[Batch]] = field(default_factory=dict)
    readable: dict[str, list[BatchData]] = field(default_factory=dict)

    def add(self, batch: Batch, readings: Sequence[tuple[int, int]] | None) -> None:
        """Add a signed batch; its readings count only where a proof can show them (they are
        the signed ones and at most MAX_BATCH_READINGS), else it is known as signed only."""
        meter = batch.meter.lower()
        if batch in self.signed.get(meter, []):
            return
        self.signed.setdefault(meter, []).append(batch)
        if readings is None:
            return
        try:
            data = BatchData(batch, tuple(readings))
        except InputError:
            return
        self.readable.setdefault(meter, []).append(data)

    def readings(self, meter: str) -> list[tuple[int, int, BatchData, int]]:
        """(timestamp, Wh, batch holding it, index in the batch) of every known reading of the
        meter, by time; a reading in several batches comes once (the first batch holding it)."""
        seen: dict[int, tuple[int, int, BatchData, int]] = {}
        for data in self.readable.get(meter.lower(), []):
            for index, (ts, wh) in enumerate(data.readings):
                seen.setdefault(ts, (ts, wh, data, index))
        return [seen[ts] for ts in sorted(seen)]


@dataclass(frozen=True)
class LaterReading:
    """Reading `index` of `data` is after a boundary reading of the report (proof kind 1 or 2)."""

    kind: FraudKind
    data: BatchData
    index: int

    def describe(self) -> str:
        ts, wh = self.data.readings[self.index]
        which = "end" if self.kind == FraudKind.LATER_END_READING else "carried start"
        return (
            f"meter {self.data.batch.meter} signed a reading ({wh} Wh at {ts}) after the "
            f"report's {which} reading, inside the boundary's window"
        )


@dataclass(frozen=True)
class IntervalAboveCapacity:
    """Two signed readings of the capacity-checked meter show more energy than the plant can
    produce between them, or a register going backwards (proof kind 3)."""

    evidence: IntervalEvidence
    capacity_w: int
    kind: FraudKind = FraudKind.INTERVAL_ABOVE_CAPACITY

    def describe(self) -> str:
        (ts_a, wh_a), (ts_b, wh_b) = self.evidence.first, self.evidence.second
        most = self.capacity_w * (ts_b - ts_a) // 3600
        return (
            f"meter {self.evidence.meter}: {wh_b - wh_a} Wh between {ts_a} and {ts_b}, at most "
            f"{most} Wh at {self.capacity_w} W, in a report claiming credits"
        )


@dataclass(frozen=True)
class CommittedMismatch:
    """The root commits `committed`; the meter signed `signed` for the same span (kind 4)."""

    committed: Batch
    proof: tuple[bytes, ...]
    signed: Batch
    kind: FraudKind = FraudKind.COMMITTED_MISMATCH

    def describe(self) -> str:
        return (
            f"the root commits a batch of meter {self.committed.meter} for "
            f"{self.committed.first_timestamp}..{self.committed.last_timestamp} that the meter "
            "did not sign (its signed batch for that span differs)"
        )


@dataclass(frozen=True)
class CommittedConflict:
    """Two committed batches of one meter overlap or go backwards (`first` ends first; kind 5)."""

    first: Batch
    first_proof: tuple[bytes, ...]
    second: Batch
    second_proof: tuple[bytes, ...]
    kind: FraudKind = FraudKind.COMMITTED_CONFLICT

    def describe(self) -> str:
        return (
            f"the root commits two batches of meter {self.first.meter} that cannot both be "
            f"true: {self.first.first_timestamp}..{self.first.last_timestamp} and "
            f"{self.second.first_timestamp}..{self.second.last_timestamp}"
        )


Finding = LaterReading | IntervalAboveCapacity | CommittedMismatch | CommittedConflict


def find_fraud(
    facts: ReportFacts,
    committed: Sequence[Batch],
    known: KnownData,
    capacity_w: int,
    is_signed: Callable[[Batch], bool],
) -> Finding | None:
    """The first provable cheat of the report, or None when the watcher's data show none.

    `committed` must rebuild the report's Merkle root (else DataError: the data behind the report
    are not what it committed, which no proof can show; a validator's dispute is the remedy).
    `is_signed(batch)` says whether the batch carries its meter's valid signature for the project.
    """
    if not committed:
        raise DataError(f"report {facts.report_id}: the archive lists no committed batches")
    tree = MerkleTree.from_leaves([leaf_hash(b) for b in committed])
    if tree.root != facts.merkle_root:
        raise DataError(
            f"report {facts.report_id}: the archived batches rebuild root 0x{tree.root.hex()}, "
            f"the report committed 0x{facts.merkle_root.hex()}"
        )

    def proof(batch: Batch) -> tuple[bytes, ...]:
        return tuple(tree.proof(leaf_hash(batch)))

    meters = {period.meter.lower(): period for period in facts.meter_periods()}
    for finding in (
        _conflict(committed, meters, proof),
        _mismatch(committed, meters, known, is_signed, proof),
    ):
        if finding is not None:
            return finding
    for period in meters.values():
        finding = _later_reading(facts, period, known)
        if finding is not None:
            return finding
    if not facts.void:
        return _interval(facts, known, capacity_w)
    return None


def _conflict(committed: Iterable[Batch], meters: dict, proof) -> CommittedConflict | None:
    by_meter: dict[str, list[Batch]] = {}
    for batch in committed:
        if batch.meter.lower() in meters:
            by_meter.setdefault(batch.meter.lower(), []).append(batch)
    for batches in by_meter.values():
        # One leaf per signed fields: a batch listed twice (whatever its signature) is one leaf,
        # and the contract refuses a conflict of a leaf with itself.
        leaves = {leaf_hash(b): b for b in batches}
        ordered = sorted(leaves.values(), key=lambda b: (b.last_timestamp, b.first_timestamp))
        for i, second in enumerate(ordered):
            for first in ordered[:i]:
                overlap = second.first_timestamp <= first.last_timestamp
                backwards = (
                    first.last_timestamp < second.last_timestamp
                    and second.last_cumulative_wh < first.last_cumulative_wh
                )
                if overlap or backwards:
                    return CommittedConflict(first, proof(first), second, proof(second))
    return None


def _mismatch(committed, meters: dict, known: KnownData, is_signed, proof):
    for batch in committed:
        meter = batch.meter.lower()
        if meter not in meters or is_signed(batch):
            continue
        for signed in known.signed.get(meter, []):
            same_span = (signed.first_timestamp, signed.last_timestamp) == (
                batch.first_timestamp,
                batch.last_timestamp,
            )
            differs = (signed.last_cumulative_wh, signed.readings_hash) != (
                batch.last_cumulative_wh,
                batch.readings_hash,
            )
            if same_span and differs:
                return CommittedMismatch(batch, proof(batch), signed)
    return None


def _later_reading(facts: ReportFacts, period: MeterPeriod, known: KnownData):
    readings = known.readings(period.meter)
    for ts, _, data, index in readings:
        if period.end_timestamp < ts <= facts.period_end:
            return LaterReading(FraudKind.LATER_END_READING, data, index)
    if period.carried_start:
        for ts, _, data, index in readings:
            if period.start_timestamp < ts <= facts.period_start:
                return LaterReading(FraudKind.LATER_START_READING, data, index)
    return None


def _interval(facts: ReportFacts, known: KnownData, capacity_w: int):
    capped = facts.period_of(MeterKind.GENERATION)
    if not capped.used:
        capped = facts.period_of(MeterKind.SELF_CONSUMPTION)
    readings = [
        r
        for r in known.readings(capped.meter)
        if capped.start_timestamp <= r[0] <= capped.end_timestamp
    ]
    for (ts_a, wh_a, data_a, i_a), (ts_b, wh_b, data_b, i_b) in pairwise(readings):
        if wh_b < wh_a or (wh_b - wh_a) * 3600 > capacity_w * (ts_b - ts_a):
            batches = (data_a,) if data_a is data_b else (data_a, data_b)
            return IntervalAboveCapacity(IntervalEvidence(batches, i_a, i_b), capacity_w)
    return None
