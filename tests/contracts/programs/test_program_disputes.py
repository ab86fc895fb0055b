"""Programs: data demands (demand_member, respond, expire_demand, reclaim_demand), refute by the
bound proof contracts, payments that fail (owed, withdraw), and attacks by each caller."""

from pathlib import Path

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from jcredit.program_tree import ENROLLED_METER_TYPE, MEMBER_RESULT_TYPE
from tests.contracts.contract_world import FY2025_START, MAY_2025, NOW
from tests.contracts.programs.program_world import (
    DATA_WITHHELD,
    DEMAND_ANSWERED,
    DEMAND_BOND,
    DEMAND_EXPIRED,
    DEMAND_OPEN,
    DEMAND_RECLAIMED,
    FRAUD_PROVEN,
    REFUTED,
    REPORT_BOND,
    RESPONSE_SECONDS,
    WINDOW,
    ZERO,
    enrollment_for,
    fact,
    logged,
    results_for,
    with_fact,
)

HUNGRY = Path(__file__).with_name("hungry_receiver.vy")


def balance(address) -> int:
    return boa.env.get_balance(str(address))


# -- demand_member -----------------------------------------------------------------------------
def test_demand_member__in_the_window__opens_and_logs(pw, pactors, program, pending):
    before = balance(pw.programs.address)
    pw.demand(pending, 3)
    (log,) = logged(pw.programs, "MemberDataDemanded")
    assert log == {
        "program_id": program.program_id,
        "report_id": 1,
        "position": 3,
        "demander": pactors.demander,
        "deadline": NOW + RESPONSE_SECONDS,
    }
    assert tuple(pw.programs.demands(1, 3)) == (
        pactors.demander,
        NOW + RESPONSE_SECONDS,
        DEMAND_OPEN,
    )
    assert pw.programs.open_demands(program.program_id) == 1
    assert balance(pw.programs.address) == before + DEMAND_BOND


@pytest.mark.parametrize("value", [0, DEMAND_BOND - 1, DEMAND_BOND + 1])
def test_demand_member__wrong_bond__reverts(pw, pactors, pending, value):
    with boa.env.prank(pactors.demander), boa.reverts("programs: wrong demand bond"):
        pw.programs.demand_member(pending, 0, value=value)


def test_demand_member__after_the_window__reverts(pw, pending):
    boa.env.time_travel(seconds=WINDOW)
    with boa.reverts("programs: challenge window over"):
        pw.demand(pending, 0)


def test_demand_member__position_out_of_range__reverts(pw, pending):
    with boa.reverts("programs: position out of range"):
        pw.demand(pending, 4)


def test_demand_member__twice__reverts(pw, pactors, pending):
    pw.demand(pending, 0)
    with boa.reverts("programs: already demanded"):
        pw.demand(pending, 0, sender=pactors.stranger)


def test_demand_member__facts_differ_or_finalized__reverts(pw, pending):
    with boa.reverts("programs: facts differ from the report"):
        pw.demand(with_fact(pending, "member_count", 100), 50)
    pw.finalize(pending)
    with boa.reverts("programs: no pending report"):
        pw.demand(pending, 0)


def test_demand_member__while_paused__allowed(pw, pactors, pending):
    with boa.env.prank(pactors.pauser):
        pw.programs.pause()
    pw.demand(pending, 0)


# -- respond -----------------------------------------------------------------------------------
def test_respond__the_data__posted_checked_and_bond_to_the_responder(
    pw, pactors, program, april, pending
):
    pw.demand(pending, 2)
    before = balance(pactors.stranger)
    pw.respond(program, april, pending, 2, sender=pactors.stranger)
    (log,) = logged(pw.programs, "MemberDataPosted")
    assert (log["program_id"], log["report_id"], log["position"], log["responder"]) == (
        program.program_id,
        1,
        2,
        pactors.stranger,
    )
    # the event alone rebuilds the leaf and its enrollment leaves: their hashes are in the trees
    result = april.leaves[2]
    assert encode([MEMBER_RESULT_TYPE], [log["result"]]) == result.encode()
    assert [keccak(encode([ENROLLED_METER_TYPE], [leaf])) for leaf in log["enrolled"]] == [
        program.enrollment.leaves[m.enrollment_index].leaf_hash() for m in result.meters
    ]
    assert balance(pactors.stranger) == before + DEMAND_BOND
    assert pw.programs.demands(1, 2)[2] == DEMAND_ANSWERED
    assert pw.programs.open_demands(program.program_id) == 0
    pw.finalize(pending)


