"""Grid emission factors on chain: set from the CSV table, show (`ape run factors ...`)."""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import network_option

from jcredit.validity import BANNER_PREFIX
from methodology.factors import load_factors
from methodology.fiscal import to_iso
from scripts._cli import (
    ConnectedCommand,
    ScriptError,
    account_option,
    echo_banner,
    platform_of,
    sender_for,
    user_errors,
)


@click.group()
def cli() -> None:
    """Emission factors per fiscal year (g-CO2/MWh) that the Registry recomputes reductions with."""


@cli.command(name="set", cls=ConnectedCommand)
@network_option()
@account_option("admin")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="fiscal_year,factor_g_per_mwh,source,verified (default: the methodology's table).",
)
@click.option(
    "--fiscal-year",
    "years",
    type=int,
    multiple=True,
    help="Only these fiscal years (repeatable; default: every row).",
)
def set_(provider, account, csv_path, years) -> None:
    """Set factors from the CSV; rows already on chain with the same value are left alone."""
    platform = platform_of(provider)
    admin = sender_for(provider, account, "admin")
    with user_errors():
        table = load_factors(csv_path)
        missing = [year for year in years if year not in table.rows]
        if missing:
            raise ScriptError(f"{table.name}: no row for fiscal year(s) {missing}")
        for year in years or sorted(table.rows):
            row = table.rows[year]
            outcome = platform.registry.set_emission_factor(admin, year, row.factor_g_per_mwh)
            click.echo(f"FY{year}: {row.factor_g_per_mwh} g-CO2/MWh {outcome}")
            reason = table.placeholder_reason(year)
            if reason:
                echo_banner(f"  {BANNER_PREFIX}: {reason}")


@cli.command(cls=ConnectedCommand)
@network_option()
@click.argument("fiscal_years", type=int, nargs=-1)
def show(provider, fiscal_years) -> None:
    """Show the on-chain factor of FISCAL_YEARS (default: every year in the shipped table)."""
    platform = platform_of(provider)
    table = load_factors(None)
    for year in fiscal_years or sorted(table.rows):
        record = platform.registry.emission_factor(year)
        if record.factor_g_per_mwh == 0:
            click.echo(f"FY{year}: not set")
            continue
        lock = (
            "locked: a report used it, it can no longer change"
            if record.locked
            else "not locked: the admin may still change it until a report uses it"
        )
        click.echo(
            f"FY{year}: {record.factor_g_per_mwh} g-CO2/MWh for "
            f"[{to_iso(record.starts_at)}, {to_iso(record.ends_at)}) ({lock})"
        )
        reason = table.placeholder_reason(year, record.factor_g_per_mwh)
        if reason:
            echo_banner(f"  {BANNER_PREFIX}: {reason}")
