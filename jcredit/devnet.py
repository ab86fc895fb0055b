"""Devnet-only helpers: move a local chain's clock forward (past a challenge window, an admin
delay or an unbonding delay), which real networks of course never allow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jcredit.deployment import network_label
from jcredit.errors import InputError, JCreditError

if TYPE_CHECKING:
    from ape.api import ProviderAPI


def advance_time(provider: ProviderAPI, seconds: int) -> int:
    """Move the devnet's clock `seconds` forward and mine a block at the new time; that block's
    timestamp. anvil (ethereum:local:foundry) and Ape's embedded chain (ethereum:local:test)."""
    from ape import chain

    if seconds <= 0:
        raise InputError(f"seconds: {seconds}; advance the clock by a positive number of seconds")
    if not provider.network.is_local:
        raise JCreditError(
            f"advancing time is for local devnets only, not {network_label(provider)}"
        )
    if provider.name == "foundry":
        # evm_increaseTime keeps the offset for every later block, not just the next one.
        provider.make_request("evm_increaseTime", [seconds])
        provider.make_request("evm_mine", [])
    elif provider.name == "test":
        chain.mine(timestamp=int(chain.blocks.head.timestamp) + seconds)
    else:
        raise JCreditError(
            f"advancing time needs anvil (ethereum:local:foundry) or the embedded chain "
            f"(ethereum:local:test), not {network_label(provider)}"
        )
    return int(chain.blocks.head.timestamp)
