"""Credits: balance, transfer, retire, history (`ape run credits ...`)."""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import (
    ScriptError,
    account_option,
    checksum_address,
    contracts,
    jst,
    load_deployment,
    pick_account,
    split_token_id,
    utf8_limit,
)
from scripts._credits import PURPOSE_NAMES, PURPOSES, held_tokens, resolve_token, retire, transfer
from scripts._events import ZERO_ADDRESS, retirements, transfers


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
@click.argument("address", required=False, callback=checksum_address)
@account_option("owner", "Whose balance if ADDRESS is not given")
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
@account_option("owner", "The holder sending")
@click.option("--to", "to", required=True, callback=checksum_address, help="Receiving address.")
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
@account_option("owner", "The holder retiring")
@click.option("--amount", type=click.IntRange(min=1), required=True, help="Whole t-CO2.")
@click.option(
    "--beneficiary",
    required=True,
    callback=utf8_limit(128),
    help="Who claims the reduction (<= 128 bytes).",
)
@click.option("--purpose", type=click.Choice(list(PURPOSES)), required=True)
@click.option(
    "--memo",
    default="",
    callback=utf8_limit(256),
    help="Free text, in the retirement event (<= 256 bytes).",
)
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
@click.option("--address", callback=checksum_address, help="Show the history of this account.")
@token_options
def history(provider, address, token, project_id, fiscal_year) -> None:
    """Issuances, transfers and retirements of an account or of a token id, from events."""
    _, credit = contracts(provider)
    if address is None and token is None and project_id is None:
        raise ScriptError(
            "history of what? give --address, --token-id, or --project with --fiscal-year"
        )
    if token is not None or project_id is not None:
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
