# pragma version ~=0.4.3
"""
@title Project registry
@custom:contract-name project_registry
@license MIT
@notice Projects (solar plants) under methodology EN-R-002: the owner
        registers, a validator approves or rejects, and can suspend and
        resume an approved project. The admin assigns each project its oracle.
        The fields read by every monitoring report are packed into one storage
        slot (`_state`) and the project's terms into another, so a report
        costs two cold reads for the project.
"""

from snekmate.auth import ownable
from . import constants
from . import roles

uses: ownable
uses: roles


flag ProjectStatus:
    PENDING
    APPROVED
    REJECTED
    SUSPENDED


struct Project:
    owner: address
    capacity_w: uint256
    commissioning_date: uint64
    crediting_start: uint64
    crediting_end: uint64
    methodology_id: String[32]
    metadata_uri: String[256]
    status: ProjectStatus
    oracle: address
    next_period_start: uint64
    active_meter_kinds: uint8


struct ProjectTexts:
    methodology_id: String[32]
    metadata_uri: String[256]


# The crediting period is at most 8 years: 8 x 365 days + 2 leap days.
MAX_CREDITING_SECONDS: constant(uint64) = 2922 * 86400
# A project may not start more than 2 years (731 days with a leap day) before registration.
MAX_AGE_AT_REGISTRATION: constant(uint64) = 731 * 86400

# Bit offsets inside `_state`.
_NEXT_START_SHIFT: constant(uint256) = 160
_STATUS_SHIFT: constant(uint256) = 224
_KINDS_SHIFT: constant(uint256) = 232
_REPORT_SHIFT: constant(uint256) = 240


# @notice Number of registered projects; ids run from 1 to `project_count`.
project_count: public(uint256)
# @notice Owner of each project; receives its credits.
project_owner: public(HashMap[uint256, address])
# @dev Packed hot state per project: oracle (bits 0-159), next period start
#      (160-223), ProjectStatus (224-231), kinds of approved meters (232-239),
#      report status `constants.REPORT_*` (240-247). Other modules read it
#      through `_state_of` and the `_check_*` functions, decode it with the
#      pure `_unpack_*` functions and change only the next period start and
#      the report status, through `_store_report` / `_store_report_status`.
_state: HashMap[uint256, uint256]
# @dev Packed terms per project: capacity in W (bits 0-63), commissioning
#      date (64-127), crediting start (128-191), crediting end (192-255).
_terms: HashMap[uint256, uint256]
# @dev Methodology id and metadata URI per project (never read on chain).
_texts: HashMap[uint256, ProjectTexts]


# @notice A project was registered and waits for a validator.
event ProjectRegistered:
    project_id: indexed(uint256)
    owner: indexed(address)
    capacity_w: uint256
    commissioning_date: uint64
    crediting_start: uint64
    crediting_end: uint64
    methodology_id: String[32]
    metadata_uri: String[256]


# @notice A validator approved the project; it may now report.
event ProjectApproved:
    project_id: indexed(uint256)
    validator: indexed(address)


# @notice A validator rejected the pending project (final).
event ProjectRejected:
    project_id: indexed(uint256)
    validator: indexed(address)
    reason: String[256]


# @notice A validator suspended the approved project: no reports, no
#         finalization until resumed.
event ProjectSuspended:
    project_id: indexed(uint256)
    validator: indexed(address)
    reason: String[256]


# @notice A validator resumed the suspended project.
event ProjectResumed:
    project_id: indexed(uint256)
    validator: indexed(address)


# @notice The admin assigned `oracle` to submit the project's reports.
event ProjectOracleSet:
    project_id: indexed(uint256)
    oracle: indexed(address)


@deploy
def __init__():
    """
    @notice Nothing to set: there are no projects yet.
    """
    pass


