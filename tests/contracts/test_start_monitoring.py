"""start_monitoring: the first baselines, and baselines of replacement meters."""

import boa

from tests.contracts.contract_world import (
    CERT_EXPIRY,
    DAY,
    EXPORT,
    FY2025_START,
    GENERATION,
    JUNE_2025,
    MAY_2025,
    events,
    meter_key,
)
from tests.contracts.meter_signing import Meter
from tests.contracts.report_world import (
    APRIL,
    APRIL_G,
    APRIL_SC,
    BASE,
    baseline_readings,
    start_monitoring,
)


def test_start_monitoring__valid__sets_baselines_and_logs(world, actors):
    project_id, meters = world.approved_project()
    readings = [
        meters[k].reading(world.domain, project_id, FY2025_START - 1800, BASE[k]) for k in meters
    ]
    with boa.env.prank(actors.oracle):
        world.registry.start_monitoring(project_id, FY2025_START, readings)
    logged_meters = events(world.registry, "MeterReadingAccepted")
    assert events(world.registry, "MonitoringStarted") == [
        {"address": world.registry.address, "project_id": project_id, "period_start": FY2025_START}
    ]
    assert logged_meters == [
        {
            "address": world.registry.address,
            "meter": meters[k].address,
            "project_id": project_id,
            "timestamp": FY2025_START - 1800,
            "cumulative_wh": BASE[k],
        }
        for k in (GENERATION, EXPORT)
    ]
    assert world.registry.next_period_start(project_id) == FY2025_START
    meter = world.registry.meters(meters[GENERATION].address)
    assert (meter.last_timestamp, meter.last_cumulative_wh) == (
        FY2025_START - 1800,
        BASE[GENERATION],
    )


def test_start_monitoring__by_stranger__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: not the project oracle"):
        start_monitoring(
            world, project_id, baseline_readings(world, project_id, meters), sender=actors.stranger
        )


def test_start_monitoring__oracle_role_revoked__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.ORACLE_ROLE(), actors.oracle)
    with boa.reverts("registry: not an ORACLE_ROLE"):
        start_monitoring(world, project_id, baseline_readings(world, project_id, meters))


def test_start_monitoring__suspended_project__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.env.prank(actors.validator):
        world.registry.suspend_project(project_id, "audit")
    with boa.reverts("registry: project not approved"):
        start_monitoring(world, project_id, baseline_readings(world, project_id, meters))


def test_start_monitoring__paused__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.env.prank(actors.pauser):
        world.registry.pause()
    with boa.reverts("pausable: contract is paused"):
        start_monitoring(world, project_id, baseline_readings(world, project_id, meters))


def test_start_monitoring__before_crediting_start__reverts(world):
    project_id, meters = world.approved_project()
    readings = baseline_readings(world, project_id, meters, ts=FY2025_START - DAY)
    with boa.reverts("registry: before crediting start"):
        start_monitoring(world, project_id, readings, start=FY2025_START - 1)


def test_start_monitoring__at_crediting_end__reverts(world):
    project_id, meters = world.approved_project(crediting_end=FY2025_START + 10 * DAY)
    with boa.reverts("registry: after crediting end"):
        start_monitoring(
            world,
            project_id,
            baseline_readings(world, project_id, meters),
            start=FY2025_START + 10 * DAY,
        )


def test_start_monitoring__twice_with_other_start__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: monitoring started"):
        start_monitoring(
            world, project_id, baseline_readings(world, project_id, meters), start=FY2025_START + 1
        )


def test_start_monitoring__twice_same_meters__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: meter has a baseline"):
        start_monitoring(world, project_id, baseline_readings(world, project_id, meters))


def test_start_monitoring__no_readings__reverts(world):
    project_id, _ = world.approved_project()
    with boa.reverts("registry: no readings"):
        start_monitoring(world, project_id, [])


def test_start_monitoring__missing_meter__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: readings != meters"):
        start_monitoring(
            world, project_id, baseline_readings(world, project_id, meters, kinds=(GENERATION,))
        )


def test_start_monitoring__duplicate_meter__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: duplicate meter kind"):
        start_monitoring(
            world,
            project_id,
            baseline_readings(world, project_id, meters, kinds=(GENERATION, GENERATION)),
        )


def test_start_monitoring__zero_timestamp__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: zero timestamp"):
        start_monitoring(world, project_id, baseline_readings(world, project_id, meters, ts=0))


def test_start_monitoring__reading_after_start__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: reading after start"):
        start_monitoring(
            world, project_id, baseline_readings(world, project_id, meters, ts=FY2025_START + 1)
        )


def test_start_monitoring__bad_signature__reverts(world):
    project_id, meters = world.approved_project()
    readings = baseline_readings(world, project_id, meters)
    meter, first, last, wh, rhash, sig = readings[0]
    readings[0] = (meter, first, last, wh + 1, rhash, sig)
    with boa.reverts("registry: bad meter signature"):
        start_monitoring(world, project_id, readings)


def test_start_monitoring__replacement_meter__baselines_at_next_period_start(
    world, actors, project
):
    project_id, meters = project
    world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(meters[EXPORT].address)
    new_export = Meter(meter_key(0xE2))
    with boa.env.prank(actors.owner):
        world.registry.register_meter(project_id, new_export.address, EXPORT, "EX-2", CERT_EXPIRY)
    with boa.env.prank(actors.validator):
        world.registry.approve_meter(new_export.address)
    with boa.reverts("registry: meter has no baseline"):
        world.submit(
            project_id,
            {**meters, EXPORT: new_export},
            JUNE_2025,
            {GENERATION: 3_000_000, EXPORT: 5},
            0,
            0,
        )
    start_monitoring(
        world,
        project_id,
        [new_export.reading(world.domain, project_id, MAY_2025, 7)],
        start=MAY_2025,
    )
    assert events(world.registry, "MonitoringStarted") == []
    # June: generation 3,000,000 - 2,439,134 = 560,866; export 100,007 - 7 = 100,000 -> 460,866 Wh,
    # 460,866 x 434,000 / 1e6 = 200,015.844 -> 200,015 g.
    world.submit(
        project_id,
        {**meters, EXPORT: new_export},
        JUNE_2025,
        {GENERATION: 3_000_000, EXPORT: 100_007},
        460_866,
        200_015,
    )
    assert world.registry.carry_g(project_id, 2025) == 434_000 + 200_015
