"""The attacks that broke the old single-Registry contracts, replayed as the attacker would with
genuine signatures; each is now refused or undone.

1. stale reading choice, 2. stale baseline, 3. void at will, 4. meter squatting, 5. stuck project,
6. governance gaps, 7. replacement that forced backdating.
"""

from pathlib import Path

import boa
import pytest
from eth_utils import keccak

from tests.contracts.contract_world import (
    CERT_EXPIRY,
    DAY,
    EXPORT,
    FY2025_START,
    GENERATION,
    INTERVAL,
    JUNE_2025,
    MAY_2025,
    MIN_BOND,
    Project,
    events,
    meter_key,
    token_id,
)
from tests.contracts.meter_signing import Meter
from tests.contracts.month_data import boundary_readings, month
from tests.contracts.report_world import APRIL, submit_raw, with_proofs

# Attack 1's plant: 1.5 MWh generated and 1 MWh exported in April (a 10 kW plant, the largest
# that may meter by difference).


# ---- 1. stale reading choice ------------------------------------------------------------------


def test_attack_1__export_end_from_the_first_half_hour__refused(world):
    """The oracle sends the generation meter's reading at the period end but the export meter's
    from 00:30 on 1 April, hoping to credit 1.5 - 0.0007 MWh instead of 0.5 MWh (x3)."""
    project = world.monitored_project()
    generation = project.meters[GENERATION]
    export = project.meters[EXPORT]
    batches = [
        generation.reading(world.domain, project.project_id, FY2025_START, 0),
        generation.reading(world.domain, project.project_id, MAY_2025, 1_500_000),
        export.reading(world.domain, project.project_id, FY2025_START, 0),
        export.reading(world.domain, project.project_id, FY2025_START + INTERVAL, 694),
    ]
    readings, root = with_proofs(batches)
    claim = 1_500_000 - 694
    with boa.reverts("reports: end reading outside window"):
        submit_raw(world, project, readings, root, sc=claim, g=claim * 434_000 // 10**6)


def test_attack_1__the_held_back_export_cannot_hide_in_a_void_period(world):
    """The follow-up move, a short void period after it, needs a proven violation."""
    project = world.monitored_project()
    registers = {GENERATION: 1_000, EXPORT: 0}
    with boa.reverts("reports: void without a recorded violation"):
        world.submit(project, FY2025_START + INTERVAL, registers, 0, 0, void=True)


# ---- 2. stale baseline ------------------------------------------------------------------------


def test_attack_2__baseline_read_at_commissioning__refused(world):
    """A baseline from commissioning (a month before the crediting start) would credit a
    month of generation that is not in the crediting period."""
    project = world.monitored_project(commissioning=FY2025_START - 30 * DAY)
    batches = []
    for kind, meter in project.meters.items():
        batches.append(meter.reading(world.domain, project.project_id, FY2025_START - 30 * DAY, 0))
        batches.append(meter.reading(world.domain, project.project_id, MAY_2025, APRIL[kind]))
    readings, root = with_proofs(batches)
    with boa.reverts("reports: start reading outside window"):
        submit_raw(world, project, readings, root)


def test_attack_2__early_baseline_of_a_replacement_meter__cannot_count_april_twice(world, actors):
    """After April is reported, a replacement meter's reading from 1 April cannot become the
    baseline of the next period: a restart is only at or after the next period start, and a
    start reading must lie within one interval before it."""
    project = world.monitored_project()
    world.finalize(world.submit(project, MAY_2025, APRIL, 2_116_356, 918_498))
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[GENERATION].address)
    replacement = Meter(meter_key(31337))
    world.register_meter(project.project_id, replacement, GENERATION, serial="PV-NEW")
    world.approve_meter(replacement)
    with boa.env.prank(actors.oracle), boa.reverts("reports: before next period start"):
        world.reports.start_monitoring(project.project_id, FY2025_START)
    with boa.env.prank(actors.oracle):
        world.reports.start_monitoring(project.project_id, MAY_2025)
    project.meters[GENERATION] = replacement
    batches = [
        replacement.reading(world.domain, project.project_id, FY2025_START, 0),
        replacement.reading(world.domain, project.project_id, JUNE_2025, 5_000_000),
    ]
    for ts, wh in ((MAY_2025, APRIL[EXPORT]), (JUNE_2025, APRIL[EXPORT] + 1)):
        batches.append(project.meters[EXPORT].reading(world.domain, project.project_id, ts, wh))
    readings, root = with_proofs(batches)
    boa.env.timestamp = JUNE_2025 + DAY
    with boa.reverts("reports: start reading outside window"):
        submit_raw(world, project, readings, root, end=JUNE_2025)


# ---- 3. void at will --------------------------------------------------------------------------


