"""Programs: submit_report, finalize, check_pending and the views CarbonCredit reads."""

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from jcredit.program_tree import depth_for
from tests.contracts.contract_world import (
    FACTOR_2025,
    FY2025_START,
    JULY_2025,
    JUNE_2025,
    MAY_2025,
    NOW,
)
from tests.contracts.programs.program_world import (
    CAP_T,
    FACT_FIELDS,
    G_PER_T,
    REPORT_BOND,
    WINDOW,
    enrollment_for,
    fact,
    logged,
    results_for,
    synthetic_root,
    with_fact,
)

FACTS_TYPE = (
    "(uint256,uint256,uint64,uint64,uint16,uint256,bytes32,uint256,uint64,uint256,uint256,bytes32,"
    "uint256,uint256,uint256,address,uint256,uint64)"
)


def facts_hash(facts: tuple) -> bytes:
    return keccak(encode([FACTS_TYPE], [facts]))


def token(program_id: int, fiscal_year: int = 2025) -> int:
    return program_id * 65536 + fiscal_year


# -- submit_report -----------------------------------------------------------------------------
def test_submit_report__oracle__logs_the_facts_and_stores_their_hash(pw, pactors, program, april):
    balance = boa.env.get_balance(pw.programs.address)
    with boa.env.prank(pactors.oracle):
        report_id = pw.programs.submit_report(
            program.program_id,
            MAY_2025,
            2025,
            april.count,
            april.root_node.as_tuple(),
            "ar://r",
            value=REPORT_BOND,
        )
    (log,) = logged(pw.programs, "ProgramReportSubmitted")
    facts = tuple(log["facts"])
    enrollment = pw.programs.enrollments(program.program_id, 0)
    expected = {
        "program_id": program.program_id,
        "report_id": report_id,
        "period_start": FY2025_START,
        "period_end": MAY_2025,
        "fiscal_year": 2025,
        "enrollment_index": 0,
        "enrollment_root": program.enrollment.root,
        "enrollment_count": 8,
        "enrollment_approved_at": enrollment.approved_at,
        "member_count": 4,
        "depth": 2,
        "sum_root": april.root,
        "total_g": april.total,
        "factor_g_per_mwh": FACTOR_2025,
        "cap_g": CAP_T * G_PER_T,
        "oracle": pactors.oracle,
        "bond": REPORT_BOND,
        "challenge_deadline": NOW + WINDOW,
    }
    assert dict(zip(FACT_FIELDS, facts, strict=True)) == expected
    assert (log["program_id"], log["report_id"], log["fiscal_year"], log["data_uri"]) == (
        program.program_id,
        1,
        2025,
        "ar://r",
    )
    assert report_id == 1 and pw.programs.report_count() == 1
    pending = pw.programs.pending_report(program.program_id)
    assert (pending.status, pending.report_id, pending.challenge_deadline) == (1, 1, NOW + WINDOW)
    assert pending.facts_hash == facts_hash(facts)
    assert pw.programs.program(program.program_id).next_period_start == MAY_2025
    assert boa.env.get_balance(pw.programs.address) == balance + REPORT_BOND


@pytest.mark.parametrize("members, depth", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)])
def test_submit_report__depth_is_at_least_one(pw, members, depth):
    program = pw.ready(members=members)
    facts = pw.submit(program, results_for(program.enrollment, FY2025_START, MAY_2025))
    assert fact(facts, "depth") == depth == depth_for(members, minimum=1)


def test_submit_report__no_cap__cap_g_zero(pw):
    program = pw.ready(members=2, cap_t=0)
    facts = pw.submit(program, results_for(program.enrollment, FY2025_START, MAY_2025))
    assert fact(facts, "cap_g") == 0


def test_submit_report__more_value_than_the_minimum__is_the_bond(pw, program, april):
    facts = pw.submit(program, april, value=3 * REPORT_BOND)
    assert fact(facts, "bond") == 3 * REPORT_BOND


def test_submit_report__paused__reverts(pw, pactors, program, april):
    with boa.env.prank(pactors.pauser):
        pw.programs.pause()
    with boa.reverts("pausable: contract is paused"):
        pw.submit(program, april)


