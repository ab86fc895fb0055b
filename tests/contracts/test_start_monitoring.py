"""start_monitoring: the first start, and the restart after a meter swap (no backdating, no
energy counted twice, none counted without its export)."""

import boa
import pytest

from tests.contracts.contract_world import (
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
from tests.contracts.report_world import APRIL, APRIL_G, APRIL_SC, BASE, with_proofs


def start(world, project_id, period_start, sender=None):
    with boa.env.prank(sender or world.actors.oracle):
        world.reports.start_monitoring(project_id, period_start)


def test_start__sets_the_first_period_start_and_logs(world):
    project = world.approved_project()
    start(world, project.project_id, FY2025_START)
    assert events(world.reports, "MonitoringStarted") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "period_start": FY2025_START,
            "epoch": 0,
        }
    ]
    assert world.reports.next_period_start(project.project_id) == FY2025_START
    assert world.reports.monitoring_epoch(project.project_id) == 0


def test_start__by_stranger__reverts(world, actors):
    project = world.approved_project()
    with boa.reverts("reports: not the project oracle"):
        start(world, project.project_id, FY2025_START, sender=actors.stranger)


def test_start__oracle_role_revoked__reverts(world, actors):
    project = world.approved_project()
    with boa.env.prank(actors.admin):
        world.registry.revoke_role(world.registry.ORACLE_ROLE(), actors.oracle)
    with boa.reverts("reports: not an ORACLE_ROLE"):
        start(world, project.project_id, FY2025_START)


def test_start__suspended_project__reverts(world, actors):
    project = world.approved_project()
    with boa.env.prank(actors.validator):
        world.registry.suspend_project(project.project_id, "audit")
    with boa.reverts("reports: project not approved"):
        start(world, project.project_id, FY2025_START)


def test_start__paused__reverts(world, actors):
    project = world.approved_project()
    with boa.env.prank(actors.pauser):
        world.reports.pause()
    with boa.reverts("pausable: contract is paused"):
        start(world, project.project_id, FY2025_START)


def test_start__before_crediting_start__reverts(world):
    project = world.approved_project()
    with boa.reverts("reports: before crediting start"):
        start(world, project.project_id, FY2025_START - 1)


def test_start__at_crediting_end__reverts(world):
    project = world.approved_project(crediting_end=FY2025_START + 10 * DAY)
    with boa.reverts("reports: after crediting end"):
        start(world, project.project_id, FY2025_START + 10 * DAY)


def _project_with_dates(world, actors, application: int, monitoring: int) -> int:
    """An approved G|E project registered with its own application and monitoring dates."""
    with boa.env.prank(actors.owner):
        project_id = world.registry.register_project(
            10_000, FY2025_START - DAY, application, monitoring, "EN-R-002", "ipfs://p"
        )
    with boa.env.prank(actors.validator):
        world.registry.approve_project(project_id)
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(project_id, actors.oracle)
    for kind in (GENERATION, EXPORT):
        meter = Meter(meter_key(project_id * 16 + kind))
        world.register_meter(project_id, meter, kind, serial=f"SN-D{project_id}-{kind}")
        world.approve_meter(meter)
    return project_id


@pytest.mark.parametrize("later", ["application", "monitoring"])
def test_start_monitoring__before_the_later_of_application_and_monitoring__reverts(
    world, actors, later
):
    """Monitoring possible since 1 April but applied for on 11 April (or the reverse): the
    crediting period, and so monitoring, starts on 11 April, not at the earlier date."""
    early, late = FY2025_START, FY2025_START + 10 * DAY
    dates = (late, early) if later == "application" else (early, late)
    project_id = _project_with_dates(world, actors, *dates)
    assert world.registry.projects(project_id).crediting_start == late
    with boa.reverts("reports: before crediting start"):
        start(world, project_id, early)
    with boa.reverts("reports: before crediting start"):
        start(world, project_id, late - 1)
    start(world, project_id, late)
    assert world.reports.next_period_start(project_id) == late


def test_start_monitoring__restart_at_crediting_end__reverts(world, actors):
    """A meter swap cannot restart monitoring at or after the crediting end; before it, it may."""
    project = world.monitored_project(baselines=BASE, crediting_end=JUNE_2025)
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[EXPORT].address)
    new_export = Meter(meter_key(4343))
    world.register_meter(project.project_id, new_export, EXPORT, serial="EX-END")
    world.approve_meter(new_export)
    with boa.reverts("reports: after crediting end"):
        start(world, project.project_id, JUNE_2025)
    start(world, project.project_id, JUNE_2025 - 1)
    assert world.reports.monitoring_epoch(project.project_id) == 1


