# pragma version ~=0.4.3
"""
@title Monitoring reports: boundary readings, challenge window, dispute, finalize
@custom:contract-name monitoring_reports
@license MIT
@notice A project's oracle submits one report per period. For every fact the
        report claims, the contract either recomputes it here in O(1) or
        anyone can prove it wrong before the report finalizes (FraudProofs);
        nothing rests on the oracle's word:

        - Recomputed at submission: the period starts where the last one
          ended, is over, lies in one fiscal year and the crediting period;
          every approved meter gives its end reading, signed by the meter
          for this project, within one metering interval before the period
          end (`(end - interval, end]`), newer than its baseline and not
          going backwards, before its certification expired, and committed
          in the report's Merkle root (the report carries the proof); a
          meter without a baseline (first report after monitoring
          (re)started) also gives its start reading, within one interval
          before the period start and not before the crediting start;
          the meter set is one the Registry accepts (difference metering
          only up to 10 kW, a declared battery metered); export <=
          generation, the battery's net charge and the auxiliary energy
          within what they are subtracted from, and generation <= capacity x
          the span the readings measure (the Registry's `self_consumption`);
          the claimed Wh and g equal that result with the fiscal year's
          factor. A void report (the
          methodology found the period invalid) claims 0 and must show why:
          its boundary readings fail a check above, or FraudProofs holds a
          recorded interval above capacity of the capacity-checked meter
          inside the period (`record_violation`, before submitting).
        - Provable until finalization (FraudProofs): a later signed reading
          than a claimed boundary, an interval above capacity in a report
          that claims credits, committed data that differ from what a meter
          signed or contradict each other.

        Storage keeps only what later reports need (each meter's last
        reading, the project's cursor) and one hash of the pending report's
        facts (`IMonitoringReports.ReportFacts`, logged in full by `ReportSubmitted`): whoever
        finalizes, rejects or proves passes the facts back and the contract
        checks them against the hash.

        After the challenge window anyone finalizes: whole t-CO2 go to the
        project owner (or, when the owner is a contract, accrue until it
        claims them to an address of its choice, so no receiver hook can
        block a project), the fraction of a tonne carries to the next
        report of the same project and fiscal year (what is left when the
        project moves to the next fiscal year is never issued). A validator
        may dispute inside the window; another validator may uphold at once,
        the disputing one only after the window; any validator may reject; a
        dispute nobody resolves for `DISPUTE_TIMEOUT` undoes the report.
        Undoing (rejection, expiry, fraud proof) restores the meters'
        baselines and the period start: the period can be reported again.

        A meter swap: end a report at the old meter's last reading, revoke
        it, register and approve the new meter, then `start_monitoring`
        again at a start every meter has a reading within one interval
        before (the new meter's first reading at the latest): every
        baseline is taken afresh by the next report, and the gap between the
        two periods is credited to nobody, so no energy is counted twice and
        none is counted without its export.

        Pause policy: while paused, `start_monitoring`, `submit_report`,
        `finalize` and upholding a dispute revert (no reporting, no
        minting); disputes, rejections and fraud proofs stay open.
"""

from snekmate.utils import pausable
from ..interfaces import ICarbonCredit
from ..interfaces import IFraudProofs
from ..interfaces import IMonitoringReports
from ..interfaces import IRegistry
from . import constants
from . import evidence
from . import jst_calendar
from . import meter_signatures
from . import oracle_bonds

uses: pausable
uses: oracle_bonds


# @notice One boundary reading of a report: a meter's signed batch ending
#         on it, and the Merkle proof that the batch is in the report's root.
struct BoundaryReading:
    batch: meter_signatures.SignedReading
    proof: DynArray[bytes32, evidence.MAX_PROOF_DEPTH]


# @notice Shortest challenge window: fraud proofs need time to be sent.
MIN_CHALLENGE_WINDOW: public(constant(uint64)) = 3600
# @notice Longest challenge window (a longer one would only delay credits).
MAX_CHALLENGE_WINDOW: public(constant(uint64)) = 30 * 86400
# @notice A dispute nobody resolves for this long undoes the report.
DISPUTE_TIMEOUT: public(constant(uint64)) = 14 * 86400
# @notice Why a report was undone (`ReportUndone.reason`).
UNDONE_REJECTED: public(constant(uint8)) = 1
UNDONE_DISPUTE_EXPIRED: public(constant(uint8)) = 2
UNDONE_FRAUD_PROVEN: public(constant(uint8)) = 3
UNDONE_ORACLE_REFUTED: public(constant(uint8)) = 4

