"""Each of the nine proof kinds end to end, real contracts only: a cheating oracle submits through
the real `Programs`, a prover sends the real proof to the real MemberProofs / ProgramProofs, which
calls `Programs.refute`: the report is undone (ReportUndone, ProgramFraudProven), the bond paid to
the prover, the oracle slashed and unassigned, the enrollment refuted for kinds 7-9. Then a new
oracle submits the honest report of the same period and it finalizes: credits minted to the
payout, the rest carried, `finalized_report` kept for cap proofs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import boa
import pytest

from tests.contracts.contract_world import GENERATION, JULY_2025, JUNE_2025, events
from tests.contracts.program_integration.world import (
    CAP_T,
    ENROLLMENT_REFUTED,
    FRAUD_PROVEN,
    REPORT_BOND,
    Chain,
    invalid,
)
from tests.contracts.program_proofs.program_world import (
    PERIOD_END,
    PERIOD_START,
    PROGRAM_ID,
    READ_EVERY,
    ProgramReportData,
    batch_data,
    build_report,
    enrollment_of,
    honest_result,
    household,
    sign,
)
from tests.contracts.program_proofs.test_program_proofs import UncheckedEnrollment

ZERO = "0x" + "00" * 20
POS = 2
SPIKE_AT = PERIOD_START + 9 * 86400 + 12 * 3600


@dataclass
class Scenario:
    cheat: ProgramReportData  # submitted (real facts)
    prove: Callable[[], tuple[object, str, tuple]]  # (contract, function, args)
    position: int
    refutes_enrollment: bool
    honest: Callable[[], ProgramReportData]  # the honest report (the enrollment fixed first)
    earlier_total: int = 0  # grams of an earlier finalized report of the same fiscal year


def start(chain: Chain, households, enrollment=None) -> tuple[int, object]:
    program_id = chain.create_program()
    assert program_id == PROGRAM_ID  # the households' batches are signed for program 1
    enrollment = enrollment or enrollment_of(households)
    chain.enroll(program_id, enrollment)
    return program_id, enrollment


def honest_of(chain, households, enrollment=None, **kw) -> Callable[[], ProgramReportData]:
    def build():
        tree = enrollment or enrollment_of(households)
        if enrollment is None:
            chain.enroll(PROGRAM_ID, tree)
        return build_report(chain.domain, households, chain.oracles[1], enrollment=tree, **kw)

    return build


def path_of(report, position):
    return report.path(position)


def kind1(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 7)]
    _, enrollment = start(chain, hh)
    honest = build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment)
    results = list(honest.results)
    r = results[POS]
    results[POS] = replace(
        r, credited_g=r.credited_g + 10**6, ytd_credited_g=r.ytd_credited_g + 10**6
    )
    cheat = chain.submit(honest.with_results(results), chain.oracles[0])
    return Scenario(
        cheat,
        lambda: (chain.member_proofs, "prove_member", cheat.member_args(POS)),
        POS,
        False,
        honest_of(chain, hh, enrollment),
    )


def kind2(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 7)]
    _, enrollment = start(chain, hh)
    honest = build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment)
    root = honest.tree.depth - 1
    node = honest.tree.nodes[root][0]
    tree = honest.tree.set_claim(root, 0, False, node.left_sum + 7 * 10**6)  # 7 t from nowhere
    cheat = chain.submit(honest.with_tree(honest.results, tree), chain.oracles[0])
    assert cheat.facts["total_g"] == honest.tree.total + 7 * 10**6
    return Scenario(
        cheat,
        lambda: (chain.program_proofs, "prove_sum", (cheat.facts_tuple, 0, cheat.path(0))),
        0,
        False,
        honest_of(chain, hh, enrollment),
    )


def kind3(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 7)]
    _, enrollment = start(chain, hh)
    honest = build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment)
    results = list(honest.results)
    results.insert(3, results[2])  # member 3 counted twice
    data = honest.with_results(results)
    data.facts["member_count"] = 7
    cheat = chain.submit(data, chain.oracles[0])
    args = (
        cheat.facts_tuple,
        2,
        cheat.path(2),
        cheat.results[2].as_tuple(),
        cheat.path(3),
        cheat.results[3].as_tuple(),
    )
    return Scenario(
        cheat,
        lambda: (chain.program_proofs, "prove_member_order", args),
        2,
        False,
        honest_of(chain, hh, enrollment),
    )


def kind4(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 5)]
    _, enrollment = start(chain, hh)
    honest = build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment)
    stale = honest_result(
        chain.domain,
        PROGRAM_ID,
        hh[POS],
        enrollment,
        boundary_ts=(PERIOD_START - READ_EVERY, PERIOD_END),
    )
    results = list(honest.results)
    results[POS] = stale
    cheat = chain.submit(honest.with_results(results), chain.oracles[0])
    later = sign(
        chain.domain,
        PROGRAM_ID,
        hh[POS].generation,
        [(PERIOD_START, hh[POS].gen_register(PERIOD_START))],
    )
    shown = stale.meters[0]
    leaf, proof = cheat.enrolled(shown.enrollment_index)
    args = (
        cheat.facts_tuple,
        POS,
        cheat.path(POS),
        stale.as_tuple(),
        0,
        True,
        later.as_signed_reading(),
        leaf,
        proof,
    )
    return Scenario(
        cheat,
        lambda: (chain.member_proofs, "prove_later_reading", args),
        POS,
        False,
        honest_of(chain, hh, enrollment),
    )


def kind5(chain: Chain) -> Scenario:
    spiky = household(3, spike_at=SPIKE_AT, spike_wh=household(3).capacity_w)
    hh = [household(1), household(2), spiky]
    _, enrollment = start(chain, hh)
    honest = build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment)
    cheat = chain.submit(honest, chain.oracles[0])  # the spike credited as if it were fine
    readings = [(t, spiky.gen_register(t)) for t in (SPIKE_AT - READ_EVERY, SPIKE_AT)]
    data = batch_data(chain.domain, PROGRAM_ID, spiky.generation, readings)
    leaf, proof = cheat.enrolled(cheat.results[POS].meters[0].enrollment_index)
    args = (
        cheat.facts_tuple,
        POS,
        cheat.path(POS),
        cheat.results[POS].as_tuple(),
        leaf,
        proof,
        ([data], 0, len(readings) - 1),
    )

    def refused():  # the honest oracle refuses the member: over capacity (reason 3)
        results = list(honest.results)
        results[POS] = invalid(results[POS], 3)
        report = honest.with_results(results)
        return replace(report, facts=dict(report.facts, oracle=chain.oracles[1]))

    return Scenario(
        cheat, lambda: (chain.member_proofs, "prove_interval", args), POS, False, refused
    )


def kind6(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 5)]
    _, enrollment = start(chain, hh)
    may = chain.submit(
        build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment), chain.oracles[0]
    )
    chain.finalize(may)
    assert chain.programs.finalized_report(may.report_id) == may.finalized_hash()
    june = (JUNE_2025, JULY_2025)
    forgets = build_report(
        chain.domain, hh, chain.oracles[0], report_id=2, period=june, enrollment=enrollment
    )
    cheat = chain.submit(forgets, chain.oracles[0])
    args = (
        cheat.facts_tuple,
        POS,
        cheat.path(POS),
        cheat.results[POS].as_tuple(),
        may.earlier(),
        POS,
        may.path(POS),
        may.results[POS].as_tuple(),
    )
    ytd = {r.member_id: r.ytd_credited_g for r in may.results}
    return Scenario(
        cheat,
        lambda: (chain.member_proofs, "prove_cap", args),
        POS,
        False,
        honest_of(chain, hh, enrollment, period=june, ytd_before=ytd),
        earlier_total=may.tree.total,
    )


def kind7(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 4)]
    leaves = sorted(
        (leaf for x in hh for leaf in x.enrollment_leaves()), key=lambda lf: int(lf.meter, 16)
    )
    twice = replace(leaves[2], member_id=99)  # one meter enrolled for a second member
    _, enrollment = start(chain, hh, UncheckedEnrollment([*leaves[:3], twice, *leaves[3:]]))
    cheat = chain.submit(
        build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment), chain.oracles[0]
    )
    a, pa = cheat.enrolled(2)
    b, pb = cheat.enrolled(3)
    args = (cheat.facts_tuple, 2, a, pa, b, pb)
    return Scenario(
        cheat,
        lambda: (chain.program_proofs, "prove_enrollment_order", args),
        2,
        True,
        honest_of(chain, hh),
    )


def kind8(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 7)]
    assert chain.create_program() == PROGRAM_ID
    other_id = chain.create_program(oracle=chain.oracles[5])
    other = enrollment_of([household(3), household(40)])
    other_index = chain.enroll(other_id, other)  # approved before program 1's root
    enrollment = enrollment_of(hh)
    chain.enroll(PROGRAM_ID, enrollment)
    cheat = chain.submit(
        build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment), chain.oracles[0]
    )
    meter = household(3).generation.address
    index, there = enrollment.index_of(meter), other.index_of(meter)
    leaf, proof = cheat.enrolled(index)
    args = (
        cheat.facts_tuple,
        index,
        leaf,
        proof,
        other_id,
        other_index,
        there,
        other.leaves[there].as_tuple(),
        other.proof(there),
    )
    rest = [x for x in hh if x.member_id != 3]
    return Scenario(
        cheat,
        lambda: (chain.program_proofs, "prove_enrolled_elsewhere", args),
        index,
        True,
        honest_of(chain, rest),
    )


def kind9(chain: Chain) -> Scenario:
    hh = [household(i) for i in range(1, 7)]
    _, enrollment = start(chain, hh)
    cheat = chain.submit(
        build_report(chain.domain, hh, chain.oracles[0], enrollment=enrollment), chain.oracles[0]
    )
    base = chain.base
    project_id = base.register_project()
    base.register_meter(project_id, household(3).generation, GENERATION, serial="SN-P-3")
    base.approve_meter(household(3).generation)
    index = enrollment.index_of(household(3).generation.address)
    leaf, proof = cheat.enrolled(index)
    rest = [x for x in hh if x.member_id != 3]
    return Scenario(
        cheat,
        lambda: (
            chain.program_proofs,
            "prove_single_site",
            (cheat.facts_tuple, index, leaf, proof),
        ),
        index,
        True,
        honest_of(chain, rest),
    )


SCENARIOS = {
    1: kind1,
    2: kind2,
    3: kind3,
    4: kind4,
    5: kind5,
    6: kind6,
    7: kind7,
    8: kind8,
    9: kind9,
}


@pytest.mark.parametrize("kind", sorted(SCENARIOS))
def test_cheat_refuted_then_honest_report_finalizes(chain: Chain, kind: int):
    programs = chain.programs
    scenario = SCENARIOS[kind](chain)
    cheat = scenario.cheat
    f = cheat.facts
    assert programs.pending_report(PROGRAM_ID)[0] == 1
    contract, function, args = scenario.prove()
    paid_before = boa.env.get_balance(chain.prover)
    with boa.env.prank(chain.prover):
        getattr(contract, function)(*args)

    # -- the report is undone through the real Programs ------------------------------------
    (held,) = events(contract, "ProgramProofHeld")
    assert (held["kind"], held["position"], held["challenger"]) == (
        kind,
        scenario.position,
        chain.prover,
    )
    (proven,) = [e for e in events(contract, "ProgramFraudProven")]
    assert proven["address"] == programs.address
    assert (proven["program_id"], proven["report_id"], proven["kind"], proven["challenger"]) == (
        PROGRAM_ID,
        f["report_id"],
        kind,
        chain.prover,
    )
    (undone,) = events(contract, "ReportUndone")
    assert (undone["program_id"], undone["report_id"], undone["reason"], undone["by"]) == (
        PROGRAM_ID,
        f["report_id"],
        FRAUD_PROVEN,
        chain.prover,
    )
    (slashed,) = events(contract, "OracleSlashed")
    assert (slashed["oracle"], slashed["program_id"]) == (chain.oracles[0], PROGRAM_ID)
    assert boa.env.get_balance(chain.prover) == paid_before + REPORT_BOND
    assert programs.owed(chain.prover) == 0
    assert programs.is_slashed(chain.oracles[0])
    assert programs.program(PROGRAM_ID).oracle == ZERO
    assert programs.pending_report(PROGRAM_ID)[0] == 0
    assert programs.finalized_report(f["report_id"]) == bytes(32)
    enrollment = programs.enrollments(PROGRAM_ID, f["enrollment_index"])
    refuted = events(contract, "EnrollmentRefuted")
    if scenario.refutes_enrollment:
        assert enrollment.status == ENROLLMENT_REFUTED
        assert [(e["program_id"], e["index"]) for e in refuted] == [
            (PROGRAM_ID, f["enrollment_index"])
        ]
    else:
        assert enrollment.status != ENROLLMENT_REFUTED and not refuted
    with boa.reverts("programs: no pending report"), boa.env.prank(chain.prover):
        getattr(contract, function)(*args)  # nothing left to refute
    with boa.reverts(), boa.env.prank(chain.oracles[0]):
        programs.submit_report(
            PROGRAM_ID,
            f["period_end"],
            f["fiscal_year"],
            1,
            cheat.tree.root_node.as_tuple(),
            "",
            value=REPORT_BOND,
        )

    # -- a new oracle reports the same period honestly; it finalizes ------------------------
    chain.set_oracle(PROGRAM_ID, chain.oracles[1])
    honest = chain.submit(scenario.honest(), chain.oracles[1])
    assert (honest.facts["period_start"], honest.facts["period_end"]) == (
        f["period_start"],
        f["period_end"],
    )
    assert honest.facts["cap_g"] == CAP_T * 10**6
    assert honest.facts["report_id"] > f["report_id"]
    token = (PROGRAM_ID << 16) | f["fiscal_year"]
    held_before = chain.credit.balanceOf(chain.payout, token)
    oracle_before = boa.env.get_balance(chain.oracles[1])
    done = chain.finalize(honest)
    total = scenario.earlier_total + honest.tree.total
    assert chain.credit.balanceOf(chain.payout, token) == total // 10**6
    assert done["minted_t"] == total // 10**6 - held_before
    assert done["total_g"] == honest.tree.total and done["token_id"] == token
    assert done["payout"] == chain.payout
    assert programs.carry_g(PROGRAM_ID, f["fiscal_year"]) == total % 10**6 == done["carry_g"]
    assert boa.env.get_balance(chain.oracles[1]) == oracle_before + REPORT_BOND
    assert programs.finalized_report(honest.report_id) == honest.finalized_hash()
