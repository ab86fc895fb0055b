"""Issuance and retirement records as CSV for the J-Credit registry (`ape run registry-export`)."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from ape.cli import network_option

from jcredit.documents.registry_export import registry_export
from scripts._cli import ConnectedCommand, echo_banner, out_dir, platform_of, user_errors


@click.command(cls=ConnectedCommand)
@network_option()
@click.option("--project", "project_id", type=click.IntRange(min=1), help="Only this project.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="[out/registry-export]"
)
def cli(provider, project_id, out) -> None:
    """Write issuances.csv (project, fiscal year, monitoring period, amount, serial range) and
    retirements.csv (beneficiary, purpose, serials, project, holder, tx) from chain events."""
    platform = platform_of(provider)
    with user_errors():
        issuances, retired = registry_export(
            platform, out or out_dir("registry-export"), project_id
        )
    # The exports carry a validity column; say it here too, once per distinct value.
    notices = set()
    for path in (issuances, retired):
        with path.open(newline="", encoding="utf-8") as handle:
            notices |= {row["validity"] for row in csv.DictReader(handle) if row["validity"]}
    for notice in sorted(notices):
        echo_banner(notice)
    click.echo(f"issuances    {issuances}")
    click.echo(f"retirements  {retired}")
