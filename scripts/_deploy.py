"""Deploy and wire the contracts, shared by `ape run deploy` and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scripts._common import Deployment, live_deployment, refused, write_deployment

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

    from ape import chain

    # Every event the scripts read comes after this block.
    first_block = chain.blocks.height + 1
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

    deployment = Deployment(
        chain_id=chain.chain_id,
        registry=registry.address,
        credit=credit.address,
        deployer=admin.address,
        block=first_block,
    )
    write_deployment(provider, deployment)
    return deployment, True
