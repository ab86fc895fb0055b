"""Credit and report history read from contract events (the one place that knows their layout)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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

    @property
    def kind(self) -> str:
        if self.sender == ZERO_ADDRESS:
            return "issuance"
        if self.receiver == ZERO_ADDRESS:
            return "burn"
        return "transfer"


def _timestamp(log, cache: dict[int, int]) -> int:
    from ape import chain

    if log.block_number not in cache:
        cache[log.block_number] = int(chain.blocks[log.block_number].timestamp)
    return cache[log.block_number]


def transfers(credit: ContractInstance, start_block: int) -> list[Transfer]:
    """Every ERC-1155 movement of the credit token since `start_block`, in chain order."""
    times: dict[int, int] = {}
    out: list[Transfer] = []
    for log in credit.TransferSingle.range(start_block):
        out.append(
            Transfer(
                log.block_number,
                str(log.transaction_hash),
                int(log.log_index),
                _timestamp(log, times),
                log._from,
                log._to,
                int(log._id),
                int(log._value),
            )
        )
    for log in credit.TransferBatch.range(start_block):
        for token, amount in zip(log._ids, log._values, strict=True):
            out.append(
                Transfer(
                    log.block_number,
                    str(log.transaction_hash),
                    int(log.log_index),
                    _timestamp(log, times),
                    log._from,
                    log._to,
                    int(token),
                    int(amount),
                )
            )
    out.sort(key=lambda t: (t.block, t.log_index))
    return out
