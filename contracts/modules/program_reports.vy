# pragma version ~=0.4.3
"""
@title Program reports: submit, challenge window, data demands, refute, finalize
@custom:contract-name program_reports
@license MIT
@notice One report per program and month commits every member's result in
        a Merkle-sum tree (`program_tree`): `submit_report` is O(1) whatever
        the member count and stores only the hash of the report's facts
        (`IPrograms.ProgramReport`, logged in full); whoever finalizes,
        demands, answers, expires or proves passes the facts back.

        Within the challenge window anyone may demand a member's data
        (`demand_member`, one `demand_bond`); the data must be posted
        (`respond`) within `RESPONSE_SECONDS` or anyone `expire_demand`s it,
        which undoes the report as data withheld (the report bond and the
        demand bond to the demander, the oracle slashed). The bound proof
        contracts (MemberProofs, ProgramProofs) `refute` a report a proof
        shows wrong (the bond to the challenger, the oracle slashed, maybe
        the enrollment root refuted). Undoing moves the program's cursor
        back to the report's period start: the period can be reported again.

        After the window, with no open demand, anyone finalizes: the carry
        plus the report's total splits into whole t-CO2 minted to the
        payout address as token (program_id << 16) | fiscal_year and grams
        carried to the next report of the year; the bond goes back to the
        oracle; `finalized_report(report_id)` keeps the hash later cap
        proofs check.

        Money: every wei the contract holds is a pending report's bond, an
        open demand's bond (of a pending or an undone report) or owed to an
        address whose payment failed (`owed`, `withdraw`). Payments go out
        after every state change, with `_PAY_GAS` gas: a receiver that
        refuses or needs more gas is owed instead, so no receiver can block
        a finalization, a proof or an expiry. Every function that pays or
        calls out holds the reentrancy lock except `submit_report` (it only
        reads other contracts) and `finalize` (its mint hook and payment
        come after its last state write, and it is the gas-critical path).

        Pause policy: `submit_report` and `finalize` stop; demands, answers,
        expiries, reclaims, withdrawals and proofs stay open, so a bad report
        can still be stopped and an honest oracle can answer a demand and
        keep its bond during a pause.
"""

from snekmate.utils import pausable
from ..interfaces import ICarbonCredit
from ..interfaces import IMonitoringReports
from ..interfaces import IPrograms
from . import constants
from . import jst_calendar
from . import program_registry
from . import program_tree

uses: pausable
uses: program_registry


# @dev A fiscal year's emission factor as the Registry returns it (`factor_table.EmissionFactor`).
struct EmissionFactor:
    factor_g_per_mwh: uint256
    starts_at: uint64
    ends_at: uint64
    locked: bool
    scheduled_factor_g_per_mwh: uint256
    scheduled_eta: uint64


# @dev What submit reads on the Registry besides roles.
interface IFactorRegistry:
    def emission_factors(fiscal_year: uint16) -> EmissionFactor: view


# @notice Time the program's oracle (or anyone) has to answer a data demand.
RESPONSE_SECONDS: public(constant(uint64)) = 6 * 3600
# @notice Why a report was undone (`ReportUndone.reason`).
UNDONE_FRAUD_PROVEN: public(constant(uint8)) = 1
UNDONE_DATA_WITHHELD: public(constant(uint8)) = 2
# @notice State of a data demand (`demands`): open, answered, expired
#         (the report undone for it), reclaimed (its report undone otherwise).
DEMAND_OPEN: public(constant(uint256)) = 1
DEMAND_ANSWERED: public(constant(uint256)) = 2
DEMAND_EXPIRED: public(constant(uint256)) = 3
DEMAND_RECLAIMED: public(constant(uint256)) = 4
# @notice Highest proof kind (docs/programs.md, kinds 1-9).
MAX_PROOF_KIND: public(constant(uint256)) = 9

