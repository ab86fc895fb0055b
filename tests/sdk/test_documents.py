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
)


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
        "carbon_offset",
        "2025-04-01T00:00:00+09:00",
        "0x" + "11" * 32,
        "0x" + "22" * 32,
    ):
        assert needle in page, needle
    assert "Hamamatsu Widgets &lt;K.K.&gt;" in page
    assert "<K.K.>" not in page


def test_certificate_pdf__is_a_pdf(tmp_path):
    data = write_certificate_pdf(CERT, tmp_path / "r.pdf").read_bytes()
    assert data.startswith(b"%PDF")


def test_certificate_pdf__a_japanese_beneficiary_is_still_written(tmp_path):
    from dataclasses import replace

    japanese = replace(CERT, beneficiary="遠州精密部品株式会社")
    data = write_certificate_pdf(japanese, tmp_path / "r.pdf").read_bytes()
    assert data.startswith(b"%PDF")
