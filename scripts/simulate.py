"""A simulated plant's signed meter data for a registered project (`ape run simulate`).

Writes what a real site's data logger would deliver - readings CSV, the meters' EIP-712 signatures
and the site config the oracle reads, with each meter's registration signature for the project's
owner - for trying the platform without hardware, and prints the commands that register and
approve the meters. The simulated meters' keys are derived from a public seed and never written:
for devnets and demos only.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import network_option

from jcredit.deployment import network_label
from methodology.fiscal import fiscal_year_bounds, to_iso
from oracles.simulator import Plant, write_site
from oracles.site import load_site
from scripts._cli import ConnectedCommand, ScriptError, active, out_dir, platform_of, user_errors


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
@click.option(
    "--certification-expiry",
    default="2032-03-31",
    show_default=True,
    help="The simulated meters' certification expiry, for the printed commands.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="[out/site-PROJECT]")
def cli(
    provider, project_id, fiscal_year, latitude, longitude, seed, certification_expiry, out
) -> None:
    """Simulate a fiscal year of 30-minute signed readings for a registered project's plant;
    its meters sign their registration for the project's owner."""
    from ape import chain

    platform = platform_of(provider)
    with user_errors():
        project = platform.registry.project(project_id)
    start, end = fiscal_year_bounds(fiscal_year)
    if end > chain.blocks.head.timestamp:
        raise ScriptError(
            f"FY{fiscal_year} ends {to_iso(end)}, after the chain's time: the contract only takes "
            "periods that are over, pick a fiscal year that has ended"
        )
    plant = Plant(latitude=latitude, longitude=longitude, capacity_w=project.capacity_w)
    path = write_site(
        out or out_dir(f"site-{project_id}"),
        project_id,
        chain.chain_id,
        platform.registry.address,
        start,
        end,
        plant,
        seed=seed,
        owner=project.owner,
    )
    click.echo(f"site config {path} ({project.capacity_w} W at {latitude}, {longitude})")
    site = load_site(path)
    for meter in site.meters:
        click.echo(f"  {meter.kind:<11} meter {meter.serial}  {meter.address}")
    network = network_label(active(provider))
    click.echo(f"the owner {project.owner} registers the meters, then a validator approves them:")
    for meter in site.meters:
        click.echo(
            f"  ape run meter register --project {project_id} --address {meter.address} "
            f"--kind {meter.kind} --serial {meter.serial} --certification-expiry "
            f"{certification_expiry} --interval-seconds {meter.interval_seconds} "
            f"--meter-signature 0x{meter.registration_signature.hex()} --network {network}"
        )
    for meter in site.meters:
        click.echo(
            f"  ape run meter approve {meter.address} --certification-expiry "
            f"{certification_expiry} --network {network}"
        )
