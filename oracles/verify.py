"""`verify`: rebuild a committed period from the archive and compare it with the report's facts.

Anyone can run it: it needs the archive files and the chain's report events
(`jcredit.history.submitted_reports`: each report's facts as `ReportSubmitted` logged them), no
keys. Checked: the archive file's hash (its name), every reading's meter signature (the batches in
the manifest), the Merkle root (rebuilt over the batches found valid here: those signing the
archived in-period readings and those ending on a start reading, the set
`report.committed_batches` commits), the methodology's result (self-consumed Wh, reduction, void,
fiscal year) and every meter's start and end reading in the facts.
"""

from pathlib import Path

import pandas as pd

from jcredit.eip712 import Batch, batch_digest, domain_separator, recover
from jcredit.history import SubmittedReport
from jcredit.merkle import merkle_root
from methodology.factors import FactorTable
from methodology.readings import load_readings
from oracles.adapters.csv import attach_meters
from oracles.archive import load_manifest, manifest_batches, resolve
from oracles.errors import DataError
from oracles.intake import check_signatures
from oracles.report import period_result
from oracles.site import SiteConfig


def verify_report(
    site: SiteConfig,
    committed: SubmittedReport,
    archive_root: Path,
    factors: FactorTable,
    chain_id: int,
    registry: str,
) -> list[str]:
    """Differences between the chain and the archive (empty list = OK)."""
    try:
        path = resolve(archive_root, committed.data_uri)
        manifest = load_manifest(path)
        readings = attach_meters(load_readings(path), site, str(path))
    except (DataError, OSError, ValueError) as exc:
        return [f"archive: {exc}"]
    differences = []
    if (manifest["period_start"], manifest["period_end"]) != (
        committed.period_start,
        committed.period_end,
    ):
        differences.append(
            f"period: chain {committed.period_start}..{committed.period_end}, archive manifest "
            f"{manifest['period_start']}..{manifest['period_end']}"
        )
    batches: dict[str, list] = {}
    for batch in manifest_batches(manifest):
        batches.setdefault(batch.meter, []).append(batch)
    start = committed.period_start
    in_period = readings[readings["timestamp"] > start].reset_index(drop=True)
    intake = check_signatures(site, in_period, batches, chain_id, registry)
    start_batches, start_problems = _start_batches(
        readings[readings["timestamp"] <= start], batches, site.project_id, chain_id, registry
    )
    differences += start_problems
    if intake.refusals:
        first = intake.refusals[0]
        differences.append(
            f"signatures: {len(intake.refusals)} archived reading(s) not validly signed, "
            f"first {first.meter} at {first.timestamp}: {first.reason}"
        )
    leaves = [b for valid in intake.batches.values() for b in valid] + start_batches
    root = merkle_root(leaves) if leaves else b""
    if root != committed.merkle_root:
        differences.append(
            f"merkle root: chain 0x{committed.merkle_root.hex()}, archive 0x{root.hex()}"
        )
    try:
        result = period_result(
            site, readings, committed.period_start, committed.period_end, factors, str(path)
        )
    except DataError as exc:
        return [*differences, f"methodology: {exc}"]
    for name, chain_value, archive_value in (
        ("self_consumed_wh", committed.self_consumed_wh, result.self_consumed_wh),
        ("reduction_g", committed.reduction_g, result.reduction_g),
        ("void", committed.void, not result.valid),
        ("fiscal_year", committed.fiscal_year, result.fiscal_year),
    ):
        if chain_value != archive_value:
            differences.append(f"{name}: chain {chain_value}, archive recomputes {archive_value}")
    differences += _boundary_differences(readings, committed)
    return differences


def _start_batches(
    starts: pd.DataFrame, batches: dict[str, list], project_id: int, chain_id: int, registry: str
) -> tuple[list[Batch], list[str]]:
    """The validly signed batches ending on each start reading, and the start readings without
    one.

    Each meter's start reading (its baseline, or the start reading the report carried) must be
    the signed clear last reading of one of the batches.
    Only the batch's last reading is archived with the period (the rest belongs to the previous
    period), so its readings hash cannot be recomputed here; the clear last reading is signed
    too, which is exactly what the contract relies on.
    """
    separator = domain_separator(chain_id, registry)
    found: list[Batch] = []
    out = []
    for meter, ts, wh in starts[["meter", "timestamp", "cumulative_wh"]].itertuples(index=False):
        signed = [
            b
            for b in batches.get(meter, [])
            if (b.last_timestamp, b.last_cumulative_wh) == (ts, wh)
            and recover(batch_digest(separator, project_id, b), b.signature) == meter
        ]
        if not signed:
            out.append(f"meter {meter}: start reading {wh} Wh at {ts} has no valid signature")
        found += signed
    return found, out


def _boundary_differences(readings: pd.DataFrame, committed: SubmittedReport) -> list[str]:
    """Each meter of the facts must start on its first archived reading and end on its last."""
    out = []
    for period in committed.facts.meter_periods():
        rows = readings[readings["meter"].str.lower() == period.meter.lower()]
        if rows.empty:
            out.append(f"meter {period.meter}: in the report's facts but absent from the archive")
            continue
        for what, (ts, wh), row in (
            ("start", (period.start_timestamp, period.start_cumulative_wh), rows.iloc[0]),
            ("end", (period.end_timestamp, period.end_cumulative_wh), rows.iloc[-1]),
        ):
            archived = (int(row["timestamp"]), int(row["cumulative_wh"]))
            if archived != (ts, wh):
                first_or_last = "begins" if what == "start" else "ends"
                out.append(
                    f"meter {period.meter}: chain {what} reading {wh} Wh at {ts}, archive "
                    f"{first_or_last} with {archived[1]} Wh at {archived[0]}"
                )
    return out
