"""Projects on the Registry: eligibility at registration, the validator's status transitions, the
admin's oracle assignment (role + bond, counted per oracle), two-step ownership, and the views a
report is checked against (`projects`, `report_terms`, `finalize_terms`, `project_meters`)."""

from datetime import datetime, timedelta, timezone

import boa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from methodology.fiscal import add_years
from tests.contracts.contract_world import (
    APPROVED,
    CAPACITY_W,
    CERT_EXPIRY,
    CREDITING_YEARS,
    DAY,
    EXPORT,
    FACTOR_2025,
    FY2025_START,
    GENERATION,
    INTERVAL,
    JUNE_2025,
    MAY_2025,
    MIN_BOND,
    NOW,
    PENDING,
    REJECTED,
    SCHEME_END,
    SELF_CONSUMPTION,
    SUSPENDED,
    YEAR,
    ZERO_ADDRESS,
    events,
    meter_key,
    token_id,
)
from tests.contracts.meter_signing import Meter
from tests.contracts.report_world import APRIL, APRIL_G, APRIL_SC, MAY, MAY_G, MAY_SC

ONE_GW = 1_000_000_000
MARCH_2025 = 1740754800  # 2025-03-01T00:00+09:00
MAX_AGE = 731 * DAY  # 2 years
ADMIN_DELAY = 2 * DAY


@pytest.fixture(scope="module")
def calendar():
    """The on-chain JST calendar module behind a test-only external function."""
    return boa.loads(
        "from contracts.modules import jst_calendar\n"
        "@external\n@pure\n"
        "def add_years(ts: uint64, years: uint256) -> uint64:\n"
        "    return jst_calendar._add_years(ts, years)\n"
    )


def register(world, sender, *args):
    with boa.env.prank(sender):
        return world.registry.register_project(*args)


def as_validator(world, fn, *args, validator=None):
    with boa.env.prank(validator or world.actors.validator):
        return getattr(world.registry, fn)(*args)


def make_bonded_oracle(world, name: str = "second_oracle") -> str:
    """A new account with ORACLE_ROLE (granted after launch: scheduled, activated after the
    admin delay) and a bond of MIN_BOND."""
    account = boa.env.generate_address(name)
    with boa.env.prank(world.actors.admin):
        world.registry.grant_role(world.registry.ORACLE_ROLE(), account)
    boa.env.time_travel(seconds=ADMIN_DELAY)
    world.registry.activate_role(world.registry.ORACLE_ROLE(), account)
    boa.env.set_balance(account, 2 * MIN_BOND)
    with boa.env.prank(account):
        world.reports.post_bond(value=MIN_BOND)
    return account


# ---- register_project -------------------------------------------------------------------------


def jst(*fields: int) -> int:
    """A JST wall-clock time in seconds since the epoch (independent of the code under test)."""
    return int(datetime(*fields, tzinfo=timezone(timedelta(hours=9))).timestamp())


def test_register_project__eligible__derives_crediting_period_stores_logs_and_returns_id_1(
    world, actors
):
    monitoring = FY2025_START + 10 * DAY
    args = (CAPACITY_W, FY2025_START - DAY, FY2025_START, monitoring, "EN-R-002", "ipfs://p")
    project_id = register(world, actors.owner, *args)
    assert project_id == 1
    # Starts when monitoring became possible (after the application); 8 years would run to 2033,
    # so the scheme's end comes first.
    assert events(world.registry, "ProjectRegistered") == [
        {
            "address": world.registry.address,
            "project_id": 1,
            "owner": actors.owner,
            "capacity_w": CAPACITY_W,
            "commissioning_date": FY2025_START - DAY,
            "application_date": FY2025_START,
            "monitoring_date": monitoring,
            "crediting_start": monitoring,
            "crediting_end": SCHEME_END,
            "methodology_id": "EN-R-002",
            "metadata_uri": "ipfs://p",
        }
    ]
    assert world.registry.projects(1) == (
        actors.owner,
        ZERO_ADDRESS,
        CAPACITY_W,
        FY2025_START - DAY,
        monitoring,
        SCHEME_END,
        "EN-R-002",
        "ipfs://p",
        PENDING,
        ZERO_ADDRESS,
        0,
    )
    assert world.registry.project_count() == 1
    assert world.registry.project_owner(1) == actors.owner


