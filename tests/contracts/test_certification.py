"""Certification rounds on CarbonCredit: the registrar records each J-Credit certification of a
token's credits; holders retire certified credits from a named round and uncertified ones with
`retire`.

The world: project 1 reports April (report 1, 0 t, all carried) and May (report 2, 1 t), both
finalized; the bound minter then mints 19 t more to the owner, so token 1/FY2025 has 20 t.
"""

import boa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contracts.contract_world import (
    DAY,
    EXPORT,
    GENERATION,
    JULY_2025,
    JUNE_2025,
    MAY_2025,
    events,
    token_id,
)
from tests.contracts.report_world import APRIL, APRIL_G, APRIL_SC, BASE, MAY, MAY_G, MAY_SC

TID = token_id(1, 2025)
NOT_REGISTRAR = "certification: caller is not a registrar"


@pytest.fixture
def finalized(world):
    """Project 1 with reports 1 (April) and 2 (May) finalized: 1 t minted."""
    project = world.monitored_project(baselines=BASE)
    world.finalize(world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G))
    world.finalize(world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G))
    return project


@pytest.fixture
def credited(world, actors, finalized):
    """19 t more minted after reports 1 and 2: 20 t of TID held by the owner."""
    with boa.env.prank(world.reports.address):
        world.credit.mint(actors.owner, TID, 19)
    assert world.credit.total_supply(TID) == 20
    return world


def record(
    world, sender, number="JC-2025-0001", token=TID, reports=(1, 2), amount=5, first=1, last=None
):
    if last is None:
        last = first + amount - 1
    with boa.env.prank(sender):
        return world.credit.record_certification(number, token, list(reports), amount, first, last)


def retire_from(world, holder, round_id, amount, beneficiary="Example K.K.", purpose=1, memo=""):
    with boa.env.prank(holder):
        return world.credit.retire_certified(round_id, amount, beneficiary, purpose, memo)


# ---- record_certification ---------------------------------------------------------------------


def test_record__registrar__stores_the_round_and_logs(credited, actors):
    credit = credited.credit
    assert record(credited, actors.registrar, amount=5, first=101) == 1
    assert events(credit, "CertificationRecorded") == [
        {
            "address": credit.address,
            "certification_id": 1,
            "token_id": TID,
            "registrar": actors.registrar,
            "certification_number": "JC-2025-0001",
            "report_ids": [1, 2],
            "amount": 5,
            "first_serial": 101,
            "last_serial": 105,
        }
    ]
    assert credit.certifications(1) == (TID, 5, 0, 101, 105, "JC-2025-0001")
    assert credit.certification_count() == 1
    assert credit.certification_of_report(1) == 1
    assert credit.certification_of_report(2) == 1
    assert credit.certification_of_report(3) == 0
    assert credit.certification_by_number("JC-2025-0001") == 1
    assert credit.certification_by_number("JC-2025-0002") == 0
    assert credit.last_serial(TID) == 105
    assert credit.certified(TID) == 5
    assert credit.certified_retired(TID) == 0
    assert credit.uncertified_supply(TID) == 15


def test_record__two_rounds_in_one_year__both_kept(credited, actors, world):
    """Two certification rounds of one token (fiscal year): the case one reference per token
    could not express."""
    record(credited, actors.registrar, reports=(1,), amount=5, first=1)
    assert record(credited, actors.registrar, "JC-2025-0002", reports=(2,), amount=7, first=6) == 2
    assert credited.credit.certifications(2) == (TID, 7, 0, 6, 12, "JC-2025-0002")
    assert credited.credit.certified(TID) == 12
    assert credited.credit.uncertified_supply(TID) == 8


def test_record__whole_supply__accepted(credited, actors):
    record(credited, actors.registrar, amount=20)
    assert credited.credit.uncertified_supply(TID) == 0


def test_record__unknown_round__all_zero(credited):
    assert credited.credit.certifications(9) == (0, 0, 0, 0, 0, "")


@pytest.mark.parametrize("who", ["admin", "validator", "owner", "stranger", "oracle"])
def test_record__not_a_registrar__reverts(credited, actors, who):
    with boa.reverts(NOT_REGISTRAR):
        record(credited, getattr(actors, who))


