"""Deploy Registry + CarbonCredit, wire them, and record the addresses (`ape run deploy`)."""

from __future__ import annotations

import click
from ape.cli import network_option

from jcredit.accounts import role_account, role_address
from jcredit.deploy import deploy
from jcredit.deployment import deployments_path, network_label
from scripts._cli import (
    ConnectedCommand,
    ScriptError,
    account_option,
    active,
    checksum_address,
    user_errors,
)


@click.command(cls=ConnectedCommand)
@network_option()
@account_option("admin", "The deployer, who becomes admin")
@click.option(
    "--validator",
    callback=checksum_address,
    help="Address granted VALIDATOR_ROLE (devnet default: test account 1).",
)
@click.option(
    "--oracle",
    callback=checksum_address,
    help="Address granted ORACLE_ROLE (devnet default: test account 3).",
)
@click.option(
    "--challenge-window",
    type=click.IntRange(min=0),
    help="Seconds a verifier may dispute a report (devnet default: 0, i.e. finalize at once).",
)
@click.option("--base-uri", default="", show_default=True, help="ERC-1155 metadata base URI.")
@click.option("--force", is_flag=True, help="Deploy again even if this chain has the contracts.")
def cli(provider, account, validator, oracle, challenge_window, base_uri, force) -> None:
    """Deploy Registry + CarbonCredit, grant roles, write deployments/<ecosystem>-<network>.json.

    Safe to rerun: a deployment whose contracts are on this chain is reused unless --force.
    """
    provider = active(provider)
    if len(base_uri) > 80:
        raise ScriptError(
            f"--base-uri is {len(base_uri)} characters; the contract takes at most 80"
        )
    with user_errors():
        admin = role_account(provider, account, "admin")
        validator = role_address(provider, validator, "validator", "--validator")
        oracle = role_address(provider, oracle, "oracle", "--oracle")
        if challenge_window is None and provider.network.is_local:
            challenge_window = 0
        deployment, is_new = deploy(
            provider, admin, validator, oracle, challenge_window, base_uri, force=force
        )
    what = (
        "deployed"
        if is_new
        else "already deployed: reused as is, roles and window untouched (--force deploys again)"
    )
    click.echo(f"{network_label(provider)}: {what}")
    click.echo(f"  Registry      {deployment.registry}")
    click.echo(f"  CarbonCredit  {deployment.credit}")
    click.echo(f"  admin         {deployment.deployer}")
    click.echo(f"  written to    {deployments_path(provider)}")
