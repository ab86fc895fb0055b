"""Projects: register, approve, reject, suspend, resume, show, list (`ape run project ...`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from ape.cli import ConnectedProviderCommand, account_option, network_option

from oracles.roles import ProjectStatus
from scripts._common import (
    ScriptError,
    contracts,
    jst,
    parse_jst,
    pick_account,
    refused,
)

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance

EIGHT_YEARS_S = 8 * 365 * 86400  # crediting period cap (DESIGN.md); the contract is the judge


def check_project(registry: ContractInstance, project_id: int) -> Any:
    """The project's struct, or a clear error for an id that was never registered."""
    count = registry.project_count()
    if not 1 <= project_id <= count:
        raise ScriptError(f"unknown project {project_id}: this registry has projects 1..{count}")
    return registry.projects(project_id)


def register_project(
    registry: ContractInstance,
    owner: AccountAPI,
    capacity_w: int,
    commissioning_date: int,
    crediting_start: int,
    crediting_end: int,
    metadata_uri: str,
    methodology_id: str = "EN-R-002",
) -> int:
    """Register a project owned by `owner`; returns its id (from the ProjectRegistered event)."""
    with refused(f"registering a {capacity_w} W project"):
        receipt = registry.register_project(
            capacity_w,
            commissioning_date,
            crediting_start,
            crediting_end,
            methodology_id,
            metadata_uri,
            sender=owner,
        )
    (event,) = receipt.events.filter(registry.ProjectRegistered)
    return int(event.project_id)


def set_status(
    registry: ContractInstance,
    validator: AccountAPI,
    action: str,
    project_id: int,
    reason: str = "",
) -> None:
    """approve / reject / suspend / resume a project as a validator."""
    check_project(registry, project_id)
    method = getattr(registry, f"{action}_project")
    args = (project_id, reason) if action in ("reject", "suspend") else (project_id,)
    with refused(f"{action} project {project_id} by {validator.address}"):
        method(*args, sender=validator)


def describe(project: Any) -> dict[str, Any]:
    """A project struct as plain, readable values."""
    out = dict(project.items())
    out["status"] = ProjectStatus(int(out["status"])).name
    for key in ("commissioning_date", "crediting_start", "crediting_end"):
        if key in out:
            out[key] = f"{out[key]} ({jst(int(out[key]))})"
    return out


@click.group()
def cli() -> None:
    """Register and manage solar projects (EN-R-002)."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option(prompt=False, help="Project owner (devnet default: test account 2).")
@click.option("--capacity-w", type=click.IntRange(min=1), required=True, help="Rated power in W.")
@click.option("--commissioning-date", required=True, help="YYYY-MM-DD (JST) or ISO 8601.")
@click.option("--crediting-start", help="Start of crediting (default: commissioning date).")
@click.option("--crediting-end", help="End of crediting (default: start + 8 years).")
@click.option("--methodology-id", default="EN-R-002", show_default=True)
@click.option("--metadata-uri", default="", help="Where the project description lives (<=256).")
def register(
    provider,
    account,
    capacity_w,
    commissioning_date,
    crediting_start,
    crediting_end,
    methodology_id,
    metadata_uri,
) -> None:
    """Register a project; the account becomes its owner. Prints the new project id."""
    registry, _ = contracts(provider)
    owner = pick_account(provider, account, "owner")
    commissioned = parse_jst(commissioning_date, "--commissioning-date")
    start = parse_jst(crediting_start, "--crediting-start") if crediting_start else commissioned
    end = parse_jst(crediting_end, "--crediting-end") if crediting_end else start + EIGHT_YEARS_S
    project_id = register_project(
        registry, owner, capacity_w, commissioned, start, end, metadata_uri, methodology_id
    )
    click.echo(f"project {project_id} registered by {owner.address} (PENDING until approved)")


def _status_command(action: str, with_reason: bool) -> click.Command:
    @click.command(name=action, cls=ConnectedProviderCommand)
    @network_option()
    @account_option(prompt=False, help="Validator (devnet default: test account 1).")
    @click.argument("project_id", type=click.IntRange(min=1))
    def command(provider, account, project_id, reason: str = "") -> None:
        registry, _ = contracts(provider)
        validator = pick_account(provider, account, "validator")
        set_status(registry, validator, action, project_id, reason)
        status = describe(registry.projects(project_id))["status"]
        click.echo(f"project {project_id}: {status}")

    command.help = f"{action.capitalize()} a project (validator)."
    if with_reason:
        command = click.option("--reason", required=True, help="Why (stored on chain).")(command)
    return command


for _action, _with_reason in (
    ("approve", False),
    ("reject", True),
    ("suspend", True),
    ("resume", False),
):
    cli.add_command(_status_command(_action, _with_reason))


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@click.argument("project_id", type=click.IntRange(min=1))
def show(provider, project_id) -> None:
    """Show one project as stored on chain."""
    registry, _ = contracts(provider)
    project = describe(check_project(registry, project_id))
    click.echo(f"project {project_id}")
    for key, value in project.items():
        click.echo(f"  {key:20} {value}")


@cli.command(name="list", cls=ConnectedProviderCommand)
@network_option()
def list_(provider) -> None:
    """List every project: id, status, owner, capacity."""
    registry, _ = contracts(provider)
    count = registry.project_count()
    if count == 0:
        click.echo("no projects registered")
    for project_id in range(1, count + 1):
        project = describe(registry.projects(project_id))
        click.echo(
            f"{project_id:>4}  {project['status']:<10} {project['owner']}  "
            f"{project['capacity_w']} W  {project.get('metadata_uri', '')}"
        )
