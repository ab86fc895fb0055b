"""Grid emission factors on chain: set from the CSV table, show (`ape run factors ...`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from ape.cli import ConnectedProviderCommand, account_option, network_option

from scripts._common import ScriptError, contracts, jst, pick_account, refused

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


def load_table(path: Path | None):
    """The methodology's factor table (the shipped CSV when `path` is None), errors made clear."""
    from methodology.errors import FactorError
    from methodology.factors import load_factors

    try:
        return load_factors(path)
    except FactorError as err:
        raise ScriptError(str(err)) from err


def set_factor(
    registry: ContractInstance, admin: AccountAPI, fiscal_year: int, factor_g_per_mwh: int
) -> str:
    """Put one fiscal year's factor on chain with its JST bounds; 'set', 'unchanged' or 'locked'."""
    from methodology.fiscal import fiscal_year_bounds

    starts_at, ends_at = fiscal_year_bounds(fiscal_year)
    current = registry.emission_factors(fiscal_year)
    if (int(current.factor_g_per_mwh), int(current.starts_at), int(current.ends_at)) == (
        factor_g_per_mwh,
        starts_at,
        ends_at,
    ):
        return "unchanged"
    if current.locked:
        raise ScriptError(
            f"FY{fiscal_year}: on chain {current.factor_g_per_mwh} g/MWh is locked (a finalized "
            f"report used it); the table says {factor_g_per_mwh} g/MWh"
        )
    with refused(f"setting FY{fiscal_year} to {factor_g_per_mwh} g-CO2/MWh"):
        registry.set_emission_factor(
            fiscal_year, factor_g_per_mwh, starts_at, ends_at, sender=admin
        )
    return "set"


@click.group()
def cli() -> None:
    """Emission factors per fiscal year (g-CO2/MWh) that the Registry recomputes reductions with."""


@cli.command(name="set", cls=ConnectedProviderCommand)
@network_option()
@account_option(prompt=False, help="Admin (devnet default: test account 0).")
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
    registry, _ = contracts(provider)
    admin = pick_account(provider, account, "admin")
    table = load_table(csv_path)
    missing = [year for year in years if year not in table.rows]
    if missing:
        raise ScriptError(f"{table.name}: no row for fiscal year(s) {missing}")
    for year in years or sorted(table.rows):
        row = table.rows[year]
        outcome = set_factor(registry, admin, year, row.factor_g_per_mwh)
        note = "" if row.verified else "  (row marked unverified in the table)"
        click.echo(f"FY{year}: {row.factor_g_per_mwh} g-CO2/MWh {outcome}{note}")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@click.argument("fiscal_years", type=int, nargs=-1)
def show(provider, fiscal_years) -> None:
    """Show the on-chain factor of FISCAL_YEARS (default: every year in the shipped table)."""
    registry, _ = contracts(provider)
    for year in fiscal_years or sorted(load_table(None).rows):
        record = registry.emission_factors(year)
        if int(record.ends_at) == 0:
            click.echo(f"FY{year}: not set")
            continue
        lock = "locked" if record.locked else "not locked"
        click.echo(
            f"FY{year}: {record.factor_g_per_mwh} g-CO2/MWh for "
            f"[{jst(int(record.starts_at))}, {jst(int(record.ends_at))}) ({lock})"
        )
