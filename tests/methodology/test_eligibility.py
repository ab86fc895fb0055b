"""Eligibility rules with their messages (dates hand-converted to epoch seconds, JST)."""

from dataclasses import replace

import pytest

from methodology.eligibility import (
    add_years,
    check_program_member,
    check_project_start,
    crediting_period,
)
from methodology.errors import EligibilityError
from methodology.scheme import load_scheme

APR_2025 = 1743433200  # 2025-04-01T00:00:00+09:00
APR_2033 = 1995894000  # 2033-04-01T00:00:00+09:00 (8 years, 2 leap days later)
APR_2023 = 1680274800  # 2023-04-01T00:00:00+09:00
FEB_29_2024 = 1709132400  # 2024-02-29T00:00:00+09:00
FEB_28_2026 = 1772204400  # 2026-02-28T00:00:00+09:00
APR_2031 = 1932735600  # 2031-04-01T00:00:00+09:00, the shipped scheme end
APR_2030 = 1901199600  # 2030-04-01T00:00:00+09:00
APR_2027 = 1806505200  # 2027-04-01T00:00:00+09:00
SCHEME = load_scheme()


def test_add_years_keeps_the_jst_calendar_date() -> None:
    assert add_years(APR_2025, 8) == APR_2033
    assert add_years(APR_2025, -2) == APR_2023
    assert add_years(FEB_29_2024, 2) == FEB_28_2026


def test_crediting_period__8_years_when_the_scheme_lasts_longer() -> None:
    period = crediting_period(APR_2025, APR_2025, replace(SCHEME, scheme_end=APR_2033 + 1))
    assert (period.start, period.end) == (APR_2025, APR_2033)


def test_crediting_length_comes_from_the_scheme_table() -> None:
    period = crediting_period(APR_2025, None, replace(SCHEME, crediting_years=2))
    assert (period.start, period.end) == (APR_2025, APR_2027)


def test_start_exactly_2_years_before_registration_is_eligible() -> None:
    assert check_project_start(APR_2023, APR_2025) is None


def test_start_more_than_2_years_before_registration() -> None:
    with pytest.raises(EligibilityError) as caught:
        check_project_start(APR_2023 - 1, APR_2025)
    assert str(caught.value) == (
        "project start 2023-03-31T23:59:59+09:00 is more than 2 years before registration "
        "2025-04-01T00:00:00+09:00 (earliest allowed start: 2023-04-01T00:00:00+09:00)"
    )


def test_program_member_at_500_t_is_eligible() -> None:
    assert check_program_member("household-17", 2025, 500_000_000) is None


def test_program_member_above_500_t() -> None:
    with pytest.raises(EligibilityError) as caught:
        check_program_member("household-17", 2025, 500_000_001)
    assert str(caught.value) == (
        "program member household-17: 500.000001 t-CO2 in fiscal year 2025 exceeds the "
        "500 t-CO2/year limit for a program-type member"
    )


def test_crediting_period_starts_at_the_later_date_and_is_cut_by_the_scheme_end() -> None:
    period = crediting_period(APR_2023, APR_2025, SCHEME)
    assert (period.start, period.end) == (APR_2025, APR_2031)
    assert (period.application, period.monitoring, period.scheme) == (APR_2023, APR_2025, SCHEME)
    assert crediting_period(APR_2023, None, SCHEME).end == APR_2031  # 8 years end exactly there
    later_end = replace(SCHEME, scheme_end=APR_2033 + 1)
    assert crediting_period(None, APR_2025, later_end).end == APR_2033


def test_crediting_period_to_dict_shows_jst_times_and_the_parameters_used() -> None:
    assert crediting_period(APR_2030, None, SCHEME).to_dict() == {
        "start": "2030-04-01T00:00:00+09:00",
        "end": "2031-04-01T00:00:00+09:00",
        "application_date": "2030-04-01T00:00:00+09:00",
        "monitoring_date": None,
        "crediting_years": 8,
        "scheme_end": "2031-04-01T00:00:00+09:00",
        "scheme_parameters_verified": False,
    }


def test_crediting_period_starting_at_the_scheme_end_names_both_dates() -> None:
    with pytest.raises(EligibilityError) as caught:
        crediting_period(APR_2025, APR_2031, SCHEME)
    assert str(caught.value) == (
        "crediting period from application date 2025-04-01T00:00:00+09:00 and monitoring date "
        "2031-04-01T00:00:00+09:00 starts at or after the end of the scheme "
        f"(2031-04-01T00:00:00+09:00, {SCHEME.name})"
    )
    with pytest.raises(EligibilityError, match=r"monitoring date \(not given\) starts at or after"):
        crediting_period(APR_2031 + 1, None, SCHEME)


def test_crediting_period_needs_a_date() -> None:
    with pytest.raises(EligibilityError, match="needs the registration application date"):
        crediting_period(None, None, SCHEME)