def test_record__registrar_revoked__reverts(credited, actors):
    with boa.env.prank(actors.admin):
        credited.registry.revoke_role(credited.registry.REGISTRAR_ROLE(), actors.registrar)
    with boa.reverts(NOT_REGISTRAR):
        record(credited, actors.registrar)


def test_record__role_on_carbon_credit_only__reverts(credited, actors):
    """The role counts on the Registry; a grant on CarbonCredit's own roles does not."""
    credit = credited.credit
    with boa.env.prank(actors.admin):
        credit.grant_role(credit.REGISTRAR_ROLE(), actors.stranger)
    boa.env.time_travel(seconds=2 * DAY)
    credit.activate_role(credit.REGISTRAR_ROLE(), actors.stranger)
    with boa.reverts(NOT_REGISTRAR):
        record(credited, actors.stranger)


def test_record__registrar_granted_after_launch__waits_two_days(credited, actors):
    registry = credited.registry
    role = registry.REGISTRAR_ROLE()
    with boa.env.prank(actors.admin):
        registry.grant_role(role, actors.stranger)
    with boa.reverts(NOT_REGISTRAR):
        record(credited, actors.stranger)
    with boa.reverts("roles: grant not due"):
        registry.activate_role(role, actors.stranger)
    boa.env.time_travel(seconds=2 * DAY)
    registry.activate_role(role, actors.stranger)
    assert record(credited, actors.stranger) == 1


