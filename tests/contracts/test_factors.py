"""Grid emission factors per Japanese fiscal year: set at once before launch, scheduled with the
two-day admin delay after it (anyone activates), locked by the first non-void report of the year.

Fiscal-year bounds (N-04-01T00:00+09:00) are converted by hand from the calendar."""

from datetime import datetime, timedelta, timezone

import boa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contracts.contract_world import (
    DAY,
    EXPORT,
    FACTOR_2025,
    FY2025_END,
    FY2025_START,
    GENERATION,
    MAY_2025,
    NOW,
    deploy_world,
    events,
)
from tests.contracts.report_world import APRIL, APRIL_G, APRIL_SC, BASE

FY1970_START = 7743600  # 1970-04-01T00:00+09:00 = 90 days x 86,400 - 9 h
FY1971_START = 39279600  # + 365 days
FY2013_START = 1364742000
FY2014_START = 1396278000
FY2024_START = 1711897200  # 2024-04-01T00:00+09:00 (FY2024 holds 2025-02, no leap day: 365 d)
FY2026_END = 1806505200  # 2027-04-01T00:00+09:00
ADMIN_DELAY = 2 * DAY
ETA = NOW + ADMIN_DELAY
FACTOR_2024 = 452_000
NEW_2025 = 441_000


@pytest.fixture
def prelaunch(factories, actors):
    """A deployment whose admin has not launched yet (factors take effect at once)."""
    return deploy_world(factories, actors, launch=False)


def set_factor(world, fiscal_year, factor, starts_at, ends_at, sender=None):
    with boa.env.prank(sender or world.actors.admin):
        world.registry.set_emission_factor(fiscal_year, factor, starts_at, ends_at)


# ---- before launch: at once -------------------------------------------------------------------


def test_set_emission_factor__before_launch__takes_effect_at_once_and_logs(prelaunch):
    assert not prelaunch.registry.launched()
    set_factor(prelaunch, 2024, FACTOR_2024, FY2024_START, FY2025_START)
    assert events(prelaunch.registry, "EmissionFactorSet") == [
        {
            "address": prelaunch.registry.address,
            "fiscal_year": 2024,
            "factor_g_per_mwh": FACTOR_2024,
            "starts_at": FY2024_START,
            "ends_at": FY2025_START,
        }
    ]
    assert events(prelaunch.registry, "EmissionFactorScheduled") == []
    assert prelaunch.registry.emission_factors(2024) == (
        FACTOR_2024,
        FY2024_START,
        FY2025_START,
        False,
        0,
        0,
    )


def test_set_emission_factor__before_launch__replaces_at_once(prelaunch):
    set_factor(prelaunch, 2025, NEW_2025, FY2025_START, FY2025_END)
    assert prelaunch.registry.emission_factors(2025).factor_g_per_mwh == NEW_2025


def test_set_emission_factor__largest_factor_and_first_year__accepted(prelaunch):
    set_factor(prelaunch, 1970, 1_000_000, FY1970_START, FY1971_START)
    assert prelaunch.registry.emission_factors(1970) == (
        1_000_000,
        FY1970_START,
        FY1971_START,
        False,
        0,
        0,
    )
    assert prelaunch.registry.MAX_FACTOR_G_PER_MWH() == 1_000_000


# ---- after launch: scheduled, activated by anyone ---------------------------------------------


def test_set_emission_factor__after_launch__scheduled_with_admin_delay_and_logged(world, actors):
    set_factor(world, 2025, NEW_2025, FY2025_START, FY2025_END)
    assert events(world.registry, "EmissionFactorScheduled") == [
        {
            "address": world.registry.address,
            "fiscal_year": 2025,
            "factor_g_per_mwh": NEW_2025,
            "eta": ETA,
        }
    ]
    assert events(world.registry, "EmissionFactorSet") == []
    assert world.registry.emission_factors(2025) == (
        FACTOR_2025,
        FY2025_START,
        FY2025_END,
        False,
        NEW_2025,
        ETA,
    )


def test_activate_emission_factor__before_eta__reverts(world, actors):
    set_factor(world, 2025, NEW_2025, FY2025_START, FY2025_END)
    boa.env.time_travel(seconds=ADMIN_DELAY - 1)
    with boa.env.prank(actors.stranger), boa.reverts("registry: factor not due"):
        world.registry.activate_emission_factor(2025)
    assert world.registry.emission_factors(2025).factor_g_per_mwh == FACTOR_2025


