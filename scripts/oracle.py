"""`ape run oracle push|follow|verify`: turn a site's signed meter data into monitoring reports.

See oracles/README.md for the site config and what each error means.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import (
    ScriptError,
    account_option,
    deployments_path,
    jst,
    parse_jst,
    pick_account,
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


def _active(provider):
    """The connected provider. Normally the one click passes; when the network was already
    connected in-process (tests, the demo), click passes a fresh unconnected instance."""
    from ape import networks

    return provider if provider.is_connected else networks.active_provider


def _setup(provider, site_path, deployments_file, factors_path):
    """Site, deployment, factors, and the signature-checked readings; errors become messages."""
    from ape import chain

    from methodology.errors import MethodologyError
    from methodology.factors import load_factors
    from oracles.chain import load_deployment
    from oracles.errors import OracleError
    from oracles.intake import check_signatures, describe_refusals, load_source
    from oracles.site import load_site

    provider = _active(provider)
    try:
        site = load_site(site_path)
        deployment = load_deployment(deployments_file or deployments_path(provider))
        if deployment.chain_id != chain.chain_id:
            raise ScriptError(
                f"deployments file is for chain {deployment.chain_id}, "
                f"but the network is chain {chain.chain_id}"
            )
        factors = load_factors(factors_path)
        readings, batches, raw = load_source(site)
        intake = check_signatures(
            site, readings, batches, deployment.chain_id, deployment.registry, raw
        )
    except (OracleError, MethodologyError) as exc:
        raise ScriptError(str(exc)) from None
    if intake.refusals:
        click.echo(describe_refusals(intake.refusals), err=True)
    from ape import project

    return site, deployment, factors, intake, project.Registry.at(deployment.registry)


def _oracle(provider, account, site_path, deployments_file, factors_path):
    from oracles.submit import Oracle

    provider = _active(provider)
    site, _, factors, intake, registry = _setup(provider, site_path, deployments_file, factors_path)
    return Oracle(
        site=site,
        intake=intake,
        registry=registry,
        account=unattended(pick_account(provider, account, "oracle")),
        provider=provider,
        factors=factors,
        log=click.echo,
    )


def unattended(account):
    """A keyfile account signs without prompting when its passphrase is in the environment.

    Ape reads APE_ACCOUNTS_<alias>_PASSPHRASE to unlock but still asks to confirm each signature;
    `follow` runs unattended, so the operator opts in by setting that variable.
    """
    passphrase = os.environ.get(f"APE_ACCOUNTS_{getattr(account, 'alias', '')}_PASSPHRASE")
    if passphrase and hasattr(account, "set_autosign"):
        account.set_autosign(True, passphrase=passphrase)
    return account


def _push_once(oracle, start: str | None, progress: bool) -> None:
    from tqdm import tqdm

    from oracles.errors import OracleError

    try:
        if start is not None and oracle.next_start() == 0:
            oracle.start_monitoring(parse_jst(start, "--start"))
        bar = (
            (lambda total: tqdm(total=total, unit="period", desc="backfill")) if progress else None
        )
        result = oracle.push(progress=bar)
    except OracleError as exc:
        raise ScriptError(str(exc)) from None
    click.echo(f"{len(result.submitted)} report(s) submitted")
    if result.stopped:
        click.echo(f"stopped: {result.stopped}")
    else:
        click.echo(f"up to date: next period starts {jst(oracle.next_start())}")


@click.group()
def cli() -> None:
    """Oracle: submit monitoring reports from signed meter data, and verify committed ones."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@_site_option()
@account_option("oracle", "The project's oracle account")
@_deployments_option()
@_factors_option()
@click.option("--start", help="First period start (YYYY-MM-DD JST) if monitoring has not started.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs).")
def push(provider, site_path, account, deployments_file, factors_path, start, no_progress):
    """Submit every closed period not yet on chain (backfill), then exit."""
    oracle = _oracle(provider, account, site_path, deployments_file, factors_path)
    _push_once(oracle, start, progress=not no_progress)


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@_site_option()
@account_option("oracle", "The project's oracle account")
@_deployments_option()
@_factors_option()
@click.option("--interval", default=300, show_default=True, help="Seconds between polls.")
def follow(provider, site_path, account, deployments_file, factors_path, interval):
    """Keep running: reread the data and submit each period as it closes. Ctrl-C stops cleanly."""
    try:
        while True:
            oracle = _oracle(provider, account, site_path, deployments_file, factors_path)
            _push_once(oracle, None, progress=False)
            time.sleep(interval)
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
    """Rebuild committed periods from the archive and compare them with the chain."""
    from oracles.verify import committed_reports, verify_report

    site, deployment, factors, _, registry = _setup(
        provider, site_path, deployments_file, factors_path
    )
    reports = committed_reports(registry, site.project_id, deployment.block)
    if report_id is not None:
        reports = [r for r in reports if r.report_id == report_id]
    if not reports:
        raise ScriptError(f"no committed report for project {site.project_id} to verify")
    failed = 0
    for committed in reports:
        period = f"{jst(committed.period_start)}..{jst(committed.period_end)}"
        label = f"report {committed.report_id} {period}"
        differences = verify_report(
            site,
            committed,
            archive_dir or site.archive,
            factors,
            deployment.chain_id,
            deployment.registry,
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
