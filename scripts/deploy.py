"""Deploy Registry + CarbonCredit, wire them, and record the addresses (`ape run deploy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from ape.cli import ConnectedProviderCommand, account_option, network_option

from scripts._common import (
    Deployment,
    ScriptError,
    deployments_path,
    live_deployment,
    network_label,
    pick_account,
    pick_address,
    refused,
    write_deployment,
)

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI


def deploy(
    provider: ProviderAPI,
    admin: AccountAPI,
    validator: str,
    oracle: str,
    challenge_window: int | None,
    base_uri: str,
    force: bool = False,
) -> tuple[Deployment, bool]:
    """Deploy and wire the contracts unless this chain already has them; (deployment, is_new)."""
    from ape import project

    existing = live_deployment(provider)
    if existing is not None and not force:
        return existing, False

    with refused("deploying CarbonCredit"):
        credit = admin.deploy(project.CarbonCredit, base_uri)
    with refused("deploying Registry"):
        registry = admin.deploy(project.Registry, credit.address)
    with refused("granting MINTER_ROLE on CarbonCredit to the Registry"):
        credit.grant_role(credit.MINTER_ROLE(), registry.address, sender=admin)
    with refused(f"granting VALIDATOR_ROLE to {validator}"):
        registry.grant_role(registry.VALIDATOR_ROLE(), validator, sender=admin)
    with refused(f"granting ORACLE_ROLE to {oracle}"):
        registry.grant_role(registry.ORACLE_ROLE(), oracle, sender=admin)
    if challenge_window is not None:
        with refused(f"setting the challenge window to {challenge_window} s"):
            registry.set_challenge_window(challenge_window, sender=admin)

    from ape import chain

    deployment = Deployment(
        chain_id=chain.chain_id,
        registry=registry.address,
        credit=credit.address,
        deployer=admin.address,
        block=credit.receipt.block_number,
    )
    write_deployment(provider, deployment)
    return deployment, True


@click.command(cls=ConnectedProviderCommand)
@network_option()
@account_option(prompt=False, help="Deployer, becomes admin (default on a devnet: test account 0).")
@click.option(
    "--validator", help="Address granted VALIDATOR_ROLE (devnet default: test account 1)."
)
@click.option("--oracle", help="Address granted ORACLE_ROLE (devnet default: test account 3).")
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
    admin = pick_account(provider, account, "admin")
    validator = pick_address(provider, validator, "validator", "--validator")
    oracle = pick_address(provider, oracle, "oracle", "--oracle")
    if challenge_window is None and provider.network.is_local:
        challenge_window = 0
    if len(base_uri) > 80:
        raise ScriptError(
            f"--base-uri is {len(base_uri)} characters; the contract takes at most 80"
        )

    deployment, is_new = deploy(
        provider, admin, validator, oracle, challenge_window, base_uri, force=force
    )
    what = "deployed" if is_new else "already deployed (reused; --force deploys again)"
    click.echo(f"{network_label(provider)}: {what}")
    click.echo(f"  Registry      {deployment.registry}")
    click.echo(f"  CarbonCredit  {deployment.credit}")
    click.echo(f"  admin         {deployment.deployer}")
    click.echo(f"  written to    {deployments_path(provider)}")