# Cursor bits (see `program_registry._cursor`).
_STATUS_SHIFT: constant(uint256) = 64
_DEMANDS_SHIFT: constant(uint256) = 72
_DEADLINE_SHIFT: constant(uint256) = 104
_REPORT_SHIFT: constant(uint256) = 168
_CARRY_YEAR_SHIFT: constant(uint256) = 208
_CARRY_SHIFT: constant(uint256) = 224
_REPORT_PENDING: constant(uint256) = 1
_MASK_24: constant(uint256) = 2**24 - 1
_MASK_32: constant(uint256) = 2**32 - 1
_MASK_40: constant(uint256) = 2**40 - 1
_MASK_160: constant(uint256) = 2**160 - 1
# Bits below the carry: what a finalization or an undo resets.
_BELOW_CARRY: constant(uint256) = (1 << _CARRY_YEAR_SHIFT) - 1
# Demand bits: demander 0-159, deadline 160-223, state 224-231.
_D_DEADLINE_SHIFT: constant(uint256) = 160
_D_STATE_SHIFT: constant(uint256) = 224
# `_finalized` of an undone report (no keccak256 output is 1).
_UNDONE: constant(bytes32) = 0x0000000000000000000000000000000000000000000000000000000000000001
# Gas a payment gets; a receiver needing more is owed instead.
_PAY_GAS: constant(uint256) = 30000
_MAX_METERS: constant(uint256) = program_tree.MAX_MEMBER_METERS
_MAX_DEPTH: constant(uint256) = program_tree.MAX_TREE_DEPTH


# @notice Least report bond, in wei (`submit_report`'s `msg.value`).
MIN_REPORT_BOND: public(immutable(uint256))
# @notice The exact bond of a data demand, in wei.
DEMAND_BOND: public(immutable(uint256))
# @notice Wei owed to an address whose payment failed (see `withdraw`).
owed: public(HashMap[address, uint256])
# @dev Per program: keccak256(abi_encode(facts)) of its last submitted
#      report; the pending one while the cursor's status says so (not
#      cleared on finalization, so the next submit rewrites a warm value).
_pending: HashMap[uint256, bytes32]
# @dev Per report id: keccak256(abi_encode(program_id, fiscal_year,
#      sum_root, depth)) once finalized; `_UNDONE` once undone.
_finalized: HashMap[uint256, bytes32]
# @dev Per report id and position: the demand (layout: see `_D_DEADLINE_SHIFT`).
_demands: HashMap[uint256, HashMap[uint256, uint256]]


# @notice A program report passed the O(1) checks and waits for its window;
#         `facts` is everything it claims (pass it back to finalize,
#         demand, answer, expire or prove).
event ProgramReportSubmitted:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    fiscal_year: indexed(uint16)
    facts: IPrograms.ProgramReport
    data_uri: String[128]


# @notice A program report finalized: `minted_t` credits of `token_id` went
#         to `payout`, `carry_g` grams wait for the next report of the year.
event ProgramReportFinalized:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    token_id: indexed(uint256)
    total_g: uint256
    minted_t: uint256
    carry_g: uint256
    payout: address


# @notice A pending report was undone (`reason` 1 fraud proven, 2 data
#         withheld); its bond went to `by`; the period can be reported again.
event ReportUndone:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    reason: uint8
    by: address


# @notice A proof of `kind` (docs/programs.md) by `challenger` held.
event ProgramFraudProven:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    kind: uint256
    challenger: indexed(address)


# @notice `demander` asked for the data of the member at `position`, to be
#         posted before `deadline`.
event MemberDataDemanded:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    position: uint256
    demander: indexed(address)
    deadline: uint64


# @notice The data of the member at `position`, checked against the sum
#         root and the enrollment root: the leaf is `result`, its meters'
#         enrollment leaves `enrolled` (at `result.meters[i].enrollment_index`).
event MemberDataPosted:
    program_id: indexed(uint256)
    report_id: indexed(uint256)
    position: uint256
    responder: indexed(address)
    result: program_tree.MemberResult
    enrolled: DynArray[program_tree.EnrolledMeter, _MAX_METERS]


# @notice Nobody answered the demand in time: its report was undone.
event DemandExpired:
    report_id: indexed(uint256)
    position: uint256
    demander: indexed(address)


# @notice The demand's report was undone for another reason: its bond went back.
event DemandReclaimed:
    report_id: indexed(uint256)
    position: uint256
    demander: indexed(address)


# @notice A payment of `amount` to `to` failed: it is owed (see `withdraw`).
event PaymentOwed:
    to: indexed(address)
    amount: uint256


# @notice `to` withdrew `amount` it was owed.
event OwedWithdrawn:
    to: indexed(address)
    amount: uint256


