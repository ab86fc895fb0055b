"""Oracle bonds on MonitoringReports: posting, leaving (refused while assigned to any project,
then UNBOND_DELAY = 44 days), the Registry refusing an unbonded oracle, and `slash` / `refute`
reserved to FraudProofs (slashing itself is exercised by the fraud-proof tests)."""

import boa
import pytest

from tests.contracts.contract_world import DAY, MAY_2025, MIN_BOND, ZERO_ADDRESS, events
from tests.contracts.report_world import APRIL, APRIL_G, APRIL_SC

UNBOND_DELAY = 44 * DAY  # 30-day longest window + 14-day dispute timeout
DISPUTE_TIMEOUT = 14 * DAY
ADMIN_DELAY = 2 * DAY


def post(world, account, value):
    boa.env.set_balance(account, boa.env.get_balance(account) + value)
    with boa.env.prank(account):
        world.reports.post_bond(value=value)


def request_unbond(world, account):
    with boa.env.prank(account):
        world.reports.request_unbond()


def withdraw(world, account):
    with boa.env.prank(account):
        world.reports.withdraw_bond()


def grant_oracle_role(world, name):
    account = boa.env.generate_address(name)
    with boa.env.prank(world.actors.admin):
        world.registry.grant_role(world.registry.ORACLE_ROLE(), account)
    boa.env.time_travel(seconds=ADMIN_DELAY)
    world.registry.activate_role(world.registry.ORACLE_ROLE(), account)
    return account


def assign(world, project_id, oracle):
    with boa.env.prank(world.actors.admin):
        world.registry.set_project_oracle(project_id, oracle)


# ---- post_bond --------------------------------------------------------------------------------


