"""Meters: register, approve, revoke, list (`ape run meter ...`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from ape.cli import ConnectedProviderCommand, account_option, network_option

from oracles.roles import MeterKind, MeterStatus
from scripts._common import (
    ScriptError,
    contracts,
    jst,
    load_deployment,
    parse_jst,
    pick_account,
    refused,
)
from scripts.project import check_project

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance

KINDS = [kind.name.lower() for kind in MeterKind]


def check_meter(registry: ContractInstance, meter: str) -> Any:
    """The meter's struct, or a clear error for an address that was never registered."""
    record = registry.meters(meter)
    if int(record.project_id) == 0:
        raise ScriptError(f"unknown meter {meter}: it is not registered with any project")
    return record


def register_meter(
    registry: ContractInstance,
    owner: AccountAPI,
    project_id: int,
    meter: str,
    kind: str,
    serial: str,
    certification_expiry: int,
) -> None:
    check_project(registry, project_id)
    with refused(f"registering {kind} meter {meter} for project {project_id}"):
        registry.register_meter(
            project_id, meter, MeterKind.from_name(kind), serial, certification_expiry, sender=owner
        )


def approve_meter(registry: ContractInstance, validator: AccountAPI, meter: str) -> None:
    check_meter(registry, meter)
    with refused(f"approving meter {meter} by {validator.address}"):
        registry.approve_meter(meter, sender=validator)


def revoke_meter(registry: ContractInstance, account: AccountAPI, meter: str) -> None:
    check_meter(registry, meter)
    with refused(f"revoking meter {meter} by {account.address}"):
        registry.revoke_meter(meter, sender=account)


def describe(meter: str, record: Any) -> dict[str, Any]:
    return {
        "meter": meter,
        "project_id": int(record.project_id),
        "kind": MeterKind(int(record.kind)).name.lower(),
        "status": MeterStatus(int(record.status)).name,
        "serial": record.serial,
        "certification_expiry": jst(int(record.certification_expiry)),
        "last_timestamp": jst(int(record.last_timestamp)) if record.last_timestamp else "-",
        "last_cumulative_wh": int(record.last_cumulative_wh),
    }


def project_meters(registry: ContractInstance, start_block: int, project_id: int) -> list[str]:
    """Every meter ever registered for the project, in registration order (from events)."""
    seen: list[str] = []
    for log in registry.MeterRegistered.range(
        start_block, search_topics={"project_id": project_id}
    ):
        if log.meter not in seen:
            seen.append(log.meter)
    return seen


@click.group()
def cli() -> None:
    """Register, approve, revoke and list a project's meters."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option(prompt=False, help="Project owner (devnet default: test account 2).")
@click.option("--project", "project_id", type=click.IntRange(min=1), required=True)
@click.option("--address", "meter", required=True, help="The meter's signing address (its id).")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--serial", required=True, help="Serial number (<= 64 characters).")
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
@account_option(prompt=False, help="Validator (devnet default: test account 1).")
@click.argument("meter")
def approve(provider, account, meter) -> None:
    """Approve a registered meter (validator)."""
    registry, _ = contracts(provider)
    approve_meter(registry, pick_account(provider, account, "validator"), meter)
    click.echo(f"meter {meter}: APPROVED")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option(prompt=False, help="Project owner or validator (devnet default: test account 1).")
@click.argument("meter")
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
        row = describe(meter, registry.meters(meter))
        click.echo(
            f"{row['meter']}  {row['kind']:<16} {row['status']:<9} serial {row['serial']}  "
            f"certified until {row['certification_expiry']}  last {row['last_timestamp']}"
        )