@deploy
def __init__(min_report_bond: uint256, demand_bond: uint256):
    """
    @notice Sets the bonds.
    @param min_report_bond Least bond of a report, in wei (> 0).
    @param demand_bond Bond of a data demand, in wei (> 0).
    """
    assert min_report_bond != 0 and demand_bond != 0, "programs: zero bond"
    MIN_REPORT_BOND = min_report_bond
    DEMAND_BOND = demand_bond


@external
@payable
def submit_report(
    program_id: uint256,
    period_end: uint64,
    fiscal_year: uint16,
    member_count: uint256,
    root_node: program_tree.SumNode,
    data_uri: String[128],
) -> uint256:
    """
    @notice Submits the program's report of [cursor, period_end) (its
            oracle; `msg.value` is the bond). O(1): only the facts' hash is
            stored. Not while paused.
    @param program_id The program (approved, with an approved current root).
    @param period_end End of the period (exclusive), over, in `fiscal_year`.
    @param fiscal_year The JST fiscal year the whole period lies in.
    @param member_count Leaves of the sum tree (1 .. enrollment count).
    @param root_node The sum tree's root node (its sums add to the total).
    @param data_uri Where the member results are published.
    @return uint256 The report id.
    """
    pausable._require_not_paused()
    head: uint256 = program_registry._head[program_id]
    assert head & _MASK_160 == convert(convert(msg.sender, uint160), uint256), "programs: not the program oracle"
    assert (
        (head >> program_registry._STATUS_SHIFT) & constants.MASK_8 == program_registry.PROGRAM_APPROVED
    ), "programs: program not approved"
    assert not program_registry.is_slashed[msg.sender], "programs: oracle slashed"
    program_registry._check_role(program_registry.ORACLE_ROLE)
    assert msg.value >= MIN_REPORT_BOND, "programs: bond too small"
    cursor: uint256 = program_registry._cursor[program_id]
    assert (cursor >> _STATUS_SHIFT) & constants.MASK_8 == 0, "programs: report pending"
    period_start: uint64 = convert(cursor & constants.MASK_64, uint64)
    assert period_end > period_start, "programs: period end <= start"
    assert convert(period_end, uint256) <= block.timestamp, "programs: period not over"
    assert (
        period_start >= jst_calendar._fiscal_year_start(fiscal_year)
        and period_end <= jst_calendar._fiscal_year_start(fiscal_year + 1)
    ), "programs: outside fiscal year"
    current: uint256 = (head >> program_registry._CURRENT_SHIFT) & _MASK_32
    assert current != 0, "programs: no approved enrollment"
    info: uint256 = program_registry._enrollment_info[program_id][current - 1]
    assert (
        (info >> program_registry._E_STATUS_SHIFT) & constants.MASK_8 == program_registry.ENROLLMENT_APPROVED
    ), "programs: enrollment refuted"
    enrollment_count: uint256 = info & _MASK_32
    assert member_count != 0 and member_count <= enrollment_count, "programs: bad member count"
    total_g: uint256 = root_node.left_sum + root_node.right_sum
    assert total_g <= constants.MASK_128, "programs: total too large"
    factor: uint256 = (staticcall IFactorRegistry(program_registry.REGISTRY).emission_factors(fiscal_year)).factor_g_per_mwh
    assert factor != 0, "programs: no emission factor"

    config: uint256 = program_registry._config
    report_id: uint256 = ((config >> program_registry._REPORTS_SHIFT) & constants.MASK_64) + 1
    assert report_id <= _MASK_40, "programs: too many reports"
    deadline: uint256 = block.timestamp + (config >> program_registry._WINDOW_SHIFT)
    facts: IPrograms.ProgramReport = IPrograms.ProgramReport(
        program_id=program_id,
        report_id=report_id,
        period_start=period_start,
        period_end=period_end,
        fiscal_year=fiscal_year,
        enrollment_index=current - 1,
        enrollment_root=program_registry._enrollment_root[program_id][current - 1],
        enrollment_count=enrollment_count,
        enrollment_approved_at=convert((info >> program_registry._E_APPROVED_SHIFT) & constants.MASK_64, uint64),
        member_count=member_count,
        depth=max(program_tree._depth(member_count), 1),
        sum_root=program_tree._node_hash(root_node),
        total_g=total_g,
        factor_g_per_mwh=factor,
        cap_g=((head >> program_registry._CAP_SHIFT) & program_registry._MASK_48) * constants.G_PER_T,
        oracle=msg.sender,
        bond=msg.value,
        challenge_deadline=convert(deadline, uint64),
    )
    program_registry._config = (config & ~(constants.MASK_64 << program_registry._REPORTS_SHIFT)) | (
        report_id << program_registry._REPORTS_SHIFT
    )
    program_registry._cursor[program_id] = (
        (cursor & ~_BELOW_CARRY)
        | convert(period_end, uint256)
        | (_REPORT_PENDING << _STATUS_SHIFT)
        | (deadline << _DEADLINE_SHIFT)
        | (report_id << _REPORT_SHIFT)
    )
    self._pending[program_id] = keccak256(abi_encode(facts))
    log ProgramReportSubmitted(program_id=program_id, report_id=report_id, fiscal_year=fiscal_year, facts=facts, data_uri=data_uri)
    return report_id