_MAX_BOUNDARY_READINGS: constant(uint256) = constants.MAX_BOUNDARY_READINGS
_KIND_SLOTS: constant(uint256) = constants.KIND_SLOTS
_PAUSER_ROLE: constant(bytes32) = keccak256("PAUSER_ROLE")
_VALIDATOR_ROLE: constant(bytes32) = keccak256("VALIDATOR_ROLE")
# Bits of `_cursor`: next period start (0-63), report status (64-71), epoch
# (72-87), challenge deadline (88-151), pending report id (152-191), fiscal
# year of the carry (192-207), carried grams (208-231).
_STATUS_SHIFT: constant(uint256) = 64
_EPOCH_SHIFT: constant(uint256) = 72
_DEADLINE_SHIFT: constant(uint256) = 88
_REPORT_SHIFT: constant(uint256) = 152
_CARRY_YEAR_SHIFT: constant(uint256) = 192
_CARRY_SHIFT: constant(uint256) = 208
_MASK_24: constant(uint256) = 2**24 - 1
_MASK_40: constant(uint256) = 2**40 - 1
# Bits of `_last`: timestamp (0-63), register (64-127), registration
# (128-143), epoch (144-159).
_REGISTRATION_SHIFT: constant(uint256) = 128
_EPOCH_IN_LAST_SHIFT: constant(uint256) = 144
# Bit of `_config` set once the Registry is launched (its launch is one-way).
_LAUNCHED_BIT: constant(uint256) = 1 << 128


# @notice The Registry: projects, meters, roles, factors, signature domain.
registry: public(immutable(address))
# @notice The CarbonCredit token minted on finalization.
credit: public(immutable(address))
# @notice The FraudProofs contract: the only caller of `refute`, and where a
#         void report's interval evidence is recorded.
fraud_proofs: public(immutable(address))
# @dev Challenge window of reports submitted from now on (bits 0-63), number
#      of reports ever submitted (64-127), launched (128): one slot every
#      submit reads and writes.
_config: uint256
# @dev Per project, the packed cursor (layout: see `_STATUS_SHIFT` above).
_cursor: HashMap[uint256, uint256]
# @dev Per project: keccak256 of the pending report's `IMonitoringReports.ReportFacts`.
_pending_hash: HashMap[uint256, bytes32]
# @dev Per project: the validator that disputed (bits 0-159) and when
#      (160-223).
_dispute: HashMap[uint256, uint256]
# @dev Per meter: its last accepted reading and the registration and project
#      epoch it was accepted under (layout: see `_REGISTRATION_SHIFT`); the
#      meter's baseline only while both still match.
_last: HashMap[address, uint256]
# @notice Whole t-CO2 accrued per project owner that is a contract (the owner
#         when the report finalized) and token id, waiting for `claim`.
claimable: public(HashMap[address, HashMap[uint256, uint256]])


# @notice The project's oracle started (or, after a meter swap, restarted)
#         monitoring at `period_start`; `epoch` counts the restarts.
event MonitoringStarted:
    project_id: indexed(uint256)
    period_start: uint64
    epoch: uint16


# @notice The admin changed the challenge window of future reports.
event ChallengeWindowSet:
    seconds: uint64


# @notice A monitoring report passed every check and waits for its window.
#         `facts` is everything it claims (pass it back to finalize, reject
#         or prove it); each meter's end reading in it is the meter's new
#         last reading.
event ReportSubmitted:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    fiscal_year: indexed(uint16)
    facts: IMonitoringReports.ReportFacts
    generation_wh: uint256
    export_wh: uint256
    data_uri: String[256]


# @notice A report was finalized: `minted_t` credits went to `recipient`
#         (or accrued for it to claim) and `carry_g` grams wait for the next
#         report of the year.
event ReportFinalized:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    token_id: indexed(uint256)
    reduction_g: uint256
    minted_t: uint256
    carry_g: uint256
    recipient: address
    accrued: bool


# @notice A validator disputed a report inside its challenge window.
event ReportDisputed:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    validator: indexed(address)
    reason: String[256]


# @notice A validator resolved a dispute: upheld (finalized right after) or
#         rejected (undone).
event DisputeResolved:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    validator: indexed(address)
    upheld: bool


# @notice A report was undone (`reason`: 1 rejected, 2 dispute expired,
#         3 fraud proven, 4 its oracle was refuted in another report): the
#         period can be reported again.
event ReportUndone:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    reason: uint8


# @notice `owner`, a contract that owned the project when its reports
#         finalized, claimed `amount` accrued credits of `token_id` to
#         `recipient`.
event CreditsClaimed:
    token_id: indexed(uint256)
    owner: indexed(address)
    recipient: indexed(address)
    amount: uint256


@deploy
def __init__(registry_: address, credit_: address, fraud_proofs_: address):
    """
    @notice Binds the Registry, the credit token and the fraud proofs; the
            window starts at one day.
    @param registry_ The Registry (bind this contract there).
    @param credit_ The CarbonCredit token (bind this contract there).
    @param fraud_proofs_ The FraudProofs contract.
    """
    assert (
        registry_ != empty(address) and credit_ != empty(address) and fraud_proofs_ != empty(address)
    ), "reports: zero address"
    registry = registry_
    credit = credit_
    fraud_proofs = fraud_proofs_
    self._config = 86400


