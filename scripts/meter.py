"""Meters: register, approve, revoke, list (`ape run meter ...`)."""

from __future__ import annotations

import click
from ape.cli import network_option

from jcredit.history import project_meters
from jcredit.types import MeterKind
from methodology.fiscal import to_iso
from scripts._cli import (
    ConnectedCommand,
    account_option,
    checksum_address,
    platform_of,
    sender_for,
    time_option_value,
    user_errors,
    utf8_limit,
)


@click.group()
def cli() -> None:
    """Register, approve, revoke and list a project's meters."""


@cli.command(cls=ConnectedCommand)
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
@click.option("--kind", type=click.Choice(MeterKind.names()), required=True)
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
    platform = platform_of(provider)
    owner = sender_for(provider, account, "owner")
    expiry = time_option_value(certification_expiry, "--certification-expiry")
    with user_errors():
        platform.registry.register_meter(
            owner, project_id, meter, MeterKind.from_name(kind), serial, expiry
        )
    click.echo(f"{kind} meter {meter} registered for project {project_id} (PENDING)")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("validator")
@click.argument("meter", callback=checksum_address)
def approve(provider, account, meter) -> None:
    """Approve a registered meter (validator)."""
    platform = platform_of(provider)
    with user_errors():
        platform.registry.approve_meter(sender_for(provider, account, "validator"), meter)
    click.echo(f"meter {meter}: APPROVED")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("validator", "The project owner or a validator")
@click.argument("meter", callback=checksum_address)
def revoke(provider, account, meter) -> None:
    """Revoke a compromised meter (project owner or validator)."""
    platform = platform_of(provider)
    with user_errors():
        platform.registry.revoke_meter(sender_for(provider, account, "validator"), meter)
    click.echo(f"meter {meter}: REVOKED")


@cli.command(name="list", cls=ConnectedCommand)
@network_option()
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
def list_(provider, project_id) -> None:
    """List a project's meters with kind, status, certification and last reading."""
    platform = platform_of(provider)
    with user_errors():
        platform.registry.project(project_id)
    meters = project_meters(platform.registry.contract, platform.deployment.block, project_id)
    if not meters:
        click.echo(f"project {project_id} has no meters")
    for address in meters:
        meter = platform.registry.meter(address)
        last = to_iso(meter.last_timestamp) if meter.last_timestamp else "-"
        click.echo(
            f"{address}  {meter.kind.label:<16} {meter.status.name:<9} serial {meter.serial}  "
            f"certified until {to_iso(meter.certification_expiry)}  last {last}"
        )
