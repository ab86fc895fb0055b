"""Projects: register, approve, reject, suspend, resume, show, list (`ape run project ...`)."""

from __future__ import annotations

import click
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import (
    account_option,
    checksum_address,
    contracts,
    parse_jst,
    pick_account,
    pick_address,
    utf8_limit,
)
from scripts._registry import (
    CREDITING_YEARS,
    check_project,
    describe_project,
    register_project,
    set_oracle,
    set_status,
    years_later,
)


@click.group()
def cli() -> None:
    """Register and manage solar projects (EN-R-002)."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("owner")
@click.option("--capacity-w", type=click.IntRange(min=1), required=True, help="Rated power in W.")
@click.option("--commissioning-date", required=True, help="YYYY-MM-DD (JST) or ISO 8601.")
@click.option("--crediting-start", help="Start of crediting (default: commissioning date).")
@click.option("--crediting-end", help="End of crediting (default: start + 8 years).")
@click.option("--methodology-id", default="EN-R-002", show_default=True, callback=utf8_limit(32))
@click.option(
    "--metadata-uri",
    default="",
    callback=utf8_limit(256),
    help="Where the project description lives (<= 256 bytes).",
)
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
    end = (
        parse_jst(crediting_end, "--crediting-end")
        if crediting_end
        else years_later(start, CREDITING_YEARS)
    )
    project_id = register_project(
        registry, owner, capacity_w, commissioned, start, end, metadata_uri, methodology_id
    )
    click.echo(f"project {project_id} registered by {owner.address} (PENDING until approved)")


def _status_command(action: str, with_reason: bool) -> click.Command:
    @click.command(name=action, cls=ConnectedProviderCommand)
    @network_option()
    @account_option("validator")
    @click.argument("project_id", type=click.IntRange(min=1))
    def command(provider, account, project_id, reason: str = "") -> None:
        registry, _ = contracts(provider)
        validator = pick_account(provider, account, "validator")
        set_status(registry, validator, action, project_id, reason)
        status = describe_project(registry.projects(project_id))["status"]
        click.echo(f"project {project_id}: {status}")

    command.help = f"{action.capitalize()} a project (validator)."
    if with_reason:
        command = click.option(
            "--reason", required=True, callback=utf8_limit(256), help="Why (in the event)."
        )(command)
    return command


for _action, _with_reason in (
    ("approve", False),
    ("reject", True),
    ("suspend", True),
    ("resume", False),
):
    cli.add_command(_status_command(_action, _with_reason))


@cli.command(name="set-oracle", cls=ConnectedProviderCommand)
@network_option()
@account_option("admin")
@click.argument("project_id", type=click.IntRange(min=1))
@click.option(
    "--oracle", callback=checksum_address, help="Oracle address (devnet default: test account 3)."
)
def set_oracle_(provider, account, project_id, oracle) -> None:
    """Assign the oracle that submits the project's monitoring reports (admin)."""
    registry, _ = contracts(provider)
    admin = pick_account(provider, account, "admin")
    oracle = pick_address(provider, oracle, "oracle", "--oracle")
    set_oracle(registry, admin, project_id, oracle)
    click.echo(f"project {project_id}: oracle {oracle}")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@click.argument("project_id", type=click.IntRange(min=1))
def show(provider, project_id) -> None:
    """Show one project as stored on chain."""
    registry, _ = contracts(provider)
    project = describe_project(check_project(registry, project_id))
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
        project = describe_project(registry.projects(project_id))
        click.echo(
            f"{project_id:>4}  {project['status']:<10} {project['owner']}  "
            f"{project['capacity_w']} W  {project.get('metadata_uri', '')}"
        )
