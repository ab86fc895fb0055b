"""After submission: the challenge window, finalization with the facts the ReportSubmitted event
logged (credits to the owner, or accrued for an owner that is a contract), the validators'
dispute and its resolution, the dispute timeout, undoing a report exactly, report ids and the
per-fiscal-year carry.

Hand-computed numbers (report_world): April 434,000 g (0 t, all carried); May 868,000 g, with
April's carry 1,302,000 g: 1 t minted, 302,000 g carried."""

import boa
import pytest

from tests.contracts.contract_world import (
    DAY,
    EXPORT,
    FY2025_START,
    GENERATION,
    JULY_2025,
    JUNE_2025,
    MAY_2025,
    NOW,
    SELF_CONSUMPTION,
    WINDOW,
    ZERO_ADDRESS,
    Project,
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
)

DEADLINE = NOW + WINDOW  # the pending April report's
TIMEOUT = 14 * DAY
MARCH_2025 = 1740754800  # 2025-03-01T00:00+09:00, fiscal year 2024
FY2024_START = 1711897200
FACTOR_2024 = 452_000
TOKEN_2025 = token_id(1, 2025)  # the fixtures' project is project 1

REFUSING_OWNER = """
# pragma version ~=0.4.3
# A project owner that is a contract and refuses ERC-1155 in its receiver hook.

interface IRegistryLike:
    def accept_project(project_id: uint256): nonpayable

interface IReportsLike:
    def claim(token_id: uint256, recipient: address): nonpayable

@external
def accept_project(registry: address, project_id: uint256):
    extcall IRegistryLike(registry).accept_project(project_id)

@external
def claim(reports: address, token_id: uint256, recipient: address):
    extcall IReportsLike(reports).claim(token_id, recipient)

@external
def onERC1155Received(
    operator: address, owner: address, id: uint256, amount: uint256, data: Bytes[1024]
) -> bytes4:
    raise "owner: refuses ERC-1155"
"""


def finalize(world, facts, sender=None):
    with boa.env.prank(sender or world.actors.stranger):
        world.reports.finalize(facts)


def dispute(world, project_id, validator=None, reason="meter tampering"):
    with boa.env.prank(validator or world.actors.validator):
        world.reports.dispute(project_id, reason)


def resolve(world, facts, uphold, validator=None):
    with boa.env.prank(validator or world.actors.validator):
        world.reports.resolve_dispute(facts, uphold)


def set_window(world, seconds, sender=None):
    with boa.env.prank(sender or world.actors.admin):
        world.reports.set_challenge_window(seconds)


def at(timestamp):
    boa.env.timestamp = timestamp


def no_report(world, project_id):
    return world.reports.pending_report(project_id) == (0, 0, 0, b"\x00" * 32, ZERO_ADDRESS, 0)


def refusing_owner_of(world, project_id):
    """Moves the project to a contract owner whose onERC1155Received reverts."""
    owner_contract = boa.loads(REFUSING_OWNER)
    with boa.env.prank(world.actors.owner):
        world.registry.transfer_project(project_id, owner_contract.address)
    owner_contract.accept_project(world.registry.address, project_id)
    assert world.registry.project_owner(project_id) == owner_contract.address
    return owner_contract


# ---- challenge window -------------------------------------------------------------------------


def test_set_challenge_window__admin__sets_and_logs(world):
    set_window(world, 3 * DAY)
    assert events(world.reports, "ChallengeWindowSet") == [
        {"address": world.reports.address, "seconds": 3 * DAY}
    ]
    assert world.reports.challenge_window() == 3 * DAY


@pytest.mark.parametrize("seconds", [3600, 30 * DAY])
def test_set_challenge_window__at_bounds__accepted(world, seconds):
    set_window(world, seconds)
    assert world.reports.challenge_window() == seconds


def test_challenge_window__constants(world):
    assert (
        world.reports.MIN_CHALLENGE_WINDOW(),
        world.reports.MAX_CHALLENGE_WINDOW(),
        world.reports.DISPUTE_TIMEOUT(),
    ) == (3600, 30 * DAY, 14 * DAY)
    assert (
        world.reports.UNDONE_REJECTED(),
        world.reports.UNDONE_DISPUTE_EXPIRED(),
        world.reports.UNDONE_FRAUD_PROVEN(),
    ) == (1, 2, 3)


@pytest.mark.parametrize("seconds", [0, 3599, 30 * DAY + 1, 2**64 - 1])
def test_set_challenge_window__out_of_bounds__reverts(world, seconds):
    with boa.reverts("reports: window out of bounds"):
        set_window(world, seconds)
    assert world.reports.challenge_window() == WINDOW


@pytest.mark.parametrize("caller", ["stranger", "validator", "pauser", "oracle", "owner"])
def test_set_challenge_window__not_the_registry_admin__reverts(world, actors, caller):
    with boa.reverts("reports: caller is not the admin"):
        set_window(world, 3 * DAY, sender=getattr(actors, caller))


