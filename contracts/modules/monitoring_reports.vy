# pragma version ~=0.4.3
"""
@title Verified monitoring reports, challenge window, dispute, finalize
@custom:contract-name monitoring_reports
@license MIT
@notice The project's oracle submits one report per period; the contract
        re-checks it without trusting the oracle (the oracle only relays
        data signed by the meters, and every figure it claims must equal
        what the contract computes itself from those readings): the period
        starts exactly where the last one ended, is over, and stays inside
        one fiscal year and the crediting period; every approved meter of the
        project gives its end-of-period register reading, signed by the
        meter (EIP-712), newer than its last accepted one, not going
        backwards, taken before the meter's certification expired;
        export <= generation; generation <= capacity x hours; and the claimed
        self-consumed Wh and reduction g equal the contract's own result with
        the fiscal year's factor. Gas is O(1) in the number of readings: only
        each meter's boundary reading is checked; the period's readings are
        committed by a Merkle root and archived off chain.

        After the challenge window (0 = the submit finalizes at once) anyone
        finalizes: whole t-CO2 are minted to the project owner, the fraction
        of a tonne carries to the next report of the same project and fiscal
        year. A validator may dispute inside the window and then uphold
        (finalize) or reject (as if never submitted: period start and meter
        registers are restored, the data can be resubmitted).

        Pause policy: while paused, `start_monitoring`, `submit_report`,
        `finalize` and upholding a dispute revert (no reporting, no minting).
        Disputing and rejecting stay open so a validator can stop a bad
        report during an emergency.
"""

from snekmate.auth import ownable
from snekmate.utils import pausable
from ..interfaces import ICarbonCredit
from . import constants
from . import roles
from . import project_registry
from . import meter_registry
from . import factor_table
from . import meter_signatures

uses: ownable
uses: pausable
uses: roles
uses: project_registry
uses: meter_registry
uses: factor_table
uses: meter_signatures


# @notice A project's unfinalized report; `status` is `constants.REPORT_*`
#         (0 none, 1 pending, 2 disputed).
struct PendingReport:
    status: uint256
    report_id: uint256
    period_start: uint64
    period_end: uint64
    fiscal_year: uint16
    void: bool
    challenge_deadline: uint64
    self_consumed_wh: uint256
    reduction_g: uint256


# @notice The CarbonCredit token this registry mints.
credit: public(immutable(address))
# @notice Challenge window in seconds for reports submitted from now on.
challenge_window: public(uint64)
# @notice Number of reports ever accepted by `submit_report` (ids 1..n).
report_count: public(uint256)
# @dev Pending report per project, packed: period start (bits 0-63), period
#      end (64-127), challenge deadline (128-191), fiscal year (192-207), void
#      (208), report id (216-255). Left in place after finalization (its
#      status lives in the project's state), so the next report overwrites
#      a non-zero slot.
_pending_period: HashMap[uint256, uint256]
# @dev Pending report claims per project: self-consumed Wh (bits 0-127) and
#      reduction g (128-255).
_pending_claim: HashMap[uint256, uint256]
# @dev Each meter's last reading before its pending report, restored if a
#      validator rejects the report (opaque packed values from
#      `meter_registry._check_meter`, put back with
#      `meter_registry._store_last`).
_previous_last: HashMap[address, uint256]
# @dev Fraction of a tonne (g) not yet minted, per token id (project, year).
_carry: HashMap[uint256, uint256]


# @notice The project's oracle fixed the start of monitoring (first period).
event MonitoringStarted:
    project_id: indexed(uint256)
    period_start: uint64


# @notice A meter's reading was accepted as its new last register value
#         (baseline from `start_monitoring`, or a report's end reading).
event MeterReadingAccepted:
    meter: indexed(address)
    project_id: indexed(uint256)
    timestamp: uint64
    cumulative_wh: uint256


# @notice The admin changed the challenge window of future reports.
event ChallengeWindowSet:
    seconds: uint64


# @notice A monitoring report passed every check.
event ReportSubmitted:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    fiscal_year: indexed(uint16)
    period_start: uint64
    period_end: uint64
    generation_wh: uint256
    export_wh: uint256
    self_consumed_wh: uint256
    reduction_g: uint256
    void: bool
    merkle_root: bytes32
    data_uri: String[256]
    challenge_deadline: uint64


