"""Project registry, meter registry and the emission factor table."""

import boa
import pytest

from tests.contracts.contract_world import (
    APPROVED,
    CAPACITY_W,
    CERT_EXPIRY,
    DAY,
    EXPORT,
    FACTOR_2025,
    FY2025_END,
    FY2025_START,
    GENERATION,
    METER_APPROVED,
    METER_PENDING,
    METER_REVOKED,
    NOW,
    PENDING,
    REJECTED,
    SELF_CONSUMPTION,
    SUSPENDED,
    YEAR,
    events,
    meter_key,
)
from tests.contracts.meter_signing import Meter

ZERO = "0x0000000000000000000000000000000000000000"
METER = Meter(meter_key(0xABC)).address


def register(world, actor, *args):
    with boa.env.prank(actor):
        return world.registry.register_project(*args)


# ---- register_project -------------------------------------------------------------------------


def test_register_project__valid__stores_and_logs(world, actors):
    args = (
        CAPACITY_W,
        FY2025_START - DAY,
        FY2025_START,
        FY2025_START + 5 * YEAR,
        "EN-R-002",
        "ipfs://p",
    )
    project_id = register(world, actors.owner, *args)
    logged = events(world.registry, "ProjectRegistered")
    assert project_id == 1
    assert logged == [
        {
            "address": world.registry.address,
            "project_id": 1,
            "owner": actors.owner,
            "capacity_w": CAPACITY_W,
            "commissioning_date": FY2025_START - DAY,
            "crediting_start": FY2025_START,
            "crediting_end": FY2025_START + 5 * YEAR,
            "methodology_id": "EN-R-002",
            "metadata_uri": "ipfs://p",
        }
    ]
    project = world.registry.projects(1)
    assert project.owner == actors.owner
    assert project.capacity_w == CAPACITY_W
    assert project.commissioning_date == FY2025_START - DAY
    assert (project.crediting_start, project.crediting_end) == (
        FY2025_START,
        FY2025_START + 5 * YEAR,
    )
    assert (project.methodology_id, project.metadata_uri) == ("EN-R-002", "ipfs://p")
    assert project.status == PENDING
    assert (project.oracle, project.next_period_start, project.active_meter_kinds) == (ZERO, 0, 0)
    assert world.registry.project_count() == 1
    assert world.register_project() == 2


def test_register_project__crediting_exactly_8_years_and_commissioned_2_years_ago__accepted(
    world, actors
):
    commissioning = NOW - 731 * DAY
    args = (1, commissioning, commissioning, commissioning + 2922 * DAY, "EN-R-002", "")
    assert register(world, actors.owner, *args) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, FY2025_START, FY2025_START, FY2025_END, "EN-R-002", ""), "registry: zero capacity"),
        (
            (2**64, FY2025_START, FY2025_START, FY2025_END, "EN-R-002", ""),
            "registry: capacity too large",
        ),
        ((1, FY2025_START, FY2025_START, FY2025_END, "", ""), "registry: empty methodology id"),
        (
            (1, FY2025_START, FY2025_END, FY2025_END, "EN-R-002", ""),
            "registry: crediting end <= start",
        ),
        (
            (1, FY2025_START, FY2025_START, FY2025_START + 2922 * DAY + 1, "EN-R-002", ""),
            "registry: crediting period > 8y",
        ),
        (
            (1, FY2025_START + 1, FY2025_START, FY2025_END, "EN-R-002", ""),
            "registry: commissioned too late",
        ),
        (
            (1, NOW - 731 * DAY - 1, FY2025_START, FY2025_END, "EN-R-002", ""),
            "registry: commissioned > 2y ago",
        ),
    ],
)
def test_register_project__ineligible__reverts(world, actors, args, message):
    with boa.reverts(message):
        register(world, actors.owner, *args)


# ---- project lifecycle ------------------------------------------------------------------------


def _validator_call(world, actors, fn, *args):
    with boa.env.prank(actors.validator):
        getattr(world.registry, fn)(*args)


def test_approve_project__pending__approves_and_logs(world, actors):
    project_id = world.register_project()
    _validator_call(world, actors, "approve_project", project_id)
    assert events(world.registry, "ProjectApproved") == [
        {"address": world.registry.address, "project_id": project_id, "validator": actors.validator}
    ]
    assert world.registry.projects(project_id).status == APPROVED


def test_reject_project__pending__rejects_and_logs(world, actors):
    project_id = world.register_project()
    _validator_call(world, actors, "reject_project", project_id, "no grid connection")
    assert events(world.registry, "ProjectRejected") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "validator": actors.validator,
            "reason": "no grid connection",
        }
    ]
    assert world.registry.projects(project_id).status == REJECTED


def test_suspend_and_resume_project__approved__toggle_and_log(world, actors):
    project_id = world.register_project()
    _validator_call(world, actors, "approve_project", project_id)
    _validator_call(world, actors, "suspend_project", project_id, "audit")
    assert events(world.registry, "ProjectSuspended") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "validator": actors.validator,
            "reason": "audit",
        }
    ]
    assert world.registry.projects(project_id).status == SUSPENDED
    _validator_call(world, actors, "resume_project", project_id)
    assert events(world.registry, "ProjectResumed") == [
        {"address": world.registry.address, "project_id": project_id, "validator": actors.validator}
    ]
    assert world.registry.projects(project_id).status == APPROVED