def test_register_project__application_after_monitoring__credits_from_the_application(
    world, actors
):
    register(world, actors.owner, CAPACITY_W, MARCH_2025, NOW - DAY, MARCH_2025, "EN-R-002", "")
    project = world.registry.projects(1)
    assert (project.crediting_start, project.crediting_end) == (NOW - DAY, SCHEME_END)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # 8 years keep 29 February (2028 is a leap year too); 28 February only before 2100.
        (jst(2020, 2, 29, 12), jst(2028, 2, 29, 12)),
        (jst(2020, 4, 10, 13, 5, 7), jst(2028, 4, 10, 13, 5, 7)),
        (jst(2023, 3, 31, 23, 59, 59), jst(2031, 3, 31, 23, 59, 59)),  # 1 s before the cap
        (jst(2023, 4, 1), SCHEME_END),  # 8 years reach the scheme's end exactly
        (SCHEME_END - 1, SCHEME_END),  # a one-second crediting period
    ],
    ids=["29_february", "mid_day_10_april", "last_start_before_cap", "8y_is_scheme_end", "1s"],
)
def test_register_project__crediting_end__8_calendar_years_or_the_scheme_end(
    world, actors, start, end
):
    boa.env.timestamp = start
    register(world, actors.owner, CAPACITY_W, start, start, start, "EN-R-002", "")
    (logged,) = events(world.registry, "ProjectRegistered")
    assert (logged["crediting_start"], logged["crediting_end"]) == (start, end)
    project = world.registry.projects(1)
    assert (project.crediting_start, project.crediting_end) == (start, end)


def test_register_project__every_bound_exactly__accepted(world, actors):
    commissioning = NOW - MAX_AGE  # exactly 2 years before registration
    args = (ONE_GW, commissioning, NOW, commissioning, "EN-R-002", "")
    assert register(world, actors.owner, *args) == 1
    project = world.registry.projects(1)
    assert (project.capacity_w, project.crediting_start) == (ONE_GW, NOW)


def test_register_project__limits_views__match_the_methodology(world):
    assert world.registry.MAX_CAPACITY_W() == ONE_GW
    assert world.registry.CREDITING_YEARS() == CREDITING_YEARS
    assert world.registry.SCHEME_END() == SCHEME_END == jst(2031, 4, 1)
    assert world.registry.MAX_AGE_AT_REGISTRATION() == MAX_AGE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, FY2025_START, NOW, FY2025_START, "EN-R-002", ""), "registry: zero capacity"),
        (
            (ONE_GW + 1, FY2025_START, NOW, FY2025_START, "EN-R-002", ""),
            "registry: capacity too large",
        ),
        (
            (2**64 + CAPACITY_W, FY2025_START, NOW, FY2025_START, "EN-R-002", ""),
            "registry: capacity too large",
        ),
        ((1, FY2025_START, NOW, FY2025_START, "", ""), "registry: empty methodology id"),
        (
            (1, FY2025_START, NOW + 1, FY2025_START, "EN-R-002", ""),
            "registry: application in the future",
        ),
        (
            (1, FY2025_START + 1, NOW, FY2025_START, "EN-R-002", ""),
            "registry: monitoring before commissioning",
        ),
        ((1, FY2025_START, NOW, SCHEME_END, "EN-R-002", ""), "registry: after scheme end"),
        (
            (1, NOW - MAX_AGE - 1, NOW, FY2025_START, "EN-R-002", ""),
            "registry: commissioned > 2y ago",
        ),
    ],
    ids=[
        "zero_capacity",
        "capacity_1GW_plus_1W",
        "capacity_overflowing_64_bits",
        "empty_methodology",
        "application_1s_in_the_future",
        "monitoring_1s_before_commissioning",
        "crediting_would_start_at_scheme_end",
        "commissioned_2y_plus_1s_ago",
    ],
)
def test_register_project__ineligible__reverts(world, actors, args, message):
    with boa.reverts(message):
        register(world, actors.owner, *args)
    assert world.registry.project_count() == 0


