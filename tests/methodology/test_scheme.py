"""The scheme-parameter table: the shipped one, a user's, and malformed ones."""

from pathlib import Path

import pytest

from methodology.errors import MethodologyError, SchemeError
from methodology.scheme import load_scheme

HEADER = "name,value,unit,source,verified\n"
YEARS = "crediting_years,8,years,rule,false\n"
END = "scheme_end,2031-04-01,date (exclusive; JST midnight),rule,false\n"
DIFF = "difference_metering_max_w,10000,W,rule,false\n"
APR_2031 = 1932735600  # 2031-04-01T00:00:00+09:00


def test_shipped_table_cites_the_rule_and_says_it_is_unverified() -> None:
    scheme = load_scheme()
    assert (scheme.crediting_years, scheme.scheme_end) == (8, APR_2031)
    assert scheme.difference_metering_max_w == 10_000
    assert list(scheme.rows) == ["crediting_years", "scheme_end", "difference_metering_max_w"]
    for name in ("crediting_years", "scheme_end"):
        assert "J-クレジット制度実施要綱 3.1.3" in scheme.rows[name].source
        assert "not checked against the published text" in scheme.rows[name].source
    difference = scheme.rows["difference_metering_max_w"]
    assert "Measurement Act" in difference.source and "not checked against" in difference.source
    assert not any(row.verified for row in scheme.rows.values())
    assert scheme.unverified() == ["crediting_years", "scheme_end", "difference_metering_max_w"]
    assert scheme.name.endswith("scheme_parameters.csv")


def test_user_table_in_any_row_order(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        HEADER
        + DIFF.replace("10000", "20000")
        + END.replace("rule,false", '"text, p. 3",true')
        + YEARS.replace("8", "10")
    )
    scheme = load_scheme(path)
    assert (scheme.crediting_years, scheme.scheme_end) == (10, APR_2031)
    assert scheme.rows["scheme_end"].source == "text, p. 3"
    assert scheme.unverified() == ["difference_metering_max_w", "crediting_years"]
    assert scheme.difference_metering_max_w == 20_000


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("name,value,source,verified\n" + YEARS, "line 1: header must be"),
        (HEADER + YEARS + "crediting_months,96,months,rule,false\n", "line 3: unknown parameter"),
        (HEADER + YEARS + YEARS + END, "line 3: parameter crediting_years appears twice"),
        (HEADER + YEARS, "missing parameter(s) scheme_end"),
        (HEADER, "missing parameter(s) crediting_years, scheme_end"),
        (HEADER + YEARS.replace(",years,", ",months,") + END, "crediting_years unit must be"),
        (HEADER + YEARS.replace(",8,", ",0,") + END, "crediting_years must be a positive integer"),
        (HEADER + YEARS.replace(",8,", ",8.5,") + END, "got '8.5'"),
        (HEADER + YEARS + END.replace("2031-04-01", "2031-04-31"), "line 3: scheme_end must be"),
        (HEADER + YEARS + END.replace("2031-04-01", "20310401"), "got '20310401'"),
        (HEADER + YEARS.replace("rule", "") + END, "line 2: source is empty"),
        (HEADER + YEARS.replace("false", "no") + END, "verified must be true or false"),
        (HEADER + "crediting_years,8,years,rule\n" + END, "line 2: expected 5 fields, got 4"),
        (HEADER + YEARS + END + DIFF.replace(",W,", ",kW,"), "difference_metering_max_w unit must"),
        (HEADER + YEARS + END + DIFF.replace("10000", "0"), "a positive integer of W, got '0'"),
        (HEADER + YEARS + END + DIFF.replace("10000", "10 kW"), "got '10 kW'"),
    ],
)
def test_malformed_tables_name_the_file_and_line(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text(body)
    with pytest.raises(SchemeError) as caught:
        load_scheme(path)
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def test_unreadable_table(tmp_path: Path) -> None:
    with pytest.raises(SchemeError, match="cannot read scheme parameter table"):
        load_scheme(tmp_path / "missing.csv")


def test_scheme_error_is_a_methodology_error() -> None:
    # The CLI reports every MethodologyError with exit code 2.
    assert issubclass(SchemeError, MethodologyError)