def test_respond__while_paused__allowed(pw, pactors, program, april, pending):
    pw.demand(pending, 0)
    with boa.env.prank(pactors.pauser):
        pw.programs.pause()
    pw.respond(program, april, pending, 0)
    assert pw.programs.demands(1, 0)[2] == DEMAND_ANSWERED


def test_respond__no_open_demand__reverts(pw, program, april, pending):
    with boa.reverts("programs: no open demand"):
        pw.respond(program, april, pending, 0)
    pw.demand(pending, 0)
    pw.respond(program, april, pending, 0)
    with boa.reverts("programs: no open demand"):
        pw.respond(program, april, pending, 0)


def test_respond__after_the_deadline__reverts(pw, program, april, pending):
    pw.demand(pending, 0)
    boa.env.time_travel(seconds=RESPONSE_SECONDS)
    with boa.reverts("programs: demand expired"):
        pw.respond(program, april, pending, 0)


def test_respond__another_members_result__reverts(pw, pactors, program, april, pending):
    pw.demand(pending, 0)
    args = list(pw.respond_args(program, april, pending, 0))
    args[3] = april.leaves[1].as_tuple()
    with boa.env.prank(pactors.oracle), boa.reverts("programs: result not in the report"):
        pw.programs.respond(*args)


def test_respond__path_of_another_tree__reverts(pw, pactors, program, april, pending):
    pw.demand(pending, 0)
    other = results_for(program.enrollment, FY2025_START, MAY_2025, [1, 2, 3, 4])
    args = list(pw.respond_args(program, other, pending, 0))
    with boa.env.prank(pactors.oracle), boa.reverts("program_tree: path does not match the root"):
        pw.programs.respond(*args)


def test_respond__enrollment_leaves_mismatch__reverts(pw, pactors, program, april, pending):
    pw.demand(pending, 1)
    facts, position, path, result, enrolled, proofs = pw.respond_args(program, april, pending, 1)
    with boa.env.prank(pactors.oracle), boa.reverts("programs: one enrollment leaf per meter"):
        pw.programs.respond(facts, position, path, result, enrolled[:1], proofs[:1])
    wrong = [program.enrollment.leaves[0].as_tuple(), enrolled[1]]
    with boa.env.prank(pactors.oracle), boa.reverts("programs: leaf not in the enrollment"):
        pw.programs.respond(facts, position, path, result, wrong, proofs)
    with boa.env.prank(pactors.oracle), boa.reverts("programs: enrollment proof length"):
        pw.programs.respond(facts, position, path, result, enrolled, [proofs[0][:-1], proofs[1]])


def test_respond__enrollment_index_beyond_the_count__reverts(pw, pactors):
    # 3 leaves: a tree of 4 slots; a result naming index 3 (an empty slot) is refused
    program = pw.create()
    enrollment = enrollment_for(2)
    enrollment.leaves.pop()  # member 2 keeps only its generation meter
    from jcredit.program_tree import EnrollmentTree

    program_tree = EnrollmentTree(enrollment.leaves)
    pw.enroll(program, program_tree)
    tree = results_for(program_tree, FY2025_START, MAY_2025)
    facts = pw.submit(program, tree)
    pw.demand(facts, 1)
    args = list(pw.respond_args(program, tree, facts, 1))
    result = list(args[3])
    meters = [list(m) for m in result[1]]
    meters[0][0] = 3
    result[1] = [tuple(m) for m in meters]
    args[3] = tuple(result)
    with boa.env.prank(pactors.oracle), boa.reverts("programs: result not in the report"):
        pw.programs.respond(*args)
    assert fact(facts, "enrollment_count") == 3