def expected_terms(capacity, commissioning, application, monitoring) -> str | tuple[int, int]:
    """The documented eligibility rules, in the order the contract checks them: the refusal, or
    the crediting period (start, end) the rules give."""
    if capacity == 0:
        return "registry: zero capacity"
    if capacity > ONE_GW:
        return "registry: capacity too large"
    if application > NOW:
        return "registry: application in the future"
    if commissioning > monitoring:
        return "registry: monitoring before commissioning"
    start = max(application, monitoring)
    if start >= SCHEME_END:
        return "registry: after scheme end"
    if commissioning + MAX_AGE < NOW:
        return "registry: commissioned > 2y ago"
    return start, min(add_years(start, CREDITING_YEARS), SCHEME_END)


_TIMES = st.one_of(
    st.integers(NOW - 3 * YEAR, SCHEME_END + YEAR),
    st.sampled_from([NOW - MAX_AGE, NOW - MAX_AGE - 1, NOW, NOW + 1, SCHEME_END - 1, SCHEME_END]),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    capacity=st.one_of(st.integers(0, 2 * ONE_GW), st.sampled_from([0, 1, ONE_GW, ONE_GW + 1])),
    commissioning=_TIMES,
    application=_TIMES,
    monitoring=_TIMES,
)
def test_register_project__any_dates__accepted_exactly_when_eligible_with_the_rules_period(
    world, actors, capacity, commissioning, application, monitoring
):
    args = (capacity, commissioning, application, monitoring, "EN-R-002", "")
    expected = expected_terms(capacity, commissioning, application, monitoring)
    with boa.env.anchor():
        if isinstance(expected, str):
            with boa.reverts(expected):
                register(world, actors.owner, *args)
        else:
            assert register(world, actors.owner, *args) == 1
            project = world.registry.projects(1)
            assert (project.crediting_start, project.crediting_end) == expected


@settings(max_examples=300)
@given(ts=st.integers(0, 2**37), years=st.integers(0, 3000))  # up to year 9999 (Python's limit)
def test_jst_calendar_add_years__any_time__same_as_the_methodology(calendar, ts, years):
    """The on-chain calendar arithmetic (also across 100- and 400-year leap rules) equals the
    off-chain one the oracle and the methodology CLI use."""
    assert calendar.add_years(ts, years) == add_years(ts, years)


# ---- approve / reject / suspend / resume ------------------------------------------------------


def test_approve_project__pending__approves_and_logs(world, actors):
    project_id = world.register_project()
    as_validator(world, "approve_project", project_id)
    assert events(world.registry, "ProjectApproved") == [
        {"address": world.registry.address, "project_id": project_id, "validator": actors.validator}
    ]
    assert world.registry.projects(project_id).status == APPROVED


def test_reject_project__pending__rejects_for_good_and_logs(world, actors):
    project_id = world.register_project()
    as_validator(world, "reject_project", project_id, "no grid connection")
    assert events(world.registry, "ProjectRejected") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "validator": actors.validator,
            "reason": "no grid connection",
        }
    ]
    assert world.registry.projects(project_id).status == REJECTED
    with boa.reverts("registry: project not pending"):
        as_validator(world, "approve_project", project_id, validator=actors.second_validator)
    with boa.reverts("registry: project not suspended"):
        as_validator(world, "resume_project", project_id)


def test_suspend_project__approved__suspends_and_logs(world, actors):
    project_id = world.register_project()
    as_validator(world, "approve_project", project_id)
    as_validator(world, "suspend_project", project_id, "audit", validator=actors.second_validator)
    assert events(world.registry, "ProjectSuspended") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "validator": actors.second_validator,
            "reason": "audit",
        }
    ]
    assert world.registry.projects(project_id).status == SUSPENDED


def test_resume_project__suspended__approves_again_and_logs(world, actors):
    project_id = world.register_project()
    as_validator(world, "approve_project", project_id)
    as_validator(world, "suspend_project", project_id, "audit")
    as_validator(world, "resume_project", project_id, validator=actors.second_validator)
    assert events(world.registry, "ProjectResumed") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "validator": actors.second_validator,
        }
    ]
    assert world.registry.projects(project_id).status == APPROVED


