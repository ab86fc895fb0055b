# pragma version ~=0.4.3
"""
@title Programs: creation, approval, enrollment roots, oracle, payout, admin
@custom:contract-name program_registry
@license MIT
@notice The state of program-type projects that is not a report
        (docs/programs.md, "Programs and enrollment"): who manages a
        program, where its credits go, which oracle reports it, which
        enrollment roots a validator approved and which one is current,
        and which oracles a proof refuted (`is_slashed`: never assignable
        again). Roles are the Registry's (`has_role`); the admin is the
        Registry's `owner()` (binds the credit token and the proof
        contracts once, sets the challenge window). `program_reports`
        `uses:` this module for the packed program state.
"""

from snekmate.utils import pausable
from ..interfaces import IPrograms
from . import constants

uses: pausable


# @dev What the module reads on the Registry.
interface IRoleRegistry:
    def owner() -> address: view
    def has_role(role: bytes32, account: address) -> bool: view


# @notice A program's state as `program` returns it.
struct ProgramInfo:
    manager: address
    payout: address
    oracle: address
    status: uint256
    cap_t_per_year: uint256
    enrollment_total: uint256
    current_enrollment: uint256
    has_current_enrollment: bool
    next_period_start: uint64


# @notice Program status: proposed (waiting for a validator), approved, rejected.
PROGRAM_PROPOSED: public(constant(uint256)) = 1
PROGRAM_APPROVED: public(constant(uint256)) = 2
PROGRAM_REJECTED: public(constant(uint256)) = 4
# @notice Enrollment root status (`IPrograms.Enrollment.status`).
ENROLLMENT_PROPOSED: public(constant(uint256)) = 1
ENROLLMENT_APPROVED: public(constant(uint256)) = 2
ENROLLMENT_REJECTED: public(constant(uint256)) = 4
ENROLLMENT_REFUTED: public(constant(uint256)) = 8
# @notice Shortest challenge window: proofs and demands need time to be sent.
MIN_CHALLENGE_WINDOW: public(constant(uint64)) = 3600
# @notice Longest challenge window.
MAX_CHALLENGE_WINDOW: public(constant(uint64)) = 30 * 86400
# @notice Largest per-member cap, in t-CO2 per fiscal year (48 bits).
MAX_CAP_T_PER_YEAR: public(constant(uint256)) = 2**48 - 1
# @notice Most meters one enrollment root may hold (the tree's limit).
MAX_ENROLLMENT_COUNT: public(constant(uint256)) = 2**24

VALIDATOR_ROLE: constant(bytes32) = keccak256("VALIDATOR_ROLE")
ORACLE_ROLE: constant(bytes32) = keccak256("ORACLE_ROLE")
PAUSER_ROLE: constant(bytes32) = keccak256("PAUSER_ROLE")

# Bits of `_head` (read by every submit): oracle 0-159, status 160-167,
# current enrollment index + 1 (0 = none) 168-199, cap in t 200-247.
_STATUS_SHIFT: constant(uint256) = 160
_CURRENT_SHIFT: constant(uint256) = 168
_CAP_SHIFT: constant(uint256) = 200
# Bits of `_manager`: manager 0-159, number of enrollment roots proposed 160-191.
_TOTAL_SHIFT: constant(uint256) = 160
# Bits of `_enrollment_info`: count 0-31 (<= 2**24), status 32-39,
# approved_at 40-103, superseded_at 104-167.
_E_STATUS_SHIFT: constant(uint256) = 32
_E_APPROVED_SHIFT: constant(uint256) = 40
_E_SUPERSEDED_SHIFT: constant(uint256) = 104
# Bits of `_config`: credit token 0-159, report count 160-223, challenge window 224-255.
_REPORTS_SHIFT: constant(uint256) = 160
_WINDOW_SHIFT: constant(uint256) = 224
_MASK_32: constant(uint256) = 2**32 - 1
_MASK_48: constant(uint256) = 2**48 - 1
_MASK_160: constant(uint256) = 2**160 - 1
# Program ids stay below 2**64, so token ids (id << 16 | fiscal year) stay below 2**80.
_MAX_PROGRAM_ID: constant(uint256) = 2**64 - 1