@external
def register_project(
    capacity_w: uint256,
    commissioning_date: uint64,
    crediting_start: uint64,
    crediting_end: uint64,
    methodology_id: String[32],
    metadata_uri: String[256],
) -> uint256:
    """
    @notice Registers a project owned by the caller, status PENDING.
            Eligibility checks: capacity > 0; commissioning <= crediting
            start < crediting end; crediting period <= 8 years (2922 days);
            commissioning not more than 2 years (731 days) before now.
    @param capacity_w Rated capacity in W (the physical limit of generation).
    @param commissioning_date Start of operation, seconds since epoch.
    @param crediting_start First second credits may be earned for.
    @param crediting_end End (exclusive) of the crediting period.
    @param methodology_id J-Credit methodology, e.g. "EN-R-002".
    @param metadata_uri Where the project's documents live.
    @return The new project id (ids start at 1).
    """
    assert capacity_w != 0, "registry: zero capacity"
    assert capacity_w <= constants.MASK_64, "registry: capacity too large"
    assert len(methodology_id) != 0, "registry: empty methodology id"
    assert crediting_start < crediting_end, "registry: crediting end <= start"
    assert crediting_end - crediting_start <= MAX_CREDITING_SECONDS, "registry: crediting period > 8y"
    assert commissioning_date <= crediting_start, "registry: commissioned too late"
    assert (
        convert(commissioning_date, uint256) + convert(MAX_AGE_AT_REGISTRATION, uint256) >= block.timestamp
    ), "registry: commissioned > 2y ago"
    project_id: uint256 = self.project_count + 1
    self.project_count = project_id
    self.project_owner[project_id] = msg.sender
    self._state[project_id] = convert(ProjectStatus.PENDING, uint256) << _STATUS_SHIFT
    self._terms[project_id] = (
        capacity_w
        | (convert(commissioning_date, uint256) << 64)
        | (convert(crediting_start, uint256) << 128)
        | (convert(crediting_end, uint256) << 192)
    )
    self._texts[project_id] = ProjectTexts(methodology_id=methodology_id, metadata_uri=metadata_uri)
    log ProjectRegistered(
        project_id=project_id,
        owner=msg.sender,
        capacity_w=capacity_w,
        commissioning_date=commissioning_date,
        crediting_start=crediting_start,
        crediting_end=crediting_end,
        methodology_id=methodology_id,
        metadata_uri=metadata_uri,
    )
    return project_id


@external
def approve_project(project_id: uint256):
    """
    @notice Approves a PENDING project (VALIDATOR_ROLE).
    @param project_id The project.
    """
    roles._check_validator()
    assert self._status(project_id) == ProjectStatus.PENDING, "registry: project not pending"
    self._set_status(project_id, ProjectStatus.APPROVED)
    log ProjectApproved(project_id=project_id, validator=msg.sender)


@external
def reject_project(project_id: uint256, reason: String[256]):
    """
    @notice Rejects a PENDING project for good (VALIDATOR_ROLE).
    @param project_id The project.
    @param reason Why, for the record.
    """
    roles._check_validator()
    assert self._status(project_id) == ProjectStatus.PENDING, "registry: project not pending"
    self._set_status(project_id, ProjectStatus.REJECTED)
    log ProjectRejected(project_id=project_id, validator=msg.sender, reason=reason)


@external
def suspend_project(project_id: uint256, reason: String[256]):
    """
    @notice Suspends an APPROVED project (VALIDATOR_ROLE): it cannot report
            or finalize until resumed. A pending report stays pending.
    @param project_id The project.
    @param reason Why, for the record.
    """
    roles._check_validator()
    self._check_approved(self._state[project_id])
    self._set_status(project_id, ProjectStatus.SUSPENDED)
    log ProjectSuspended(project_id=project_id, validator=msg.sender, reason=reason)


@external
def resume_project(project_id: uint256):
    """
    @notice Resumes a SUSPENDED project (VALIDATOR_ROLE).
    @param project_id The project.
    """
    roles._check_validator()
    assert self._status(project_id) == ProjectStatus.SUSPENDED, "registry: project not suspended"
    self._set_status(project_id, ProjectStatus.APPROVED)
    log ProjectResumed(project_id=project_id, validator=msg.sender)


@external
def set_project_oracle(project_id: uint256, oracle: address):
    """
    @notice Assigns the oracle that submits the project's reports (admin).
            The oracle must hold ORACLE_ROLE; losing the role later stops
            its reports too.
    @param project_id The project.
    @param oracle The oracle's address.
    """
    ownable._check_owner()
    assert project_id != 0 and project_id <= self.project_count, "registry: unknown project"
    self._check_oracle_role(oracle)
    state: uint256 = self._state[project_id]
    self._state[project_id] = (state & ~convert(max_value(uint160), uint256)) | convert(oracle, uint256)
    log ProjectOracleSet(project_id=project_id, oracle=oracle)


