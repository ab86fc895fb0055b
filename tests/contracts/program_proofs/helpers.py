"""Assertions shared by the program proof tests."""

from dataclasses import replace

from jcredit.program_tree import MemberResult
from tests.contracts.contract_world import events

# member_rules.PROBLEM_* (docs: contracts/README.md, "Program proofs").
NOT_ENROLLED, METER_SET, LEAVES_DIFFER, DIFFERENCE_METERING, NO_CREDITING = 1, 2, 3, 4, 5
SIGNATURE, START_WINDOW, END_WINDOW, CERTIFICATE, REGISTER_BACKWARDS = 6, 7, 8, 9, 10
ENERGY_BALANCE, SELF_CONSUMED, CAPACITY, REDUCTION, NOT_VALID = 11, 12, 13, 14, 15
OVER_REDUCTION, YTD_BELOW_CREDITED, OVER_CAP = 16, 17, 18


def assert_refuted(proofs, contract, report, kind, position, challenger, refute_enrollment=False):
    """The double recorded one refute with these arguments from `contract`, which logged
    ProgramProofHeld; the report is no longer pending."""
    programs = proofs.programs
    assert programs.refute_count() == 1
    assert programs.last_kind() == kind
    assert programs.last_challenger() == challenger
    assert programs.last_refute_enrollment() == refute_enrollment
    assert programs.last_caller() == contract.address
    assert programs.last_facts_hash() == report.facts_hash()
    assert programs.pending_hash(report.program_id) == bytes(32)
    (held,) = events(contract, "ProgramProofHeld")
    assert held["program_id"] == report.program_id
    assert held["report_id"] == report.report_id
    assert held["challenger"] == challenger
    assert held["kind"] == kind
    assert held["position"] == position


def with_member(result: MemberResult, **changes) -> MemberResult:
    return replace(result, **changes)


def with_boundary(result: MemberResult, meter_index: int, **changes) -> MemberResult:
    """The result with one meter's boundary fields (start, end, enrollment_index) replaced."""
    meters = list(result.meters)
    meters[meter_index] = replace(meters[meter_index], **changes)
    return replace(result, meters=tuple(meters))


def recomputed(result: MemberResult, factor: int, cap_g: int = 0, ytd_before: int = 0):
    """The result with self-consumption, reduction, credit and ytd recomputed from its boundaries
    (what a cheating oracle keeps consistent)."""
    gen, exp = (m.end.last_cumulative_wh - m.start.last_cumulative_wh for m in result.meters)
    sc = gen - exp
    reduction = sc * factor // 10**6
    credited = reduction if cap_g == 0 else min(reduction, cap_g - ytd_before)
    return replace(
        result,
        self_consumed_wh=sc,
        reduction_g=reduction,
        credited_g=credited,
        ytd_credited_g=ytd_before + credited,
    )
