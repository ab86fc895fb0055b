"""submit_report: accepted reports, and every check that refuses one (in the contract's order)."""

import boa
import pytest

from tests.contracts.contract_world import (
    DAY,
    EXPORT,
    FY2025_END,
    FY2025_START,
    GENERATION,
    INTERVAL,
    JUNE_2025,
    MAY_2025,
    NOW,
    SELF_CONSUMPTION,
    WINDOW,
    Project,
    deploy_world,
    events,
    meter_key,
)
from tests.contracts.meter_signing import Meter
from tests.contracts.report_world import (
    APRIL,
    APRIL_G,
    APRIL_SC,
    BASE,
    MAY,
    MAY_G,
    MAY_SC,
    april_batches,
    submit_raw,
    with_proofs,
)


def facts_logged(world):
    (logged,) = events(world.reports, "ReportSubmitted")
    return logged


# ---- accepted ---------------------------------------------------------------------------------


def test_first_report__carries_start_readings_and_logs_its_facts(world, actors, project):
    submission = world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    logged = facts_logged(world)
    facts = logged["facts"]
    assert (logged["generation_wh"], logged["export_wh"]) == (1_234_567, 234_567)
    assert logged["data_uri"] == "ar://data"
    assert (facts.project_id, facts.report_id, facts.period_start, facts.period_end) == (
        project.project_id,
        1,
        FY2025_START,
        MAY_2025,
    )
    assert (facts.fiscal_year, facts.void, facts.self_consumed_wh, facts.reduction_g) == (
        2025,
        False,
        APRIL_SC,
        APRIL_G,
    )
    assert facts.oracle == actors.oracle
    assert facts.challenge_deadline == NOW + WINDOW
    assert facts.merkle_root == submission.root
    # Only the meters that took part, in kind order, each with its kind.
    generation, export = facts.meters
    assert tuple(generation) == (
        project.meters[GENERATION].address,
        FY2025_START,
        BASE[GENERATION],
        True,
        MAY_2025,
        APRIL[GENERATION],
        GENERATION,
    )
    assert tuple(export)[1:] == (FY2025_START, BASE[EXPORT], True, MAY_2025, APRIL[EXPORT], EXPORT)
    pending = world.reports.pending_report(project.project_id)
    assert (pending.status, pending.report_id, pending.challenge_deadline) == (1, 1, NOW + WINDOW)
    assert world.reports.next_period_start(project.project_id) == MAY_2025
    assert world.reports.last_reading(project.meters[GENERATION].address)[:2] == (
        MAY_2025,
        APRIL[GENERATION],
    )
    assert world.registry.emission_factors(2025).locked is True


def test_second_report__starts_at_the_first_reports_end_readings(world, project):
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    boa.env.timestamp = JUNE_2025 + DAY
    world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    generation, export, *_ = facts_logged(world)["facts"].meters
    assert (
        generation.start_timestamp,
        generation.start_cumulative_wh,
        generation.carried_start,
    ) == (
        MAY_2025,
        APRIL[GENERATION],
        False,
    )
    assert (export.start_cumulative_wh, export.end_cumulative_wh) == (APRIL[EXPORT], MAY[EXPORT])


def test_self_consumption_meter__credits_its_own_energy(world):
    project = world.monitored_project(kinds=(SELF_CONSUMPTION,), baselines={SELF_CONSUMPTION: 5})
    # 1,000,005 - 5 = 1,000,000 Wh x 434,000 / 1e6 = 434,000 g.
    world.submit(project, MAY_2025, {SELF_CONSUMPTION: 1_000_005}, 1_000_000, 434_000)
    assert facts_logged(world)["facts"].self_consumed_wh == 1_000_000


def test_self_consumption_with_generation__accepted_when_not_above_it(world):
    project = world.monitored_project(kinds=(GENERATION, SELF_CONSUMPTION))
    world.submit(
        project, MAY_2025, {GENERATION: 1_500_000, SELF_CONSUMPTION: 1_000_000}, 1_000_000, 434_000
    )
    assert facts_logged(world)["generation_wh"] == 1_500_000