@external
def set_challenge_window(seconds: uint64):
    """
    @notice Sets the challenge window of reports submitted from now on
            (the Registry's admin), between one hour and 30 days.
    @param seconds Window length in seconds.
    """
    assert msg.sender == staticcall IRegistry(registry).owner(), "reports: caller is not the admin"
    assert seconds >= MIN_CHALLENGE_WINDOW and seconds <= MAX_CHALLENGE_WINDOW, "reports: window out of bounds"
    self._config = (self._config & ~constants.MASK_64) | convert(seconds, uint256)
    log ChallengeWindowSet(seconds=seconds)


@external
def start_monitoring(project_id: uint256, period_start: uint64):
    """
    @notice Starts monitoring at `period_start` (the project's oracle): the
            first time inside the crediting period; again after a meter
            swap (an approved meter has no baseline), at or after the next
            period start, which voids every baseline: the next report
            carries a start reading of every meter.
    @param project_id The project.
    @param period_start Start of the first period after (re)starting.
    """
    pausable._require_not_paused()
    meters: address[_KIND_SLOTS] = staticcall IRegistry(registry).project_meters(project_id)
    asked: DynArray[address, _MAX_BOUNDARY_READINGS] = []
    for meter: address in meters:
        asked.append(meter)
    terms: IRegistry.ReportTerms = self._check_reporter(project_id, 0, asked)
    cursor: uint256 = self._cursor[project_id]
    self._check_no_report(cursor)
    next_start: uint64 = convert(cursor & constants.MASK_64, uint64)
    epoch: uint256 = (cursor >> _EPOCH_SHIFT) & constants.MASK_16
    if next_start == 0:
        assert period_start >= terms.crediting_start, "reports: before crediting start"
    else:
        assert period_start >= next_start, "reports: before next period start"
        needs_baseline: bool = False
        for slot: uint256 in range(_KIND_SLOTS):
            if meters[slot] != empty(address) and not self._has_baseline(
                meters[slot], terms.meter_facts[slot], epoch
            ):
                needs_baseline = True
        assert needs_baseline, "reports: monitoring started"
        epoch += 1
    assert period_start < terms.crediting_end, "reports: after crediting end"
    # The carry (bits 192-231) stays: a restart does not close the fiscal year.
    self._cursor[project_id] = (
        (cursor & ~((1 << _CARRY_YEAR_SHIFT) - 1)) | convert(period_start, uint256) | (epoch << _EPOCH_SHIFT)
    )
    log MonitoringStarted(project_id=project_id, period_start=period_start, epoch=convert(epoch, uint16))