def test_record__admin_as_registrar__reverts(credited, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: admin cannot hold this role"):
        credited.registry.grant_role(credited.registry.REGISTRAR_ROLE(), actors.admin)


def test_record__registrar_grant_activated_after_it_became_admin__reverts(credited, actors):
    """A registrar grant scheduled for an account that then takes over as admin cannot be
    activated: the admin never certifies by itself."""
    registry = credited.registry
    role = registry.REGISTRAR_ROLE()
    with boa.env.prank(actors.admin):
        registry.grant_role(role, actors.holder)
        registry.transfer_ownership(actors.holder)
    with boa.env.prank(actors.holder):
        registry.accept_ownership()
    boa.env.time_travel(seconds=2 * DAY)
    with boa.reverts("roles: admin cannot hold this role"):
        registry.activate_role(role, actors.holder)
    with boa.reverts(NOT_REGISTRAR):
        record(credited, actors.holder)


def test_record__registrar_becoming_admin__reverts(credited, actors):
    """The registrar cannot take over as admin while it holds the role."""
    registry = credited.registry
    with boa.env.prank(actors.admin):
        registry.transfer_ownership(actors.registrar)
    with boa.env.prank(actors.registrar), boa.reverts("roles: admin cannot hold this role"):
        registry.accept_ownership()


def test_record__report_already_certified__reverts(credited, actors):
    record(credited, actors.registrar, reports=(1,))
    with boa.reverts("certification: report certified"):
        record(credited, actors.registrar, "JC-2025-0002", reports=(2, 1), first=6)
    assert credited.credit.certification_of_report(2) == 0  # the whole call reverted


def test_record__same_report_twice_in_one_round__reverts(credited, actors):
    with boa.reverts("certification: report certified"):
        record(credited, actors.registrar, reports=(2, 2))


@pytest.mark.parametrize("report_id", [0, 3, 2**40])
def test_record__report_never_submitted__reverts(credited, actors, report_id):
    with boa.reverts("certification: unknown report"):
        record(credited, actors.registrar, reports=(1, report_id))


def test_record__pending_report__reverts(credited, finalized, actors):
    """Report 3 (June) is submitted, not finalized: it cannot be certified until it is."""
    june = {GENERATION: MAY[GENERATION] + 2_500_000, EXPORT: MAY[EXPORT] + 500_000}
    submission = credited.submit(finalized, JULY_2025, june, MAY_SC, MAY_G)
    assert credited.reports.pending_report(1)[1] == 3
    with boa.reverts("certification: report pending"):
        record(credited, actors.registrar, reports=(3,))
    credited.finalize(submission)
    assert record(credited, actors.registrar, reports=(3,)) == 1


def test_record__more_tonnes_than_uncertified__reverts(credited, actors):
    with boa.reverts("certification: amount > uncertified"):
        record(credited, actors.registrar, amount=21)
    record(credited, actors.registrar, amount=15)
    with boa.reverts("certification: amount > uncertified"):
        record(credited, actors.registrar, "JC-2025-0002", amount=6, first=16)


def test_record__token_never_minted__reverts(credited, actors):
    with boa.reverts("certification: amount > uncertified"):
        record(credited, actors.registrar, token=token_id(2, 2025), amount=1)


def test_record__retired_uncertified_credits__cannot_be_certified(credited, actors):
    with boa.env.prank(actors.owner):
        credited.credit.retire(TID, 18, "Example K.K.", 1, "")
    with boa.reverts("certification: amount > uncertified"):
        record(credited, actors.registrar, amount=3)
    record(credited, actors.registrar, amount=2)


@pytest.mark.parametrize("first", [1, 3, 5])
def test_record__overlapping_serials__reverts(credited, actors, first):
    record(credited, actors.registrar, reports=(1,), amount=5, first=1)
    with boa.reverts("certification: serials overlap"):
        record(credited, actors.registrar, "JC-2025-0002", reports=(2,), amount=2, first=first)


def test_record__serials_below_an_earlier_range__reverts(credited, actors):
    record(credited, actors.registrar, reports=(1,), amount=5, first=100)
    with boa.reverts("certification: serials overlap"):
        record(credited, actors.registrar, "JC-2025-0002", reports=(2,), amount=2, first=1)


def test_record__serial_zero__reverts(credited, actors):
    with boa.reverts("certification: serials overlap"):
        record(credited, actors.registrar, amount=2, first=0)


def test_record__serials_of_another_token__independent(credited, actors):
    other = token_id(2, 2025)
    with boa.env.prank(credited.reports.address):
        credited.credit.mint(actors.owner, other, 3)
    record(credited, actors.registrar, reports=(1,), amount=5, first=1)
    assert record(credited, actors.registrar, "JC-2025-0002", other, (2,), 3, 1) == 2


@pytest.mark.parametrize("last", [6, 8, 2])
def test_record__range_not_one_serial_per_tonne__reverts(credited, actors, last):
    with boa.reverts("certification: serials != amount"):
        record(credited, actors.registrar, amount=5, first=3, last=last)


def test_record__serial_wider_than_128_bits__reverts(credited, actors):
    with boa.reverts("certification: serial too large"):
        record(credited, actors.registrar, amount=1, first=2**128, last=2**128)


def test_record__empty_number__reverts(credited, actors):
    with boa.reverts("certification: empty number"):
        record(credited, actors.registrar, number="")


def test_record__number_used__reverts(credited, actors):
    record(credited, actors.registrar, reports=(1,))
    with boa.reverts("certification: number used"):
        record(credited, actors.registrar, reports=(2,), first=6)


def test_record__no_reports__reverts(credited, actors):
    with boa.reverts("certification: no reports"):
        record(credited, actors.registrar, reports=())


def test_record__zero_amount__reverts(credited, actors):
    with boa.reverts("certification: zero amount"):
        record(credited, actors.registrar, amount=0, first=1, last=1)


def test_record__amount_wider_than_64_bits__reverts(credited, actors):
    with boa.reverts("certification: amount too large"):
        record(credited, actors.registrar, amount=2**64, first=1)


def test_record__minter_not_bound__reverts(factories, actors):
    """A CarbonCredit without its minter has no Registry to ask: nobody records a round."""
    with boa.env.prank(actors.admin):
        unbound = factories.credit.deploy("https://c.example/")
    with boa.env.prank(actors.registrar), boa.reverts():
        unbound.record_certification("JC-1", TID, [1], 1, 1, 1)


def test_record__while_paused__accepted(credited, actors):
    boa.env.set_balance(actors.pauser, 10**18)
    with boa.env.prank(actors.pauser):
        credited.credit.pause(value=1)
    assert record(credited, actors.registrar) == 1


# ---- retire_certified and retire --------------------------------------------------------------


@pytest.fixture
def rounds(credited, actors):
    """Round 1: 5 t, serials 101..105; round 2: 7 t, serials 106..112; 8 t uncertified."""
    record(credited, actors.registrar, reports=(1,), amount=5, first=101)
    record(credited, actors.registrar, "JC-2025-0002", reports=(2,), amount=7, first=106)
    return credited


def test_retire_certified__holder__draws_the_round_and_logs(rounds, actors):
    credit = rounds.credit
    assert retire_from(rounds, actors.owner, 2, 3, memo="m") == 1
    (logged,) = events(credit, "Retired")
    assert logged["certification_id"] == 2
    assert logged["first_serial"] == 106
    assert logged["token_id"] == TID
    assert logged["amount"] == 3
    assert credit.retirements(1)[7] == 2
    assert credit.certifications(2) == (TID, 7, 3, 106, 112, "JC-2025-0002")
    assert credit.certified_retired(TID) == 3
    assert credit.uncertified_supply(TID) == 8
    assert credit.balanceOf(actors.owner, TID) == 17
    # The next retirement from the round takes the next serials.
    assert retire_from(rounds, actors.owner, 2, 4) == 2
    (logged,) = events(credit, "Retired")
    assert logged["first_serial"] == 109
    assert credit.certifications(2)[2] == 7


def test_retire_certified__beyond_remaining__reverts(rounds, actors):
    retire_from(rounds, actors.owner, 1, 4)
    with boa.reverts("certification: amount > remaining"):
        retire_from(rounds, actors.owner, 1, 2)
    retire_from(rounds, actors.owner, 1, 1)
    with boa.reverts("certification: amount > remaining"):
        retire_from(rounds, actors.owner, 1, 1)


@pytest.mark.parametrize("round_id", [0, 3, 2**24])
def test_retire_certified__unknown_round__reverts(rounds, actors, round_id):
    with boa.reverts("certification: unknown round"):
        retire_from(rounds, actors.owner, round_id, 1)


def test_retire_certified__more_than_balance__reverts(rounds, actors):
    with boa.env.prank(actors.owner):
        rounds.credit.safeTransferFrom(actors.owner, actors.buyer, TID, 2, b"")
    with boa.reverts("credit: amount > balance"):
        retire_from(rounds, actors.buyer, 1, 3)


def test_retire_certified__zero_amount__reverts(rounds, actors):
    with boa.reverts("credit: zero amount"):
        retire_from(rounds, actors.owner, 1, 0)


def test_retire_certified__blank_beneficiary__reverts(rounds, actors):
    with boa.reverts("credit: blank beneficiary"):
        retire_from(rounds, actors.owner, 1, 1, beneficiary="  ")


def test_retire_certified__any_holder_of_the_token__draws_the_round(rounds, actors):
    """Balances are fungible: a buyer's credits of the token retire from any round with credits
    left, whoever held them when it was certified."""
    with boa.env.prank(actors.owner):
        rounds.credit.safeTransferFrom(actors.owner, actors.buyer, TID, 6, b"")
    assert retire_from(rounds, actors.buyer, 1, 5) == 1
    assert rounds.credit.certifications(1)[2] == 5


def test_retire__uncertified_part__accepted_and_records_round_zero(rounds, actors):
    with boa.env.prank(actors.owner):
        rounds.credit.retire(TID, 8, "Example K.K.", 1, "")
    (logged,) = events(rounds.credit, "Retired")
    assert (logged["certification_id"], logged["first_serial"]) == (0, 0)
    assert rounds.credit.uncertified_supply(TID) == 0
    assert rounds.credit.certified_retired(TID) == 0


def test_retire__more_than_uncertified__reverts(rounds, actors):
    with boa.env.prank(actors.owner), boa.reverts("certification: name the round"):
        rounds.credit.retire(TID, 9, "Example K.K.", 1, "")


def test_retire__everything_certified__reverts(credited, actors):
    record(credited, actors.registrar, amount=20)
    with boa.env.prank(actors.owner), boa.reverts("certification: name the round"):
        credited.credit.retire(TID, 1, "Example K.K.", 1, "")


def test_retire__everything_certified__holder_still_retires_its_whole_balance(credited, actors):
    """Griefing by certification: a registrar certifying the whole supply closes `retire`, never
    the holder's credits: the rounds' remaining amounts always cover the supply."""
    record(credited, actors.registrar, amount=12, reports=(1,))
    record(credited, actors.registrar, "JC-2025-0002", reports=(2,), amount=8, first=13)
    with boa.env.prank(actors.owner):
        credited.credit.safeTransferFrom(actors.owner, actors.buyer, TID, 15, b"")
    assert retire_from(credited, actors.buyer, 1, 12) == 1
    assert retire_from(credited, actors.buyer, 2, 3) == 2
    assert retire_from(credited, actors.owner, 2, 5) == 3
    credit = credited.credit
    assert credit.total_supply(TID) == 0
    assert (credit.certified(TID), credit.certified_retired(TID)) == (20, 20)
    assert credit.uncertified_supply(TID) == 0


def test_retire_certified__round_of_a_token_not_held__reverts(credited, actors):
    """A round draws on its own token only: a holder of token 1/FY2025 cannot use a round of
    another token to retire, nor does that round's retirement touch token 1/FY2025."""
    other = token_id(2, 2025)
    with boa.env.prank(credited.reports.address):
        credited.credit.mint(actors.buyer, other, 3)
    round_id = record(credited, actors.registrar, token=other, reports=(2,), amount=3)
    with boa.reverts("credit: amount > balance"):
        retire_from(credited, actors.owner, round_id, 1)
    assert retire_from(credited, actors.buyer, round_id, 3) == 1
    (logged,) = events(credited.credit, "Retired")
    assert logged["token_id"] == other
    assert credited.credit.uncertified_supply(TID) == 20
    assert credited.credit.balanceOf(actors.owner, TID) == 20


def test_retire__uncertified_supply_of_another_token__not_usable(credited, actors):
    """`retire` checks the retired token's own certified supply: uncertified credits of another
    token do not let a holder retire certified ones plainly."""
    record(credited, actors.registrar, amount=20)
    with boa.env.prank(credited.reports.address):
        credited.credit.mint(actors.owner, token_id(2, 2025), 5)
    with boa.env.prank(actors.owner), boa.reverts("certification: name the round"):
        credited.credit.retire(TID, 1, "Example K.K.", 1, "")
    with boa.env.prank(actors.owner):
        credited.credit.retire(token_id(2, 2025), 5, "Example K.K.", 1, "")


def test_retire_certified__while_paused__stays_open(rounds, actors):
    boa.env.set_balance(actors.pauser, 10**18)
    with boa.env.prank(actors.pauser):
        rounds.credit.pause(value=1)
    assert retire_from(rounds, actors.owner, 1, 1) == 1


# ---- invariants under random sequences --------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["certify", "retire_round", "retire_plain", "mint"]),
            st.integers(1, 8),
            st.integers(1, 3),
        ),
        max_size=14,
    )
)
def test_invariants__random_sequences__certified_within_minted_and_rounds_within_certified(
    credited, actors, steps
):
    credit = credited.credit
    with boa.env.anchor():
        rounds: dict[int, tuple[int, int]] = {}  # id -> (amount, retired)
        next_serial, number = 1, 0
        for action, amount, which in steps:
            if action == "mint":
                with boa.env.prank(credited.reports.address):
                    credit.mint(actors.owner, TID, amount)
            elif action == "certify":
                number += 1
                uncertified = credit.uncertified_supply(TID)
                try:
                    reports = (number,) if number <= 2 else (1,)
                    record(
                        credited,
                        actors.registrar,
                        f"N{number}",
                        reports=reports,
                        amount=amount,
                        first=next_serial,
                    )
                except boa.BoaError:
                    # refused: more than the uncertified supply, or report 1 certified already
                    assert amount > uncertified or number > 2 or credit.certification_of_report(1)
                    continue
                rounds[credit.certification_count()] = (amount, 0)
                next_serial += amount
            elif action == "retire_round" and rounds:
                round_id = sorted(rounds)[which % len(rounds)]
                total, retired = rounds[round_id]
                try:
                    retire_from(credited, actors.owner, round_id, amount)
                except boa.BoaError:
                    assert amount > total - retired
                    continue
                assert amount <= total - retired
                rounds[round_id] = (total, retired + amount)
            elif action == "retire_plain":
                uncertified = credit.uncertified_supply(TID)
                try:
                    with boa.env.prank(actors.owner):
                        credit.retire(TID, amount, "B", 1, "")
                except boa.BoaError:
                    assert amount > uncertified
                    continue
                assert amount <= uncertified
            certified = credit.certified(TID)
            assert certified == sum(a for a, _ in rounds.values()) <= credit.minted(TID)
            assert credit.certified_retired(TID) == sum(r for _, r in rounds.values()) <= certified
            for round_id, (total, retired) in rounds.items():
                assert credit.certifications(round_id)[1:3] == (total, retired)
            assert credit.uncertified_supply(TID) + certified - credit.certified_retired(
                TID
            ) == credit.total_supply(TID)
