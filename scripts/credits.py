"""Credits: balance, transfer, retire, history, certification rounds (`ape run credits ...`)."""

from __future__ import annotations

import click
from ape.cli import network_option

from jcredit.accounts import role_account
from jcredit.history import ZERO_ADDRESS, certifications, held_tokens, retirements, transfers
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
    """Balances (t-CO2) of ADDRESS or --account (devnet default: test account 2) per token, with
    how much of the token's supply is certified (J-Credit certification rounds) and how much not
    yet. Balances are fungible: a holder's credits of a token are not individually certified;
    certified ones are retired from a round with credits left (`retire --certification N`)."""
    platform = platform_of(provider)
    with user_errors():
        holder = address or role_account(active(provider), account, "owner").address
    total = 0
    for token in held_tokens(platform.credit.contract, platform.deployment.block, holder):
        amount = platform.credit.balance(holder, token)
        project_id, fiscal_year = split_token_id(token)
        status = platform.certifications.token_status(token)
        click.echo(
            f"token {token} (project {project_id}, FY{fiscal_year}): {amount} t-CO2; of the "
            f"token's {status.supply} t-CO2 in circulation {status.certified_supply} certified, "
            f"{status.uncertified_supply} not yet certified"
        )
        for round_ in platform.certifications.rounds(token):
            if round_.remaining:
                click.echo(
                    f"  certification {round_.certification_number} (round "
                    f"{round_.certification_id}): {round_.remaining} of {round_.amount} t-CO2 "
                    "left to retire"
                )
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
@click.option(
    "--certification",
    "certification_id",
    type=click.IntRange(min=1),
    help="Retire certified credits from this certification round (its id, see `credits "
    "rounds`); without it only credits not yet certified are retired.",
)
@token_options
def retire_(
    provider,
    account,
    amount,
    beneficiary,
    purpose,
    memo,
    certification_id,
    token,
    project_id,
    fiscal_year,
) -> None:
    """Retire credits for a beneficiary and purpose; they leave circulation for good."""
    platform = platform_of(provider)
    holder = sender_for(provider, account, "owner")
    purpose_code = RetirementPurpose.from_name(purpose)
    if certification_id is not None:
        with user_errors():
            round_ = platform.certifications.certification(certification_id)
            if (token, project_id) != (None, None) and round_.token_id != resolve_token(
                token, project_id, fiscal_year
            ):
                raise ScriptError(
                    f"certification round {certification_id} is of token {round_.token_id}, "
                    "not the token given"
                )
            retired = platform.certifications.retire(
                holder, certification_id, amount, beneficiary, purpose_code, memo
            )
        token = round_.token_id
        click.echo(
            f"retirement {retired.retirement_id}: {amount} t-CO2 of token {token} from "
            f"certification {round_.certification_number} (round {certification_id}) for "
            f"{beneficiary} ({purpose}) (tx {retired.tx_hash})"
        )
    else:
        token = known_token(platform, resolve_token(token, project_id, fiscal_year))
        with user_errors():
            retired = platform.credit.retire(holder, token, amount, beneficiary, purpose_code, memo)
        click.echo(
            f"retirement {retired.retirement_id}: {amount} t-CO2 of token {token} for "
            f"{beneficiary} ({purpose}), not yet certified (tx {retired.tx_hash})"
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
    rounds = certifications(credit, start)
    numbers = {c.certification_id: c.certification_number for c in rounds}
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
            origin = (
                f"from certification {numbers[record.certification_id]} "
                f"(round {record.certification_id})"
                if record.certified
                else "not yet certified"
            )
            line = (
                f"retired {move.amount} t-CO2 by {move.sender}: retirement {record.retirement_id} "
                f"for {record.beneficiary} ({RetirementPurpose(record.purpose).label}), {origin}"
            )
        elif move.receiver == ZERO_ADDRESS:
            line = f"burned {move.amount} t-CO2 from {move.sender}"
        else:
            line = f"transferred {move.amount} t-CO2 {move.sender} -> {move.receiver}"
        click.echo(f"{to_iso(move.timestamp)}  token {move.token_id}  {line}  tx {move.tx_hash}")
        rows += 1
    if rows == 0:
        click.echo("no credit movements found")
    # Certification rounds of the token(s) shown: certified is a property of a token's supply.
    tokens = {token} if token is not None else None
    if address is not None and token is None:
        tokens = set(held_tokens(credit, start, address))
    for c in rounds:
        if tokens is not None and c.token_id not in tokens:
            continue
        click.echo(
            f"{to_iso(c.recorded_at)}  token {c.token_id}  certified {c.amount} t-CO2: "
            f"certification {c.certification_number} (round {c.certification_id}), reports "
            f"{', '.join(str(r) for r in c.report_ids)}, serials {c.first_serial}..{c.last_serial}"
            f"  tx {c.tx_hash}"
        )


@cli.command(cls=ConnectedCommand)
@network_option()
@token_options
def rounds(provider, token, project_id, fiscal_year) -> None:
    """J-Credit certification rounds (all, or of one token): number, amount, what is left."""
    platform = platform_of(provider)
    if token is not None or project_id is not None:
        token = known_token(platform, resolve_token(token, project_id, fiscal_year))
    found = platform.certifications.rounds(token)
    for c in found:
        click.echo(
            f"round {c.certification_id}: certification {c.certification_number}, token "
            f"{c.token_id} (project {c.project_id}, FY{c.fiscal_year}), {c.amount} t-CO2 "
            f"certified, {c.retired} retired, {c.remaining} left; serials "
            f"{c.first_serial}..{c.last_serial}"
        )
    if not found:
        click.echo("no certification rounds recorded")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("registrar", "The registrar (REGISTRAR_ROLE on the Registry)")
@click.option(
    "--number",
    required=True,
    callback=utf8_limit(32),
    help="The J-Credit certification number of the round (<= 32 bytes).",
)
@click.option(
    "--reports",
    "report_ids",
    required=True,
    help="Comma-separated ids of the finalized reports the round covers, e.g. 1,2,3.",
)
@click.option("--amount", type=click.IntRange(min=1), required=True, help="Certified whole t-CO2.")
@click.option(
    "--first-serial", type=click.IntRange(min=1), required=True, help="First registry serial."
)
@click.option(
    "--last-serial",
    type=click.IntRange(min=1),
    help="Last registry serial (default: first + amount - 1; one serial per t-CO2).",
)
@token_options
def certify(
    provider,
    account,
    number,
    report_ids,
    amount,
    first_serial,
    last_serial,
    token,
    project_id,
    fiscal_year,
) -> None:
    """Record a J-Credit certification round (the registrar): its certification number, the
    finalized reports it covers, the certified t-CO2 and the registry's serial range."""
    platform = platform_of(provider)
    sender = sender_for(provider, account, "registrar")
    token = known_token(platform, resolve_token(token, project_id, fiscal_year))
    try:
        ids = [int(part) for part in report_ids.split(",") if part.strip()]
    except ValueError:
        raise ScriptError(f"--reports {report_ids!r}: comma-separated report ids") from None
    with user_errors():
        certification_id, tx = platform.certifications.record(
            sender, number, token, ids, amount, first_serial, last_serial
        )
    c = platform.certifications.certification(certification_id)
    click.echo(
        f"certification round {certification_id}: {c.certification_number}, {c.amount} t-CO2 "
        f"of token {token}, reports {', '.join(map(str, ids))}, serials "
        f"{c.first_serial}..{c.last_serial} (tx {tx})"
    )
