"""Finalize a pending monitoring report once its challenge window closed (`ape run finalize`)."""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand, network_option

from oracles.roles import ReportStatus
from scripts._common import ScriptError, account_option, contracts, jst, pick_account
from scripts._registry import check_project, finalize_report


@click.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("admin", "Who pays the gas (anyone may finalize)")
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
def cli(provider, account, project_id) -> None:
    """Finalize the pending report of --project; its credits are minted to the project owner.

    With a challenge window of 0 (the devnet default) reports finalize when submitted and there is
    nothing left to do here. Refused while the window is open or the report is disputed.
    """
    from ape import chain

    registry, _ = contracts(provider)
    check_project(registry, project_id)
    pending = registry.pending_report(project_id)
    if int(pending.status) == ReportStatus.NONE:
        click.echo(f"project {project_id} has no pending report: nothing to finalize")
        return
    if int(pending.status) == ReportStatus.DISPUTED:
        raise ScriptError(
            f"report {pending.report_id} of project {project_id} is disputed: a validator resolves "
            "the dispute first"
        )
    deadline = int(pending.challenge_deadline)
    if chain.pending_timestamp < deadline:
        raise ScriptError(
            f"report {pending.report_id} of project {project_id} is in its challenge window until "
            f"{jst(deadline)}: finalize after that"
        )
    event = finalize_report(registry, pick_account(provider, account, "admin"), project_id)
    click.echo(
        f"report {event.report_id} of project {project_id} finalized: {event.minted_t} t-CO2 "
        f"minted as token {event.token_id} (carry {event.carry_g} g to the next report)"
    )
