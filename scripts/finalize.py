"""Finalize a pending monitoring report once its challenge window closed (`ape run finalize`)."""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import account_option, contracts, pick_account
from scripts._registry import finalize_report


@click.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("admin", "Who pays the gas (anyone may finalize)")
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
def cli(provider, account, project_id) -> None:
    """Finalize the pending report of --project; its credits are minted to the project owner.

    With a challenge window of 0 (the devnet default) reports finalize when submitted and there is
    nothing left to do here.
    """
    registry, _ = contracts(provider)
    event = finalize_report(registry, pick_account(provider, account, "admin"), project_id)
    click.echo(
        f"report {event.report_id} of project {project_id} finalized: {event.minted_t} t-CO2 "
        f"minted as token {event.token_id} (carry {event.carry_g} g to the next report)"
    )
