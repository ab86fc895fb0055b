# pragma version ~=0.4.3
"""
@title Proofs against one member's result in a program report (kinds 1, 4, 5, 6)
@custom:contract-name member_proofs
@license MIT
@notice docs/programs.md, "Fraud proofs": anyone shows, inside the report's
        challenge window, that the result of a credited member (its parent in
        the sum tree claims a sum > 0 for it) is wrong:

        1. `prove_member`: the result breaks a rule of `member_rules`
           (enrollment, meter set, crediting window, signatures, boundary
           windows, certificates, registers, energies, capacity, reduction,
           credit, year to date, cap), or `credited_g` differs from the sum
           its parent claims.
        4. `prove_later_reading`: the meter signed a batch whose last reading
           is later than a boundary reading and not after S (start) or E
           (end), before the meter's certificate expired.
        5. `prove_interval`: two signed readings of the capacity-checked meter
           between its start and end readings show more energy than capacity
           x their distance (or a register going backwards).
        6. `prove_cap`: an earlier finalized report of the program and fiscal
           year holds the member with `ytd_credited_g` above this report's
           `ytd_credited_g - credited_g`.

        Every proof checks the report is pending first, then the result
        against the sum root and enrollment leaves against the enrollment
        root, so nobody can refute an honest report with made-up data.
"""

from ..interfaces import IPrograms
from . import evidence
from . import member_rules
from . import meter_signatures
from . import program_checks
from . import program_tree

uses: program_checks


# @notice Proof kinds of this contract (docs/programs.md).
KIND_MEMBER: public(constant(uint256)) = 1
KIND_LATER_READING: public(constant(uint256)) = 4
KIND_INTERVAL: public(constant(uint256)) = 5
KIND_CAP: public(constant(uint256)) = 6


# @notice An earlier finalized report of the program, as `Programs` keeps
#         it: `finalized_report(report_id)` = keccak256(abi_encode(program
#         id, fiscal_year, sum_root, depth)).
struct EarlierReport:
    report_id: uint256
    fiscal_year: uint16
    sum_root: bytes32
    depth: uint256


@deploy
def __init__():
    """
    @notice Nothing to set: `program_checks` holds the addresses.
    """
    pass


@external
@view
def member_problem(
    facts: IPrograms.ProgramReport,
    result: program_tree.MemberResult,
    enrolled: DynArray[program_tree.EnrolledMeter, program_tree.MAX_MEMBER_METERS],
) -> uint256:
    """
    @notice The rule set's verdict on a result under a report's terms
            (`member_rules.PROBLEM_*`, 0 = correct), without any check of
            the data against the report: for oracles and watchers.
    @param facts The report's facts (period, factor, cap, enrollment count).
    @param result The member's result.
    @param enrolled One enrollment leaf per meter of the result.
    @return uint256 0 or the first problem.
    """
    assert len(enrolled) == len(result.meters), "program proofs: one enrollment leaf per meter"
    return self._problem(facts, result, enrolled)


@external
def prove_member(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result: program_tree.MemberResult,
    enrolled: DynArray[program_tree.EnrolledMeter, program_tree.MAX_MEMBER_METERS],
    enrollment_proofs: DynArray[DynArray[bytes32, program_tree.MAX_TREE_DEPTH], program_tree.MAX_MEMBER_METERS],
):
    """
    @notice Kind 1: the credited member at `position` has a result that
            breaks rule 1-5, or `credited_g` differs from its parent's sum.
    @param facts The report's facts.
    @param position The member's position in the sum tree.
    @param path The inner nodes from the root to the leaf's parent.
    @param result The member's result (the leaf).
    @param enrolled One enrollment leaf per meter: the leaf at the meter's
           `enrollment_index` (ignored when that index is not below the
           enrollment count, which is itself the problem).
    @param enrollment_proofs Each leaf's sibling hashes, bottom up.
    """
    program_checks._check_pending(facts)
    claimed: uint256 = program_checks._credited_member(facts, position, path, result)
    count: uint256 = len(result.meters)
    assert len(enrolled) == count and len(enrollment_proofs) == count, "program proofs: one enrollment leaf per meter"
    for i: uint256 in range(program_tree.MAX_MEMBER_METERS):
        if i == count:
            break
        index: uint256 = result.meters[i].enrollment_index
        if index < facts.enrollment_count:
            program_checks._check_enrolled(
                facts.enrollment_root, facts.enrollment_count, index, enrolled[i], enrollment_proofs[i]
            )
    if result.credited_g == claimed:
        assert self._problem(facts, result, enrolled) != 0, "program proofs: member result holds"
    program_checks._refute(facts, KIND_MEMBER, position, False)