def test_set_challenge_window__after_admin_handover__only_the_new_admin(world, actors):
    new_admin = boa.env.generate_address("new_admin")
    with boa.env.prank(actors.admin):
        world.registry.transfer_ownership(new_admin)
    with boa.env.prank(new_admin):
        world.registry.accept_ownership()
    with boa.reverts("reports: caller is not the admin"):
        set_window(world, 3 * DAY)
    set_window(world, 3 * DAY, sender=new_admin)
    assert world.reports.challenge_window() == 3 * DAY


def test_set_challenge_window__pending_report__keeps_its_deadline(world, pending):
    _, april = pending
    set_window(world, 30 * DAY)
    at(DEADLINE)
    finalize(world, april.facts)
    assert events(world.reports, "ReportFinalized")[0]["report_id"] == 1


def test_set_challenge_window__later_report__gets_the_new_window(world, pending):
    project, april = pending
    world.finalize(april)
    set_window(world, 3600)
    may = world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    assert may.facts.challenge_deadline == DEADLINE + 3600
    assert world.reports.pending_report(project.project_id).challenge_deadline == DEADLINE + 3600


# ---- finalize ---------------------------------------------------------------------------------


def test_finalize__after_window__april_credits_nothing_and_carries_434000_g(world, actors, pending):
    project, april = pending
    at(DEADLINE)
    finalize(world, april.facts)
    assert events(world.reports, "ReportFinalized") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "report_id": 1,
            "token_id": TOKEN_2025,
            "reduction_g": 434_000,
            "minted_t": 0,
            "carry_g": 434_000,
            "recipient": actors.owner,
            "accrued": False,
        }
    ]
    assert events(world.reports, "TransferSingle") == []
    assert world.reports.carry_g(project.project_id, 2025) == 434_000
    assert no_report(world, project.project_id)
    with boa.reverts("reports: no pending report"):
        world.reports.finalize(april.facts)


def test_finalize__may_after_april__mints_1_t_to_the_owner_and_carries_302000_g(
    world, actors, pending
):
    project, april = pending
    world.finalize(april)
    may = world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    world.finalize(may)
    assert events(world.reports, "ReportFinalized") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "report_id": 2,
            "token_id": TOKEN_2025,
            "reduction_g": 868_000,
            "minted_t": 1,
            "carry_g": 302_000,
            "recipient": actors.owner,
            "accrued": False,
        }
    ]
    # boa renames snekmate's underscored fields (_operator, _from, _to, _id, _value) to _1.._5.
    assert events(world.reports, "TransferSingle") == [
        {
            "address": world.credit.address,
            "_1": world.reports.address,
            "_2": ZERO_ADDRESS,
            "_3": actors.owner,
            "_4": TOKEN_2025,
            "_5": 1,
        }
    ]
    assert world.credit.balanceOf(actors.owner, TOKEN_2025) == 1
    assert world.credit.total_supply(TOKEN_2025) == 1
    assert world.reports.carry_g(project.project_id, 2025) == 302_000
    assert world.reports.claimable(actors.owner, TOKEN_2025) == 0


def test_finalize__one_second_before_the_deadline__reverts(world, pending):
    project, april = pending
    at(DEADLINE - 1)
    with boa.reverts("reports: challenge window open"):
        finalize(world, april.facts)
    assert world.reports.pending_report(project.project_id).status == 1


def _facts_with(facts, **changes):
    return facts._replace(**changes)


def _meters_with_end_register(facts, delta):
    meters = list(facts.meters)
    meters[0] = meters[0]._replace(end_cumulative_wh=meters[0].end_cumulative_wh + delta)
    return facts._replace(meters=meters)


@pytest.mark.parametrize(
    "forge",
    [
        lambda f: _facts_with(f, reduction_g=f.reduction_g + 1_000_000),
        lambda f: _facts_with(f, self_consumed_wh=f.self_consumed_wh + 1),
        lambda f: _facts_with(f, challenge_deadline=NOW),
        lambda f: _facts_with(f, report_id=2),
        lambda f: _facts_with(f, fiscal_year=2024),
        lambda f: _facts_with(f, oracle=ZERO_ADDRESS),
        lambda f: _facts_with(f, merkle_root=b"\x01" * 32),
        lambda f: _meters_with_end_register(f, 1),
    ],
    ids=[
        "more_reduction",
        "more_self_consumption",
        "earlier_deadline",
        "other_report_id",
        "other_fiscal_year",
        "other_oracle",
        "other_root",
        "other_end_register",
    ],
)
def test_finalize__facts_differ_from_the_report__reverts(world, pending, forge):
    project, april = pending
    at(DEADLINE)
    with boa.reverts("reports: facts differ from the report"):
        finalize(world, forge(april.facts))
    assert world.reports.pending_report(project.project_id).status == 1


def test_finalize__earlier_deadline_inside_the_window__reverts(world, pending):
    """Claiming the window is already over does not finalize early: the deadline is in the
    hashed facts."""
    _, april = pending
    with boa.reverts("reports: facts differ from the report"):
        finalize(world, april.facts._replace(challenge_deadline=NOW))


