# pragma version ~=0.4.3
"""
@title Permissionless fraud proofs against pending reports
@custom:contract-name fraud_proofs
@license MIT
@notice Anyone may prove a pending (or disputed) report wrong before it
        finalizes, with data its meters signed or its oracle committed; each
        proof costs O(log n) gas in the committed data (a Merkle proof, or
        one or two signed batches of readings):

        1. `prove_later_reading`: a signed batch of a meter in the report
           holds a reading after the claimed end reading and not after the
           period end (or, for a start reading the report carried, after it
           and not after the period start): the claimed boundary is not the
           meter's last reading.
        2. `prove_interval`: in a report claiming credits, two signed
           readings of the capacity-checked meter within the period show an
           interval above capacity (or a register going backwards): the
           methodology makes the period void.
        3. `prove_committed_mismatch`: a batch committed in the report's
           Merkle root differs from the batch the meter signed for the same
           time span.
        4. `prove_committed_conflict`: two batches of one meter committed in
           the root overlap in time or their registers go backwards.

        Every proof names the report by its facts (as logged by
        `ReportSubmitted`), which the reports contract checks against the
        hash it keeps. A successful proof has the reports contract undo the
        report (as a validator's rejection does), the oracle's whole bond is
        paid to the challenger and the Registry takes the oracle's role and
        assignment; this module logs `FraudProven`. The period can then be
        reported correctly by another oracle.

        `record_violation` records, for anyone, a meter's signed interval
        above capacity: a void report needs one inside its period (the
        evidence is shown once here, so reports stay cheap). The reports
        contract is found through the Registry (`reports()`), which binds it
        once.
"""

from ..interfaces import IMonitoringReports
from ..interfaces import IOracleBonds
from ..interfaces import IRegistry
from . import constants
from . import evidence
from . import meter_signatures


# @notice Proof kinds in `FraudProven.kind`.
FRAUD_LATER_END_READING: public(constant(uint8)) = 1
FRAUD_LATER_START_READING: public(constant(uint8)) = 2
FRAUD_INTERVAL_ABOVE_CAPACITY: public(constant(uint8)) = 3
FRAUD_COMMITTED_MISMATCH: public(constant(uint8)) = 4
FRAUD_COMMITTED_CONFLICT: public(constant(uint8)) = 5

# @notice The Registry this contract proves reports of.
registry: public(immutable(address))
# @dev Per meter, the last recorded interval above capacity: its project
#      (bits 0-63), first reading's timestamp (64-127), second's (128-191).
_violations: HashMap[address, uint256]


# @notice `challenger` proved report `report_id` wrong (`kind`); `oracle`,
#         who submitted it, lost its bond of `bond` to the challenger.
event FraudProven:
    project_id: indexed(uint256)
    report_id: indexed(uint256)
    challenger: indexed(address)
    kind: uint8
    oracle: address
    bond: uint256


# @notice `meter`'s signed readings at `from_timestamp` and `to_timestamp`
#         show an interval above the project's capacity (or a register going
#         backwards) between them.
event ViolationRecorded:
    project_id: indexed(uint256)
    meter: indexed(address)
    recorder: indexed(address)
    from_timestamp: uint64
    to_timestamp: uint64


@deploy
def __init__(registry_: address):
    """
    @notice Binds the Registry.
    @param registry_ The Registry.
    """
    assert registry_ != empty(address), "reports: zero address"
    registry = registry_


@external
def record_violation(project_id: uint256, proof: evidence.IntervalEvidence):
    """
    @notice Records two signed readings of a meter of the project that show
            an interval above the project's capacity (anyone); a void report
            of a period holding them may then be submitted.
    @param project_id The project.
    @param proof The two readings and their batches.
    """
    assert len(proof.batches) != 0, "reports: no evidence"
    meter: address = proof.batches[0].batch.meter
    terms: IRegistry.ReportTerms = staticcall IRegistry(registry).report_terms(project_id, 0, [meter])
    assert terms.meter_facts[0] != 0, "reports: meter not of project"
    ts_a: uint256 = 0
    ts_b: uint256 = 0
    violated: bool = False
    violated, ts_a, ts_b = evidence._interval_violated(
        meter_signatures._domain_separator(registry), project_id, meter, 0, max_value(uint256), terms.capacity_w, proof
    )
    assert violated, "reports: no interval above capacity"
    self._violations[meter] = project_id | (ts_a << 64) | (ts_b << 128)
    log ViolationRecorded(
        project_id=project_id,
        meter=meter,
        recorder=msg.sender,
        from_timestamp=convert(ts_a, uint64),
        to_timestamp=convert(ts_b, uint64),
    )


