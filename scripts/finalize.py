"""Finalize a pending monitoring report once its challenge window closed (`ape run finalize`)."""

from __future__ import annotations

import click
from ape.cli import network_option

from jcredit.types import ReportStatus, split_token_id
from methodology.fiscal import to_iso
from scripts._cli import (
    ConnectedCommand,
    ScriptError,
    account_option,
    echo_banner,
    platform_of,
    sender_for,
    user_errors,
    validity_banner,
)


@click.command(cls=ConnectedCommand)
@network_option()
@account_option("admin", "Who pays the gas (anyone may finalize)")
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
def cli(provider, account, project_id) -> None:
    """Finalize the pending report of --project; its credits are minted to the project owner.

    The report's facts, which the contract takes back, are found in the chain's own
    ReportSubmitted event. Refused while the window is open or the report is disputed.
    """
    from ape import chain

    platform = platform_of(provider)
    with user_errors():
        platform.registry.project(project_id)
    pending = platform.reports.pending_report(project_id)
    if pending.status == ReportStatus.NONE:
        click.echo(f"project {project_id} has no pending report: nothing to finalize")
        return
    if pending.status == ReportStatus.DISPUTED:
        raise ScriptError(
            f"report {pending.report_id} of project {project_id} is disputed: a validator resolves "
            "the dispute first"
        )
    if chain.pending_timestamp < pending.challenge_deadline:
        raise ScriptError(
            f"report {pending.report_id} of project {project_id} is in its challenge window until "
            f"{to_iso(pending.challenge_deadline)}: finalize after that"
        )
    with user_errors():
        facts = platform.reports.pending_facts(project_id)
        event = platform.reports.finalize(sender_for(provider, account, "admin"), facts)
    if event.undone:
        click.echo(
            f"report {event.report_id} of project {project_id} undone, not finalized: its oracle "
            f"{facts.oracle} was refuted by a fraud proof in another report (tx {event.tx_hash}); "
            "the period can be reported again"
        )
        return
    where = "accrued for the owner contract to claim" if event.accrued else "minted"
    click.echo(
        f"report {event.report_id} of project {project_id} finalized: {event.minted_t} t-CO2 "
        f"{where} as token {event.token_id} to {event.recipient} (carry {event.carry_g} g to "
        "the next report)"
    )
    echo_banner(validity_banner(platform, {split_token_id(event.token_id)[1]}))
