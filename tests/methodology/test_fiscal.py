"""JST fiscal years and calendar-month periods, checked against hand-written epoch seconds."""

import pytest

from methodology.fiscal import (
    add_years,
    fiscal_year,
    fiscal_year_bounds,
    month_periods,
    parse_time,
    to_iso,
)

# Hand conversions: 2025-04-01T00:00:00+09:00 = 2025-03-31T15:00:00Z = 1743433200.
APR_2025 = 1743433200
MAY_2025 = APR_2025 + 30 * 86400
JUN_2025 = MAY_2025 + 31 * 86400
APR_2026 = 1774969200


def test_fiscal_year_changes_at_april_first_jst() -> None:
    assert fiscal_year(APR_2025 - 1) == 2024  # 2025-03-31T23:59:59+09:00
    assert fiscal_year(APR_2025) == 2025
    assert fiscal_year(APR_2026 - 1) == 2025  # March 2026 still belongs to FY2025
    assert fiscal_year(APR_2026) == 2026


def test_fiscal_year_uses_jst_not_utc() -> None:
    # 2025-03-31T16:00:00Z is already 1 April in Japan.
    assert fiscal_year(APR_2025 + 3600) == 2025


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2025) == (APR_2025, APR_2026)


def test_month_periods_first_period_is_partial() -> None:
    start = APR_2025 + 14 * 86400 + 3600 * 10  # 2025-04-15T10:00+09:00
    assert month_periods(start, JUN_2025) == [(start, MAY_2025), (MAY_2025, JUN_2025)]


def test_month_periods_leave_out_a_month_in_progress() -> None:
    assert month_periods(APR_2025, JUN_2025 - 1) == [(APR_2025, MAY_2025)]
    assert month_periods(APR_2025, MAY_2025 - 1) == []


def test_month_periods_start_on_a_boundary_gives_full_months() -> None:
    assert month_periods(APR_2025, MAY_2025) == [(APR_2025, MAY_2025)]


def test_december_rolls_into_january() -> None:
    dec_2025 = 1764514800  # 2025-12-01T00:00+09:00
    jan_2026 = dec_2025 + 31 * 86400
    assert month_periods(dec_2025, jan_2026) == [(dec_2025, jan_2026)]
    assert fiscal_year(jan_2026) == 2025


def test_to_iso_is_jst() -> None:
    assert to_iso(APR_2025) == "2025-04-01T00:00:00+09:00"


def test_parse_time__date_is_jst_midnight_and_offsets_are_kept() -> None:
    assert parse_time("2025-04-01") == APR_2025
    assert parse_time("2025-03-31T15:00:00+00:00") == APR_2025
    assert to_iso(APR_2025) == "2025-04-01T00:00:00+09:00"


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "2025-04-01T00:00:00"])
def test_parse_time__bad_or_ambiguous_input__names_the_value(value) -> None:
    with pytest.raises(ValueError, match=repr(value).replace("(", r"\(")):
        parse_time(value)


def test_add_years__keeps_the_calendar_day_and_handles_29_february() -> None:
    # 2033-04-01T00:00+09:00 = 1743433200 + 8 years of 365 days + 2 leap days (2028, 2032).
    assert add_years(APR_2025, 8) == APR_2025 + (8 * 365 + 2) * 86400
    assert to_iso(add_years(parse_time("2028-02-29"), 1)) == "2029-02-28T00:00:00+09:00"
