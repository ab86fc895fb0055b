"""Grid emission factors on chain: set from the CSV table, activate, show (`ape run factors ...`).

`ape run deploy` sets every row of the table before launch, where a factor takes effect at once.
After launch a new or changed factor is scheduled: it takes effect two days later, when anyone
activates it (`factors activate`), unless a report has used (locked) the year by then.
"""

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
    """Set factors from the CSV (admin); rows already on chain with the same value are left
    alone. After launch a change is scheduled: the output says when it can be activated."""
    platform = platform_of(provider)
    admin = sender_for(provider, account, "admin")
    with user_errors():
        table = load_factors(csv_path)
        missing = [year for year in years if year not in table.rows]
        if missing:
            raise ScriptError(f"{table.name}: no row for fiscal year(s) {missing}")
        for year in years or sorted(table.rows):
            row = table.rows[year]
            change = platform.registry.set_emission_factor(admin, year, row.factor_g_per_mwh)
            when = ""
            if change.eta:
                when = (
                    f": activate from {to_iso(change.eta)} with `ape run factors activate "
                    f"--fiscal-year {year}`"
                )
            click.echo(f"FY{year}: {row.factor_g_per_mwh} g-CO2/MWh {change.outcome}{when}")
            reason = table.placeholder_reason(year)
            if reason:
                echo_banner(f"  {BANNER_PREFIX}: {reason}")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("admin", "Who pays the gas (anyone may activate)")
@click.option("--fiscal-year", "years", type=int, multiple=True, required=True, help="Repeatable.")
def activate(provider, account, years) -> None:
    """Make scheduled factors take effect once their two-day delay has passed (anyone)."""
    from ape import chain

    platform = platform_of(provider)
    sender = sender_for(provider, account, "admin")
    table = load_factors(None)
    with user_errors():
        for year in years:
            record = platform.registry.emission_factor(year)
            if record.scheduled_eta == 0:
                raise ScriptError(f"FY{year}: no factor change is scheduled")
            if chain.pending_timestamp < record.scheduled_eta:
                raise ScriptError(
                    f"FY{year}: the scheduled {record.scheduled_factor_g_per_mwh} g-CO2/MWh can be "
                    f"activated from {to_iso(record.scheduled_eta)}, not yet"
                )
            record = platform.registry.activate_emission_factor(sender, year)
            click.echo(f"FY{year}: {record.factor_g_per_mwh} g-CO2/MWh in effect")
            reason = table.placeholder_reason(year, record.factor_g_per_mwh)
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
        if record.factor_g_per_mwh == 0 and record.scheduled_eta == 0:
            click.echo(f"FY{year}: not set")
            continue
        lock = (
            "locked: a report used it, it can no longer change"
            if record.locked
            else "not locked: the admin may still change it until a report uses it"
        )
        scheduled = ""
        if record.scheduled_eta:
            scheduled = (
                f"; {record.scheduled_factor_g_per_mwh} g-CO2/MWh scheduled from "
                f"{to_iso(record.scheduled_eta)}"
            )
        click.echo(
            f"FY{year}: {record.factor_g_per_mwh} g-CO2/MWh for "
            f"[{to_iso(record.starts_at)}, {to_iso(record.ends_at)}) ({lock}{scheduled})"
        )
        if record.factor_g_per_mwh:
            reason = table.placeholder_reason(year, record.factor_g_per_mwh)
            if reason:
                echo_banner(f"  {BANNER_PREFIX}: {reason}")