# @notice A report was finalized: `minted_t` credits went to the owner and
#         `carry_g` grams wait for the next report of the year.
event ReportFinalized:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    token_id: indexed(uint256)
    reduction_g: uint256
    minted_t: uint256
    carry_g: uint256


# @notice A validator disputed a report inside its challenge window.
event ReportDisputed:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    validator: indexed(address)
    reason: String[256]


# @notice A validator resolved a dispute: upheld (finalized right after) or
#         rejected (undone; the period can be reported again).
event DisputeResolved:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    validator: indexed(address)
    upheld: bool


@deploy
def __init__(credit_: address):
    """
    @notice Binds the registry to its credit token.
    @param credit_ The CarbonCredit contract (grant this contract MINTER_ROLE).
    """
    assert credit_ != empty(address), "registry: zero credit address"
    credit = credit_


@external
def set_challenge_window(seconds: uint64):
    """
    @notice Sets the challenge window of reports submitted from now on
            (admin). 0 finalizes reports in the submitting transaction.
    @param seconds Window length in seconds.
    """
    ownable._check_owner()
    self.challenge_window = seconds
    log ChallengeWindowSet(seconds=seconds)


@external
def start_monitoring(
    project_id: uint256, period_start: uint64, readings: DynArray[meter_signatures.SignedReading, 3]
):
    """
    @notice Fixes each meter's baseline register at `period_start` (the
            project's oracle). First call: starts the first period, which
            must lie in the crediting period, and needs a reading of every
            approved meter. Later calls (after a meter was replaced) must
            repeat the current `next_period_start` and baseline meters that
            have none yet (replace a meter at a period boundary: end a report
            at the swap, then baseline the new meter there). Each reading is
            the meter's last at or before `period_start`. Refused while a
            report is pending.
    @param project_id The project.
    @param period_start Start of the first (or current) period.
    @param readings One signed reading per meter to baseline.
    """
    pausable._require_not_paused()
    # `_check_reporter` also refuses a pending report: rejecting a report
    # restores every baselined meter, which is only right if no meter was
    # baselined while the report was pending.
    state: uint256 = project_registry._check_reporter(project_id)
    next_start: uint64 = project_registry._unpack_next_start(state)
    if next_start == 0:
        capacity_w: uint256 = 0
        crediting_start: uint64 = 0
        crediting_end: uint64 = 0
        capacity_w, crediting_start, crediting_end = project_registry._capacity_and_crediting(project_id)
        assert period_start >= crediting_start, "registry: before crediting start"
        assert period_start < crediting_end, "registry: after crediting end"
    else:
        assert period_start == next_start, "registry: monitoring started"
    assert len(readings) != 0, "registry: no readings"
    seen: uint256 = 0
    for reading: meter_signatures.SignedReading in readings:
        kind: uint256 = 0
        last: uint256 = 0
        kind, last = self._check_reading(
            project_id, reading.meter, reading.first_timestamp, reading.last_timestamp, seen
        )
        seen |= kind
        assert last == 0, "registry: meter has a baseline"
        assert reading.last_timestamp != 0, "registry: zero timestamp"
        assert reading.last_timestamp <= period_start, "registry: reading after start"
        self._accept_reading(project_id, reading)
    if next_start == 0:
        assert seen == project_registry._unpack_kinds(state), "registry: readings != meters"
        project_registry._store_report(project_id, state, period_start, constants.REPORT_NONE)
        log MonitoringStarted(project_id=project_id, period_start=period_start)


