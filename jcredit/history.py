"""Every scan of the contracts' events: the one place that knows their layout.

Credit movements (ERC-1155 TransferSingle/TransferBatch), submitted reports with their facts (the
start and end reading of every meter), finalized, undone and refuted reports, retirements and a
project's meters, each as a plain, typed record. Scans run from the deployment's first block to
the head.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jcredit.facts import ReportFacts
from jcredit.types import FraudKind, UndoneReason

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def logs(event: Any, start_block: int, **topics: Any) -> Iterator[Any]:
    """Every log of a contract event from `start_block` to the head, optionally by indexed topic."""
    from ape import chain

    # range()'s stop is exclusive, and a single argument would be the stop, not the start.
    return event.range(start_block, chain.blocks.height + 1, search_topics=topics or None)


class _BlockTimes:
    """Block timestamps, each block read once."""

    def __init__(self) -> None:
        self.cache: dict[int, int] = {}

    def __call__(self, log: Any) -> int:
        from ape import chain

        if log.block_number not in self.cache:
            self.cache[log.block_number] = int(chain.blocks[log.block_number].timestamp)
        return self.cache[log.block_number]


def _hex32(value: Any) -> str:
    return "0x" + bytes(value).hex()


@dataclass(frozen=True)
class Transfer:
    """One token movement; a mint comes from the zero address, a burn goes to it."""

    block: int
    tx_hash: str
    log_index: int
    timestamp: int
    sender: str
    receiver: str
    token_id: int
    amount: int


def transfers(credit: ContractInstance, start_block: int) -> list[Transfer]:
    """Every ERC-1155 movement of the credit token since `start_block`, in chain order."""
    times = _BlockTimes()

    def transfer(log: Any, token: int, amount: int) -> Transfer:
        return Transfer(
            log.block_number,
            str(log.transaction_hash),
            int(log.log_index),
            times(log),
            log._from,
            log._to,
            int(token),
            int(amount),
        )

    out = [transfer(log, log._id, log._value) for log in logs(credit.TransferSingle, start_block)]
    for log in logs(credit.TransferBatch, start_block):
        out += [
            transfer(log, token, amount)
            for token, amount in zip(log._ids, log._values, strict=True)
        ]
    out.sort(key=lambda t: (t.block, t.log_index))
    return out


def held_tokens(credit: ContractInstance, start_block: int, holder: str) -> list[int]:
    """Token ids the holder ever received, in first-seen order."""
    tokens: list[int] = []
    for move in transfers(credit, start_block):
        if move.receiver == holder and move.token_id not in tokens:
            tokens.append(move.token_id)
    return tokens


@dataclass(frozen=True)
class SubmittedReport:
    """What the chain recorded when a report was accepted (`ReportSubmitted`): its facts (every
    meter's start and end reading included) and what the facts do not hold."""

    facts: ReportFacts
    generation_wh: int
    export_wh: int
    data_uri: str
    tx_hash: str
    block: int

    # The facts' fields most readers want, by name.
    @property
    def project_id(self) -> int:
        return self.facts.project_id

    @property
    def report_id(self) -> int:
        return self.facts.report_id

    @property
    def fiscal_year(self) -> int:
        return self.facts.fiscal_year

    @property
    def period_start(self) -> int:
        return self.facts.period_start

    @property
    def period_end(self) -> int:
        return self.facts.period_end

    @property
    def self_consumed_wh(self) -> int:
        return self.facts.self_consumed_wh

    @property
    def reduction_g(self) -> int:
        return self.facts.reduction_g

    @property
    def void(self) -> bool:
        return self.facts.void

    @property
    def merkle_root(self) -> bytes:
        return self.facts.merkle_root

    @property
    def challenge_deadline(self) -> int:
        return self.facts.challenge_deadline

    @property
    def end_readings(self) -> dict[str, tuple[int, int]]:
        """meter -> (timestamp, Wh) of its end reading, now the meter's last accepted reading."""
        return {p.meter: (p.end_timestamp, p.end_cumulative_wh) for p in self.facts.meter_periods()}

    @property
    def start_readings(self) -> dict[str, tuple[int, int]]:
        """meter -> (timestamp, Wh) the meter's energy is counted from (baseline or carried)."""
        return {
            p.meter: (p.start_timestamp, p.start_cumulative_wh) for p in self.facts.meter_periods()
        }


def _submitted(log: Any) -> SubmittedReport:
    # event_arguments, not attributes: ContractLog.timestamp is the block's timestamp.
    args = log.event_arguments
    return SubmittedReport(
        facts=ReportFacts.from_chain(args["facts"]),
        generation_wh=int(args["generation_wh"]),
        export_wh=int(args["export_wh"]),
        data_uri=str(args["data_uri"]),
        tx_hash=str(log.transaction_hash),
        block=int(log.block_number),
    )


def submitted_reports(
    reports: ContractInstance, start_block: int, project_id: int | None = None
) -> list[SubmittedReport]:
    """Every accepted report since `start_block` (all projects, or one), by report id; undone
    ones included (see `undone_reports`)."""
    topics = {} if project_id is None else {"project_id": project_id}
    out = [_submitted(log) for log in logs(reports.ReportSubmitted, start_block, **topics)]
    out.sort(key=lambda r: r.report_id)
    return out


def submitted_report(
    reports: ContractInstance, start_block: int, project_id: int, report_id: int
) -> SubmittedReport | None:
    """One report by id (the event's indexed topics find it without scanning the others)."""
    found = [
        _submitted(log)
        for log in logs(
            reports.ReportSubmitted, start_block, project_id=project_id, report_id=report_id
        )
    ]
    return found[0] if found else None


def report_facts(
    reports: ContractInstance, start_block: int, project_id: int, report_id: int
) -> ReportFacts | None:
    """The facts of report `report_id` of the project, as `ReportSubmitted` logged them."""
    found = submitted_report(reports, start_block, project_id, report_id)
    return None if found is None else found.facts


@dataclass(frozen=True)
class FinalizedReport:
    """A monitoring report that counts: submitted, then finalized (credits minted, maybe 0)."""

    submitted: SubmittedReport
    token_id: int
    minted_t: int
    carry_g: int
    recipient: str
    accrued: bool  # the owner is a contract: the credits wait for its `claim`
    finalize_tx: str
    finalize_block: int
    finalized_at: int


def finalized_reports(
    reports: ContractInstance, start_block: int, project_id: int | None = None
) -> list[FinalizedReport]:
    """Finalized reports in finalization order; undone (rejected, expired, refuted) ones never
    finalize."""
    topics = {} if project_id is None else {"project_id": project_id}
    submitted = {r.report_id: r for r in submitted_reports(reports, start_block, project_id)}
    times = _BlockTimes()
    out = [
        FinalizedReport(
            submitted=submitted[int(log.report_id)],
            token_id=int(log.token_id),
            minted_t=int(log.minted_t),
            carry_g=int(log.carry_g),
            recipient=log.recipient,
            accrued=bool(log.accrued),
            finalize_tx=str(log.transaction_hash),
            finalize_block=int(log.block_number),
            finalized_at=times(log),
        )
        for log in logs(reports.ReportFinalized, start_block, **topics)
    ]
    out.sort(key=lambda r: (r.finalize_block, r.submitted.report_id))
    return out


@dataclass(frozen=True)
class UndoneReport:
    """A report undone as if never submitted (`ReportUndone`): its period is reported again."""

    project_id: int
    report_id: int
    reason: UndoneReason
    tx_hash: str
    block: int


def undone_reports(
    reports: ContractInstance, start_block: int, project_id: int | None = None
) -> list[UndoneReport]:
    topics = {} if project_id is None else {"project_id": project_id}
    return [
        UndoneReport(
            project_id=int(log.project_id),
            report_id=int(log.report_id),
            reason=UndoneReason(int(log.reason)),
            tx_hash=str(log.transaction_hash),
            block=int(log.block_number),
        )
        for log in logs(reports.ReportUndone, start_block, **topics)
    ]


@dataclass(frozen=True)
class FraudProvenRecord:
    """A fraud proof that held (`FraudProven`): the report was undone, the bond paid out."""

    project_id: int
    report_id: int
    challenger: str
    kind: FraudKind
    oracle: str
    bond: int
    tx_hash: str


def fraud_proven(
    fraud_proofs: ContractInstance, start_block: int, project_id: int | None = None
) -> list[FraudProvenRecord]:
    topics = {} if project_id is None else {"project_id": project_id}
    return [
        FraudProvenRecord(
            project_id=int(log.project_id),
            report_id=int(log.report_id),
            challenger=log.challenger,
            kind=FraudKind(int(log.kind)),
            oracle=log.oracle,
            bond=int(log.bond),
            tx_hash=str(log.transaction_hash),
        )
        for log in logs(fraud_proofs.FraudProven, start_block, **topics)
    ]


@dataclass(frozen=True)
class RetirementRecord:
    retirement_id: int
    holder: str
    token_id: int
    amount: int
    purpose: int
    beneficiary: str
    memo: str
    beneficiary_hash: str
    memo_hash: str
    tx_hash: str
    block: int
    retired_at: int
    certification_id: int = 0  # the round the credits came from; 0: not certified
    first_serial: int = 0  # first registry serial of the round drawn (0: not certified)

    @property
    def certified(self) -> bool:
        return self.certification_id != 0

    @property
    def last_serial(self) -> int:
        return self.first_serial + self.amount - 1 if self.certified else 0


def retirements(
    credit: ContractInstance, start_block: int, **topics: Any
) -> list[RetirementRecord]:
    """Retirements since `start_block` (all, or by indexed topic: retirement_id, holder, token_id),
    by id; beneficiary and memo in clear from the event."""
    times = _BlockTimes()
    out = [
        RetirementRecord(
            retirement_id=int(log.retirement_id),
            holder=log.holder,
            token_id=int(log.token_id),
            amount=int(log.amount),
            purpose=int(log.purpose),
            beneficiary=str(log.beneficiary),
            memo=str(log.memo),
            beneficiary_hash=_hex32(log.beneficiary_hash),
            memo_hash=_hex32(log.memo_hash),
            tx_hash=str(log.transaction_hash),
            block=int(log.block_number),
            retired_at=times(log),
            certification_id=int(log.certification_id),
            first_serial=int(log.first_serial),
        )
        for log in logs(credit.Retired, start_block, **topics)
    ]
    out.sort(key=lambda r: r.retirement_id)
    return out


@dataclass(frozen=True)
class CertificationRecord:
    """A certification round as the registrar recorded it (`CertificationRecorded`)."""

    certification_id: int
    token_id: int
    registrar: str
    certification_number: str
    report_ids: tuple[int, ...]
    amount: int
    first_serial: int
    last_serial: int
    tx_hash: str
    block: int
    recorded_at: int


def certifications(
    credit: ContractInstance, start_block: int, **topics: Any
) -> list[CertificationRecord]:
    """Certification rounds since `start_block` (all, or by indexed topic: certification_id,
    token_id, registrar), by id."""
    times = _BlockTimes()
    out = [
        CertificationRecord(
            certification_id=int(log.certification_id),
            token_id=int(log.token_id),
            registrar=log.registrar,
            certification_number=str(log.certification_number),
            report_ids=tuple(int(r) for r in log.report_ids),
            amount=int(log.amount),
            first_serial=int(log.first_serial),
            last_serial=int(log.last_serial),
            tx_hash=str(log.transaction_hash),
            block=int(log.block_number),
            recorded_at=times(log),
        )
        for log in logs(credit.CertificationRecorded, start_block, **topics)
    ]
    out.sort(key=lambda r: r.certification_id)
    return out


def project_meters(registry: ContractInstance, start_block: int, project_id: int) -> list[str]:
    """Every meter ever registered for the project, in registration order."""
    seen: list[str] = []
    for log in logs(registry.MeterRegistered, start_block, project_id=project_id):
        if log.meter not in seen:
            seen.append(log.meter)
    return seen
