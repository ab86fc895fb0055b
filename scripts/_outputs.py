"""Read the chain and write the output files: monthly report, certificate, registry export.

Shared by `ape run report`, `ape run registry-export` and the demo.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oracles.roles import RetirementPurpose
from scripts._common import Deployment, ScriptError, jst, split_token_id
from scripts._events import FinalizedReport, finalized_reports, retirements
from scripts._reports import (
    Certificate,
    MonthlyRow,
    write_certificate_html,
    write_certificate_pdf,
    write_monthly_chart,
    write_monthly_csv,
)

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

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


@dataclass(frozen=True)
class MonthlyFiles:
    csv: Path
    chart: Path
    rows: list[MonthlyRow]


def monthly_report(
    registry: ContractInstance,
    deployment: Deployment,
    project_id: int,
    fiscal_year: int,
    out: Path,
) -> MonthlyFiles:
    """The fiscal year's finalized reports of a project as CSV and PNG under `out`."""
    reports = [
        r
        for r in finalized_reports(registry, deployment.block, project_id)
        if r.fiscal_year == fiscal_year
    ]
    if not reports:
        raise ScriptError(f"project {project_id} has no finalized reports for FY{fiscal_year}")
    rows = [
        MonthlyRow(
            r.period_start,
            r.period_end,
            r.fiscal_year,
            r.generation_wh,
            r.export_wh,
            r.self_consumed_wh,
            r.reduction_g,
            r.minted_t,
            r.void,
            r.report_id,
            r.finalize_tx,
        )
        for r in sorted(reports, key=lambda r: r.period_start)
    ]
    stem = f"project-{project_id}-FY{fiscal_year}"
    return MonthlyFiles(
        csv=write_monthly_csv(rows, out / f"{stem}.csv"),
        chart=write_monthly_chart(
            rows, out / f"{stem}.png", f"Project {project_id}, fiscal year {fiscal_year}"
        ),
        rows=rows,
    )


def certificate(
    credit: ContractInstance, deployment: Deployment, network: str, retirement_id: int
) -> Certificate:
    count = int(credit.retirement_count())
    if not 1 <= retirement_id <= count:
        raise ScriptError(f"unknown retirement {retirement_id}: this contract has 1..{count}")
    (record,) = retirements(credit, deployment.block, retirement_id=retirement_id)
    project_id, fiscal_year = split_token_id(record.token_id)
    return Certificate(
        retirement_id=record.retirement_id,
        network=network,
        chain_id=deployment.chain_id,
        contract=deployment.credit,
        token_id=record.token_id,
        project_id=project_id,
        fiscal_year=fiscal_year,
        amount_t=record.amount,
        holder=record.holder,
        beneficiary=record.beneficiary,
        purpose=RetirementPurpose(record.purpose).name.lower(),
        memo=record.memo,
        beneficiary_hash=record.beneficiary_hash,
        memo_hash=record.memo_hash,
        retired_at=record.retired_at,
        tx_hash=record.tx_hash,
        block=record.block,
    )


def certificate_files(cert: Certificate, out: Path) -> tuple[Path, Path]:
    """(HTML, PDF) of a retirement certificate under `out`."""
    stem = out / f"retirement-{cert.retirement_id}"
    return (
        write_certificate_html(cert, stem.with_suffix(".html")),
        write_certificate_pdf(cert, stem.with_suffix(".pdf")),
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
        first = issued.get(r.token_id, 0) + 1
        last = first + r.minted_t - 1
        issued[r.token_id] = last
        prefix = f"JCR-P{r.project_id}-FY{r.fiscal_year}"
        rows.append(
            {
                "project_id": r.project_id,
                "fiscal_year": r.fiscal_year,
                "token_id": r.token_id,
                "report_id": r.report_id,
                "monitoring_period_start": jst(r.period_start),
                "monitoring_period_end": jst(r.period_end),
                "self_consumed_wh": r.self_consumed_wh,
                "reduction_g": r.reduction_g,
                "amount_t": r.minted_t,
                "serial_first": first,
                "serial_last": last,
                "serial_range": f"{prefix}-{first:06d}..{prefix}-{last:06d}",
                "merkle_root": r.merkle_root,
                "data_uri": r.data_uri,
                "tx_hash": r.finalize_tx,
                "issued_at": jst(r.finalized_at),
            }
        )
    return rows


def registry_export(
    registry: ContractInstance,
    credit: ContractInstance,
    deployment: Deployment,
    out: Path,
    project_id: int | None = None,
) -> tuple[Path, Path]:
    """issuances.csv and retirements.csv under `out` (all projects, or one)."""
    issuances = issuance_rows(finalized_reports(registry, deployment.block, project_id))
    retired = [
        r
        for r in retirements(credit, deployment.block)
        if project_id is None or split_token_id(r.token_id)[0] == project_id
    ]
    retirement_rows = [
        {
            "retirement_id": r.retirement_id,
            "project_id": split_token_id(r.token_id)[0],
            "fiscal_year": split_token_id(r.token_id)[1],
            "token_id": r.token_id,
            "amount_t": r.amount,
            "holder": r.holder,
            "beneficiary": r.beneficiary,
            "purpose": RetirementPurpose(r.purpose).name.lower(),
            "memo": r.memo,
            "tx_hash": r.tx_hash,
            "retired_at": jst(r.retired_at),
        }
        for r in retired
    ]
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
