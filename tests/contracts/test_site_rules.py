"""Site rules on chain: difference metering only up to 10 kW, auxiliary consumption subtracted,
declared batteries metered (docs/design.md, "Rules as implemented").

Written as the cheats they stop: a site above 10 kW reporting generation - export, an oracle
leaving the auxiliary meter out or the owner revoking it, a battery site claiming generation -
export, battery meters on a site that never declared its battery, a battery site dropping a battery
meter."""

import boa
import pytest

from tests.contracts.contract_world import (
    AUXILIARY,
    BATTERY_CHARGE,
    BATTERY_DISCHARGE,
    EXPORT,
    FY2025_START,
    GENERATION,
    JUNE_2025,
    MAY_2025,
    SELF_CONSUMPTION,
    events,
    meter_key,
)
from tests.contracts.meter_signing import Meter
from tests.contracts.report_world import submit_raw, with_proofs

GEN_WH, EXPORT_WH = 1_500_000, 300_000
CHARGE_WH, DISCHARGE_WH, AUX_WH = 250_000, 230_000, 15_000
FACTOR = 434_000


def grams(wh: int) -> int:
    return wh * FACTOR // 10**6


# ---- difference metering ---------------------------------------------------------------------


def test_registry_threshold__10_kw(world):
    assert world.registry.DIFFERENCE_METERING_MAX_W() == 10_000


def test_site_above_10_kw_by_difference__refused_even_void(world):
    project = world.monitored_project(capacity_w=10_001)
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH}
    with boa.reverts("reports: difference metering > 10 kW"):
        world.submit(project, MAY_2025, registers, 1_200_000, grams(1_200_000))
    with boa.reverts("reports: difference metering > 10 kW"):
        world.submit(project, MAY_2025, registers, 0, 0, void=True)


def test_site_above_10_kw_with_a_self_consumption_meter__accepted_export_only_logged(world):
    project = world.monitored_project(
        kinds=(GENERATION, EXPORT, SELF_CONSUMPTION), capacity_w=49_500
    )
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH, SELF_CONSUMPTION: 1_100_000}
    # generation - export would be 1,200,000 Wh: the direct meter's 1,100,000 Wh count.
    with boa.reverts("reports: self-consumed mismatch"):
        world.submit(project, MAY_2025, registers, 1_200_000, grams(1_200_000))
    submission = world.submit(project, MAY_2025, registers, 1_100_000, grams(1_100_000))
    (logged,) = events(world.reports, "ReportSubmitted")
    assert (logged["generation_wh"], logged["export_wh"]) == (GEN_WH, EXPORT_WH)
    assert [p.kind for p in submission.facts.meters] == [GENERATION, EXPORT, SELF_CONSUMPTION]


def test_submit_report__above_10_kw_self_consumption_meter_revoked__reverts(world, actors):
    """The owner of a 49.5 kW site revokes its self-consumption meter to report generation -
    export."""
    project = world.monitored_project(
        kinds=(GENERATION, EXPORT, SELF_CONSUMPTION), capacity_w=49_500
    )
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[SELF_CONSUMPTION].address)
    del project.meters[SELF_CONSUMPTION]
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH}
    with boa.reverts("reports: difference metering > 10 kW"):
        world.submit(project, MAY_2025, registers, 1_200_000, grams(1_200_000))


def test_submit_report__readings_in_any_order__facts_in_kind_order(world):
    """The oracle may list the boundary readings in any order (a start reading before its end
    reading); the facts list the meters in kind order, so the claim and the proofs read them
    the same way."""
    project = world.monitored_project(kinds=(GENERATION, EXPORT, AUXILIARY))
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH, AUXILIARY: AUX_WH}
    readings, root = world.boundary_readings(project, MAY_2025, registers)
    # G, E, A start and end readings -> every start first, auxiliary first
    reordered = [readings[i] for i in (4, 2, 0, 5, 3, 1)]
    submission = world.submit(
        project, MAY_2025, registers, 1_185_000, grams(1_185_000), readings=reordered, root=root
    )
    assert [p.kind for p in submission.facts.meters] == [GENERATION, EXPORT, AUXILIARY]


def test_submit_report__end_reading_before_start_reading__reverts(world):
    """A meter's first entry is its start reading when it has no baseline: listing its end
    reading first makes that the start, outside the start window."""
    project = world.monitored_project()
    readings, root = world.boundary_readings(project, MAY_2025, {GENERATION: GEN_WH, EXPORT: 0})
    swapped = [readings[1], readings[0], readings[2], readings[3]]
    with boa.reverts("reports: start reading outside window"):
        submit_raw(world, project, swapped, root, sc=GEN_WH, g=grams(GEN_WH))


# ---- auxiliary consumption -------------------------------------------------------------------


def test_auxiliary__subtracted_from_the_claim(world):
    project = world.monitored_project(kinds=(GENERATION, EXPORT, AUXILIARY))
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH, AUXILIARY: AUX_WH}
    with boa.reverts("reports: self-consumed mismatch"):
        world.submit(project, MAY_2025, registers, 1_200_000, grams(1_200_000))
    world.submit(project, MAY_2025, registers, 1_185_000, grams(1_185_000))