@external
def submit_report(
    project_id: uint256,
    period_end: uint64,
    fiscal_year: uint16,
    readings: DynArray[meter_signatures.SignedReading, 3],
    merkle_root: bytes32,
    data_uri: String[256],
    self_consumed_wh: uint256,
    reduction_g: uint256,
    void: bool,
) -> uint256:
    """
    @notice Submits the report of [next_period_start, period_end) (the
            project's oracle). See the module NatSpec for every check; a
            failed check reverts with `registry: <check>`. `void` reports a
            period the methodology found invalid: it must claim 0 and 0;
            continuity, signature and register checks still apply, the
            physical and claim checks do not, nothing is minted. With a
            challenge window of 0 the report is finalized in this call.
    @param project_id The project.
    @param period_end End of the period (exclusive), seconds since epoch.
    @param fiscal_year Fiscal year (vintage) the whole period lies in.
    @param readings Each approved meter's last reading at or before
           `period_end`, signed by the meter.
    @param merkle_root Merkle root of all the period's readings.
    @param data_uri Where the archived readings are.
    @param self_consumed_wh Claimed self-consumed energy in Wh.
    @param reduction_g Claimed reduction in g-CO2.
    @param void True for a period found invalid off chain.
    @return The report id.
    """
    pausable._require_not_paused()
    state: uint256 = project_registry._check_reporter(project_id)
    period_start: uint64 = project_registry._unpack_next_start(state)
    assert period_start != 0, "registry: monitoring not started"
    assert period_end > period_start, "registry: period end <= start"
    assert convert(period_end, uint256) <= block.timestamp, "registry: period not over"
    capacity_w: uint256 = 0
    crediting_start: uint64 = 0
    crediting_end: uint64 = 0
    capacity_w, crediting_start, crediting_end = project_registry._capacity_and_crediting(project_id)
    assert period_end <= crediting_end, "registry: after crediting end"
    assert (
        period_start >= factor_table._fiscal_year_start(fiscal_year)
        and period_end <= factor_table._fiscal_year_start(fiscal_year + 1)
    ), "registry: outside fiscal year"
    assert merkle_root != empty(bytes32), "registry: empty merkle root"
    kinds: uint256 = project_registry._unpack_kinds(state)
    assert (
        kinds == constants.GENERATION | constants.EXPORT
        or kinds == constants.SELF_CONSUMPTION
        or kinds == constants.SELF_CONSUMPTION | constants.GENERATION
    ), "registry: bad meter set"

    window: uint64 = self.challenge_window
    energy: uint256[5] = empty(uint256[5])
    seen: uint256 = 0
    for reading: meter_signatures.SignedReading in readings:
        kind: uint256 = 0
        last: uint256 = 0
        kind, last = self._check_reading(
            project_id, reading.meter, reading.first_timestamp, reading.last_timestamp, seen
        )
        seen |= kind
        assert last != 0, "registry: meter has no baseline"
        assert reading.last_timestamp <= period_end, "registry: reading after end"
        energy[kind] = meter_registry._check_advance(last, reading.last_timestamp, reading.last_cumulative_wh)
        if window != 0:
            self._previous_last[reading.meter] = last
        self._accept_reading(project_id, reading)
    assert seen == kinds, "registry: readings != meters"

    if void:
        assert self_consumed_wh == 0 and reduction_g == 0, "registry: void report claims"
    else:
        self._check_claim(
            energy, kinds, capacity_w, period_end - period_start, fiscal_year, self_consumed_wh, reduction_g
        )

    report_id: uint256 = self.report_count + 1
    self.report_count = report_id
    deadline: uint64 = convert(block.timestamp, uint64) + window
    log ReportSubmitted(
        project_id=project_id,
        report_id=report_id,
        fiscal_year=fiscal_year,
        period_start=period_start,
        period_end=period_end,
        generation_wh=energy[constants.GENERATION],
        export_wh=energy[constants.EXPORT],
        self_consumed_wh=self_consumed_wh,
        reduction_g=reduction_g,
        void=void,
        merkle_root=merkle_root,
        data_uri=data_uri,
        challenge_deadline=deadline,
    )
    if window == 0:
        project_registry._store_report(project_id, state, period_end, constants.REPORT_NONE)
        self._credit(project_id, report_id, fiscal_year, reduction_g)
    else:
        project_registry._store_report(project_id, state, period_end, constants.REPORT_PENDING)
        packed_void: uint256 = 0
        if void:
            packed_void = 1
        self._pending_period[project_id] = (
            convert(period_start, uint256)
            | (convert(period_end, uint256) << 64)
            | (convert(deadline, uint256) << 128)
            | (convert(fiscal_year, uint256) << 192)
            | (packed_void << 208)
            | (report_id << 216)
        )
        self._pending_claim[project_id] = self_consumed_wh | (reduction_g << 128)
    return report_id


@external
def finalize(project_id: uint256):
    """
    @notice Finalizes the project's pending report once its challenge window
            has passed (anyone): mints whole t-CO2 to the project owner.
    @param project_id The project.
    """
    pausable._require_not_paused()
    state: uint256 = project_registry._check_report_pending(project_id)
    period: uint256 = self._pending_period[project_id]
    assert block.timestamp >= (period >> 128) & constants.MASK_64, "registry: challenge window open"
    self._finalize(project_id, state, period)


