"""Deploy the four contracts, set them up, launch, and record the addresses (`ape run deploy`)."""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import network_option

from jcredit.accounts import devnet_account, role_account, role_address
from jcredit.deploy import DeployConfig, deploy
from jcredit.deployment import deployments_path, network_label
from jcredit.types import MAX_CHALLENGE_WINDOW, MIN_CHALLENGE_WINDOW
from jcredit.validity import BANNER_PREFIX
from methodology.factors import load_factors
from scripts._cli import (
    ConnectedCommand,
    ScriptError,
    account_option,
    active,
    amount_value,
    checksum_address,
    echo_banner,
    format_wei,
    user_errors,
)

DEVNET_WINDOW_S = MIN_CHALLENGE_WINDOW
DEVNET_MIN_BOND = "1 ether"


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
    help="Address granted ORACLE_ROLE (devnet default: test account 3, which is also bonded).",
)
@click.option(
    "--registrar",
    callback=checksum_address,
    help="Address granted REGISTRAR_ROLE, which records J-Credit certification rounds "
    "(devnet default: test account 1; elsewhere none unless given: grant it later).",
)
@click.option(
    "--challenge-window",
    type=click.IntRange(MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW),
    help=f"Seconds a report can be disputed or proven wrong before it finalizes, "
    f"{MIN_CHALLENGE_WINDOW}..{MAX_CHALLENGE_WINDOW} (devnet default: {DEVNET_WINDOW_S}; "
    "elsewhere the contract's 86400).",
)
@click.option(
    "--min-bond",
    help=f"Least bond an oracle keeps to be assigned, e.g. `1 ether` or wei "
    f"(devnet default: {DEVNET_MIN_BOND}; required elsewhere).",
)
@click.option(
    "--factors",
    "factors_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Emission factor table set before launch (default: the methodology's table).",
)
@click.option("--base-uri", default="", show_default=True, help="ERC-1155 metadata base URI.")
@click.option("--force", is_flag=True, help="Deploy again even if this chain has the contracts.")
def cli(
    provider,
    account,
    validator,
    oracle,
    registrar,
    challenge_window,
    min_bond,
    factors_path,
    base_uri,
    force,
) -> None:
    """Deploy Registry, FraudProofs, CarbonCredit and MonitoringReports, wire them, grant the
    roles, set every emission factor of the table and the challenge window, launch, and write
    deployments/<ecosystem>-<network>.json. On a local network the devnet oracle is bonded.

    Safe to rerun: a deployment whose contracts are on this chain is reused unless --force.
    """
    provider = active(provider)
    local = provider.network.is_local
    if min_bond is None and not local:
        raise ScriptError(f"--min-bond is required on {network_label(provider)}")
    bond = amount_value(min_bond or DEVNET_MIN_BOND, "--min-bond")
    if challenge_window is None and local:
        challenge_window = DEVNET_WINDOW_S
    with user_errors():
        admin = role_account(provider, account, "admin")
        validator = role_address(provider, validator, "validator", "--validator")
        oracle = role_address(provider, oracle, "oracle", "--oracle")
        if registrar is None and local:
            registrar = devnet_account("registrar").address
        devnet_oracle = devnet_account("oracle") if local else None
        # Only the devnet's test oracle can be bonded from here: its key is public.
        bond_from = devnet_oracle if devnet_oracle and devnet_oracle.address == oracle else None
        config = DeployConfig(
            validator=validator,
            oracle=oracle,
            min_bond=bond,
            challenge_window=challenge_window,
            base_uri=base_uri,
            factors=load_factors(factors_path),
            registrar=registrar,
        )
        deployment, is_new = deploy(
            provider, admin, config, force=force, bond_from=bond_from, log=click.echo
        )
    if not is_new:
        click.echo(
            f"{network_label(provider)}: already deployed: reused as is, roles, factors and "
            "window untouched (--force deploys again)"
        )
    else:
        click.echo(f"{network_label(provider)}: deployed, set up and launched")
    click.echo(f"  Registry           {deployment.registry}")
    click.echo(f"  MonitoringReports  {deployment.reports}")
    click.echo(f"  FraudProofs        {deployment.fraud_proofs}")
    click.echo(f"  CarbonCredit       {deployment.credit}")
    click.echo(f"  admin              {deployment.deployer}")
    if is_new:
        click.echo(f"  validator          {validator}")
        click.echo(f"  oracle             {oracle}")
        click.echo(f"  registrar          {registrar or 'none (grant REGISTRAR_ROLE later)'}")
        window = challenge_window if challenge_window is not None else 86400
        click.echo(f"  challenge window   {window} s")
        click.echo(f"  minimum bond       {format_wei(bond)}")
        factors = config.factors.rows
        click.echo(
            f"  emission factors   FY{min(factors)}..FY{max(factors)} from {config.factors.name}"
        )
        placeholders = [year for year in sorted(factors) if not factors[year].verified]
        if placeholders:
            which = (
                "every row of the table"
                if len(placeholders) == len(factors)
                else ", ".join(f"FY{year}" for year in placeholders)
            )
            echo_banner(
                f"  {BANNER_PREFIX}: placeholder emission factors ({which}: unverified example "
                "values); reports that use them are for testing only"
            )
        if bond_from is not None:
            click.echo(f"  oracle bonded      {format_wei(bond)} from {oracle}")
        else:
            click.echo("  oracle bond        none yet: the oracle runs `ape run oracle bond post`")
    click.echo(f"  written to         {deployments_path(provider)}")