def test_auxiliary_reading_left_out__refused(world):
    """The oracle omits the auxiliary meter to claim generation - export."""
    project = world.monitored_project(kinds=(GENERATION, EXPORT, AUXILIARY))
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH, AUXILIARY: AUX_WH}
    readings, _ = world.boundary_readings(project, MAY_2025, registers)
    batches = [batch for batch, _ in readings if batch[0] != project.meters[AUXILIARY].address]
    kept, root = with_proofs(batches)
    with boa.reverts("reports: readings != meters"):
        submit_raw(world, project, kept, root, sc=1_200_000, g=grams(1_200_000))


def test_auxiliary_above_self_consumption__invalid_claim_refused_void_accepted(world):
    project = world.monitored_project(kinds=(GENERATION, EXPORT, AUXILIARY))
    registers = {GENERATION: 100_000, EXPORT: 90_000, AUXILIARY: 10_001}
    with boa.reverts("reports: auxiliary > self-consumed"):
        world.submit(project, MAY_2025, registers, 0, 0)
    assert world.submit(project, MAY_2025, registers, 0, 0, void=True).facts.void


def _auxiliary_site_reported_april(world):
    """A G|E|AUX site whose April report (auxiliary subtracted) is finalized."""
    project = world.monitored_project(kinds=(GENERATION, EXPORT, AUXILIARY))
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH, AUXILIARY: AUX_WH}
    world.finalize(world.submit(project, MAY_2025, registers, 1_185_000, grams(1_185_000)))
    return project


@pytest.mark.parametrize("who", ["owner", "validator"])
def test_submit_report__auxiliary_meter_revoked__reverts(world, actors, who):
    """Once a validator approved an auxiliary meter, revoking it (the owner alone can) must not
    turn the site's reports into generation - export: the auxiliary energy would be credited."""
    project = _auxiliary_site_reported_april(world)
    with boa.env.prank(getattr(actors, who)):
        world.registry.revoke_meter(project.meters[AUXILIARY].address)
    del project.meters[AUXILIARY]
    registers = {GENERATION: 2 * GEN_WH, EXPORT: 2 * EXPORT_WH}
    for void in (False, True):
        claim = 0 if void else GEN_WH - EXPORT_WH
        with boa.reverts("reports: bad meter set"):
            world.submit(project, JUNE_2025, registers, claim, grams(claim), void=void)


def test_submit_report__auxiliary_meter_replaced__accepted(world, actors):
    """A meter swap: the replacement auxiliary meter is approved, monitoring restarts and the
    next report subtracts the new meter's energy."""
    project = _auxiliary_site_reported_april(world)
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[AUXILIARY].address)
    replacement = Meter(meter_key(0x8003))
    world.register_meter(project.project_id, replacement, AUXILIARY, serial="SN-AUX-2")
    world.approve_meter(replacement)
    with boa.env.prank(actors.oracle):
        world.reports.start_monitoring(project.project_id, MAY_2025)
    project.meters[AUXILIARY] = replacement
    project.start = MAY_2025
    project.carried = {GENERATION: GEN_WH, EXPORT: EXPORT_WH, AUXILIARY: 0}
    registers = {GENERATION: 2 * GEN_WH, EXPORT: 2 * EXPORT_WH, AUXILIARY: 5_000}
    wh = GEN_WH - EXPORT_WH - 5_000
    world.submit(project, JUNE_2025, registers, wh, grams(wh))


def test_submit_report__auxiliary_meter_never_approved__not_required(world, actors):
    """Only an approved auxiliary meter binds the site: one revoked while pending does not."""
    project = world.monitored_project()
    meter = Meter(meter_key(0x8004))
    world.register_meter(project.project_id, meter, AUXILIARY, serial="SN-AUX-P")
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(meter.address)
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH}
    world.submit(project, MAY_2025, registers, GEN_WH - EXPORT_WH, grams(GEN_WH - EXPORT_WH))


# ---- batteries -------------------------------------------------------------------------------


def test_declare_battery__owner_while_pending__logged(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.stranger), boa.reverts("registry: not the project owner"):
        world.registry.declare_battery(project_id)
    assert not world.registry.has_battery(project_id)
    with boa.env.prank(actors.owner):
        world.registry.declare_battery(project_id)
    assert events(world.registry, "BatteryDeclared") == [
        {"address": world.registry.address, "project_id": project_id}
    ]
    assert world.registry.has_battery(project_id)
    with boa.env.prank(actors.validator):
        world.registry.approve_project(project_id)
    with boa.env.prank(actors.owner), boa.reverts("registry: project not pending"):
        world.registry.declare_battery(project_id)


def test_battery_meter_without_a_declared_battery__refused(world, actors):
    project = world.approved_project()
    meter = Meter(meter_key(0x8001))
    for kind in (BATTERY_CHARGE, BATTERY_DISCHARGE):
        with boa.reverts("registry: no battery declared"):
            world.register_meter(project.project_id, meter, kind, serial=f"SN-B{kind}")


