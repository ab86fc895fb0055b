# pragma version ~=0.4.3
"""
@title Proofs against a program report's trees and enrollment (kinds 2, 3, 7, 8, 9)
@custom:contract-name program_proofs
@license MIT
@notice docs/programs.md, "Fraud proofs": anyone shows, inside the report's
        challenge window, that

        2. `prove_sum`: following `position` from the root, a node's sums do
           not add up to what its parent claims for it (an overflowing sum
           included), an empty child (hash 0) claims a sum, or a child lying
           wholly at positions >= `member_count` is not empty;
        3. `prove_member_order`: the leaves at `position` and `position + 1`
           are not strictly ascending by member id (a member counted twice);
        7. `prove_enrollment_order`: enrollment leaves `index` and
           `index + 1` are not strictly ascending by meter (a meter enrolled
           twice);
        8. `prove_enrolled_elsewhere`: an enrolled meter is also in another
           program's enrollment root approved no later than this report's
           root and not superseded before its approval;
        9. `prove_single_site`: an enrolled meter is an approved meter of a
           single-site project in the Registry.

        Proofs 7-9 also have `Programs` refute the report's enrollment root.
"""

from ..interfaces import IPrograms
from . import program_checks
from . import program_tree

uses: program_checks


# @notice The slice of the Registry's `meters(meter)` record read here
#         (its flags are ABI-encoded as uint256).
struct RegistryMeter:
    project_id: uint256
    kind: uint256
    status: uint256
    serial: String[64]
    certification_expiry: uint64
    interval_seconds: uint32
    registration: uint16


interface SingleSiteMeters:
    def meters(meter: address) -> RegistryMeter: view


# @notice Proof kinds of this contract (docs/programs.md).
KIND_SUM: public(constant(uint256)) = 2
KIND_MEMBER_ORDER: public(constant(uint256)) = 3
KIND_ENROLLMENT_ORDER: public(constant(uint256)) = 7
KIND_ENROLLED_ELSEWHERE: public(constant(uint256)) = 8
KIND_SINGLE_SITE: public(constant(uint256)) = 9

# @dev `IPrograms.Enrollment.status` of an approved root (current or superseded).
_ENROLLMENT_APPROVED: constant(uint256) = 2
# @dev `meter_registry.MeterStatus.APPROVED` as its flag value.
_METER_APPROVED: constant(uint256) = 2


@deploy
def __init__():
    """
    @notice Nothing to set: `program_checks` holds the addresses.
    """
    pass


@external
def prove_sum(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
):
    """
    @notice Kind 2: walks `path` from the sum root towards `position`; holds
            at the first node whose two sums overflow or do not add up to
            the sum its parent claims for it, or that has an empty child
            (hash 0) claiming a sum, or a non-empty child lying wholly at
            positions >= `member_count`. The path may stop at that node.
    @param facts The report's facts.
    @param position A leaf position below the node (its bits pick the way).
    @param path The inner nodes from the root down (1..depth of them).
    """
    program_checks._check_pending(facts)
    depth: uint256 = facts.depth
    assert len(path) != 0 and len(path) <= depth, "program proofs: path length"
    assert position < 1 << depth, "program proofs: position beyond the tree"
    expected: bytes32 = facts.sum_root
    claimed: uint256 = 0
    level: uint256 = 0
    for node: program_tree.SumNode in path:
        assert program_tree._node_hash(node) == expected, "program proofs: path does not match the root"
        if self._node_wrong(node, level, claimed, position, depth, facts.member_count):
            program_checks._refute(facts, KIND_SUM, position, False)
            return
        expected, claimed = program_tree._child(node, (position >> (depth - 1 - level)) & 1 == 1)
        level += 1
    raise "program proofs: sums add up"


@external
def prove_member_order(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path_a: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result_a: program_tree.MemberResult,
    path_b: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result_b: program_tree.MemberResult,
):
    """
    @notice Kind 3: the leaves at `position` and `position + 1` are not
            strictly ascending by member id.
    @param facts The report's facts.
    @param position The first leaf's position.
    @param path_a Its inner nodes from the root.
    @param result_a The first leaf.
    @param path_b The second leaf's inner nodes from the root.
    @param result_b The second leaf (at `position + 1`).
    """
    program_checks._check_pending(facts)
    program_checks._member_at(facts.sum_root, facts.depth, position, path_a, result_a)
    program_checks._member_at(facts.sum_root, facts.depth, position + 1, path_b, result_b)
    assert result_a.member_id >= result_b.member_id, "program proofs: members in order"
    program_checks._refute(facts, KIND_MEMBER_ORDER, position, False)