@external
def submit_report(
    project_id: uint256,
    period_end: uint64,
    fiscal_year: uint16,
    readings: DynArray[BoundaryReading, _MAX_BOUNDARY_READINGS],
    merkle_root: bytes32,
    data_uri: String[256],
    self_consumed_wh: uint256,
    reduction_g: uint256,
    void: bool,
) -> uint256:
    """
    @notice Submits the report of [next_period_start, period_end) (the
            project's oracle). See the module NatSpec for every check; a
            failed check reverts with `reports: <check>`.
    @param project_id The project.
    @param period_end End of the period (exclusive), seconds since epoch.
    @param fiscal_year Fiscal year (vintage) the whole period lies in.
    @param readings Per approved meter its end reading; before it, for a
           meter without a baseline, its start reading.
    @param merkle_root Root of the period's signed batches (one leaf each).
    @param data_uri Where the archived readings are.
    @param self_consumed_wh Claimed self-consumed energy in Wh.
    @param reduction_g Claimed reduction in g-CO2.
    @param void True for a period the methodology found invalid (claims 0).
    @return The report id.
    """
    pausable._require_not_paused()
    asked: DynArray[address, _MAX_BOUNDARY_READINGS] = []
    for reading: BoundaryReading in readings:
        asked.append(reading.batch.meter)
    terms: IRegistry.ReportTerms = self._check_reporter(project_id, fiscal_year, asked)
    cursor: uint256 = self._cursor[project_id]
    self._check_no_report(cursor)
    facts: IMonitoringReports.ReportFacts = empty(IMonitoringReports.ReportFacts)
    facts.project_id = project_id
    facts.period_start = convert(cursor & constants.MASK_64, uint64)
    facts.period_end = period_end
    facts.fiscal_year = fiscal_year
    facts.void = void
    facts.self_consumed_wh = self_consumed_wh
    facts.reduction_g = reduction_g
    facts.merkle_root = merkle_root
    facts.oracle = msg.sender
    assert facts.period_start != 0, "reports: monitoring not started"
    assert period_end > facts.period_start, "reports: period end <= start"
    assert convert(period_end, uint256) <= block.timestamp, "reports: period not over"
    assert period_end <= terms.crediting_end, "reports: after crediting end"
    assert (
        facts.period_start >= jst_calendar._fiscal_year_start(fiscal_year)
        and period_end <= jst_calendar._fiscal_year_start(fiscal_year + 1)
    ), "reports: outside fiscal year"
    assert merkle_root != empty(bytes32), "reports: empty merkle root"
    # The Registry judges the meter set (kinds, capacity, battery).
    if len(terms.meter_set_problem) != 0:
        raw_revert(terms.meter_set_problem)

    config: uint256 = self._config
    facts.report_id = ((config >> 64) & constants.MASK_64) + 1
    facts.challenge_deadline = convert(block.timestamp, uint64) + convert(config & constants.MASK_64, uint64)
    epoch: uint256 = (cursor >> _EPOCH_SHIFT) & constants.MASK_16
    separator: bytes32 = meter_signatures._domain_separator(registry)
    # Per kind slot (slot i for kind bit 1 << i) while the readings come in.
    periods: IMonitoringReports.MeterPeriod[_KIND_SLOTS] = empty(IMonitoringReports.MeterPeriod[_KIND_SLOTS])
    for index: uint256 in range(_MAX_BOUNDARY_READINGS):
        if index >= len(readings):
            break
        meter_facts: uint256 = terms.meter_facts[index]
        assert meter_facts != 0, "reports: meter not of project"
        slot: uint256 = 0
        for bit: uint256 in range(_KIND_SLOTS):
            if meter_facts & (1 << bit) != 0:
                slot = bit
        periods[slot] = self._accept(
            project_id,
            facts.period_start,
            period_end,
            merkle_root,
            readings[index],
            periods[slot],
            meter_facts,
            epoch,
            separator,
            terms.crediting_start,
        )
    seen: uint256 = 0
    energy: uint256[_KIND_SLOTS] = empty(uint256[_KIND_SLOTS])
    for slot: uint256 in range(_KIND_SLOTS):
        if periods[slot].end_timestamp != 0:
            seen |= periods[slot].kind
            facts.meters.append(periods[slot])
            energy[slot] = periods[slot].end_cumulative_wh - periods[slot].start_cumulative_wh
    assert seen == terms.kinds, "reports: readings != meters"

    # The physical checks and the recomputation of the claim (the arithmetic is the Registry's
    # `self_consumption`); a void report must show why it is void. The capacity bounds
    # generation; without a generation meter, self-consumption.
    capped: uint256 = 2
    if terms.kinds & constants.GENERATION != 0:
        capped = 0
    self_consumed: uint256 = 0
    problem: Bytes[132] = b""
    self_consumed, problem = staticcall IRegistry(registry).self_consumption(
        terms.kinds,
        energy,
        terms.capacity_w,
        convert(periods[capped].end_timestamp - periods[capped].start_timestamp, uint256),
    )
    if void:
        assert self_consumed_wh == 0 and reduction_g == 0, "reports: void report claims"
        if len(problem) == 0:
            assert staticcall IFraudProofs(fraud_proofs).violation_within(
                project_id, periods[capped].meter, periods[capped].start_timestamp, periods[capped].end_timestamp
            ), "reports: void without a recorded violation"
    else:
        if len(problem) != 0:
            raw_revert(problem)
        assert self_consumed_wh == self_consumed, "reports: self-consumed mismatch"
        assert terms.factor_g_per_mwh != 0, "reports: no emission factor"
        if not terms.factor_locked:
            extcall IRegistry(registry).lock_factor(fiscal_year)
        assert (
            reduction_g == self_consumed * terms.factor_g_per_mwh // constants.WH_PER_MWH
        ), "reports: reduction mismatch"

    self._config = (config & ~(constants.MASK_64 << 64)) | (facts.report_id << 64)
    self._cursor[project_id] = (
        (cursor & ~((1 << _CARRY_YEAR_SHIFT) - 1))
        | convert(period_end, uint256)
        | (constants.REPORT_PENDING << _STATUS_SHIFT)
        | (epoch << _EPOCH_SHIFT)
        | (convert(facts.challenge_deadline, uint256) << _DEADLINE_SHIFT)
        | (facts.report_id << _REPORT_SHIFT)
    )
    self._pending_hash[project_id] = keccak256(abi_encode(facts))
    log ReportSubmitted(
        project_id=project_id,
        report_id=facts.report_id,
        fiscal_year=fiscal_year,
        facts=facts,
        generation_wh=energy[0],
        export_wh=energy[1],
        data_uri=data_uri,
    )
    return facts.report_id


@external
def finalize(facts: IMonitoringReports.ReportFacts):
    """
    @notice Finalizes a pending report once its challenge window has passed
            (anyone): whole t-CO2 to the project owner.
    @param facts The report's facts, as logged by `ReportSubmitted`.
    """
    pausable._require_not_paused()
    cursor: uint256 = self._check_pending(facts, False)
    assert block.timestamp >= convert(facts.challenge_deadline, uint256), "reports: challenge window open"
    self._finalize(facts, cursor)


