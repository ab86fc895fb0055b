# pragma version ~=0.4.3
"""
@title Project registry
@custom:contract-name project_registry
@license MIT
@notice Projects (solar plants) under methodology EN-R-002: the owner
        registers, a validator approves or rejects, and can suspend and
        resume an approved project. Ownership moves in two steps. The admin
        assigns each project its oracle, which must hold ORACLE_ROLE and a
        live bond on the reports contract. The fields every monitoring report
        reads are packed into one slot (`_state`), the project's terms into
        another.
"""

from snekmate.auth import ownable
from ..interfaces import IMonitoringReports
from . import constants
from . import jst_calendar
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
    pending_owner: address
    capacity_w: uint256
    commissioning_date: uint64
    crediting_start: uint64
    crediting_end: uint64
    methodology_id: String[32]
    metadata_uri: String[256]
    status: ProjectStatus
    oracle: address
    active_meter_kinds: uint8


struct ProjectTexts:
    methodology_id: String[32]
    metadata_uri: String[256]


# @notice A crediting period lasts 8 calendar years (JST) from its start,
#         unless the scheme ends first. Source: J-Credit implementation rules
#         (実施要綱) 3.1.3, not yet verified against the published text; the
#         same value as `crediting_years` in
#         methodology/data/scheme_parameters.csv.
CREDITING_YEARS: public(constant(uint256)) = 8
# @notice End (exclusive) of the J-Credit scheme under the current rules:
#         2031-04-01T00:00+09:00 (the scheme runs to 31 March 2031). Same
#         source, same status and same value as `scheme_end` in
#         methodology/data/scheme_parameters.csv. An extension of the scheme
#         needs a new Registry: a deployed one never credits past this.
SCHEME_END: public(constant(uint64)) = 1932735600
# @notice A project may not start more than 2 years (731 days) before its
#         registration.
MAX_AGE_AT_REGISTRATION: public(constant(uint64)) = 731 * 86400
# @notice Largest capacity a project may declare: 1 GW, above the largest
#         solar plant in Japan. The bound keeps a "plant" that could never
#         exist from passing the capacity checks.
MAX_CAPACITY_W: public(constant(uint256)) = 10**9

# Bit offsets inside `_state`.
_STATUS_SHIFT: constant(uint256) = 160
_KINDS_SHIFT: constant(uint256) = 168
_BATTERY_BIT: constant(uint256) = 1 << 176
_AUXILIARY_BIT: constant(uint256) = 1 << 177


# @notice Number of registered projects; ids run from 1 to `project_count`.
project_count: public(uint256)
# @notice Owner of each project; receives its credits.
project_owner: public(HashMap[uint256, address])
# @notice Owner-to-be of each project, until it accepts (zero when none).
pending_project_owner: public(HashMap[uint256, address])
# @notice The reports contract (bound once): the only caller of
#         `on_fraud` and the holder of oracle bonds.
reports: public(address)
# @notice Number of projects each oracle is assigned to (an oracle may only
#         take its bond back when it has none).
oracle_assignments: public(HashMap[address, uint256])
# @dev Packed hot state per project: oracle (bits 0-159), ProjectStatus
#      (160-167), kinds of approved meters (168-175), battery declared
#      (176), an auxiliary meter approved once (177). Other modules read it
#      through `_state_of` and decode it with the `_unpack_*` functions.
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
    application_date: uint64
    monitoring_date: uint64
    crediting_start: uint64
    crediting_end: uint64
    methodology_id: String[32]
    metadata_uri: String[256]


# @notice The owner declared that the site has a battery: it may register
#         battery meters, and reports by difference must meter the battery.
event BatteryDeclared:
    project_id: indexed(uint256)


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


# @notice The admin assigned `oracle` to submit the project's reports (zero:
#         unassigned, e.g. after a proven fraud).
event ProjectOracleSet:
    project_id: indexed(uint256)
    oracle: indexed(address)


# @notice The project's owner offered the project to `new_owner`.
event ProjectTransferStarted:
    project_id: indexed(uint256)
    owner: indexed(address)
    new_owner: indexed(address)


