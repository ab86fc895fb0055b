"""Monitoring reports: start_monitoring, submit_report checks, finalize, dispute, signatures.

Numbers are hand-computed: April 2025 on a 10 kW plant with generation and export meters,
generation 2,439,134 - 1,204,567 = 1,234,567 Wh, export 322,778 - 88,211 = 234,567 Wh,
self-consumed 1,000,000 Wh, reduction 1,000,000 x 434,000 / 1e6 = 434,000 g (0 t, carry 434,000 g).
"""

import boa
import pytest
from contract_world import (
    CERT_EXPIRY,
    DAY,
    EXPORT,
    FY2025_END,
    FY2025_START,
    GENERATION,
    JULY_2025,
    JUNE_2025,
    MAY_2025,
    NOW,
    ROOT,
    SELF_CONSUMPTION,
    events,
    meter_key,
    token_id,
)
from meter_signing import Domain, Meter, eip712_digest, readings_hash

BASE = {GENERATION: 1_204_567, EXPORT: 88_211}
APRIL = {GENERATION: 2_439_134, EXPORT: 322_778}
APRIL_SC, APRIL_G = 1_000_000, 434_000
# May: +2,500,000 Wh generation, +500,000 Wh export -> 2,000,000 Wh self-consumed, 868,000 g.
MAY = {GENERATION: 4_939_134, EXPORT: 822_778}
MAY_SC, MAY_G = 2_000_000, 868_000
ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
EIP712_DOMAIN_TYPE = (
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


@pytest.fixture
def project(world):
    """A G/E project monitored from FY2025_START; returns (project_id, meters)."""
    return world.monitored_project(baselines=BASE)


def submit_readings(world, project_id, readings, end=MAY_2025, sc=APRIL_SC, g=APRIL_G, **kw):
    args = {
        "fiscal_year": 2025,
        "merkle_root": ROOT,
        "data_uri": "ar://data",
        "void": False,
    } | kw
    with boa.env.prank(kw.pop("sender", world.actors.oracle)):
        return world.registry.submit_report(
            project_id,
            end,
            args["fiscal_year"],
            readings,
            args["merkle_root"],
            args["data_uri"],
            sc,
            g,
            args["void"],
        )


def april_readings(world, project_id, meters, registers=APRIL, end=MAY_2025):
    return [
        meters[k].reading(world.domain, project_id, end, registers[k]) for k in (GENERATION, EXPORT)
    ]


def set_window(world, seconds):
    with boa.env.prank(world.actors.admin):
        world.registry.set_challenge_window(seconds)


# ---- start_monitoring -------------------------------------------------------------------------


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


def _start(world, project_id, readings, start=FY2025_START, sender=None):
    with boa.env.prank(sender or world.actors.oracle):
        world.registry.start_monitoring(project_id, start, readings)


def _baseline(world, project_id, meters, ts=FY2025_START, kinds=(GENERATION, EXPORT)):
    return [meters[k].reading(world.domain, project_id, ts, BASE[k]) for k in kinds]


def test_start_monitoring__by_stranger__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: not the project oracle"):
        _start(world, project_id, _baseline(world, project_id, meters), sender=actors.stranger)


def test_start_monitoring__oracle_role_revoked__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.ORACLE_ROLE(), actors.oracle)
    with boa.reverts("registry: not an ORACLE_ROLE"):
        _start(world, project_id, _baseline(world, project_id, meters))


def test_start_monitoring__suspended_project__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.env.prank(actors.validator):
        world.registry.suspend_project(project_id, "audit")
    with boa.reverts("registry: project not approved"):
        _start(world, project_id, _baseline(world, project_id, meters))


def test_start_monitoring__paused__reverts(world, actors):
    project_id, meters = world.approved_project()
    with boa.env.prank(actors.pauser):
        world.registry.pause()
    with boa.reverts("pausable: contract is paused"):
        _start(world, project_id, _baseline(world, project_id, meters))


