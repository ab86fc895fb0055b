"""Retirement certificate (無効化証明): HTML and PDF with every on-chain reference a third party
needs to check the retirement."""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.history import retirements
from jcredit.types import RetirementPurpose, split_token_id
from methodology.fiscal import to_iso

if TYPE_CHECKING:
    from jcredit.connect import Platform


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


def certificate(platform: Platform, network: str, retirement_id: int) -> Certificate:
    """The certificate of one retirement, read from its Retired event."""
    platform.credit.check_retirement(retirement_id)
    (record,) = retirements(
        platform.credit.contract, platform.deployment.block, retirement_id=retirement_id
    )
    project_id, fiscal_year = split_token_id(record.token_id)
    return Certificate(
        retirement_id=record.retirement_id,
        network=network,
        chain_id=platform.deployment.chain_id,
        contract=platform.deployment.credit,
        token_id=record.token_id,
        project_id=project_id,
        fiscal_year=fiscal_year,
        amount_t=record.amount,
        holder=record.holder,
        beneficiary=record.beneficiary,
        purpose=RetirementPurpose(record.purpose).label,
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
        ("Retired at", to_iso(cert.retired_at)),
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