@pytest.mark.parametrize(
    ("fn", "args"),
    [
        ("approve_project", ()),
        ("reject_project", ("x",)),
        ("suspend_project", ("x",)),
        ("resume_project", ()),
    ],
)
def test_project_lifecycle__by_stranger__reverts(world, actors, fn, args):
    project_id = world.register_project()
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a validator"):
        getattr(world.registry, fn)(project_id, *args)


@pytest.mark.parametrize(
    ("setup", "fn", "args", "message"),
    [
        (["approve_project"], "approve_project", (), "registry: project not pending"),
        (["approve_project"], "reject_project", ("x",), "registry: project not pending"),
        ([], "suspend_project", ("x",), "registry: project not approved"),
        (["approve_project"], "resume_project", (), "registry: project not suspended"),
    ],
)
def test_project_lifecycle__wrong_status__reverts(world, actors, setup, fn, args, message):
    project_id = world.register_project()
    for step in setup:
        _validator_call(world, actors, step, project_id)
    with boa.env.prank(actors.validator), boa.reverts(message):
        getattr(world.registry, fn)(project_id, *args)


def test_approve_project__unknown_id__reverts(world, actors):
    with boa.env.prank(actors.validator), boa.reverts("registry: project not pending"):
        world.registry.approve_project(99)


def test_set_project_oracle__admin_with_oracle_role__sets_and_logs(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(project_id, actors.oracle)
    assert events(world.registry, "ProjectOracleSet") == [
        {"address": world.registry.address, "project_id": project_id, "oracle": actors.oracle}
    ]
    assert world.registry.projects(project_id).oracle == actors.oracle
    assert world.registry.projects(project_id).status == PENDING


def test_set_project_oracle__by_stranger__reverts(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        world.registry.set_project_oracle(project_id, actors.oracle)


def test_set_project_oracle__unknown_project__reverts(world, actors):
    with boa.env.prank(actors.admin), boa.reverts("registry: unknown project"):
        world.registry.set_project_oracle(1, actors.oracle)


def test_set_project_oracle__account_without_oracle_role__reverts(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.admin), boa.reverts("registry: not an ORACLE_ROLE"):
        world.registry.set_project_oracle(project_id, actors.stranger)


# ---- meters -----------------------------------------------------------------------------------


def register_meter(
    world, actor, project_id, meter=METER, kind=GENERATION, serial="SN", expiry=CERT_EXPIRY
):
    with boa.env.prank(actor):
        world.registry.register_meter(project_id, meter, kind, serial, expiry)


def test_register_meter__by_owner__stores_and_logs(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id, kind=EXPORT, serial="EX-1")
    assert events(world.registry, "MeterRegistered") == [
        {
            "address": world.registry.address,
            "meter": METER,
            "project_id": project_id,
            "kind": EXPORT,
            "serial": "EX-1",
            "certification_expiry": CERT_EXPIRY,
        }
    ]
    meter = world.registry.meters(METER)
    assert (meter.project_id, meter.kind, meter.status, meter.serial) == (
        project_id,
        EXPORT,
        METER_PENDING,
        "EX-1",
    )
    assert (meter.certification_expiry, meter.last_timestamp, meter.last_cumulative_wh) == (
        CERT_EXPIRY,
        0,
        0,
    )
    assert world.registry.kind_meter(project_id, EXPORT) == METER


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"meter": ZERO}, "registry: zero meter address"),
        ({"kind": 0}, "registry: invalid meter kind"),
        ({"kind": GENERATION | EXPORT}, "registry: invalid meter kind"),
        ({"serial": ""}, "registry: empty serial"),
        ({"expiry": NOW}, "registry: expiry in the past"),
    ],
)
def test_register_meter__bad_input__reverts(world, actors, overrides, message):
    project_id = world.register_project()
    with boa.reverts(message):
        register_meter(world, actors.owner, project_id, **overrides)


def test_register_meter__by_stranger__reverts(world, actors):
    project_id = world.register_project()
    with boa.reverts("registry: not the project owner"):
        register_meter(world, actors.stranger, project_id)


def test_register_meter__rejected_project__reverts(world, actors):
    project_id = world.register_project()
    _validator_call(world, actors, "reject_project", project_id, "x")
    with boa.reverts("registry: project rejected"):
        register_meter(world, actors.owner, project_id)


def test_register_meter__address_already_registered__reverts(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id, kind=GENERATION)
    with boa.reverts("registry: meter registered"):
        register_meter(world, actors.owner, project_id, kind=EXPORT)


def test_register_meter__kind_taken__reverts(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id, kind=GENERATION)
    other = Meter(meter_key(0xDEF)).address
    with boa.reverts("registry: meter kind taken"):
        register_meter(world, actors.owner, project_id, meter=other, kind=GENERATION)


