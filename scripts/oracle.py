"""`ape run oracle push|follow|verify|bond`: turn a site's signed meter data into monitoring
reports, check committed ones against the archive, and manage the oracle's bond.

See oracles/README.md for the site config and what each error means.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from jcredit.accounts import role_account, unattended
from jcredit.history import submitted_reports, undone_reports
from jcredit.tx import Sender
from methodology.factors import load_factors
from methodology.fiscal import to_iso
from oracles.feed import open_oracle
from oracles.intake import describe_refusals
from oracles.site import load_site
from oracles.submit import Oracle
from oracles.verify import verify_report
from scripts._cli import (
    ScriptError,
    account_option,
    active,
    amount_value,
    checksum_address,
    format_wei,
    platform_of,
    sender_for,
    time_option_value,
    user_errors,
)


def _site_option():
    return click.option(
        "--site",
        "site_path",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Site config JSON: project, meters and their data (see oracles/README.md).",
    )


def _deployments_option():
    return click.option(
        "--deployments",
        "deployments_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Deployments JSON (default: deployments/<ecosystem>-<network>.json).",
    )


def _factors_option():
    return click.option(
        "--factors",
        "factors_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Emission factor table CSV (default: the methodology package's table).",
    )


def _oracle(provider, account, site_path, deployments_file, factors_path) -> Oracle:
    """The site's oracle, its data signature-checked; refused readings listed on stderr."""
    provider = active(provider)
    platform = platform_of(provider, deployments_file)
    with user_errors():
        sender = Sender(
            unattended(role_account(provider, account, "oracle")), provider, log=click.echo
        )
        oracle = open_oracle(site_path, platform, sender, factors_path, log=click.echo)
    if oracle.intake.refusals:
        click.echo(describe_refusals(oracle.intake.refusals), err=True)
    return oracle


def _push_once(oracle: Oracle, start: str | None, progress: bool) -> None:
    from tqdm import tqdm

    with user_errors():
        if start is not None and oracle.next_start() == 0:
            oracle.start_monitoring(time_option_value(start, "--start"))
        bar = (
            # Total: the closed periods waiting; each push submits one (then its window runs).
            (lambda total: tqdm(total=total, unit="period", desc="closed periods"))
            if progress
            else None
        )
        result = oracle.push(progress=bar)
    if result.finalized:
        click.echo(f"{result.finalized} report(s) finalized")
    click.echo(f"{len(result.submitted)} report(s) submitted")
    if result.stopped:
        click.echo(f"stopped: {result.stopped}")
    else:
        click.echo(f"up to date: next period starts {to_iso(oracle.next_start())}")


def pause(seconds: float) -> None:
    """The wait between two polls of `follow` (the only place it sleeps between polls)."""
    time.sleep(seconds)


@click.group()
def cli() -> None:
    """Oracle: submit monitoring reports from signed meter data, verify committed ones, bond."""


def _feed_options(command):
    """The options of every command that submits: network, site, oracle account, files."""
    for option in reversed(
        (
            network_option(),
            _site_option(),
            account_option("oracle", "The project's oracle account"),
            _deployments_option(),
            _factors_option(),
        )
    ):
        command = option(command)
    return command


@cli.command(cls=ConnectedProviderCommand)
@_feed_options
@click.option("--start", help="First period start (YYYY-MM-DD JST) if monitoring has not started.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs).")
def push(provider, site_path, account, deployments_file, factors_path, start, no_progress):
    """Finalize the pending report if its challenge window has passed, then submit the next
    closed period not yet on chain, then exit (a new report waits out its window)."""
    oracle = _oracle(provider, account, site_path, deployments_file, factors_path)
    _push_once(oracle, start, progress=not no_progress)


@cli.command(cls=ConnectedProviderCommand)
@_feed_options
@click.option("--interval", default=300, show_default=True, help="Seconds between polls.")
def follow(provider, site_path, account, deployments_file, factors_path, interval):
    """Keep running: reread the data and submit each period as it closes. Ctrl-C stops cleanly."""
    try:
        while True:
            oracle = _oracle(provider, account, site_path, deployments_file, factors_path)
            _push_once(oracle, None, progress=False)
            pause(interval)
    except KeyboardInterrupt:
        click.echo("stopped (Ctrl-C); rerun to resume from the chain's state")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@_site_option()
