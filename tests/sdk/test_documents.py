"""The document writers: monthly CSV and chart, retirement certificate HTML and PDF (no chain)."""

import csv

from jcredit.documents.certificate import (
    Certificate,
    write_certificate_html,
    write_certificate_pdf,
)
from jcredit.documents.monthly import MonthlyRow, write_monthly_chart, write_monthly_csv

# 2025-04-01T00:00+09:00 = 2025-03-31T15:00Z; 2025-03-31T15:00Z - epoch = 1743433200 s.
FY2025_START = 1743433200


def _rows():
    may = 1746025200  # 2025-05-01T00:00+09:00
    june = 1748703600  # 2025-06-01T00:00+09:00
    return [
        MonthlyRow(
            FY2025_START, may, 2025, 6_000_000, 1_500_000, 4_500_000, 1_953_000, 1, False, 1, "0xaa"
        ),
        MonthlyRow(may, june, 2025, 0, 0, 0, 0, 0, True, 2, "0xbb"),
    ]


def test_monthly_csv__one_row_per_report_with_jst_periods(tmp_path):
    path = write_monthly_csv(_rows(), tmp_path / "m.csv")
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["period_start"] for r in rows] == [
        "2025-04-01T00:00:00+09:00",
        "2025-05-01T00:00:00+09:00",
    ]
    assert rows[0]["period_end"] == "2025-05-01T00:00:00+09:00"
    assert rows[0]["self_consumed_wh"] == "4500000"
    assert rows[0]["reduction_g"] == "1953000"
    assert rows[0]["credits_t"] == "1"
    assert rows[1]["void"] == "True"
    assert rows[1]["tx_hash"] == "0xbb"


def test_monthly_chart__is_a_png(tmp_path):
    path = write_monthly_chart(_rows(), tmp_path / "c.png", "project 1 FY2025")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


PLACEHOLDER = "placeholder emission factor (FY2025 434000 g-CO2/MWh is an unverified example value)"
CERT = Certificate(
    retirement_id=7,
    network="ethereum:local:foundry",
    chain_id=31337,
    contract="0x5FbDB2315678afecb367f032d93F642f64180aa3",
    token_id=67561,
    project_id=1,
    fiscal_year=2025,
    amount_t=3,
    holder="0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    beneficiary="Hamamatsu Widgets <K.K.>",
    purpose="carbon_offset",
    memo="FY2025 scope 2 offset",
    beneficiary_hash="0x" + "11" * 32,
    memo_hash="0x" + "22" * 32,
    retired_at=FY2025_START,
    tx_hash="0x" + "ab" * 32,
    block=42,
    registry="0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    project_name="Hamamatsu factory roof (Shizuoka)",
    project_location="34.71 N, 137.73 E",
    metadata_uri='data:application/json,{"name":"Hamamatsu factory roof (Shizuoka)"}',
    serial_first=4,
    serial_last=6,
    validity=["test network (chain id 31337)", PLACEHOLDER],
)
BENEFICIARY_JA = "遠州精密部品株式会社"


def test_certificate_html__carries_every_on_chain_reference_escaped(tmp_path):
    page = write_certificate_html(CERT, tmp_path / "r.html").read_text()
    for needle in (
        "Retirement id",
        ">7<",
        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        ">67561<",
        "0x" + "ab" * 32,
        "chain id 31337",
        "3 t-CO2",
        "Carbon offset (カーボン・オフセット)",
        "J-Credit retirement certificate (無効化証明)",
        "JCR-P1-FY2025-000004..JCR-P1-FY2025-000006",
        "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        "Hamamatsu factory roof (Shizuoka)",
        "34.71 N, 137.73 E",
        "data:application/json,{&quot;name&quot;",
        "NOT VALID FOR J-CREDIT: test network (chain id 31337); " + PLACEHOLDER,
        "2025-04-01T00:00:00+09:00",
        "0x" + "11" * 32,
        "0x" + "22" * 32,
    ):
        assert needle in page, needle
    assert "Hamamatsu Widgets &lt;K.K.&gt;" in page
    assert "<K.K.>" not in page


def _embedded_glyphs(pdf_path) -> dict[int, int]:
    """code point -> contour count of its glyph, over every TrueType font the PDF embeds."""
    import io

    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    glyphs: dict[int, int] = {}
    for page in PdfReader(pdf_path).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                data = descriptor["/FontFile2"].get_object().get_data()
                tt = TTFont(io.BytesIO(data))
                for code, name in tt.getBestCmap().items():
                    contours = tt["glyf"][name].numberOfContours
                    glyphs[code] = max(glyphs.get(code, 0), contours)
    return glyphs


def _render(pdf_path, png_path):
    """First page as PNG (pdfium, from PyPI: no system tools); its text and pixels."""
    import numpy as np
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf_path)[0]
    scale = 2
    image = page.render(scale=scale).to_pil()
    image.save(png_path)
    return page, np.asarray(image.convert("L")), scale


