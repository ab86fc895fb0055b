"""A simulated plant's signed meter data for a registered project (`ape run simulate`).

Writes what a real site's data logger would deliver - readings CSV, the meters' EIP-712 signatures
and the site config the oracle reads - for trying the platform without hardware. The simulated
meters' keys are derived from a public seed: for devnets and demos only.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import network_option

from methodology.fiscal import fiscal_year_bounds, to_iso
from oracles.simulator import Plant, write_site
from oracles.site import load_site
from scripts._cli import ConnectedCommand, ScriptError, out_dir, platform_of, user_errors


@click.command(cls=ConnectedCommand)
@network_option()
@click.option(
    "--project",
    "project_id",
    type=click.IntRange(min=1),
    required=True,
    help="Registered project id; its capacity sizes the plant.",
)
@click.option(
    "--fiscal-year",
    type=click.IntRange(2000, 65535),
    required=True,
    help="Fiscal year to simulate (April-March, JST); it must have ended on the chain's clock.",
)
@click.option("--latitude", type=float, default=34.71, show_default=True)
@click.option("--longitude", type=float, default=137.73, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Weather and meter-key seed.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="[out/site-PROJECT]")
def cli(provider, project_id, fiscal_year, latitude, longitude, seed, out) -> None:
    """Simulate a fiscal year of 30-minute signed readings for a registered project's plant."""
    from ape import chain

    platform = platform_of(provider)
    with user_errors():
        capacity_w = platform.registry.project(project_id).capacity_w
    start, end = fiscal_year_bounds(fiscal_year)
    if end > chain.blocks.head.timestamp:
        raise ScriptError(
            f"FY{fiscal_year} ends {to_iso(end)}, after the chain's time: the contract only takes "
            "periods that are over, pick a fiscal year that has ended"
        )
    plant = Plant(latitude=latitude, longitude=longitude, capacity_w=capacity_w)
    path = write_site(
        out or out_dir(f"site-{project_id}"),
        project_id,
        chain.chain_id,
        platform.registry.address,
        start,
        end,
        plant,
        seed=seed,
    )
    click.echo(f"site config {path} ({capacity_w} W at {latitude}, {longitude})")
    for meter in load_site(path).meters:
        click.echo(f"  {meter.kind:<11} meter {meter.serial}  {meter.address}")