@_deployments_option()
@_factors_option()
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive root (default: the site config's).",
)
@click.option("--report-id", type=int, help="Only this report (default: all of the project).")
def verify(provider, site_path, deployments_file, factors_path, archive_dir, report_id):
    """Rebuild committed periods from the archive and compare them with the reports' facts on
    chain (undone reports are left out: they count for nothing)."""
    platform = platform_of(provider, deployments_file)
    with user_errors():
        site = load_site(site_path)
        factors = load_factors(factors_path)
    contract, block = platform.reports.contract, platform.deployment.block
    undone = {r.report_id for r in undone_reports(contract, block, site.project_id)}
    reports = [
        r for r in submitted_reports(contract, block, site.project_id) if r.report_id not in undone
    ]
    if report_id is not None:
        reports = [r for r in reports if r.report_id == report_id]
    if not reports:
        raise ScriptError(f"no committed report for project {site.project_id} to verify")
    failed = 0
    for committed in reports:
        period = f"{to_iso(committed.period_start)}..{to_iso(committed.period_end)}"
        label = f"report {committed.report_id} {period}"
        differences = verify_report(
            site,
            committed,
            archive_dir or site.archive,
            factors,
            platform.deployment.chain_id,
            platform.deployment.registry,
        )
        if differences:
            failed += 1
            click.echo(f"{label}: DIFFERS")
            for line in differences:
                click.echo(f"  {line}")
        else:
            click.echo(f"{label}: OK")
    if failed:
        raise ScriptError(f"{failed} of {len(reports)} report(s) differ from the archive")


@cli.group()
def bond() -> None:
    """The oracle's bond on MonitoringReports: an oracle is assigned to projects only while it
    keeps at least the minimum bonded; a fraud proof against its report pays the whole bond to
    the challenger."""


@bond.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("oracle", "The oracle")
@click.option(
    "--address", "oracle", callback=checksum_address, help="Whose bond (default: the account's)."
)
@_deployments_option()
def show(provider, account, oracle, deployments_file) -> None:
    """The bond, the minimum and whether the oracle may be assigned."""
    platform = platform_of(provider, deployments_file)
    with user_errors():
        oracle = oracle or role_account(active(provider), account, "oracle").address
        held = platform.reports.bond_of(oracle)
        bonded = platform.reports.is_bonded(oracle)
    click.echo(f"oracle {oracle}: {format_wei(held.amount)} bonded")
    click.echo(f"  minimum     {format_wei(platform.reports.min_bond())}")
    if held.available_at:
        click.echo(f"  unbonding   withdrawable from {to_iso(held.available_at)}")
    click.echo(f"  assignable  {'yes' if bonded else 'no'}")


@bond.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("oracle", "The oracle posting")
@click.option("--amount", help="How much to add, e.g. `1 ether` (default: the minimum bond).")
@_deployments_option()
def post(provider, account, amount, deployments_file) -> None:
    """Add to the oracle's bond (payable)."""
    platform = platform_of(provider, deployments_file)
    oracle = sender_for(provider, account, "oracle")
    wei = amount_value(amount, "--amount") if amount else platform.reports.min_bond()
    with user_errors():
        held = platform.reports.post_bond(oracle, wei)
    click.echo(f"oracle {oracle.address}: posted {format_wei(wei)}; bond {format_wei(held.amount)}")


@bond.command(name="request-unbond", cls=ConnectedProviderCommand)
@network_option()
@account_option("oracle", "The oracle leaving")
@_deployments_option()
def request_unbond(provider, account, deployments_file) -> None:
    """Start taking the bond back (an oracle assigned to no project); it stops being bonded now
    and may withdraw after the unbonding delay."""
    platform = platform_of(provider, deployments_file)
    oracle = sender_for(provider, account, "oracle")
    with user_errors():
        available_at = platform.reports.request_unbond(oracle)
    click.echo(
        f"oracle {oracle.address}: unbonding; `ape run oracle bond withdraw` from "
        f"{to_iso(available_at)}"
    )


@bond.command(cls=ConnectedProviderCommand)
@network_option()
@account_option("oracle", "The oracle withdrawing")
@_deployments_option()
def withdraw(provider, account, deployments_file) -> None:
    """Take the whole bond back once the unbonding delay has passed."""
    from ape import chain

    platform = platform_of(provider, deployments_file)
    oracle = sender_for(provider, account, "oracle")
    held = platform.reports.bond_of(oracle.address)
    if held.available_at and chain.pending_timestamp < held.available_at:
        raise ScriptError(
            f"oracle {oracle.address}: the bond is locked until {to_iso(held.available_at)}"
        )
    with user_errors():
        amount = platform.reports.withdraw_bond(oracle)
    click.echo(f"oracle {oracle.address}: withdrew {format_wei(amount)}")
