"""Meters: register, approve, revoke, list (`ape run meter ...`)."""

from __future__ import annotations

import click
from ape.cli import network_option

from jcredit.history import project_meters
from jcredit.types import MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, MeterKind
from methodology.fiscal import to_iso
from oracles.site import DEFAULT_INTERVAL_SECONDS
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


def signature_value(ctx: click.Context, param: click.Parameter, value: str | None) -> bytes | None:
    """click callback: a 65-byte signature given as 0x-hex."""
    if value is None:
        return None
    try:
        signature = bytes.fromhex(value.removeprefix("0x")) if value.startswith("0x") else b""
    except ValueError:
        signature = b""
    if len(signature) != 65:
        raise click.BadParameter("expected 0x followed by 130 hex digits (65 bytes: r, s, v)")
    return signature


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
@click.option(
    "--interval-seconds",
    type=click.IntRange(MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS),
    default=DEFAULT_INTERVAL_SECONDS,
    show_default=True,
    help="The meter's metering interval: a report's boundary reading lies within one interval "
    "before the boundary.",
)
@click.option(
    "--meter-signature",
    required=True,
    callback=signature_value,
    help="The meter's EIP-712 MeterRegistration signature (0x...) of (project, this owner, "
    "serial) for this Registry: the meter produces it (`ape run simulate` prints it for "
    "simulated meters).",
)
def register(
    provider,
    account,
    project_id,
    meter,
    kind,
    serial,
    certification_expiry,
    interval_seconds,
    meter_signature,
) -> None:
    """Register a meter for a project (project owner). It reports once a validator approves it."""
    platform = platform_of(provider)
    owner = sender_for(provider, account, "owner")
    expiry = time_option_value(certification_expiry, "--certification-expiry")
    with user_errors():
        platform.registry.register_meter(
            owner,
            project_id,
            meter,
            MeterKind.from_name(kind),
            serial,
            expiry,
            interval_seconds,
            meter_signature,
        )
    click.echo(
        f"{kind} meter {meter} registered for project {project_id} "
        f"({interval_seconds} s interval, PENDING)"
    )


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("validator")
@click.argument("meter", callback=checksum_address)
@click.option(
    "--certification-expiry",
    required=True,
    help="The expiry on the meter's certificate (YYYY-MM-DD JST or ISO 8601); it must match "
    "the registered one.",
)
def approve(provider, account, meter, certification_expiry) -> None:
    """Approve a registered meter (validator), confirming its certification expiry."""
    platform = platform_of(provider)
    expiry = time_option_value(certification_expiry, "--certification-expiry")
    with user_errors():
        platform.registry.approve_meter(sender_for(provider, account, "validator"), meter, expiry)
    click.echo(f"meter {meter}: APPROVED (certified until {to_iso(expiry)})")


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
    """List a project's meters: kind, status, interval, certification, last accepted reading."""
    platform = platform_of(provider)
    with user_errors():
        platform.registry.project(project_id)
    meters = project_meters(platform.registry.contract, platform.deployment.block, project_id)
    if not meters:
        click.echo(f"project {project_id} has no meters")
    epoch = platform.reports.monitoring_epoch(project_id)
    for address in meters:
        meter = platform.registry.meter(address)
        last = platform.reports.last_reading(address)
        if last.timestamp == 0:
            reading = "no reading accepted"
        else:
            is_baseline = last.baseline(meter.registration, epoch) is not None
            reading = f"last {last.cumulative_wh} Wh at {to_iso(last.timestamp)}"
            reading += "" if is_baseline else " (not a baseline: the next report carries a start)"
        click.echo(
            f"{address}  {meter.kind.label:<16} {meter.status.name:<9} serial {meter.serial}  "
            f"{meter.interval_seconds} s  certified until {to_iso(meter.certification_expiry)}  "
            f"{reading}"
        )