def test_finalize__already_finalized__reverts(world, pending):
    _, april = pending
    world.finalize(april)
    with boa.reverts("reports: no pending report"):
        finalize(world, april.facts)


def test_finalize__project_without_any_report__reverts(world, pending):
    other = world.monitored_project(baselines=BASE)
    _, april = pending
    with boa.reverts("reports: no pending report"):
        finalize(world, april.facts._replace(project_id=other.project_id))


def test_finalize__paused_by_registry_pauser__reverts_until_unpaused(world, actors, pending):
    _, april = pending
    at(DEADLINE)
    with boa.env.prank(actors.pauser):
        world.reports.pause()
    assert events(world.reports, "Paused") == [
        {"address": world.reports.address, "account": actors.pauser}
    ]
    with boa.reverts("pausable: contract is paused"):
        finalize(world, april.facts)
    with boa.env.prank(actors.pauser):
        world.reports.unpause()
    assert events(world.reports, "Unpaused") == [
        {"address": world.reports.address, "account": actors.pauser}
    ]
    finalize(world, april.facts)
    assert events(world.reports, "ReportFinalized")[0]["report_id"] == 1


@pytest.mark.parametrize("caller", ["stranger", "admin", "validator"])
def test_pause__not_a_pauser__reverts(world, actors, caller):
    with boa.env.prank(getattr(actors, caller)), boa.reverts("roles: caller is not a pauser"):
        world.reports.pause()
    assert not world.reports.paused()


def test_unpause__not_a_pauser__reverts(world, actors):
    with boa.env.prank(actors.pauser):
        world.reports.pause()
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a pauser"):
        world.reports.unpause()
    assert world.reports.paused()


def test_finalize__suspended_project__reverts_until_resumed(world, actors, pending):
    project, april = pending
    at(DEADLINE)
    with boa.env.prank(actors.validator):
        world.registry.suspend_project(project.project_id, "audit")
    with boa.reverts("reports: project not approved"):
        finalize(world, april.facts)
    with boa.env.prank(actors.validator):
        world.registry.resume_project(project.project_id)
    finalize(world, april.facts)
    assert events(world.reports, "ReportFinalized")[0]["carry_g"] == 434_000


# ---- an owner that is a contract: accrue, then claim ------------------------------------------


@pytest.fixture
def accrued(world, pending):
    """April finalized, the project moved to a refusing contract, May finalized: 1 t accrued."""
    project, april = pending
    world.finalize(april)
    owner_contract = refusing_owner_of(world, project.project_id)
    may = world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    world.finalize(may)
    return project, owner_contract


def test_finalize__owner_contract_refusing_erc1155__credits_accrue(world, actors, accrued):
    project, owner_contract = accrued
    assert events(world.reports, "ReportFinalized") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "report_id": 2,
            "token_id": TOKEN_2025,
            "reduction_g": 868_000,
            "minted_t": 1,
            "carry_g": 302_000,
            "recipient": owner_contract.address,
            "accrued": True,
        }
    ]
    assert events(world.reports, "TransferSingle") == []
    assert world.reports.claimable(owner_contract.address, TOKEN_2025) == 1
    assert world.reports.claimable(actors.owner, TOKEN_2025) == 0  # the owner before the transfer
    assert world.credit.balanceOf(owner_contract.address, TOKEN_2025) == 0
    assert world.credit.total_supply(TOKEN_2025) == 0


def test_claim__owner_contract__mints_to_the_address_of_its_choice_and_logs(world, actors, accrued):
    _, owner_contract = accrued
    owner_contract.claim(world.reports.address, TOKEN_2025, actors.holder)
    assert events(owner_contract, "CreditsClaimed") == [
        {
            "address": world.reports.address,
            "token_id": TOKEN_2025,
            "owner": owner_contract.address,
            "recipient": actors.holder,
            "amount": 1,
        }
    ]
    assert world.reports.claimable(owner_contract.address, TOKEN_2025) == 0
    assert world.credit.balanceOf(actors.holder, TOKEN_2025) == 1
    assert world.credit.total_supply(TOKEN_2025) == 1
    with boa.reverts("reports: nothing to claim"):
        owner_contract.claim(world.reports.address, TOKEN_2025, actors.holder)


def test_claim__to_the_refusing_contract_itself__reverts_and_keeps_the_claim(world, accrued):
    _, owner_contract = accrued
    with boa.reverts("owner: refuses ERC-1155"):
        owner_contract.claim(world.reports.address, TOKEN_2025, owner_contract.address)
    assert world.reports.claimable(owner_contract.address, TOKEN_2025) == 1


@pytest.mark.parametrize("caller", ["stranger", "owner", "admin", "oracle", "another_contract"])
def test_claim__not_the_accruing_owner__nothing_to_claim(world, actors, accrued, caller):
    """Credits accrue to the contract that owned the project at finalization and only it can
    claim them: anyone else (the project's previous EOA owner included, or another contract
    built like the owner) has nothing to claim, and the accrued tonne stays."""
    _, owner_contract = accrued
    if caller == "another_contract":
        other = boa.loads(REFUSING_OWNER)
        with boa.reverts("reports: nothing to claim"):
            other.claim(world.reports.address, TOKEN_2025, actors.stranger)
    else:
        with boa.env.prank(getattr(actors, caller)), boa.reverts("reports: nothing to claim"):
            world.reports.claim(TOKEN_2025, getattr(actors, caller))
    assert world.reports.claimable(owner_contract.address, TOKEN_2025) == 1
    assert world.credit.total_supply(TOKEN_2025) == 0


