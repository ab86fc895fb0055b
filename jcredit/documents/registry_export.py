"""Issuance, certification and retirement records for the J-Credit registry.

`registry_export` writes issuances.csv (per finalized report, with the round that certified it)
and retirements.csv (with the round each retirement drew on and its serials); `certification_
packages` writes certifications.csv and, per certification round, `certification-<id>/round.json`:
what a verifier needs (the reports with their periods, data URIs, Merkle roots and the
methodology's results as `ReportSubmitted` logged them, the meters and their certification
expiry) and the round's issuance and retirements with the scheme identifiers. Serial numbers
follow `jcredit.documents.serials` (scheme symbol and type are parameters whose exact format is
not verified against the registry's specification); every row has a `validity` column that is
empty when the record may count and otherwise says why not (placeholder factor, test network).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.documents.metadata import ProjectInfo, project_info
from jcredit.documents.serials import (
    CREDIT_TYPE,
    SCHEME_SYMBOL,
    retirement_serials,
    scheme_serial_range,
    serial_range,
)
from jcredit.errors import NotFoundError
from jcredit.history import FinalizedReport, certifications, finalized_reports, retirements
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
    "certification_id",
    "certification_number",
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
    "certification_id",
    "certification_number",
    "project_name",
    "project_location",
    "metadata_uri",
    "registry",
    "tx_hash",
    "retired_at",
    "validity",
)


CERTIFICATION_COLUMNS = (
    "certification_id",
    "certification_number",
    "scheme_symbol",
    "credit_type",
    "project_id",
    "fiscal_year",
    "token_id",
    "amount_t",
    "retired_t",
    "remaining_t",
    "serial_first",
    "serial_last",
    "serial_range",
    "report_ids",
    "registrar",
    "tx_hash",
    "recorded_at",
    "validity",
)
SCHEME_NOTE = (
    "scheme symbol, credit type and the serial format SYMBOL/TYPE/<certification number>-NNNNNN "
    "are parameters, not verified against the J-Credit registry's specification"
)


def issuance_rows(
    reports: list[FinalizedReport],
    validity: Callable[[int], str] = lambda fiscal_year: "",
    rounds: dict[int, tuple[int, str]] | None = None,
) -> list[dict[str, object]]:
    """One row per report that minted credits, with serials numbered per token in issuance order
    (see jcredit.documents.serials); `validity(fiscal_year)` fills the validity column and
    `rounds` (report id -> (certification id, number)) the round that certified the report."""
    rounds = rounds or {}
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
                "certification_id": rounds.get(s.report_id, (0, ""))[0],
                "certification_number": rounds.get(s.report_id, (0, ""))[1],
                "validity": validity(s.fiscal_year),
            }
        )
    return rows


def registry_export(
    platform: Platform,
    out: Path,
    project_id: int | None = None,
    symbol: str = SCHEME_SYMBOL,
    credit_type: str = CREDIT_TYPE,
) -> tuple[Path, Path]:
    """issuances.csv and retirements.csv under `out` (all projects, or one); certified
    retirements carry the scheme identifiers SYMBOL/TYPE/<certification number>-NNNNNN."""
    if project_id is not None:
        platform.registry.project(project_id)
    start = platform.deployment.block
    validity = _validity(platform)
    recorded = certifications(platform.credit.contract, start)
    numbers = {c.certification_id: c.certification_number for c in recorded}
    by_report = {
        report_id: (c.certification_id, c.certification_number)
        for c in recorded
        for report_id in c.report_ids
    }
    issuances = issuance_rows(
        finalized_reports(platform.reports.contract, start, project_id), validity, by_report
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
                "serial_range": (
                    scheme_serial_range(
                        numbers[r.certification_id], first, last, symbol, credit_type
                    )
                    if r.certified
                    else serial_range(token_project, fiscal_year, first, last)
                ),
                "certification_id": r.certification_id,
                "certification_number": numbers.get(r.certification_id, ""),
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


def certification_packages(
    platform: Platform,
    out: Path,
    project_id: int | None = None,
    symbol: str = SCHEME_SYMBOL,
    credit_type: str = CREDIT_TYPE,
) -> tuple[Path, list[Path]]:
    """certifications.csv and one `certification-<id>/round.json` per round under `out` (all
    projects, or one): the round, the reports it covers as the chain logged them, their meters,
    and the round's issuance and retirements with the scheme identifiers."""
    start = platform.deployment.block
    validity = _validity(platform)
    recorded = [
        c
        for c in certifications(platform.credit.contract, start)
        if project_id is None or split_token_id(c.token_id)[0] == project_id
    ]
    retired = retirements(platform.credit.contract, start)
    finalized: dict[int, dict[int, FinalizedReport]] = {}
    rows, packages = [], []
    for c in recorded:
        token_project, fiscal_year = split_token_id(c.token_id)
        if token_project not in finalized:
            finalized[token_project] = {
                r.submitted.report_id: r
                for r in finalized_reports(platform.reports.contract, start, token_project)
            }
        state = platform.certifications.certification(c.certification_id)
        row = {
            "certification_id": c.certification_id,
            "certification_number": c.certification_number,
            "scheme_symbol": symbol,
            "credit_type": credit_type,
            "project_id": token_project,
            "fiscal_year": fiscal_year,
            "token_id": c.token_id,
            "amount_t": c.amount,
            "retired_t": state.retired,
            "remaining_t": state.remaining,
            "serial_first": c.first_serial,
            "serial_last": c.last_serial,
            "serial_range": scheme_serial_range(
                c.certification_number, c.first_serial, c.last_serial, symbol, credit_type
            ),
            "report_ids": " ".join(str(r) for r in c.report_ids),
            "registrar": c.registrar,
            "tx_hash": c.tx_hash,
            "recorded_at": to_iso(c.recorded_at),
            "validity": validity(fiscal_year),
        }
        rows.append(row)
        reports = [
            _report_entry(platform, finalized[token_project].get(report_id), report_id)
            for report_id in c.report_ids
        ]
        package = {
            "certification": row | {"report_ids": list(c.report_ids)},
            "scheme_note": SCHEME_NOTE,
            "reports": reports,
            "meters": _meters(platform, reports),
            "issuance": {
                "amount_t": c.amount,
                "serial_first": c.first_serial,
                "serial_last": c.last_serial,
                "serial_range": row["serial_range"],
                "minted_by_reports_t": sum(r.get("minted_t", 0) for r in reports),
            },
            "retirements": [
                {
                    "retirement_id": r.retirement_id,
                    "amount_t": r.amount,
                    "holder": r.holder,
                    "beneficiary": r.beneficiary,
                    "purpose": RetirementPurpose(r.purpose).label,
                    "serial_first": r.first_serial,
                    "serial_last": r.last_serial,
                    "serial_range": scheme_serial_range(
                        c.certification_number, r.first_serial, r.last_serial, symbol, credit_type
                    ),
                    "tx_hash": r.tx_hash,
                    "retired_at": to_iso(r.retired_at),
                }
                for r in retired
                if r.certification_id == c.certification_id
            ],
            "contracts": {
                "chain_id": platform.deployment.chain_id,
                "registry": platform.deployment.registry,
                "reports": platform.deployment.reports,
                "credit": platform.deployment.credit,
            },
            "validity": row["validity"],
        }
        path = out / f"certification-{c.certification_id}" / "round.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
        packages.append(path)
    out.mkdir(parents=True, exist_ok=True)
    table = out / "certifications.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CERTIFICATION_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return table, packages