def test_start__again_before_any_report__moves_the_start_forward(world):
    # No meter has a baseline yet: starting again is a restart (epoch 1), forward only.
    project = world.approved_project()
    start(world, project.project_id, FY2025_START)
    with boa.reverts("reports: before next period start"):
        start(world, project.project_id, FY2025_START - 1)
    start(world, project.project_id, FY2025_START + DAY)
    assert world.reports.next_period_start(project.project_id) == FY2025_START + DAY
    assert world.reports.monitoring_epoch(project.project_id) == 1


def test_start__again_when_every_meter_has_a_baseline__reverts(world, project):
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    with boa.reverts("reports: monitoring started"):
        start(world, project.project_id, MAY_2025)


def test_start__while_a_report_is_pending__reverts(world, pending, actors):
    project, _ = pending
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[EXPORT].address)
    with boa.reverts("reports: report pending"):
        start(world, project.project_id, MAY_2025)


# ---- meter swap --------------------------------------------------------------------------------


SWAP_REMOVED = MAY_2025 + 10 * DAY  # the old export meter's last reading: 11 May 00:00
SWAP_INSTALLED = SWAP_REMOVED + 3 * 3600  # the new export meter's first reading: 11 May 03:00


@pytest.fixture
def swapped(world, actors, project):
    """April reported and finalized; the export meter replaced on 11 May with a 3-hour gap."""
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    # 1-10 May ends at the old export meter's last reading: generation +800,000, export +200,000.
    boa.env.timestamp = JUNE_2025
    before = {GENERATION: APRIL[GENERATION] + 800_000, EXPORT: APRIL[EXPORT] + 200_000}
    world.finalize(world.submit(project, SWAP_REMOVED, before, 600_000, 260_400))
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[EXPORT].address)
    new_export = Meter(meter_key(4242))
    world.register_meter(project.project_id, new_export, EXPORT, serial="EX-NEW")
    world.approve_meter(new_export)
    project.meters[EXPORT] = new_export
    return project, before


def test_swap__restart_at_the_new_meters_first_reading__next_report_carries_every_start(
    world, swapped
):
    project, before = swapped
    start(world, project.project_id, SWAP_INSTALLED)
    assert world.reports.monitoring_epoch(project.project_id) == 1
    # Every meter's start is carried at 03:00: the generation meter's register there, the new
    # export meter's first register. 11 May 03:00 -> 1 June: generation +1,500,000, export
    # +400,000 on the new meter's own register (it starts at 7): 1,100,000 Wh self-consumed.
    gen_at_install = before[GENERATION] + 5_000
    project.start = SWAP_INSTALLED
    project.carried = {GENERATION: gen_at_install, EXPORT: 7}
    registers = {GENERATION: gen_at_install + 1_500_000, EXPORT: 400_007}
    world.submit(project, JUNE_2025, registers, 1_100_000, 477_400)
    (logged,) = events(world.reports, "ReportSubmitted")
    generation, export, *_ = logged["facts"].meters
    assert generation.carried_start and export.carried_start
    assert (generation.start_timestamp, export.start_timestamp) == (SWAP_INSTALLED, SWAP_INSTALLED)
    # The 3 hours between the two periods are credited to nobody: the generation meter's 5,000 Wh
    # then are not counted without the export they came with.
    assert logged["facts"].period_start == SWAP_INSTALLED


def test_swap__old_meter_baselines_void_after_restart(world, swapped):
    project, before = swapped
    start(world, project.project_id, SWAP_INSTALLED)
    # Reusing the generation meter's old baseline (its end on 11 May 00:00) is not possible: a
    # report without its carried start takes the end reading as a start reading, out of window.
    batches = [
        project.meters[GENERATION].reading(
            world.domain, project.project_id, JUNE_2025, before[GENERATION] + 1
        ),
        project.meters[EXPORT].reading(world.domain, project.project_id, SWAP_INSTALLED, 7),
        project.meters[EXPORT].reading(world.domain, project.project_id, JUNE_2025, 8),
    ]
    readings, root = with_proofs(batches)
    with boa.env.prank(world.actors.oracle), boa.reverts("reports: start reading outside window"):
        world.reports.submit_report(
            project.project_id, JUNE_2025, 2025, readings, root, "", 0, 0, False
        )