def test_claim__eoa_owner_nothing_accrued__reverts(world, actors, pending):
    _, april = pending
    world.finalize(april)
    with boa.env.prank(actors.owner), boa.reverts("reports: nothing to claim"):
        world.reports.claim(TOKEN_2025, actors.owner)


def test_claim__after_a_transfer__old_owner_keeps_what_accrued_new_owner_only_its_own(
    world, actors, accrued
):
    """May's tonne accrued to the first contract owner. It hands the project to a second
    contract, under which June finalizes: +2,500,000 Wh generation, +500,000 Wh export ->
    2,000,000 Wh x 434,000 / 1e6 = 868,000 g, with May's 302,000 g carry 1,170,000 g: 1 t
    (accrued to the second contract), 170,000 g carried. Each contract claims exactly its own
    tonne: the new owner cannot take what accrued before it owned the project."""
    project, old_owner = accrued
    new_owner = boa.loads(REFUSING_OWNER)
    with boa.env.prank(old_owner.address):
        world.registry.transfer_project(project.project_id, new_owner.address)
    new_owner.accept_project(world.registry.address, project.project_id)
    with boa.reverts("reports: nothing to claim"):
        new_owner.claim(world.reports.address, TOKEN_2025, actors.buyer)
    june = {GENERATION: MAY[GENERATION] + 2_500_000, EXPORT: MAY[EXPORT] + 500_000}
    world.finalize(world.submit(project, JULY_2025, june, 2_000_000, 868_000))
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["minted_t"], finalized["carry_g"], finalized["recipient"]) == (
        1,
        170_000,
        new_owner.address,
    )
    assert world.reports.claimable(old_owner.address, TOKEN_2025) == 1
    assert world.reports.claimable(new_owner.address, TOKEN_2025) == 1
    new_owner.claim(world.reports.address, TOKEN_2025, actors.buyer)
    assert events(new_owner, "CreditsClaimed") == [
        {"address": world.reports.address, "token_id": TOKEN_2025, "owner": new_owner.address,
         "recipient": actors.buyer, "amount": 1}
    ]  # fmt: skip
    with boa.reverts("reports: nothing to claim"):
        new_owner.claim(world.reports.address, TOKEN_2025, actors.buyer)
    old_owner.claim(world.reports.address, TOKEN_2025, actors.holder)
    assert events(old_owner, "CreditsClaimed") == [
        {"address": world.reports.address, "token_id": TOKEN_2025, "owner": old_owner.address,
         "recipient": actors.holder, "amount": 1}
    ]  # fmt: skip
    assert world.credit.balanceOf(actors.buyer, TOKEN_2025) == 1
    assert world.credit.balanceOf(actors.holder, TOKEN_2025) == 1
    assert world.credit.total_supply(TOKEN_2025) == 2


def test_claim__after_a_transfer_to_an_eoa__old_owner_claims_new_owner_has_nothing(
    world, actors, accrued
):
    project, owner_contract = accrued
    with boa.env.prank(owner_contract.address):
        world.registry.transfer_project(project.project_id, actors.holder)
    with boa.env.prank(actors.holder):
        world.registry.accept_project(project.project_id)
    with boa.env.prank(actors.holder), boa.reverts("reports: nothing to claim"):
        world.reports.claim(TOKEN_2025, actors.holder)
    owner_contract.claim(world.reports.address, TOKEN_2025, actors.buyer)
    (claimed,) = events(owner_contract, "CreditsClaimed")
    assert (claimed["owner"], claimed["recipient"], claimed["amount"]) == (
        owner_contract.address,
        actors.buyer,
        1,
    )
    assert world.credit.balanceOf(actors.buyer, TOKEN_2025) == 1
    assert world.credit.balanceOf(actors.holder, TOKEN_2025) == 0


def test_claim__while_paused__reverts_and_claims_after_unpause(world, actors, accrued):
    _, owner_contract = accrued
    with boa.env.prank(actors.pauser):
        world.reports.pause()
    with boa.reverts("pausable: contract is paused"):
        owner_contract.claim(world.reports.address, TOKEN_2025, actors.holder)
    assert world.reports.claimable(owner_contract.address, TOKEN_2025) == 1
    assert world.credit.total_supply(TOKEN_2025) == 0
    with boa.env.prank(actors.pauser):
        world.reports.unpause()
    owner_contract.claim(world.reports.address, TOKEN_2025, actors.holder)
    (claimed,) = events(owner_contract, "CreditsClaimed")
    assert (claimed["recipient"], claimed["amount"]) == (actors.holder, 1)
    assert world.credit.balanceOf(actors.holder, TOKEN_2025) == 1


