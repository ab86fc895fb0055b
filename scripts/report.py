"""Reports people read: monthly table + chart, retirement certificates (`ape run report ...`)."""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import network_option

from jcredit.deployment import network_label
from jcredit.documents.certificate import certificate, certificate_files
from jcredit.documents.monthly import monthly_report
from jcredit.types import split_token_id
from jcredit.validity import banner
from scripts._cli import (
    ConnectedCommand,
    active,
    echo_banner,
    out_dir,
    platform_of,
    resolve_token,
    token_options,
    user_errors,
)


@click.group()
def cli() -> None:
    """Monthly monitoring reports and retirement certificates, read from chain events."""


@cli.command(cls=ConnectedCommand)
@network_option()
@token_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="[out/reports]")
def monthly(provider, token, project_id, fiscal_year, out) -> None:
    """Per month: generation, export, self-consumption, reduction, credits (CSV and PNG)."""
    platform = platform_of(provider)
    project_id, fiscal_year = split_token_id(resolve_token(token, project_id, fiscal_year))
    with user_errors():
        files = monthly_report(platform, project_id, fiscal_year, out or out_dir("reports"))
    echo_banner(files.validity)
    minted = sum(row.credits_t for row in files.rows)
    click.echo(f"project {project_id} FY{fiscal_year}: {len(files.rows)} reports, {minted} t-CO2")
    click.echo(f"  table  {files.csv}")
    click.echo(f"  chart  {files.chart}")


@cli.command(name="certificate", cls=ConnectedCommand)
@network_option()
@click.option("--retirement-id", type=click.IntRange(min=1), required=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="[out/certificates]")
def certificate_(provider, retirement_id, out) -> None:
    """A retirement certificate (HTML and PDF) with every on-chain reference to check it."""
    platform = platform_of(provider)
    with user_errors():
        cert = certificate(platform, network_label(active(provider)), retirement_id)
    html, pdf = certificate_files(cert, out or out_dir("certificates"))
    echo_banner(banner(cert.validity))
    click.echo(f"retirement {retirement_id}: {cert.amount_t} t-CO2 for {cert.beneficiary}")
    click.echo(f"  html  {html}")
    click.echo(f"  pdf   {pdf}")