@external
@view
def violation_within(project_id: uint256, meter: address, from_ts: uint64, to_ts: uint64) -> bool:
    """
    @notice Whether the meter's recorded interval above capacity is of the
            project and lies within [from_ts, to_ts].
    @param project_id The project.
    @param meter The meter.
    @param from_ts Earliest timestamp.
    @param to_ts Latest timestamp.
    @return True when it does.
    """
    recorded: uint256 = self._violations[meter]
    return (
        recorded != 0
        and recorded & constants.MASK_64 == project_id
        and (recorded >> 64) & constants.MASK_64 >= convert(from_ts, uint256)
        and recorded >> 128 <= convert(to_ts, uint256)
    )


@external
def prove_later_reading(facts: IMonitoringReports.ReportFacts, data: evidence.BatchData, index: uint256):
    """
    @notice Proves that a boundary reading of the pending report is not the
            meter's last one: reading `index` of the signed batch `data` is
            later than the claimed end reading and not after the period end,
            or later than a start reading the report carried and not after
            the period start.
    @param facts The report's facts.
    @param data A batch of a meter in the report, signed for the project,
           with its readings.
    @param index Position of the later reading in the batch.
    """
    reports: address = self._check_challengeable(facts)
    period: IMonitoringReports.MeterPeriod = self._meter_period(facts, data.batch.meter)
    evidence._check_batch(meter_signatures._domain_separator(registry), facts.project_id, data)
    ts: uint256 = 0
    wh: uint256 = 0
    ts, wh = evidence._reading(data, index)
    if ts > convert(period.end_timestamp, uint256) and ts <= convert(facts.period_end, uint256):
        self._refute(reports, facts, FRAUD_LATER_END_READING)
        return
    assert (
        period.carried_start
        and ts > convert(period.start_timestamp, uint256)
        and ts <= convert(facts.period_start, uint256)
    ), "reports: no later reading"
    self._refute(reports, facts, FRAUD_LATER_START_READING)


@external
def prove_interval(facts: IMonitoringReports.ReportFacts, proof: evidence.IntervalEvidence):
    """
    @notice Proves that a report claiming credits covers an interval above
            capacity: two signed readings of the capacity-checked meter
            (generation, or self-consumption without a generation meter),
            within the meter's readings of the period.
    @param facts The report's facts.
    @param proof The two readings and their batches.
    """
    reports: address = self._check_challengeable(facts)
    assert not facts.void, "reports: report is void"
    # The capacity-checked meter: generation (first when present), else self-consumption.
    period: IMonitoringReports.MeterPeriod = facts.meters[0]
    if period.kind != constants.GENERATION:
        for other: IMonitoringReports.MeterPeriod in facts.meters:
            if other.kind == constants.SELF_CONSUMPTION:
                period = other
    terms: IRegistry.ReportTerms = staticcall IRegistry(registry).report_terms(facts.project_id, 0, [])
    violated: bool = False
    ts_a: uint256 = 0
    ts_b: uint256 = 0
    violated, ts_a, ts_b = evidence._interval_violated(
        meter_signatures._domain_separator(registry),
        facts.project_id,
        period.meter,
        convert(period.start_timestamp, uint256),
        convert(period.end_timestamp, uint256),
        terms.capacity_w,
        proof,
    )
    assert violated, "reports: no interval above capacity"
    self._refute(reports, facts, FRAUD_INTERVAL_ABOVE_CAPACITY)


@external
def prove_committed_mismatch(
    facts: IMonitoringReports.ReportFacts,
    leaf: evidence.Leaf,
    proof: DynArray[bytes32, evidence.MAX_PROOF_DEPTH],
    signed: meter_signatures.SignedReading,
):
    """
    @notice Proves that the report's Merkle root commits a batch the meter
            did not sign: `leaf` is in the root, `signed` is the meter's
            signed batch for the same time span, and they differ.
    @param facts The report's facts.
    @param leaf The committed batch's fields.
    @param proof Its Merkle proof.
    @param signed The meter's signed batch for the same span.
    """
    reports: address = self._check_challengeable(facts)
    self._meter_period(facts, leaf.meter)
    self._check_committed(facts, leaf, proof)
    meter_signatures._check_reading(meter_signatures._domain_separator(registry), facts.project_id, signed)
    assert (
        signed.meter == leaf.meter
        and signed.first_timestamp == leaf.first_timestamp
        and signed.last_timestamp == leaf.last_timestamp
    ), "reports: not the same batch"
    assert (
        signed.last_cumulative_wh != leaf.last_cumulative_wh or signed.readings_hash != leaf.readings_hash
    ), "reports: committed batch is as signed"
    self._refute(reports, facts, FRAUD_COMMITTED_MISMATCH)


