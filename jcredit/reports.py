"""Typed client of MonitoringReports.vy: monitoring, reports and their challenge window, disputes,
finalization, accrued credits and oracle bonds.

The contract keeps only a hash of the pending report's facts: every call that acts on a report
(finalize, resolve, expire) takes the facts back. `pending_facts` finds them in the chain's own
`ReportSubmitted` event and checks them against that hash, so a caller never needs to have kept
them. Writes are dry-run first (`jcredit.tx.Sender`); a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jcredit.errors import ChainError, InputError, JCreditError
from jcredit.evidence import BoundaryReading
from jcredit.facts import Reading, ReportFacts
from jcredit.history import report_facts
from jcredit.registry import check_address, check_text
from jcredit.types import MAX_CHALLENGE_WINDOW, MIN_CHALLENGE_WINDOW, ReportStatus
from jcredit.types import token_id as token_id_of
from methodology.fiscal import to_iso

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from jcredit.tx import Sender

# MonitoringReports.submit_report takes at most this many boundary readings (5 meters x 2).
MAX_BOUNDARY_READINGS = 10
_DATA_URI_BYTES = 256


@dataclass(frozen=True)
class PendingReport:
    """The project's unfinalized report (`status` NONE: there is none)."""

    status: ReportStatus
    report_id: int
    challenge_deadline: int
    facts_hash: bytes
    disputer: str
    disputed_at: int


@dataclass(frozen=True)
class LastReading:
    """A meter's last accepted reading and the registration and project epoch it belongs to; it
    is the meter's baseline only while both are current (`baseline`)."""

    timestamp: int
    cumulative_wh: int
    registration: int
    epoch: int

    def baseline(self, registration: int, epoch: int) -> Reading | None:
        """The baseline a report starts this meter from, or None: the report must carry the
        meter's start reading (first report after monitoring (re)started, or a new registration)."""
        if self.timestamp == 0 or (self.registration, self.epoch) != (registration, epoch):
            return None
        return Reading(self.timestamp, self.cumulative_wh)


@dataclass(frozen=True)
class Bond:
    amount: int  # wei
    available_at: int  # when it may be withdrawn; 0 = not unbonding


@dataclass(frozen=True)
class ReportSubmission:
    """The arguments of `submit_report`: per approved meter its end reading and, before it for a
    meter without a baseline, its start reading, each with its batch's Merkle proof."""

    project_id: int
    period_end: int
    fiscal_year: int
    readings: tuple[BoundaryReading, ...]
    merkle_root: bytes
    data_uri: str
    self_consumed_wh: int
    reduction_g: int
    void: bool

    def __post_init__(self) -> None:
        if not 1 <= len(self.readings) <= MAX_BOUNDARY_READINGS:
            raise InputError(
                f"report: {len(self.readings)} boundary readings, 1..{MAX_BOUNDARY_READINGS}"
            )
        if len(self.merkle_root) != 32:
            raise InputError(f"report: Merkle root of {len(self.merkle_root)} bytes, not 32")
        check_text(self.data_uri, _DATA_URI_BYTES, "data URI")
        if self.void and (self.self_consumed_wh or self.reduction_g):
            raise InputError("report: a void report claims 0 Wh and 0 g")

    def as_args(self) -> tuple:
        return (
            self.project_id,
            self.period_end,
            self.fiscal_year,
            [reading.as_tuple() for reading in self.readings],
            self.merkle_root,
            self.data_uri,
            self.self_consumed_wh,
            self.reduction_g,
            self.void,
        )


@dataclass(frozen=True)
class Submitted:
    report_id: int
    facts: ReportFacts
    tx_hash: str


@dataclass(frozen=True)
class Finalized:
    """What a finalization did (the ReportFinalized event)."""

    report_id: int
    token_id: int
    minted_t: int
    carry_g: int
    recipient: str
    accrued: bool
    tx_hash: str
    # True when the report was undone instead: its oracle was refuted in another report.
    undone: bool = False