def test_activate_emission_factor__at_eta_by_anyone__takes_effect_and_logs(world, actors):
    set_factor(world, 2025, NEW_2025, FY2025_START, FY2025_END)
    boa.env.time_travel(seconds=ADMIN_DELAY)
    with boa.env.prank(actors.stranger):
        world.registry.activate_emission_factor(2025)
    assert events(world.registry, "EmissionFactorSet") == [
        {
            "address": world.registry.address,
            "fiscal_year": 2025,
            "factor_g_per_mwh": NEW_2025,
            "starts_at": FY2025_START,
            "ends_at": FY2025_END,
        }
    ]
    assert world.registry.emission_factors(2025) == (
        NEW_2025,
        FY2025_START,
        FY2025_END,
        False,
        0,
        0,
    )
    with boa.reverts("registry: no factor scheduled"):
        world.registry.activate_emission_factor(2025)


def test_activate_emission_factor__new_year__zero_until_activated(world, actors):
    set_factor(world, 2026, 421_000, FY2025_END, FY2026_END)
    assert world.registry.emission_factors(2026).factor_g_per_mwh == 0
    assert world.registry.report_terms(0, 2026, []).factor_g_per_mwh == 0
    boa.env.time_travel(seconds=ADMIN_DELAY)
    world.registry.activate_emission_factor(2026)
    assert world.registry.emission_factors(2026).factor_g_per_mwh == 421_000


def test_set_emission_factor__rescheduled__latest_value_and_eta_win(world, actors):
    set_factor(world, 2025, NEW_2025, FY2025_START, FY2025_END)
    boa.env.time_travel(seconds=DAY)
    set_factor(world, 2025, 440_000, FY2025_START, FY2025_END)
    assert events(world.registry, "EmissionFactorScheduled")[0]["eta"] == ETA + DAY
    boa.env.time_travel(seconds=DAY)  # the first eta: the replaced schedule is not due yet
    with boa.reverts("registry: factor not due"):
        world.registry.activate_emission_factor(2025)
    boa.env.time_travel(seconds=DAY)
    world.registry.activate_emission_factor(2025)
    assert world.registry.emission_factors(2025).factor_g_per_mwh == 440_000


def test_activate_emission_factor__nothing_scheduled__reverts(world):
    with boa.reverts("registry: no factor scheduled"):
        world.registry.activate_emission_factor(2025)
    with boa.reverts("registry: no factor scheduled"):
        world.registry.activate_emission_factor(2031)


# ---- locked by a report -----------------------------------------------------------------------


def test_submit_report__first_non_void__locks_its_year_and_logs(world, project):
    world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert events(world.reports, "EmissionFactorLocked") == [
        {"address": world.registry.address, "fiscal_year": 2025}
    ]
    assert world.registry.emission_factors(2025).locked


def test_set_emission_factor__locked_year__reverts(world, pending):
    with boa.reverts("registry: factor locked"):
        set_factor(world, 2025, NEW_2025, FY2025_START, FY2025_END)
    assert world.registry.emission_factors(2025) == (
        FACTOR_2025,
        FY2025_START,
        FY2025_END,
        True,
        0,
        0,
    )


def test_set_emission_factor__other_year_than_the_locked_one__still_scheduled(world, pending):
    set_factor(world, 2026, 421_000, FY2025_END, FY2026_END)
    (scheduled,) = events(world.registry, "EmissionFactorScheduled")
    assert (scheduled["fiscal_year"], scheduled["eta"]) == (2026, ETA)


@pytest.mark.parametrize("wait", [0, ADMIN_DELAY - 1, ADMIN_DELAY, 30 * DAY])
def test_activate_emission_factor__scheduled_before_the_lock__refused(world, project, wait):
    """The change was scheduled before the year's first report; the report locks the year and the
    lock drops the scheduled change, so activating it is refused as "no factor scheduled" whether
    its eta has come or not (there is no separate "locked" answer: nothing is scheduled any
    more), and the report stays judged against the factor it used."""
    set_factor(world, 2025, NEW_2025, FY2025_START, FY2025_END)
    world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert world.registry.emission_factors(2025).scheduled_eta == 0
    boa.env.time_travel(seconds=wait)
    with boa.reverts("registry: no factor scheduled"):
        world.registry.activate_emission_factor(2025)
    assert world.registry.emission_factors(2025) == (
        FACTOR_2025,
        FY2025_START,
        FY2025_END,
        True,
        0,
        0,
    )