def test_self_consumption_above_generation__reverts(world):
    project = world.monitored_project(kinds=(GENERATION, SELF_CONSUMPTION))
    with boa.reverts("reports: self-consumed > gen"):
        world.submit(
            project,
            MAY_2025,
            {GENERATION: 900_000, SELF_CONSUMPTION: 1_000_000},
            1_000_000,
            434_000,
        )


def test_void__boundary_readings_show_export_above_generation__accepted_without_credit(
    world, project
):
    registers = {GENERATION: BASE[GENERATION] + 100, EXPORT: BASE[EXPORT] + 200}
    submission = world.submit(project, MAY_2025, registers, 0, 0, void=True)
    facts = facts_logged(world)["facts"]
    assert facts.void and (facts.self_consumed_wh, facts.reduction_g) == (0, 0)
    assert world.registry.emission_factors(2025).locked is False
    world.finalize(submission)
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["reduction_g"], finalized["minted_t"]) == (0, 0)


def test_void__with_claims__reverts(world, project):
    registers = {GENERATION: BASE[GENERATION] + 100, EXPORT: BASE[EXPORT] + 200}
    with boa.reverts("reports: void report claims"):
        world.submit(project, MAY_2025, registers, 1, 0, void=True)


def test_void__valid_month_without_a_recorded_violation__reverts(world, project):
    with boa.reverts("reports: void without a recorded violation"):
        world.submit(project, MAY_2025, APRIL, 0, 0, void=True)


def test_generation_exactly_capacity_times_span__accepted(world, project):
    # 10 kW x 30 days x 24 h = 7,200,000 Wh over April's 2,592,000 s: equality passes.
    registers = {GENERATION: BASE[GENERATION] + 7_200_000, EXPORT: BASE[EXPORT]}
    world.submit(project, MAY_2025, registers, 7_200_000, 3_124_800)
    assert facts_logged(world)["facts"].reduction_g == 3_124_800


def test_generation_one_wh_above_capacity_times_span__reverts(world, project):
    registers = {GENERATION: BASE[GENERATION] + 7_200_001, EXPORT: BASE[EXPORT]}
    with boa.reverts("reports: generation > capacity"):
        world.submit(project, MAY_2025, registers, 7_200_001, 3_124_800)


def test_capacity__spans_the_readings_not_the_period(world, actors):
    # Crediting from 31 March; the start reading 20 minutes before the period start widens the
    # span to 2,593,200 s: 7,203,333 Wh x 3,600 <= 10,000 W x 2,593,200 s.
    project = world.monitored_project(
        crediting_start=FY2025_START - DAY, commissioning=FY2025_START - 2 * DAY
    )
    batches = []
    for kind, meter in project.meters.items():
        batches.append(meter.reading(world.domain, project.project_id, FY2025_START - 1200, 0))
        end = 7_203_333 if kind == GENERATION else 0
        batches.append(meter.reading(world.domain, project.project_id, MAY_2025, end))
    readings, root = with_proofs(batches)
    submit_raw(world, project, readings, root, sc=7_203_333, g=7_203_333 * 434_000 // 10**6)
    assert facts_logged(world)["facts"].meters[0].start_timestamp == FY2025_START - 1200


def test_report_ids__are_global_and_sequential(world, project):
    other = world.monitored_project()  # starts from registers 0
    assert world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G).report_id == 1
    # 2,439,134 - 322,778 = 2,116,356 Wh x 434,000 / 1e6 = 918,498 g (floored).
    assert world.submit(other, MAY_2025, APRIL, 2_116_356, 918_498).report_id == 2
    assert world.reports.report_count() == 2


# ---- refused: who and when -------------------------------------------------------------------


def test_not_launched__start_and_submit_revert(factories, actors):
    unlaunched = deploy_world(factories, actors, launch=False)
    with boa.env.prank(actors.oracle), boa.reverts("reports: not launched"):
        unlaunched.reports.start_monitoring(1, FY2025_START)
    with boa.env.prank(actors.oracle), boa.reverts("reports: not launched"):
        unlaunched.reports.submit_report(1, MAY_2025, 2025, [], b"\x01" * 32, "", 0, 0, False)


def test_by_stranger__reverts(world, actors, project):
    with boa.reverts("reports: not the project oracle"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G, sender=actors.stranger)