@external
@view
def projects(project_id: uint256) -> Project:
    """
    @notice Everything known about a project (all zero for an unknown id).
    @param project_id The project.
    @return The project record.
    """
    state: uint256 = self._state[project_id]
    terms: uint256 = self._terms[project_id]
    texts: ProjectTexts = self._texts[project_id]
    return Project(
        owner=self.project_owner[project_id],
        capacity_w=terms & constants.MASK_64,
        commissioning_date=convert((terms >> 64) & constants.MASK_64, uint64),
        crediting_start=convert((terms >> 128) & constants.MASK_64, uint64),
        crediting_end=convert(terms >> 192, uint64),
        methodology_id=texts.methodology_id,
        metadata_uri=texts.metadata_uri,
        status=self._unpack_status(state),
        oracle=self._unpack_oracle(state),
        next_period_start=self._unpack_next_start(state),
        active_meter_kinds=convert((state >> _KINDS_SHIFT) & constants.MASK_8, uint8),
    )


@external
@view
def next_period_start(project_id: uint256) -> uint64:
    """
    @notice Start of the project's next monitoring period (0 before
            `start_monitoring`).
    @param project_id The project.
    @return Seconds since epoch.
    """
    return self._unpack_next_start(self._state[project_id])


@internal
@view
def _state_of(project_id: uint256) -> uint256:
    """
    @notice The packed hot state of a project (0 for an unknown id); read it
            once and decode it with the `_unpack_*` functions.
    @param project_id The project.
    @return uint256 The packed state (layout: see `_state`).
    """
    return self._state[project_id]


@internal
def _store_report(project_id: uint256, state: uint256, next_start: uint64, report_status: uint256):
    """
    @notice Stores the project's state with its next period start and report
            status replaced.
    @param project_id The project.
    @param state The project's packed state, as read in this call (from
           `_state_of` or a `_check_*` function), so the slot is read once.
    @param next_start The new next period start.
    @param report_status The new report status (`constants.REPORT_*`).
    """
    self._state[project_id] = (
        state & ~((constants.MASK_64 << _NEXT_START_SHIFT) | (constants.MASK_8 << _REPORT_SHIFT))
    ) | (convert(next_start, uint256) << _NEXT_START_SHIFT) | (report_status << _REPORT_SHIFT)


@internal
def _store_report_status(project_id: uint256, state: uint256, report_status: uint256):
    """
    @notice Stores the project's state with its report status replaced.
    @param project_id The project.
    @param state The project's packed state, as read in this call.
    @param report_status The new report status (`constants.REPORT_*`).
    """
    self._state[project_id] = (state & ~(constants.MASK_8 << _REPORT_SHIFT)) | (report_status << _REPORT_SHIFT)


@internal
@view
def _owner_of(project_id: uint256) -> address:
    """
    @notice Owner of a project (zero address for an unknown id).
    @param project_id The project.
    @return address The owner, who receives the project's credits.
    """
    return self.project_owner[project_id]


@internal
@view
def _check_reporter(project_id: uint256) -> uint256:
    """
    @notice Reverts unless the caller is the project's oracle and still
            holds ORACLE_ROLE, the project is APPROVED and it has no report
            pending or disputed (checked in this order).
    @param project_id The project.
    @return uint256 The project's packed state.
    """
    state: uint256 = self._state[project_id]
    assert (
        state & convert(max_value(uint160), uint256) == convert(msg.sender, uint256)
    ), "registry: not the project oracle"
    self._check_oracle_role(msg.sender)
    self._check_approved(state)
    assert (state >> _REPORT_SHIFT) & constants.MASK_8 == constants.REPORT_NONE, "registry: report pending"
    return state


@internal
@view
def _check_report_pending(project_id: uint256) -> uint256:
    """
    @notice Reverts unless the project has a report waiting for its
            challenge window (pending, not disputed).
    @param project_id The project.
    @return uint256 The project's packed state.
    """
    state: uint256 = self._state[project_id]
    report_status: uint256 = (state >> _REPORT_SHIFT) & constants.MASK_8
    assert report_status != constants.REPORT_NONE, "registry: no pending report"
    assert report_status == constants.REPORT_PENDING, "registry: report disputed"
    return state


