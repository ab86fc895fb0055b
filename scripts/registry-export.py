"""Issuance and retirement records as CSV for the J-Credit registry (`ape run registry-export`)."""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from jcredit.documents.registry_export import registry_export
from scripts._cli import out_dir, platform_of, user_errors


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--project", "project_id", type=click.IntRange(min=1), help="Only this project.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="[out/registry-export]"
)
def cli(provider, project_id, out) -> None:
    """Write issuances.csv (project, fiscal year, monitoring period, amount, serial range) and
    retirements.csv (beneficiary, purpose, memo, holder, tx) from chain events."""
    platform = platform_of(provider)
    with user_errors():
        issuances, retired = registry_export(
            platform, out or out_dir("registry-export"), project_id
        )
    click.echo(f"issuances    {issuances}")
    click.echo(f"retirements  {retired}")
