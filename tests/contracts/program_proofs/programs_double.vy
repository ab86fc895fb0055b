# pragma version ~=0.4.3
"""
@title Test double of Programs for the proof contracts' tests
@custom:contract-name programs_double
@license MIT
@notice Implements `IPrograms` with settable state: the pending report of a
        program (its facts hash; proofs are open before the facts' own
        challenge deadline), enrollment roots, finalized reports, and a
        `refute` that records its arguments, clears the pending report and
        logs `Refuted`. `registry()` is the real Registry, so signatures use
        its domain and kind 9 reads its meters.
"""

from contracts.interfaces import IPrograms

implements: IPrograms

registry: public(address)
pending_hash: public(HashMap[uint256, bytes32])
_enrollments: HashMap[uint256, HashMap[uint256, IPrograms.Enrollment]]
finalized_report: public(HashMap[uint256, bytes32])
refute_count: public(uint256)
last_kind: public(uint256)
last_challenger: public(address)
last_refute_enrollment: public(bool)
last_caller: public(address)
last_facts_hash: public(bytes32)


# @notice `caller` (a proof contract) refuted report `report_id` of
#         `program_id` on a proof of `kind` by `challenger`.
event Refuted:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    challenger: indexed(address)
    kind: uint256
    refute_enrollment: bool
    caller: address


@deploy
def __init__(registry_: address):
    """
    @notice Binds the real Registry.
    @param registry_ The Registry.
    """
    self.registry = registry_


@external
def set_pending(facts: IPrograms.ProgramReport):
    """
    @notice Makes `facts` the program's pending report.
    @param facts The report's facts.
    """
    self.pending_hash[facts.program_id] = keccak256(abi_encode(facts))


@external
def set_enrollment(program_id: uint256, index: uint256, enrollment: IPrograms.Enrollment):
    """
    @notice Sets an enrollment root of a program.
    @param program_id The program.
    @param index The root's index.
    @param enrollment The root.
    """
    self._enrollments[program_id][index] = enrollment


@external
def set_finalized(report_id: uint256, report_hash: bytes32):
    """
    @notice Sets a finalized report's hash.
    @param report_id The report.
    @param report_hash keccak256(abi_encode(program_id, fiscal_year, sum_root, depth)).
    """
    self.finalized_report[report_id] = report_hash


@external
@view
def enrollments(program_id: uint256, index: uint256) -> IPrograms.Enrollment:
    """
    @notice An enrollment root of a program.
    @param program_id The program.
    @param index The root's index.
    @return The root.
    """
    return self._enrollments[program_id][index]


@external
@view
def check_pending(facts: IPrograms.ProgramReport) -> bool:
    """
    @notice True when `facts` is the program's pending report and its
            challenge deadline has not passed; reverts otherwise.
    @param facts The report's facts.
    @return True.
    """
    assert self.pending_hash[facts.program_id] == keccak256(abi_encode(facts)), "programs: facts differ from the report"
    assert block.timestamp < convert(facts.challenge_deadline, uint256), "programs: challenge window over"
    return True


@external
def refute(facts: IPrograms.ProgramReport, kind: uint256, challenger: address, refute_enrollment: bool):
    """
    @notice Records the refutation and clears the pending report.
    @param facts The report's facts.
    @param kind The proof kind.
    @param challenger The prover.
    @param refute_enrollment Whether the enrollment root is refuted too.
    """
    facts_hash: bytes32 = keccak256(abi_encode(facts))
    assert self.pending_hash[facts.program_id] == facts_hash, "programs: facts differ from the report"
    self.pending_hash[facts.program_id] = empty(bytes32)
    self.refute_count += 1
    self.last_kind = kind
    self.last_challenger = challenger
    self.last_refute_enrollment = refute_enrollment
    self.last_caller = msg.sender
    self.last_facts_hash = facts_hash
    log Refuted(
        program_id=facts.program_id,
        report_id=facts.report_id,
        challenger=challenger,
        kind=kind,
        refute_enrollment=refute_enrollment,
        caller=msg.sender,
    )