@pytest.mark.parametrize("caller", ["stranger", "admin", "oracle", "owner", "pauser"])
@pytest.mark.parametrize(
    ("setup", "fn", "args"),
    [
        ([], "approve_project", ()),
        ([], "reject_project", ("x",)),
        (["approve_project"], "suspend_project", ("x",)),
        (["approve_project", "suspend_project"], "resume_project", ()),
    ],
    ids=["approve", "reject", "suspend", "resume"],
)
def test_project_status_change__not_a_validator__reverts(world, actors, caller, setup, fn, args):
    project_id = world.register_project()
    for step in setup:
        as_validator(world, step, project_id, *(("audit",) if step == "suspend_project" else ()))
    status = world.registry.projects(project_id).status
    with boa.env.prank(getattr(actors, caller)), boa.reverts("roles: caller is not a validator"):
        getattr(world.registry, fn)(project_id, *args)
    assert world.registry.projects(project_id).status == status


def test_approve_project__validator_role_revoked__reverts(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.VALIDATOR_ROLE(), actors.validator)
    with boa.reverts("roles: caller is not a validator"):
        as_validator(world, "approve_project", project_id)


@pytest.mark.parametrize(
    ("setup", "fn", "args", "message"),
    [
        (["approve_project"], "approve_project", (), "registry: project not pending"),
        (["approve_project"], "reject_project", ("x",), "registry: project not pending"),
        ([], "suspend_project", ("x",), "registry: project not approved"),
        (["reject_project"], "suspend_project", ("x",), "registry: project not approved"),
        (["approve_project"], "resume_project", (), "registry: project not suspended"),
        ([], "resume_project", (), "registry: project not suspended"),
        (
            ["approve_project", "suspend_project"],
            "approve_project",
            (),
            "registry: project not pending",
        ),
        (
            ["approve_project", "suspend_project"],
            "suspend_project",
            ("x",),
            "registry: project not approved",
        ),
    ],
    ids=[
        "approve_approved",
        "reject_approved",
        "suspend_pending",
        "suspend_rejected",
        "resume_approved",
        "resume_pending",
        "approve_suspended",
        "suspend_suspended",
    ],
)
def test_project_status_change__wrong_status__reverts(world, setup, fn, args, message):
    project_id = world.register_project()
    for step in setup:
        as_validator(world, step, project_id, *(("x",) if step != "approve_project" else ()))
    with boa.reverts(message):
        as_validator(world, fn, project_id, *args)


@pytest.mark.parametrize("unknown_id", [0, 2])
def test_approve_project__unknown_id__reverts(world, unknown_id):
    world.register_project()
    with boa.reverts("registry: project not pending"):
        as_validator(world, "approve_project", unknown_id)


# ---- set_project_oracle ----------------------------------------------------------------------


