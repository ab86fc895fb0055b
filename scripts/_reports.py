"""Files people read: monthly table (CSV), its chart (PNG), retirement certificates (HTML, PDF).

Pure writers: they take records already read from the chain and never talk to it themselves.
"""

from __future__ import annotations

import csv
import html
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

from scripts._common import G_PER_T, jst

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
class Certificate:
    """Everything a third party needs to find and check one retirement on chain."""

    retirement_id: int
    network: str
    chain_id: int
    contract: str
    token_id: int
    project_id: int
    fiscal_year: int
    amount_t: int
    holder: str
    beneficiary: str
    purpose: str
    memo: str
    beneficiary_hash: str
    memo_hash: str
    retired_at: int
    tx_hash: str
    block: int


def write_monthly_csv(rows: list[MonthlyRow], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(MONTHLY_COLUMNS)
        for row in rows:
            record = asdict(row)
            record["period_start"] = jst(row.period_start)
            record["period_end"] = jst(row.period_end)
            writer.writerow([record[column] for column in MONTHLY_COLUMNS])
    return path


def write_monthly_chart(rows: list[MonthlyRow], path: Path, title: str) -> Path:
    """Energy per month (bars: self-consumed and exported, stacked = generation) and credits."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    labels = [jst(row.period_start)[:7] for row in rows]
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
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _certificate_lines(cert: Certificate) -> list[tuple[str, str]]:
    return [
        ("Retirement id", str(cert.retirement_id)),
        ("Amount", f"{cert.amount_t} t-CO2"),
        ("Beneficiary", cert.beneficiary),
        ("Purpose", cert.purpose),
        ("Memo", cert.memo or "-"),
        ("Beneficiary keccak256", cert.beneficiary_hash),
        ("Memo keccak256", cert.memo_hash),
        ("Retired by (holder)", cert.holder),
        ("Retired at", jst(cert.retired_at)),
        ("Project / vintage", f"project {cert.project_id}, fiscal year {cert.fiscal_year}"),
        ("Network", f"{cert.network} (chain id {cert.chain_id})"),
        ("Credit contract", cert.contract),
        ("Token id", str(cert.token_id)),
        ("Transaction", cert.tx_hash),
        ("Block", str(cert.block)),
    ]


def _check_steps(cert: Certificate) -> list[str]:
    return [
        f"CarbonCredit({cert.contract}).retirements({cert.retirement_id}) returns holder "
        f"{cert.holder}, token {cert.token_id}, amount {cert.amount_t}.",
        f"Transaction {cert.tx_hash} (block {cert.block}) emitted the retirement event with "
        "this beneficiary and purpose; the record stores keccak256 of the beneficiary and of the "
        "memo (UTF-8), the hashes above.",
    ]


def write_certificate_html(cert: Certificate, path: Path) -> Path:
    rows = "\n".join(
        f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(v)}</code></td></tr>"
        for k, v in _certificate_lines(cert)
    )
    steps = "\n".join(f"<li>{html.escape(step)}</li>" for step in _check_steps(cert))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Retirement certificate {cert.retirement_id}</title>
<style>
body {{ font-family: sans-serif; max-width: 50em; margin: 2em auto; }}
th {{ text-align: left; padding-right: 1em; vertical-align: top; }}
td code {{ word-break: break-all; }}
</style></head>
<body>
<h1>J-Credit retirement certificate (無効化証明)</h1>
<p>{cert.amount_t} t-CO2 of solar self-consumption credits (EN-R-002) were retired on chain and
can no longer be transferred or claimed by anyone else.</p>
<table>
{rows}
</table>
<h2>How to check it</h2>
<ol>
{steps}
</ol>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _renderable(text: str) -> bool:
    """True if matplotlib's default font has a glyph for every character (it ships no CJK font)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(font_manager.findfont(font_manager.FontProperties())).get_charmap()
    return all(ord(char) in charmap for char in text if not char.isspace())


def write_certificate_pdf(cert: Certificate, path: Path) -> Path:
    """One A4 page drawn with matplotlib's PDF backend: no browser, no network."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig = plt.figure(figsize=(8.27, 11.69))
    fig.text(0.08, 0.94, "J-Credit retirement certificate", fontsize=18, weight="bold")
    fig.text(
        0.08,
        0.91,
        f"{cert.amount_t} t-CO2 of solar self-consumption credits (EN-R-002), retired on chain",
        fontsize=10,
    )
    y = 0.86
    for key, value in _certificate_lines(cert):
        fig.text(0.08, y, key, fontsize=9, weight="bold")
        fig.text(0.32, y, value, fontsize=8, family="monospace")
        y -= 0.03
    if not all(_renderable(text) for text in (cert.beneficiary, cert.memo)):
        y -= 0.01
        fig.text(
            0.08,
            y,
            "The beneficiary or memo uses characters this PDF's font lacks: the HTML certificate "
            "and the on-chain event carry the exact text; the hashes above identify it.",
            fontsize=8,
            style="italic",
            wrap=True,
        )
        y -= 0.03
    y -= 0.02
    fig.text(0.08, y, "How to check it", fontsize=12, weight="bold")
    for number, step in enumerate(_check_steps(cert), start=1):
        y -= 0.04
        fig.text(0.08, y, f"{number}. {step}", fontsize=8, wrap=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # Missing glyphs are announced on the page itself (see above).
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(path, format="pdf")
    plt.close(fig)
    return path