@external
def dispute(project_id: uint256, reason: String[256]):
    """
    @notice Disputes the project's pending report inside its challenge window
            (VALIDATOR_ROLE); `resolve_dispute` then settles it, or the
            dispute expires after `DISPUTE_TIMEOUT` and undoes the report.
    @param project_id The project.
    @param reason Why, for the record.
    """
    self._check_validator()
    cursor: uint256 = self._cursor[project_id]
    status: uint256 = (cursor >> _STATUS_SHIFT) & constants.MASK_8
    assert status != constants.REPORT_NONE, "reports: no pending report"
    assert status == constants.REPORT_PENDING, "reports: report disputed"
    assert block.timestamp < (cursor >> _DEADLINE_SHIFT) & constants.MASK_64, "reports: challenge window over"
    self._cursor[project_id] = self._with_status(cursor, constants.REPORT_DISPUTED)
    self._dispute[project_id] = convert(msg.sender, uint256) | (block.timestamp << 160)
    log ReportDisputed(
        project_id=project_id,
        report_id=(cursor >> _REPORT_SHIFT) & _MASK_40,
        validator=msg.sender,
        reason=reason,
    )


@external
def resolve_dispute(facts: IMonitoringReports.ReportFacts, uphold: bool):
    """
    @notice Settles a disputed report (VALIDATOR_ROLE) before its dispute
            expires. Uphold: finalize now (by another validator, or by the
            disputing one once the window is over; not while paused or the
            project is suspended). Reject: undo the report. A report's life
            is so bounded by the longest window plus `DISPUTE_TIMEOUT`, which
            `UNBOND_DELAY` outlasts: an oracle's bond stays while any report
            of its can still be proven wrong.
    @param facts The report's facts, as logged by `ReportSubmitted`.
    @param uphold True to uphold, False to reject.
    """
    self._check_validator()
    cursor: uint256 = self._check_pending(facts, True)
    assert block.timestamp < (self._dispute[facts.project_id] >> 160) + convert(
        DISPUTE_TIMEOUT, uint256
    ), "reports: dispute expired"
    log DisputeResolved(
        project_id=facts.project_id, report_id=facts.report_id, validator=msg.sender, upheld=uphold
    )
    if uphold:
        pausable._require_not_paused()
        disputer: uint256 = self._dispute[facts.project_id] & convert(max_value(uint160), uint256)
        assert (
            convert(msg.sender, uint256) != disputer
            or block.timestamp >= convert(facts.challenge_deadline, uint256)
        ), "reports: disputer upholds after the window"
        self._finalize(facts, cursor)
        return
    self._undo(facts, cursor, UNDONE_REJECTED)


@external
def expire_dispute(facts: IMonitoringReports.ReportFacts):
    """
    @notice Undoes a report whose dispute nobody resolved within
            `DISPUTE_TIMEOUT` (anyone).
    @param facts The report's facts, as logged by `ReportSubmitted`.
    """
    cursor: uint256 = self._check_pending(facts, True)
    assert block.timestamp >= (self._dispute[facts.project_id] >> 160) + convert(
        DISPUTE_TIMEOUT, uint256
    ), "reports: dispute not expired"
    self._undo(facts, cursor, UNDONE_DISPUTE_EXPIRED)


@external
def refute(facts: IMonitoringReports.ReportFacts) -> uint256:
    """
    @notice A fraud proof held (FraudProofs only): undoes the pending report
            and has the Registry take the oracle's role and assignment
            (FraudProofs then has its bond paid to the challenger).
    @param facts The report's facts, checked by FraudProofs.
    @return The report id undone.
    """
    assert msg.sender == fraud_proofs, "reports: caller is not fraud proofs"
    cursor: uint256 = self._cursor[facts.project_id]
    assert (cursor >> _STATUS_SHIFT) & constants.MASK_8 != constants.REPORT_NONE, "reports: no pending report"
    assert keccak256(abi_encode(facts)) == self._pending_hash[facts.project_id], "reports: facts differ from the report"
    self._undo(facts, cursor, UNDONE_FRAUD_PROVEN)
    extcall IRegistry(registry).on_fraud(facts.project_id, facts.oracle)
    return facts.report_id


@external
def claim(token_id: uint256, recipient: address):
    """
    @notice Mints the credits accrued for the caller (a contract that owned
            the project when the reports finalized; it keeps them after a
            project transfer) to `recipient`. Not while paused.
    @param token_id The credit token id (project << 16 | fiscal year).
    @param recipient Who receives them.
    """
    pausable._require_not_paused()
    amount: uint256 = self.claimable[msg.sender][token_id]
    assert amount != 0, "reports: nothing to claim"
    self.claimable[msg.sender][token_id] = 0
    extcall ICarbonCredit(credit).mint(recipient, token_id, amount)
    log CreditsClaimed(token_id=token_id, owner=msg.sender, recipient=recipient, amount=amount)


@external
def pause():
    """
    @notice Stops reporting and minting (PAUSER_ROLE on the Registry).
    """
    self._check_role(_PAUSER_ROLE, "roles: caller is not a pauser")
    pausable._pause()