def _report_entry(
    platform: Platform, report: FinalizedReport | None, report_id: int
) -> dict[str, object]:
    """A covered report as the chain logged it; a report not finalized says so."""
    if report is None:
        return {"report_id": report_id, "finalized": False}
    s = report.submitted
    return {
        "report_id": report_id,
        "finalized": True,
        "project_id": s.project_id,
        "fiscal_year": s.fiscal_year,
        "period_start": to_iso(s.period_start),
        "period_end": to_iso(s.period_end),
        "data_uri": s.data_uri,
        "merkle_root": "0x" + s.merkle_root.hex(),
        "void": s.void,
        "generation_wh": s.generation_wh,
        "export_wh": s.export_wh,
        "self_consumed_wh": s.self_consumed_wh,
        "reduction_g": s.reduction_g,
        "minted_t": report.minted_t,
        "carry_g": report.carry_g,
        "meters": [
            {
                "meter": p.meter,
                "start_timestamp": to_iso(p.start_timestamp),
                "start_cumulative_wh": p.start_cumulative_wh,
                "carried_start": p.carried_start,
                "end_timestamp": to_iso(p.end_timestamp),
                "end_cumulative_wh": p.end_cumulative_wh,
            }
            for p in s.facts.meter_periods()
        ],
        "submit_tx": s.tx_hash,
        "finalize_tx": report.finalize_tx,
        "finalized_at": to_iso(report.finalized_at),
    }


def _meters(platform: Platform, reports: list[dict[str, object]]) -> list[dict[str, object]]:
    """The meters the reports read, as the Registry holds them now."""
    seen: list[str] = []
    for report in reports:
        for period in report.get("meters", []):  # type: ignore[union-attr]
            if period["meter"] not in seen:
                seen.append(period["meter"])
    out = []
    for address in seen:
        try:
            meter = platform.registry.meter(address)
        except NotFoundError:
            continue
        out.append(
            {
                "meter": meter.address,
                "kind": meter.kind.name.lower(),
                "serial": meter.serial,
                "status": meter.status.name.lower(),
                "certification_expiry": to_iso(meter.certification_expiry),
                "interval_seconds": meter.interval_seconds,
            }
        )
    return out


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