def test_swap__restart_before_the_next_period_start__reverts(world, swapped):
    project, _ = swapped
    with boa.reverts("reports: before next period start"):
        start(world, project.project_id, SWAP_REMOVED - 1)


def test_swap__no_backdating_needed(world, swapped):
    # The new meter's first signed reading is after the old meter's last one: with the restart it
    # is a valid start reading, where the old rules demanded a reading at or before the swap.
    project, _ = swapped
    start(world, project.project_id, SWAP_INSTALLED)
    assert world.reports.next_period_start(project.project_id) == SWAP_INSTALLED
    # The generation meter's last reading stays on chain (the 11 May 00:00 end) but no longer
    # counts as a baseline: it belongs to epoch 0.
    assert world.reports.last_reading(project.meters[GENERATION].address)[3] == 0
    assert world.reports.monitoring_epoch(project.project_id) == 1


QUICK_INSTALL = SWAP_REMOVED + 600  # a new export meter installed 10 minutes after the old one left


def quick_swap_readings(world, project, before, generation_start):
    """Restart readings 10 minutes after the swap: the generation meter's start reading at
    `generation_start` (timestamp, register), the new export meter's first register 7 at the
    restart; 1 June: generation at before + 1,500,000, export 400,007."""
    generation, export = project.meters[GENERATION], project.meters[EXPORT]
    batches = [
        generation.reading(world.domain, project.project_id, *generation_start),
        generation.reading(
            world.domain, project.project_id, JUNE_2025, before[GENERATION] + 1_500_000
        ),
        export.reading(world.domain, project.project_id, QUICK_INSTALL, 7),
        export.reading(world.domain, project.project_id, JUNE_2025, 400_007),
    ]
    return with_proofs(batches)


def submit_readings(world, project, readings, root, self_consumed_wh, reduction_g):
    with boa.env.prank(world.actors.oracle):
        return world.reports.submit_report(
            project.project_id, JUNE_2025, 2025, readings, root, "", self_consumed_wh,
            reduction_g, False,
        )  # fmt: skip


def test_swap__restart_within_an_interval__generation_start_before_its_last_reading_refused(
    world, swapped
):
    """Restarted 10 minutes after the old export meter's last reading (11 May 00:00, also the
    generation meter's last reported reading), the start-reading window (one interval, 30
    minutes) reaches back before it. The oracle picks the generation meter's reading at 10 May
    23:50 (2,000 Wh lower), hoping to count those 10 minutes a second time: 1,502,000 - 400,000
    = 1,102,000 Wh, 478,268 g. Refused."""
    project, before = swapped
    start(world, project.project_id, QUICK_INSTALL)
    stale = (SWAP_REMOVED - 600, before[GENERATION] - 2_000)
    readings, root = quick_swap_readings(world, project, before, stale)
    with boa.reverts("reports: start before meter's last reading"):
        submit_readings(world, project, readings, root, 1_102_000, 478_268)
    assert world.reports.pending_report(project.project_id).status == 0
    assert world.reports.last_reading(project.meters[GENERATION].address) == (
        SWAP_REMOVED,
        before[GENERATION],
        1,
        0,
    )


def test_swap__restart_within_an_interval__generation_start_at_the_restart_accepted(world, swapped):
    """The honest report of the same restart: the generation meter's reading at the restart
    (1,000 Wh after its last reported one): 1,499,000 - 400,000 = 1,099,000 Wh x 434,000 / 1e6 =
    476,966 g."""
    project, before = swapped
    start(world, project.project_id, QUICK_INSTALL)
    at_restart = (QUICK_INSTALL, before[GENERATION] + 1_000)
    readings, root = quick_swap_readings(world, project, before, at_restart)
    submit_readings(world, project, readings, root, 1_099_000, 476_966)
    (logged,) = events(world.reports, "ReportSubmitted")
    generation, export, *_ = logged["facts"].meters
    assert (generation.start_timestamp, generation.start_cumulative_wh) == at_restart
    assert (export.start_timestamp, export.start_cumulative_wh) == (QUICK_INSTALL, 7)
    assert generation.carried_start and export.carried_start
    assert logged["facts"].period_start == QUICK_INSTALL