def test_attack_3__month_with_an_interval_above_capacity_claimed_valid__undone(world, actors):
    """The methodology voids a month with a 30-minute interval above capacity; claiming it as a
    normal month is proven wrong by anyone and costs the oracle its bond."""
    project = world.monitored_project()
    spike = FY2025_START + 5 * DAY + 20 * INTERVAL
    data = month(
        world, project, FY2025_START, MAY_2025, {GENERATION: 0, EXPORT: 0},
        {GENERATION: 2_000, EXPORT: 1_000}, {GENERATION: {spike: 4_000}},
    )  # fmt: skip
    readings, root = boundary_readings(data, carried=True)
    claim = 1_440 * 1_000 + 4_000
    submit_raw(world, project, readings, root, sc=claim, g=claim * 434_000 // 10**6)
    (logged,) = events(world.reports, "ReportSubmitted")
    day = data.batch_holding(GENERATION, spike)
    i = day.index_of(spike)
    with boa.env.prank(actors.challenger):
        world.proofs.prove_interval(logged["facts"], ([day.data()], i - 1, i))
    assert world.reports.pending_report(project.project_id).status == 0
    assert boa.env.get_balance(actors.challenger) == MIN_BOND


def test_attack_3__good_month_voided__refused(world):
    """Voiding a good month (to destroy its credits) needs a proven violation inside it."""
    project = world.monitored_project(baselines={GENERATION: 0, EXPORT: 0})
    with boa.reverts("reports: void without a recorded violation"):
        world.submit(project, MAY_2025, APRIL, 0, 0, void=True)


# ---- 4. meter squatting -----------------------------------------------------------------------


def test_attack_4__outsider_registers_a_victims_meter__refused(world, actors):
    victim = Meter(meter_key(555))
    throwaway = world.register_project(owner=actors.stranger)
    # The outsider has no signature of the meter for its project: any signature it can make is
    # its own, or the victim meter's consent for another project or owner.
    signature = victim.sign_registration(world.domain, 1, actors.owner, "VICTIM-1")
    with boa.env.prank(actors.stranger), boa.reverts("registry: meter did not sign registration"):
        world.registry.register_meter(
            throwaway, victim.address, GENERATION, "VICTIM-1", 2**40, INTERVAL, signature
        )
    # The victim's own registration still goes through.
    project = world.register_project()
    world.register_meter(project, victim, GENERATION, serial="VICTIM-1")
    assert world.registry.meters(victim.address).project_id == project


def test_attack_4__one_serial_in_two_projects__only_one_approved(world, actors):
    """One physical meter (one serial) behind two keys in two projects would have its energy
    credited twice. Both may register (a serial is only signed by the key registering it, so
    refusing the second would let a squatter block the real meter), but a validator approves the
    serial once: the second approval is refused, and a third registration too."""
    first = world.register_project()
    second = world.register_project(owner=actors.stranger)
    one, two = Meter(meter_key(556)), Meter(meter_key(557))
    world.register_meter(first, one, GENERATION, serial="SN-DUP")
    world.register_meter(second, two, GENERATION, serial="SN-DUP", owner=actors.stranger)
    world.approve_meter(one)
    (approved,) = events(world.registry, "MeterApproved")
    assert (approved["meter"], approved["project_id"]) == (one.address, first)
    with boa.env.prank(actors.second_validator), boa.reverts("registry: serial registered"):
        world.registry.approve_meter(two.address, CERT_EXPIRY)
    with boa.reverts("registry: serial registered"):
        world.register_meter(
            second, Meter(meter_key(558)), EXPORT, serial="SN-DUP", owner=actors.stranger
        )
    assert world.registry.serial_meter(keccak(b"SN-DUP")) == one.address
    assert world.registry.projects(first).active_meter_kinds == GENERATION
    assert world.registry.projects(second).active_meter_kinds == 0


# ---- 5. stuck project -------------------------------------------------------------------------

OWNER_CONTRACT = Path(__file__).with_name("project_owner.vy")


def test_attack_5__owner_contract_refusing_credits__project_not_stuck(world, actors):
    owner = boa.load(str(OWNER_CONTRACT))
    project_id = owner.register(
        world.registry.address, 10_000, FY2025_START - DAY, FY2025_START, FY2025_START
    )
    with boa.env.prank(actors.validator):
        world.registry.approve_project(project_id)
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(project_id, actors.oracle)
    meters = {}
    for kind in (GENERATION, EXPORT):
        meter = Meter(meter_key(9000 + kind))
        serial = f"OWNED-{kind}"
        signature = meter.sign_registration(world.domain, project_id, owner.address, serial)
        owner.register_meter(
            world.registry.address, project_id, meter.address, kind, serial, 2**40, signature
        )
        world.approve_meter(meter, expiry=2**40)
        meters[kind] = meter
    with boa.env.prank(actors.oracle):
        world.reports.start_monitoring(project_id, FY2025_START)
    project = Project(project_id, meters, FY2025_START, {GENERATION: 0, EXPORT: 0})
    # 2,116,356 Wh x 434,000 / 1e6 = 918,498 g; then May adds 2,000,000 Wh: 1,786,498 g -> 1 t.
    world.finalize(world.submit(project, MAY_2025, APRIL, 2_116_356, 918_498))
    boa.env.timestamp = JUNE_2025 + DAY
    may = {GENERATION: APRIL[GENERATION] + 2_500_000, EXPORT: APRIL[EXPORT] + 500_000}
    world.finalize(world.submit(project, JUNE_2025, may, 2_000_000, 868_000))
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["minted_t"], finalized["accrued"], finalized["recipient"]) == (
        1,
        True,
        owner.address,
    )
    tid = token_id(project_id, 2025)
    assert world.reports.claimable(owner.address, tid) == 1
    owner.claim(world.reports.address, tid, actors.holder)
    (claimed,) = events(owner, "CreditsClaimed")
    assert (claimed["token_id"], claimed["recipient"], claimed["amount"]) == (tid, actors.holder, 1)
    assert world.credit.balanceOf(actors.holder, tid) == 1
    assert world.reports.claimable(owner.address, tid) == 0


