# pragma version ~=0.4.3
"""
@title Meter registry
@custom:contract-name meter_registry
@license MIT
@notice Certified meters that sign their readings. The project owner
        registers a meter (its signing address is its id), a validator
        approves it, the owner or a validator revokes it. A meter belongs to
        one project for good; a project has at most one non-revoked meter of
        each kind. The meter's static facts and its last accepted register
        reading are packed into one slot each, so a report reads two slots
        and writes one per meter.
"""

from . import constants
from . import roles
from . import project_registry

uses: roles
uses: project_registry


# @notice What a meter measures. Its flag values 1, 2, 4 are the kind bits
#         `constants.GENERATION`, `EXPORT`, `SELF_CONSUMPTION`.
flag MeterKind:
    GENERATION
    EXPORT
    SELF_CONSUMPTION


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
    last_timestamp: uint64
    last_cumulative_wh: uint256


# Largest register value the packed `_last` slot holds (192 bits).
MAX_REGISTER_WH: constant(uint256) = 2**192 - 1


# @dev Packed facts per meter: project id (bits 0-63), MeterKind (64-71),
#      MeterStatus (72-79), certification expiry (80-143). Zero = unknown.
#      Other modules check a meter with `_check_meter`.
_info: HashMap[address, uint256]
# @dev Packed last accepted reading per meter: timestamp (bits 0-63) and
#      cumulative Wh (64-255). Zero = no baseline yet. Other modules use
#      `_last_of`, `_check_advance`, `_set_last` and `_store_last`.
_last: HashMap[address, uint256]
# @dev Serial number per meter (never read on chain).
_serial: HashMap[address, String[64]]
# @notice `kind_meter[project_id][kind]` is the project's non-revoked meter of
#         that kind (kind as its flag value 1, 2 or 4), or the zero address.
#         Other modules read it with `_meter_of_kind`.
kind_meter: public(HashMap[uint256, HashMap[uint256, address]])


# @notice The project owner registered `meter`; it waits for a validator.
event MeterRegistered:
    meter: indexed(address)
    project_id: indexed(uint256)
    kind: MeterKind
    serial: String[64]
    certification_expiry: uint64


# @notice A validator approved `meter`; its signed readings count from now.
event MeterApproved:
    meter: indexed(address)
    project_id: indexed(uint256)
    validator: indexed(address)


# @notice `meter` was revoked by `sender` (owner or validator), for good.
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
    project_id: uint256, meter: address, kind: MeterKind, serial: String[64], certification_expiry: uint64
):
    """
    @notice Registers `meter` for the caller's project, status PENDING.
    @param project_id The project (caller must own it; not rejected).
    @param meter The meter's signing address, also its id.
    @param kind Exactly one of GENERATION, EXPORT, SELF_CONSUMPTION.
    @param serial The meter's serial number.
    @param certification_expiry End of the meter's Measurement Act
           certification (seconds since epoch, exclusive); must be in the
           future.
    """
    assert project_registry._owner_of(project_id) == msg.sender, "registry: not the project owner"
    assert project_registry._status(project_id) != project_registry.ProjectStatus.REJECTED, "registry: project rejected"
    assert meter != empty(address), "registry: zero meter address"
    assert self._info[meter] == 0, "registry: meter registered"
    kind_bit: uint256 = convert(kind, uint256)
    assert (
        kind_bit == constants.GENERATION or kind_bit == constants.EXPORT or kind_bit == constants.SELF_CONSUMPTION
    ), "registry: invalid meter kind"
    assert self.kind_meter[project_id][kind_bit] == empty(address), "registry: meter kind taken"
    assert len(serial) != 0, "registry: empty serial"
    assert convert(certification_expiry, uint256) > block.timestamp, "registry: expiry in the past"
    self._info[meter] = (
        project_id
        | (kind_bit << 64)
        | (convert(MeterStatus.PENDING, uint256) << 72)
        | (convert(certification_expiry, uint256) << 80)
    )
    self._serial[meter] = serial
    self.kind_meter[project_id][kind_bit] = meter
    log MeterRegistered(
        meter=meter, project_id=project_id, kind=kind, serial=serial, certification_expiry=certification_expiry
    )


@external
def approve_meter(meter: address):
    """
    @notice Approves a PENDING meter (VALIDATOR_ROLE); its kind becomes one of
            the kinds the project must report.
    @param meter The meter.
    """
    roles._check_validator()
    info: uint256 = self._info[meter]
    assert self._unpack_status(info) == MeterStatus.PENDING, "registry: meter not pending"
    self._info[meter] = self._with_status(info, MeterStatus.APPROVED)
    project_id: uint256 = info & constants.MASK_64
    project_registry._set_kind(project_id, (info >> 64) & constants.MASK_8, True)
    log MeterApproved(meter=meter, project_id=project_id, validator=msg.sender)


