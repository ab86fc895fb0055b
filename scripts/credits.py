"""Credits: balance, transfer, retire, history (`ape run credits ...`)."""

from __future__ import annotations

import click
from ape.cli import network_option

from jcredit.accounts import role_account
from jcredit.history import ZERO_ADDRESS, held_tokens, retirements, transfers
from jcredit.types import RetirementPurpose, split_token_id
from methodology.fiscal import to_iso
from scripts._cli import (
    ConnectedCommand,
    ScriptError,
    account_option,
    active,
    beneficiary_text,
    checksum_address,
    echo_banner,
    known_token,
    platform_of,
    resolve_token,
    sender_for,
    token_options,
    user_errors,
    utf8_limit,
    validity_banner,
)


@click.group()
def cli() -> None:
    """Hold, move and retire credits (ERC-1155, one token id per project and fiscal year)."""


@cli.command(cls=ConnectedCommand)
@network_option()
@click.argument("address", required=False, callback=checksum_address)
@account_option("owner", "Whose balance if ADDRESS is not given")
def balance(provider, address, account) -> None:
    """Balances (t-CO2) of ADDRESS or --account (devnet default: test account 2) per token."""
    platform = platform_of(provider)
    with user_errors():
        holder = address or role_account(active(provider), account, "owner").address
    total = 0
    for token in held_tokens(platform.credit.contract, platform.deployment.block, holder):
        amount = platform.credit.balance(holder, token)
        project_id, fiscal_year = split_token_id(token)
        click.echo(f"token {token} (project {project_id}, FY{fiscal_year}): {amount} t-CO2")
        total += amount
    click.echo(f"{holder}: {total} t-CO2 in total")


@cli.command(name="transfer", cls=ConnectedCommand)
@network_option()
@account_option("owner", "The holder sending")
@click.option("--to", "to", required=True, callback=checksum_address, help="Receiving address.")
@click.option("--amount", type=click.IntRange(min=1), required=True, help="Whole t-CO2.")
@token_options
def transfer_(provider, account, to, amount, token, project_id, fiscal_year) -> None:
    """Transfer credits to another address."""
    platform = platform_of(provider)
    holder = sender_for(provider, account, "owner")
    token = known_token(platform, resolve_token(token, project_id, fiscal_year))
    with user_errors():
        tx = platform.credit.transfer(holder, to, token, amount)
    click.echo(f"transferred {amount} t-CO2 of token {token} to {to} (tx {tx})")


@cli.command(name="retire", cls=ConnectedCommand)
@network_option()
@account_option("owner", "The holder retiring")
@click.option("--amount", type=click.IntRange(min=1), required=True, help="Whole t-CO2.")
@click.option(
    "--beneficiary",
    required=True,
    callback=beneficiary_text(128),
    help="Who claims the reduction (<= 128 bytes; surrounding spaces are dropped).",
)
@click.option("--purpose", type=click.Choice(RetirementPurpose.names()), required=True)
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
    platform = platform_of(provider)
    holder = sender_for(provider, account, "owner")
    token = known_token(platform, resolve_token(token, project_id, fiscal_year))
    with user_errors():
        retired = platform.credit.retire(
            holder, token, amount, beneficiary, RetirementPurpose.from_name(purpose), memo
        )
    click.echo(
        f"retirement {retired.retirement_id}: {amount} t-CO2 of token {token} for {beneficiary} "
        f"({purpose}) (tx {retired.tx_hash})"
    )
    echo_banner(validity_banner(platform, {split_token_id(token)[1]}))


@cli.command(cls=ConnectedCommand)
@network_option()
@click.option("--address", callback=checksum_address, help="Show the history of this account.")
@token_options
def history(provider, address, token, project_id, fiscal_year) -> None:
    """Issuances, transfers and retirements of an account or of a token id, from events."""
    platform = platform_of(provider)
    if address is None and token is None and project_id is None:
        raise ScriptError(
            "history of what? give --address, --token-id, or --project with --fiscal-year"
        )
    if token is not None or project_id is not None:
        token = known_token(platform, resolve_token(token, project_id, fiscal_year))
    credit, start = platform.credit.contract, platform.deployment.block
    retired = {(r.tx_hash, r.token_id): r for r in retirements(credit, start)}
    rows = 0
    for move in transfers(credit, start):
        if address is not None and address not in (move.sender, move.receiver):
            continue
        if token is not None and move.token_id != token:
            continue
        if move.sender == ZERO_ADDRESS:
            line = f"issued {move.amount} t-CO2 to {move.receiver}"
        elif move.receiver == ZERO_ADDRESS and (move.tx_hash, move.token_id) in retired:
            record = retired[(move.tx_hash, move.token_id)]
            line = (
                f"retired {move.amount} t-CO2 by {move.sender}: retirement {record.retirement_id} "
                f"for {record.beneficiary} ({RetirementPurpose(record.purpose).label})"
            )
        elif move.receiver == ZERO_ADDRESS:
            line = f"burned {move.amount} t-CO2 from {move.sender}"
        else:
            line = f"transferred {move.amount} t-CO2 {move.sender} -> {move.receiver}"
        click.echo(f"{to_iso(move.timestamp)}  token {move.token_id}  {line}  tx {move.tx_hash}")
        rows += 1
    if rows == 0:
        click.echo("no credit movements found")
