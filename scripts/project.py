"""Projects: register, approve, reject, suspend, resume, show, list (`ape run project ...`)."""

from __future__ import annotations

from dataclasses import asdict

import click
from ape import chain
from ape.cli import network_option

from jcredit.accounts import role_address
from jcredit.registry import ProjectRecord
from jcredit.types import MeterKind, ReportStatus
from methodology.fiscal import to_iso
from scripts._cli import (
    ConnectedCommand,
    account_option,
    active,
    checksum_address,
    platform_of,
    sender_for,
    time_option_value,
    user_errors,
    utf8_limit,
)


def describe(project: ProjectRecord) -> dict[str, str]:
    """A project as readable values."""
    out = {key: str(value) for key, value in asdict(project).items()}
    out["status"] = str(project.status.name)
    for key in ("commissioning_date", "crediting_start", "crediting_end"):
        out[key] = f"{getattr(project, key)} ({to_iso(getattr(project, key))})"
    kinds = [kind.label for kind in MeterKind if kind in project.active_meter_kinds]
    out["active_meter_kinds"] = (
        f"{', '.join(kinds)} (kinds of the approved meters; every report reads each)"
        if kinds
        else "none (no approved meter yet; reports read each approved meter's kind)"
    )
    return out


@click.group()
def cli() -> None:
    """Register and manage solar projects (EN-R-002)."""


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("owner")
@click.option("--capacity-w", type=click.IntRange(min=1), required=True, help="Rated power in W.")
@click.option("--commissioning-date", required=True, help="YYYY-MM-DD (JST) or ISO 8601.")
@click.option(
    "--application-date",
    help="When the project applied for registration (default: now, the latest block's time).",
)
@click.option(
    "--monitoring-date",
    help="When monitoring became possible, e.g. the meters were in place (default: commissioning).",
)
@click.option("--methodology-id", default="EN-R-002", show_default=True, callback=utf8_limit(32))
@click.option(
    "--battery",
    is_flag=True,
    help="The site has a battery: declared on chain right after registering (only then may it "
    "register battery meters; by difference it must meter the battery's charge and discharge).",
)
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
    application_date,
    monitoring_date,
    methodology_id,
    battery,
    metadata_uri,
) -> None:
    """Register a project; the account becomes its owner. Prints the new project id and the
    crediting period the contract derived: from the later of the application and monitoring
    dates, 8 years or to the scheme's end, whichever comes first."""
    platform = platform_of(provider)
    owner = sender_for(provider, account, "owner")
    commissioned = time_option_value(commissioning_date, "--commissioning-date")
    applied = (
        time_option_value(application_date, "--application-date")
        if application_date
        else int(chain.blocks.head.timestamp)
    )
    monitored = (
        time_option_value(monitoring_date, "--monitoring-date") if monitoring_date else commissioned
    )
    with user_errors():
        project_id = platform.registry.register_project(
            owner, capacity_w, commissioned, applied, monitored, metadata_uri, methodology_id
        )
        if battery:
            platform.registry.declare_battery(owner, project_id)
    project = platform.registry.project(project_id)
    capped = project.crediting_end == platform.registry.contract.SCHEME_END()
    click.echo(f"project {project_id} registered by {owner.address} (PENDING until approved)")
    if battery:
        click.echo(f"project {project_id}: battery declared")
    click.echo(
        f"crediting period {to_iso(project.crediting_start)} .. {to_iso(project.crediting_end)} "
        f"(end exclusive: {'the scheme ends' if capped else '8 years after the start'})"
    )


def _status_command(action: str, with_reason: bool) -> click.Command:
    @click.command(name=action, cls=ConnectedCommand)
    @network_option()
    @account_option("validator")
    @click.argument("project_id", type=click.IntRange(min=1))
    def command(provider, account, project_id, reason: str = "") -> None:
        platform = platform_of(provider)
        validator = sender_for(provider, account, "validator")
        with user_errors():
            platform.registry.set_project_status(validator, action, project_id, reason)
        click.echo(f"project {project_id}: {platform.registry.project(project_id).status.name}")

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


@cli.command(name="set-oracle", cls=ConnectedCommand)
@network_option()
@account_option("admin")
@click.argument("project_id", type=click.IntRange(min=1))
@click.option(
    "--oracle", callback=checksum_address, help="Oracle address (devnet default: test account 3)."
)
def set_oracle(provider, account, project_id, oracle) -> None:
    """Assign the oracle that submits the project's monitoring reports (admin). It must hold
    ORACLE_ROLE and a live bond (`ape run oracle bond post`)."""
    platform = platform_of(provider)
    admin = sender_for(provider, account, "admin")
    with user_errors():
        oracle = role_address(active(provider), oracle, "oracle", "--oracle")
        platform.registry.set_project_oracle(admin, project_id, oracle)
    click.echo(f"project {project_id}: oracle {oracle}")


@cli.command(cls=ConnectedCommand)
@network_option()
@click.argument("project_id", type=click.IntRange(min=1))
def show(provider, project_id) -> None:
    """Show one project as stored on chain."""
    platform = platform_of(provider)
    with user_errors():
        project = describe(platform.registry.project(project_id))
    reports = platform.reports
    start = reports.next_period_start(project_id)
    project["next_period_start"] = (
        f"{start} ({to_iso(start)}; the next monitoring report starts here)"
        if start
        else "- (monitoring not started: `ape run oracle push --start DATE`)"
    )
    pending = reports.pending_report(project_id)
    project["pending_report"] = (
        "none"
        if pending.status == ReportStatus.NONE
        else f"{pending.report_id} {pending.status.name}, window until "
        f"{to_iso(pending.challenge_deadline)}"
    )
    click.echo(f"project {project_id}")
    for key, value in project.items():
        click.echo(f"  {key:20} {value}")


@cli.command(name="list", cls=ConnectedCommand)
@network_option()
def list_(provider) -> None:
    """List every project: id, status, owner, capacity."""
    platform = platform_of(provider)
    count = platform.registry.project_count()
    if count == 0:
        click.echo("no projects registered")
    for project_id in range(1, count + 1):
        project = platform.registry.project(project_id)
        click.echo(
            f"{project_id:>4}  {project.status.name:<10} {project.owner}  "
            f"{project.capacity_w} W  {project.metadata_uri}"
        )
