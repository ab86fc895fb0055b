# pragma version ~=0.4.3
"""
@title Meter registry
@custom:contract-name meter_registry
@license MIT
@notice Certified meters that sign their readings. The project owner
        registers a meter with the meter's own signature over (project,
        owner, serial), so nobody can register a meter they do not hold; a
        validator approves it, confirming its serial number and Measurement
        Act certification expiry; the owner or a validator revokes it. Serial
        numbers are unique among approved meters: a serial is taken when a
        validator approves it, so a stranger registering someone else's
        serial blocks nobody (the validator never approves it); a revoked meter's
        address may be registered again (a new registration, counted in
        `registration`, so nothing of the old one carries over). A project
        has at most one non-revoked meter of each kind. Each meter declares
        its metering interval: a report's boundary readings must lie within
        one interval before the boundary.
"""

from snekmate.utils import eip712_domain_separator
from . import constants
from . import roles
from . import project_registry
from . import meter_signatures

uses: roles
uses: project_registry
uses: eip712_domain_separator


# @notice What a meter measures. Its flag values 1, 2, 4, 8, 16, 32 are the
#         kind bits `constants.GENERATION`, `EXPORT`, `SELF_CONSUMPTION`,
#         `AUXILIARY`, `BATTERY_CHARGE`, `BATTERY_DISCHARGE`.
flag MeterKind:
    GENERATION
    EXPORT
    SELF_CONSUMPTION
    AUXILIARY
    BATTERY_CHARGE
    BATTERY_DISCHARGE


flag MeterStatus:
    PENDING
    APPROVED
    REVOKED


struct Meter:
    project_id: uint256
    kind: MeterKind
    status: MeterStatus
    serial: String[64]
    certification_expiry: uint64
    interval_seconds: uint32
    registration: uint16


# @notice Shortest metering interval a meter may declare, in seconds.
MIN_INTERVAL_SECONDS: public(constant(uint32)) = 60
# @notice Longest metering interval a meter may declare, in seconds.
MAX_INTERVAL_SECONDS: public(constant(uint32)) = 3600

# Bit offsets inside `_info`.
_KIND_SHIFT: constant(uint256) = 64
_STATUS_SHIFT: constant(uint256) = 72
_EXPIRY_SHIFT: constant(uint256) = 80
_INTERVAL_SHIFT: constant(uint256) = 144
_REGISTRATION_SHIFT: constant(uint256) = 176


# @dev Packed facts per meter: project id (bits 0-63), MeterKind (64-71),
#      MeterStatus (72-79), certification expiry (80-143), interval in
#      seconds (144-175), registration count (176-191). Zero = unknown.
_info: HashMap[address, uint256]
# @dev Serial number per meter (never read on chain).
_serial: HashMap[address, String[64]]
# @notice The approved meter holding each serial number (keyed by keccak256
#         of the serial), or the zero address.
serial_meter: public(HashMap[bytes32, address])
# @notice `kind_meter[project_id][kind]` is the project's non-revoked meter of
#         that kind (kind as its flag value, a single bit), or the zero address.
kind_meter: public(HashMap[uint256, HashMap[uint256, address]])


# @notice The project owner registered `meter` (with the meter's own
#         signature); it waits for a validator.
event MeterRegistered:
    meter: indexed(address)
    project_id: indexed(uint256)
    kind: MeterKind
    serial: String[64]
    certification_expiry: uint64
    interval_seconds: uint32
    registration: uint16


# @notice A validator approved `meter` and confirmed its certification
#         expiry; its signed readings count from now.
event MeterApproved:
    meter: indexed(address)
    project_id: indexed(uint256)
    validator: indexed(address)
    certification_expiry: uint64


# @notice `meter` was revoked by `sender` (owner or validator).
event MeterRevoked:
    meter: indexed(address)
    project_id: indexed(uint256)
    sender: indexed(address)


@deploy
def __init__():
    """
    @notice Nothing to set: there are no meters yet.
    """
    pass