def test_start_monitoring__before_crediting_start__reverts(world):
    project_id, meters = world.approved_project()
    readings = _baseline(world, project_id, meters, ts=FY2025_START - DAY)
    with boa.reverts("registry: before crediting start"):
        _start(world, project_id, readings, start=FY2025_START - 1)


def test_start_monitoring__at_crediting_end__reverts(world):
    project_id, meters = world.approved_project(crediting_end=FY2025_START + 10 * DAY)
    with boa.reverts("registry: after crediting end"):
        _start(
            world, project_id, _baseline(world, project_id, meters), start=FY2025_START + 10 * DAY
        )


def test_start_monitoring__twice_with_other_start__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: monitoring started"):
        _start(world, project_id, _baseline(world, project_id, meters), start=FY2025_START + 1)


def test_start_monitoring__twice_same_meters__reverts(world, project):
    project_id, meters = project
    with boa.reverts("registry: meter has a baseline"):
        _start(world, project_id, _baseline(world, project_id, meters))


def test_start_monitoring__no_readings__reverts(world):
    project_id, _ = world.approved_project()
    with boa.reverts("registry: no readings"):
        _start(world, project_id, [])


def test_start_monitoring__missing_meter__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: readings != meters"):
        _start(world, project_id, _baseline(world, project_id, meters, kinds=(GENERATION,)))


def test_start_monitoring__duplicate_meter__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: duplicate meter kind"):
        _start(
            world, project_id, _baseline(world, project_id, meters, kinds=(GENERATION, GENERATION))
        )


def test_start_monitoring__zero_timestamp__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: zero timestamp"):
        _start(world, project_id, _baseline(world, project_id, meters, ts=0))


def test_start_monitoring__reading_after_start__reverts(world):
    project_id, meters = world.approved_project()
    with boa.reverts("registry: reading after start"):
        _start(world, project_id, _baseline(world, project_id, meters, ts=FY2025_START + 1))


def test_start_monitoring__bad_signature__reverts(world):
    project_id, meters = world.approved_project()
    readings = _baseline(world, project_id, meters)
    meter, first, last, wh, rhash, sig = readings[0]
    readings[0] = (meter, first, last, wh + 1, rhash, sig)
    with boa.reverts("registry: bad meter signature"):
        _start(world, project_id, readings)


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
    _start(
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


# ---- submit_report: happy paths ---------------------------------------------------------------


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
    _start(world, project_id, _baseline(world, project_id, meters))
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


# ---- signatures -------------------------------------------------------------------------------


def _resign(world, project_id, meters, kind, domain=None, **kw):
    readings = april_readings(world, project_id, meters)
    index = (GENERATION, EXPORT).index(kind)
    readings[index] = meters[kind].sign_batch(
        domain or world.domain, project_id, [(MAY_2025, APRIL[kind])], **kw
    )
    return readings


def test_signature__other_chain_id__refused(world, project):
    project_id, meters = project
    domain = Domain(world.domain.chain_id + 1, world.domain.registry)
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, _resign(world, project_id, meters, EXPORT, domain))


def test_signature__other_contract__refused(world, project):
    project_id, meters = project
    domain = Domain(world.domain.chain_id, world.credit.address)
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, _resign(world, project_id, meters, GENERATION, domain))


def test_signature__other_project__refused(world, project):
    project_id, meters = project
    readings = _resign(world, project_id, meters, EXPORT, signed_project_id=project_id + 1)
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, readings)


def test_signature__signed_by_other_meter__refused(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)
    # The generation meter's key signs a batch that claims to come from the export meter.
    forged = meters[GENERATION].sign_batch(
        world.domain, project_id, [(MAY_2025, APRIL[EXPORT])], signed_meter=meters[EXPORT].address
    )
    readings[1] = (meters[EXPORT].address, *forged[1:])
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, readings)