@external
def prove_committed_conflict(
    facts: IMonitoringReports.ReportFacts,
    first: evidence.Leaf,
    first_proof: DynArray[bytes32, evidence.MAX_PROOF_DEPTH],
    second: evidence.Leaf,
    second_proof: DynArray[bytes32, evidence.MAX_PROOF_DEPTH],
):
    """
    @notice Proves that the report's Merkle root commits two batches of one
            meter that cannot both be true: their time spans overlap, or the
            later one ends on a lower register.
    @param facts The report's facts.
    @param first One committed batch (the earlier-ending one).
    @param first_proof Its Merkle proof.
    @param second The other committed batch.
    @param second_proof Its Merkle proof.
    """
    reports: address = self._check_challengeable(facts)
    self._meter_period(facts, first.meter)
    first_leaf: bytes32 = self._check_committed(facts, first, first_proof)
    second_leaf: bytes32 = self._check_committed(facts, second, second_proof)
    assert first.meter == second.meter, "reports: batches of two meters"
    assert first_leaf != second_leaf, "reports: the same batch"
    assert first.last_timestamp <= second.last_timestamp, "reports: batches out of order"
    overlap: bool = second.first_timestamp <= first.last_timestamp
    backwards: bool = (
        first.last_timestamp < second.last_timestamp and second.last_cumulative_wh < first.last_cumulative_wh
    )
    assert overlap or backwards, "reports: batches do not conflict"
    self._refute(reports, facts, FRAUD_COMMITTED_CONFLICT)


@internal
@view
def _check_challengeable(facts: IMonitoringReports.ReportFacts) -> address:
    """
    @notice Reverts unless `facts` are the project's pending report and it
            may still be challenged: inside its window, or disputed.
    @param facts The report's facts.
    @return address The reports contract.
    """
    reports: address = staticcall IRegistry(registry).reports()
    pending: IMonitoringReports.PendingReport = staticcall IMonitoringReports(reports).pending_report(
        facts.project_id
    )
    assert pending.status != constants.REPORT_NONE, "reports: no pending report"
    assert keccak256(abi_encode(facts)) == pending.facts_hash, "reports: facts differ from the report"
    assert (
        pending.status == constants.REPORT_DISPUTED or block.timestamp < convert(facts.challenge_deadline, uint256)
    ), "reports: challenge window over"
    return reports


@internal
@pure
def _meter_period(facts: IMonitoringReports.ReportFacts, meter: address) -> IMonitoringReports.MeterPeriod:
    """
    @notice The meter's period in the report; reverts if it took no part.
    @param facts The report's facts.
    @param meter The meter.
    @return IMonitoringReports.MeterPeriod Its period.
    """
    for period: IMonitoringReports.MeterPeriod in facts.meters:
        if period.meter == meter and meter != empty(address):
            return period
    raise "reports: meter not in report"


@internal
@pure
def _check_committed(
    facts: IMonitoringReports.ReportFacts, leaf: evidence.Leaf, proof: DynArray[bytes32, evidence.MAX_PROOF_DEPTH]
) -> bytes32:
    """
    @notice Reverts unless `leaf` is in the report's Merkle root.
    @param facts The report's facts.
    @param leaf The committed batch's fields.
    @param proof Its Merkle proof.
    @return bytes32 The leaf's hash.
    """
    leaf_hash: bytes32 = evidence._leaf_hash(
        leaf.meter, leaf.first_timestamp, leaf.last_timestamp, leaf.last_cumulative_wh, leaf.readings_hash
    )
    assert evidence._in_root(proof, facts.merkle_root, leaf_hash), "reports: batch not in merkle root"
    return leaf_hash


@internal
def _refute(reports: address, facts: IMonitoringReports.ReportFacts, kind: uint8):
    """
    @notice Has the reports contract undo the report and the Registry take
            the oracle's role and assignment, pays the oracle's bond to the
            caller, and logs the proof.
    @param reports The reports contract.
    @param facts The report's facts.
    @param kind The proof kind.
    """
    extcall IMonitoringReports(reports).refute(facts)
    bond: uint256 = extcall IOracleBonds(reports).slash(facts.oracle, msg.sender)
    log FraudProven(
        project_id=facts.project_id,
        report_id=facts.report_id,
        challenger=msg.sender,
        kind=kind,
        oracle=facts.oracle,
        bond=bond,
    )