def test_submit_report__void__does_not_lock_the_year(world, project):
    """A void report claims nothing and uses no factor: export (200,000 Wh) above generation
    (100,000 Wh) makes the period void by its own boundary readings."""
    registers = {GENERATION: BASE[GENERATION] + 100_000, EXPORT: BASE[EXPORT] + 200_000}
    world.submit(project, MAY_2025, registers, 0, 0, void=True)
    assert events(world.reports, "EmissionFactorLocked") == []
    assert not world.registry.emission_factors(2025).locked
    set_factor(world, 2025, NEW_2025, FY2025_START, FY2025_END)
    assert events(world.registry, "EmissionFactorScheduled")[0]["factor_g_per_mwh"] == NEW_2025


@pytest.mark.parametrize("caller", ["stranger", "admin", "validator"])
def test_lock_factor__not_the_reports_contract__reverts(world, actors, caller):
    with boa.env.prank(getattr(actors, caller)), boa.reverts("registry: caller is not reports"):
        world.registry.lock_factor(2025)
    assert not world.registry.emission_factors(2025).locked


# ---- refused inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2024, 0, FY2024_START, FY2025_START), "registry: zero factor"),
        ((2024, 1_000_001, FY2024_START, FY2025_START), "registry: factor too large"),
        ((2024, 2**64, FY2024_START, FY2025_START), "registry: factor too large"),
        ((1969, FACTOR_2024, 0, FY1970_START), "registry: fiscal year < 1970"),
        ((2024, FACTOR_2024, FY2024_START + 1, FY2025_START), "registry: wrong fiscal bounds"),
        ((2024, FACTOR_2024, FY2024_START, FY2025_START - 1), "registry: wrong fiscal bounds"),
        # UTC midnight instead of JST midnight (9 hours later).
        (
            (2024, FACTOR_2024, FY2024_START + 9 * 3600, FY2025_START + 9 * 3600),
            "registry: wrong fiscal bounds",
        ),
        # The bounds of another year.
        ((2024, FACTOR_2024, FY2025_START, FY2025_END), "registry: wrong fiscal bounds"),
        ((2024, FACTOR_2024, FY2013_START, FY2014_START), "registry: wrong fiscal bounds"),
    ],
    ids=[
        "zero",
        "above_1t_per_MWh",
        "above_64_bits",
        "year_1969",
        "start_plus_1s",
        "end_minus_1s",
        "utc_bounds",
        "next_year_bounds",
        "fy2013_bounds",
    ],
)
@pytest.mark.parametrize("launched", [True, False])
def test_set_emission_factor__bad_input__reverts(factories, actors, world, launched, args, message):
    target = world if launched else deploy_world(factories, actors, launch=False)
    with boa.reverts(message):
        set_factor(target, *args)
    assert target.registry.emission_factors(2024).factor_g_per_mwh == 0


@pytest.mark.parametrize("caller", ["stranger", "validator", "oracle", "owner", "pauser"])
def test_set_emission_factor__not_the_admin__reverts(world, actors, caller):
    with boa.reverts("ownable: caller is not the owner"):
        set_factor(world, 2024, FACTOR_2024, FY2024_START, FY2025_START, getattr(actors, caller))
    assert world.registry.emission_factors(2024).scheduled_eta == 0


# ---- emission_factors view --------------------------------------------------------------------


def test_emission_factors__fy2025_from_the_deployment(world):
    assert world.registry.emission_factors(2025) == (
        FACTOR_2025,
        FY2025_START,
        FY2025_END,
        False,
        0,
        0,
    )


def test_emission_factors__unset_year__zero_factor_with_its_bounds(world):
    assert world.registry.emission_factors(2013) == (0, FY2013_START, FY2014_START, False, 0, 0)
    assert world.registry.emission_factors(2026) == (0, FY2025_END, FY2026_END, False, 0, 0)


def test_emission_factors__year_before_1970__reverts(world):
    with boa.reverts("registry: fiscal year < 1970"):
        world.registry.emission_factors(1969)


JST = timezone(timedelta(hours=9))


def april_first_jst(year: int) -> int:
    return int(datetime(year, 4, 1, tzinfo=JST).timestamp())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fiscal_year=st.one_of(st.integers(1970, 9998), st.sampled_from([2000, 2024, 2100, 2400])))
def test_emission_factors__any_year__bounds_are_april_first_jst(world, fiscal_year):
    """The contract's days-from-civil arithmetic against Python's calendar (leap years of 2000,
    2100 and 2400 included)."""
    record = world.registry.emission_factors(fiscal_year)
    assert (record.starts_at, record.ends_at) == (
        april_first_jst(fiscal_year),
        april_first_jst(fiscal_year + 1),
    )