def test_set_project_oracle__admin_bonded_oracle__assigns_counts_and_logs(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(project_id, actors.oracle)
    assert events(world.registry, "ProjectOracleSet") == [
        {"address": world.registry.address, "project_id": project_id, "oracle": actors.oracle}
    ]
    assert world.registry.projects(project_id).oracle == actors.oracle
    assert world.registry.projects(project_id).status == PENDING
    assert world.registry.oracle_assignments(actors.oracle) == 1


def test_set_project_oracle__reassigned__counts_down_the_previous_oracle(world, actors):
    first = world.register_project()
    second = world.register_project()
    other_oracle = make_bonded_oracle(world)
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(first, actors.oracle)
        world.registry.set_project_oracle(second, actors.oracle)
        assert world.registry.oracle_assignments(actors.oracle) == 2
        world.registry.set_project_oracle(first, other_oracle)
        assert events(world.registry, "ProjectOracleSet") == [
            {"address": world.registry.address, "project_id": first, "oracle": other_oracle}
        ]
        assert (
            world.registry.oracle_assignments(actors.oracle),
            world.registry.oracle_assignments(other_oracle),
        ) == (1, 1)
        world.registry.set_project_oracle(second, other_oracle)
    assert (
        world.registry.oracle_assignments(actors.oracle),
        world.registry.oracle_assignments(other_oracle),
    ) == (0, 2)
    assert world.registry.projects(first).oracle == other_oracle
    assert world.registry.projects(second).oracle == other_oracle


def test_set_project_oracle__same_oracle_again__count_unchanged(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(project_id, actors.oracle)
        world.registry.set_project_oracle(project_id, actors.oracle)
    assert events(world.registry, "ProjectOracleSet") == [
        {"address": world.registry.address, "project_id": project_id, "oracle": actors.oracle}
    ]
    assert world.registry.oracle_assignments(actors.oracle) == 1


@pytest.mark.parametrize("caller", ["stranger", "owner", "validator", "oracle"])
def test_set_project_oracle__not_the_admin__reverts(world, actors, caller):
    project_id = world.register_project()
    with boa.env.prank(getattr(actors, caller)), boa.reverts("ownable: caller is not the owner"):
        world.registry.set_project_oracle(project_id, actors.oracle)
    assert world.registry.oracle_assignments(actors.oracle) == 0


@pytest.mark.parametrize("unknown_id", [0, 2])
def test_set_project_oracle__unknown_project__reverts(world, actors, unknown_id):
    world.register_project()
    with boa.env.prank(actors.admin), boa.reverts("registry: unknown project"):
        world.registry.set_project_oracle(unknown_id, actors.oracle)


def test_set_project_oracle__account_without_oracle_role__reverts(world, actors):
    project_id = world.register_project()
    boa.env.set_balance(actors.stranger, MIN_BOND)
    with boa.env.prank(actors.stranger):
        world.reports.post_bond(value=MIN_BOND)  # bonded, but no role
    with boa.env.prank(actors.admin), boa.reverts("registry: not an ORACLE_ROLE"):
        world.registry.set_project_oracle(project_id, actors.stranger)


def test_set_project_oracle__zero_address__unassigns_logs_and_the_oracle_may_unbond(
    world, actors, project
):
    """E.g. after the admin revoked the oracle's role: the admin takes it off its only project,
    its assignment count drops to 0 and it may ask for its bond back; it no longer reports for
    the project (nor does anyone else until the admin assigns an oracle)."""
    assert world.registry.oracle_assignments(actors.oracle) == 1
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.ORACLE_ROLE(), actors.oracle)
        world.registry.set_project_oracle(project.project_id, ZERO_ADDRESS)
    assert events(world.registry, "ProjectOracleSet") == [
        {
            "address": world.registry.address,
            "project_id": project.project_id,
            "oracle": ZERO_ADDRESS,
        }
    ]
    assert world.registry.projects(project.project_id).oracle == ZERO_ADDRESS
    assert world.registry.oracle_assignments(actors.oracle) == 0
    with boa.reverts("reports: not the project oracle"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    with boa.env.prank(actors.oracle):
        world.reports.request_unbond()
    (logged,) = events(world.reports, "UnbondRequested")
    assert (logged["oracle"], logged["available_at"]) == (actors.oracle, NOW + 44 * DAY)


def test_set_project_oracle__zero_address_on_projects_without_oracle__count_never_underflows(
    world, actors
):
    """Unassigning a project that has no oracle (again and again) must not count down anyone:
    the oracle assigned elsewhere still cannot unbond."""
    assigned = world.register_project()
    empty = world.register_project()
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(assigned, actors.oracle)
        for _ in range(2):
            world.registry.set_project_oracle(empty, ZERO_ADDRESS)
            assert events(world.registry, "ProjectOracleSet") == [
                {"address": world.registry.address, "project_id": empty, "oracle": ZERO_ADDRESS}
            ]
    assert world.registry.oracle_assignments(actors.oracle) == 1
    assert world.registry.oracle_assignments(ZERO_ADDRESS) == 0
    with boa.env.prank(actors.oracle), boa.reverts("reports: oracle still assigned"):
        world.reports.request_unbond()


@pytest.mark.parametrize("caller", ["oracle", "owner", "validator", "stranger"])
def test_set_project_oracle__zero_address_not_the_admin__reverts(world, actors, project, caller):
    """The oracle cannot take itself off a project to unbond, nor the owner drop its oracle."""
    with boa.env.prank(getattr(actors, caller)), boa.reverts("ownable: caller is not the owner"):
        world.registry.set_project_oracle(project.project_id, ZERO_ADDRESS)
    assert world.registry.projects(project.project_id).oracle == actors.oracle
    assert world.registry.oracle_assignments(actors.oracle) == 1


def test_set_project_oracle__zero_address_unknown_project__reverts(world, actors):
    with boa.env.prank(actors.admin), boa.reverts("registry: unknown project"):
        world.registry.set_project_oracle(1, ZERO_ADDRESS)


def test_set_project_oracle__oracle_role_revoked__reverts(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.ORACLE_ROLE(), actors.oracle)
        with boa.reverts("registry: not an ORACLE_ROLE"):
            world.registry.set_project_oracle(project_id, actors.oracle)


def test_set_project_oracle__role_grant_scheduled_not_active__reverts(world, actors):
    project_id = world.register_project()
    candidate = boa.env.generate_address("candidate_oracle")
    with boa.env.prank(actors.admin):
        world.registry.grant_role(world.registry.ORACLE_ROLE(), candidate)
        with boa.reverts("registry: not an ORACLE_ROLE"):
            world.registry.set_project_oracle(project_id, candidate)


def test_set_project_oracle__oracle_role_without_bond__reverts(world, actors):
    project_id = world.register_project()
    candidate = boa.env.generate_address("unbonded_oracle")
    with boa.env.prank(actors.admin):
        world.registry.grant_role(world.registry.ORACLE_ROLE(), candidate)
    boa.env.time_travel(seconds=ADMIN_DELAY)
    world.registry.activate_role(world.registry.ORACLE_ROLE(), candidate)
    with boa.env.prank(actors.admin), boa.reverts("registry: oracle not bonded"):
        world.registry.set_project_oracle(project_id, candidate)


# ---- on_fraud (reports contract only) ---------------------------------------------------------


@pytest.mark.parametrize("caller", ["stranger", "admin", "validator"])
def test_on_fraud__not_the_reports_contract__reverts(world, actors, caller):
    project_id = world.register_project()
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(project_id, actors.oracle)
    with boa.env.prank(getattr(actors, caller)), boa.reverts("registry: caller is not reports"):
        world.registry.on_fraud(project_id, actors.oracle)
    assert world.registry.has_role(world.registry.ORACLE_ROLE(), actors.oracle)
    assert world.registry.projects(project_id).oracle == actors.oracle


# ---- two-step ownership -----------------------------------------------------------------------


def test_transfer_project__owner__offers_and_logs_owner_unchanged(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project_id, actors.holder)
    assert events(world.registry, "ProjectTransferStarted") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "owner": actors.owner,
            "new_owner": actors.holder,
        }
    ]
    assert world.registry.pending_project_owner(project_id) == actors.holder
    assert world.registry.projects(project_id).pending_owner == actors.holder
    assert world.registry.project_owner(project_id) == actors.owner