@external
def revoke_meter(meter: address):
    """
    @notice Revokes a pending or approved meter for good (the project owner
            or a validator). Its readings are refused from now on; the project
            reports again once a replacement is approved and baselined with
            `start_monitoring`.
    @param meter The meter.
    """
    info: uint256 = self._info[meter]
    status: MeterStatus = self._unpack_status(info)
    assert status == MeterStatus.PENDING or status == MeterStatus.APPROVED, "registry: meter not active"
    project_id: uint256 = info & constants.MASK_64
    assert (
        project_registry._owner_of(project_id) == msg.sender or roles._is_validator(msg.sender)
    ), "registry: not owner or validator"
    kind_bit: uint256 = (info >> 64) & constants.MASK_8
    self._info[meter] = self._with_status(info, MeterStatus.REVOKED)
    self.kind_meter[project_id][kind_bit] = empty(address)
    if status == MeterStatus.APPROVED:
        project_registry._set_kind(project_id, kind_bit, False)
    log MeterRevoked(meter=meter, project_id=project_id, sender=msg.sender)


@external
@view
def meters(meter: address) -> Meter:
    """
    @notice Everything known about a meter (all zero if unknown).
    @param meter The meter's signing address.
    @return The meter record, with its last accepted reading.
    """
    info: uint256 = self._info[meter]
    last: uint256 = self._last[meter]
    return Meter(
        project_id=info & constants.MASK_64,
        kind=convert((info >> 64) & constants.MASK_8, MeterKind),
        status=self._unpack_status(info),
        serial=self._serial[meter],
        certification_expiry=convert((info >> 80) & constants.MASK_64, uint64),
        last_timestamp=convert(last & constants.MASK_64, uint64),
        last_cumulative_wh=last >> 64,
    )


@internal
@view
def _check_meter(meter: address, project_id: uint256, timestamp: uint64) -> (uint256, uint256):
    """
    @notice Reverts unless `meter` is an APPROVED meter of `project_id`
            whose certification covers `timestamp`; reads each of the
            meter's two slots once for a report or a baseline.
    @param meter The meter's signing address.
    @param project_id The project the reading is for.
    @param timestamp The reading's timestamp.
    @return uint256 The meter's kind bit (`constants.GENERATION`, `EXPORT`
            or `SELF_CONSUMPTION`).
    @return uint256 The meter's packed last reading (0 while it has no
            baseline; compare a new reading with it by `_check_advance`).
    """
    info: uint256 = self._info[meter]
    assert info & constants.MASK_64 == project_id, "registry: meter not of project"
    assert (
        convert((info >> 72) & constants.MASK_8, MeterStatus) == MeterStatus.APPROVED
    ), "registry: meter not approved"
    assert convert(timestamp, uint256) < (info >> 80) & constants.MASK_64, "registry: certification expired"
    return (info >> 64) & constants.MASK_8, self._last[meter]


@internal
@view
def _meter_of_kind(project_id: uint256, kind: uint256) -> address:
    """
    @notice The project's non-revoked meter of a kind.
    @param project_id The project.
    @param kind The kind's bit (`constants.GENERATION`, `EXPORT` or
           `SELF_CONSUMPTION`).
    @return address The meter, or the zero address.
    """
    return self.kind_meter[project_id][kind]


@internal
@view
def _last_of(meter: address) -> uint256:
    """
    @notice The meter's last accepted reading, packed.
    @param meter The meter.
    @return uint256 The packed reading; 0 while the meter has no baseline.
    """
    return self._last[meter]


@internal
def _set_last(meter: address, timestamp: uint64, cumulative_wh: uint256):
    """
    @notice Stores the meter's new last accepted reading.
    @param meter The meter.
    @param timestamp The reading's timestamp (non-zero).
    @param cumulative_wh The reading's register value in Wh; reverts
           above `MAX_REGISTER_WH`.
    """
    assert cumulative_wh <= MAX_REGISTER_WH, "registry: register too large"
    self._last[meter] = convert(timestamp, uint256) | (cumulative_wh << 64)


@internal
def _store_last(meter: address, last: uint256):
    """
    @notice Puts back a packed reading from `_last_of` (a rejected report
            restores the readings it replaced).
    @param meter The meter.
    @param last The packed reading.
    """
    self._last[meter] = last


@internal
@pure
def _check_advance(last: uint256, timestamp: uint64, cumulative_wh: uint256) -> uint256:
    """
    @notice Reverts unless a new reading is strictly newer than the meter's
            last accepted one (which also refuses replays) and its register
            did not go backwards.
    @param last The meter's packed last reading from `_last_of` (non-zero).
    @param timestamp The new reading's timestamp.
    @param cumulative_wh The new reading's register value in Wh.
    @return uint256 The energy in Wh since the last reading.
    """
    assert convert(timestamp, uint256) > last & constants.MASK_64, "registry: reading not newer"
    last_wh: uint256 = last >> 64
    assert cumulative_wh >= last_wh, "registry: register backwards"
    return cumulative_wh - last_wh


@internal
@pure
def _unpack_status(info: uint256) -> MeterStatus:
    """
    @notice Status of packed meter facts.
    @param info Packed meter facts.
    @return MeterStatus The status; the empty flag when unknown.
    """
    return convert((info >> 72) & constants.MASK_8, MeterStatus)


@internal
@pure
def _with_status(info: uint256, status: MeterStatus) -> uint256:
    """
    @notice Packed meter facts with the status replaced.
    @param info Packed meter facts.
    @param status The new status.
    @return uint256 The new packed facts.
    """
    return (info & ~(constants.MASK_8 << 72)) | (convert(status, uint256) << 72)
