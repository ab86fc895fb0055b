"""Deploy and wire the two contracts, or reuse the deployment this chain already has."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jcredit.deployment import Deployment, live_deployment, write_deployment
from jcredit.errors import ChainError
from jcredit.tx import revert_reason

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
    """Deploy and wire the contracts unless this chain already has them; (deployment, is_new).

    The admin deploys both contracts, grants the Registry MINTER_ROLE on CarbonCredit and the
    validator and oracle their roles, sets the challenge window, then records the deployment.
    """
    from ape import chain, project
    from ape.exceptions import ApeException

    existing = live_deployment(provider)
    if existing is not None and not force:
        return existing, False

    # Every event the scripts read comes after this block.
    first_block = chain.blocks.height + 1
    action = "deploying CarbonCredit"
    try:
        credit = admin.deploy(project.CarbonCredit, base_uri)
        action = "deploying Registry"
        registry = admin.deploy(project.Registry, credit.address)
        action = "granting MINTER_ROLE on CarbonCredit to the Registry"
        credit.grant_role(credit.MINTER_ROLE(), registry.address, sender=admin)
        action = f"granting VALIDATOR_ROLE to {validator}"
        registry.grant_role(registry.VALIDATOR_ROLE(), validator, sender=admin)
        action = f"granting ORACLE_ROLE to {oracle}"
        registry.grant_role(registry.ORACLE_ROLE(), oracle, sender=admin)
        if challenge_window is not None:
            action = f"setting the challenge window to {challenge_window} s"
            registry.set_challenge_window(challenge_window, sender=admin)
    except ApeException as exc:
        raise ChainError(f"{action} refused: {revert_reason(exc)}") from None

    deployment = Deployment(
        chain_id=chain.chain_id,
        registry=registry.address,
        credit=credit.address,
        deployer=admin.address,
        block=first_block,
    )
    write_deployment(provider, deployment)
    return deployment, True
