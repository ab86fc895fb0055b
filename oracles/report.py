"""One period's monitoring report: boundary readings with Merkle proofs, methodology result,
archive and, for a void period the boundary readings cannot explain, the interval to record.

The period [start, end) commits, per meter, its start reading (the last reading at or before
start: the meter's baseline on chain, or the start reading the report carries when the meter has
none) and every reading in (start, end]. That set is archived, so the archive alone is enough to
recompute the period's reduction; the signed batches holding it (`committed_batches`) go into the
manifest and are Merkle-committed, one leaf per batch. The report sends, per meter, the batch
ending on its end reading (and, carried, on its start reading) with the batch's Merkle proof.
"""

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jcredit.eip712 import Batch
from jcredit.evidence import BatchData, BoundaryReading, IntervalEvidence
from jcredit.facts import Reading
from jcredit.merkle import MerkleTree, leaf_hash
from jcredit.reports import ReportSubmission
from methodology.compute import (
    PeriodResult,
    capacity_violations,
    compute_periods,
    period_problems,
    site_self_consumption,
)
from methodology.errors import ReadingsError
from methodology.factors import FactorTable
from methodology.fiscal import fiscal_year, to_iso
from methodology.readings import KINDS
from oracles.archive import ArchiveEntry, archive_period
from oracles.boundaries import Timeline, timelines
from oracles.errors import DataError, SignatureError
from oracles.intake import Intake
from oracles.site import SiteConfig

# Built once: from_codes with a ready dtype skips re-validating the categories on every call.
_KIND_DTYPE = pd.CategoricalDtype(list(KINDS))


@dataclass(frozen=True)
class Report:
    project_id: int
    period_start: int
    period_end: int
    fiscal_year: int
    starts: dict[str, Reading]  # meter -> the reading its energy counts from
    ends: dict[str, Reading]  # meter -> its end reading
    carried: tuple[str, ...]  # meters whose start reading the report carries (no baseline)
    readings: tuple[BoundaryReading, ...]  # submit_report's boundary readings, in order
    merkle_root: bytes
    data_uri: str
    self_consumed_wh: int
    reduction_g: int
    void: bool
    problems: list[str] = field(default_factory=list)
    # Set for a void period whose boundary readings pass every check the contract makes: the
    # interval above capacity the contract needs recorded (FraudProofs) before the report.
    violation: IntervalEvidence | None = None
    capped_meter: str = ""

    @property
    def capped_span(self) -> tuple[int, int]:
        """The capacity-checked meter's (start, end) reading times: where a violation counts."""
        return self.starts[self.capped_meter].timestamp, self.ends[self.capped_meter].timestamp

    def submission(self) -> ReportSubmission:
        """The arguments of MonitoringReports.submit_report."""
        return ReportSubmission(
            project_id=self.project_id,
            period_end=self.period_end,
            fiscal_year=self.fiscal_year,
            readings=self.readings,
            merkle_root=self.merkle_root,
            data_uri=self.data_uri,
            self_consumed_wh=self.self_consumed_wh,
            reduction_g=self.reduction_g,
            void=self.void,
        )


