"""`ape run oracle push|follow|verify|bond`: turn a site's signed meter data into monitoring
reports, check committed ones against the archive, and manage the oracle's bond.

See oracles/README.md for the site config and what each error means.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from ape.cli import network_option

from jcredit.accounts import role_account, unattended
from jcredit.history import submitted_reports, undone_reports
from jcredit.tx import Retry, Sender, is_transient
from jcredit.validity import banner, problems
from methodology.factors import load_factors
from methodology.fiscal import to_iso
from oracles.feed import open_oracle
from oracles.intake import describe_refusals
from oracles.site import load_site
from oracles.submit import Oracle
from oracles.verify import verify_report
from scripts._cli import (
    ConnectedCommand,
    ScriptError,
    account_option,
    active,
    amount_value,
    checksum_address,
    deployments_option,
    echo_banner,
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


def _factors_option():
    return click.option(
        "--factors",
        "factors_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Emission factor table CSV (default: the methodology package's table).",
    )


# Exit codes (oracles/README.md, "Exit codes"): 0 done, 1 error, 2 bad command line, and for push:
EXIT_REFUSED_READINGS = 3  # every period that could be submitted was, but readings were refused

# The oracle's retries of one RPC call before it gives up on the node (tests shorten them).
NODE_RETRY = Retry()
# `follow` while the node is unreachable: first wait before reconnecting, doubled per failed
# attempt up to the poll interval.
RECONNECT_FIRST_S = 5.0

Log = Callable[[str], None]


def now_iso() -> str:
    return to_iso(int(time.time()))


def _oracle(
    provider, account, site_path, deployments_file, factors_path, log: Log = click.echo
) -> Oracle:
    """The site's oracle, its data signature-checked; refused readings listed on stderr."""
    provider = active(provider)
    platform = platform_of(provider, deployments_file)
    with user_errors():
        sender = Sender(
            unattended(role_account(provider, account, "oracle")),
            provider,
            retry=NODE_RETRY,
            log=log,
        )
        oracle = open_oracle(site_path, platform, sender, factors_path, log=log)
    if oracle.intake.refusals:
        click.echo(describe_refusals(oracle.intake.refusals), err=True)
    return oracle


def _push_once(oracle: Oracle, start: str | None, progress: bool) -> tuple[list[str], str, str]:
    """Finalize and submit what is due; (how many were finalized and submitted, up to date or
    why it stopped, and the "NOT VALID FOR J-CREDIT" banner of what was submitted, or "")."""
    from tqdm import tqdm

    with user_errors():
        if start is not None and oracle.next_start() == 0:
            oracle.start_monitoring(time_option_value(start, "--start"))
        bar = None
        if progress:
            # Report lines go above the bar instead of through it.
            log = oracle.log
            oracle.log = tqdm.write

            def bar(total: int):
                # Total: the closed periods waiting; each push submits one (then its window runs).
                return tqdm(total=total, unit="period", desc="closed periods")

        try:
            result = oracle.push(progress=bar)
        finally:
            if progress:
                oracle.log = log
        outcome = (
            f"stopped: {result.stopped}"
            if result.stopped
            else f"up to date: next period starts {to_iso(oracle.next_start())}"
        )
        years = {report.fiscal_year for report in result.submitted}
        registry = oracle.platform.registry
        factors = {y: registry.emission_factor(y).factor_g_per_mwh or None for y in years}
        notice = banner(problems(oracle.platform.deployment.chain_id, factors)) if years else ""
    done = [f"{result.finalized} report(s) finalized"] if result.finalized else []
    return [*done, f"{len(result.submitted)} report(s) submitted"], outcome, notice


def pause(seconds: float) -> None:
    """The wait between two polls of `follow` (the only place it sleeps between polls)."""
    time.sleep(seconds)


def node_unreachable(exc: BaseException) -> bool:
    """The node did not answer (after the sender's retries, or on an unretried read), as
    opposed to an answer that no retry changes (a refusal, bad data, no deployment)."""
    # The SDK's "did not answer" ChainError and the one-line ScriptError made of it keep the
    # connection error as their context, which is_transient follows.
    return is_transient(exc)


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
            deployments_option(),
            _factors_option(),
        )
    ):
        command = option(command)
    return command


