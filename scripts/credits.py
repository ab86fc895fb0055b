"""Credits: balance, transfer, retire, history (`ape run credits ...`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from ape.cli import ConnectedProviderCommand, account_option, network_option

from oracles.roles import RetirementPurpose, token_id
from scripts._common import (
    ScriptError,
    contracts,
    jst,
    load_deployment,
    pick_account,
    refused,
    split_token_id,
)
from scripts._events import ZERO_ADDRESS, retirements, transfers

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
    with refused(f"transferring {amount} t-CO2 of token {token} to {to}"):
        receipt = credit.safeTransferFrom(holder.address, to, token, amount, b"", sender=holder)
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
    with refused(f"retiring {amount} t-CO2 of token {token}"):
        receipt = credit.retire(token, amount, beneficiary, purpose, memo, sender=holder)
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


def token_options(command):
    command = click.option("--fiscal-year", type=click.IntRange(2000, 65535), help="Vintage.")(
        command
    )
    command = click.option("--project", "project_id", type=click.IntRange(min=1))(command)
    return click.option("--token-id", "token", type=click.IntRange(min=0))(command)


@click.group()
def cli() -> None:
    """Hold, move and retire credits (ERC-1155, one token id per project and fiscal year)."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@click.argument("address", required=False)
@account_option(prompt=False, help="Whose balance, if ADDRESS is not given.")
def balance(provider, address, account) -> None:
    """Balances (t-CO2) of ADDRESS or --account (devnet default: test account 2) per token."""
    _, credit = contracts(provider)
    holder = address or pick_account(provider, account, "owner").address
    tokens = held_tokens(credit, load_deployment(provider).block, holder)
    total = 0
    for token in tokens:
        amount = int(credit.balanceOf(holder, token))
        project_id, fiscal_year = split_token_id(token)
        click.echo(f"token {token} (project {project_id}, FY{fiscal_year}): {amount} t-CO2")
        total += amount
    click.echo(f"{holder}: {total} t-CO2 in total")


@cli.command(name="transfer", cls=ConnectedProviderCommand)
@network_option()
@account_option(prompt=False, help="Holder sending (devnet default: test account 2, the owner).")
@click.option("--to", "to", required=True, help="Receiving address.")
@click.option("--amount", type=click.IntRange(min=1), required=True, help="Whole t-CO2.")
@token_options
def transfer_(provider, account, to, amount, token, project_id, fiscal_year) -> None:
    """Transfer credits to another address."""
    _, credit = contracts(provider)
    holder = pick_account(provider, account, "owner")
    token = resolve_token(token, project_id, fiscal_year)
    tx = transfer(credit, holder, to, token, amount)
    click.echo(f"transferred {amount} t-CO2 of token {token} to {to} (tx {tx})")


@cli.command(name="retire", cls=ConnectedProviderCommand)
@network_option()
@account_option(prompt=False, help="Holder retiring (devnet default: test account 2, the owner).")
@click.option("--amount", type=click.IntRange(min=1), required=True, help="Whole t-CO2.")
@click.option("--beneficiary", required=True, help="Who claims the reduction (<= 128 chars).")
@click.option("--purpose", type=click.Choice(list(PURPOSES)), required=True)
@click.option("--memo", default="", help="Free text kept as a hash on chain (<= 256 chars).")
@token_options
def retire_(
    provider, account, amount, beneficiary, purpose, memo, token, project_id, fiscal_year
) -> None:
    """Retire credits for a beneficiary and purpose; they leave circulation for good."""
    _, credit = contracts(provider)
    holder = pick_account(provider, account, "owner")
    token = resolve_token(token, project_id, fiscal_year)
    retirement_id, tx = retire(credit, holder, token, amount, beneficiary, PURPOSES[purpose], memo)
    click.echo(
        f"retirement {retirement_id}: {amount} t-CO2 of token {token} for {beneficiary} "
        f"({purpose}) (tx {tx})"
    )


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--address", help="Show the history of this account.")
@token_options
def history(provider, address, token, project_id, fiscal_year) -> None:
    """Issuances, transfers and retirements of an account or of a token id, from events."""
    _, credit = contracts(provider)
    if address is None or token is not None or project_id is not None:
        token = resolve_token(token, project_id, fiscal_year)
    start = load_deployment(provider).block
    retired = {(r.tx_hash, r.token_id): r for r in retirements(credit, start)}
    rows = 0
    for move in transfers(credit, start):
        if address is not None and address not in (move.sender, move.receiver):
            continue
        if token is not None and move.token_id != token:
            continue
        when = jst(move.timestamp)
        if move.sender == ZERO_ADDRESS:
            line = f"issued {move.amount} t-CO2 to {move.receiver}"
        elif move.receiver == ZERO_ADDRESS and (move.tx_hash, move.token_id) in retired:
            record = retired[(move.tx_hash, move.token_id)]
            line = (
                f"retired {move.amount} t-CO2 by {move.sender}: retirement {record.retirement_id} "
                f"for {record.beneficiary} ({PURPOSE_NAMES.get(record.purpose, record.purpose)})"
            )
        elif move.receiver == ZERO_ADDRESS:
            line = f"burned {move.amount} t-CO2 from {move.sender}"
        else:
            line = f"transferred {move.amount} t-CO2 {move.sender} -> {move.receiver}"
        click.echo(f"{when}  token {move.token_id}  {line}  tx {move.tx_hash}")
        rows += 1
    if rows == 0:
        click.echo("no credit movements found")