@external
def unpause():
    """
    @notice Restarts reporting and minting (PAUSER_ROLE on the Registry).
    """
    self._check_role(_PAUSER_ROLE, "roles: caller is not a pauser")
    pausable._unpause()


@external
@view
def challenge_window() -> uint64:
    """
    @notice Challenge window of reports submitted from now on, in seconds.
    @return The window.
    """
    return convert(self._config & constants.MASK_64, uint64)


@external
@view
def report_count() -> uint256:
    """
    @notice Number of reports ever submitted (ids run from 1).
    @return The count.
    """
    return (self._config >> 64) & constants.MASK_64


@external
@view
def next_period_start(project_id: uint256) -> uint64:
    """
    @notice Start of the project's next period (0 before monitoring starts).
    @param project_id The project.
    @return Seconds since epoch.
    """
    return convert(self._cursor[project_id] & constants.MASK_64, uint64)


@external
@view
def monitoring_epoch(project_id: uint256) -> uint16:
    """
    @notice How many times the project restarted monitoring (meter swaps).
    @param project_id The project.
    @return The epoch.
    """
    return convert((self._cursor[project_id] >> _EPOCH_SHIFT) & constants.MASK_16, uint16)


@external
@view
def last_reading(meter: address) -> (uint64, uint256, uint16, uint16):
    """
    @notice A meter's last accepted reading with the registration and
            epoch it belongs to (its baseline only while they are current).
    @param meter The meter.
    @return Timestamp, register Wh, registration count, project epoch.
    """
    last: uint256 = self._last[meter]
    return (
        convert(last & constants.MASK_64, uint64),
        (last >> 64) & constants.MASK_64,
        convert((last >> _REGISTRATION_SHIFT) & constants.MASK_16, uint16),
        convert((last >> _EPOCH_IN_LAST_SHIFT) & constants.MASK_16, uint16),
    )


@external
@view
def pending_report(project_id: uint256) -> IMonitoringReports.PendingReport:
    """
    @notice The project's unfinalized report (status 0 = none).
    @param project_id The project.
    @return The pending report.
    """
    cursor: uint256 = self._cursor[project_id]
    status: uint256 = (cursor >> _STATUS_SHIFT) & constants.MASK_8
    if status == constants.REPORT_NONE:
        return empty(IMonitoringReports.PendingReport)
    disputer: address = empty(address)
    disputed_at: uint64 = 0
    if status == constants.REPORT_DISPUTED:
        disputed: uint256 = self._dispute[project_id]
        disputer = convert(convert(disputed & convert(max_value(uint160), uint256), uint160), address)
        disputed_at = convert(disputed >> 160, uint64)
    return IMonitoringReports.PendingReport(
        status=status,
        report_id=(cursor >> _REPORT_SHIFT) & _MASK_40,
        challenge_deadline=convert((cursor >> _DEADLINE_SHIFT) & constants.MASK_64, uint64),
        facts_hash=self._pending_hash[project_id],
        disputer=disputer,
        disputed_at=disputed_at,
    )


@external
@view
def carry_g(project_id: uint256, fiscal_year: uint16) -> uint256:
    """
    @notice Grams of reduction of the project's fiscal year not yet minted
            (always < 1 t); 0 once the project reported another year, whose
            carry starts afresh: the rest of a closed year is never issued.
    @param project_id The project.
    @param fiscal_year The fiscal year.
    @return The carried grams.
    """
    cursor: uint256 = self._cursor[project_id]
    if (cursor >> _CARRY_YEAR_SHIFT) & constants.MASK_16 != convert(fiscal_year, uint256):
        return 0
    return (cursor >> _CARRY_SHIFT) & _MASK_24