def period_readings(readings: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Each meter's start reading (last reading <= start) and its readings in (start, end]."""
    ts = readings["timestamp"].to_numpy(np.int64)
    keep = (ts > start) & (ts <= end)
    for a, b in meter_slices(readings):
        last_before = a + int(np.searchsorted(ts[a:b], start, side="right")) - 1
        if last_before >= a:
            keep[last_before] = True
    # A feed holding exactly the period (the usual backfill case) is returned as it is.
    if keep.all() and readings.index.equals(pd.RangeIndex(len(readings))):
        return readings
    return readings[keep].reset_index(drop=True)


def meter_slices(readings: pd.DataFrame) -> list[tuple[int, int]]:
    """Row ranges of each meter in readings sorted by (meter, timestamp)."""
    meters = readings["meter"].to_numpy(object)
    cuts = [0, *(np.flatnonzero(meters[1:] != meters[:-1]) + 1).tolist(), len(meters)]
    return list(itertools.pairwise(cuts)) if len(meters) else []


def build_report(
    site: SiteConfig,
    intake: Intake,
    start: int,
    end: int,
    factors: FactorTable,
    archive_root: Path | None = None,
    baselines: dict[str, Reading] | None = None,
    lines: dict[str, Timeline] | None = None,
    not_before: int = 0,
) -> Report:
    """Compute, commit and archive the period [start, end) from signature-checked readings.

    `baselines`: each meter's baseline on chain; a meter without one (all of them, when None:
    the first report after monitoring starts) gets its start reading carried, which must end a
    signed batch within one interval before `start` and not before `not_before` (the crediting
    start). Every meter's end reading must end a signed batch within one interval before `end`.
    """
    label = f"project {site.project_id} period {to_iso(start)}..{to_iso(end)}"
    lines = lines or timelines(site, intake)
    baselines = baselines or {}
    starts, ends, carried = {}, {}, []
    for meter in site.meters:
        line = lines[meter.address]
        first = line.last_at_or_before(start)
        if first is None:
            raise DataError(
                f"{label}: meter {meter.serial} has no signed reading at or before start"
            )
        if meter.address in baselines:
            if baselines[meter.address] != first:
                raise DataError(
                    f"{label}: meter {meter.serial}'s baseline on chain is "
                    f"{_reading(baselines[meter.address])}, but its last signed reading at or "
                    f"before the start is {_reading(first)}: the data changed after the report "
                    "that ended there"
                )
        else:
            problem = _carried_start_problem(line, start, first, not_before)
            if problem:
                raise SignatureError(
                    f"{label}: meter {meter.serial} has no baseline on chain, so the report "
                    f"carries its start reading, but {problem}"
                )
            carried.append(meter.address)
        last = line.boundary_reading(end)
        if last is None or last.timestamp <= start:
            raise SignatureError(
                f"{label}: meter {meter.serial}: no valid signed batch ends on its last reading "
                f"of the period within one interval before the end ({line.why_not(end)})"
            )
        starts[meter.address], ends[meter.address] = first, last

    committed = period_readings(intake.readings, start, end)
    result = period_result(site, committed, start, end, factors, label)
    signed = committed_batches(intake, committed)
    entry: ArchiveEntry = archive_period(
        archive_root or site.archive,
        site.project_id,
        (start, end),
        committed,
        signed,
        intake.raw_files,
    )
    tree = MerkleTree.from_leaves([leaf_hash(b) for b in signed])
    boundary = []
    for meter in site.meters:
        line = lines[meter.address]
        points = ([starts[meter.address]] if meter.address in carried else []) + [
            ends[meter.address]
        ]
        for point in points:
            batch = line.batch_ending(point.timestamp)
            boundary.append(BoundaryReading(batch, tuple(tree.proof(leaf_hash(batch)))))

    capped = site.capped.address
    violation = None
    if not result.valid and not boundary_problems(site, starts, ends):
        violation = interval_evidence(lines[capped], starts[capped], ends[capped], site.capacity_w)
        if violation is None:
            raise DataError(
                f"{label}: the methodology finds the period void ({'; '.join(result.problems)}) "
                "but neither the boundary readings nor an interval of the capacity-checked meter "
                "shows it"
            )
    return Report(
        project_id=site.project_id,
        period_start=start,
        period_end=end,
        fiscal_year=fiscal_year(start),
        starts=starts,
        ends=ends,
        carried=tuple(carried),
        readings=tuple(boundary),
        merkle_root=tree.root,
        data_uri=entry.data_uri,
        self_consumed_wh=result.self_consumed_wh,
        reduction_g=result.reduction_g,
        void=not result.valid,
        problems=list(result.problems),
        violation=violation,
        capped_meter=capped,
    )


def _carried_start_problem(line: Timeline, start: int, first: Reading, not_before: int) -> str:
    """Why the meter's last reading at or before `start` cannot be carried (empty: it can)."""
    if line.boundary_reading(start) != first:
        return line.why_not(start)
    if first.timestamp < not_before:
        return f"its last signed reading {_reading(first)} is before the crediting start"
    return ""


def _reading(reading: Reading) -> str:
    return f"{reading.cumulative_wh} Wh at {to_iso(reading.timestamp)}"


def boundary_problems(
    site: SiteConfig, starts: dict[str, Reading], ends: dict[str, Reading]
) -> list[str]:
    """What the contract itself finds wrong from the boundary readings alone (it recomputes the
    energies from them): export > generation, self-consumption > generation, the battery's net
    charge or the auxiliary energy above what it is subtracted from, the capacity-checked meter's
    energy above capacity x the span its two readings measure."""
    energy = {
        m.kind: ends[m.address].cumulative_wh - starts[m.address].cumulative_wh for m in site.meters
    }
    capped = site.capped
    span = (starts[capped.address].timestamp, ends[capped.address].timestamp)
    direct = "self_consumption" in energy
    _, problems = site_self_consumption(energy, direct)
    if direct and "generation" in energy and energy["self_consumption"] > energy["generation"]:
        problems.insert(0, "self-consumption > generation")
    return problems + period_problems(site.capacity_w, *span, energy[capped.kind], 0)


def interval_evidence(
    line: Timeline, start: Reading, end: Reading, capacity_w: int
) -> IntervalEvidence | None:
    """The first interval above capacity between the meter's start and end readings, as the two
    signed readings and the batch(es) holding them; None when there is none."""
    a = int(np.searchsorted(line.timestamps, start.timestamp, side="left"))
    b = int(np.searchsorted(line.timestamps, end.timestamp, side="right"))
    ts, wh = line.timestamps[a:b], line.registers[a:b]
    found = capacity_violations(ts, wh, capacity_w)
    if len(found) == 0:
        return None
    i = int(found[0])
    first_ts, second_ts = int(ts[i]), int(ts[i + 1])
    first_batch, second_batch = line.batch_holding(first_ts), line.batch_holding(second_ts)
    batches = [BatchData(first_batch, line.batch_readings(first_batch))]
    if second_batch != first_batch:
        batches.append(BatchData(second_batch, line.batch_readings(second_batch)))
    return IntervalEvidence(
        batches=tuple(batches),
        first_index=batches[0].index_of(first_ts),
        second_index=batches[-1].index_of(second_ts),
    )


def period_result(
    site: SiteConfig,
    committed: pd.DataFrame,
    start: int,
    end: int,
    factors: FactorTable,
    label: str,
) -> PeriodResult:
    """methodology.compute_periods on exactly this period, from its committed readings.

    The frame is built with the loader's own column types and order (sorted by meter and time
    already), so the methodology neither parses nor sorts again.
    """
    ts = committed["timestamp"].to_numpy(np.int64)
    meters = committed["meter"].to_numpy(object)
    kinds = committed["kind"].to_numpy(object)
    wh = committed["cumulative_wh"].to_numpy(np.int64)
    slices = meter_slices(committed)
    codes = np.concatenate([np.full(b - a, code) for code, (a, b) in enumerate(slices)])
    rows = np.arange(len(ts))
    frame = pd.DataFrame(
        {
            "timestamp": ts,
            "meter": pd.Categorical.from_codes(codes, [meters[a] for a, _ in slices]),
            "kind": _kind_column(kinds, slices, codes, rows),
            "cumulative_wh": wh.astype(np.uint64),
        }
    )
    try:
        result = compute_periods(
            frame, site.capacity_w, factors, [(start, end)], name=label, battery=site.battery
        )
    except ReadingsError as exc:
        raise DataError(str(exc)) from None
    (period,) = result.periods
    return period


def _kind_column(
    kinds: np.ndarray, slices: list[tuple[int, int]], meter_codes: np.ndarray, rows: np.ndarray
) -> pd.Categorical:
    """The kind of each row; per meter when each meter has one kind (the loaders guarantee it),
    which saves hashing a string per row."""
    uniform = all((kinds[a:b] == kinds[a]).all() for a, b in slices)
    if not uniform or any(kinds[a] not in KINDS for a, _ in slices):
        return pd.Categorical(kinds[rows], categories=list(KINDS))
    per_meter = np.array([KINDS.index(kinds[a]) for a, _ in slices], dtype=np.int8)
    return pd.Categorical.from_codes(per_meter[meter_codes], dtype=_KIND_DTYPE)


def committed_batches(intake: Intake, committed: pd.DataFrame) -> list[Batch]:
    """The valid signed batches holding the committed readings: the period's Merkle leaves.

    Per meter, every valid batch whose [first, last] span meets the meter's committed readings
    [start reading, end reading]: so the batch ending on the start reading (any number of days
    before start) and each batch with a reading in (start, end]. `verify` rebuilds the same set
    from the archive: the batches that validly sign its in-period readings plus the start batches.
    """
    ts = committed["timestamp"].to_numpy(np.int64)
    meters = committed["meter"].to_numpy(object)
    out = []
    for a, b in meter_slices(committed):
        first, last = int(ts[a]), int(ts[b - 1])
        out += [
            batch
            for batch in intake.batches.get(meters[a], [])
            if batch.last_timestamp >= first and batch.first_timestamp <= last
        ]
    return out