@cli.command(cls=ConnectedCommand)
@_feed_options
@click.option("--start", help="First period start (YYYY-MM-DD JST) if monitoring has not started.")
@click.option(
    "--no-progress", is_flag=True, help="No progress bar (it is only shown on a terminal anyway)."
)
def push(provider, site_path, account, deployments_file, factors_path, start, no_progress):
    """Finalize the pending report if its challenge window has passed, then submit the next
    closed period not yet on chain, then exit (a new report waits out its window).

    Exit code 3: completed, but readings were refused (listed on stderr); 1: an error.
    """
    oracle = _oracle(provider, account, site_path, deployments_file, factors_path)
    # A bar redrawn into a pipe or a log file would interleave with the report lines.
    progress = not no_progress and sys.stderr.isatty()
    done, outcome, notice = _push_once(oracle, start, progress)
    for line in done:
        click.echo(line)
    echo_banner(notice)
    click.echo(outcome)
    refused = len(oracle.intake.refusals)
    if refused:
        click.echo(
            f"completed with {refused} refused reading(s) (listed above): exit code "
            f"{EXIT_REFUSED_READINGS}",
            err=True,
        )
        click.get_current_context().exit(EXIT_REFUSED_READINGS)


@cli.command(cls=ConnectedCommand)
@_feed_options
@click.option("--interval", default=300, show_default=True, help="Seconds between polls.")
def follow(provider, site_path, account, deployments_file, factors_path, interval):
    """Keep running: reread the data and submit each period as it closes. Ctrl-C stops cleanly.

    Survives the node going away: reconnects with backoff, one timestamped line per attempt.
    """

    def log(message: str) -> None:
        click.echo(f"{now_iso()} {message}")

    failures = 0
    try:
        while True:
            try:
                oracle = _oracle(
                    provider, account, site_path, deployments_file, factors_path, log=log
                )
                if failures:
                    log(f"node back after {failures} failed attempt(s)")
                    failures = 0
                done, outcome, notice = _push_once(oracle, None, progress=False)
                if notice:
                    log(notice)
            except Exception as exc:
                if not node_unreachable(exc):
                    raise
                failures += 1
                wait = min(RECONNECT_FIRST_S * 2 ** (failures - 1), max(interval, 1))
                reason = (str(exc).splitlines() or [type(exc).__name__])[0].rstrip(".")
                log(
                    f"node unreachable (attempt {failures}): {reason}; retrying at "
                    f"{to_iso(int(time.time() + wait))} (in {wait:g} s)"
                )
            else:
                wait = interval
                log(f"{'; '.join(done)}; {outcome}; next poll at {to_iso(int(time.time() + wait))}")
            pause(wait)
    except KeyboardInterrupt:
        click.echo("stopped (Ctrl-C); rerun to resume from the chain's state")


@cli.command(cls=ConnectedCommand)
@network_option()
@_site_option()
@deployments_option()
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
    if report_id is not None:
        # Report ids are global (one counter for every project): say whose a foreign one is.
        everyone = submitted_reports(contract, block)
        reports = [r for r in everyone if r.report_id == report_id]
        if not reports:
            last = max((r.report_id for r in everyone), default=0)
            known = f"reports 1..{last}" if last else "no reports yet"
            raise ScriptError(f"unknown report {report_id}: this registry has {known}")
        if reports[0].project_id != site.project_id:
            raise ScriptError(
                f"report {report_id} belongs to project {reports[0].project_id}, not to project "
                f"{site.project_id} of {site_path} (report ids count across all projects)"
            )
    else:
        reports = submitted_reports(contract, block, site.project_id)
    undone = {r.report_id for r in undone_reports(contract, block, site.project_id)}
    reports = [r for r in reports if r.report_id not in undone]
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


@bond.command(cls=ConnectedCommand)
@network_option()
@account_option("oracle", "The oracle")
@click.option(
    "--address", "oracle", callback=checksum_address, help="Whose bond (default: the account's)."
)
@deployments_option()
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


@bond.command(cls=ConnectedCommand)
@network_option()
@account_option("oracle", "The oracle posting")
@click.option("--amount", help="How much to add, e.g. `1 ether` (default: the minimum bond).")
@deployments_option()
def post(provider, account, amount, deployments_file) -> None:
    """Add to the oracle's bond (payable)."""
    platform = platform_of(provider, deployments_file)
    oracle = sender_for(provider, account, "oracle")
    wei = amount_value(amount, "--amount") if amount else platform.reports.min_bond()
    with user_errors():
        held = platform.reports.post_bond(oracle, wei)
    click.echo(f"oracle {oracle.address}: posted {format_wei(wei)}; bond {format_wei(held.amount)}")


@bond.command(name="request-unbond", cls=ConnectedCommand)
@network_option()
@account_option("oracle", "The oracle leaving")
@deployments_option()
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


@bond.command(cls=ConnectedCommand)
@network_option()
@account_option("oracle", "The oracle withdrawing")
@deployments_option()
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