@internal
@view
def _check_oracle_role(account: address):
    """
    @notice Reverts unless `account` holds ORACLE_ROLE.
    @param account The account to check.
    """
    assert roles._is_oracle(account), "registry: not an ORACLE_ROLE"


@internal
@view
def _check_approved(state: uint256):
    """
    @notice Reverts unless the packed state's project is APPROVED.
    @param state A packed state from `_state_of`.
    """
    assert (
        convert((state >> _STATUS_SHIFT) & constants.MASK_8, ProjectStatus) == ProjectStatus.APPROVED
    ), "registry: project not approved"


@internal
@view
def _status(project_id: uint256) -> ProjectStatus:
    """
    @notice Status of the project.
    @param project_id The project.
    @return ProjectStatus The status; the empty flag for an unknown id.
    """
    return self._unpack_status(self._state[project_id])


@internal
def _set_status(project_id: uint256, status: ProjectStatus):
    """
    @notice Overwrites the status byte of the packed state.
    @param project_id The project.
    @param status The new status.
    """
    state: uint256 = self._state[project_id]
    self._state[project_id] = (state & ~(constants.MASK_8 << _STATUS_SHIFT)) | (
        convert(status, uint256) << _STATUS_SHIFT
    )


@internal
def _set_kind(project_id: uint256, kind: uint256, approved: bool):
    """
    @notice Adds a meter kind to, or removes it from, the project's set of
            kinds of approved meters (the meters every report must read).
    @param project_id The project.
    @param kind The kind's bit (`constants.GENERATION`, `EXPORT` or
           `SELF_CONSUMPTION`).
    @param approved True to add the kind, False to remove it.
    """
    state: uint256 = self._state[project_id]
    if approved:
        state |= kind << _KINDS_SHIFT
    else:
        state &= ~(kind << _KINDS_SHIFT)
    self._state[project_id] = state


@internal
@view
def _capacity_and_crediting(project_id: uint256) -> (uint256, uint64, uint64):
    """
    @notice Capacity and crediting period of a project, from one storage read.
    @param project_id The project.
    @return uint256 The capacity in W.
    @return uint64 The crediting start (seconds since epoch).
    @return uint64 The crediting end (exclusive, seconds since epoch).
    """
    terms: uint256 = self._terms[project_id]
    return (
        terms & constants.MASK_64,
        convert((terms >> 128) & constants.MASK_64, uint64),
        convert(terms >> 192, uint64),
    )


@internal
@pure
def _unpack_status(state: uint256) -> ProjectStatus:
    """
    @notice Status byte of a packed state.
    @param state A packed state from `_state_of`.
    @return ProjectStatus The project's status.
    """
    return convert((state >> _STATUS_SHIFT) & constants.MASK_8, ProjectStatus)


@internal
@pure
def _unpack_oracle(state: uint256) -> address:
    """
    @notice Oracle of a packed state.
    @param state A packed state from `_state_of`.
    @return address The project's oracle (zero address until set).
    """
    return convert(convert(state & convert(max_value(uint160), uint256), uint160), address)


@internal
@pure
def _unpack_next_start(state: uint256) -> uint64:
    """
    @notice Next period start of a packed state.
    @param state A packed state from `_state_of`.
    @return uint64 The next period start (0 before monitoring started).
    """
    return convert((state >> _NEXT_START_SHIFT) & constants.MASK_64, uint64)


@internal
@pure
def _unpack_kinds(state: uint256) -> uint256:
    """
    @notice Bit set of the kinds of approved meters in a packed state.
    @param state A packed state from `_state_of`.
    @return uint256 The OR of the approved meters' kind bits.
    """
    return (state >> _KINDS_SHIFT) & constants.MASK_8


@internal
@pure
def _unpack_report_status(state: uint256) -> uint256:
    """
    @notice Report status of a packed state.
    @param state A packed state from `_state_of`.
    @return uint256 `constants.REPORT_NONE`, `REPORT_PENDING` or
            `REPORT_DISPUTED`.
    """
    return (state >> _REPORT_SHIFT) & constants.MASK_8
