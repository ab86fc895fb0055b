"""Monthly monitoring report of a project's fiscal year: a CSV table and a PNG chart."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.errors import JCreditError
from jcredit.history import finalized_reports
from jcredit.validity import banner, problems
from methodology.fiscal import to_iso
from methodology.units import G_PER_T

if TYPE_CHECKING:
    from jcredit.connect import Platform

MONTHLY_COLUMNS = (
    "period_start",
    "period_end",
    "fiscal_year",
    "generation_wh",
    "export_wh",
    "self_consumed_wh",
    "reduction_g",
    "credits_t",
    "void",
    "report_id",
    "tx_hash",
    "validity",
)


@dataclass(frozen=True)
class MonthlyRow:
    """One finalized monitoring report; times in seconds since epoch."""

    period_start: int
    period_end: int
    fiscal_year: int
    generation_wh: int
    export_wh: int
    self_consumed_wh: int
    reduction_g: int
    credits_t: int
    void: bool
    report_id: int
    tx_hash: str


@dataclass(frozen=True)
class MonthlyFiles:
    csv: Path
    chart: Path
    rows: list[MonthlyRow]
    validity: str  # "NOT VALID FOR J-CREDIT: ..." or "" (jcredit.validity)


def monthly_rows(platform: Platform, project_id: int, fiscal_year: int) -> list[MonthlyRow]:
    """The fiscal year's finalized reports of a project, by period."""
    platform.registry.project(project_id)
    reports = [
        r
        for r in finalized_reports(platform.reports.contract, platform.deployment.block, project_id)
        if r.submitted.fiscal_year == fiscal_year
    ]
    if not reports:
        raise JCreditError(f"project {project_id} has no finalized reports for FY{fiscal_year}")
    return [
        MonthlyRow(
            s.period_start,
            s.period_end,
            s.fiscal_year,
            s.generation_wh,
            s.export_wh,
            s.self_consumed_wh,
            s.reduction_g,
            r.minted_t,
            s.void,
            s.report_id,
            r.finalize_tx,
        )
        for r in sorted(reports, key=lambda r: r.submitted.period_start)
        for s in (r.submitted,)
    ]


def monthly_report(
    platform: Platform, project_id: int, fiscal_year: int, out: Path
) -> MonthlyFiles:
    """The fiscal year's finalized reports of a project as CSV and PNG under `out`."""
    rows = monthly_rows(platform, project_id, fiscal_year)
    factor = platform.registry.emission_factor(fiscal_year).factor_g_per_mwh
    validity = banner(problems(platform.deployment.chain_id, {fiscal_year: factor or None}))
    stem = f"project-{project_id}-FY{fiscal_year}"
    return MonthlyFiles(
        csv=write_monthly_csv(rows, out / f"{stem}.csv", validity),
        chart=write_monthly_chart(
            rows, out / f"{stem}.png", f"Project {project_id}, fiscal year {fiscal_year}", validity
        ),
        rows=rows,
        validity=validity,
    )


def write_monthly_csv(rows: list[MonthlyRow], path: Path, validity: str = "") -> Path:
    """One row per report; `validity` (a banner, or "") goes into every row's last column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(MONTHLY_COLUMNS)
        for row in rows:
            record = asdict(row)
            record["period_start"] = to_iso(row.period_start)
            record["period_end"] = to_iso(row.period_end)
            record["validity"] = validity
            writer.writerow([record[column] for column in MONTHLY_COLUMNS])
    return path


def write_monthly_chart(rows: list[MonthlyRow], path: Path, title: str, validity: str = "") -> Path:
    """Energy per month (bars: self-consumed and exported, stacked = generation) and credits;
    `validity`, when not empty, is printed in red above the charts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    labels = [to_iso(row.period_start)[:7] for row in rows]
    self_kwh = [row.self_consumed_wh / 1000 for row in rows]
    export_kwh = [row.export_wh / 1000 for row in rows]
    reduction_t = [row.reduction_g / G_PER_T for row in rows]
    credits = [row.credits_t for row in rows]

    fig, (energy, co2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    energy.bar(labels, self_kwh, label="self-consumed (credited)", color="#2a9d8f")
    energy.bar(
        labels, export_kwh, bottom=self_kwh, label="exported (not credited)", color="#e9c46a"
    )
    energy.set_ylabel("kWh")
    energy.set_title(title)
    energy.set_ylim(0, max([s + e for s, e in zip(self_kwh, export_kwh, strict=True)] + [1]) * 1.25)
    energy.legend(loc="upper left", ncols=2, fontsize="small")
    co2.bar(labels, reduction_t, label="reduction (t-CO2)", color="#8ab17d")
    co2.plot(
        labels,
        credits,
        marker="o",
        linestyle="none",
        label="credits issued (whole t-CO2; fractions carry over)",
        color="#264653",
    )
    co2.set_ylabel("t-CO2")
    # Headroom above the tallest bar keeps the legend from hiding a month's credit marker.
    co2.set_ylim(0, max([*reduction_t, *credits, 1]) * 1.35)
    co2.legend(loc="upper left", ncols=2, fontsize="small")
    co2.tick_params(axis="x", rotation=45)
    if validity:
        fig.suptitle(validity, color="#b00020", fontsize="medium", wrap=True)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