@external
def prove_later_reading(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result: program_tree.MemberResult,
    meter_index: uint256,
    at_start: bool,
    later: program_tree.Boundary,
    enrolled: program_tree.EnrolledMeter,
    enrollment_proof: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
):
    """
    @notice Kind 4: meter `meter_index` of the credited member signed `later`
            for the program, whose last reading is after the claimed start
            (`at_start`) or end boundary reading, not after S (or E), and
            before the meter's certificate expired: the boundary is not the
            meter's last reading.
    @dev `enrolled` (the meter's enrollment leaf, for its crediting period
         and certificate) is an addition to docs/programs.md's signature:
         S and E depend on the member's crediting period.
    @param facts The report's facts.
    @param position The member's position in the sum tree.
    @param path The inner nodes from the root to the leaf's parent.
    @param result The member's result.
    @param meter_index Which of the result's meters.
    @param at_start True for the start boundary, false for the end.
    @param later A batch the meter signed for the program.
    @param enrolled The meter's enrollment leaf (at its `enrollment_index`).
    @param enrollment_proof Its sibling hashes, bottom up.
    """
    program_checks._check_pending(facts)
    program_checks._credited_member(facts, position, path, result)
    assert meter_index < len(result.meters), "program proofs: no such meter"
    meter: program_tree.MeterBoundary = result.meters[meter_index]
    program_checks._check_enrolled(
        facts.enrollment_root, facts.enrollment_count, meter.enrollment_index, enrolled, enrollment_proof
    )
    boundary: program_tree.Boundary = meter.end
    if at_start:
        boundary = meter.start
    assert later.meter == boundary.meter, "program proofs: batch of another meter"
    meter_signatures._check_reading(
        program_checks._separator(),
        program_tree.PROGRAM_PROJECT_BASE + facts.program_id,
        meter_signatures.SignedReading(
            meter=later.meter,
            first_timestamp=later.first_timestamp,
            last_timestamp=later.last_timestamp,
            last_cumulative_wh=later.last_cumulative_wh,
            readings_hash=later.readings_hash,
            signature=later.signature,
        ),
    )
    s: uint256 = 0
    e: uint256 = 0
    s, e = member_rules._crediting_bounds(facts.period_start, facts.period_end, enrolled)
    bound: uint256 = e
    if at_start:
        bound = s
    assert (
        later.last_timestamp > boundary.last_timestamp
        and convert(later.last_timestamp, uint256) <= bound
        and later.last_timestamp < enrolled.certification_expiry
    ), "program proofs: no later reading"
    program_checks._refute(facts, KIND_LATER_READING, position, False)


@external
def prove_interval(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result: program_tree.MemberResult,
    enrolled: program_tree.EnrolledMeter,
    enrollment_proof: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
    proof: evidence.IntervalEvidence,
):
    """
    @notice Kind 5: two signed readings of the credited member's
            capacity-checked meter (`meters[0]`: generation, or the lone
            self-consumption meter) between its start and end readings show
            more energy than its enrolled capacity x their distance, or a
            register going backwards.
    @param facts The report's facts.
    @param position The member's position in the sum tree.
    @param path The inner nodes from the root to the leaf's parent.
    @param result The member's result.
    @param enrolled The meter's enrollment leaf (at its `enrollment_index`).
    @param enrollment_proof Its sibling hashes, bottom up.
    @param proof The two readings and their batches, signed for the program.
    """
    program_checks._check_pending(facts)
    program_checks._credited_member(facts, position, path, result)
    assert len(result.meters) != 0, "program proofs: no such meter"
    meter: program_tree.MeterBoundary = result.meters[0]
    program_checks._check_enrolled(
        facts.enrollment_root, facts.enrollment_count, meter.enrollment_index, enrolled, enrollment_proof
    )
    violated: bool = False
    ts_a: uint256 = 0
    ts_b: uint256 = 0
    violated, ts_a, ts_b = evidence._interval_violated(
        program_checks._separator(),
        program_tree.PROGRAM_PROJECT_BASE + facts.program_id,
        meter.start.meter,
        convert(meter.start.last_timestamp, uint256),
        convert(meter.end.last_timestamp, uint256),
        enrolled.capacity_w,
        proof,
    )
    assert violated, "program proofs: no interval above capacity"
    program_checks._refute(facts, KIND_INTERVAL, position, False)


@external
def prove_cap(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result: program_tree.MemberResult,
    earlier: EarlierReport,
    earlier_position: uint256,
    earlier_path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    earlier_result: program_tree.MemberResult,
):
    """
    @notice Kind 6: an earlier finalized report of the program and fiscal
            year holds the credited member with `ytd_credited_g` above this
            report's `ytd_credited_g - credited_g` (the year to date went
            back, so the cap is dodged).
    @param facts The report's facts.
    @param position The member's position in the sum tree.
    @param path The inner nodes from the root to the leaf's parent.
    @param result The member's result.
    @param earlier The earlier report (`finalized_report(report_id)` binds it).
    @param earlier_position The member's position in the earlier sum tree.
    @param earlier_path Its inner nodes from the earlier root.
    @param earlier_result The member's result in the earlier report.
    """
    program_checks._check_pending(facts)
    program_checks._credited_member(facts, position, path, result)
    assert earlier.report_id < facts.report_id, "program proofs: not an earlier report"
    assert earlier.fiscal_year == facts.fiscal_year, "program proofs: another fiscal year"
    assert keccak256(
        abi_encode(facts.program_id, earlier.fiscal_year, earlier.sum_root, earlier.depth)
    ) == staticcall IPrograms(program_checks.programs).finalized_report(
        earlier.report_id
    ), "program proofs: not a finalized report"
    program_checks._member_at(earlier.sum_root, earlier.depth, earlier_position, earlier_path, earlier_result)
    assert earlier_result.member_id == result.member_id, "program proofs: another member"
    assert (
        result.ytd_credited_g < result.credited_g
        or earlier_result.ytd_credited_g > result.ytd_credited_g - result.credited_g
    ), "program proofs: within the cap"
    program_checks._refute(facts, KIND_CAP, position, False)


@internal
@view
def _problem(
    facts: IPrograms.ProgramReport,
    result: program_tree.MemberResult,
    enrolled: DynArray[program_tree.EnrolledMeter, program_tree.MAX_MEMBER_METERS],
) -> uint256:
    """
    @notice `member_rules._member_problem` under the report's terms.
    @param facts The report's facts.
    @param result The member's result.
    @param enrolled One enrollment leaf per meter.
    @return uint256 0 or the first problem.
    """
    return member_rules._member_problem(
        program_checks._separator(),
        facts.program_id,
        facts.period_start,
        facts.period_end,
        facts.factor_g_per_mwh,
        facts.cap_g,
        facts.enrollment_count,
        result,
        enrolled,
    )