# @notice `new_owner` accepted the project; it receives its credits from now.
event ProjectTransferred:
    project_id: indexed(uint256)
    previous_owner: indexed(address)
    new_owner: indexed(address)


# @notice The admin bound the reports contract, for good.
event ReportsBound:
    reports: indexed(address)


@deploy
def __init__():
    """
    @notice Nothing to set: there are no projects yet.
    """
    pass


@external
def bind_reports(reports: address):
    """
    @notice Binds the reports contract (admin, once for good).
    @param reports The MonitoringReports contract.
    """
    ownable._check_owner()
    assert self.reports == empty(address), "registry: reports already bound"
    assert reports.is_contract, "registry: reports is not a contract"
    self.reports = reports
    log ReportsBound(reports=reports)


@external
def register_project(
    capacity_w: uint256,
    commissioning_date: uint64,
    application_date: uint64,
    monitoring_date: uint64,
    methodology_id: String[32],
    metadata_uri: String[256],
) -> uint256:
    """
    @notice Registers a project owned by the caller, status PENDING. The
            crediting period follows from the dates (J-Credit implementation
            rules 3.1.3): it starts at the later of the application date and
            the date monitoring became possible, and ends `CREDITING_YEARS`
            calendar years later (JST) or at `SCHEME_END`, whichever comes
            first. The validator who approves the project attests the dates
            against its documents. Eligibility checks: 0 < capacity <= 1 GW;
            application not in the future; commissioning <= monitoring date;
            crediting start before the scheme end; commissioning not more
            than 2 years (731 days) before now.
    @param capacity_w Rated capacity in W (the physical limit of generation).
    @param commissioning_date Start of operation, seconds since epoch.
    @param application_date When the project applied for registration.
    @param monitoring_date When monitoring became possible (meters in place).
    @param methodology_id J-Credit methodology, e.g. "EN-R-002".
    @param metadata_uri Where the project's documents live.
    @return The new project id (ids start at 1).
    """
    assert capacity_w != 0, "registry: zero capacity"
    assert capacity_w <= MAX_CAPACITY_W, "registry: capacity too large"
    assert len(methodology_id) != 0, "registry: empty methodology id"
    assert convert(application_date, uint256) <= block.timestamp, "registry: application in the future"
    assert commissioning_date <= monitoring_date, "registry: monitoring before commissioning"
    crediting_start: uint64 = max(application_date, monitoring_date)
    assert crediting_start < SCHEME_END, "registry: after scheme end"
    crediting_end: uint64 = min(jst_calendar._add_years(crediting_start, CREDITING_YEARS), SCHEME_END)
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
        application_date=application_date,
        monitoring_date=monitoring_date,
        crediting_start=crediting_start,
        crediting_end=crediting_end,
        methodology_id=methodology_id,
        metadata_uri=metadata_uri,
    )
    return project_id


@external
def declare_battery(project_id: uint256):
    """
    @notice Declares that the site has a battery (the project owner, while
            the project is PENDING; for good). Its reports then need a
            self-consumption meter, or battery charge and discharge meters
            beside generation and export; only such a project may register
            battery meters.
    @param project_id The project.
    """
    assert self.project_owner[project_id] == msg.sender, "registry: not the project owner"
    state: uint256 = self._state[project_id]
    assert self._unpack_status(state) == ProjectStatus.PENDING, "registry: project not pending"
    self._state[project_id] = state | _BATTERY_BIT
    log BatteryDeclared(project_id=project_id)


@external
@view
def has_battery(project_id: uint256) -> bool:
    """
    @notice Whether the project's owner declared a battery.
    @param project_id The project.
    @return bool True for a battery site.
    """
    return self._state[project_id] & _BATTERY_BIT != 0


@external
def approve_project(project_id: uint256):
    """
    @notice Approves a PENDING project (VALIDATOR_ROLE).
    @param project_id The project.
    """
    self._change_status(project_id, ProjectStatus.PENDING, ProjectStatus.APPROVED)
    log ProjectApproved(project_id=project_id, validator=msg.sender)