# @notice The Registry: roles (VALIDATOR_ROLE, ORACLE_ROLE, PAUSER_ROLE,
#         REGISTRAR_ROLE for certification rounds), its admin, emission factors.
REGISTRY: public(immutable(address))
# @notice Number of programs created (ids run from 1).
program_count: public(uint256)
# @notice The bound MemberProofs contract (a caller of `refute`).
member_proofs: public(address)
# @notice The bound ProgramProofs contract (a caller of `refute`).
program_proofs: public(address)
# @notice True for an oracle a proof or an expired demand refuted in some
#         program: it can never be assigned or submit again.
is_slashed: public(HashMap[address, bool])
# @dev Credit token, report count and challenge window: one slot every
#      submit reads and writes (layout: see `_REPORTS_SHIFT`).
_config: uint256
# @dev Per program: oracle, status, current enrollment, cap (layout: see `_STATUS_SHIFT`).
_head: HashMap[uint256, uint256]
# @dev Per program: manager and number of enrollment roots (layout: see `_TOTAL_SHIFT`).
_manager: HashMap[uint256, uint256]
# @dev Per program: the report cursor, written by `program_reports`: next
#      period start 0-63, report status 64-71 (1 pending), open demands
#      72-103, challenge deadline 104-167, pending report id 168-207,
#      fiscal year of the carry 208-223, carried grams 224-247.
_cursor: HashMap[uint256, uint256]
# @dev Per program: where its credits are minted.
_payout: HashMap[uint256, address]
# @dev Per program and enrollment index: the root.
_enrollment_root: HashMap[uint256, HashMap[uint256, bytes32]]
# @dev Per program and enrollment index: count, status, approval and
#      supersession times (layout: see `_E_STATUS_SHIFT`).
_enrollment_info: HashMap[uint256, HashMap[uint256, uint256]]
# @dev Per program and enrollment index: where the leaves are published.
_enrollment_uri: HashMap[uint256, HashMap[uint256, String[128]]]


# @notice The admin bound the credit token and the two proof contracts.
event ProgramsBound:
    credit: address
    member_proofs: address
    program_proofs: address


# @notice The admin changed the challenge window of reports submitted from now on.
event ProgramChallengeWindowSet:
    seconds: uint64


# @notice `manager` created program `program_id` (waiting for a validator).
event ProgramCreated:
    program_id: indexed(uint256)
    manager: indexed(address)
    payout: address
    cap_t_per_year: uint256
    first_period_start: uint64
    methodology_id: String[32]
    metadata_uri: String[128]


# @notice A validator approved (`approved`) or rejected a proposed program.
event ProgramReviewed:
    program_id: indexed(uint256)
    validator: indexed(address)
    approved: bool


# @notice The manager assigned `oracle` to the program (zero: unassigned).
event ProgramOracleSet:
    program_id: indexed(uint256)
    oracle: indexed(address)


# @notice The manager set where the program's credits are minted.
event ProgramPayoutSet:
    program_id: indexed(uint256)
    payout: indexed(address)


# @notice The manager proposed enrollment root `index` of the program.
event EnrollmentProposed:
    program_id: indexed(uint256)
    index: indexed(uint256)
    root: bytes32
    count: uint256
    data_uri: String[128]


# @notice A validator approved (it is now current; `superseded` is the
#         previous current root's index + 1, 0 if none) or rejected root `index`.
event EnrollmentReviewed:
    program_id: indexed(uint256)
    index: indexed(uint256)
    validator: indexed(address)
    approved: bool
    superseded: uint256


# @notice A proof showed enrollment root `index` wrong: no report may use it.
event EnrollmentRefuted:
    program_id: indexed(uint256)
    index: indexed(uint256)


# @notice `oracle` was refuted in `program_id`: unassigned and slashed for good.
event OracleSlashed:
    oracle: indexed(address)
    program_id: indexed(uint256)


@deploy
def __init__(registry: address):
    """
    @notice Binds the Registry; the challenge window starts at one day.
    @param registry The Registry whose roles and admin this contract obeys.
    """
    assert registry.is_contract, "programs: registry is not a contract"
    REGISTRY = registry
    self._config = 86400 << _WINDOW_SHIFT


@external
def bind(credit: address, member_proofs: address, program_proofs: address):
    """
    @notice Binds the CarbonCredit token minted into and the two proof
            contracts that may `refute` (the Registry's admin, once).
    @param credit The program CarbonCredit (it binds this contract as minter).
    @param member_proofs The MemberProofs contract.
    @param program_proofs The ProgramProofs contract.
    """
    self._check_admin()
    config: uint256 = self._config
    assert config & _MASK_160 == 0, "programs: already bound"
    assert (
        credit.is_contract and member_proofs.is_contract and program_proofs.is_contract
    ), "programs: not a contract"
    self._config = config | convert(convert(credit, uint160), uint256)
    self.member_proofs = member_proofs
    self.program_proofs = program_proofs
    log ProgramsBound(credit=credit, member_proofs=member_proofs, program_proofs=program_proofs)