@external
def finalize(facts: IPrograms.ProgramReport):
    """
    @notice Finalizes the program's pending report after its challenge
            window, with no open data demand (anyone; not while paused):
            whole t-CO2 to the payout address, the bond back to the oracle.
    @param facts The report's facts, as logged by `ProgramReportSubmitted`.
    """
    pausable._require_not_paused()
    cursor: uint256 = self._check_facts(facts)
    assert block.timestamp >= convert(facts.challenge_deadline, uint256), "programs: challenge window open"
    assert (cursor >> _DEMANDS_SHIFT) & _MASK_32 == 0, "programs: demand open"
    carry: uint256 = 0
    if (cursor >> _CARRY_YEAR_SHIFT) & constants.MASK_16 == convert(facts.fiscal_year, uint256):
        carry = (cursor >> _CARRY_SHIFT) & _MASK_24
    total_g: uint256 = carry + facts.total_g
    minted_t: uint256 = total_g // constants.G_PER_T
    carry = total_g % constants.G_PER_T
    program_registry._cursor[facts.program_id] = (
        (cursor & constants.MASK_64)
        | (convert(facts.fiscal_year, uint256) << _CARRY_YEAR_SHIFT)
        | (carry << _CARRY_SHIFT)
    )
    self._finalized[facts.report_id] = keccak256(
        abi_encode(facts.program_id, facts.fiscal_year, facts.sum_root, facts.depth)
    )
    token_id: uint256 = (facts.program_id << 16) | convert(facts.fiscal_year, uint256)
    payout: address = program_registry._payout[facts.program_id]
    log ProgramReportFinalized(
        program_id=facts.program_id,
        report_id=facts.report_id,
        token_id=token_id,
        total_g=facts.total_g,
        minted_t=minted_t,
        carry_g=carry,
        payout=payout,
    )
    if minted_t != 0:
        credit: address = convert(convert(program_registry._config & _MASK_160, uint160), address)
        extcall ICarbonCredit(credit).mint(payout, token_id, minted_t)
    self._pay(facts.oracle, facts.bond)


@external
@payable
@nonreentrant
def demand_member(facts: IPrograms.ProgramReport, position: uint256):
    """
    @notice Demands the data of the member at `position` of the pending
            report, inside its challenge window (anyone; `msg.value` is
            exactly `DEMAND_BOND`; once per report and position).
    @param facts The report's facts.
    @param position A leaf position below `member_count`.
    """
    cursor: uint256 = self._check_facts(facts)
    assert msg.value == DEMAND_BOND, "programs: wrong demand bond"
    assert block.timestamp < convert(facts.challenge_deadline, uint256), "programs: challenge window over"
    assert position < facts.member_count, "programs: position out of range"
    assert self._demands[facts.report_id][position] == 0, "programs: already demanded"
    deadline: uint256 = block.timestamp + convert(RESPONSE_SECONDS, uint256)
    self._demands[facts.report_id][position] = (
        convert(convert(msg.sender, uint160), uint256) | (deadline << _D_DEADLINE_SHIFT) | (DEMAND_OPEN << _D_STATE_SHIFT)
    )
    program_registry._cursor[facts.program_id] = cursor + (1 << _DEMANDS_SHIFT)
    log MemberDataDemanded(
        program_id=facts.program_id,
        report_id=facts.report_id,
        position=position,
        demander=msg.sender,
        deadline=convert(deadline, uint64),
    )


