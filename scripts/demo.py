"""End-to-end demo on a local devnet (`make demo`): one plant, one fiscal year, to retirement.

Roles are the devnet test accounts (keys of the public "test test ... junk" mnemonic, never for real
funds): 0 admin, 1 validator, 2 project owner, 3 oracle, 4 buyer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import ScriptError, network_label, out_dir, write_json
from scripts._demo import DemoPlan, run_demo


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory, emptied first [out/demo].",
)
def cli(provider, out) -> None:
    """Deploy, register a 49.5 kW plant in Hamamatsu, report a fiscal year, transfer and retire."""
    if not provider.network.is_local:
        raise ScriptError(
            f"the demo plays every role with devnet test accounts: run it on a local network, "
            f"not {network_label(provider)}"
        )
    from ape.logging import LogLevel, logger

    # One "Confirmed 0x..." line per transaction would bury the story (-v DEBUG shows them).
    if logger.level == LogLevel.INFO:
        logger.set_level(LogLevel.WARNING)
    out = out or out_dir("demo")
    if out.exists():
        shutil.rmtree(out)
    summary = run_demo(provider, DemoPlan(), out, echo=click.echo)
    path = out / "summary.json"
    write_json(path, summary)
    click.echo(f"summary: {path}")
