"""Issuance and retirement records as CSV for the J-Credit registry.

Serial numbers follow `jcredit.documents.serials`; every row has a `validity` column that is empty
when the record may count and otherwise says why not (placeholder factor, test network).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.documents.metadata import ProjectInfo, project_info
from jcredit.documents.serials import retirement_serials, serial_range
from jcredit.history import FinalizedReport, finalized_reports, retirements
from jcredit.types import RetirementPurpose, split_token_id
from jcredit.validity import banner, problems
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
    "validity",
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
    "purpose_label",
    "memo",
    "serial_first",
    "serial_last",
    "serial_range",
    "project_name",
    "project_location",
    "metadata_uri",
    "registry",
    "tx_hash",
    "retired_at",
    "validity",
)


def issuance_rows(
    reports: list[FinalizedReport], validity: Callable[[int], str] = lambda fiscal_year: ""
) -> list[dict[str, object]]:
    """One row per report that minted credits, with serials numbered per token in issuance order
    (see jcredit.documents.serials); `validity(fiscal_year)` fills the validity column."""
    issued: dict[int, int] = {}
    rows = []
    for r in reports:
        if r.minted_t == 0:
            continue
        s = r.submitted
        first = issued.get(r.token_id, 0) + 1
        last = first + r.minted_t - 1
        issued[r.token_id] = last
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
                "serial_range": serial_range(s.project_id, s.fiscal_year, first, last),
                "merkle_root": "0x" + s.merkle_root.hex(),
                "data_uri": s.data_uri,
                "tx_hash": r.finalize_tx,
                "issued_at": to_iso(r.finalized_at),
                "validity": validity(s.fiscal_year),
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
    validity = _validity(platform)
    issuances = issuance_rows(
        finalized_reports(platform.reports.contract, start, project_id), validity
    )
    everything = retirements(platform.credit.contract, start)
    serials = retirement_serials(everything)
    projects: dict[int, ProjectInfo] = {}
    retirement_rows = []
    for r in everything:
        token_project, fiscal_year = split_token_id(r.token_id)
        if project_id is not None and token_project != project_id:
            continue
        if token_project not in projects:
            projects[token_project] = _project_info(platform, token_project)
        info = projects[token_project]
        first, last = serials[r.retirement_id]
        purpose = RetirementPurpose(r.purpose)
        retirement_rows.append(
            {
                "retirement_id": r.retirement_id,
                "project_id": token_project,
                "fiscal_year": fiscal_year,
                "token_id": r.token_id,
                "amount_t": r.amount,
                "holder": r.holder,
                "beneficiary": r.beneficiary,
                "purpose": purpose.label,
                "purpose_label": purpose.description,
                "memo": r.memo,
                "serial_first": first,
                "serial_last": last,
                "serial_range": serial_range(token_project, fiscal_year, first, last),
                "project_name": info.name,
                "project_location": info.location,
                "metadata_uri": info.uri,
                "registry": platform.deployment.registry,
                "tx_hash": r.tx_hash,
                "retired_at": to_iso(r.retired_at),
                "validity": validity(fiscal_year),
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


def _project_info(platform: Platform, project_id: int) -> ProjectInfo:
    """Name and location from the project's metadata; empty for credits of no registered project."""
    if not 1 <= project_id <= platform.registry.project_count():
        return ProjectInfo("", "", "")
    return project_info(platform.registry.project(project_id).metadata_uri)


def _validity(platform: Platform) -> Callable[[int], str]:
    """fiscal year -> the validity banner of credits of that vintage on this chain (cached)."""
    cache: dict[int, str] = {}

    def validity(fiscal_year: int) -> str:
        if fiscal_year not in cache:
            factor = platform.registry.emission_factor(fiscal_year).factor_g_per_mwh
            cache[fiscal_year] = banner(
                problems(platform.deployment.chain_id, {fiscal_year: factor or None})
            )
        return cache[fiscal_year]

    return validity