@internal
def _accept(
    project_id: uint256,
    period_start: uint64,
    period_end: uint64,
    merkle_root: bytes32,
    reading: BoundaryReading,
    period: IMonitoringReports.MeterPeriod,
    meter_facts: uint256,
    epoch: uint256,
    separator: bytes32,
    crediting_start: uint64,
) -> IMonitoringReports.MeterPeriod:
    """
    @notice Checks one boundary reading of a meter: its first entry in the
            report is a start reading if the meter has no baseline, else (and
            for the second entry) its end reading, which becomes its last
            reading.
    @param project_id The project.
    @param period_start The period's start.
    @param period_end The period's end.
    @param merkle_root The report's Merkle root.
    @param reading The signed batch ending on the reading, with its proof.
    @param period The meter's period so far (empty before its first entry).
    @param meter_facts The meter's packed facts from the Registry.
    @param epoch The project's epoch.
    @param separator The Registry's EIP-712 domain separator.
    @param crediting_start The project's crediting start.
    @return IMonitoringReports.MeterPeriod The meter's period with the reading.
    """
    meter: address = reading.batch.meter
    ts: uint64 = reading.batch.last_timestamp
    wh: uint256 = reading.batch.last_cumulative_wh
    assert convert(ts, uint256) < (meter_facts >> 8) & constants.MASK_64, "reports: certification expired"
    assert wh <= constants.MASK_64, "reports: register too large"
    meter_signatures._check_reading(separator, project_id, reading.batch)
    assert evidence._in_root(
        reading.proof,
        merkle_root,
        evidence._leaf_hash(meter, reading.batch.first_timestamp, ts, wh, reading.batch.readings_hash),
    ), "reports: batch not in merkle root"
    interval: uint64 = convert((meter_facts >> 72) & convert(max_value(uint32), uint256), uint64)
    result: IMonitoringReports.MeterPeriod = period
    assert result.end_timestamp == 0, "reports: duplicate meter kind"
    if result.meter == empty(address):
        result.meter = meter
        result.kind = meter_facts & constants.MASK_8
        if self._has_baseline(meter, meter_facts, epoch):
            last: uint256 = self._last[meter]
            result.start_timestamp = convert(last & constants.MASK_64, uint64)
            result.start_cumulative_wh = (last >> 64) & constants.MASK_64
        else:
            # A new baseline: its start reading, within one interval before the period start,
            # and never before a reading the meter already reported (under any registration or
            # epoch), so no energy is counted twice.
            assert ts <= period_start and ts + interval > period_start, "reports: start reading outside window"
            assert ts >= crediting_start, "reports: start before crediting"
            assert convert(ts, uint256) >= self._last[meter] & constants.MASK_64, "reports: start before meter's last reading"
            result.start_timestamp = ts
            result.start_cumulative_wh = wh
            result.carried_start = True
            return result
    assert ts <= period_end and ts + interval > period_end, "reports: end reading outside window"
    assert ts > result.start_timestamp, "reports: reading not newer"
    assert wh >= result.start_cumulative_wh, "reports: register backwards"
    result.end_timestamp = ts
    result.end_cumulative_wh = wh
    self._last[meter] = (
        convert(ts, uint256)
        | (wh << 64)
        | (((meter_facts >> 104) & constants.MASK_16) << _REGISTRATION_SHIFT)
        | (epoch << _EPOCH_IN_LAST_SHIFT)
    )
    return result


@internal
def _check_reporter(
    project_id: uint256, fiscal_year: uint16, meters: DynArray[address, _MAX_BOUNDARY_READINGS]
) -> IRegistry.ReportTerms:
    """
    @notice Reverts unless the Registry is launched, the caller is the
            project's oracle and holds ORACLE_ROLE, and the project is
            APPROVED (an assigned oracle always keeps a bond: it cannot
            unbond while assigned).
    @param project_id The project.
    @param fiscal_year The fiscal year whose factor the terms carry.
    @param meters The meters to get facts of.
    @return IRegistry.ReportTerms The project's report terms.
    """
    config: uint256 = self._config
    if config & _LAUNCHED_BIT == 0:
        # Launch is one-way: once seen, it is remembered here.
        assert staticcall IRegistry(registry).launched(), "reports: not launched"
        self._config = config | _LAUNCHED_BIT
    terms: IRegistry.ReportTerms = staticcall IRegistry(registry).report_terms(project_id, fiscal_year, meters)
    assert terms.oracle == msg.sender and msg.sender != empty(address), "reports: not the project oracle"
    assert terms.oracle_has_role, "reports: not an ORACLE_ROLE"
    assert terms.approved, "reports: project not approved"
    return terms


@internal
@view
def _check_no_report(cursor: uint256):
    """
    @notice Reverts while the project has a pending or disputed report.
    @param cursor The project's cursor.
    """
    assert (cursor >> _STATUS_SHIFT) & constants.MASK_8 == constants.REPORT_NONE, "reports: report pending"


@internal
@view
def _check_pending(facts: IMonitoringReports.ReportFacts, disputed: bool) -> uint256:
    """
    @notice Reverts unless `facts` are those of the project's pending
            report and it is disputed (`disputed`) or not.
    @param facts A report's facts.
    @param disputed True to require a disputed report.
    @return uint256 The project's cursor.
    """
    cursor: uint256 = self._cursor[facts.project_id]
    status: uint256 = (cursor >> _STATUS_SHIFT) & constants.MASK_8
    if disputed:
        assert status == constants.REPORT_DISPUTED, "reports: report not disputed"
    else:
        assert status != constants.REPORT_NONE, "reports: no pending report"
        assert status == constants.REPORT_PENDING, "reports: report disputed"
    assert keccak256(abi_encode(facts)) == self._pending_hash[facts.project_id], "reports: facts differ from the report"
    return cursor


@internal
@view
def _check_validator():
    """
    @notice Reverts unless the caller holds VALIDATOR_ROLE on the Registry.
    """
    self._check_role(_VALIDATOR_ROLE, "roles: caller is not a validator")


@internal
@view
def _check_role(role: bytes32, reason: String[40]):
    """
    @notice Reverts with `reason` unless the caller holds `role` on the
            Registry.
    @param role The role.
    @param reason The revert reason.
    """
    if not staticcall IRegistry(registry).has_role(role, msg.sender):
        raise reason