@external
@nonreentrant
def respond(
    facts: IPrograms.ProgramReport,
    position: uint256,
    path: DynArray[program_tree.SumNode, _MAX_DEPTH],
    result: program_tree.MemberResult,
    enrolled: DynArray[program_tree.EnrolledMeter, _MAX_METERS],
    enrollment_proofs: DynArray[DynArray[bytes32, _MAX_DEPTH], _MAX_METERS],
):
    """
    @notice Answers an open demand before its deadline (anyone; also while
            paused): the leaf at `position` is `result` under the sum root,
            and each of its meters' enrollment leaves is in the report's
            enrollment root at its `enrollment_index` (< enrollment count).
            Logs the data (`MemberDataPosted`); the demand bond goes to the
            caller.
    @param facts The report's facts.
    @param position The demanded position.
    @param path The sum-tree nodes from the root to the leaf's parent.
    @param result The member's result (the leaf).
    @param enrolled One enrollment leaf per meter of `result`, in order.
    @param enrollment_proofs Each leaf's siblings, bottom up.
    """
    cursor: uint256 = self._check_facts(facts)
    demand: uint256 = self._open_demand(facts.report_id, position)
    assert block.timestamp < demand >> _D_DEADLINE_SHIFT & constants.MASK_64, "programs: demand expired"
    leaf: bytes32 = empty(bytes32)
    claimed: uint256 = 0
    leaf, claimed = program_tree._leaf_at(facts.sum_root, facts.depth, position, path)
    assert leaf == program_tree._member_leaf_hash(result), "programs: result not in the report"
    assert (
        len(enrolled) == len(result.meters) and len(enrollment_proofs) == len(enrolled)
    ), "programs: one enrollment leaf per meter"
    enrollment_depth: uint256 = program_tree._depth(facts.enrollment_count)
    for i: uint256 in range(_MAX_METERS):
        if i >= len(enrolled):
            break
        index: uint256 = result.meters[i].enrollment_index
        assert index < facts.enrollment_count, "programs: enrollment index out of range"
        assert len(enrollment_proofs[i]) == enrollment_depth, "programs: enrollment proof length"
        assert program_tree._enrollment_root(
            program_tree._enrollment_leaf_hash(enrolled[i]), index, enrollment_proofs[i]
        ) == facts.enrollment_root, "programs: leaf not in the enrollment"
    self._demands[facts.report_id][position] = (demand & ~(constants.MASK_8 << _D_STATE_SHIFT)) | (
        DEMAND_ANSWERED << _D_STATE_SHIFT
    )
    program_registry._cursor[facts.program_id] = cursor - (1 << _DEMANDS_SHIFT)
    log MemberDataPosted(
        program_id=facts.program_id,
        report_id=facts.report_id,
        position=position,
        responder=msg.sender,
        result=result,
        enrolled=enrolled,
    )
    self._pay(msg.sender, DEMAND_BOND)


@external
@nonreentrant
def expire_demand(facts: IPrograms.ProgramReport, position: uint256):
    """
    @notice Undoes the pending report as data withheld once an open demand
            on it passed its deadline unanswered (anyone): the report bond
            and the demand bond go to the demander, the oracle is slashed.
    @param facts The report's facts.
    @param position The demanded position.
    """
    cursor: uint256 = self._check_facts(facts)
    demand: uint256 = self._open_demand(facts.report_id, position)
    assert block.timestamp >= demand >> _D_DEADLINE_SHIFT & constants.MASK_64, "programs: demand not expired"
    demander: address = convert(convert(demand & _MASK_160, uint160), address)
    self._demands[facts.report_id][position] = (demand & ~(constants.MASK_8 << _D_STATE_SHIFT)) | (
        DEMAND_EXPIRED << _D_STATE_SHIFT
    )
    log DemandExpired(report_id=facts.report_id, position=position, demander=demander)
    self._undo(facts, cursor, UNDONE_DATA_WITHHELD, demander)
    self._pay(demander, facts.bond + DEMAND_BOND)