@pytest.mark.parametrize("caller", ["manager", "oracle2", "validator", "stranger", "admin"])
def test_submit_report__not_the_program_oracle__reverts(pw, pactors, program, april, caller):
    with boa.reverts("programs: not the program oracle"):
        pw.submit(program, april, sender=getattr(pactors, caller))


def test_submit_report__program_not_approved__reverts(pw, pactors):
    program = pw.create(approve=False)
    pw.enroll(program, enrollment_for(2))
    tree = results_for(program.enrollment, FY2025_START, MAY_2025)
    with boa.reverts("programs: program not approved"):
        pw.submit(program, tree)


def test_submit_report__oracle_lost_its_role__reverts(pw, pactors, program, april):
    with boa.env.prank(pactors.admin):
        pw.registry.revoke_role(pw.registry.ORACLE_ROLE(), pactors.oracle)
    with boa.reverts("programs: not an ORACLE_ROLE"):
        pw.submit(program, april)


def test_submit_report__oracle_slashed_in_another_program__reverts(pw, pactors, program, april):
    other = pw.ready(members=2)
    other_facts = pw.submit(other, results_for(other.enrollment, FY2025_START, MAY_2025))
    with boa.env.prank(pactors.challenger):
        pw.program_proofs.prove(other_facts, 2, False)
    # still assigned to `program`, but slashed: it can never submit again
    assert pw.programs.program(program.program_id).oracle == pactors.oracle
    with boa.reverts("programs: oracle slashed"):
        pw.submit(program, april)


def test_submit_report__bond_too_small__reverts(pw, program, april):
    with boa.reverts("programs: bond too small"):
        pw.submit(program, april, value=REPORT_BOND - 1)


def test_submit_report__report_pending__reverts(pw, program, april, pending):
    may = results_for(program.enrollment, MAY_2025, JUNE_2025)
    with boa.reverts("programs: report pending"):
        pw.submit(program, may, end=JUNE_2025)


def test_submit_report__period_end_not_after_start__reverts(pw, program, april):
    with boa.reverts("programs: period end <= start"):
        pw.submit(program, april, end=FY2025_START)


def test_submit_report__period_not_over__reverts(pw, program, april):
    with boa.reverts("programs: period not over"):
        pw.submit(program, april, end=NOW + 1)


def test_submit_report__outside_the_fiscal_year__reverts(pw, program, april):
    with boa.reverts("programs: outside fiscal year"):
        pw.submit(program, april, fiscal_year=2024)
    with boa.reverts("programs: outside fiscal year"):
        pw.submit(program, april, fiscal_year=2026)


def test_submit_report__period_crosses_the_fiscal_year__reverts(pw):
    program = pw.ready(members=2, first=FY2025_START - 86400)
    tree = results_for(program.enrollment, FY2025_START, MAY_2025)
    with boa.reverts("programs: outside fiscal year"):
        pw.submit(program, tree)


def test_submit_report__no_approved_enrollment__reverts(pw, pactors):
    program = pw.create()
    tree = results_for(enrollment_for(2), FY2025_START, MAY_2025)
    with boa.reverts("programs: no approved enrollment"):
        pw.submit(program, tree)
    pw.enroll(program, enrollment_for(2), approve=False)
    with boa.reverts("programs: no approved enrollment"):
        pw.submit(program, tree)


def test_submit_report__current_enrollment_refuted__reverts_until_a_new_root(
    pw, pactors, program, april, pending
):
    with boa.env.prank(pactors.challenger):
        pw.program_proofs.prove(pending, 7, True)
    with boa.env.prank(pactors.manager):
        pw.programs.set_program_oracle(program.program_id, pactors.oracle2)
    with boa.reverts("programs: enrollment refuted"):
        pw.submit(program, april, sender=pactors.oracle2)
    pw.enroll(program, enrollment_for(4))
    facts = pw.submit(program, april, sender=pactors.oracle2)
    assert fact(facts, "enrollment_index") == 1 and fact(facts, "period_start") == FY2025_START


