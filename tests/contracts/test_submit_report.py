"""submit_report: accepted reports and every check that refuses one."""

import boa

from tests.contracts.contract_world import (
    CERT_EXPIRY,
    DAY,
    EXPORT,
    FY2025_END,
    FY2025_START,
    GENERATION,
    JUNE_2025,
    MAY_2025,
    NOW,
    ROOT,
    SELF_CONSUMPTION,
    events,
    meter_key,
    token_id,
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
    ZERO32,
    ZERO_ADDRESS,
    april_readings,
    baseline_readings,
    start_monitoring,
    submit_readings,
)


def test_submit_report__valid_window_0__finalizes_at_once_and_logs(world, actors, project):
    project_id, meters = project
    report_id = world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    submitted = events(world.registry, "ReportSubmitted")
    finalized = events(world.registry, "ReportFinalized")
    assert report_id == 1
    assert submitted == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "report_id": 1,
            "fiscal_year": 2025,
            "period_start": FY2025_START,
            "period_end": MAY_2025,
            "generation_wh": 1_234_567,
            "export_wh": 234_567,
            "self_consumed_wh": APRIL_SC,
            "reduction_g": APRIL_G,
            "void": False,
            "merkle_root": ROOT,
            "data_uri": "ar://data",
            "challenge_deadline": NOW,
        }
    ]
    assert finalized == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "report_id": 1,
            "token_id": token_id(project_id, 2025),
            "reduction_g": APRIL_G,
            "minted_t": 0,
            "carry_g": APRIL_G,
        }
    ]
    assert world.registry.next_period_start(project_id) == MAY_2025
    assert world.registry.carry_g(project_id, 2025) == APRIL_G
    assert world.registry.report_count() == 1
    assert world.registry.pending_report(project_id).status == 0
    assert world.registry.emission_factors(2025).locked
    meter = world.registry.meters(meters[EXPORT].address)
    assert (meter.last_timestamp, meter.last_cumulative_wh) == (MAY_2025, APRIL[EXPORT])
    assert world.credit.total_supply(token_id(project_id, 2025)) == 0


def test_submit_report__carry_reaches_a_tonne__mints_to_owner(world, actors, project):
    project_id, meters = project
    world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    world.submit(project_id, meters, JUNE_2025, MAY, MAY_SC, MAY_G)
    finalized = events(world.registry, "ReportFinalized")
    transfers = events(world.registry, "TransferSingle")  # child call into CarbonCredit
    tid = token_id(project_id, 2025)
    # 434,000 + 868,000 = 1,302,000 g -> 1 t minted, 302,000 g carried.
    assert [(e["minted_t"], e["carry_g"]) for e in finalized] == [(1, 302_000)]
    # TransferSingle's fields start with "_", which namedtuple renames: compare values in order.
    assert [list(e.values()) for e in transfers] == [
        [world.credit.address, world.registry.address, ZERO_ADDRESS, actors.owner, tid, 1]
    ]
    assert world.credit.balanceOf(actors.owner, tid) == 1
    assert world.credit.minted(tid) == 1
    assert world.registry.carry_g(project_id, 2025) == 302_000


def test_submit_report__self_consumption_meter__uses_its_delta(world):
    project_id, meters = world.monitored_project(
        baselines={SELF_CONSUMPTION: 500}, kinds=(SELF_CONSUMPTION,)
    )
    # 2,300,500 - 500 = 2,300,000 Wh x 434,000 / 1e6 = 998,200 g.
    world.submit(project_id, meters, MAY_2025, {SELF_CONSUMPTION: 2_300_500}, 2_300_000, 998_200)
    assert world.registry.carry_g(project_id, 2025) == 998_200


def test_submit_report__self_consumption_with_generation__accepted(world):
    project_id, meters = world.monitored_project(
        baselines={SELF_CONSUMPTION: 0, GENERATION: 0}, kinds=(SELF_CONSUMPTION, GENERATION)
    )
    world.submit(project_id, meters, MAY_2025, {SELF_CONSUMPTION: 100, GENERATION: 100}, 100, 43)
    assert world.registry.carry_g(project_id, 2025) == 43


def test_submit_report__self_consumption_above_generation__reverts(world):
    project_id, meters = world.monitored_project(
        baselines={SELF_CONSUMPTION: 0, GENERATION: 0}, kinds=(SELF_CONSUMPTION, GENERATION)
    )
    with boa.reverts("registry: self-consumed > gen"):
        world.submit(
            project_id, meters, MAY_2025, {SELF_CONSUMPTION: 101, GENERATION: 100}, 101, 43
        )


def test_submit_report__self_consumption_only_above_capacity__reverts(world):
    project_id, meters = world.monitored_project(
        baselines={SELF_CONSUMPTION: 0}, kinds=(SELF_CONSUMPTION,)
    )
    # 10 kW x 720 h = 7,200,000 Wh is the most April can hold.
    with boa.reverts("registry: generation > capacity"):
        world.submit(
            project_id, meters, MAY_2025, {SELF_CONSUMPTION: 7_200_001}, 7_200_001, 3_124_800
        )