def test_approve_meter__pending__approves_adds_kind_and_logs(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id, kind=SELF_CONSUMPTION)
    _validator_call(world, actors, "approve_meter", METER)
    assert events(world.registry, "MeterApproved") == [
        {
            "address": world.registry.address,
            "meter": METER,
            "project_id": project_id,
            "validator": actors.validator,
        }
    ]
    assert world.registry.meters(METER).status == METER_APPROVED
    assert world.registry.projects(project_id).active_meter_kinds == SELF_CONSUMPTION


def test_approve_meter__by_stranger__reverts(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id)
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a validator"):
        world.registry.approve_meter(METER)


@pytest.mark.parametrize("approve_first", [True, False])
def test_approve_meter__not_pending__reverts(world, actors, approve_first):
    if approve_first:
        project_id = world.register_project()
        register_meter(world, actors.owner, project_id)
        _validator_call(world, actors, "approve_meter", METER)
    with boa.env.prank(actors.validator), boa.reverts("registry: meter not pending"):
        world.registry.approve_meter(METER)


@pytest.mark.parametrize("revoker", ["owner", "validator"])
def test_revoke_meter__approved_by_owner_or_validator__revokes_frees_kind_and_logs(
    world, actors, revoker
):
    project_id, meters = world.approved_project()
    meter = meters[EXPORT].address
    with boa.env.prank(getattr(actors, revoker)):
        world.registry.revoke_meter(meter)
    assert events(world.registry, "MeterRevoked") == [
        {
            "address": world.registry.address,
            "meter": meter,
            "project_id": project_id,
            "sender": getattr(actors, revoker),
        }
    ]
    assert world.registry.meters(meter).status == METER_REVOKED
    assert world.registry.projects(project_id).active_meter_kinds == GENERATION
    assert world.registry.kind_meter(project_id, EXPORT) == ZERO
    register_meter(world, actors.owner, project_id, kind=EXPORT)
    assert world.registry.kind_meter(project_id, EXPORT) == METER


def test_revoke_meter__pending__revokes_without_touching_kinds(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id)
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(METER)
    assert world.registry.meters(METER).status == METER_REVOKED
    assert world.registry.projects(project_id).active_meter_kinds == 0


def test_revoke_meter__by_stranger__reverts(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id)
    with boa.env.prank(actors.stranger), boa.reverts("registry: not owner or validator"):
        world.registry.revoke_meter(METER)


def test_revoke_meter__already_revoked__reverts(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id)
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(METER)
        with boa.reverts("registry: meter not active"):
            world.registry.revoke_meter(METER)


def test_revoked_meter__cannot_be_registered_again(world, actors):
    project_id = world.register_project()
    register_meter(world, actors.owner, project_id)
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(METER)
    with boa.reverts("registry: meter registered"):
        register_meter(world, actors.owner, project_id)


# ---- emission factors -------------------------------------------------------------------------

# Fiscal-year starts (April 1st 00:00 JST), converted by hand from the calendar.
FY2024_START = 1711897200  # 2024-04-01T00:00+09:00 (leap year before: 366-day FY2023)
FY2013_START = 1364742000


def test_emission_factors__fy2025_set_by_fixture(world):
    assert world.registry.emission_factors(2025) == (FACTOR_2025, FY2025_START, FY2025_END, False)


def test_set_emission_factor__valid__stores_and_logs(world, actors):
    with boa.env.prank(actors.admin):
        world.registry.set_emission_factor(2024, 452000, FY2024_START, FY2025_START)
    assert events(world.registry, "EmissionFactorSet") == [
        {
            "address": world.registry.address,
            "fiscal_year": 2024,
            "factor_g_per_mwh": 452000,
            "starts_at": FY2024_START,
            "ends_at": FY2025_START,
        }
    ]
    assert world.registry.emission_factors(2024) == (452000, FY2024_START, FY2025_START, False)


def test_set_emission_factor__unlocked__can_be_replaced(world, actors):
    with boa.env.prank(actors.admin):
        world.registry.set_emission_factor(2025, 441000, FY2025_START, FY2025_END)
    assert world.registry.emission_factors(2025).factor_g_per_mwh == 441000


def test_emission_factors__unset_year__zero_factor_with_bounds(world):
    assert world.registry.emission_factors(2013) == (0, FY2013_START, 1396278000, False)


def test_set_emission_factor__by_stranger__reverts(world, actors):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        world.registry.set_emission_factor(2024, 452000, FY2024_START, FY2025_START)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2024, 0, FY2024_START, FY2025_START), "registry: zero factor"),
        ((2024, 2**64, FY2024_START, FY2025_START), "registry: factor too large"),
        ((1969, 452000, 0, 0), "registry: fiscal year < 1970"),
        ((2024, 452000, FY2024_START + 1, FY2025_START), "registry: wrong fiscal bounds"),
        ((2024, 452000, FY2024_START, FY2025_START - 9 * 3600), "registry: wrong fiscal bounds"),
        ((2024, 452000, FY2024_START - 365 * DAY, FY2024_START), "registry: wrong fiscal bounds"),
    ],
)
def test_set_emission_factor__bad_input__reverts(world, actors, args, message):
    with boa.env.prank(actors.admin), boa.reverts(message):
        world.registry.set_emission_factor(*args)