@external
def reject_project(project_id: uint256, reason: String[256]):
    """
    @notice Rejects a PENDING project for good (VALIDATOR_ROLE).
    @param project_id The project.
    @param reason Why, for the record.
    """
    self._change_status(project_id, ProjectStatus.PENDING, ProjectStatus.REJECTED)
    log ProjectRejected(project_id=project_id, validator=msg.sender, reason=reason)


@external
def suspend_project(project_id: uint256, reason: String[256]):
    """
    @notice Suspends an APPROVED project (VALIDATOR_ROLE): it cannot report
            or finalize until resumed. A pending report stays pending.
    @param project_id The project.
    @param reason Why, for the record.
    """
    self._change_status(project_id, ProjectStatus.APPROVED, ProjectStatus.SUSPENDED)
    log ProjectSuspended(project_id=project_id, validator=msg.sender, reason=reason)


@external
def resume_project(project_id: uint256):
    """
    @notice Resumes a SUSPENDED project (VALIDATOR_ROLE).
    @param project_id The project.
    """
    self._change_status(project_id, ProjectStatus.SUSPENDED, ProjectStatus.APPROVED)
    log ProjectResumed(project_id=project_id, validator=msg.sender)


@external
def set_project_oracle(project_id: uint256, oracle: address):
    """
    @notice Assigns the oracle that submits the project's reports (admin),
            or none (the zero address: e.g. after revoking an oracle's role,
            so it may unbond). The oracle must hold ORACLE_ROLE and a live
            bond on the reports contract; it cannot take the bond back while
            assigned, and losing the role stops its reports.
    @param project_id The project.
    @param oracle The oracle's address, or zero.
    """
    ownable._check_owner()
    assert project_id != 0 and project_id <= self.project_count, "registry: unknown project"
    if oracle != empty(address):
        assert roles._is_oracle(oracle), "registry: not an ORACLE_ROLE"
        assert staticcall IMonitoringReports(self.reports).is_bonded(oracle), "registry: oracle not bonded"
    self._set_oracle(project_id, oracle)


@external
def transfer_project(project_id: uint256, new_owner: address):
    """
    @notice Offers the project to `new_owner` (the owner); it takes effect
            when `new_owner` calls `accept_project`. Zero cancels the offer.
    @param project_id The project.
    @param new_owner The owner-to-be.
    """
    assert self.project_owner[project_id] == msg.sender, "registry: not the project owner"
    self.pending_project_owner[project_id] = new_owner
    log ProjectTransferStarted(project_id=project_id, owner=msg.sender, new_owner=new_owner)


@external
def accept_project(project_id: uint256):
    """
    @notice Takes over the project offered to the caller; its credits go to
            the caller from now on.
    @param project_id The project.
    """
    assert self.pending_project_owner[project_id] == msg.sender, "registry: not the new owner"
    previous: address = self.project_owner[project_id]
    self.project_owner[project_id] = msg.sender
    self.pending_project_owner[project_id] = empty(address)
    log ProjectTransferred(project_id=project_id, previous_owner=previous, new_owner=msg.sender)


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
        pending_owner=self.pending_project_owner[project_id],
        capacity_w=terms & constants.MASK_64,
        commissioning_date=convert((terms >> 64) & constants.MASK_64, uint64),
        crediting_start=convert((terms >> 128) & constants.MASK_64, uint64),
        crediting_end=convert(terms >> 192, uint64),
        methodology_id=texts.methodology_id,
        metadata_uri=texts.metadata_uri,
        status=self._unpack_status(state),
        oracle=self._unpack_oracle(state),
        active_meter_kinds=convert(self._unpack_kinds(state), uint8),
    )


@internal
@view
def _state_of(project_id: uint256) -> uint256:
    """
    @notice The packed hot state of a project (0 for an unknown id).
    @param project_id The project.
    @return uint256 The packed state (layout: see `_state`).
    """
    return self._state[project_id]