# -- expire_demand -----------------------------------------------------------------------------
def test_expire_demand__unanswered__undoes_slashes_and_pays_the_demander(
    pw, pactors, program, pending
):
    pw.demand(pending, 1)
    boa.env.time_travel(seconds=RESPONSE_SECONDS)
    before = balance(pactors.demander)
    with boa.env.prank(pactors.stranger):
        pw.programs.expire_demand(pending, 1)
    assert logged(pw.programs, "DemandExpired") == [
        {"report_id": 1, "position": 1, "demander": pactors.demander}
    ]
    assert logged(pw.programs, "ReportUndone") == [
        {
            "program_id": program.program_id,
            "report_id": 1,
            "reason": DATA_WITHHELD,
            "by": pactors.demander,
        }
    ]
    assert logged(pw.programs, "OracleSlashed") == [
        {"oracle": pactors.oracle, "program_id": program.program_id}
    ]
    assert balance(pactors.demander) == before + REPORT_BOND + DEMAND_BOND
    assert pw.programs.is_slashed(pactors.oracle)
    info = pw.programs.program(program.program_id)
    assert info.oracle == ZERO and info.next_period_start == FY2025_START
    assert pw.programs.pending_report(program.program_id).status == 0
    assert pw.programs.demands(1, 1)[2] == DEMAND_EXPIRED
    assert pw.programs.finalized_report(1) == bytes(32)
    assert balance(pw.programs.address) == 0


def test_expire_demand__before_the_deadline__reverts(pw, pending):
    pw.demand(pending, 1)
    boa.env.time_travel(seconds=RESPONSE_SECONDS - 1)
    with boa.reverts("programs: demand not expired"):
        pw.programs.expire_demand(pending, 1)


def test_expire_demand__answered_or_never_demanded__reverts(pw, program, april, pending):
    with boa.reverts("programs: no open demand"):
        pw.programs.expire_demand(pending, 1)
    pw.demand(pending, 1)
    pw.respond(program, april, pending, 1)
    boa.env.time_travel(seconds=RESPONSE_SECONDS)
    with boa.reverts("programs: no open demand"):
        pw.programs.expire_demand(pending, 1)


def test_expire_demand__twice__reverts(pw, pending):
    pw.demand(pending, 1)
    boa.env.time_travel(seconds=RESPONSE_SECONDS)
    pw.programs.expire_demand(pending, 1)
    with boa.reverts("programs: no pending report"):
        pw.programs.expire_demand(pending, 1)


def test_expire_demand__while_paused__allowed(pw, pactors, pending):
    pw.demand(pending, 1)
    with boa.env.prank(pactors.pauser):
        pw.programs.pause()
    boa.env.time_travel(seconds=RESPONSE_SECONDS)
    pw.programs.expire_demand(pending, 1)


# -- reclaim_demand ----------------------------------------------------------------------------
def test_reclaim_demand__report_undone_otherwise__bond_back_once(pw, pactors, pending):
    pw.demand(pending, 0)
    pw.demand(pending, 1, sender=pactors.stranger)
    boa.env.time_travel(seconds=RESPONSE_SECONDS)
    pw.programs.expire_demand(pending, 0)
    before = balance(pactors.stranger)
    with boa.env.prank(pactors.demander):
        pw.programs.reclaim_demand(1, 1)
    assert logged(pw.programs, "DemandReclaimed") == [
        {"report_id": 1, "position": 1, "demander": pactors.stranger}
    ]
    assert balance(pactors.stranger) == before + DEMAND_BOND
    assert pw.programs.demands(1, 1)[2] == DEMAND_RECLAIMED
    assert balance(pw.programs.address) == 0
    with boa.reverts("programs: no open demand"):
        pw.programs.reclaim_demand(1, 1)


def test_reclaim_demand__report_still_pending__reverts(pw, pending):
    pw.demand(pending, 0)
    with boa.reverts("programs: report not undone"):
        pw.programs.reclaim_demand(1, 0)
    with boa.reverts("programs: no open demand"):
        pw.programs.reclaim_demand(1, 1)