def test_accept_project__offered_account__takes_over_and_logs(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project_id, actors.holder)
    with boa.env.prank(actors.holder):
        world.registry.accept_project(project_id)
    assert events(world.registry, "ProjectTransferred") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "previous_owner": actors.owner,
            "new_owner": actors.holder,
        }
    ]
    project = world.registry.projects(project_id)
    assert (project.owner, project.pending_owner) == (actors.holder, ZERO_ADDRESS)
    # The old owner has no say any more; the new one does.
    with boa.env.prank(actors.owner), boa.reverts("registry: not the project owner"):
        world.registry.transfer_project(project_id, actors.owner)
    with boa.env.prank(actors.holder), boa.reverts("registry: not the new owner"):
        world.registry.accept_project(project_id)


@pytest.mark.parametrize("caller", ["stranger", "owner", "admin"])
def test_accept_project__not_the_offered_account__reverts(world, actors, caller):
    project_id = world.register_project()
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project_id, actors.holder)
    with boa.env.prank(getattr(actors, caller)), boa.reverts("registry: not the new owner"):
        world.registry.accept_project(project_id)
    assert world.registry.project_owner(project_id) == actors.owner


def test_accept_project__nothing_offered__reverts(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.stranger), boa.reverts("registry: not the new owner"):
        world.registry.accept_project(project_id)