@pytest.mark.parametrize("count", [0, 9])
def test_submit_report__member_count_out_of_range__reverts(pw, program, april, count):
    with boa.reverts("programs: bad member count"):
        pw.submit(program, april, member_count=count)


def test_submit_report__total_too_large__reverts(pw, program):
    with boa.reverts("programs: total too large"):
        pw.submit(program, root=synthetic_root(2**128), member_count=4)
    facts = pw.submit(program, root=synthetic_root(2**128 - 1), member_count=4)
    assert fact(facts, "total_g") == 2**128 - 1


def test_submit_report__no_emission_factor__reverts(pw, pactors):
    program = pw.ready(members=2, first=1711897200)  # FY2024 start: no factor set for 2024
    tree = results_for(program.enrollment, 1711897200, 1714489200)
    with boa.reverts("programs: no emission factor"):
        pw.submit(program, tree, end=1714489200, fiscal_year=2024)


def test_submit_report__member_count_beyond_the_tree__reverts(pw, pactors):
    program = pw.create()
    with boa.env.prank(pactors.manager):
        index = pw.programs.propose_enrollment(program.program_id, b"\x01" * 32, 2**24, "")
    with boa.env.prank(pactors.validator):
        pw.programs.approve_enrollment(program.program_id, index)
    facts = pw.submit(program, root=synthetic_root(10), member_count=2**24)
    assert fact(facts, "depth") == 24


# -- finalize ----------------------------------------------------------------------------------
def test_finalize__after_the_window__mints_whole_tonnes_carries_the_rest(pw, pactors, program):
    tree = results_for(program.enrollment, FY2025_START, MAY_2025, [700_000, 600_000, 0, 250_001])
    facts = pw.submit(program, tree)
    oracle_balance = boa.env.get_balance(pactors.oracle)
    pw.finalize(facts)
    (log,) = logged(pw.programs, "ProgramReportFinalized")
    assert log == {
        "program_id": program.program_id,
        "report_id": 1,
        "token_id": token(program.program_id),
        "total_g": 1_550_001,
        "minted_t": 1,
        "carry_g": 550_001,
        "payout": pactors.payout,
    }
    assert pw.credit.balanceOf(pactors.payout, token(program.program_id)) == 1
    assert pw.programs.carry_g(program.program_id, 2025) == 550_001
    assert pw.programs.carry_g(program.program_id, 2026) == 0
    assert boa.env.get_balance(pactors.oracle) == oracle_balance + REPORT_BOND
    assert pw.programs.pending_report(program.program_id).status == 0
    expected = keccak(
        encode(
            ["uint256", "uint16", "bytes32", "uint256"], [program.program_id, 2025, tree.root, 2]
        )
    )
    assert pw.programs.finalized_report(1) == expected
    # May carries April's rest: 550,001 + 450,000 = 1.000001 t
    may = results_for(program.enrollment, MAY_2025, JUNE_2025, [450_000, 0, 0, 0])
    pw.finalize(pw.submit(program, may, end=JUNE_2025))
    assert logged(pw.programs, "ProgramReportFinalized")[0]["minted_t"] == 1
    assert pw.credit.balanceOf(pactors.payout, token(program.program_id)) == 2
    assert pw.programs.carry_g(program.program_id, 2025) == 1


def test_finalize__nothing_to_mint__returns_the_bond(pw, pactors, program):
    tree = results_for(program.enrollment, FY2025_START, MAY_2025, [0, 0, 0, 0])
    facts = pw.submit(program, tree)
    pw.finalize(facts)
    assert logged(pw.programs, "ProgramReportFinalized")[0]["minted_t"] == 0
    assert pw.credit.minted(token(program.program_id)) == 0


def test_finalize__window_open__reverts(pw, pactors, pending):
    boa.env.time_travel(seconds=WINDOW - 1)
    with boa.reverts("programs: challenge window open"):
        pw.programs.finalize(pending)


def test_finalize__twice__reverts(pw, pending):
    pw.finalize(pending)
    with boa.reverts("programs: no pending report"):
        pw.programs.finalize(pending)