@pytest.mark.parametrize("kind", [0, GENERATION | EXPORT, 64])
def test_meter_kind_not_a_single_known_bit__refused(world, kind):
    project_id = world.register_project()
    with boa.reverts():
        world.register_meter(project_id, Meter(meter_key(0x8002)), kind, serial="SN-X")


def test_battery_site_claiming_generation_minus_export__refused(world):
    kinds = (GENERATION, EXPORT, BATTERY_CHARGE, BATTERY_DISCHARGE)
    project = world.monitored_project(kinds=kinds, battery=True)
    registers = {
        GENERATION: GEN_WH,
        EXPORT: EXPORT_WH,
        BATTERY_CHARGE: CHARGE_WH,
        BATTERY_DISCHARGE: DISCHARGE_WH,
    }
    with boa.reverts("reports: self-consumed mismatch"):
        world.submit(project, MAY_2025, registers, 1_200_000, grams(1_200_000))
    # The battery's 20,000 Wh net charge (its losses included) is not self-consumed.
    world.submit(project, MAY_2025, registers, 1_180_000, grams(1_180_000))


def test_battery_site_without_its_discharge_meter__refused(world, actors):
    """The owner revokes the discharge meter hoping to report by difference."""
    kinds = (GENERATION, EXPORT, BATTERY_CHARGE, BATTERY_DISCHARGE)
    project = world.monitored_project(kinds=kinds, battery=True)
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[BATTERY_DISCHARGE].address)
    del project.meters[BATTERY_DISCHARGE]
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH, BATTERY_CHARGE: CHARGE_WH}
    with boa.reverts("reports: battery not metered"):
        world.submit(project, MAY_2025, registers, 950_000, grams(950_000))


def test_battery_site_with_a_self_consumption_meter__no_battery_meters_needed(world):
    project = world.monitored_project(
        kinds=(GENERATION, SELF_CONSUMPTION), battery=True, capacity_w=49_500
    )
    registers = {GENERATION: GEN_WH, SELF_CONSUMPTION: 1_000_000}
    world.submit(project, MAY_2025, registers, 1_000_000, grams(1_000_000))


def test_submit_report__battery_site_self_consumption_meter_revoked__reverts(world, actors):
    """A battery site metered directly drops its self-consumption meter to report generation -
    export without battery meters."""
    project = world.monitored_project(kinds=(GENERATION, EXPORT, SELF_CONSUMPTION), battery=True)
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[SELF_CONSUMPTION].address)
    del project.meters[SELF_CONSUMPTION]
    registers = {GENERATION: GEN_WH, EXPORT: EXPORT_WH}
    with boa.reverts("reports: battery not metered"):
        world.submit(project, MAY_2025, registers, 1_200_000, grams(1_200_000))


@pytest.mark.parametrize("status", ["rejected", "suspended"])
def test_declare_battery__project_not_pending__reverts(world, actors, status):
    """A battery is declared before approval only: not after a rejection, nor while suspended
    (where declaring it would let battery meters in after the validator's review)."""
    project_id = world.register_project()
    with boa.env.prank(actors.validator):
        if status == "rejected":
            world.registry.reject_project(project_id, "x")
        else:
            world.registry.approve_project(project_id)
            world.registry.suspend_project(project_id, "x")
    with boa.env.prank(actors.owner), boa.reverts("registry: project not pending"):
        world.registry.declare_battery(project_id)
    assert not world.registry.has_battery(project_id)


def test_declare_battery__unknown_project__reverts(world, actors):
    with boa.env.prank(actors.owner), boa.reverts("registry: not the project owner"):
        world.registry.declare_battery(99)


def test_battery_meters_beside_a_self_consumption_meter__bad_meter_set(world):
    project = world.monitored_project(
        kinds=(SELF_CONSUMPTION, BATTERY_CHARGE, BATTERY_DISCHARGE), battery=True
    )
    registers = {SELF_CONSUMPTION: 1_000_000, BATTERY_CHARGE: 1, BATTERY_DISCHARGE: 1}
    with boa.reverts("reports: bad meter set"):
        world.submit(project, MAY_2025, registers, 1_000_000, grams(1_000_000))


def test_five_meters_with_carried_starts__ten_readings_accepted(world):
    kinds = (GENERATION, EXPORT, AUXILIARY, BATTERY_CHARGE, BATTERY_DISCHARGE)
    project = world.monitored_project(kinds=kinds, battery=True)
    registers = {
        GENERATION: GEN_WH,
        EXPORT: EXPORT_WH,
        AUXILIARY: AUX_WH,
        BATTERY_CHARGE: CHARGE_WH,
        BATTERY_DISCHARGE: DISCHARGE_WH,
    }
    wh = GEN_WH - EXPORT_WH - (CHARGE_WH - DISCHARGE_WH) - AUX_WH
    submission = world.submit(project, MAY_2025, registers, wh, grams(wh))
    assert len(submission.readings) == 10
    assert [p.start_timestamp for p in submission.facts.meters] == [FY2025_START] * 5
    world.finalize(submission)
    assert world.reports.next_period_start(project.project_id) == MAY_2025