# ---- dispute ----------------------------------------------------------------------------------


def test_dispute__inside_window__marks_disputed_and_logs(world, actors, pending):
    project, april = pending
    at(DEADLINE - 1)
    dispute(world, project.project_id)
    assert events(world.reports, "ReportDisputed") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "report_id": 1,
            "validator": actors.validator,
            "reason": "meter tampering",
        }
    ]
    facts_hash = world.reports.pending_report(project.project_id).facts_hash
    assert world.reports.pending_report(project.project_id) == (
        2,
        1,
        DEADLINE,
        facts_hash,
        actors.validator,
        DEADLINE - 1,
    )
    at(DEADLINE + 30 * DAY)
    with boa.reverts("reports: report disputed"):
        finalize(world, april.facts)


def test_dispute__at_the_deadline__reverts(world, pending):
    project, _ = pending
    at(DEADLINE)
    with boa.reverts("reports: challenge window over"):
        dispute(world, project.project_id)


@pytest.mark.parametrize("second", ["validator", "second_validator"])
def test_dispute__twice__reverts(world, actors, pending, second):
    project, _ = pending
    dispute(world, project.project_id)
    with boa.reverts("reports: report disputed"):
        dispute(world, project.project_id, validator=getattr(actors, second))
    assert world.reports.pending_report(project.project_id).disputer == actors.validator


@pytest.mark.parametrize("caller", ["stranger", "admin", "oracle", "owner", "pauser"])
def test_dispute__not_a_validator__reverts(world, actors, pending, caller):
    project, _ = pending
    with boa.reverts("roles: caller is not a validator"):
        dispute(world, project.project_id, validator=getattr(actors, caller))
    assert world.reports.pending_report(project.project_id).status == 1


def test_dispute__nothing_pending__reverts(world, project):
    with boa.reverts("reports: no pending report"):
        dispute(world, project.project_id)


# ---- resolve_dispute: uphold ------------------------------------------------------------------


def test_resolve_dispute__second_validator_upholds_at_once__finalizes_and_logs(
    world, actors, pending
):
    project, april = pending
    dispute(world, project.project_id)
    resolve(world, april.facts, True, validator=actors.second_validator)
    assert events(world.reports, "DisputeResolved") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "report_id": 1,
            "validator": actors.second_validator,
            "upheld": True,
        }
    ]
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["report_id"], finalized["minted_t"], finalized["carry_g"]) == (1, 0, 434_000)
    assert no_report(world, project.project_id)
    assert world.reports.carry_g(project.project_id, 2025) == 434_000


def test_resolve_dispute__disputer_upholds_inside_the_window__reverts(world, pending):
    project, april = pending
    dispute(world, project.project_id)
    at(DEADLINE - 1)
    with boa.reverts("reports: disputer upholds after the window"):
        resolve(world, april.facts, True)
    assert world.reports.pending_report(project.project_id).status == 2


def test_resolve_dispute__disputer_upholds_at_the_deadline__finalizes(world, actors, pending):
    project, april = pending
    dispute(world, project.project_id)
    at(DEADLINE)
    resolve(world, april.facts, True)
    (resolved,) = events(world.reports, "DisputeResolved")
    assert (resolved["validator"], resolved["upheld"]) == (actors.validator, True)
    assert events(world.reports, "ReportFinalized")[0]["report_id"] == 1
    assert no_report(world, project.project_id)


def test_resolve_dispute__uphold_while_paused__reverts_reject_still_works(world, actors, pending):
    project, april = pending
    dispute(world, project.project_id)
    with boa.env.prank(actors.pauser):
        world.reports.pause()
    with boa.reverts("pausable: contract is paused"):
        resolve(world, april.facts, True, validator=actors.second_validator)
    resolve(world, april.facts, False, validator=actors.second_validator)
    assert events(world.reports, "ReportUndone") == [
        {"address": world.reports.address, "project_id": project.project_id, "report_id": 1,
         "reason": 1}
    ]  # fmt: skip


def test_resolve_dispute__uphold_suspended_project__reverts(world, actors, pending):
    project, april = pending
    dispute(world, project.project_id)
    with boa.env.prank(actors.validator):
        world.registry.suspend_project(project.project_id, "audit")
    with boa.reverts("reports: project not approved"):
        resolve(world, april.facts, True, validator=actors.second_validator)


@pytest.mark.parametrize("uphold", [True, False])
def test_resolve_dispute__not_disputed__reverts(world, actors, pending, uphold):
    _, april = pending
    with boa.reverts("reports: report not disputed"):
        resolve(world, april.facts, uphold, validator=actors.second_validator)


@pytest.mark.parametrize("uphold", [True, False])
@pytest.mark.parametrize("caller", ["stranger", "admin", "oracle", "owner"])
def test_resolve_dispute__not_a_validator__reverts(world, actors, pending, caller, uphold):
    project, april = pending
    dispute(world, project.project_id)
    with boa.reverts("roles: caller is not a validator"):
        resolve(world, april.facts, uphold, validator=getattr(actors, caller))
    assert world.reports.pending_report(project.project_id).status == 2


