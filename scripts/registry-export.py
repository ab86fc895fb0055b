"""Issuance and retirement records as CSV for the J-Credit registry (`ape run registry-export`)."""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import contracts, load_deployment, out_dir
from scripts._outputs import registry_export


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--project", "project_id", type=click.IntRange(min=1), help="Only this project.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="[out/registry-export]"
)
def cli(provider, project_id, out) -> None:
    """Write issuances.csv (project, fiscal year, monitoring period, amount, serial range) and
    retirements.csv (beneficiary, purpose, memo, holder, tx) from chain events."""
    registry, credit = contracts(provider)
    if project_id is not None:
        from scripts._registry import check_project

        check_project(registry, project_id)
    issuances, retired = registry_export(
        registry, credit, load_deployment(provider), out or out_dir("registry-export"), project_id
    )
    click.echo(f"issuances    {issuances}")
    click.echo(f"retirements  {retired}")