@pytest.mark.parametrize(
    "field, value",
    [("total_g", 10**12), ("bond", 1), ("oracle", None), ("challenge_deadline", NOW), ("cap_g", 0)],
)
def test_finalize__facts_differ__reverts(pw, pactors, pending, field, value):
    boa.env.time_travel(seconds=WINDOW)
    forged = with_fact(pending, field, pactors.stranger if value is None else value)
    with boa.reverts("programs: facts differ from the report"):
        pw.programs.finalize(forged)


def test_finalize__paused__reverts_until_unpaused(pw, pactors, pending):
    boa.env.time_travel(seconds=WINDOW)
    with boa.env.prank(pactors.pauser):
        pw.programs.pause()
    with boa.reverts("pausable: contract is paused"):
        pw.programs.finalize(pending)
    with boa.env.prank(pactors.pauser):
        pw.programs.unpause()
    pw.programs.finalize(pending)


def test_finalize__demand_open__reverts(pw, pending):
    pw.demand(pending, 0)
    boa.env.time_travel(seconds=WINDOW)
    with boa.reverts("programs: demand open"):
        pw.programs.finalize(pending)


# -- check_pending -----------------------------------------------------------------------------
def test_check_pending__inside_the_window__true(pw, pending):
    assert pw.programs.check_pending(pending) is True


def test_check_pending__after_the_window__reverts_unless_a_demand_is_open(pw, program, pending):
    boa.env.time_travel(seconds=WINDOW - 1)
    pw.demand(pending, 1)
    boa.env.time_travel(seconds=1)
    assert pw.programs.check_pending(pending) is True
    pw.respond(program, results_for(program.enrollment, FY2025_START, MAY_2025), pending, 1)
    with boa.reverts("programs: challenge window over"):
        pw.programs.check_pending(pending)


def test_check_pending__facts_differ_or_none_pending__reverts(pw, pending):
    with boa.reverts("programs: facts differ from the report"):
        pw.programs.check_pending(with_fact(pending, "member_count", 3))
    with boa.reverts("programs: no pending report"):
        pw.programs.check_pending(with_fact(pending, "program_id", 99))
    pw.finalize(pending)
    with boa.reverts("programs: no pending report"):
        pw.programs.check_pending(pending)


# -- views -------------------------------------------------------------------------------------
def test_finalized_report__pending_or_unknown__zero(pw, pending):
    assert pw.programs.finalized_report(1) == bytes(32)
    assert pw.programs.finalized_report(2) == bytes(32)


def test_pending_report__no_report__empty(pw, program):
    pending = pw.programs.pending_report(program.program_id)
    assert (pending.status, pending.report_id, pending.facts_hash) == (0, 0, bytes(32))


# -- certification with Programs as the minter ------------------------------------------------
def test_record_certification__programs_as_minter__round_recorded(pw, pactors, program):
    tree = results_for(
        program.enrollment, FY2025_START, MAY_2025, [900_000, 900_000, 900_000, 300_000]
    )
    pw.finalize(pw.submit(program, tree))
    tid = token(program.program_id)
    assert pw.credit.balanceOf(pactors.payout, tid) == 3
    may = pw.submit(program, results_for(program.enrollment, MAY_2025, JUNE_2025), end=JUNE_2025)
    with boa.env.prank(pactors.registrar), boa.reverts("certification: report pending"):
        pw.credit.record_certification("JC-P-1", tid, [1, 2], 3, 1, 3)
    with boa.env.prank(pactors.registrar), boa.reverts("certification: unknown report"):
        pw.credit.record_certification("JC-P-1", tid, [1, 3], 3, 1, 3)
    with boa.env.prank(pactors.stranger), boa.reverts("certification: caller is not a registrar"):
        pw.credit.record_certification("JC-P-1", tid, [1], 3, 1, 3)
    with boa.env.prank(pactors.registrar):
        round_id = pw.credit.record_certification("JC-P-1", tid, [1], 3, 1, 3)
    assert round_id == 1 and pw.credit.certified(tid) == 3
    assert pw.credit.uncertified_supply(tid) == 0
    pw.finalize(may)
    assert pw.programs.report_count() == 2 and JULY_2025 > JUNE_2025