@pytest.mark.parametrize("caller", ["stranger", "admin", "validator", "holder"])
def test_transfer_project__not_the_owner__reverts(world, actors, caller):
    project_id = world.register_project()
    with boa.env.prank(getattr(actors, caller)), boa.reverts("registry: not the project owner"):
        world.registry.transfer_project(project_id, getattr(actors, caller))
    assert world.registry.pending_project_owner(project_id) == ZERO_ADDRESS


def test_transfer_project__to_zero__cancels_the_offer(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project_id, actors.holder)
        world.registry.transfer_project(project_id, ZERO_ADDRESS)
    assert events(world.registry, "ProjectTransferStarted") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "owner": actors.owner,
            "new_owner": ZERO_ADDRESS,
        }
    ]
    with boa.env.prank(actors.holder), boa.reverts("registry: not the new owner"):
        world.registry.accept_project(project_id)
    assert world.registry.project_owner(project_id) == actors.owner


def test_transfer_project__new_offer__replaces_the_old_one(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project_id, actors.holder)
        world.registry.transfer_project(project_id, actors.buyer)
    with boa.env.prank(actors.holder), boa.reverts("registry: not the new owner"):
        world.registry.accept_project(project_id)
    with boa.env.prank(actors.buyer):
        world.registry.accept_project(project_id)
    assert world.registry.project_owner(project_id) == actors.buyer


def test_accept_project__new_owner__registers_meters_old_owner_cannot(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project_id, actors.holder)
    with boa.env.prank(actors.holder):
        world.registry.accept_project(project_id)
    meter = Meter(meter_key(0x7001))
    with boa.reverts("registry: not the project owner"):
        world.register_meter(project_id, meter, GENERATION, serial="SN-T1", owner=actors.owner)
    world.register_meter(project_id, meter, GENERATION, serial="SN-T1", owner=actors.holder)
    assert world.registry.meters(meter.address).project_id == project_id


def test_accept_project__credits_of_a_later_finalized_report__go_to_the_new_owner(
    world, actors, pending
):
    """April (434,000 g) is finalized for the old owner: 0 t, carried. The project then moves to
    the holder; May (868,000 g + 434,000 g carried = 1,302,000 g) mints 1 t to the holder."""
    project, april = pending
    world.finalize(april)
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project.project_id, actors.holder)
    with boa.env.prank(actors.holder):
        world.registry.accept_project(project.project_id)
    may = world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    world.finalize(may)
    token = token_id(project.project_id, 2025)
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["recipient"], finalized["minted_t"], finalized["accrued"]) == (
        actors.holder,
        1,
        False,
    )
    assert world.credit.balanceOf(actors.holder, token) == 1
    assert world.credit.balanceOf(actors.owner, token) == 0


# ---- views ------------------------------------------------------------------------------------


def test_projects__unknown_id__all_zero(world):
    assert world.registry.projects(7) == (
        ZERO_ADDRESS,
        ZERO_ADDRESS,
        0,
        0,
        0,
        0,
        "",
        "",
        0,
        ZERO_ADDRESS,
        0,
    )


def test_projects__monitored_project__shows_oracle_status_and_meter_kinds(world, actors, project):
    assert world.registry.projects(project.project_id) == (
        actors.owner,
        ZERO_ADDRESS,
        CAPACITY_W,
        FY2025_START - DAY,
        FY2025_START,
        SCHEME_END,
        "EN-R-002",
        "ipfs://p",
        APPROVED,
        actors.oracle,
        GENERATION | EXPORT,
    )