# ---- 6. governance gaps -----------------------------------------------------------------------


def test_attack_6__one_validator_disputes_and_upholds_at_once__refused(world, pending, actors):
    project, submission = pending
    with boa.env.prank(actors.validator):
        world.reports.dispute(project.project_id, "looks fine to me")
        with boa.reverts("reports: disputer upholds after the window"):
            world.reports.resolve_dispute(submission.facts, True)


def test_attack_6__endless_challenge_window__refused(world, actors):
    with boa.env.prank(actors.admin), boa.reverts("reports: window out of bounds"):
        world.reports.set_challenge_window(2**64 - 1)


def test_attack_6__dispute_nobody_resolves__expires_and_undoes(world, pending, actors):
    project, submission = pending
    with boa.env.prank(actors.validator):
        world.reports.dispute(project.project_id, "freeze")
    boa.env.time_travel(seconds=14 * DAY)
    with boa.env.prank(actors.stranger):
        world.reports.expire_dispute(submission.facts)
    assert world.reports.pending_report(project.project_id).status == 0


def test_attack_6__a_second_minter_on_the_same_credit__refused(world, actors):
    other_reports = boa.loads("@external\ndef noop():\n    pass\n")
    with boa.env.prank(actors.admin), boa.reverts("credit: registry already bound"):
        world.credit.bind_registry(other_reports.address)
    with boa.env.prank(other_reports.address), boa.reverts("credit: caller is not the registry"):
        world.credit.mint(actors.stranger, token_id(1, 2025), 1)


def test_attack_6__old_admins_roles_do_not_survive_the_hand_over(world, actors):
    new_admin = boa.env.generate_address("new admin")
    with boa.env.prank(actors.admin):
        world.registry.grant_role(world.registry.PAUSER_ROLE(), actors.admin)
    boa.env.time_travel(seconds=2 * DAY)
    world.registry.activate_role(world.registry.PAUSER_ROLE(), actors.admin)
    with boa.env.prank(actors.admin):
        world.registry.transfer_ownership(new_admin)
    with boa.env.prank(new_admin):
        world.registry.accept_ownership()
    assert not world.registry.has_role(world.registry.PAUSER_ROLE(), actors.admin)


@pytest.mark.parametrize("role", ["VALIDATOR_ROLE", "ORACLE_ROLE"])
def test_attack_6__admin_makes_itself_validator_or_oracle__refused(world, actors, role):
    with boa.env.prank(actors.admin), boa.reverts("roles: admin cannot hold this role"):
        world.registry.grant_role(getattr(world.registry, role)(), actors.admin)


def test_attack_6__plant_of_2_64_watts__refused(world, actors):
    with boa.env.prank(actors.owner), boa.reverts("registry: capacity too large"):
        world.registry.register_project(
            2**64 - 1, FY2025_START - DAY, FY2025_START, FY2025_START, "EN-R-002", ""
        )


# ---- 7. replacement without backdating --------------------------------------------------------


def test_attack_7__new_meter_reports_from_its_first_reading(world, actors):
    """(The full swap is in test_start_monitoring.py.) The honestly installed new meter never
    needs a reading from before it existed: monitoring restarts at its first reading."""
    project = world.monitored_project()
    world.finalize(world.submit(project, MAY_2025, APRIL, 2_116_356, 918_498))
    with boa.env.prank(actors.owner):
        world.registry.revoke_meter(project.meters[EXPORT].address)
    new = Meter(meter_key(4343))
    world.register_meter(project.project_id, new, EXPORT, serial="EX-2")
    world.approve_meter(new)
    installed = MAY_2025 + 3 * DAY + 3600
    with boa.env.prank(actors.oracle):
        world.reports.start_monitoring(project.project_id, installed)
    project.meters[EXPORT] = new
    project.start, project.carried = installed, {GENERATION: APRIL[GENERATION] + 90_000, EXPORT: 0}
    boa.env.timestamp = JUNE_2025 + DAY
    registers = {GENERATION: APRIL[GENERATION] + 90_000 + 2_000_000, EXPORT: 500_000}
    world.submit(project, JUNE_2025, registers, 1_500_000, 651_000)
    assert world.reports.pending_report(project.project_id).status == 1
