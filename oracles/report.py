"""One period's monitoring report: methodology result, Merkle root, archive, signed end readings.

The period [start, end) commits, per meter, its baseline reading (the last reading at or before
start, which the previous report ended on) and every reading in (start, end]. That set is archived,
so the archive alone is enough to recompute the period's reduction; the signed batches holding it
(`committed_batches`) go into the manifest and are Merkle-committed, one leaf per batch.
"""

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jcredit.eip712 import Batch
from jcredit.merkle import merkle_root
from methodology.compute import PeriodResult, compute
from methodology.errors import ReadingsError
from methodology.factors import FactorTable
from methodology.fiscal import fiscal_year, to_iso
from methodology.readings import KINDS
from oracles.archive import ArchiveEntry, archive_period
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
    batches: tuple[Batch, ...]  # one per meter: the signed batch ending on its last reading <= end
    merkle_root: bytes
    data_uri: str
    self_consumed_wh: int
    reduction_g: int
    void: bool
    problems: list[str] = field(default_factory=list)

    def signed_readings(self) -> list[tuple]:
        return [b.as_signed_reading() for b in self.batches]

    def submit_args(self) -> tuple:
        """Arguments of Registry.submit_report, in order."""
        return (
            self.project_id,
            self.period_end,
            self.fiscal_year,
            self.signed_readings(),
            self.merkle_root,
            self.data_uri,
            self.self_consumed_wh,
            self.reduction_g,
            self.void,
        )


def period_readings(readings: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Each meter's baseline (last reading <= start) and its readings in (start, end]."""
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


def data_covers(readings: pd.DataFrame, site: SiteConfig, end: int) -> bool:
    """True when every meter has a reading at or after `end` (the period has closed in the data)."""
    last = readings.groupby("meter")["timestamp"].max()
    return all(last.get(m.address, -1) >= end for m in site.meters)


def end_batch(intake: Intake, meter: str, last_timestamp: int) -> Batch:
    for batch in intake.batches.get(meter, []):
        if batch.last_timestamp == last_timestamp:
            return batch
    raise SignatureError(
        f"meter {meter}: no valid signed batch ends on its last reading of the period "
        f"({to_iso(last_timestamp)}); the contract needs that reading signed"
    )


def build_report(
    site: SiteConfig,
    intake: Intake,
    start: int,
    end: int,
    factors: FactorTable,
    archive_root: Path | None = None,
) -> Report:
    """Compute, commit and archive the period [start, end) from signature-checked readings."""
    committed = period_readings(intake.readings, start, end)
    label = f"project {site.project_id} period {to_iso(start)}..{to_iso(end)}"
    batches = []
    times = committed["timestamp"].to_numpy(np.int64)
    meters = committed["meter"].to_numpy(object)
    for meter in site.meters:
        ts = times[meters == meter.address]
        if len(ts) == 0 or ts[0] > start:
            raise DataError(
                f"{label}: meter {meter.serial} has no signed reading at or before start"
            )
        if ts[-1] <= start:
            raise DataError(f"{label}: meter {meter.serial} has no signed reading in the period")
        batches.append(end_batch(intake, meter.address, int(ts[-1])))
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
    root = merkle_root(signed)
    return Report(
        project_id=site.project_id,
        period_start=start,
        period_end=end,
        fiscal_year=fiscal_year(start),
        batches=tuple(batches),
        merkle_root=root,
        data_uri=entry.data_uri,
        self_consumed_wh=result.self_consumed_wh,
        reduction_g=result.reduction_g,
        void=not result.valid,
        problems=list(result.problems),
    )


def period_result(
    site: SiteConfig,
    committed: pd.DataFrame,
    start: int,
    end: int,
    factors: FactorTable,
    label: str,
) -> PeriodResult:
    """methodology.compute on exactly this period.

    compute() finds its periods from the data: they start at the latest first reading of the
    meters and need a reading at or after `end`. So when no meter has its baseline exactly at
    `start` (all have gaps there), a meter's baseline register is repeated at `start`, and each
    meter's last reading is repeated at `end`. Boundary registers, hence energies, are unchanged
    (the methodology reads the last reading at or before each boundary either way). The repeat at
    `start` goes on a meter whose intervals are not capacity-checked (export) when there is one,
    so the real interval lengths of the generation meter are kept.
    """
    ts = committed["timestamp"].to_numpy(np.int64)
    meters = committed["meter"].to_numpy(object)
    kinds = committed["kind"].to_numpy(object)
    wh = committed["cumulative_wh"].to_numpy(np.int64)
    slices = meter_slices(committed)
    capped = "generation" if "generation" in set(kinds.tolist()) else "self_consumption"
    needs_start = all(ts[a] < start for a, _ in slices)
    starter = next((a for a, _ in slices if kinds[a] != capped), slices[0][0])
    # Row indices in (meter, time) order; a repeated row gets its new timestamp from `times`.
    index, times, codes = [], [], []
    for code, (a, b) in enumerate(slices):
        pieces = [(np.arange(a, b), ts[a:b])]
        if needs_start and a == starter:
            # The baseline (row a, before start), its register again at start, then the rest.
            pieces = [
                (np.array([a, a]), np.array([ts[a], start])),
                (np.arange(a + 1, b), ts[a + 1 : b]),
            ]
        if ts[b - 1] < end:
            pieces.append((np.array([b - 1]), np.array([end])))
        for rows_of, times_of in pieces:
            index.append(rows_of)
            times.append(times_of)
            codes.append(np.full(len(rows_of), code))
    rows = np.concatenate(index)
    meter_codes = np.concatenate(codes)
    # The loader's own column types and order, so compute() neither parses nor sorts again.
    frame = pd.DataFrame(
        {
            "timestamp": np.concatenate(times),
            "meter": pd.Categorical.from_codes(meter_codes, [meters[a] for a, _ in slices]),
            "kind": _kind_column(kinds, slices, meter_codes, rows),
            "cumulative_wh": wh[rows].astype(np.uint64),
        }
    )
    try:
        result = compute(frame, site.capacity_w, factors, name=label)
    except ReadingsError as exc:
        raise DataError(str(exc)) from None
    matching = [p for p in result.periods if (p.start, p.end) == (start, end)]
    if len(matching) != 1:
        raise DataError(f"{label}: methodology did not produce this period (got {result.periods})")
    return matching[0]


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
    [baseline, last reading <= end]: so the batch ending on the baseline (any number of days before
    start) and each batch with a reading in (start, end]. `verify` rebuilds the same set from the
    archive: the batches that validly sign its in-period readings plus the baseline batches.
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
