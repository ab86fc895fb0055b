# pragma version ~=0.4.3
"""
@title What every proof against a program report checks first
@custom:contract-name program_checks
@license MIT
@notice Shared by `member_proofs` and `program_proofs` (each deployable
        initializes it once): the `Programs` contract and its Registry, the
        pending-report check, a member leaf against the report's sum root, an
        enrollment leaf against the report's enrollment root, and the refute
        call with its event. A proof that holds has `Programs` undo the
        report (`IPrograms.refute`): the bond goes to the prover, the oracle
        is unassigned and slashed, and proofs against the enrollment (7-9)
        also refute the enrollment root.
"""

from ..interfaces import IPrograms
from . import meter_signatures
from . import program_tree


# @notice The `Programs` contract whose reports are proven wrong here.
programs: public(immutable(address))
# @notice The Registry (`Programs.registry()`): its EIP-712 domain signs
#         the meters' batches, its meters are the single-site ones.
registry: public(immutable(address))


# @notice `challenger` proved report `report_id` of program `program_id`
#         wrong with a proof of `kind` (docs/programs.md, 1-9) about the
#         sum-tree leaf or node at `position` (kinds 1-6) or the enrollment
#         leaf at `position` (kinds 7-9).
event ProgramProofHeld:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    challenger: indexed(address)
    kind: uint256
    position: uint256


@deploy
def __init__(programs_: address):
    """
    @notice Binds `Programs` and reads its Registry.
    @param programs_ The Programs contract.
    """
    assert programs_ != empty(address), "program proofs: zero address"
    programs = programs_
    registry = staticcall IPrograms(programs_).registry()
    assert registry != empty(address), "program proofs: zero address"


@internal
@view
def _check_pending(facts: IPrograms.ProgramReport):
    """
    @notice Reverts unless `facts` is the program's pending report and still
            open to proofs (`Programs.check_pending` gives the reason).
    @param facts The report's facts.
    """
    assert staticcall IPrograms(programs).check_pending(facts), "program proofs: report not pending"


@internal
@view
def _separator() -> bytes32:
    """
    @notice The Registry's EIP-712 domain separator on this chain.
    @return bytes32 The separator.
    """
    return meter_signatures._domain_separator(registry)


@internal
@pure
def _member_at(
    sum_root: bytes32,
    depth: uint256,
    position: uint256,
    path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result: program_tree.MemberResult,
) -> uint256:
    """
    @notice Reverts unless `result` is the leaf at `position` of the sum
            tree `sum_root`, `depth`.
    @param sum_root The sum tree's root hash.
    @param depth The sum tree's depth.
    @param position The leaf's position.
    @param path The inner nodes from the root to the leaf's parent.
    @param result The member's result.
    @return uint256 The sum the leaf's parent claims for it.
    """
    leaf: bytes32 = empty(bytes32)
    claimed: uint256 = 0
    leaf, claimed = program_tree._leaf_at(sum_root, depth, position, path)
    assert leaf == program_tree._member_leaf_hash(result), "program proofs: result not in the report"
    return claimed


@internal
@pure
def _credited_member(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path: DynArray[program_tree.SumNode, program_tree.MAX_TREE_DEPTH],
    result: program_tree.MemberResult,
) -> uint256:
    """
    @notice Reverts unless `result` is the report's leaf at `position` and
            its parent claims a sum > 0 for it (member-level proofs).
    @param facts The report's facts.
    @param position The leaf's position.
    @param path The inner nodes from the root to the leaf's parent.
    @param result The member's result.
    @return uint256 The claimed sum.
    """
    claimed: uint256 = self._member_at(facts.sum_root, facts.depth, position, path, result)
    assert claimed != 0, "program proofs: nothing credited"
    return claimed


@internal
@pure
def _check_enrolled(
    root: bytes32,
    count: uint256,
    index: uint256,
    leaf: program_tree.EnrolledMeter,
    proof: DynArray[bytes32, program_tree.MAX_TREE_DEPTH],
):
    """
    @notice Reverts unless `leaf` is leaf `index` (< `count`) of the
            enrollment root `root`.
    @param root The enrollment root.
    @param count Its leaf count.
    @param index The leaf's index.
    @param leaf The enrollment leaf.
    @param proof Its sibling hashes, bottom up.
    """
    assert index < count, "program proofs: index beyond the enrollment"
    assert (
        program_tree._enrollment_root(program_tree._enrollment_leaf_hash(leaf), index, proof) == root
    ), "program proofs: enrollment leaf not in the root"


@internal
def _refute(facts: IPrograms.ProgramReport, kind: uint256, position: uint256, refute_enrollment: bool):
    """
    @notice Has `Programs` undo the report on a holding proof of `kind` by
            the caller, and logs `ProgramProofHeld`.
    @param facts The report's facts.
    @param kind The proof kind (1-9).
    @param position The sum-tree position or enrollment index proven.
    @param refute_enrollment True for proofs against the enrollment (7-9).
    """
    extcall IPrograms(programs).refute(facts, kind, msg.sender, refute_enrollment)
    log ProgramProofHeld(
        program_id=facts.program_id, report_id=facts.report_id, challenger=msg.sender, kind=kind, position=position
    )