def test_signature__malformed__refused(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)
    readings[0] = (*readings[0][:5], readings[0][5][:64] + b"\x05")
    with boa.reverts("ecdsa: invalid signature"):
        submit_readings(world, project_id, readings)


def test_signature__replayed_old_reading__refused(world, project):
    project_id, meters = project
    april = april_readings(world, project_id, meters)
    submit_readings(world, project_id, april)
    may = [
        meters[GENERATION].reading(world.domain, project_id, JUNE_2025, MAY[GENERATION]),
        april[1],
    ]
    with boa.reverts("registry: reading not newer"):
        submit_readings(world, project_id, may, end=JUNE_2025, sc=MAY_SC, g=MAY_G)


def test_reading_digest__matches_eth_account_eip712(world):
    rhash = readings_hash([(100, 5), (200, 9)])
    meter = Meter(meter_key(1)).address
    expected = eip712_digest(world.domain, 7, meter, 100, 200, 9, rhash)
    assert world.registry.reading_digest(7, meter, 100, 200, 9, rhash) == expected


def test_domain_separator__matches_eip712_definition(world):
    from eth_abi import encode
    from eth_utils import keccak

    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(EIP712_DOMAIN_TYPE),
                keccak(b"SolarJCredit"),
                keccak(b"1"),
                world.domain.chain_id,
                world.registry.address,
            ],
        )
    )
    assert world.registry.domain_separator() == expected
    domain = world.registry.eip712Domain()
    assert (domain[1], domain[2], domain[3], domain[4]) == (
        "SolarJCredit",
        "1",
        world.domain.chain_id,
        world.registry.address,
    )


# ---- challenge window, finalize, dispute ------------------------------------------------------


def test_set_challenge_window__admin__sets_and_logs(world, actors):
    set_window(world, 3 * DAY)
    assert events(world.registry, "ChallengeWindowSet") == [
        {"address": world.registry.address, "seconds": 3 * DAY}
    ]
    assert world.registry.challenge_window() == 3 * DAY


def test_set_challenge_window__stranger__reverts(world, actors):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        world.registry.set_challenge_window(1)


@pytest.fixture
def pending(world, project):
    """April submitted under a 3-day window: pending, registers advanced."""
    project_id, meters = project
    set_window(world, 3 * DAY)
    world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    return project_id, meters


def test_submit_report__window__stays_pending(world, pending):
    project_id, _ = pending
    assert events(world.registry, "ReportFinalized") == []
    assert world.registry.pending_report(project_id) == (
        1,
        1,
        FY2025_START,
        MAY_2025,
        2025,
        False,
        NOW + 3 * DAY,
        APRIL_SC,
        APRIL_G,
    )
    assert world.registry.carry_g(project_id, 2025) == 0
    assert world.registry.next_period_start(project_id) == MAY_2025


def test_start_monitoring__while_pending__reverts(world, pending):
    project_id, meters = pending
    with boa.reverts("registry: report pending"):
        _start(world, project_id, _baseline(world, project_id, meters), start=MAY_2025)


def test_submit_report__while_pending__reverts(world, pending):
    project_id, meters = pending
    with boa.reverts("registry: report pending"):
        world.submit(project_id, meters, JUNE_2025, MAY, MAY_SC, MAY_G)