@internal
@view
def _terms_of(project_id: uint256) -> uint256:
    """
    @notice The packed terms of a project: capacity W (bits 0-63),
            commissioning (64-127), crediting start (128-191) and end
            (192-255).
    @param project_id The project.
    @return uint256 The packed terms.
    """
    return self._terms[project_id]


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
def _set_oracle(project_id: uint256, oracle: address):
    """
    @notice Stores the project's oracle, counts assignments per oracle and
            logs it.
    @param project_id The project.
    @param oracle The oracle (zero to unassign).
    """
    state: uint256 = self._state[project_id]
    previous: address = self._unpack_oracle(state)
    if previous != empty(address):
        self.oracle_assignments[previous] -= 1
    if oracle != empty(address):
        self.oracle_assignments[oracle] += 1
    self._state[project_id] = (state & ~convert(max_value(uint160), uint256)) | convert(oracle, uint256)
    log ProjectOracleSet(project_id=project_id, oracle=oracle)


@internal
def _change_status(project_id: uint256, required: ProjectStatus, status: ProjectStatus):
    """
    @notice Moves a project from `required` to `status` (VALIDATOR_ROLE).
    @param project_id The project.
    @param required The status the project must have.
    @param status The new status.
    """
    roles._check_validator()
    state: uint256 = self._state[project_id]
    current: ProjectStatus = self._unpack_status(state)
    if required == ProjectStatus.PENDING:
        assert current == required, "registry: project not pending"
    elif required == ProjectStatus.APPROVED:
        assert current == required, "registry: project not approved"
    else:
        assert current == required, "registry: project not suspended"
    self._state[project_id] = (state & ~(constants.MASK_8 << _STATUS_SHIFT)) | (
        convert(status, uint256) << _STATUS_SHIFT
    )


@internal
def _set_kind(project_id: uint256, kind: uint256, approved: bool):
    """
    @notice Adds `kind` to (or removes it from) the project's approved kinds.
            Approving an auxiliary meter marks the project for good: its
            reports must subtract an auxiliary meter from then on (revoking
            it cannot turn them into generation - export).
    @param project_id The project.
    @param kind A meter kind bit.
    @param approved True to add, False to remove.
    """
    state: uint256 = self._state[project_id]
    kinds: uint256 = self._unpack_kinds(state)
    if approved:
        kinds |= kind
        if kind == constants.AUXILIARY:
            state |= _AUXILIARY_BIT
    else:
        kinds &= ~kind
    self._state[project_id] = (state & ~(constants.MASK_8 << _KINDS_SHIFT)) | (kinds << _KINDS_SHIFT)


@internal
@pure
def _unpack_status(state: uint256) -> ProjectStatus:
    """
    @notice Status byte of a packed state.
    @param state A packed state from `_state_of`.
    @return ProjectStatus The status; the empty flag for an unknown project.
    """
    return convert((state >> _STATUS_SHIFT) & constants.MASK_8, ProjectStatus)


@internal
@pure
def _unpack_oracle(state: uint256) -> address:
    """
    @notice Oracle of a packed state.
    @param state A packed state from `_state_of`.
    @return address The assigned oracle (zero if none).
    """
    return convert(convert(state & convert(max_value(uint160), uint256), uint160), address)


@internal
@pure
def _unpack_battery(state: uint256) -> bool:
    """
    @notice Whether a packed state has the battery declared.
    @param state A packed project state.
    @return bool True for a battery site.
    """
    return state & _BATTERY_BIT != 0


@internal
@pure
def _unpack_auxiliary(state: uint256) -> bool:
    """
    @notice Whether a packed state has had an auxiliary meter approved.
    @param state A packed project state.
    @return bool True when its reports must meter auxiliary consumption.
    """
    return state & _AUXILIARY_BIT != 0


@internal
@pure
def _unpack_kinds(state: uint256) -> uint256:
    """
    @notice Bit set of the kinds of approved meters in a packed state.
    @param state A packed state from `_state_of`.
    @return uint256 OR of the approved meters' kind bits.
    """
    return (state >> _KINDS_SHIFT) & constants.MASK_8