@external
@nonreentrant
def reclaim_demand(report_id: uint256, position: uint256):
    """
    @notice Returns the bond of a demand still open on a report that was
            undone for another reason (a proof, another expired demand) to
            its demander (anyone).
    @param report_id The undone report.
    @param position The demanded position.
    """
    demand: uint256 = self._open_demand(report_id, position)
    assert self._finalized[report_id] == _UNDONE, "programs: report not undone"
    demander: address = convert(convert(demand & _MASK_160, uint160), address)
    self._demands[report_id][position] = (demand & ~(constants.MASK_8 << _D_STATE_SHIFT)) | (
        DEMAND_RECLAIMED << _D_STATE_SHIFT
    )
    log DemandReclaimed(report_id=report_id, position=position, demander=demander)
    self._pay(demander, DEMAND_BOND)


@external
@nonreentrant
def refute(facts: IPrograms.ProgramReport, kind: uint256, challenger: address, refute_enrollment: bool):
    """
    @notice Undoes the pending report on a proof of `kind` by `challenger`
            (the bound MemberProofs or ProgramProofs only), while proofs may
            be sent (`check_pending`): the bond goes to the challenger, the
            oracle is unassigned and slashed, and with `refute_enrollment`
            the report's enrollment root is refuted.
    @param facts The report's facts.
    @param kind The proof kind (1-9).
    @param challenger Who proved it (paid the bond).
    @param refute_enrollment True for proofs against the enrollment (7-9).
    """
    assert (
        msg.sender == program_registry.member_proofs or msg.sender == program_registry.program_proofs
    ) and msg.sender != empty(address), "programs: caller is not a proof contract"
    assert kind != 0 and kind <= MAX_PROOF_KIND, "programs: unknown proof kind"
    cursor: uint256 = self._check_facts(facts)
    self._check_open(facts, cursor)
    log ProgramFraudProven(program_id=facts.program_id, report_id=facts.report_id, kind=kind, challenger=challenger)
    self._undo(facts, cursor, UNDONE_FRAUD_PROVEN, challenger)
    if refute_enrollment:
        program_registry._refute_enrollment(facts.program_id, facts.enrollment_index)
    self._pay(challenger, facts.bond)


@external
@nonreentrant
def withdraw():
    """
    @notice Sends the caller what it is owed (a payment to it failed).
    """
    amount: uint256 = self.owed[msg.sender]
    assert amount != 0, "programs: nothing owed"
    self.owed[msg.sender] = 0
    log OwedWithdrawn(to=msg.sender, amount=amount)
    raw_call(msg.sender, b"", value=amount)


@external
@view
def check_pending(facts: IPrograms.ProgramReport) -> bool:
    """
    @notice True when `facts` is the program's pending report and proofs may
            still be sent (before its challenge deadline, or while a data
            demand on it is open); reverts with a reason otherwise.
    @param facts The report's facts.
    @return bool True.
    """
    self._check_open(facts, self._check_facts(facts))
    return True


@external
@view
def finalized_report(report_id: uint256) -> bytes32:
    """
    @notice keccak256(abi_encode(program_id, fiscal_year, sum_root, depth))
            of a finalized report (zero otherwise), for cap proofs.
    @param report_id The report.
    @return bytes32 The hash.
    """
    value: bytes32 = self._finalized[report_id]
    if value == _UNDONE:
        return empty(bytes32)
    return value


@external
@view
def pending_report(program_id: uint256) -> IMonitoringReports.PendingReport:
    """
    @notice The program's unfinalized report (status 0 = none), in the
            shape CarbonCredit's certification rounds read.
    @param program_id The program.
    @return IMonitoringReports.PendingReport Status, report id, deadline, facts hash.
    """
    cursor: uint256 = program_registry._cursor[program_id]
    status: uint256 = (cursor >> _STATUS_SHIFT) & constants.MASK_8
    if status == 0:
        return empty(IMonitoringReports.PendingReport)
    return IMonitoringReports.PendingReport(
        status=status,
        report_id=(cursor >> _REPORT_SHIFT) & _MASK_40,
        challenge_deadline=convert((cursor >> _DEADLINE_SHIFT) & constants.MASK_64, uint64),
        facts_hash=self._pending[program_id],
        disputer=empty(address),
        disputed_at=0,
    )