def test_finalize__after_window__credits_and_logs(world, actors, pending):
    project_id, _ = pending
    boa.env.time_travel(seconds=3 * DAY)
    with boa.env.prank(actors.stranger):
        world.registry.finalize(project_id)
    assert events(world.registry, "ReportFinalized") == [
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
    assert world.registry.pending_report(project_id).status == 0
    assert world.registry.carry_g(project_id, 2025) == APRIL_G


def test_finalize__inside_window__reverts(world, pending):
    project_id, _ = pending
    boa.env.time_travel(seconds=3 * DAY - 1)
    with boa.reverts("registry: challenge window open"):
        world.registry.finalize(project_id)


def test_finalize__nothing_pending__reverts(world, project):
    project_id, _ = project
    with boa.reverts("registry: no pending report"):
        world.registry.finalize(project_id)


def test_finalize__paused__reverts(world, actors, pending):
    project_id, _ = pending
    boa.env.time_travel(seconds=3 * DAY)
    with boa.env.prank(actors.pauser):
        world.registry.pause()
    with boa.reverts("pausable: contract is paused"):
        world.registry.finalize(project_id)


def test_finalize__suspended_project__reverts(world, actors, pending):
    project_id, _ = pending
    boa.env.time_travel(seconds=3 * DAY)
    with boa.env.prank(actors.validator):
        world.registry.suspend_project(project_id, "audit")
    with boa.reverts("registry: project not approved"):
        world.registry.finalize(project_id)


def test_dispute__inside_window__marks_disputed_and_logs(world, actors, pending):
    project_id, _ = pending
    with boa.env.prank(actors.validator):
        world.registry.dispute(project_id, "meter tampering")
    assert events(world.registry, "ReportDisputed") == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "report_id": 1,
            "validator": actors.validator,
            "reason": "meter tampering",
        }
    ]
    assert world.registry.pending_report(project_id).status == 2
    boa.env.time_travel(seconds=3 * DAY)
    with boa.reverts("registry: report disputed"):
        world.registry.finalize(project_id)


def test_dispute__by_stranger__reverts(world, actors, pending):
    project_id, _ = pending
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a validator"):
        world.registry.dispute(project_id, "x")


def test_dispute__after_window__reverts(world, actors, pending):
    project_id, _ = pending
    boa.env.time_travel(seconds=3 * DAY)
    with boa.env.prank(actors.validator), boa.reverts("registry: challenge window over"):
        world.registry.dispute(project_id, "x")


def test_dispute__twice__reverts(world, actors, pending):
    project_id, _ = pending
    with boa.env.prank(actors.validator):
        world.registry.dispute(project_id, "x")
        with boa.reverts("registry: report disputed"):
            world.registry.dispute(project_id, "y")


def test_dispute__nothing_pending__reverts(world, actors, project):
    project_id, _ = project
    with boa.env.prank(actors.validator), boa.reverts("registry: no pending report"):
        world.registry.dispute(project_id, "x")


def _dispute(world, project_id):
    with boa.env.prank(world.actors.validator):
        world.registry.dispute(project_id, "check")


def test_resolve_dispute__uphold__finalizes_and_logs(world, actors, pending):
    project_id, _ = pending
    _dispute(world, project_id)
    with boa.env.prank(actors.validator):
        world.registry.resolve_dispute(project_id, True)
    resolved = events(world.registry, "DisputeResolved")
    finalized = events(world.registry, "ReportFinalized")
    assert resolved == [
        {
            "address": world.registry.address,
            "project_id": project_id,
            "report_id": 1,
            "validator": actors.validator,
            "upheld": True,
        }
    ]
    assert [e["reduction_g"] for e in finalized] == [APRIL_G]
    assert world.registry.carry_g(project_id, 2025) == APRIL_G
    assert world.registry.pending_report(project_id).status == 0


def test_resolve_dispute__reject__undoes_report_and_allows_resubmission(world, actors, pending):
    project_id, meters = pending
    _dispute(world, project_id)
    with boa.env.prank(actors.validator):
        world.registry.resolve_dispute(project_id, False)
    resolved = events(world.registry, "DisputeResolved")
    assert [e["upheld"] for e in resolved] == [False]
    assert events(world.registry, "ReportFinalized") == []
    assert world.registry.pending_report(project_id).status == 0
    assert world.registry.next_period_start(project_id) == FY2025_START
    for kind in (GENERATION, EXPORT):
        meter = world.registry.meters(meters[kind].address)
        assert (meter.last_timestamp, meter.last_cumulative_wh) == (FY2025_START, BASE[kind])
    assert world.registry.carry_g(project_id, 2025) == 0
    # The same data can be submitted again.
    set_window(world, 0)
    world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert world.registry.carry_g(project_id, 2025) == APRIL_G