def _facts(kind: int, registration: int = 1) -> int:
    """A meter's packed facts as IRegistry.ReportTerms documents them: kind (bits 0-7), expiry
    (8-71), interval (72-103), registration count (104-119)."""
    return kind + CERT_EXPIRY * 2**8 + INTERVAL * 2**72 + registration * 2**104


def test_report_terms__monitored_project__everything_a_report_is_checked_against(
    world, actors, project
):
    generation, export = project.meters[GENERATION].address, project.meters[EXPORT].address
    stranger_meter = Meter(meter_key(0x7002)).address
    terms = world.registry.report_terms(
        project.project_id, 2025, [export, stranger_meter, generation]
    )
    assert terms == (
        actors.oracle,
        True,
        True,
        GENERATION | EXPORT,
        b"",
        CAPACITY_W,
        FY2025_START,
        SCHEME_END,
        [_facts(EXPORT), 0, _facts(GENERATION)],
        FACTOR_2025,
        False,
    )


def test_report_terms__after_a_report__factor_locked(world, pending):
    project, _ = pending
    terms = world.registry.report_terms(project.project_id, 2025, [])
    assert (terms.factor_g_per_mwh, terms.factor_locked, terms.meter_facts) == (
        FACTOR_2025,
        True,
        [],
    )


def test_report_terms__year_without_factor__factor_zero(world, project):
    terms = world.registry.report_terms(project.project_id, 2026, [])
    assert (terms.factor_g_per_mwh, terms.factor_locked) == (0, False)


def test_report_terms__meter_of_another_project_or_pending__zero_facts(world, actors, project):
    other = world.approved_project(kinds=(GENERATION,))
    pending_meter = Meter(meter_key(0x7003))
    world.register_meter(project.project_id, pending_meter, SELF_CONSUMPTION, serial="SN-P")
    terms = world.registry.report_terms(
        project.project_id, 2025, [other.meters[GENERATION].address, pending_meter.address]
    )
    assert terms.meter_facts == [0, 0]
    assert terms.kinds == GENERATION | EXPORT


def test_report_terms__suspended_project_and_revoked_oracle__flags_false(world, actors, project):
    as_validator(world, "suspend_project", project.project_id, "audit")
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.ORACLE_ROLE(), actors.oracle)
    terms = world.registry.report_terms(project.project_id, 2025, [])
    assert (terms.oracle, terms.oracle_has_role, terms.approved) == (actors.oracle, False, False)


def test_finalize_terms__approved_suspended_unknown(world, actors, project):
    assert world.registry.finalize_terms(project.project_id) == (True, actors.owner)
    as_validator(world, "suspend_project", project.project_id, "audit")
    assert world.registry.finalize_terms(project.project_id) == (False, actors.owner)
    assert world.registry.finalize_terms(99) == (False, ZERO_ADDRESS)


def test_finalize_terms__after_transfer__names_the_new_owner(world, actors, project):
    with boa.env.prank(actors.owner):
        world.registry.transfer_project(project.project_id, actors.holder)
    assert world.registry.finalize_terms(project.project_id) == (True, actors.owner)
    with boa.env.prank(actors.holder):
        world.registry.accept_project(project.project_id)
    assert world.registry.finalize_terms(project.project_id) == (True, actors.holder)


def test_project_meters__approved_meters_by_kind_slot(world, actors, project):
    generation, export = project.meters[GENERATION].address, project.meters[EXPORT].address
    assert (
        world.registry.project_meters(project.project_id)
        == [generation, export] + [ZERO_ADDRESS] * 4
    )
    # A pending meter is not listed; a revoked one leaves its slot empty.
    self_meter = Meter(meter_key(0x7004))
    world.register_meter(project.project_id, self_meter, SELF_CONSUMPTION, serial="SN-S")
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(export)
    assert world.registry.project_meters(project.project_id) == [generation] + [ZERO_ADDRESS] * 5
    world.approve_meter(self_meter)
    assert (
        world.registry.project_meters(project.project_id)
        == [
            generation,
            ZERO_ADDRESS,
            self_meter.address,
        ]
        + [ZERO_ADDRESS] * 3
    )
    assert world.registry.project_meters(99) == [ZERO_ADDRESS] * 6