@external
def dispute(project_id: uint256, reason: String[256]):
    """
    @notice Disputes the project's pending report inside its challenge window
            (VALIDATOR_ROLE); only `resolve_dispute` can then settle it.
    @param project_id The project.
    @param reason Why, for the record.
    """
    roles._check_validator()
    state: uint256 = project_registry._check_report_pending(project_id)
    period: uint256 = self._pending_period[project_id]
    assert block.timestamp < (period >> 128) & constants.MASK_64, "registry: challenge window over"
    project_registry._store_report_status(project_id, state, constants.REPORT_DISPUTED)
    log ReportDisputed(project_id=project_id, report_id=period >> 216, validator=msg.sender, reason=reason)


@external
def resolve_dispute(project_id: uint256, uphold: bool):
    """
    @notice Settles a disputed report (VALIDATOR_ROLE). Uphold: finalize now
            (not while paused or while the project is suspended). Reject:
            undo the report as if never submitted.
    @param project_id The project.
    @param uphold True to uphold, False to reject.
    """
    roles._check_validator()
    state: uint256 = project_registry._state_of(project_id)
    assert (
        project_registry._unpack_report_status(state) == constants.REPORT_DISPUTED
    ), "registry: report not disputed"
    period: uint256 = self._pending_period[project_id]
    log DisputeResolved(project_id=project_id, report_id=period >> 216, validator=msg.sender, upheld=uphold)
    if uphold:
        pausable._require_not_paused()
        self._finalize(project_id, state, period)
        return
    # Every meter that has a baseline now took part in the report: baselines
    # and reports need no pending report, and every report reads all approved
    # meters. Revoked meters are skipped (they never report again).
    for kind: uint256 in [constants.GENERATION, constants.EXPORT, constants.SELF_CONSUMPTION]:
        meter: address = meter_registry._meter_of_kind(project_id, kind)
        if meter != empty(address) and meter_registry._last_of(meter) != 0:
            meter_registry._store_last(meter, self._previous_last[meter])
    project_registry._store_report(
        project_id, state, convert(period & constants.MASK_64, uint64), constants.REPORT_NONE
    )


@external
@view
def pending_report(project_id: uint256) -> PendingReport:
    """
    @notice The project's unfinalized report (status 0 = none, and then the
            other fields are meaningless).
    @param project_id The project.
    @return The pending report.
    """
    report_status: uint256 = project_registry._unpack_report_status(project_registry._state_of(project_id))
    if report_status == constants.REPORT_NONE:
        return empty(PendingReport)
    period: uint256 = self._pending_period[project_id]
    claim: uint256 = self._pending_claim[project_id]
    return PendingReport(
        status=report_status,
        report_id=period >> 216,
        period_start=convert(period & constants.MASK_64, uint64),
        period_end=convert((period >> 64) & constants.MASK_64, uint64),
        fiscal_year=convert((period >> 192) & constants.MASK_16, uint16),
        void=(period >> 208) & 1 == 1,
        challenge_deadline=convert((period >> 128) & constants.MASK_64, uint64),
        self_consumed_wh=claim & constants.MASK_128,
        reduction_g=claim >> 128,
    )


@external
@view
def carry_g(project_id: uint256, fiscal_year: uint16) -> uint256:
    """
    @notice Grams of reduction of the project's fiscal year not yet minted
            (always < 1 t). What is left when the year closes is never issued.
    @param project_id The project.
    @param fiscal_year The fiscal year.
    @return The carried grams.
    """
    return self._carry[self._token_id(project_id, fiscal_year)]


@internal
@view
def _check_reading(
    project_id: uint256, meter: address, first_timestamp: uint64, last_timestamp: uint64, seen: uint256
) -> (uint256, uint256):
    """
    @notice Reverts unless the reading's meter is an approved meter of the
            project whose certification covers the reading, the batch is in
            order and no earlier reading had the meter's kind.
    @param project_id The project.
    @param meter The reading's meter.
    @param first_timestamp Timestamp of the batch's first reading.
    @param last_timestamp Timestamp of the batch's last reading.
    @param seen OR of the kinds of the readings before this one.
    @return uint256 The meter's kind bit.
    @return uint256 The meter's packed last reading (0 = no baseline).
    """
    kind: uint256 = 0
    last: uint256 = 0
    kind, last = meter_registry._check_meter(meter, project_id, last_timestamp)
    assert first_timestamp <= last_timestamp, "registry: batch first > last"
    assert seen & kind == 0, "registry: duplicate meter kind"
    return kind, last