@external
def register_meter(
    project_id: uint256,
    meter: address,
    kind: MeterKind,
    serial: String[64],
    certification_expiry: uint64,
    interval_seconds: uint32,
    meter_signature: Bytes[65],
):
    """
    @notice Registers `meter` for the caller's project, status PENDING.
    @param project_id The project (caller must own it; not rejected).
    @param meter The meter's signing address, also its id. New, or revoked.
    @param kind Exactly one kind; a battery kind only for a project that
           declared its battery.
    @param serial The meter's serial number (not held by an approved meter).
    @param certification_expiry End of the meter's Measurement Act
           certification (seconds since epoch, exclusive); in the future.
    @param interval_seconds The meter's metering interval (60 to 3600 s).
    @param meter_signature The meter key's EIP-712 MeterRegistration
           signature over (project_id, caller, serial).
    """
    assert project_registry._owner_of(project_id) == msg.sender, "registry: not the project owner"
    assert (
        project_registry._unpack_status(project_registry._state_of(project_id))
        != project_registry.ProjectStatus.REJECTED
    ), "registry: project rejected"
    assert meter != empty(address), "registry: zero meter address"
    info: uint256 = self._info[meter]
    assert info == 0 or self._unpack_status(info) == MeterStatus.REVOKED, "registry: meter registered"
    kind_bit: uint256 = convert(kind, uint256)
    assert kind_bit != 0 and kind_bit & (kind_bit - 1) == 0, "registry: invalid meter kind"
    assert kind_bit < constants.BATTERY_CHARGE or project_registry._unpack_battery(
        project_registry._state_of(project_id)
    ), "registry: no battery declared"
    assert self.kind_meter[project_id][kind_bit] == empty(address), "registry: meter kind taken"
    assert len(serial) != 0, "registry: empty serial"
    assert self.serial_meter[keccak256(serial)] == empty(address), "registry: serial registered"
    assert convert(certification_expiry, uint256) > block.timestamp, "registry: expiry in the past"
    assert (
        interval_seconds >= MIN_INTERVAL_SECONDS and interval_seconds <= MAX_INTERVAL_SECONDS
    ), "registry: bad meter interval"
    meter_signatures._check_registration(
        eip712_domain_separator._domain_separator_v4(), project_id, msg.sender, meter, serial, meter_signature
    )
    registration: uint256 = ((info >> _REGISTRATION_SHIFT) & constants.MASK_16) + 1
    self._info[meter] = (
        project_id
        | (kind_bit << _KIND_SHIFT)
        | (convert(MeterStatus.PENDING, uint256) << _STATUS_SHIFT)
        | (convert(certification_expiry, uint256) << _EXPIRY_SHIFT)
        | (convert(interval_seconds, uint256) << _INTERVAL_SHIFT)
        | (registration << _REGISTRATION_SHIFT)
    )
    self._serial[meter] = serial
    self.kind_meter[project_id][kind_bit] = meter
    log MeterRegistered(
        meter=meter,
        project_id=project_id,
        kind=kind,
        serial=serial,
        certification_expiry=certification_expiry,
        interval_seconds=interval_seconds,
        registration=convert(registration, uint16),
    )


@external
def approve_meter(meter: address, certification_expiry: uint64):
    """
    @notice Approves a PENDING meter of a project that is not rejected
            (VALIDATOR_ROLE), confirming the serial number and the
            certification expiry (still in the future) the validator checked;
            the meter takes its serial and its kind becomes one of the kinds
            the project must report.
    @param meter The meter.
    @param certification_expiry The expiry on the certificate; must equal
           the one registered.
    """
    roles._check_validator()
    info: uint256 = self._info[meter]
    assert self._unpack_status(info) == MeterStatus.PENDING, "registry: meter not pending"
    assert (
        (info >> _EXPIRY_SHIFT) & constants.MASK_64 == convert(certification_expiry, uint256)
    ), "registry: expiry mismatch"
    assert convert(certification_expiry, uint256) > block.timestamp, "registry: certification expired"
    project_id: uint256 = info & constants.MASK_64
    assert (
        project_registry._unpack_status(project_registry._state_of(project_id))
        != project_registry.ProjectStatus.REJECTED
    ), "registry: project rejected"
    serial_key: bytes32 = keccak256(self._serial[meter])
    assert self.serial_meter[serial_key] == empty(address), "registry: serial registered"
    self.serial_meter[serial_key] = meter
    self._info[meter] = self._with_status(info, MeterStatus.APPROVED)
    project_registry._set_kind(project_id, (info >> _KIND_SHIFT) & constants.MASK_8, True)
    log MeterApproved(
        meter=meter, project_id=project_id, validator=msg.sender, certification_expiry=certification_expiry
    )


