"""Meters: register, approve, revoke, list (`ape run meter ...`)."""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import (
    account_option,
    checksum_address,
    contracts,
    load_deployment,
    parse_jst,
    pick_account,
    utf8_limit,
)
from scripts._registry import (
    KINDS,
    approve_meter,
    check_project,
    describe_meter,
    project_meters,
    register_meter,
    revoke_meter,
)


@click.group()
def cli() -> None:
    """Register, approve, revoke and list a project's meters."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("owner")
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
@click.option(
    "--address",
    "meter",
    required=True,
    callback=checksum_address,
    help="The meter's signing address (its id).",
)
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option(
    "--serial", required=True, callback=utf8_limit(64), help="Serial number (<= 64 bytes)."
)
@click.option(
    "--certification-expiry",
    required=True,
    help="Measurement Act certification expiry: YYYY-MM-DD (JST) or ISO 8601.",
)
def register(provider, account, project_id, meter, kind, serial, certification_expiry) -> None:
    """Register a meter for a project (project owner). It reports once a validator approves it."""
    registry, _ = contracts(provider)
    owner = pick_account(provider, account, "owner")
    expiry = parse_jst(certification_expiry, "--certification-expiry")
    register_meter(registry, owner, project_id, meter, kind, serial, expiry)
    click.echo(f"{kind} meter {meter} registered for project {project_id} (PENDING)")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("validator")
@click.argument("meter", callback=checksum_address)
def approve(provider, account, meter) -> None:
    """Approve a registered meter (validator)."""
    registry, _ = contracts(provider)
    approve_meter(registry, pick_account(provider, account, "validator"), meter)
    click.echo(f"meter {meter}: APPROVED")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("validator", "The project owner or a validator")
@click.argument("meter", callback=checksum_address)
def revoke(provider, account, meter) -> None:
    """Revoke a meter, e.g. a compromised one (project owner or validator)."""
    registry, _ = contracts(provider)
    revoke_meter(registry, pick_account(provider, account, "validator"), meter)
    click.echo(f"meter {meter}: REVOKED")


@cli.command(name="list", cls=ConnectedProviderCommand)
@network_option()
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
def list_(provider, project_id) -> None:
    """List a project's meters with kind, status, certification and last reading."""
    registry, _ = contracts(provider)
    check_project(registry, project_id)
    meters = project_meters(registry, load_deployment(provider).block, project_id)
    if not meters:
        click.echo(f"project {project_id} has no meters")
    for meter in meters:
        row = describe_meter(meter, registry.meters(meter))
        click.echo(
            f"{row['meter']}  {row['kind']:<16} {row['status']:<9} serial {row['serial']}  "
            f"certified until {row['certification_expiry']}  last {row['last_timestamp']}"
        )
