"""Issuance, certification and retirement records for the J-Credit registry
(`ape run registry-export`)."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from ape.cli import network_option

from jcredit.documents.registry_export import certification_packages, registry_export
from jcredit.documents.serials import CREDIT_TYPE, SCHEME_SYMBOL
from scripts._cli import ConnectedCommand, echo_banner, out_dir, platform_of, user_errors


@click.command(cls=ConnectedCommand)
@network_option()
@click.option("--project", "project_id", type=click.IntRange(min=1), help="Only this project.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="[out/registry-export]"
)
@click.option(
    "--scheme-symbol",
    default=SCHEME_SYMBOL,
    show_default=True,
    help="Scheme symbol of certified credits' identifiers (JC, JCL; format not verified "
    "against the registry's specification).",
)
@click.option(
    "--credit-type",
    default=CREDIT_TYPE,
    show_default=True,
    help="Credit type of the identifiers (ER, ERL, FM; not verified either).",
)
def cli(provider, project_id, out, scheme_symbol, credit_type) -> None:
    """Write issuances.csv (project, fiscal year, monitoring period, amount, serial range, the
    round that certified it), retirements.csv (beneficiary, purpose, serials, the round drawn
    on, project, holder, tx), certifications.csv and, per certification round,
    certification-<id>/round.json: the reports it covers (periods, data URIs, Merkle roots, the
    methodology's results), their meters and certification expiry, the round's issuance and
    retirements with the scheme identifiers (SYMBOL/TYPE/<certification number>-NNNNNN)."""
    platform = platform_of(provider)
    target = out or out_dir("registry-export")
    with user_errors():
        issuances, retired = registry_export(
            platform, target, project_id, scheme_symbol, credit_type
        )
        table, packages = certification_packages(
            platform, target, project_id, scheme_symbol, credit_type
        )
    # The exports carry a validity column; say it here too, once per distinct value.
    notices = set()
    for path in (issuances, retired, table):
        with path.open(newline="", encoding="utf-8") as handle:
            notices |= {row["validity"] for row in csv.DictReader(handle) if row["validity"]}
    for notice in sorted(notices):
        echo_banner(notice)
    click.echo(f"issuances    {issuances}")
    click.echo(f"retirements  {retired}")
    click.echo(f"rounds       {table}")
    for package in packages:
        click.echo(f"round        {package}")