@external
def prove_enrollment_order(
    facts: IPrograms.ProgramReport,
    index: uint256,
    leaf_a: program_tree.EnrolledMeter,
    proof_a: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
    leaf_b: program_tree.EnrolledMeter,
    proof_b: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
):
    """
    @notice Kind 7: enrollment leaves `index` and `index + 1` (both below
            the count) are not strictly ascending by meter address.
    @param facts The report's facts.
    @param index The first leaf's index.
    @param leaf_a The first leaf.
    @param proof_a Its sibling hashes, bottom up.
    @param leaf_b The second leaf (at `index + 1`).
    @param proof_b Its sibling hashes, bottom up.
    """
    program_checks._check_pending(facts)
    program_checks._check_enrolled(facts.enrollment_root, facts.enrollment_count, index, leaf_a, proof_a)
    program_checks._check_enrolled(facts.enrollment_root, facts.enrollment_count, index + 1, leaf_b, proof_b)
    assert convert(leaf_a.meter, uint256) >= convert(leaf_b.meter, uint256), "program proofs: enrollment in order"
    program_checks._refute(facts, KIND_ENROLLMENT_ORDER, index, True)


@external
def prove_enrolled_elsewhere(
    facts: IPrograms.ProgramReport,
    index: uint256,
    leaf: program_tree.EnrolledMeter,
    proof: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
    other_program_id: uint256,
    other_enrollment_index: uint256,
    other_index: uint256,
    other_leaf: program_tree.EnrolledMeter,
    other_proof: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
):
    """
    @notice Kind 8: the meter of enrollment leaf `index` is also leaf
            `other_index` of another program's enrollment root that is
            approved (current or superseded), was approved no later than
            this report's root and was not superseded before its approval.
    @param facts The report's facts.
    @param index The leaf's index in the report's enrollment root.
    @param leaf The enrollment leaf.
    @param proof Its sibling hashes, bottom up.
    @param other_program_id The other program.
    @param other_enrollment_index The other program's enrollment root.
    @param other_index The meter's leaf index in that root.
    @param other_leaf That leaf.
    @param other_proof Its sibling hashes, bottom up.
    """
    program_checks._check_pending(facts)
    program_checks._check_enrolled(facts.enrollment_root, facts.enrollment_count, index, leaf, proof)
    assert other_program_id != facts.program_id, "program proofs: same program"
    other: IPrograms.Enrollment = staticcall IPrograms(program_checks.programs).enrollments(
        other_program_id, other_enrollment_index
    )
    assert other.status == _ENROLLMENT_APPROVED, "program proofs: other enrollment not approved"
    assert other.approved_at <= facts.enrollment_approved_at, "program proofs: other enrollment approved later"
    assert (
        other.superseded_at == 0 or other.superseded_at > facts.enrollment_approved_at
    ), "program proofs: other enrollment superseded before"
    program_checks._check_enrolled(other.root, other.count, other_index, other_leaf, other_proof)
    assert other_leaf.meter == leaf.meter, "program proofs: another meter"
    program_checks._refute(facts, KIND_ENROLLED_ELSEWHERE, index, True)


@external
def prove_single_site(
    facts: IPrograms.ProgramReport,
    index: uint256,
    leaf: program_tree.EnrolledMeter,
    proof: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
):
    """
    @notice Kind 9: the meter of enrollment leaf `index` is an approved
            meter of a single-site project in the Registry.
    @param facts The report's facts.
    @param index The leaf's index in the report's enrollment root.
    @param leaf The enrollment leaf.
    @param proof Its sibling hashes, bottom up.
    """
    program_checks._check_pending(facts)
    program_checks._check_enrolled(facts.enrollment_root, facts.enrollment_count, index, leaf, proof)
    registered: RegistryMeter = staticcall SingleSiteMeters(program_checks.registry).meters(leaf.meter)
    assert registered.status == _METER_APPROVED, "program proofs: not a single-site meter"
    program_checks._refute(facts, KIND_SINGLE_SITE, index, True)


@internal
@pure
def _node_wrong(
    node: program_tree.SumNode,
    level: uint256,
    claimed: uint256,
    position: uint256,
    depth: uint256,
    member_count: uint256,
) -> bool:
    """
    @notice Whether a sum-tree node on the way to `position` is provably
            wrong (see `prove_sum`).
    @param node The node (its hash already checked).
    @param level Its level (0 = the root).
    @param claimed The sum its parent claims for it (unused at the root).
    @param position The leaf position the path leads to.
    @param depth The tree's depth.
    @param member_count The report's member count.
    @return bool True when wrong.
    """
    if (node.left == empty(bytes32) and node.left_sum != 0) or (
        node.right == empty(bytes32) and node.right_sum != 0
    ):
        return True
    if level != 0 and (
        node.left_sum > max_value(uint256) - node.right_sum or node.left_sum + node.right_sum != claimed
    ):
        return True
    # The node's right child starts at this position; a child wholly past the members is empty.
    half: uint256 = 1 << (depth - 1 - level)
    right_start: uint256 = ((position >> (depth - level)) << (depth - level)) + half
    if right_start - half >= member_count and (node.left != empty(bytes32) or node.left_sum != 0):
        return True
    return right_start >= member_count and (node.right != empty(bytes32) or node.right_sum != 0)