@external
@view
def open_demands(program_id: uint256) -> uint256:
    """
    @notice Open data demands on the program's pending report.
    @param program_id The program.
    @return uint256 The count.
    """
    return (program_registry._cursor[program_id] >> _DEMANDS_SHIFT) & _MASK_32


@external
@view
def demands(report_id: uint256, position: uint256) -> (address, uint64, uint256):
    """
    @notice A data demand (all zero when none).
    @param report_id The report.
    @param position The position.
    @return address The demander.
    @return uint64 Its deadline.
    @return uint256 Its state (`DEMAND_*`).
    """
    demand: uint256 = self._demands[report_id][position]
    return (
        convert(convert(demand & _MASK_160, uint160), address),
        convert((demand >> _D_DEADLINE_SHIFT) & constants.MASK_64, uint64),
        (demand >> _D_STATE_SHIFT) & constants.MASK_8,
    )


@external
@view
def carry_g(program_id: uint256, fiscal_year: uint16) -> uint256:
    """
    @notice Grams of the program's fiscal year not yet minted (< 1 t); 0
            once the program finalized a report of another year.
    @param program_id The program.
    @param fiscal_year The fiscal year.
    @return uint256 The carried grams.
    """
    cursor: uint256 = program_registry._cursor[program_id]
    if (cursor >> _CARRY_YEAR_SHIFT) & constants.MASK_16 != convert(fiscal_year, uint256):
        return 0
    return (cursor >> _CARRY_SHIFT) & _MASK_24


@internal
@view
def _check_facts(facts: IPrograms.ProgramReport) -> uint256:
    """
    @notice Reverts unless `facts` are the program's pending report.
    @param facts A report's facts.
    @return uint256 The program's cursor.
    """
    cursor: uint256 = program_registry._cursor[facts.program_id]
    assert (cursor >> _STATUS_SHIFT) & constants.MASK_8 == _REPORT_PENDING, "programs: no pending report"
    assert keccak256(abi_encode(facts)) == self._pending[facts.program_id], "programs: facts differ from the report"
    return cursor


@internal
@view
def _check_open(facts: IPrograms.ProgramReport, cursor: uint256):
    """
    @notice Reverts once proofs are closed: the challenge deadline passed
            and no demand is open.
    @param facts The pending report's facts.
    @param cursor The program's cursor.
    """
    assert (
        block.timestamp < convert(facts.challenge_deadline, uint256) or (cursor >> _DEMANDS_SHIFT) & _MASK_32 != 0
    ), "programs: challenge window over"


@internal
@view
def _open_demand(report_id: uint256, position: uint256) -> uint256:
    """
    @notice Reverts unless the demand is open.
    @param report_id The report.
    @param position The position.
    @return uint256 The packed demand.
    """
    demand: uint256 = self._demands[report_id][position]
    assert (demand >> _D_STATE_SHIFT) & constants.MASK_8 == DEMAND_OPEN, "programs: no open demand"
    return demand


@internal
def _undo(facts: IPrograms.ProgramReport, cursor: uint256, reason: uint8, by: address):
    """
    @notice Undoes the pending report: the cursor goes back to its period
            start (status, demands, deadline and report id cleared, the
            carry kept), the report is marked undone (its open demands can
            be reclaimed), the oracle unassigned and slashed.
    @param facts The pending report's facts (checked).
    @param cursor The program's cursor.
    @param reason UNDONE_FRAUD_PROVEN or UNDONE_DATA_WITHHELD.
    @param by Who receives the report bond.
    """
    program_registry._cursor[facts.program_id] = (cursor & ~_BELOW_CARRY) | convert(facts.period_start, uint256)
    self._finalized[facts.report_id] = _UNDONE
    program_registry._slash(facts.program_id, facts.oracle)
    log ReportUndone(program_id=facts.program_id, report_id=facts.report_id, reason=reason, by=by)


@internal
def _pay(to: address, amount: uint256):
    """
    @notice Sends `amount` wei to `to` with `_PAY_GAS` gas; on failure it is
            owed to `to` instead (`withdraw`).
    @param to The receiver.
    @param amount Wei.
    """
    if amount == 0:
        return
    if not raw_call(to, b"", value=amount, gas=_PAY_GAS, revert_on_failure=False):
        self.owed[to] += amount
        log PaymentOwed(to=to, amount=amount)