@external
def set_challenge_window(seconds: uint64):
    """
    @notice Sets the challenge window of reports submitted from now on
            (the Registry's admin), one hour to 30 days.
    @param seconds Window length in seconds.
    """
    self._check_admin()
    assert seconds >= MIN_CHALLENGE_WINDOW and seconds <= MAX_CHALLENGE_WINDOW, "programs: window out of bounds"
    self._config = (self._config & ~(_MASK_32 << _WINDOW_SHIFT)) | (convert(seconds, uint256) << _WINDOW_SHIFT)
    log ProgramChallengeWindowSet(seconds=seconds)


@external
def pause():
    """
    @notice Stops submitting and finalizing (PAUSER_ROLE on the Registry).
            Proofs, demands, responses, expiry and reclaiming stay open.
    """
    self._check_role(PAUSER_ROLE)
    pausable._pause()


@external
def unpause():
    """
    @notice Restarts submitting and finalizing (PAUSER_ROLE on the Registry).
    """
    self._check_role(PAUSER_ROLE)
    pausable._unpause()


@external
def create_program(
    payout: address,
    cap_t_per_year: uint256,
    first_period_start: uint64,
    methodology_id: String[32],
    metadata_uri: String[128],
) -> uint256:
    """
    @notice Creates a program (anyone; the caller is its manager), proposed
            until a validator approves it.
    @param payout Where its credits are minted (non-zero).
    @param cap_t_per_year Per-member cap in t-CO2 per fiscal year (0 = none).
    @param first_period_start Start of the program's first period.
    @param methodology_id The methodology, for the record.
    @param metadata_uri The program's documents.
    @return uint256 The program id (from 1).
    """
    assert payout != empty(address), "programs: zero payout"
    assert cap_t_per_year <= MAX_CAP_T_PER_YEAR, "programs: cap too large"
    assert first_period_start != 0, "programs: zero period start"
    program_id: uint256 = self.program_count + 1
    assert program_id <= _MAX_PROGRAM_ID, "programs: too many programs"
    self.program_count = program_id
    self._head[program_id] = (PROGRAM_PROPOSED << _STATUS_SHIFT) | (cap_t_per_year << _CAP_SHIFT)
    self._manager[program_id] = convert(convert(msg.sender, uint160), uint256)
    self._payout[program_id] = payout
    self._cursor[program_id] = convert(first_period_start, uint256)
    log ProgramCreated(
        program_id=program_id,
        manager=msg.sender,
        payout=payout,
        cap_t_per_year=cap_t_per_year,
        first_period_start=first_period_start,
        methodology_id=methodology_id,
        metadata_uri=metadata_uri,
    )
    return program_id


@external
def approve_program(program_id: uint256):
    """
    @notice Approves a proposed program (VALIDATOR_ROLE).
    @param program_id The program.
    """
    self._review_program(program_id, True)


@external
def reject_program(program_id: uint256):
    """
    @notice Rejects a proposed program for good (VALIDATOR_ROLE).
    @param program_id The program.
    """
    self._review_program(program_id, False)


@external
def set_program_oracle(program_id: uint256, oracle: address):
    """
    @notice Assigns the program's oracle (the manager): an ORACLE_ROLE
            never slashed here; zero unassigns.
    @param program_id The program.
    @param oracle The oracle, or zero.
    """
    self._check_manager(program_id)
    if oracle != empty(address):
        assert not self.is_slashed[oracle], "programs: oracle slashed"
        assert staticcall IRoleRegistry(REGISTRY).has_role(ORACLE_ROLE, oracle), "programs: not an ORACLE_ROLE"
    self._head[program_id] = (self._head[program_id] & ~_MASK_160) | convert(convert(oracle, uint160), uint256)
    log ProgramOracleSet(program_id=program_id, oracle=oracle)


@external
def set_payout(program_id: uint256, payout: address):
    """
    @notice Sets where the program's credits are minted (the manager).
    @param program_id The program.
    @param payout The new payout address (non-zero).
    """
    self._check_manager(program_id)
    assert payout != empty(address), "programs: zero payout"
    self._payout[program_id] = payout
    log ProgramPayoutSet(program_id=program_id, payout=payout)