def test_resolve_dispute__facts_differ__reverts(world, actors, pending):
    project, april = pending
    dispute(world, project.project_id)
    with boa.reverts("reports: facts differ from the report"):
        resolve(
            world,
            april.facts._replace(reduction_g=2 * APRIL_G),
            True,
            validator=actors.second_validator,
        )


# ---- resolve_dispute: reject undoes the report ------------------------------------------------


def test_resolve_dispute__reject_first_report__undoes_it_carried_starts_back_to_no_baseline(
    world, actors, pending
):
    """The April report carried both start readings (1 April 00:00, BASE registers). Rejected, each
    meter's last reading is that start reading again, without registration and epoch (0, 0): no
    baseline (the period must carry its start readings again), but the floor of its next one."""
    project, april = pending
    dispute(world, project.project_id)
    resolve(world, april.facts, False)  # the disputing validator itself may reject
    assert events(world.reports, "DisputeResolved") == [
        {
            "address": world.reports.address,
            "project_id": project.project_id,
            "report_id": 1,
            "validator": actors.validator,
            "upheld": False,
        }
    ]
    assert events(world.reports, "ReportUndone") == [
        {"address": world.reports.address, "project_id": project.project_id, "report_id": 1,
         "reason": 1}
    ]  # fmt: skip
    assert events(world.reports, "ReportFinalized") == []
    assert no_report(world, project.project_id)
    assert world.reports.next_period_start(project.project_id) == FY2025_START
    for kind, meter in project.meters.items():
        assert world.reports.last_reading(meter.address) == (FY2025_START, BASE[kind], 0, 0)
    assert world.reports.carry_g(project.project_id, 2025) == 0
    # No baseline: without its start readings the end readings are taken as start readings.
    project.start, project.carried = FY2025_START, {}
    with boa.reverts("reports: start reading outside window"):
        world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    # The period can be resubmitted; it again carries its start readings.
    project.start, project.carried = FY2025_START, dict(BASE)
    again = world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert again.report_id == 2
    assert (again.facts.period_start, again.facts.meters[0].carried_start) == (FY2025_START, True)


def test_resolve_dispute__reject_later_report__restores_last_readings_and_period_start(
    world, actors, pending
):
    project, april = pending
    world.finalize(april)
    may = world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    for kind in (GENERATION, EXPORT):
        assert world.reports.last_reading(project.meters[kind].address) == (
            JUNE_2025,
            MAY[kind],
            1,
            0,
        )
    dispute(world, project.project_id)
    resolve(world, may.facts, False, validator=actors.second_validator)
    assert events(world.reports, "ReportUndone")[0]["reason"] == 1
    for kind in (GENERATION, EXPORT):
        assert world.reports.last_reading(project.meters[kind].address) == (
            MAY_2025,
            APRIL[kind],
            1,
            0,
        )
    assert world.reports.next_period_start(project.project_id) == MAY_2025
    assert world.reports.carry_g(project.project_id, 2025) == 434_000  # April's carry stays
    project.start = MAY_2025
    again = world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    world.finalize(again)
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["report_id"], finalized["minted_t"], finalized["carry_g"]) == (
        3,
        1,
        302_000,
    )


def moved_meter(world, actors, pending):
    """April finalized; project 1's May (1 May -> 1 June) submitted and disputed; its generation
    meter revoked and registered as the only (self-consumption) meter of project 2, which starts
    at 1 June (carried start 4,939,134 Wh) and submits June (-> 1 July, 5,939,134 Wh). Returns
    project 1, May's submission, the meter, project 2 and June's submission."""
    first, april = pending
    world.finalize(april)
    may = world.submit(first, JUNE_2025, MAY, MAY_SC, MAY_G)
    dispute(world, first.project_id)
    meter = first.meters[GENERATION]
    with boa.env.prank(actors.validator):
        world.registry.revoke_meter(meter.address)
    second_id = world.register_project()
    with boa.env.prank(actors.validator):
        world.registry.approve_project(second_id)
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(second_id, actors.oracle)
    world.register_meter(second_id, meter, SELF_CONSUMPTION, serial="SN-MOVED")
    world.approve_meter(meter)
    with boa.env.prank(actors.oracle):
        world.reports.start_monitoring(second_id, JUNE_2025)
    second = Project(
        second_id, {SELF_CONSUMPTION: meter}, JUNE_2025, {SELF_CONSUMPTION: MAY[GENERATION]}
    )
    june = world.submit(second, JULY_2025, {SELF_CONSUMPTION: 5_939_134}, 1_000_000, 434_000)
    return first, may, meter, second, june


