"""Retirement certificate (無効化証明): HTML and PDF with every on-chain reference a third party
needs to check the retirement, in English and Japanese.

The PDF embeds IPAexGothic (shipped by the `matplotlib-fontja` dependency, so a fresh install
renders Japanese without system fonts) as a TrueType subset, and wraps long text to the page.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.documents.metadata import project_info
from jcredit.documents.serials import (
    CREDIT_TYPE,
    SCHEME_SYMBOL,
    retirement_serials,
    scheme_serial_range,
    serial_range,
)
from jcredit.history import retirements
from jcredit.types import RetirementPurpose, split_token_id
from jcredit.validity import banner, problems
from methodology.fiscal import to_iso

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from jcredit.connect import Platform

TITLE = "J-Credit retirement certificate (無効化証明)"


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
    purpose: str  # the machine name, e.g. carbon_offset
    memo: str
    beneficiary_hash: str
    memo_hash: str
    retired_at: int
    tx_hash: str
    block: int
    registry: str = ""
    project_name: str = ""  # from the metadata; "" when it cannot be read offline
    project_location: str = ""
    metadata_uri: str = ""
    serial_first: int = 0
    serial_last: int = 0
    certification_id: int = 0  # the certification round the credits came from; 0: not certified
    certification_number: str = ""
    scheme_symbol: str = SCHEME_SYMBOL
    credit_type: str = CREDIT_TYPE
    # Why these credits do not count for J-Credit (placeholder factor, test network); [] if valid.
    validity: list[str] = field(default_factory=list)

    @property
    def purpose_label(self) -> str:
        return RetirementPurpose.from_name(self.purpose).description

    @property
    def certified(self) -> bool:
        return self.certification_id != 0

    @property
    def serials(self) -> str:
        if not self.serial_first:
            return "-"
        if self.certified:
            return scheme_serial_range(
                self.certification_number,
                self.serial_first,
                self.serial_last,
                self.scheme_symbol,
                self.credit_type,
            )
        return serial_range(self.project_id, self.fiscal_year, self.serial_first, self.serial_last)

    @property
    def certification_line(self) -> str:
        if not self.certified:
            return (
                "NOT YET CERTIFIED: no J-Credit certification round covers these credits "
                "(platform serials, not registry serials)"
            )
        return (
            f"certification number {self.certification_number} (round {self.certification_id}; "
            f"scheme {self.scheme_symbol}, type {self.credit_type})"
        )


def certificate(platform: Platform, network: str, retirement_id: int) -> Certificate:
    """The certificate of one retirement, read from its Retired event and its project."""
    platform.credit.check_retirement(retirement_id)
    start = platform.deployment.block
    (record,) = retirements(platform.credit.contract, start, retirement_id=retirement_id)
    project_id, fiscal_year = split_token_id(record.token_id)
    # Serials count the token's retirements in order, so read every retirement of the token.
    serials = retirement_serials(
        retirements(platform.credit.contract, start, token_id=record.token_id)
    )
    first, last = serials[retirement_id]
    number = ""
    if record.certified:
        number = platform.certifications.certification(record.certification_id).certification_number
    uri, name, location = "", "", ""
    if 1 <= project_id <= platform.registry.project_count():
        info = project_info(platform.registry.project(project_id).metadata_uri)
        uri, name, location = info.uri, info.name, info.location
    factor = platform.registry.emission_factor(fiscal_year).factor_g_per_mwh
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
        registry=platform.deployment.registry,
        project_name=name,
        project_location=location,
        metadata_uri=uri,
        serial_first=first,
        serial_last=last,
        certification_id=record.certification_id,
        certification_number=number,
        validity=problems(platform.deployment.chain_id, {fiscal_year: factor or None}),
    )


def certificate_files(cert: Certificate, out: Path) -> tuple[Path, Path]:
    """(HTML, PDF) of a retirement certificate under `out`."""
    stem = out / f"retirement-{cert.retirement_id}"
    return (
        write_certificate_html(cert, stem.with_suffix(".html")),
        write_certificate_pdf(cert, stem.with_suffix(".pdf")),
    )


# Rows of the certificate: (English label, Japanese label, value, value is a hex/code string).
Row = tuple[str, str, str, bool]


def _certificate_rows(cert: Certificate) -> list[Row]:
    unread = "not readable offline: see the metadata URI" if cert.metadata_uri else "-"
    return [
        ("Retirement id", "無効化番号", str(cert.retirement_id), False),
        ("Amount", "無効化量", f"{cert.amount_t} t-CO2", False),
        ("J-Credit certification", "認証", cert.certification_line, False),
        ("Serial numbers", "シリアル番号", cert.serials, True),
        ("Beneficiary", "受益者", cert.beneficiary, False),
        ("Purpose", "無効化の目的", cert.purpose_label, False),
        ("Memo", "備考", cert.memo or "-", False),
        ("Project", "プロジェクト", _project_line(cert), False),
        ("Project name", "プロジェクト名", cert.project_name or unread, False),
        ("Location", "所在地", cert.project_location or unread, False),
        ("Metadata URI", "メタデータURI", cert.metadata_uri or "-", True),
        ("Retired by (holder)", "無効化した保有者", cert.holder, True),
        ("Retired at", "無効化日時", to_iso(cert.retired_at), True),
        ("Network", "ネットワーク", f"{cert.network} (chain id {cert.chain_id})", True),
        ("Registry contract", "レジストリ", cert.registry or "-", True),
        ("Credit contract", "クレジット", cert.contract, True),
        ("Token id", "トークンID", str(cert.token_id), True),
        ("Transaction", "トランザクション", cert.tx_hash, True),
        ("Block", "ブロック", str(cert.block), True),
        ("Beneficiary keccak256", "受益者ハッシュ", cert.beneficiary_hash, True),
        ("Memo keccak256", "備考ハッシュ", cert.memo_hash, True),
    ]


def _project_line(cert: Certificate) -> str:
    return f"project {cert.project_id}, fiscal year {cert.fiscal_year} (EN-R-002 solar)"


def _check_steps(cert: Certificate) -> list[str]:
    return [
        f"CarbonCredit({cert.contract}).retirements({cert.retirement_id}) returns holder "
        f"{cert.holder}, token {cert.token_id}, amount {cert.amount_t}.",
        f"Transaction {cert.tx_hash} (block {cert.block}) emitted the retirement event with "
        "this beneficiary and purpose; the record stores keccak256 of the beneficiary and of the "
        "memo (UTF-8), the hashes above.",
        f"Registry({cert.registry or '-'}).projects({cert.project_id}) holds the project and its "
        "metadata URI; its finalized monitoring reports minted the token.",
        (
            f"CarbonCredit({cert.contract}).certifications({cert.certification_id}) returns the "
            f"round {cert.certification_number} the registrar recorded (token, amount, serial "
            "range); the retirement event's first_serial is where these credits start in it. "
            "Scheme symbol, type and serial format are not verified against the registry's "
            "specification."
            if cert.certified
            else "Serial numbers: these credits are not yet certified; platform serials number "
            "credits per token in minting order (the registry export's issuances) and "
            "uncertified retirements take them in retirement order."
        ),
    ]


def _intro(cert: Certificate) -> tuple[str, str]:
    return (
        f"{cert.amount_t} t-CO2 of solar self-consumption credits (EN-R-002) were retired on chain "
        "and can no longer be transferred or claimed by anyone else.",
        f"太陽光発電の自家消費によるクレジット {cert.amount_t} t-CO2 はチェーン上で無効化され、"
        "今後移転・再使用されることはありません。",
    )


def write_certificate_html(cert: Certificate, path: Path) -> Path:
    rows = "\n".join(
        f"<tr><th>{html.escape(en)}<br><small>{html.escape(ja)}</small></th>"
        f"<td>{'<code>' if code else ''}{html.escape(value)}{'</code>' if code else ''}</td></tr>"
        for en, ja, value, code in _certificate_rows(cert)
    )
    steps = "\n".join(f"<li>{html.escape(step)}</li>" for step in _check_steps(cert))
    warning = (
        f'<p class="invalid">{html.escape(banner(cert.validity))}</p>' if cert.validity else ""
    )
    english, japanese = _intro(cert)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Retirement certificate {cert.retirement_id}</title>
<style>
body {{ font-family: sans-serif; max-width: 50em; margin: 2em auto; }}
th {{ text-align: left; padding-right: 1em; vertical-align: top; }}
td {{ word-break: break-all; }}
.invalid {{ color: #b00020; font-weight: bold; border: 2px solid #b00020; padding: 0.5em; }}
</style></head>
<body>
{warning}
<h1>{html.escape(TITLE)}</h1>
<p>{html.escape(english)}</p>
<p lang="ja">{html.escape(japanese)}</p>
<table>
{rows}
</table>
<h2>How to check it (検証方法)</h2>
<ol>
{steps}
</ol>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def japanese_font_path() -> Path:
    """IPAexGothic from the matplotlib-fontja package, found without importing it (importing
    it would switch matplotlib's global default font)."""
    spec = find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib-fontja is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"


def display_width(text: str) -> int:
    """Columns `text` takes: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns: broken at spaces where there are any, else anywhere
    (Japanese has no spaces, hex strings and URIs are one long word)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if display_width(line + char) <= width:
                line += char
                continue
            cut = line.rfind(" ")
            if char != " " and cut > 0:
                lines.append(line[:cut])
                line = line[cut + 1 :] + char
            else:
                lines.append(line)
                line = char.lstrip()
        lines.append(line)
    return lines


# Page geometry of the PDF (A4, inches) and type sizes (points).
_PAGE = (8.27, 11.69)
_LEFT, _VALUE_X, _TOP, _BOTTOM = 0.7, 2.75, 0.6, 0.6
_TEXT_PT, _CODE_PT = 8.5, 7.5
_LINE = 0.165  # inches per line of 8.5 pt text
_VALUE_COLUMNS = 72  # half-width columns of 8.5 pt IPAexGothic in the value column
_CODE_COLUMNS = 84  # characters of 7.5 pt DejaVu Sans Mono in the value column
_FULL_COLUMNS = 100  # text across the page (intro, steps); hex digits are wide


class _Pages:
    """A4 pages drawn top to bottom; a new page starts when the next block would not fit."""

    def __init__(self, pdf, font) -> None:
        self.pdf, self.font = pdf, font
        self.figure: Figure | None = None
        self.y = 0.0

    def _new_page(self) -> None:
        from matplotlib import pyplot as plt

        self.close_page()
        self.figure = plt.figure(figsize=_PAGE)
        self.y = _TOP

    def close_page(self) -> None:
        from matplotlib import pyplot as plt

        if self.figure is not None:
            self.pdf.savefig(self.figure)
            plt.close(self.figure)
            self.figure = None

    def need(self, inches: float) -> None:
        if self.figure is None or self.y + inches > _PAGE[1] - _BOTTOM:
            self._new_page()

    def text(self, x: float, line: str, size: float, code: bool = False, **style) -> None:
        assert self.figure is not None
        options = {"family": "DejaVu Sans Mono"} if code else {"fontproperties": self.font}
        self.figure.text(
            x / _PAGE[0],
            1 - self.y / _PAGE[1],
            line,
            fontsize=size,
            verticalalignment="top",
            **options,
            **style,
        )

    def paragraph(self, text: str, size: float, columns: int, gap: float = 0.06, **style) -> None:
        lines = wrap(text, columns)
        height = len(lines) * _LINE * size / _TEXT_PT
        self.need(height)
        for line in lines:
            self.text(_LEFT, line, size, **style)
            self.y += _LINE * size / _TEXT_PT
        self.y += gap


def write_certificate_pdf(cert: Certificate, path: Path) -> Path:
    """A4 pages drawn with matplotlib's PDF backend: no browser, no network, no system fonts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.backends.backend_pdf import PdfPages

    font = font_manager.FontProperties(fname=japanese_font_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    # Type 42: the font is embedded as a TrueType subset (real, searchable text), not as drawings.
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        pages = _Pages(pdf, font)
        if cert.validity:
            pages.paragraph(banner(cert.validity), 10, 95, gap=0.12, color="#b00020")
        pages.paragraph(TITLE, 17, 60, gap=0.12)
        for line in _intro(cert):
            pages.paragraph(line, _TEXT_PT, _FULL_COLUMNS)
        pages.y += 0.1
        for english, japanese, value, code in _certificate_rows(cert):
            lines = wrap(value, _CODE_COLUMNS if code else _VALUE_COLUMNS)
            height = max(2, len(lines)) * _LINE + 0.03
            pages.need(height)
            top = pages.y
            pages.text(_LEFT, english, _TEXT_PT, weight="bold")
            pages.y += _LINE
            pages.text(_LEFT, japanese, _TEXT_PT - 1, color="#444444")
            pages.y = top
            for line in lines:
                pages.text(_VALUE_X, line, _CODE_PT if code else _TEXT_PT, code=code)
                pages.y += _LINE
            pages.y = top + height
        pages.y += 0.1
        pages.paragraph("How to check it (検証方法)", 12, 60, gap=0.08)
        for number, step in enumerate(_check_steps(cert), start=1):
            pages.paragraph(f"{number}. {step}", _TEXT_PT, _FULL_COLUMNS)
        pages.close_page()
    return path