@external
def propose_enrollment(program_id: uint256, root: bytes32, count: uint256, data_uri: String[128]) -> uint256:
    """
    @notice Proposes an enrollment root (the manager): `count` meters'
            `program_tree.EnrolledMeter` leaves, strictly ascending by meter.
    @param program_id The program (not rejected).
    @param root The enrollment tree's root.
    @param count Number of leaves (1 .. 2**24).
    @param data_uri Where the leaves are published.
    @return uint256 The root's index (from 0).
    """
    manager: uint256 = self._check_manager(program_id)
    assert (self._head[program_id] >> _STATUS_SHIFT) & constants.MASK_8 != PROGRAM_REJECTED, "programs: program rejected"
    assert root != empty(bytes32), "programs: zero root"
    assert count != 0 and count <= MAX_ENROLLMENT_COUNT, "programs: bad enrollment count"
    index: uint256 = (manager >> _TOTAL_SHIFT) & _MASK_32
    assert index < _MASK_32, "programs: too many enrollments"
    self._manager[program_id] = manager + (1 << _TOTAL_SHIFT)
    self._enrollment_root[program_id][index] = root
    self._enrollment_info[program_id][index] = count | (ENROLLMENT_PROPOSED << _E_STATUS_SHIFT)
    self._enrollment_uri[program_id][index] = data_uri
    log EnrollmentProposed(program_id=program_id, index=index, root=root, count=count, data_uri=data_uri)
    return index


@external
def approve_enrollment(program_id: uint256, index: uint256):
    """
    @notice Approves a proposed enrollment root (VALIDATOR_ROLE): it becomes
            current (`approved_at` now) and the previous current root is
            superseded now.
    @param program_id The program (not rejected).
    @param index The root's index.
    """
    info: uint256 = self._check_proposed_enrollment(program_id, index)
    head: uint256 = self._head[program_id]
    previous: uint256 = (head >> _CURRENT_SHIFT) & _MASK_32
    if previous != 0:
        self._enrollment_info[program_id][previous - 1] |= block.timestamp << _E_SUPERSEDED_SHIFT
    self._enrollment_info[program_id][index] = (
        (info & ~(constants.MASK_8 << _E_STATUS_SHIFT))
        | (ENROLLMENT_APPROVED << _E_STATUS_SHIFT)
        | (block.timestamp << _E_APPROVED_SHIFT)
    )
    self._head[program_id] = (head & ~(_MASK_32 << _CURRENT_SHIFT)) | ((index + 1) << _CURRENT_SHIFT)
    log EnrollmentReviewed(program_id=program_id, index=index, validator=msg.sender, approved=True, superseded=previous)


@external
def reject_enrollment(program_id: uint256, index: uint256):
    """
    @notice Rejects a proposed enrollment root (VALIDATOR_ROLE).
    @param program_id The program.
    @param index The root's index.
    """
    info: uint256 = self._check_proposed_enrollment(program_id, index)
    self._enrollment_info[program_id][index] = (info & ~(constants.MASK_8 << _E_STATUS_SHIFT)) | (
        ENROLLMENT_REJECTED << _E_STATUS_SHIFT
    )
    log EnrollmentReviewed(program_id=program_id, index=index, validator=msg.sender, approved=False, superseded=0)


@external
@view
def registry() -> address:
    """
    @notice The Registry (roles, admin, emission factors).
    @return address The Registry.
    """
    return REGISTRY


@external
@view
def credit() -> address:
    """
    @notice The program CarbonCredit token (zero before `bind`).
    @return address The token.
    """
    return convert(convert(self._config & _MASK_160, uint160), address)


@external
@view
def challenge_window() -> uint64:
    """
    @notice Challenge window of reports submitted from now on, in seconds.
    @return uint64 The window.
    """
    return convert(self._config >> _WINDOW_SHIFT, uint64)


@external
@view
def report_count() -> uint256:
    """
    @notice Number of program reports ever submitted (ids run from 1).
    @return uint256 The count.
    """
    return (self._config >> _REPORTS_SHIFT) & constants.MASK_64


@external
@view
def enrollments(program_id: uint256, index: uint256) -> IPrograms.Enrollment:
    """
    @notice Enrollment root `index` of a program (all zero when unknown).
    @param program_id The program.
    @param index The root's index.
    @return IPrograms.Enrollment The root, count, status, approval and supersession times, URI.
    """
    info: uint256 = self._enrollment_info[program_id][index]
    return IPrograms.Enrollment(
        root=self._enrollment_root[program_id][index],
        count=info & _MASK_32,
        status=(info >> _E_STATUS_SHIFT) & constants.MASK_8,
        approved_at=convert((info >> _E_APPROVED_SHIFT) & constants.MASK_64, uint64),
        superseded_at=convert((info >> _E_SUPERSEDED_SHIFT) & constants.MASK_64, uint64),
        data_uri=self._enrollment_uri[program_id][index],
    )


