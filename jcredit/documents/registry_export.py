"""Issuance and retirement records as CSV for the J-Credit registry."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.history import FinalizedReport, finalized_reports, retirements
from jcredit.types import RetirementPurpose, split_token_id
from methodology.fiscal import to_iso

if TYPE_CHECKING:
    from jcredit.connect import Platform

ISSUANCE_COLUMNS = (
    "project_id",
    "fiscal_year",
    "token_id",
    "report_id",
    "monitoring_period_start",
    "monitoring_period_end",
    "self_consumed_wh",
    "reduction_g",
    "amount_t",
    "serial_first",
    "serial_last",
    "serial_range",
    "merkle_root",
    "data_uri",
    "tx_hash",
    "issued_at",
)
RETIREMENT_COLUMNS = (
    "retirement_id",
    "project_id",
    "fiscal_year",
    "token_id",
    "amount_t",
    "holder",
    "beneficiary",
    "purpose",
    "memo",
    "tx_hash",
    "retired_at",
)


def issuance_rows(reports: list[FinalizedReport]) -> list[dict[str, object]]:
    """One row per report that minted credits, with serials numbered per token in issuance order.

    ERC-1155 credits are fungible, so serials are not on chain: they are derived here, in the order
    the chain minted them, which anyone can recompute from the events.
    """
    issued: dict[int, int] = {}
    rows = []
    for r in reports:
        if r.minted_t == 0:
            continue
        s = r.submitted
        first = issued.get(r.token_id, 0) + 1
        last = first + r.minted_t - 1
        issued[r.token_id] = last
        prefix = f"JCR-P{s.project_id}-FY{s.fiscal_year}"
        rows.append(
            {
                "project_id": s.project_id,
                "fiscal_year": s.fiscal_year,
                "token_id": r.token_id,
                "report_id": s.report_id,
                "monitoring_period_start": to_iso(s.period_start),
                "monitoring_period_end": to_iso(s.period_end),
                "self_consumed_wh": s.self_consumed_wh,
                "reduction_g": s.reduction_g,
                "amount_t": r.minted_t,
                "serial_first": first,
                "serial_last": last,
                "serial_range": f"{prefix}-{first:06d}..{prefix}-{last:06d}",
                "merkle_root": "0x" + s.merkle_root.hex(),
                "data_uri": s.data_uri,
                "tx_hash": r.finalize_tx,
                "issued_at": to_iso(r.finalized_at),
            }
        )
    return rows


def registry_export(
    platform: Platform, out: Path, project_id: int | None = None
) -> tuple[Path, Path]:
    """issuances.csv and retirements.csv under `out` (all projects, or one)."""
    if project_id is not None:
        platform.registry.project(project_id)
    start = platform.deployment.block
    issuances = issuance_rows(finalized_reports(platform.reports.contract, start, project_id))
    retirement_rows = []
    for r in retirements(platform.credit.contract, start):
        token_project, fiscal_year = split_token_id(r.token_id)
        if project_id is not None and token_project != project_id:
            continue
        retirement_rows.append(
            {
                "retirement_id": r.retirement_id,
                "project_id": token_project,
                "fiscal_year": fiscal_year,
                "token_id": r.token_id,
                "amount_t": r.amount,
                "holder": r.holder,
                "beneficiary": r.beneficiary,
                "purpose": RetirementPurpose(r.purpose).label,
                "memo": r.memo,
                "tx_hash": r.tx_hash,
                "retired_at": to_iso(r.retired_at),
            }
        )
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "issuances.csv", out / "retirements.csv")
    for path, columns, rows in (
        (paths[0], ISSUANCE_COLUMNS, issuances),
        (paths[1], RETIREMENT_COLUMNS, retirement_rows),
    ):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return paths