# -- refute ------------------------------------------------------------------------------------
@pytest.mark.parametrize("proofs", ["member_proofs", "program_proofs"])
def test_refute__bound_proof_contract__undoes_slashes_pays_the_challenger(
    pw, pactors, program, pending, proofs
):
    before = balance(pactors.challenger)
    with boa.env.prank(pactors.challenger):
        getattr(pw, proofs).prove(pending, 4, False)
    via = getattr(pw, proofs)
    assert logged(pw.programs, "ProgramFraudProven", via) == [
        {
            "program_id": program.program_id,
            "report_id": 1,
            "kind": 4,
            "challenger": pactors.challenger,
        }
    ]
    assert logged(pw.programs, "ReportUndone", via) == [
        {
            "program_id": program.program_id,
            "report_id": 1,
            "reason": FRAUD_PROVEN,
            "by": pactors.challenger,
        }
    ]
    assert logged(pw.programs, "OracleSlashed", via) == [
        {"oracle": pactors.oracle, "program_id": program.program_id}
    ]
    assert logged(pw.programs, "EnrollmentRefuted", via) == []
    assert balance(pactors.challenger) == before + REPORT_BOND
    assert pw.programs.is_slashed(pactors.oracle)
    assert pw.programs.program(program.program_id).oracle == ZERO
    assert pw.programs.program(program.program_id).next_period_start == FY2025_START
    assert pw.programs.enrollments(program.program_id, 0).status == 2


def test_refute__enrollment__root_refuted(pw, pactors, program, pending):
    with boa.env.prank(pactors.challenger):
        pw.program_proofs.prove(pending, 8, True)
    assert logged(pw.programs, "EnrollmentRefuted", pw.program_proofs) == [
        {"program_id": program.program_id, "index": 0}
    ]
    assert pw.programs.enrollments(program.program_id, 0).status == REFUTED


def test_refute__the_period_can_be_reported_again_by_a_new_oracle(
    pw, pactors, program, april, pending
):
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.prove(pending, 1, False)
    with boa.reverts("programs: not the program oracle"):
        pw.submit(program, april)
    with boa.env.prank(pactors.manager):
        pw.programs.set_program_oracle(program.program_id, pactors.oracle2)
    facts = pw.submit(program, april, sender=pactors.oracle2)
    assert fact(facts, "report_id") == 2 and fact(facts, "period_start") == FY2025_START


@pytest.mark.parametrize("caller", ["oracle", "manager", "validator", "admin", "stranger"])
def test_refute__not_a_proof_contract__reverts(pw, pactors, pending, caller):
    with (
        boa.env.prank(getattr(pactors, caller)),
        boa.reverts("programs: caller is not a proof contract"),
    ):
        pw.programs.refute(pending, 1, pactors.challenger, False)


@pytest.mark.parametrize("kind", [0, 10])
def test_refute__unknown_kind__reverts(pw, pactors, pending, kind):
    with boa.env.prank(pactors.challenger), boa.reverts("programs: unknown proof kind"):
        pw.member_proofs.refute_unchecked(pending, kind, pactors.challenger, False)


def test_refute__after_the_window__reverts_unless_a_demand_is_open(pw, pactors, program, pending):
    boa.env.time_travel(seconds=WINDOW - 1)
    pw.demand(pending, 0)
    boa.env.time_travel(seconds=1)
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.refute_unchecked(pending, 1, pactors.challenger, False)
    assert pw.programs.pending_report(program.program_id).status == 0


def test_refute__after_the_window__reverts(pw, pactors, pending):
    boa.env.time_travel(seconds=WINDOW)
    with boa.env.prank(pactors.challenger), boa.reverts("programs: challenge window over"):
        pw.member_proofs.refute_unchecked(pending, 1, pactors.challenger, False)


def test_refute__twice_or_finalized__reverts(pw, pactors, pending):
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.prove(pending, 1, False)
    with boa.env.prank(pactors.challenger), boa.reverts("programs: no pending report"):
        pw.program_proofs.refute_unchecked(pending, 2, pactors.challenger, False)


def test_refute__while_paused__allowed(pw, pactors, pending):
    with boa.env.prank(pactors.pauser):
        pw.programs.pause()
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.prove(pending, 1, False)


