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

from . import roles
from . import project_registry

uses: roles
uses: project_registry


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


_MASK_64: constant(uint256) = 2**64 - 1
_MASK_8: constant(uint256) = 255
# Largest register value the packed `_last` slot holds (192 bits).
MAX_REGISTER_WH: constant(uint256) = 2**192 - 1


# @dev Packed facts per meter: project id (bits 0-63), MeterKind (64-71),
#      MeterStatus (72-79), certification expiry (80-143). Zero = unknown.
_info: HashMap[address, uint256]
# @dev Packed last accepted reading per meter: timestamp (bits 0-63) and
#      cumulative Wh (64-255). Zero = no baseline yet.
_last: HashMap[address, uint256]
# @dev Serial number per meter (never read on chain).
_serial: HashMap[address, String[64]]
# @notice `kind_meter[project_id][kind]` is the project's non-revoked meter of
#         that kind (kind as its flag value 1, 2 or 4), or the zero address.
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
    assert project_registry.project_owner[project_id] == msg.sender, "registry: not the project owner"
    assert project_registry._status(project_id) != project_registry.ProjectStatus.REJECTED, "registry: project rejected"
    assert meter != empty(address), "registry: zero meter address"
    assert self._info[meter] == 0, "registry: meter registered"
    kind_bit: uint256 = convert(kind, uint256)
    assert kind_bit == 1 or kind_bit == 2 or kind_bit == 4, "registry: invalid meter kind"
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
    project_id: uint256 = info & _MASK_64
    kinds: uint256 = project_registry._unpack_kinds(project_registry._state[project_id])
    project_registry._set_kinds(project_id, kinds | ((info >> 64) & _MASK_8))
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
    project_id: uint256 = info & _MASK_64
    assert (
        project_registry.project_owner[project_id] == msg.sender
        or roles.has_role[roles.VALIDATOR_ROLE][msg.sender]
    ), "registry: not owner or validator"
    kind_bit: uint256 = (info >> 64) & _MASK_8
    self._info[meter] = self._with_status(info, MeterStatus.REVOKED)
    self.kind_meter[project_id][kind_bit] = empty(address)
    if status == MeterStatus.APPROVED:
        kinds: uint256 = project_registry._unpack_kinds(project_registry._state[project_id])
        project_registry._set_kinds(project_id, kinds & ~kind_bit)
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
        project_id=info & _MASK_64,
        kind=convert((info >> 64) & _MASK_8, MeterKind),
        status=self._unpack_status(info),
        serial=self._serial[meter],
        certification_expiry=convert((info >> 80) & _MASK_64, uint64),
        last_timestamp=convert(last & _MASK_64, uint64),
        last_cumulative_wh=last >> 64,
    )


@internal
@pure
def _unpack_status(info: uint256) -> MeterStatus:
    """
    @notice Status of packed meter facts (empty flag when unknown).
    """
    return convert((info >> 72) & _MASK_8, MeterStatus)


@internal
@pure
def _with_status(info: uint256, status: MeterStatus) -> uint256:
    """
    @notice Packed meter facts with the status replaced.
    """
    return (info & ~(_MASK_8 << 72)) | (convert(status, uint256) << 72)


@internal
@pure
def _pack_last(timestamp: uint64, cumulative_wh: uint256) -> uint256:
    """
    @notice Packs a reading into a `_last` slot value.
    """
    assert cumulative_wh <= MAX_REGISTER_WH, "registry: register too large"
    return convert(timestamp, uint256) | (cumulative_wh << 64)