def test_submit_report__void__advances_without_credit_or_factor_lock(world, project):
    project_id, meters = project
    # Export above generation: invalid data, reported as void.
    registers = {GENERATION: BASE[GENERATION] + 10, EXPORT: BASE[EXPORT] + 20}
    world.submit(project_id, meters, MAY_2025, registers, 0, 0, void=True)
    submitted = events(world.registry, "ReportSubmitted")
    finalized = events(world.registry, "ReportFinalized")
    assert [(e["void"], e["generation_wh"], e["export_wh"]) for e in submitted] == [(True, 10, 20)]
    assert [(e["reduction_g"], e["minted_t"], e["carry_g"]) for e in finalized] == [(0, 0, 0)]
    assert world.registry.next_period_start(project_id) == MAY_2025
    assert not world.registry.emission_factors(2025).locked


def test_submit_report__void_with_claims__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: void report claims"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, 0, void=True)


def test_submit_report__locked_factor__cannot_change(world, actors, project):
    project_id, meters = project
    world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert events(world.registry, "EmissionFactorLocked") == [
        {"address": world.registry.address, "fiscal_year": 2025}
    ]
    with boa.env.prank(actors.admin), boa.reverts("registry: factor locked"):
        world.registry.set_emission_factor(2025, 1, FY2025_START, FY2025_END)


# ---- submit_report: refused reports -----------------------------------------------------------


def test_submit_report__by_stranger__reverts(world, actors, project):
    project_id, meters = project
    with boa.reverts("registry: not the project oracle"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G, sender=actors.stranger)


def test_submit_report__other_oracle__reverts(world, actors, project):
    project_id, meters = project
    with boa.env.prank(actors.admin):
        world.registry.grant_role(world.registry.ORACLE_ROLE(), actors.stranger)
    with boa.reverts("registry: not the project oracle"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G, sender=actors.stranger)