@external
@view
def program(program_id: uint256) -> ProgramInfo:
    """
    @notice A program's state (all zero when unknown).
    @param program_id The program.
    @return ProgramInfo Manager, payout, oracle, status, cap, roots proposed,
            the current root (`has_current_enrollment`), the next period start.
    """
    head: uint256 = self._head[program_id]
    manager: uint256 = self._manager[program_id]
    current: uint256 = (head >> _CURRENT_SHIFT) & _MASK_32
    return ProgramInfo(
        manager=convert(convert(manager & _MASK_160, uint160), address),
        payout=self._payout[program_id],
        oracle=convert(convert(head & _MASK_160, uint160), address),
        status=(head >> _STATUS_SHIFT) & constants.MASK_8,
        cap_t_per_year=(head >> _CAP_SHIFT) & _MASK_48,
        enrollment_total=(manager >> _TOTAL_SHIFT) & _MASK_32,
        current_enrollment=max(current, 1) - 1,
        has_current_enrollment=current != 0,
        next_period_start=convert(self._cursor[program_id] & constants.MASK_64, uint64),
    )


@internal
def _review_program(program_id: uint256, approve: bool):
    """
    @notice Approves or rejects a proposed program (VALIDATOR_ROLE).
    @param program_id The program.
    @param approve True to approve.
    """
    self._check_role(VALIDATOR_ROLE)
    head: uint256 = self._head[program_id]
    assert (head >> _STATUS_SHIFT) & constants.MASK_8 == PROGRAM_PROPOSED, "programs: program not proposed"
    status: uint256 = PROGRAM_REJECTED
    if approve:
        status = PROGRAM_APPROVED
    self._head[program_id] = (head & ~(constants.MASK_8 << _STATUS_SHIFT)) | (status << _STATUS_SHIFT)
    log ProgramReviewed(program_id=program_id, validator=msg.sender, approved=approve)


@internal
@view
def _check_proposed_enrollment(program_id: uint256, index: uint256) -> uint256:
    """
    @notice Reverts unless the caller is a validator, the program is not
            rejected and root `index` is proposed.
    @param program_id The program.
    @param index The root's index.
    @return uint256 The root's packed info.
    """
    self._check_role(VALIDATOR_ROLE)
    assert (self._head[program_id] >> _STATUS_SHIFT) & constants.MASK_8 != PROGRAM_REJECTED, "programs: program rejected"
    info: uint256 = self._enrollment_info[program_id][index]
    assert (info >> _E_STATUS_SHIFT) & constants.MASK_8 == ENROLLMENT_PROPOSED, "programs: enrollment not proposed"
    return info


@internal
@view
def _check_manager(program_id: uint256) -> uint256:
    """
    @notice Reverts unless the caller manages the program.
    @param program_id The program.
    @return uint256 The program's packed manager slot.
    """
    manager: uint256 = self._manager[program_id]
    assert manager & _MASK_160 == convert(convert(msg.sender, uint160), uint256), "programs: not the manager"
    return manager


@internal
@view
def _check_admin():
    """
    @notice Reverts unless the caller is the Registry's owner.
    """
    assert msg.sender == staticcall IRoleRegistry(REGISTRY).owner(), "programs: caller is not the admin"


@internal
@view
def _check_role(role: bytes32):
    """
    @notice Reverts unless the caller holds `role` on the Registry.
    @param role VALIDATOR_ROLE, ORACLE_ROLE or PAUSER_ROLE.
    """
    if not staticcall IRoleRegistry(REGISTRY).has_role(role, msg.sender):
        if role == VALIDATOR_ROLE:
            raise "programs: caller is not a validator"
        if role == ORACLE_ROLE:
            raise "programs: not an ORACLE_ROLE"
        raise "programs: caller is not a pauser"


@internal
def _slash(program_id: uint256, oracle: address):
    """
    @notice Unassigns a refuted oracle from the program (if still assigned)
            and marks it slashed for good.
    @param program_id The program whose report it lost.
    @param oracle The oracle.
    """
    head: uint256 = self._head[program_id]
    if head & _MASK_160 == convert(convert(oracle, uint160), uint256):
        self._head[program_id] = head & ~_MASK_160
    self.is_slashed[oracle] = True
    log OracleSlashed(oracle=oracle, program_id=program_id)


@internal
def _refute_enrollment(program_id: uint256, index: uint256):
    """
    @notice Marks an enrollment root REFUTED (a proof against it held).
    @param program_id The program.
    @param index The root's index.
    """
    info: uint256 = self._enrollment_info[program_id][index]
    self._enrollment_info[program_id][index] = (info & ~(constants.MASK_8 << _E_STATUS_SHIFT)) | (
        ENROLLMENT_REFUTED << _E_STATUS_SHIFT
    )
    log EnrollmentRefuted(program_id=program_id, index=index)
