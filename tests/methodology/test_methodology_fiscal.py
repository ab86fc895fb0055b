"""JST fiscal years and calendar-month periods, checked against hand-written epoch seconds."""

from methodology.fiscal import fiscal_year, fiscal_year_bounds, month_periods, to_iso

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
