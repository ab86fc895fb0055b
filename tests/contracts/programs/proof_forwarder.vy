# pragma version ~=0.4.3
"""
@title Test-only stand-in for MemberProofs / ProgramProofs
@custom:contract-name proof_forwarder
@license MIT
@notice Bound to `Programs` as a proof contract in the tests: `prove` asks
        `check_pending` then refutes as if a proof of `kind` held (no proof
        is checked); `refute_unchecked` skips `check_pending`, to test that
        `Programs.refute` checks the window itself.
"""


struct ProgramReport:
    program_id: uint256
    report_id: uint256
    period_start: uint64
    period_end: uint64
    fiscal_year: uint16
    enrollment_index: uint256
    enrollment_root: bytes32
    enrollment_count: uint256
    enrollment_approved_at: uint64
    member_count: uint256
    depth: uint256
    sum_root: bytes32
    total_g: uint256
    factor_g_per_mwh: uint256
    cap_g: uint256
    oracle: address
    bond: uint256
    challenge_deadline: uint64


interface IPrograms:
    def check_pending(facts: ProgramReport) -> bool: view
    def refute(facts: ProgramReport, kind: uint256, challenger: address, refute_enrollment: bool): nonpayable


# @notice The Programs contract this forwarder refutes on.
programs: public(address)


@deploy
def __init__(programs: address):
    """
    @notice Binds the Programs contract.
    @param programs Programs.
    """
    self.programs = programs


@external
def prove(facts: ProgramReport, kind: uint256, refute_enrollment: bool):
    """
    @notice Refutes the pending report for the caller as a proof of `kind`.
    @param facts The report's facts.
    @param kind The proof kind.
    @param refute_enrollment Whether the enrollment root is refuted too.
    """
    assert staticcall IPrograms(self.programs).check_pending(facts)
    extcall IPrograms(self.programs).refute(facts, kind, msg.sender, refute_enrollment)


@external
def refute_unchecked(facts: ProgramReport, kind: uint256, challenger: address, refute_enrollment: bool):
    """
    @notice Calls `refute` without asking `check_pending` first.
    @param facts The report's facts.
    @param kind The proof kind.
    @param challenger Who is paid the bond.
    @param refute_enrollment Whether the enrollment root is refuted too.
    """
    extcall IPrograms(self.programs).refute(facts, kind, challenger, refute_enrollment)


@external
@payable
def __default__():
    """
    @notice Refuses ether (so a payment to this contract fails).
    """
    raise "forwarder: no ether"