@internal
def _accept_reading(project_id: uint256, reading: meter_signatures.SignedReading):
    """
    @notice Checks the meter's signature and stores the reading as the
            meter's new last register value.
    @param project_id The project.
    @param reading The signed reading, already checked by `_check_reading`.
    """
    meter_signatures._check_signature(project_id, reading)
    meter_registry._set_last(reading.meter, reading.last_timestamp, reading.last_cumulative_wh)
    log MeterReadingAccepted(
        meter=reading.meter,
        project_id=project_id,
        timestamp=reading.last_timestamp,
        cumulative_wh=reading.last_cumulative_wh,
    )


@internal
def _check_claim(
    energy: uint256[5],
    kinds: uint256,
    capacity_w: uint256,
    seconds: uint64,
    fiscal_year: uint16,
    self_consumed_wh: uint256,
    reduction_g: uint256,
):
    """
    @notice Physical checks and the recomputation of a non-void claim.
    @param energy Energy per meter kind bit in Wh (index 1, 2, 4).
    @param kinds OR of the project's approved meter kinds.
    @param capacity_w The project's capacity in W.
    @param seconds Length of the period.
    @param fiscal_year Fiscal year of the period (its factor is used).
    @param self_consumed_wh Claimed self-consumed energy in Wh.
    @param reduction_g Claimed reduction in g-CO2.
    """
    self_consumed: uint256 = 0
    physical: uint256 = 0
    if kinds & constants.SELF_CONSUMPTION != 0:
        self_consumed = energy[constants.SELF_CONSUMPTION]
        physical = self_consumed
        if kinds & constants.GENERATION != 0:
            assert self_consumed <= energy[constants.GENERATION], "registry: self-consumed > gen"
            physical = energy[constants.GENERATION]
    else:
        assert energy[constants.EXPORT] <= energy[constants.GENERATION], "registry: export > generation"
        self_consumed = energy[constants.GENERATION] - energy[constants.EXPORT]
        physical = energy[constants.GENERATION]
    # Wh x 3600 <= W x s, in integers, so no rounding of hours.
    assert physical * 3600 <= capacity_w * convert(seconds, uint256), "registry: generation > capacity"
    assert self_consumed_wh == self_consumed, "registry: self-consumed mismatch"
    factor: uint256 = factor_table._use(fiscal_year)
    assert reduction_g == self_consumed * factor // constants.WH_PER_MWH, "registry: reduction mismatch"


@internal
def _finalize(project_id: uint256, state: uint256, period: uint256):
    """
    @notice Clears the pending status and credits the report.
    @param project_id The project.
    @param state The project's packed state.
    @param period The packed pending period.
    """
    project_registry._check_approved(state)
    project_registry._store_report_status(project_id, state, constants.REPORT_NONE)
    self._credit(
        project_id,
        period >> 216,
        convert((period >> 192) & constants.MASK_16, uint16),
        self._pending_claim[project_id] >> 128,
    )


@internal
def _credit(project_id: uint256, report_id: uint256, fiscal_year: uint16, reduction_g: uint256):
    """
    @notice Adds the reduction to the year's carry, mints the whole tonnes
            to the project owner and keeps the rest as carry.
    @param project_id The project.
    @param report_id The report being finalized.
    @param fiscal_year The report's fiscal year.
    @param reduction_g The report's reduction in g-CO2.
    """
    token_id: uint256 = self._token_id(project_id, fiscal_year)
    total_g: uint256 = self._carry[token_id] + reduction_g
    minted_t: uint256 = total_g // constants.G_PER_T
    carry: uint256 = total_g % constants.G_PER_T
    if reduction_g != 0:
        self._carry[token_id] = carry
    if minted_t != 0:
        extcall ICarbonCredit(credit).mint(project_registry._owner_of(project_id), token_id, minted_t)
    log ReportFinalized(
        project_id=project_id,
        report_id=report_id,
        token_id=token_id,
        reduction_g=reduction_g,
        minted_t=minted_t,
        carry_g=carry,
    )


@internal
@pure
def _token_id(project_id: uint256, fiscal_year: uint16) -> uint256:
    """
    @notice Credit token id of a project's fiscal year.
    @param project_id The project.
    @param fiscal_year The fiscal year.
    @return uint256 (project_id << 16) | fiscal_year.
    """
    return (project_id << 16) | convert(fiscal_year, uint256)