def test_oracle_role_revoked__reverts(world, actors, project):
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.ORACLE_ROLE(), actors.oracle)
    with boa.reverts("reports: not an ORACLE_ROLE"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_suspended_project__reverts(world, actors, project):
    with boa.env.prank(actors.validator):
        world.registry.suspend_project(project.project_id, "audit")
    with boa.reverts("reports: project not approved"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_paused__reverts(world, actors, project):
    with boa.env.prank(actors.pauser):
        world.reports.pause()
    with boa.reverts("pausable: contract is paused"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_while_a_report_is_pending__reverts(world, pending):
    project, _ = pending
    boa.env.timestamp = JUNE_2025 + DAY
    with boa.reverts("reports: report pending"):
        world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)


def test_monitoring_not_started__reverts(world):
    project = world.approved_project()
    project.start = FY2025_START
    project.carried = dict.fromkeys(project.meters, 0)
    with boa.reverts("reports: monitoring not started"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_period_end_not_after_start__reverts(world, project):
    with boa.reverts("reports: period end <= start"):
        world.submit(project, FY2025_START, BASE, 0, 0)


def test_period_not_over__reverts(world, project):
    boa.env.timestamp = MAY_2025 - 1
    with boa.reverts("reports: period not over"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_after_crediting_end__reverts(world):
    project = world.monitored_project(crediting_end=FY2025_START + 10 * DAY)
    with boa.reverts("reports: after crediting end"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__period_ending_at_crediting_end__accepted_nothing_after(world):
    """The last period may end exactly at the crediting end; the next one is refused, void too."""
    project = world.monitored_project(baselines=BASE, crediting_end=MAY_2025)
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    with boa.reverts("reports: after crediting end"):
        world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    with boa.reverts("reports: after crediting end"):
        world.submit(project, MAY_2025 + 1800, MAY, 0, 0, void=True)


def test_crossing_the_fiscal_year__reverts(world):
    project = world.monitored_project(start=FY2025_END - DAY)
    boa.env.timestamp = FY2025_END + 2 * DAY
    with boa.reverts("reports: outside fiscal year"):
        world.submit(project, FY2025_END + DAY, APRIL, APRIL_SC, APRIL_G)


def test_wrong_fiscal_year__reverts(world, project):
    with boa.reverts("reports: outside fiscal year"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G, fiscal_year=2024)


def test_empty_merkle_root__reverts(world, project):
    readings, _ = with_proofs(april_batches(world, project))
    with boa.reverts("reports: empty merkle root"):
        submit_raw(world, project, readings, b"\x00" * 32)


def test_generation_meter_only__bad_meter_set(world):
    project = world.monitored_project(kinds=(GENERATION,))
    with boa.reverts("reports: bad meter set"):
        world.submit(project, MAY_2025, {GENERATION: 1_000}, 1_000, 434)


# ---- refused: the readings -------------------------------------------------------------------


def test_missing_export_reading__reverts(world, project):
    readings, root = with_proofs(april_batches(world, project)[:2])
    with boa.reverts("reports: readings != meters"):
        submit_raw(world, project, readings, root)


def test_missing_start_reading_of_a_new_meter__reverts(world, project):
    # Only end readings: each is taken as the meter's start (it has no baseline) and no end follows.
    batches = [b for i, b in enumerate(april_batches(world, project)) if i % 2 == 1]
    readings, root = with_proofs(batches)
    with boa.reverts("reports: start reading outside window"):
        submit_raw(world, project, readings, root)


def test_same_meter_end_twice__reverts(world, project):
    batches = april_batches(world, project)
    readings, root = with_proofs([*batches, batches[1]])
    with boa.reverts("reports: duplicate meter kind"):
        submit_raw(world, project, readings, root)


def test_meter_of_another_project__reverts(world, project):
    other = world.approved_project()
    batches = april_batches(world, project)
    batches[3] = other.meters[EXPORT].reading(world.domain, project.project_id, MAY_2025, 1)
    readings, root = with_proofs(batches)
    with boa.reverts("reports: meter not of project"):
        submit_raw(world, project, readings, root)


def test_revoked_meter__its_readings_refused_even_with_a_replacement(world, actors, project):
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[EXPORT].address)
    replacement = Meter(meter_key(777))
    world.register_meter(project.project_id, replacement, EXPORT)
    world.approve_meter(replacement)
    with boa.reverts("reports: meter not of project"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_revoked_meter_without_replacement__bad_meter_set(world, actors, project):
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[EXPORT].address)
    with boa.reverts("reports: bad meter set"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_reading_at_certification_expiry__reverts(world, actors):
    # Registered while its certificate was still valid; it expires exactly at the period end.
    boa.env.timestamp = FY2025_START + DAY
    project = world.approved_project(kinds=(GENERATION,))
    late = Meter(meter_key(999))
    world.register_meter(project.project_id, late, EXPORT, expiry=MAY_2025)
    world.approve_meter(late, expiry=MAY_2025)
    project.meters[EXPORT] = late
    boa.env.timestamp = NOW
    with boa.env.prank(actors.oracle):
        world.reports.start_monitoring(project.project_id, FY2025_START)
    project.start, project.carried = FY2025_START, dict.fromkeys(project.meters, 0)
    with boa.reverts("reports: certification expired"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_register_above_64_bits__reverts(world, project):
    registers = {GENERATION: 2**64, EXPORT: APRIL[EXPORT]}
    with boa.reverts("reports: register too large"):
        world.submit(project, MAY_2025, registers, 0, 0)


def test_batch_not_in_merkle_root__reverts(world, project):
    readings, root = with_proofs(april_batches(world, project))
    readings[3] = (readings[3][0], readings[2][1])  # the export end with the start's proof
    with boa.reverts("reports: batch not in merkle root"):
        submit_raw(world, project, readings, root)


@pytest.mark.parametrize("offset", [-INTERVAL, 1])
def test_end_reading_outside_its_window__reverts(world, project, offset):
    # At period_end - 1,800 s (a whole interval early) or after the period end.
    batches = april_batches(world, project)
    meter = project.meters[EXPORT]
    batches[3] = meter.reading(world.domain, project.project_id, MAY_2025 + offset, APRIL[EXPORT])
    readings, root = with_proofs(batches)
    boa.env.timestamp = NOW
    with boa.reverts("reports: end reading outside window"):
        submit_raw(world, project, readings, root)


@pytest.mark.parametrize("offset", [-INTERVAL, 1])
def test_start_reading_outside_its_window__reverts(world, project, offset):
    batches = april_batches(world, project)
    meter = project.meters[GENERATION]
    batches[0] = meter.reading(world.domain, project.project_id, FY2025_START + offset, 0)
    readings, root = with_proofs(batches)
    with boa.reverts("reports: start reading outside window"):
        submit_raw(world, project, readings, root)


def test_start_reading_before_crediting_start__reverts(world, project):
    batches = april_batches(world, project)
    meter = project.meters[GENERATION]
    batches[0] = meter.reading(world.domain, project.project_id, FY2025_START - 1, 0)
    readings, root = with_proofs(batches)
    with boa.reverts("reports: start before crediting"):
        submit_raw(world, project, readings, root)


# ---- refused: a new baseline before the meter's last reading (energy counted twice) ----------


def moved_meters(world, first: Project, start: int) -> Project:
    """The first project's two meters revoked there and registered again (same keys and serials:
    the same physical meters, registration 2) in a second project of the same owner, approved,
    with the same oracle, monitored from `start`."""
    second_id = world.register_project()
    with boa.env.prank(world.actors.validator):
        world.registry.approve_project(second_id)
    with boa.env.prank(world.actors.admin):
        world.registry.set_project_oracle(second_id, world.actors.oracle)
    for kind, meter in first.meters.items():
        serial = world.registry.meters(meter.address).serial
        with boa.env.prank(world.actors.owner):
            world.registry.revoke_meter(meter.address)
        world.register_meter(second_id, meter, kind, serial=serial)
        world.approve_meter(meter)
        assert world.registry.meters(meter.address).registration == 2
    with boa.env.prank(world.actors.oracle):
        world.reports.start_monitoring(second_id, start)
    return Project(second_id, dict(first.meters), start)


@pytest.mark.parametrize("first_report", ["finalized", "pending"])
def test_start_reading_before_the_meters_last_reading__april_again_in_another_project__reverts(
    world, project, first_report
):
    """April is reported in project 1 (its meters' last readings: 1 May 00:00). The owner
    revokes both meters, registers them in a new project monitored from 1 April and has the
    oracle report April there again with the same registers (signed for the new project): each
    start reading lies in its window and after the crediting start, but before the meter's last
    reading under its old registration: refused, April is not credited twice."""
    april = world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    if first_report == "finalized":
        world.finalize(april)
    second = moved_meters(world, project, FY2025_START)
    second.carried = dict(BASE)
    with boa.reverts("reports: start before meter's last reading"):
        world.submit(second, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert world.reports.pending_report(second.project_id).status == 0
    for kind, meter in second.meters.items():
        assert world.reports.last_reading(meter.address) == (MAY_2025, APRIL[kind], 1, 0)


def test_start_reading_one_second_before_the_meters_last_reading__reverts(world, project):
    """The new project starts monitoring one second before the meters' last reading: a start
    reading there is inside its window (one interval) but overlaps the reported April by a
    second."""
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    second = moved_meters(world, project, MAY_2025 - 1)
    batches = []
    for kind, meter in second.meters.items():
        batches.append(
            meter.reading(world.domain, second.project_id, MAY_2025 - 1, APRIL[kind] - 1)
        )
        batches.append(meter.reading(world.domain, second.project_id, JUNE_2025, MAY[kind]))
    readings, root = with_proofs(batches)
    # 2,500,001 - 500,001 = 2,000,000 Wh (the extra second adds 1 Wh to each meter), 868,000 g.
    with boa.reverts("reports: start before meter's last reading"):
        submit_raw(world, second, readings, root, end=JUNE_2025, sc=MAY_SC, g=MAY_G)


def test_start_reading_at_the_meters_last_reading__accepted_in_another_project(world, project):
    """The new project starts where the meters' last reading is (1 May 00:00): the start reading
    equal to the old end reading is accepted and May is credited from it. 4,939,134 - 2,439,134
    = 2,500,000 Wh generation, 822,778 - 322,778 = 500,000 Wh export: 2,000,000 Wh, 868,000 g."""
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    second = moved_meters(world, project, MAY_2025)
    second.carried = dict(APRIL)
    world.submit(second, JUNE_2025, MAY, MAY_SC, MAY_G)
    logged = facts_logged(world)
    assert (logged["facts"].project_id, logged["generation_wh"], logged["export_wh"]) == (
        second.project_id,
        2_500_000,
        500_000,
    )
    generation, export, *_ = logged["facts"].meters
    assert tuple(generation)[1:-1] == (
        MAY_2025,
        APRIL[GENERATION],
        True,
        JUNE_2025,
        MAY[GENERATION],
    )
    assert tuple(export)[1:-1] == (MAY_2025, APRIL[EXPORT], True, JUNE_2025, MAY[EXPORT])
    for kind, meter in second.meters.items():
        assert world.reports.last_reading(meter.address) == (JUNE_2025, MAY[kind], 2, 0)


def test_register_backwards__reverts(world, project):
    registers = {GENERATION: BASE[GENERATION] - 1, EXPORT: APRIL[EXPORT]}
    with boa.reverts("reports: register backwards"):
        world.submit(project, MAY_2025, registers, 0, 0)


def test_export_above_generation_claimed_valid__reverts(world, project):
    registers = {GENERATION: BASE[GENERATION] + 100, EXPORT: BASE[EXPORT] + 200}
    with boa.reverts("reports: export > generation"):
        world.submit(project, MAY_2025, registers, 0, 0)


@pytest.mark.parametrize("field", ["self_consumed", "reduction"])
def test_claim_off_by_one__reverts(world, project, field):
    sc, g = (APRIL_SC + 1, APRIL_G) if field == "self_consumed" else (APRIL_SC, APRIL_G + 1)
    message = (
        "reports: self-consumed mismatch"
        if field == "self_consumed"
        else "reports: reduction mismatch"
    )
    with boa.reverts(message):
        world.submit(project, MAY_2025, APRIL, sc, g)


def test_no_emission_factor_for_the_year__reverts(world, actors):
    # FY2026 has no factor in this world.
    project = world.monitored_project(start=FY2025_END)
    boa.env.timestamp = FY2025_END + 40 * DAY
    with boa.reverts("reports: no emission factor"):
        world.submit(project, FY2025_END + 30 * DAY, APRIL, 2_116_356, 0, fiscal_year=2026)