def _ink_in_box(page, pixels, scale, text):
    """Dark pixels in the rendered box of `text`'s characters (0 when boxes or tofu are empty)."""
    textpage = page.get_textpage()
    start = textpage.get_text_range().index(text)
    height = page.get_height()
    ink = 0
    for index in range(start, start + len(text)):
        left, bottom, right, top = textpage.get_charbox(index)
        box = pixels[
            int((height - top) * scale) : int((height - bottom) * scale) + 1,
            int(left * scale) : int(right * scale) + 1,
        ]
        ink += int((box < 128).sum())
    return ink


def test_certificate_pdf__japanese_beneficiary__embedded_font_has_every_glyph_and_renders(tmp_path):
    from dataclasses import replace

    japanese = replace(CERT, beneficiary=BENEFICIARY_JA)
    pdf = write_certificate_pdf(japanese, tmp_path / "r.pdf")
    glyphs = _embedded_glyphs(pdf)
    title = "J-Credit retirement certificate (無効化証明)"
    for text in (BENEFICIARY_JA, title, "Carbon offset (カーボン・オフセット)", "受益者"):
        missing = [c for c in text if not c.isspace() and glyphs.get(ord(c), 0) <= 0]
        assert missing == [], (text, missing)
    page, pixels, scale = _render(pdf, tmp_path / "r.png")
    text = page.get_textpage().get_text_range()
    assert BENEFICIARY_JA in text and title in text
    assert "NOT VALID FOR J-CREDIT: test network (chain id 31337)" in text
    # Each of the ten characters leaves ink on the page: drawn glyphs, not empty boxes.
    assert _ink_in_box(page, pixels, scale, BENEFICIARY_JA) > 10 * 20
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


def test_certificate_pdf__256_byte_memo__wrapped_inside_the_page(tmp_path):
    from dataclasses import replace

    memo = "浜松工場の2025年度オフィス電力のスコープ2オフセット。" * 3
    memo += "x" * (256 - len(memo.encode()))
    assert len(memo.encode()) == 256
    pdf = write_certificate_pdf(replace(CERT, memo=memo), tmp_path / "r.pdf")
    page, _, _ = _render(pdf, tmp_path / "r.png")
    textpage = page.get_textpage()
    width = page.get_width()
    for index in range(textpage.count_chars()):
        left, _, right, _ = textpage.get_charbox(index)
        assert left >= 0 and right <= width - 36, (index, right, width)  # half an inch margin
    flat = textpage.get_text_range().replace("\r", "").replace("\n", "")
    assert memo in flat


def test_wrap__breaks_at_spaces_else_anywhere_counting_wide_characters_twice():
    from jcredit.documents.certificate import display_width, wrap

    assert wrap("alpha beta gamma", 11) == ["alpha beta", "gamma"]
    assert wrap("遠州精密部品株式会社", 8) == ["遠州精密", "部品株式", "会社"]
    assert wrap("0x" + "ab" * 10, 8) == ["0xababab", "abababab", "ababab"]
    assert all(display_width(line) <= 8 for line in wrap("浜松 factory 屋根の太陽光", 8))


def test_monthly_csv__validity_banner_in_every_row(tmp_path):
    notice = "NOT VALID FOR J-CREDIT: test network (chain id 31337)"
    path = write_monthly_csv(_rows(), tmp_path / "m.csv", notice)
    with path.open() as handle:
        assert [row["validity"] for row in csv.DictReader(handle)] == [notice, notice]


def test_project_info__json_data_uri_gives_name_and_location_else_only_the_uri(tmp_path):
    from jcredit.documents.metadata import project_info

    demo = project_info('data:application/json,{"name":"Hamamatsu roof","lat":34.71,"lon":137.73}')
    assert (demo.name, demo.location) == ("Hamamatsu roof", "34.71 N, 137.73 E")
    encoded = project_info(
        "data:application/json,%7B%22name%22%3A%22%E6%B5%9C%E6%9D%BE%22%2C%22location%22%3A"
        "%22Shizuoka%22%7D"
    )
    assert (encoded.name, encoded.location) == ("浜松", "Shizuoka")
    file = tmp_path / "site.json"
    file.write_text('{"name": "Roof B", "address": "Hamamatsu", "lat": -1.5, "lon": -2}')
    assert project_info(str(file)).location == "Hamamatsu (1.5 S, 2 W)"
    assert project_info(file.as_uri()).name == "Roof B"
    remote = project_info("https://example.org/hamamatsu-roof.json")
    assert (remote.uri, remote.name, remote.location) == (
        "https://example.org/hamamatsu-roof.json",
        "",
        "",
    )
    assert project_info("data:application/json,{broken").name == ""


def test_retirement_serials__per_token_in_retirement_order():
    from jcredit.documents.serials import retirement_serials
    from jcredit.history import RetirementRecord

    def record(retirement_id, token, amount):
        return RetirementRecord(retirement_id, "0x", token, amount, 1, "b", "", "", "", "", 0, 0)

    records = [record(3, 67561, 1), record(1, 67561, 2), record(2, 133097, 5), record(4, 67561, 4)]
    assert retirement_serials(records) == {1: (1, 2), 2: (1, 5), 3: (3, 3), 4: (4, 7)}
