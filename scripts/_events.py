"""Credit and report history read from contract events (the one place that knows their layout)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


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


def logs(event: Any, start_block: int, **topics: Any) -> Iterator[Any]:
    """Every log of a contract event from `start_block` to the head, optionally by indexed topic."""
    from ape import chain

    # range()'s stop is exclusive, and a single argument would be the stop, not the start.
    return event.range(start_block, chain.blocks.height + 1, search_topics=topics or None)


def _timestamp(log, cache: dict[int, int]) -> int:
    from ape import chain

    if log.block_number not in cache:
        cache[log.block_number] = int(chain.blocks[log.block_number].timestamp)
    return cache[log.block_number]


def transfers(credit: ContractInstance, start_block: int) -> list[Transfer]:
    """Every ERC-1155 movement of the credit token since `start_block`, in chain order."""
    times: dict[int, int] = {}

    def transfer(log, token: int, amount: int) -> Transfer:
        return Transfer(
            log.block_number,
            str(log.transaction_hash),
            int(log.log_index),
            _timestamp(log, times),
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


@dataclass(frozen=True)
class FinalizedReport:
    """A monitoring report that counts: submitted, then finalized (credits minted, maybe 0)."""

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
    merkle_root: str
    data_uri: str
    token_id: int
    minted_t: int
    carry_g: int
    submit_tx: str
    finalize_tx: str
    finalize_block: int
    finalized_at: int


def finalized_reports(
    registry: ContractInstance, start_block: int, project_id: int | None = None
) -> list[FinalizedReport]:
    """Finalized reports in finalization order; disputed-and-rejected ones never finalize."""
    topics = {} if project_id is None else {"project_id": project_id}
    submitted = {
        int(log.report_id): log for log in logs(registry.ReportSubmitted, start_block, **topics)
    }
    times: dict[int, int] = {}
    out: list[FinalizedReport] = []
    for log in logs(registry.ReportFinalized, start_block, **topics):
        sub = submitted[int(log.report_id)]
        out.append(
            FinalizedReport(
                project_id=int(log.project_id),
                report_id=int(log.report_id),
                fiscal_year=int(sub.fiscal_year),
                period_start=int(sub.period_start),
                period_end=int(sub.period_end),
                generation_wh=int(sub.generation_wh),
                export_wh=int(sub.export_wh),
                self_consumed_wh=int(sub.self_consumed_wh),
                reduction_g=int(sub.reduction_g),
                void=bool(sub.void),
                merkle_root="0x" + bytes(sub.merkle_root).hex(),
                data_uri=str(sub.data_uri),
                token_id=int(log.token_id),
                minted_t=int(log.minted_t),
                carry_g=int(log.carry_g),
                submit_tx=str(sub.transaction_hash),
                finalize_tx=str(log.transaction_hash),
                finalize_block=int(log.block_number),
                finalized_at=_timestamp(log, times),
            )
        )
    out.sort(key=lambda r: (r.finalize_block, r.report_id))
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
    times: dict[int, int] = {}
    out = [
        RetirementRecord(
            retirement_id=int(log.retirement_id),
            holder=log.holder,
            token_id=int(log.token_id),
            amount=int(log.amount),
            purpose=int(log.purpose),
            beneficiary=str(log.beneficiary),
            memo=str(log.memo),
            beneficiary_hash="0x" + bytes(log.beneficiary_hash).hex(),
            memo_hash="0x" + bytes(log.memo_hash).hex(),
            tx_hash=str(log.transaction_hash),
            block=int(log.block_number),
            retired_at=_timestamp(log, times),
        )
        for log in logs(credit.Retired, start_block, **topics)
    ]
    out.sort(key=lambda r: r.retirement_id)
    return out