def test_resolve_dispute__reject_after_meter_revoked__keeps_revoked_meter_untouched(
    world, actors, pending
):
    project_id, meters = pending
    _dispute(world, project_id)
    with boa.env.prank(actors.validator):
        world.registry.revoke_meter(meters[EXPORT].address)
        world.registry.resolve_dispute(project_id, False)
    generation = world.registry.meters(meters[GENERATION].address)
    assert (generation.last_timestamp, generation.last_cumulative_wh) == (
        FY2025_START,
        BASE[GENERATION],
    )
    assert world.registry.next_period_start(project_id) == FY2025_START


def test_resolve_dispute__not_disputed__reverts(world, actors, pending):
    project_id, _ = pending
    with boa.env.prank(actors.validator), boa.reverts("registry: report not disputed"):
        world.registry.resolve_dispute(project_id, True)


def test_resolve_dispute__by_stranger__reverts(world, actors, pending):
    project_id, _ = pending
    _dispute(world, project_id)
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a validator"):
        world.registry.resolve_dispute(project_id, False)


def test_resolve_dispute__uphold_while_paused__reverts_but_reject_works(world, actors, pending):
    project_id, _ = pending
    _dispute(world, project_id)
    with boa.env.prank(actors.pauser):
        world.registry.pause()
    with boa.env.prank(actors.validator):
        with boa.reverts("pausable: contract is paused"):
            world.registry.resolve_dispute(project_id, True)
        world.registry.resolve_dispute(project_id, False)
    assert world.registry.next_period_start(project_id) == FY2025_START


def test_window__change_does_not_move_pending_deadline(world, pending):
    project_id, _ = pending
    set_window(world, 0)
    with boa.reverts("registry: challenge window open"):
        world.registry.finalize(project_id)


def test_fiscal_year_change__new_token_id_and_fresh_carry(world, actors):
    start = FY2025_START - 31 * DAY  # 2025-03-01 JST, FY2024
    project_id, meters = world.monitored_project(
        baselines=BASE, start=start, crediting_start=start, commissioning=start
    )
    with boa.env.prank(actors.admin):
        world.registry.set_emission_factor(2024, 452000, 1711897200, FY2025_START)
    # March 2025: 1,000,000 Wh x 452,000 / 1e6 = 452,000 g in FY2024.
    march = {GENERATION: BASE[GENERATION] + 1_000_000, EXPORT: BASE[EXPORT]}
    world.submit(project_id, meters, FY2025_START, march, 1_000_000, 452_000, fiscal_year=2024)
    april = {GENERATION: march[GENERATION] + 1_000_000, EXPORT: BASE[EXPORT]}
    world.submit(project_id, meters, MAY_2025, april, 1_000_000, 434_000)
    assert world.registry.carry_g(project_id, 2024) == 452_000
    assert world.registry.carry_g(project_id, 2025) == 434_000
    assert world.credit.total_supply(token_id(project_id, 2024)) == 0


def test_report_ids__are_global_and_sequential(world, project):
    project_id, meters = project
    other_id, other_meters = world.monitored_project(baselines=BASE)
    assert world.submit(project_id, meters, MAY_2025, APRIL, APRIL_SC, APRIL_G) == 1
    assert world.submit(other_id, other_meters, MAY_2025, APRIL, APRIL_SC, APRIL_G) == 2
    assert world.submit(project_id, meters, JUNE_2025, MAY, MAY_SC, MAY_G) == 3
    assert world.registry.next_period_start(project_id) == JUNE_2025
    assert JULY_2025 > NOW - 30 * DAY  # fixture sanity: July is still in the future of NOW - 30 d
