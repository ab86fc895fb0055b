"""`ape run watch`: check every report still open to challenge against its published archive and
send a fraud proof for each cheat found. Anyone may run it; a proof that holds pays the cheating
oracle's bond to the watcher's account.

Outcomes, one line per open report: consistent, proven (the report is undone), unverifiable (its
archive is missing, altered or does not rebuild its Merkle root: nothing can be proven, so a
validator should dispute it; exit status 4 with --once) or refused (found, but the chain refused
the proof, e.g. another watcher was first).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from ape.cli import network_option

from oracles.watcher import Outcome, watch_once
from scripts._cli import (
    ConnectedCommand,
    account_option,
    active,
    deployments_option,
    platform_of,
    sender_for,
)

UNVERIFIABLE_EXIT = 4


def pause(seconds: float) -> None:
    """The wait between two rounds of --follow (the only place it sleeps)."""
    time.sleep(seconds)


def describe(outcome: Outcome) -> str:
    head = f"project {outcome.project_id} report {outcome.report_id}: {outcome.verdict}"
    if outcome.proven is not None:
        return (
            f"{head}, {outcome.detail}; report undone, oracle {outcome.proven.oracle} lost its "
            f"role and its bond of {outcome.proven.bond} wei to the watcher "
            f"(tx {outcome.proven.tx_hash})"
        )
    return f"{head} ({outcome.detail})"


@click.command(cls=ConnectedCommand)
@network_option()
@account_option("watcher", "Who sends the proofs and receives the bonds")
@click.option(
    "--archive",
    "archive_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Root of the published archives (the directory holding <project>/<sha256>.csv).",
)
@deployments_option()
@click.option("--follow", is_flag=True, help="Keep watching; Ctrl-C stops.")
@click.option("--interval", default=60, show_default=True, help="Seconds between rounds.")
def cli(provider, account, archive_dir, deployments_file, follow, interval) -> None:
    """Check each challengeable report against its archive; prove every cheat found."""
    from ape import chain

    jc = platform_of(provider, deployments_file)
    sender = sender_for(provider, account, "watcher")
    chain_id = active(provider).chain_id
    try:
        while True:
            outcomes = watch_once(jc, archive_dir, sender, chain.pending_timestamp, chain_id)
            for outcome in outcomes:
                click.echo(describe(outcome))
            if not follow:
                if not outcomes:
                    click.echo("no report open to challenge")
                if any(o.verdict == "unverifiable" for o in outcomes):
                    raise SystemExit(UNVERIFIABLE_EXIT)
                return
            pause(interval)
    except KeyboardInterrupt:
        click.echo("stopped (Ctrl-C)")
