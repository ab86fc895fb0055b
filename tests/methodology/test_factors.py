"""The emission factor table: the shipped one, a user's, and malformed ones."""

from pathlib import Path

import pytest

from methodology.errors import FactorError
from methodology.factors import load_factors


def test_shipped_table_covers_fy2013_to_fy2030_and_cites_sources() -> None:
    factors = load_factors()
    assert sorted(factors.rows) == list(range(2013, 2031))
    for row in factors.rows.values():
        assert row.source
        # No value is verified against the official table yet; each row must say so.
        assert not row.verified
        assert "not verified" in row.source
    assert factors.factor(2025) == 434_000


def test_user_table(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "fiscal_year,factor_g_per_mwh,source,verified\n"
        '2024,441000,"doc A, p. 3",true\n'
        "2025,438000,doc B,false\n"
    )
    factors = load_factors(path)
    assert (factors.factor(2024), factors.factor(2025)) == (441_000, 438_000)
    assert factors.rows[2024].source == "doc A, p. 3" and factors.rows[2024].verified


def test_missing_year_names_the_year_and_the_table(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("fiscal_year,factor_g_per_mwh,source,verified\n2024,441000,doc,true\n")
    with pytest.raises(FactorError, match=r"f\.csv: no emission factor for fiscal year 2031"):
        load_factors(path).factor(2031)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("year,factor\n", "line 1: header must be"),
        ("fiscal_year,factor_g_per_mwh,source,verified\n2024,0.000441,doc,true\n", "line 2"),
        ("fiscal_year,factor_g_per_mwh,source,verified\n2024,441000,,true\n", "source is empty"),
        ("fiscal_year,factor_g_per_mwh,source,verified\n2024,441000,doc,yes\n", "true or false"),
        ("fiscal_year,factor_g_per_mwh,source,verified\n2024,441000,doc\n", "expected 4 fields"),
        (
            "fiscal_year,factor_g_per_mwh,source,verified\n2024,1,a,true\n2024,2,b,true\n",
            "line 3: fiscal year 2024 appears twice",
        ),
        ("fiscal_year,factor_g_per_mwh,source,verified\n", "has no rows"),
    ],
)
def test_malformed_tables(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(body)
    with pytest.raises(FactorError, match=expected.replace("(", r"\(")):
        load_factors(path)


def test_unreadable_table(tmp_path: Path) -> None:
    with pytest.raises(FactorError, match="cannot read emission factor table"):
        load_factors(tmp_path / "missing.csv")
