"""Every scan of the contracts' events: the one place that knows their layout.

Credit movements (ERC-1155 TransferSingle/TransferBatch), submitted reports with the end readings
the contract accepted, finalized reports, retirements and a project's meters, each as a plain,
typed record. Scans run from the deployment's first block to the head.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
    """What the chain recorded when a report was accepted (ReportSubmitted), with the end reading
    of each meter it accepted in the same transaction (MeterReadingAccepted)."""

    project_id: int
    report_id: int
    fiscal_year: int
    period_start: int
    period_end: int
    generation_wh: int
    export_wh: int
    self_consumed_wh: int
    reduction_g: int
    void: bool
    merkle_root: bytes
    data_uri: str
    challenge_deadline: int
    tx_hash: str
    end_readings: dict[str, tuple[int, int]] = field(default_factory=dict)  # meter -> (ts, wh)


def submitted_reports(
    registry: ContractInstance, start_block: int, project_id: int | None = None
) -> list[SubmittedReport]:
    """Every accepted report since `start_block` (all projects, or one), by report id."""
    topics = {} if project_id is None else {"project_id": project_id}
    accepted: dict[str, dict[str, tuple[int, int]]] = {}
    for log in logs(registry.MeterReadingAccepted, start_block, **topics):
        # event_arguments, not attributes: ContractLog.timestamp is the block's timestamp.
        args = log.event_arguments
        accepted.setdefault(str(log.transaction_hash), {})[str(args["meter"])] = (
            int(args["timestamp"]),
            int(args["cumulative_wh"]),
        )
    reports = [
        SubmittedReport(
            project_id=int(log.project_id),
            report_id=int(log.report_id),
            fiscal_year=int(log.fiscal_year),
            period_start=int(log.period_start),
            period_end=int(log.period_end),
            generation_wh=int(log.generation_wh),
            export_wh=int(log.export_wh),
            self_consumed_wh=int(log.self_consumed_wh),
            reduction_g=int(log.reduction_g),
            void=bool(log.void),
            merkle_root=bytes(log.merkle_root),
            data_uri=str(log.data_uri),
            challenge_deadline=int(log.challenge_deadline),
            tx_hash=str(log.transaction_hash),
            end_readings=accepted.get(str(log.transaction_hash), {}),
        )
        for log in logs(registry.ReportSubmitted, start_block, **topics)
    ]
    reports.sort(key=lambda r: r.report_id)
    return reports


@dataclass(frozen=True)
class FinalizedReport:
    """A monitoring report that counts: submitted, then finalized (credits minted, maybe 0)."""

    submitted: SubmittedReport
    token_id: int
    minted_t: int
    carry_g: int
    finalize_tx: str
    finalize_block: int
    finalized_at: int


def finalized_reports(
    registry: ContractInstance, start_block: int, project_id: int | None = None
) -> list[FinalizedReport]:
    """Finalized reports in finalization order; disputed-and-rejected ones never finalize."""
    topics = {} if project_id is None else {"project_id": project_id}
    submitted = {r.report_id: r for r in submitted_reports(registry, start_block, project_id)}
    times = _BlockTimes()
    out = [
        FinalizedReport(
            submitted=submitted[int(log.report_id)],
            token_id=int(log.token_id),
            minted_t=int(log.minted_t),
            carry_g=int(log.carry_g),
            finalize_tx=str(log.transaction_hash),
            finalize_block=int(log.block_number),
            finalized_at=times(log),
        )
        for log in logs(registry.ReportFinalized, start_block, **topics)
    ]
    out.sort(key=lambda r: (r.finalize_block, r.submitted.report_id))
    return out


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
        )
        for log in logs(credit.Retired, start_block, **topics)
    ]
    out.sort(key=lambda r: r.retirement_id)
    return out


def project_meters(registry: ContractInstance, start_block: int, project_id: int) -> list[str]:
    """Every meter ever registered for the project, in registration order."""
    seen: list[str] = []
    for log in logs(registry.MeterRegistered, start_block, project_id=project_id):
        if log.meter not in seen:
            seen.append(log.meter)
    return seen