def test_resolve_dispute__reject_after_meter_moved_to_another_project__keeps_its_new_baseline(
    world, actors, pending
):
    """Project 1's May report (generation meter from May 1st, 2,439,134 Wh) is disputed; the
    meter is revoked and registered as the only (self-consumption) meter of project 2, which
    reports June (4,939,134 -> 5,939,134 Wh) and finalizes. Rejecting project 1's May must not
    touch the meter's baseline in project 2 (July 1st, 5,939,134 Wh): project 2's next report,
    July 1st -> 21st with 500,000 Wh (217,000 g), must be accepted."""
    first, may, meter, second, june = moved_meter(world, actors, pending)
    world.finalize(june)
    assert world.reports.last_reading(meter.address) == (JULY_2025, 5_939_134, 2, 0)

    resolve(world, may.facts, False, validator=actors.second_validator)
    assert events(world.reports, "ReportUndone") == [
        {"address": world.reports.address, "project_id": first.project_id,
         "report_id": may.report_id, "reason": 1}
    ]  # fmt: skip

    assert world.reports.last_reading(meter.address) == (JULY_2025, 5_939_134, 2, 0)
    july_21 = JULY_2025 + 20 * DAY
    # Counted from project 1's May start (2,439,134 Wh) the claim would be 4,000,000 Wh,
    # 1,736,000 g: refused, the chain counts from the meter's July 1st reading.
    with boa.reverts("reports: self-consumed mismatch"):
        world.submit(second, july_21, {SELF_CONSUMPTION: 6_439_134}, 4_000_000, 1_736_000)
    honest = world.submit(second, july_21, {SELF_CONSUMPTION: 6_439_134}, 500_000, 217_000)
    (period,) = honest.facts.meters
    assert (period.start_timestamp, period.start_cumulative_wh) == (JULY_2025, 5_939_134)


@pytest.mark.parametrize(
    ("order", "floor"),
    [
        # Project 1's undo finds the meter's last reading at project 2's end: it keeps it; project
        # 2's undo then restores its carried start (1 June, 4,939,134 Wh), untagged.
        ("first_then_second", (JUNE_2025, 4_939_134, 0, 0)),
        # Project 2's undo restores 1 June first, which is also the end of project 1's May: that
        # undo then restores May's start (1 May, 2,439,134 Wh) with the tags it finds (none).
        ("second_then_first", (MAY_2025, 2_439_134, 0, 0)),
    ],
)
def test_resolve_dispute__reject_both_reports_of_a_moved_meter__no_baseline_floor_kept(
    world, actors, pending, order, floor
):
    """The meter's May in project 1 (1 May -> 1 June) and its June in project 2 (carried start at
    1 June, equal to project 1's end reading; -> 1 July) are both disputed and rejected, in
    either order. Neither period is credited; the meter's last reading is an untagged start
    reading, no baseline anywhere; project 2 reports June again from 1 June and is credited
    1,000,000 Wh x 434,000 / 1e6 = 434,000 g once."""
    first, may, meter, second, june = moved_meter(world, actors, pending)
    second_id = second.project_id
    dispute(world, second_id)
    undo_first = (first.project_id, may)
    undo_second = (second_id, june)
    for project_id, report in (
        (undo_first, undo_second) if order == "first_then_second" else (undo_second, undo_first)
    ):
        resolve(world, report.facts, False, validator=actors.second_validator)
        (undone,) = events(world.reports, "ReportUndone")
        assert (undone["project_id"], undone["report_id"], undone["reason"]) == (
            project_id,
            report.report_id,
            1,
        )
    assert world.reports.last_reading(meter.address) == floor
    assert world.reports.next_period_start(second_id) == JUNE_2025
    second.start, second.carried = JUNE_2025, {}
    with boa.reverts("reports: start reading outside window"):  # no baseline
        world.submit(second, JULY_2025, {SELF_CONSUMPTION: 5_939_134}, 1_000_000, 434_000)
    second.start, second.carried = JUNE_2025, {SELF_CONSUMPTION: MAY[GENERATION]}
    again = world.submit(second, JULY_2025, {SELF_CONSUMPTION: 5_939_134}, 1_000_000, 434_000)
    world.finalize(again)
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["project_id"], finalized["reduction_g"]) == (second_id, 434_000)
    assert world.reports.last_reading(meter.address) == (JULY_2025, 5_939_134, 2, 0)


# ---- expire_dispute ---------------------------------------------------------------------------


def test_expire_dispute__before_14_days__reverts(world, pending):
    project, april = pending
    at(NOW + 3600)
    dispute(world, project.project_id)
    at(NOW + 3600 + TIMEOUT - 1)
    with boa.reverts("reports: dispute not expired"):
        world.reports.expire_dispute(april.facts)
    assert world.reports.pending_report(project.project_id).status == 2


def test_expire_dispute__after_14_days_by_anyone__undoes_the_report(world, actors, pending):
    project, april = pending
    at(NOW + 3600)
    dispute(world, project.project_id)
    at(NOW + 3600 + TIMEOUT)
    with boa.env.prank(actors.stranger):
        world.reports.expire_dispute(april.facts)
    assert events(world.reports, "ReportUndone") == [
        {"address": world.reports.address, "project_id": project.project_id, "report_id": 1,
         "reason": 2}
    ]  # fmt: skip
    assert events(world.reports, "ReportFinalized") == []
    assert no_report(world, project.project_id)
    assert world.reports.next_period_start(project.project_id) == FY2025_START
    for kind, meter in project.meters.items():
        assert world.reports.last_reading(meter.address) == (FY2025_START, BASE[kind], 0, 0)


