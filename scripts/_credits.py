"""Credit operations (balances, transfers, retirements), shared by the scripts and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oracles.roles import RetirementPurpose, token_id
from scripts._common import ScriptError, send, split_token_id
from scripts._events import transfers

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


PURPOSES = {purpose.name.lower(): int(purpose) for purpose in RetirementPurpose}


PURPOSE_NAMES = {value: name for name, value in PURPOSES.items()}


def check_balance(
    credit: ContractInstance, holder: str, token: int, amount: int, action: str
) -> None:
    """Refuse before sending when the holder does not have `amount` of `token`."""
    balance = int(credit.balanceOf(holder, token))
    if amount > balance:
        project_id, fiscal_year = split_token_id(token)
        raise ScriptError(
            f"cannot {action} {amount} t-CO2: {holder} holds {balance} t-CO2 of token {token} "
            f"(project {project_id}, FY{fiscal_year})"
        )


def transfer(credit: ContractInstance, holder: AccountAPI, to: str, token: int, amount: int) -> str:
    """Move `amount` t-CO2 of `token` from `holder` to `to`; returns the tx hash."""
    check_balance(credit, holder.address, token, amount, "transfer")
    receipt = send(
        f"transferring {amount} t-CO2 of token {token} to {to}",
        credit.safeTransferFrom,
        holder.address,
        to,
        token,
        amount,
        b"",
        sender=holder,
    )
    return str(receipt.txn_hash)


def retire(
    credit: ContractInstance,
    holder: AccountAPI,
    token: int,
    amount: int,
    beneficiary: str,
    purpose: int,
    memo: str,
) -> tuple[int, str]:
    """Retire (burn and record) credits; returns (retirement id, tx hash)."""
    check_balance(credit, holder.address, token, amount, "retire")
    receipt = send(
        f"retiring {amount} t-CO2 of token {token}",
        credit.retire,
        token,
        amount,
        beneficiary,
        purpose,
        memo,
        sender=holder,
    )
    (event,) = receipt.events.filter(credit.Retired)
    return int(event.retirement_id), str(receipt.txn_hash)


def held_tokens(credit: ContractInstance, start_block: int, holder: str) -> list[int]:
    """Token ids the holder ever received, in first-seen order."""
    tokens: list[int] = []
    for move in transfers(credit, start_block):
        if move.receiver == holder and move.token_id not in tokens:
            tokens.append(move.token_id)
    return tokens


def resolve_token(token: int | None, project_id: int | None, fiscal_year: int | None) -> int:
    if token is not None:
        if project_id is not None or fiscal_year is not None:
            raise ScriptError("give either --token-id or --project with --fiscal-year, not both")
        return token
    if project_id is None or fiscal_year is None:
        raise ScriptError("name the credits: --token-id, or --project with --fiscal-year")
    return token_id(project_id, fiscal_year)