def test_post_bond__adds_to_the_bond_and_logs_the_total(world, actors):
    held = boa.env.get_balance(world.reports.address)
    post(world, actors.oracle, MIN_BOND // 2)
    assert events(world.reports, "BondPosted") == [
        {
            "address": world.reports.address,
            "oracle": actors.oracle,
            "amount": MIN_BOND // 2,
            "total": MIN_BOND * 3 // 2,
        }
    ]
    assert world.reports.bond_of(actors.oracle) == (MIN_BOND * 3 // 2, 0)
    assert boa.env.get_balance(world.reports.address) == held + MIN_BOND // 2


def test_post_bond__first_bond_of_min_bond__bonded(world, actors):
    assert not world.reports.is_bonded(actors.challenger)
    post(world, actors.challenger, MIN_BOND)
    assert events(world.reports, "BondPosted")[0]["total"] == MIN_BOND
    assert world.reports.is_bonded(actors.challenger)
    assert world.reports.min_bond() == MIN_BOND


def test_post_bond__below_min_bond__not_bonded_until_topped_up(world, actors):
    post(world, actors.challenger, MIN_BOND - 1)
    assert not world.reports.is_bonded(actors.challenger)
    post(world, actors.challenger, 1)
    assert world.reports.is_bonded(actors.challenger)


def test_post_bond__zero__reverts(world, actors):
    with boa.env.prank(actors.oracle), boa.reverts("reports: zero bond"):
        world.reports.post_bond(value=0)
    assert world.reports.bond_of(actors.oracle) == (MIN_BOND, 0)


# ---- request_unbond ---------------------------------------------------------------------------


def test_request_unbond__assigned_to_an_approved_project__reverts(world, actors, project):
    with boa.reverts("reports: oracle still assigned"):
        request_unbond(world, actors.oracle)
    assert world.reports.is_bonded(actors.oracle)


def test_request_unbond__assigned_to_a_pending_project__reverts(world, actors):
    assign(world, world.register_project(), actors.oracle)
    with boa.reverts("reports: oracle still assigned"):
        request_unbond(world, actors.oracle)


def test_request_unbond__after_its_last_project_is_reassigned__starts_leaving(world, actors):
    first, second = world.register_project(), world.register_project()
    assign(world, first, actors.oracle)
    assign(world, second, actors.oracle)
    other = grant_oracle_role(world, "second_oracle")
    post(world, other, MIN_BOND)
    assign(world, first, other)
    with boa.reverts("reports: oracle still assigned"):
        request_unbond(world, actors.oracle)
    assign(world, second, other)
    assert world.registry.oracle_assignments(actors.oracle) == 0
    now = boa.env.timestamp
    request_unbond(world, actors.oracle)
    assert events(world.reports, "UnbondRequested") == [
        {
            "address": world.reports.address,
            "oracle": actors.oracle,
            "available_at": now + UNBOND_DELAY,
        }
    ]
    assert world.reports.bond_of(actors.oracle) == (MIN_BOND, now + UNBOND_DELAY)
    assert not world.reports.is_bonded(actors.oracle)
    assert world.reports.UNBOND_DELAY() == UNBOND_DELAY


def test_request_unbond__twice__reverts(world, actors):
    post(world, actors.challenger, MIN_BOND)
    request_unbond(world, actors.challenger)
    with boa.reverts("reports: already unbonding"):
        request_unbond(world, actors.challenger)


def test_request_unbond__no_bond__reverts(world, actors):
    with boa.reverts("reports: no bond"):
        request_unbond(world, actors.stranger)


# ---- withdraw_bond ----------------------------------------------------------------------------


def test_withdraw_bond__one_second_before_the_delay__reverts(world, actors):
    post(world, actors.challenger, MIN_BOND)
    request_unbond(world, actors.challenger)
    boa.env.time_travel(seconds=UNBOND_DELAY - 1)
    with boa.reverts("reports: bond still locked"):
        withdraw(world, actors.challenger)
    assert world.reports.bond_of(actors.challenger)[0] == MIN_BOND


def test_withdraw_bond__after_the_delay__pays_the_whole_bond_and_logs(world, actors):
    post(world, actors.challenger, MIN_BOND)
    post(world, actors.challenger, MIN_BOND // 4)
    request_unbond(world, actors.challenger)
    boa.env.time_travel(seconds=UNBOND_DELAY)
    before = boa.env.get_balance(actors.challenger)
    held = boa.env.get_balance(world.reports.address)
    withdraw(world, actors.challenger)
    assert events(world.reports, "BondWithdrawn") == [
        {
            "address": world.reports.address,
            "oracle": actors.challenger,
            "amount": MIN_BOND * 5 // 4,
        }
    ]
    assert boa.env.get_balance(actors.challenger) == before + MIN_BOND * 5 // 4
    assert boa.env.get_balance(world.reports.address) == held - MIN_BOND * 5 // 4
    assert world.reports.bond_of(actors.challenger) == (0, 0)
    with boa.reverts("reports: not unbonding"):
        withdraw(world, actors.challenger)


def test_withdraw_bond__not_unbonding__reverts(world, actors):
    with boa.reverts("reports: not unbonding"):
        withdraw(world, actors.oracle)
    assert world.reports.bond_of(actors.oracle) == (MIN_BOND, 0)


def test_post_bond__while_unbonding__reverts_and_the_leaving_bond_is_unchanged(world, actors):
    """A top-up while leaving would leave with the bond: refused, and the withdrawal after the
    delay pays exactly what was bonded when the oracle asked to leave."""
    post(world, actors.challenger, MIN_BOND)
    now = boa.env.timestamp
    request_unbond(world, actors.challenger)
    held = boa.env.get_balance(world.reports.address)
    boa.env.set_balance(actors.challenger, MIN_BOND)
    with boa.env.prank(actors.challenger), boa.reverts("reports: already unbonding"):
        world.reports.post_bond(value=MIN_BOND)
    assert world.reports.bond_of(actors.challenger) == (MIN_BOND, now + UNBOND_DELAY)
    assert not world.reports.is_bonded(actors.challenger)
    assert boa.env.get_balance(world.reports.address) == held
    assert boa.env.get_balance(actors.challenger) == MIN_BOND
    boa.env.time_travel(seconds=UNBOND_DELAY)
    withdraw(world, actors.challenger)
    assert events(world.reports, "BondWithdrawn")[0]["amount"] == MIN_BOND


def test_withdraw_bond__then_bond_again__can_be_assigned_again(world, actors):
    post(world, actors.challenger, MIN_BOND)
    request_unbond(world, actors.challenger)
    boa.env.time_travel(seconds=UNBOND_DELAY)
    withdraw(world, actors.challenger)
    post(world, actors.challenger, MIN_BOND)
    assert world.reports.bond_of(actors.challenger) == (MIN_BOND, 0)
    assert world.reports.is_bonded(actors.challenger)


# ---- the Registry only assigns bonded oracles -------------------------------------------------


def test_set_project_oracle__oracle_role_without_bond__reverts(world, actors):
    project_id = world.register_project()
    candidate = grant_oracle_role(world, "unbonded_oracle")
    with boa.env.prank(actors.admin), boa.reverts("registry: oracle not bonded"):
        world.registry.set_project_oracle(project_id, candidate)


def test_set_project_oracle__bond_below_minimum__reverts(world, actors):
    project_id = world.register_project()
    candidate = grant_oracle_role(world, "thin_oracle")
    post(world, candidate, MIN_BOND - 1)
    with boa.env.prank(actors.admin), boa.reverts("registry: oracle not bonded"):
        world.registry.set_project_oracle(project_id, candidate)
    post(world, candidate, 1)
    assign(world, project_id, candidate)
    assert world.registry.projects(project_id).oracle == candidate


def test_set_project_oracle__oracle_unbonding__reverts(world, actors):
    project_id = world.register_project()
    request_unbond(world, actors.oracle)  # the deployment's oracle, assigned nowhere yet
    with boa.env.prank(actors.admin), boa.reverts("registry: oracle not bonded"):
        world.registry.set_project_oracle(project_id, actors.oracle)
    assert world.registry.oracle_assignments(actors.oracle) == 0


# ---- slash and refute: FraudProofs only -------------------------------------------------------


@pytest.mark.parametrize("caller", ["stranger", "admin", "validator", "oracle", "challenger"])
def test_slash__not_fraud_proofs__reverts(world, actors, caller):
    with boa.env.prank(getattr(actors, caller)), boa.reverts("reports: caller is not fraud proofs"):
        world.reports.slash(actors.oracle, getattr(actors, caller))
    assert world.reports.bond_of(actors.oracle) == (MIN_BOND, 0)


@pytest.mark.parametrize("caller", ["stranger", "admin", "validator", "oracle", "challenger"])
def test_refute__not_fraud_proofs__reverts(world, actors, pending, caller):
    project, april = pending
    with boa.env.prank(getattr(actors, caller)), boa.reverts("reports: caller is not fraud proofs"):
        world.reports.refute(april.facts)
    assert world.reports.pending_report(project.project_id).status == 1


# ---- the bond outlives every report of the oracle ---------------------------------------------


@pytest.mark.parametrize("leaving", ["reassigned", "unassigned"])
def test_withdraw_bond__report_disputed_at_the_last_second__nothing_finalizes_once_it_is_gone(
    world, actors, project, leaving
):
    """The tightest case: the longest window (30 days), the oracle taken off the project and
    asking for its bond back the moment it submits, a validator disputing in the window's last
    second. The dispute can be settled until 30 d - 1 s + 14 d, while the bond is still locked
    (UNBOND_DELAY = 44 d); once the bond can be withdrawn, upholding and rejecting are refused
    ("reports: dispute expired"), finalizing too, and only expiring the dispute undoes the report:
    nothing is ever credited that a fraud proof could no longer take the bond for."""
    if leaving == "reassigned":
        other = grant_oracle_role(world, "second_oracle")
        post(world, other, MIN_BOND)
    with boa.env.prank(actors.admin):
        world.reports.set_challenge_window(30 * DAY)
    submitted_at = boa.env.timestamp
    april = world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert april.facts.challenge_deadline == submitted_at + 30 * DAY
    assign(world, project.project_id, other if leaving == "reassigned" else ZERO_ADDRESS)
    assert world.registry.oracle_assignments(actors.oracle) == 0
    request_unbond(world, actors.oracle)
    assert world.reports.bond_of(actors.oracle) == (MIN_BOND, submitted_at + UNBOND_DELAY)
    boa.env.timestamp = submitted_at + 30 * DAY - 1
    with boa.env.prank(actors.validator):
        world.reports.dispute(project.project_id, "check the meters")
    last_second_to_settle = submitted_at + 30 * DAY - 1 + DISPUTE_TIMEOUT - 1
    assert last_second_to_settle < submitted_at + UNBOND_DELAY

    with boa.env.anchor():
        boa.env.timestamp = last_second_to_settle
        with boa.reverts("reports: bond still locked"):
            withdraw(world, actors.oracle)
        with boa.env.prank(actors.second_validator):
            world.reports.resolve_dispute(april.facts, True)
        assert events(world.reports, "ReportFinalized")[0]["report_id"] == april.report_id

    boa.env.timestamp = submitted_at + UNBOND_DELAY
    withdraw(world, actors.oracle)
    assert events(world.reports, "BondWithdrawn")[0]["amount"] == MIN_BOND
    assert world.reports.bond_of(actors.oracle) == (0, 0)
    for uphold in (True, False):
        with boa.env.prank(actors.second_validator), boa.reverts("reports: dispute expired"):
            world.reports.resolve_dispute(april.facts, uphold)
    with boa.env.prank(actors.stranger), boa.reverts("reports: report disputed"):
        world.reports.finalize(april.facts)
    with boa.env.prank(actors.stranger):
        world.reports.expire_dispute(april.facts)
    assert events(world.reports, "ReportUndone") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "report_id": april.report_id,
            "reason": 2,
        }
    ]
    assert world.reports.carry_g(project.project_id, 2025) == 0
