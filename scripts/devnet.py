"""Devnet tools (`ape run devnet ...`): local networks only.

`advance-time` moves the devnet's clock forward, e.g. past a report's challenge window so it can
be finalized, past the two-day admin delay after launch, or past an oracle's unbonding delay.
"""

from __future__ import annotations

import click
from ape.cli import network_option

from jcredit.devnet import advance_time
from methodology.fiscal import to_iso
from scripts._cli import ConnectedCommand, active, user_errors


@click.group()
def cli() -> None:
    """Tools for local devnets (anvil, Ape's embedded chain)."""


@cli.command(name="advance-time", cls=ConnectedCommand)
@network_option()
@click.option(
    "--seconds",
    type=click.IntRange(min=1),
    required=True,
    help="How far to move the clock (3601 passes a one-hour challenge window).",
)
def advance_time_(provider, seconds) -> None:
    """Move the devnet's clock forward and mine a block at the new time."""
    with user_errors():
        head = advance_time(active(provider), seconds)
    click.echo(f"devnet time is now {to_iso(head)} ({seconds} s later)")
