"""Challenge window, finalize, dispute and its resolution, carry across reports."""

import boa

from tests.contracts.contract_world import (
    DAY,
    EXPORT,
    FY2025_START,
    GENERATION,
    JULY_2025,
    JUNE_2025,
    MAY_2025,
    NOW,
    events,
    token_id,
)
from tests.contracts.report_world import (
    APRIL,
    APRIL_G,
    APRIL_SC,
    BASE,
    MAY,
    MAY_G,
    MAY_SC,
    baseline_readings,
    set_window,
    start_monitoring,
)


def test_set_challenge_window__admin__sets_and_logs(world, actors):
    set_window(world, 3 * DAY)
    assert events(world.registry, "ChallengeWindowSet") == [
        {"address": world.registry.address, "seconds": 3 * DAY}
    ]
    assert world.registry.challenge_window() == 3 * DAY


def test_set_challenge_window__stranger__reverts(world, actors):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        world.registry.set_challenge_window(1)


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
        start_monitoring(
            world, project_id, baseline_readings(world, project_id, meters), start=MAY_2025
        )


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