class ReportsClient:
    def __init__(self, contract: ContractInstance, start_block: int = 0) -> None:
        self.contract = contract
        # First block of the deployment: where scans for a report's facts start.
        self.start_block = start_block

    @property
    def address(self) -> str:
        return self.contract.address

    # -- configuration -----------------------------------------------------------------------
    def challenge_window(self) -> int:
        return int(self.contract.challenge_window())

    def set_challenge_window(self, sender: Sender, seconds: int) -> None:
        """The window of reports submitted from now on (the Registry's admin)."""
        check_challenge_window(seconds)
        sender.send(
            f"setting the challenge window to {seconds} s",
            self.contract.set_challenge_window,
            seconds,
        )

    def report_count(self) -> int:
        return int(self.contract.report_count())

    # -- oracle bonds ------------------------------------------------------------------------
    def min_bond(self) -> int:
        return int(self.contract.min_bond())

    def unbond_delay(self) -> int:
        return int(self.contract.UNBOND_DELAY())

    def bond_of(self, oracle: str) -> Bond:
        amount, available_at = self.contract.bond_of(check_address(oracle, "oracle"))
        return Bond(int(amount), int(available_at))

    def is_bonded(self, oracle: str) -> bool:
        return bool(self.contract.is_bonded(check_address(oracle, "oracle")))

    def is_slashed(self, oracle: str) -> bool:
        """Whether a fraud proof refuted the oracle (for good)."""
        return bool(self.contract.is_slashed(check_address(oracle, "oracle")))

    def post_bond(self, sender: Sender, amount: int) -> Bond:
        """Add `amount` wei to the sender's bond; the bond after it."""
        if amount <= 0:
            raise InputError(f"bond amount: {amount} wei; post a positive amount")
        sender.send(
            f"posting a bond of {amount} wei from {sender.address}",
            self.contract.post_bond,
            value=amount,
        )
        return self.bond_of(sender.address)

    def request_unbond(self, sender: Sender) -> int:
        """Start leaving (an oracle assigned to no project); when the bond may be withdrawn."""
        bond = self.bond_of(sender.address)
        if bond.amount == 0:
            raise JCreditError(f"{sender.address} has no bond to take back")
        if bond.available_at:
            raise JCreditError(
                f"{sender.address} is already unbonding: withdraw from {bond.available_at}"
            )
        receipt = sender.send(
            f"requesting the bond of {sender.address} back", self.contract.request_unbond
        )
        (event,) = receipt.events.filter(self.contract.UnbondRequested)
        return int(event.available_at)

    def withdraw_bond(self, sender: Sender) -> int:
        """Take the whole bond back once its unbonding delay has passed; the amount."""
        bond = self.bond_of(sender.address)
        if bond.available_at == 0:
            raise JCreditError(f"{sender.address} is not unbonding: request the bond back first")
        sender.send(f"withdrawing the bond of {sender.address}", self.contract.withdraw_bond)
        return bond.amount

    # -- monitoring --------------------------------------------------------------------------
    def next_period_start(self, project_id: int) -> int:
        """Start of the project's next period (0 before monitoring starts)."""
        return int(self.contract.next_period_start(project_id))

    def monitoring_epoch(self, project_id: int) -> int:
        return int(self.contract.monitoring_epoch(project_id))

    def last_reading(self, meter: str) -> LastReading:
        ts, wh, registration, epoch = self.contract.last_reading(check_address(meter, "meter"))
        return LastReading(int(ts), int(wh), int(registration), int(epoch))

    def start_monitoring(self, sender: Sender, project_id: int, period_start: int) -> None:
        """Start (or, after a meter swap, restart) monitoring at `period_start` (the project's
        oracle); the next report carries every meter's start reading."""
        sender.send(
            f"start_monitoring of project {project_id} at {to_iso(period_start)}",
            self.contract.start_monitoring,
            project_id,
            period_start,
        )

    def submit_report(self, sender: Sender, label: str, submission: ReportSubmission) -> Submitted:
        """Submit a report (the project's oracle); its id and the facts the chain logged."""
        receipt = sender.send(label, self.contract.submit_report, *submission.as_args())
        (event,) = receipt.events.filter(self.contract.ReportSubmitted)
        facts = ReportFacts.from_chain(event.event_arguments["facts"])
        return Submitted(facts.report_id, facts, str(receipt.txn_hash))

    # -- the pending report ------------------------------------------------------------------
    def pending_report(self, project_id: int) -> PendingReport:
        raw = self.contract.pending_report(project_id)
        return PendingReport(
            status=ReportStatus(int(raw.status)),
            report_id=int(raw.report_id),
            challenge_deadline=int(raw.challenge_deadline),
            facts_hash=bytes(raw.facts_hash),
            disputer=raw.disputer,
            disputed_at=int(raw.disputed_at),
        )

    def pending_facts(self, project_id: int) -> ReportFacts:
        """The facts of the project's pending report, from its `ReportSubmitted` event, checked
        against the hash the contract keeps."""
        pending = self.pending_report(project_id)
        if pending.status == ReportStatus.NONE:
            raise JCreditError(f"project {project_id} has no pending report")
        facts = report_facts(self.contract, self.start_block, project_id, pending.report_id)
        if facts is None:
            raise ChainError(
                f"report {pending.report_id} of project {project_id}: no ReportSubmitted event "
                f"since block {self.start_block} (is the deployments file's block right?)"
            )
        if facts.facts_hash() != pending.facts_hash:
            raise ChainError(
                f"report {pending.report_id} of project {project_id}: the logged facts do not "
                "hash to the pending report's facts hash"
            )
        return facts

    def finalize(self, sender: Sender, facts: ReportFacts) -> Finalized:
        """Finalize the report once its challenge window has passed (anyone): whole t-CO2 to
        the project owner (or accrued, for an owner that is a contract). A report whose oracle a
        fraud proof refuted elsewhere is undone instead (`Finalized.undone`)."""
        receipt = sender.send(
            f"finalizing report {facts.report_id} of project {facts.project_id}",
            self.contract.finalize,
            facts.as_tuple(),
        )
        undone = list(receipt.events.filter(self.contract.ReportUndone))
        if undone:
            return Finalized(
                report_id=facts.report_id,
                token_id=token_id_of(facts.project_id, facts.fiscal_year),
                minted_t=0,
                carry_g=0,
                recipient="",
                accrued=False,
                tx_hash=str(receipt.txn_hash),
                undone=True,
            )
        (event,) = receipt.events.filter(self.contract.ReportFinalized)
        return Finalized(
            report_id=int(event.report_id),
            token_id=int(event.token_id),
            minted_t=int(event.minted_t),
            carry_g=int(event.carry_g),
            recipient=event.recipient,
            accrued=bool(event.accrued),
            tx_hash=str(receipt.txn_hash),
        )

    def dispute(self, sender: Sender, project_id: int, reason: str) -> None:
        """Dispute the project's pending report inside its window (validator)."""
        check_text(reason, 256, "reason")
        sender.send(
            f"disputing the pending report of project {project_id} by {sender.address}",
            self.contract.dispute,
            project_id,
            reason,
        )

    def resolve_dispute(self, sender: Sender, facts: ReportFacts, uphold: bool) -> None:
        """Uphold (finalize) or reject (undo) a disputed report (validator)."""
        verb = "upholding" if uphold else "rejecting"
        sender.send(
            f"{verb} report {facts.report_id} of project {facts.project_id} by {sender.address}",
            self.contract.resolve_dispute,
            facts.as_tuple(),
            uphold,
        )

    def expire_dispute(self, sender: Sender, facts: ReportFacts) -> None:
        """Undo a report whose dispute nobody resolved in time (anyone)."""
        sender.send(
            f"expiring the dispute of report {facts.report_id}",
            self.contract.expire_dispute,
            facts.as_tuple(),
        )

    # -- credits ------------------------------------------------------------------------------
    def carry_g(self, project_id: int, fiscal_year: int) -> int:
        return int(self.contract.carry_g(project_id, fiscal_year))

    def claimable(self, owner: str, token_id: int) -> int:
        """Credits of `token_id` accrued to `owner`, a contract that owned the project when its
        reports finalized (it keeps them after handing the project on)."""
        return int(self.contract.claimable(check_address(owner, "owner"), token_id))

    def claim(self, sender: Sender, token_id: int, recipient: str) -> int:
        """Mint the credits accrued to the sender (an owner contract, e.g. a Safe account in Ape)
        to `recipient`; the amount."""
        recipient = check_address(recipient, "recipient")
        amount = self.claimable(sender.address, token_id)
        if amount == 0:
            raise JCreditError(f"token {token_id}: no credits accrued to {sender.address} to claim")
        sender.send(
            f"claiming {amount} t-CO2 of token {token_id} for {recipient}",
            self.contract.claim,
            token_id,
            recipient,
        )
        return amount


def check_challenge_window(seconds: int) -> int:
    """A window the contract accepts (one hour to 30 days), or an error naming the bounds."""
    if not MIN_CHALLENGE_WINDOW <= seconds <= MAX_CHALLENGE_WINDOW:
        raise InputError(
            f"challenge window: {seconds} s; it must be {MIN_CHALLENGE_WINDOW} s (1 hour) to "
            f"{MAX_CHALLENGE_WINDOW} s (30 days)"
        )
    return seconds