def test_refute__challenger_refusing_ether__owed(pw, pactors, pending):
    challenger = pw.program_proofs.address  # refuses ether
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.refute_unchecked(pending, 3, challenger, False)
    assert logged(pw.programs, "PaymentOwed", pw.member_proofs) == [
        {"to": challenger, "amount": REPORT_BOND}
    ]
    assert pw.programs.owed(challenger) == REPORT_BOND
    assert balance(pw.programs.address) == REPORT_BOND


# -- withdraw ----------------------------------------------------------------------------------
def test_withdraw__gas_hungry_receiver__collects_once(pw, pactors, pending):
    hungry = boa.load(str(HUNGRY))
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.refute_unchecked(pending, 3, hungry.address, False)
    assert pw.programs.owed(hungry.address) == REPORT_BOND and hungry.received() == 0
    hungry.withdraw_from(pw.programs.address)
    assert logged(pw.programs, "OwedWithdrawn", hungry) == [
        {"to": hungry.address, "amount": REPORT_BOND}
    ]
    assert hungry.received() == 1 and balance(hungry.address) == REPORT_BOND
    assert pw.programs.owed(hungry.address) == 0
    with boa.reverts():
        hungry.withdraw_from(pw.programs.address)


def test_withdraw__nothing_owed__reverts(pw, pactors):
    with boa.env.prank(pactors.stranger), boa.reverts("programs: nothing owed"):
        pw.programs.withdraw()


# -- attackers ---------------------------------------------------------------------------------
def test_attack__manager_alone_cannot_mint(pw, pactors):
    """A manager who is its own oracle candidate: no ORACLE_ROLE, no approval, no validator root."""
    with boa.env.prank(pactors.manager):
        program_id = pw.programs.create_program(pactors.manager, 0, FY2025_START, "EN-R-002", "")
        with boa.reverts("programs: not an ORACLE_ROLE"):
            pw.programs.set_program_oracle(program_id, pactors.manager)
        index = pw.programs.propose_enrollment(program_id, b"\x01" * 32, 10, "")
        with boa.reverts("programs: caller is not a validator"):
            pw.programs.approve_enrollment(program_id, index)
        with boa.reverts("programs: caller is not a validator"):
            pw.programs.approve_program(program_id)
        with boa.reverts("programs: not the program oracle"):
            pw.programs.submit_report(
                program_id, MAY_2025, 2025, 1, (bytes(32), 1, bytes(32), 0), "", value=REPORT_BOND
            )


def test_attack__oracle_cannot_report_a_period_twice(pw, pactors, program, april, pending):
    pw.finalize(pending)
    with boa.reverts("programs: period end <= start"):
        pw.submit(program, april)


def test_attack__oracle_answers_its_own_demand_to_recover_the_bond(
    pw, pactors, program, april, pending
):
    """Demanding one's own report costs nothing but delays only until the demand is answered."""
    pw.demand(pending, 0, sender=pactors.oracle)
    pw.respond(program, april, pending, 0, sender=pactors.oracle)
    pw.finalize(pending)


def test_attack__demand_bond_paid_once_and_report_bond_once(pw, pactors, program, april, pending):
    pw.demand(pending, 0)
    boa.env.time_travel(seconds=RESPONSE_SECONDS)
    pw.programs.expire_demand(pending, 0)
    for call in (
        lambda: pw.programs.expire_demand(pending, 0),
        lambda: pw.programs.finalize(pending),
        lambda: pw.programs.respond(*pw.respond_args(program, april, pending, 0)),
    ):
        with boa.reverts("programs: no pending report"):
            call()
    with boa.env.prank(pactors.challenger), boa.reverts("programs: no pending report"):
        pw.member_proofs.refute_unchecked(pending, 1, pactors.challenger, False)
    with boa.reverts("programs: no open demand"):
        pw.programs.reclaim_demand(1, 0)
    assert balance(pw.programs.address) == 0


def test_attack__replaying_facts_of_an_earlier_report_fails(pw, pactors, program, april, pending):
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.prove(pending, 1, False)
    with boa.env.prank(pactors.manager):
        pw.programs.set_program_oracle(program.program_id, pactors.oracle2)
    pw.submit(program, april, sender=pactors.oracle2)
    for call in (lambda: pw.programs.check_pending(pending), lambda: pw.demand(pending, 0)):
        with boa.reverts("programs: facts differ from the report"):
            call()
