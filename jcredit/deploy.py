"""Deploy and wire the four contracts, or reuse the deployment this chain already has.

Order (each constructor takes the addresses before it): Registry; FraudProofs(registry);
CarbonCredit(base_uri); MonitoringReports(registry, credit, fraud_proofs, min_bond); then the
Registry and CarbonCredit bind the reports contract. While the system is being set up, grants,
factors and the challenge window take effect at once; `launch` ends the set-up (later grants and
factor changes wait out the two-day admin delay), so everything is set before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jcredit.deployment import Deployment, live_deployment, write_deployment
from jcredit.errors import ChainError, InputError
from jcredit.registry import check_address, check_text
from jcredit.reports import check_challenge_window
from jcredit.tx import Sender, revert_reason
from jcredit.types import ORACLE_ROLE, REGISTRAR_ROLE, VALIDATOR_ROLE
from methodology.factors import FactorTable, load_factors
from methodology.fiscal import fiscal_year_bounds

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI
    from ape.contracts import ContractInstance


@dataclass(frozen=True)
class DeployConfig:
    """What a deployment is set up with before launch."""

    validator: str  # granted VALIDATOR_ROLE
    oracle: str  # granted ORACLE_ROLE
    min_bond: int  # wei an oracle keeps bonded to be assigned to a project
    challenge_window: int | None = None  # seconds; None keeps the contract's default (1 day)
    base_uri: str = ""  # ERC-1155 metadata prefix
    factors: FactorTable | None = None  # every row is set before launch; None: the shipped table
    registrar: str | None = None  # granted REGISTRAR_ROLE (records certification rounds), if given


def check_config(admin: str, config: DeployConfig) -> DeployConfig:
    """The config with checksummed addresses, or InputError naming the value."""
    validator = check_address(config.validator, "validator")
    oracle = check_address(config.oracle, "oracle")
    registrar = None if config.registrar is None else check_address(config.registrar, "registrar")
    # The contracts refuse to let the admin validate, report or certify: say so before deploying.
    for role, address in (("validator", validator), ("oracle", oracle), ("registrar", registrar)):
        if address == admin:
            raise InputError(
                f"{role}: {address} is the admin (the deployer), who may never hold that role"
            )
    if config.min_bond <= 0:
        raise InputError(f"minimum bond: {config.min_bond} wei; it must be positive")
    if config.challenge_window is not None:
        check_challenge_window(config.challenge_window)
    check_text(config.base_uri, 80, "base URI")
    return DeployConfig(
        validator=validator,
        oracle=oracle,
        min_bond=config.min_bond,
        challenge_window=config.challenge_window,
        base_uri=config.base_uri,
        factors=config.factors,
        registrar=registrar,
    )


def deploy_contracts(
    provider: ProviderAPI,
    admin: AccountAPI,
    config: DeployConfig,
    bond_from: AccountAPI | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> Deployment:
    """Deploy, wire, set up and launch the four contracts; `bond_from` (a devnet oracle) then
    posts the minimum bond. Nothing is recorded: see `deploy`."""
    from ape import chain, project
    from ape.exceptions import ApeException

    config = check_config(admin.address, config)
    factors = config.factors or load_factors()
    first_block = chain.blocks.height + 1  # every event the scripts read comes after it
    sender = Sender(admin, provider, log=log)
    action = "deploying Registry"
    try:
        registry = admin.deploy(project.Registry)
        action = "deploying FraudProofs"
        fraud_proofs = admin.deploy(project.FraudProofs, registry.address)
        action = "deploying CarbonCredit"
        credit = admin.deploy(project.CarbonCredit, config.base_uri)
        action = "deploying MonitoringReports"
        reports = admin.deploy(
            project.MonitoringReports,
            registry.address,
            credit.address,
            fraud_proofs.address,
            config.min_bond,
        )
    except ApeException as exc:
        raise ChainError(f"{action} refused: {revert_reason(exc)}") from None
    sender.send("binding the reports contract", registry.bind_reports, reports.address)
    _bind_credit(sender, credit, reports)
    sender.send(
        f"granting VALIDATOR_ROLE to {config.validator}",
        registry.grant_role,
        VALIDATOR_ROLE,
        config.validator,
    )
    sender.send(
        f"granting ORACLE_ROLE to {config.oracle}", registry.grant_role, ORACLE_ROLE, config.oracle
    )
    if config.registrar is not None:
        sender.send(
            f"granting REGISTRAR_ROLE to {config.registrar}",
            registry.grant_role,
            REGISTRAR_ROLE,
            config.registrar,
        )
    # Before launch a factor takes effect at once; after it, each change waits two days.
    for year, row in sorted(factors.rows.items()):
        sender.send(
            f"setting FY{year} to {row.factor_g_per_mwh} g-CO2/MWh",
            registry.set_emission_factor,
            year,
            row.factor_g_per_mwh,
            *fiscal_year_bounds(year),
        )
    if config.challenge_window is not None:
        sender.send(
            f"setting the challenge window to {config.challenge_window} s",
            reports.set_challenge_window,
            config.challenge_window,
        )
    sender.send("launching the Registry", registry.launch)
    sender.send("launching CarbonCredit", credit.launch)
    if bond_from is not None:
        Sender(bond_from, provider, log=log).send(
            f"posting the bond of oracle {bond_from.address}",
            reports.post_bond,
            value=config.min_bond,
        )
    return Deployment(
        chain_id=chain.chain_id,
        registry=registry.address,
        reports=reports.address,
        fraud_proofs=fraud_proofs.address,
        credit=credit.address,
        deployer=admin.address,
        block=first_block,
    )


def _bind_credit(sender: Sender, credit: ContractInstance, reports: ContractInstance) -> None:
    """CarbonCredit's only minter is the reports contract. (If CarbonCredit takes it as a
    constructor argument instead, this binding goes and the deploy above passes it.)"""
    sender.send("binding CarbonCredit's minter", credit.bind_registry, reports.address)


def deploy(
    provider: ProviderAPI,
    admin: AccountAPI,
    config: DeployConfig,
    force: bool = False,
    bond_from: AccountAPI | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> tuple[Deployment, bool]:
    """Deploy unless this chain already has the recorded deployment; (deployment, is_new).

    The deployments file is written only once everything is set up and launched, so an
    interrupted deployment is never recorded: rerunning deploys afresh.
    """
    existing = live_deployment(provider)
    if existing is not None and not force:
        return existing, False
    deployment = deploy_contracts(provider, admin, config, bond_from=bond_from, log=log)
    write_deployment(provider, deployment)
    return deployment, True