def test_submit_report__paused__reverts(world, actors, project):
    project_id, meters = project
    with boa.env.prank(actors.pauser):
        world.registry.pause()
    with boa.reverts("pausable: contract is paused"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__monitoring_not_started__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: monitoring not started"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__period_end_not_after_start__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: period end <= start"):
        world.submit(project_id, meters, FY2025_START, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__period_not_over__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: period not over"):
        world.submit(project_id, meters, NOW + 1, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__after_crediting_end__reverts(world):
    project_id, meters = world.monitored_project(baselines=BASE, crediting_end=MAY_2025 - 1)
    with boa.reverts("registry: after crediting end"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__crossing_fiscal_year__reverts(world):
    start = FY2025_START - DAY
    project_id, meters = world.monitored_project(
        baselines=BASE, start=start, crediting_start=start, commissioning=start
    )
    with boa.reverts("registry: outside fiscal year"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__wrong_fiscal_year__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: outside fiscal year"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G, fiscal_year=2024)


def test_submit_report__no_factor_for_year__reverts(world, actors):
    # FY2024 period (March 2025) with no FY2024 factor set.
    start = FY2025_START - 31 * DAY
    project_id, meters = world.monitored_project(
        baselines=BASE, start=start, crediting_start=start, commissioning=start
    )
    with boa.reverts("registry: no emission factor"):
        world.submit(project_id, meters, FY2025_START, APRIL, APRIL_SC, APRIL_G, fiscal_year=2024)


def test_submit_report__empty_merkle_root__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: empty merkle root"):
        submit_readings(
            world, project_id, april_readings(world, project_id, meters), merkle_root=ZERO32
        )


def test_submit_report__generation_meter_only__bad_meter_set(world):
    project_id, meters = world.monitored_project(baselines={GENERATION: 0}, kinds=(GENERATION,))
    with boa.reverts("registry: bad meter set"):
        world.submit(project_id, meters, MAY_2025, {GENERATION: 10}, 10, 4)


def test_submit_report__missing_export_reading__reverts(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)[:1]
    with boa.reverts("registry: readings != meters"):
        submit_readings(world, project_id, readings, sc=1_234_567, g=535_802)


def test_submit_report__same_meter_twice__reverts(world, project):
    project_id, meters = project
    reading = april_readings(world, project_id, meters)[0]
    with boa.reverts("registry: duplicate meter kind"):
        submit_readings(world, project_id, [reading, reading])


def test_submit_report__meter_of_other_project__reverts(world, project):
    project_id, meters = project
    _, other_meters = world.monitored_project(baselines=BASE)
    readings = [
        meters[GENERATION].reading(world.domain, project_id, MAY_2025, APRIL[GENERATION]),
        other_meters[EXPORT].reading(world.domain, project_id, MAY_2025, APRIL[EXPORT]),
    ]
    with boa.reverts("registry: meter not of project"):
        submit_readings(world, project_id, readings)


def test_submit_report__revoked_meter__reverts(world, actors, project):
    project_id, meters = project
    replacement = Meter(meter_key(0xE3))
    with boa.env.prank(actors.validator):
        world.registry.revoke_meter(meters[EXPORT].address)
    with boa.env.prank(actors.owner):
        world.registry.register_meter(project_id, replacement.address, EXPORT, "EX-3", CERT_EXPIRY)
    with boa.env.prank(actors.validator):
        world.registry.approve_meter(replacement.address)
    with boa.reverts("registry: meter not approved"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)


def test_submit_report__reading_at_certification_expiry__reverts(world, actors):
    project_id, meters = world.approved_project()
    late = Meter(meter_key(0x77))
    boa.env.timestamp = FY2025_START  # register while the certification is still valid
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(meters[EXPORT].address)
        world.registry.register_meter(project_id, late.address, EXPORT, "EX-9", MAY_2025)
    with boa.env.prank(actors.validator):
        world.registry.approve_meter(late.address)
    meters = {GENERATION: meters[GENERATION], EXPORT: late}
    start_monitoring(world, project_id, baseline_readings(world, project_id, meters))
    boa.env.timestamp = NOW
    with boa.reverts("registry: certification expired"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    # One second earlier the certification still covers the reading.
    readings = [
        m.reading(world.domain, project_id, MAY_2025 - 1, APRIL[k]) for k, m in meters.items()
    ]
    submit_readings(world, project_id, readings)
    assert world.registry.carry_g(project_id, 2025) == APRIL_G


def test_submit_report__reading_after_period_end__reverts(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)
    readings[1] = meters[EXPORT].reading(world.domain, project_id, MAY_2025 + 1, APRIL[EXPORT])
    with boa.reverts("registry: reading after end"):
        submit_readings(world, project_id, readings)


def test_submit_report__batch_first_after_last__reverts(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)
    readings[0] = meters[GENERATION].sign_batch(
        world.domain,
        project_id,
        [(MAY_2025, APRIL[GENERATION] - 5), (MAY_2025 - 1800, APRIL[GENERATION])],
    )
    with boa.reverts("registry: batch first > last"):
        submit_readings(world, project_id, readings)


def test_submit_report__multi_reading_batch__accepted(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)
    readings[0] = meters[GENERATION].sign_batch(
        world.domain,
        project_id,
        [(MAY_2025 - 1800, APRIL[GENERATION] - 5), (MAY_2025, APRIL[GENERATION])],
    )
    submit_readings(world, project_id, readings)
    assert world.registry.next_period_start(project_id) == MAY_2025


def test_submit_report__register_backwards__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: register backwards"):
        world.submit(
            project_id, meters, MAY_2025, {GENERATION: 2_439_134, EXPORT: BASE[EXPORT] - 1}, 0, 0
        )


def test_submit_report__register_above_192_bits__reverts(world, project):
    project_id, meters = project
    registers = {GENERATION: 2**192, EXPORT: 2**192}
    with boa.reverts("registry: register too large"):
        world.submit(project_id, meters, MAY_2025, registers, 0, 0, void=True)


def test_submit_report__export_above_generation__reverts(world, project):
    project_id, meters = project
    registers = {GENERATION: BASE[GENERATION] + 10, EXPORT: BASE[EXPORT] + 11}
    with boa.reverts("registry: export > generation"):
        world.submit(project_id, meters, MAY_2025, registers, 0, 0)


def test_submit_report__generation_above_capacity__reverts(world, project):
    project_id, meters = project
    # 10 kW x 30 days x 24 h = 7,200,000 Wh; one more is impossible.
    registers = {GENERATION: BASE[GENERATION] + 7_200_001, EXPORT: BASE[EXPORT]}
    with boa.reverts("registry: generation > capacity"):
        world.submit(project_id, meters, MAY_2025, registers, 7_200_001, 3_124_800)


def test_submit_report__generation_exactly_capacity__accepted(world, project):
    project_id, meters = project
    registers = {GENERATION: BASE[GENERATION] + 7_200_000, EXPORT: BASE[EXPORT]}
    # 7,200,000 x 434,000 / 1e6 = 3,124,800 g -> 3 t minted, 124,800 g carried.
    world.submit(project_id, meters, MAY_2025, registers, 7_200_000, 3_124_800)
    assert world.credit.balanceOf(world.actors.owner, token_id(project_id, 2025)) == 3
    assert world.registry.carry_g(project_id, 2025) == 124_800


def test_submit_report__self_consumed_claim_off_by_one__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: self-consumed mismatch"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC + 1, APRIL_G)


def test_submit_report__reduction_claim_off_by_one__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: reduction mismatch"):
        world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G + 1)