@internal
@view
def _has_baseline(meter: address, meter_facts: uint256, epoch: uint256) -> bool:
    """
    @notice Whether the meter's last accepted reading is its baseline: it was
            accepted under its current registration and the project's
            current epoch.
    @param meter The meter.
    @param meter_facts Its packed facts from the Registry.
    @param epoch The project's epoch.
    @return bool True when it has a baseline.
    """
    last: uint256 = self._last[meter]
    return (
        last != 0
        and (last >> _REGISTRATION_SHIFT) & constants.MASK_16 == (meter_facts >> 104) & constants.MASK_16
        and (last >> _EPOCH_IN_LAST_SHIFT) & constants.MASK_16 == epoch
    )


@internal
def _finalize(facts: IMonitoringReports.ReportFacts, cursor: uint256):
    """
    @notice Clears the pending status and credits the report (the project
            must be APPROVED); a report of an oracle a fraud proof refuted
            elsewhere is undone instead: its bond is gone, so nothing would
            deter a cheat in it.
    @param facts The report's facts (checked).
    @param cursor The project's cursor as read.
    """
    if oracle_bonds._is_slashed(facts.oracle):
        self._undo(facts, cursor, UNDONE_ORACLE_REFUTED)
        return
    approved: bool = False
    owner: address = empty(address)
    approved, owner = staticcall IRegistry(registry).finalize_terms(facts.project_id)
    assert approved, "reports: project not approved"
    token_id: uint256 = (facts.project_id << 16) | convert(facts.fiscal_year, uint256)
    carry: uint256 = 0
    if (cursor >> _CARRY_YEAR_SHIFT) & constants.MASK_16 == convert(facts.fiscal_year, uint256):
        carry = (cursor >> _CARRY_SHIFT) & _MASK_24
    total_g: uint256 = carry + facts.reduction_g
    minted_t: uint256 = total_g // constants.G_PER_T
    carry = total_g % constants.G_PER_T
    self._cursor[facts.project_id] = (
        (cursor & ((1 << _CARRY_YEAR_SHIFT) - 1) & ~(constants.MASK_8 << _STATUS_SHIFT))
        | (convert(facts.fiscal_year, uint256) << _CARRY_YEAR_SHIFT)
        | (carry << _CARRY_SHIFT)
    )
    accrued: bool = False
    if minted_t != 0:
        # A contract owner could refuse ERC-1155 in its receiver hook and so
        # block the project: its credits accrue until it claims them.
        if owner.is_contract:
            self.claimable[owner][token_id] += minted_t
            accrued = True
        else:
            extcall ICarbonCredit(credit).mint(owner, token_id, minted_t)
    log ReportFinalized(
        project_id=facts.project_id,
        report_id=facts.report_id,
        token_id=token_id,
        reduction_g=facts.reduction_g,
        minted_t=minted_t,
        carry_g=carry,
        recipient=owner,
        accrued=accrued,
    )


@internal
def _undo(facts: IMonitoringReports.ReportFacts, cursor: uint256, reason: uint8):
    """
    @notice Undoes the pending report as if never submitted: each meter gets
            its previous baseline back (none, if the report carried it), the
            period can be reported again. A meter whose last reading is no
            longer the report's end reading (revoked and since reported in
            another project) keeps it: its readings up to there are spent.
    @param facts The report's facts (checked).
    @param cursor The project's cursor as read.
    @param reason UNDONE_REJECTED, UNDONE_DISPUTE_EXPIRED,
           UNDONE_FRAUD_PROVEN or UNDONE_ORACLE_REFUTED.
    """
    for period: IMonitoringReports.MeterPeriod in facts.meters:
        if period.meter == empty(address):
            continue
        last: uint256 = self._last[period.meter]
        if last & constants.MASK_64 != convert(period.end_timestamp, uint256):
            continue
        # The start reading again; a carried one without tags, so it is no
        # baseline but still the floor of the meter's next new baseline.
        tags: uint256 = 0
        if not period.carried_start:
            tags = last & ~constants.MASK_128
        self._last[period.meter] = (
            tags | convert(period.start_timestamp, uint256) | (period.start_cumulative_wh << 64)
        )
    self._cursor[facts.project_id] = (
        (cursor & ~((1 << _CARRY_YEAR_SHIFT) - 1))
        | convert(facts.period_start, uint256)
        | (((cursor >> _EPOCH_SHIFT) & constants.MASK_16) << _EPOCH_SHIFT)
    )
    log ReportUndone(project_id=facts.project_id, report_id=facts.report_id, reason=reason)


@internal
@pure
def _with_status(cursor: uint256, status: uint256) -> uint256:
    """
    @notice A cursor with its report status replaced.
    @param cursor A packed cursor.
    @param status `constants.REPORT_*`.
    @return uint256 The new cursor.
    """
    return (cursor & ~(constants.MASK_8 << _STATUS_SHIFT)) | (status << _STATUS_SHIFT)