def test_resolve_dispute__one_second_before_the_dispute_expires__still_settles(
    world, actors, pending
):
    project, april = pending
    at(NOW + 3600)
    dispute(world, project.project_id)
    at(NOW + 3600 + TIMEOUT - 1)
    resolve(world, april.facts, False, validator=actors.second_validator)
    (resolved,) = events(world.reports, "DisputeResolved")
    assert (resolved["validator"], resolved["upheld"]) == (actors.second_validator, False)
    assert events(world.reports, "ReportUndone")[0]["reason"] == 1
    assert no_report(world, project.project_id)


@pytest.mark.parametrize("late", [0, 1, 30 * DAY])
@pytest.mark.parametrize("uphold", [True, False])
def test_resolve_dispute__dispute_expired__reverts_only_expire_undoes(
    world, actors, pending, uphold, late
):
    """From 14 days after the dispute, no validator settles it any more (upholding would credit a
    report whose oracle may have taken its bond back); the report stays disputed until anyone
    expires the dispute, which undoes it."""
    project, april = pending
    at(NOW + 3600)
    dispute(world, project.project_id)
    at(NOW + 3600 + TIMEOUT + late)
    for validator in (actors.validator, actors.second_validator):
        with boa.reverts("reports: dispute expired"):
            resolve(world, april.facts, uphold, validator=validator)
    assert world.reports.pending_report(project.project_id).status == 2
    with boa.env.prank(actors.stranger):
        world.reports.expire_dispute(april.facts)
    assert events(world.reports, "ReportUndone")[0]["reason"] == 2
    assert events(world.reports, "ReportFinalized") == []
    assert world.reports.carry_g(project.project_id, 2025) == 0


def test_expire_dispute__not_disputed__reverts(world, pending):
    _, april = pending
    at(NOW + TIMEOUT + DAY)
    with boa.reverts("reports: report not disputed"):
        world.reports.expire_dispute(april.facts)


def test_expire_dispute__facts_differ__reverts(world, pending):
    project, april = pending
    dispute(world, project.project_id)
    at(NOW + TIMEOUT)
    with boa.reverts("reports: facts differ from the report"):
        world.reports.expire_dispute(april.facts._replace(period_end=JUNE_2025))


# ---- report ids and the carry per fiscal year -------------------------------------------------


def test_report_ids__global_sequential_and_never_reused(world, project):
    other = world.monitored_project(baselines=BASE)
    first = world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    second = world.submit(other, MAY_2025, APRIL, APRIL_SC, APRIL_G)
    assert (first.report_id, second.report_id) == (1, 2)
    dispute(world, other.project_id)
    resolve(world, second.facts, False)  # report 2 is undone; its id is not given out again
    world.finalize(first)
    assert world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G).report_id == 3
    other.start, other.carried = FY2025_START, dict(BASE)
    assert world.submit(other, MAY_2025, APRIL, APRIL_SC, APRIL_G).report_id == 4
    assert world.reports.report_count() == 4


def test_fiscal_year__next_year_starts_a_fresh_carry_the_old_remainder_is_never_minted(
    world, actors
):
    """March 2025 (FY2024): 1,600,000 Wh generated, 100,000 exported -> 1,500,000 Wh x 452,000 /
    1e6 = 678,000 g, carried in FY2024. April (FY2025): 1,100,000 - 100,000 = 1,000,000 Wh ->
    434,000 g. Added across years the two would make 1,112,000 g = 1 t; kept apart, nothing is
    minted, April carries 434,000 g and FY2024's 678,000 g are gone."""
    with boa.env.prank(actors.admin):
        world.registry.set_emission_factor(2024, FACTOR_2024, FY2024_START, FY2025_START)
    boa.env.time_travel(seconds=2 * DAY)
    world.registry.activate_emission_factor(2024)
    project = world.monitored_project(
        baselines=BASE, start=MARCH_2025, crediting_start=MARCH_2025, commissioning=MARCH_2025
    )
    march = {GENERATION: BASE[GENERATION] + 1_600_000, EXPORT: BASE[EXPORT] + 100_000}
    world.finalize(world.submit(project, FY2025_START, march, 1_500_000, 678_000, fiscal_year=2024))
    assert events(world.reports, "ReportFinalized")[0]["carry_g"] == 678_000
    assert world.reports.carry_g(project.project_id, 2024) == 678_000
    april = {GENERATION: march[GENERATION] + 1_100_000, EXPORT: march[EXPORT] + 100_000}
    world.finalize(world.submit(project, MAY_2025, april, 1_000_000, 434_000))
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["token_id"], finalized["minted_t"], finalized["carry_g"]) == (
        token_id(project.project_id, 2025),
        0,
        434_000,
    )
    assert world.reports.carry_g(project.project_id, 2024) == 0
    assert world.reports.carry_g(project.project_id, 2025) == 434_000
    assert world.credit.total_supply(token_id(project.project_id, 2024)) == 0
    assert world.credit.total_supply(token_id(project.project_id, 2025)) == 0