@external
def revoke_meter(meter: address):
    """
    @notice Revokes a pending or approved meter (the project owner or a
            validator). Its readings are refused from now on and its serial
            and address may be registered again; the project reports again
            once a replacement is approved and monitoring restarted.
    @param meter The meter.
    """
    info: uint256 = self._info[meter]
    status: MeterStatus = self._unpack_status(info)
    assert status == MeterStatus.PENDING or status == MeterStatus.APPROVED, "registry: meter not active"
    project_id: uint256 = info & constants.MASK_64
    assert (
        project_registry._owner_of(project_id) == msg.sender or roles._is_validator(msg.sender)
    ), "registry: not owner or validator"
    kind_bit: uint256 = (info >> _KIND_SHIFT) & constants.MASK_8
    self._info[meter] = self._with_status(info, MeterStatus.REVOKED)
    self.kind_meter[project_id][kind_bit] = empty(address)
    if status == MeterStatus.APPROVED:
        self.serial_meter[keccak256(self._serial[meter])] = empty(address)
        project_registry._set_kind(project_id, kind_bit, False)
    log MeterRevoked(meter=meter, project_id=project_id, sender=msg.sender)


@external
@view
def meters(meter: address) -> Meter:
    """
    @notice Everything the Registry knows about a meter (all zero if
            unknown); its accepted readings live in the reports contract.
    @param meter The meter's signing address.
    @return The meter record.
    """
    info: uint256 = self._info[meter]
    return Meter(
        project_id=info & constants.MASK_64,
        kind=convert((info >> _KIND_SHIFT) & constants.MASK_8, MeterKind),
        status=self._unpack_status(info),
        serial=self._serial[meter],
        certification_expiry=convert((info >> _EXPIRY_SHIFT) & constants.MASK_64, uint64),
        interval_seconds=convert((info >> _INTERVAL_SHIFT) & convert(max_value(uint32), uint256), uint32),
        registration=convert((info >> _REGISTRATION_SHIFT) & constants.MASK_16, uint16),
    )


@internal
@view
def _report_facts(project_id: uint256, meter: address) -> uint256:
    """
    @notice A meter's packed facts for a report of `project_id`: kind bit
            (bits 0-7), certification expiry (8-71), interval (72-103),
            registration count (104-119); 0 unless it is an APPROVED meter
            of the project (at most one per kind).
    @param project_id The project.
    @param meter The meter.
    @return uint256 The packed facts, or 0.
    """
    info: uint256 = self._info[meter]
    if info & constants.MASK_64 != project_id or self._unpack_status(info) != MeterStatus.APPROVED:
        return 0
    return ((info >> _KIND_SHIFT) & constants.MASK_8) | ((info >> _EXPIRY_SHIFT) << 8)


@internal
@view
def _approved_meter(project_id: uint256, kind: uint256) -> address:
    """
    @notice The project's approved meter of a kind.
    @param project_id The project.
    @param kind A kind bit.
    @return address The meter, or zero if the kind has no approved meter.
    """
    meter: address = self.kind_meter[project_id][kind]
    if meter == empty(address) or self._unpack_status(self._info[meter]) != MeterStatus.APPROVED:
        return empty(address)
    return meter


@internal
@pure
def _unpack_status(info: uint256) -> MeterStatus:
    """
    @notice Status of packed meter facts.
    @param info Packed meter facts.
    @return MeterStatus The status; the empty flag when unknown.
    """
    return convert((info >> _STATUS_SHIFT) & constants.MASK_8, MeterStatus)


@internal
@pure
def _with_status(info: uint256, status: MeterStatus) -> uint256:
    """
    @notice Packed meter facts with the status replaced.
    @param info Packed meter facts.
    @param status The new status.
    @return uint256 The new packed facts.
    """
    return (info & ~(constants.MASK_8 << _STATUS_SHIFT)) | (convert(status, uint256) << _STATUS_SHIFT)
