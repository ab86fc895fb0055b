"""End-to-end demo on a local devnet (`make demo`): one plant, one fiscal year, to retirement.

Roles are the devnet test accounts (keys of the public "test test ... junk" mnemonic, never for real
funds): 0 admin, 1 validator, 2 project owner, 3 oracle, 4 buyer.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import click
from ape.cli import ConnectedProviderCommand, network_option

from jcredit.accounts import devnet_account
from jcredit.connect import platform
from jcredit.deploy import deploy
from jcredit.deployment import network_label
from jcredit.documents.certificate import certificate, certificate_files
from jcredit.documents.monthly import monthly_report
from jcredit.documents.registry_export import registry_export
from jcredit.tx import Sender
from jcredit.types import MeterKind, RetirementPurpose, split_token_id, token_id
from jcredit.validity import banner, problems
from methodology.eligibility import longest_crediting_end
from methodology.factors import load_factors
from methodology.fiscal import fiscal_year_bounds, last_ended_fiscal_year, parse_time, to_iso
from methodology.units import G_PER_T
from oracles.feed import open_oracle
from oracles.intake import describe_refusals
from oracles.simulator import Plant, write_site
from scripts._cli import ScriptError, active, out_dir, user_errors, write_json


class DemoPlan(NamedTuple):
    """What the demo does; every number a person would ask about is here.

    (A NamedTuple, not a dataclass: `ape run` executes this file without registering it as a
    module, which dataclasses need.)
    """

    # A factory roof in Hamamatsu, Shizuoka.
    site_name: str = "Hamamatsu factory roof (Shizuoka)"
    latitude: float = 34.71
    longitude: float = 137.73
    capacity_w: int = 49_500
    meter_certification_expiry: str = "2032-03-31"
    beneficiary: str = "Enshu Precision Parts K.K."
    purpose: RetirementPurpose = RetirementPurpose.CARBON_OFFSET
    memo: str = "Scope 2 offset of the Hamamatsu office building's grid electricity (demo)"
    seed: int = 0


def run_demo(provider, plan: DemoPlan, out: Path, echo: Callable[[str], None]) -> dict[str, Any]:
    from ape import chain

    started = time.monotonic()
    roles = {
        role: devnet_account(role) for role in ("admin", "validator", "owner", "oracle", "buyer")
    }
    admin, validator, owner, oracle, buyer = (
        Sender(account, provider, log=echo) for account in roles.values()
    )
    network = network_label(provider)

    deployment, is_new = deploy(provider, roles["admin"], validator.address, oracle.address, 0, "")
    jc = platform(deployment)
    done = "deployed" if is_new else "reusing the deployment already"
    echo(f"{done} on {network}: Registry {deployment.registry}, CarbonCredit {deployment.credit}")

    fy = last_ended_fiscal_year(int(chain.blocks.head.timestamp))
    fy_start, fy_end = fiscal_year_bounds(fy)
    factors = load_factors()
    factor = factors.factor(fy)
    jc.registry.set_emission_factor(admin, fy, factor)
    kind = "verified" if factors.rows[fy].verified else "placeholder (unverified example value)"
    echo(
        f"FY{fy} emission factor {factor} g-CO2/MWh, {kind} [{to_iso(fy_start)}, {to_iso(fy_end)})"
    )
    validity = banner(problems(chain.chain_id, {fy: factor}, factors))

    metadata = (
        f'data:application/json,{{"name":"{plan.site_name}","lat":{plan.latitude},'
        f'"lon":{plan.longitude},"capacity_w":{plan.capacity_w}}}'
    )
    project_id = jc.registry.register_project(
        owner, plan.capacity_w, fy_start, fy_start, longest_crediting_end(fy_start), metadata
    )
    jc.registry.set_project_status(validator, "approve", project_id)
    jc.registry.set_project_oracle(admin, project_id, oracle.address)
    echo(f"project {project_id}: {plan.capacity_w / 1000} kW at {plan.site_name}, approved")

    plant = Plant(latitude=plan.latitude, longitude=plan.longitude, capacity_w=plan.capacity_w)
    site_path = write_site(
        out / "site",
        project_id,
        chain.chain_id,
        deployment.registry,
        fy_start,
        fy_end,
        plant,
        seed=plan.seed,
    )
    feed = open_oracle(site_path, jc, oracle, log=lambda message: None)
    if feed.intake.refusals:
        raise ScriptError(f"meter data refused: {describe_refusals(feed.intake.refusals)}")
    expiry = parse_time(plan.meter_certification_expiry)
    for meter in feed.site.meters:
        kind = MeterKind.from_name(meter.kind)
        jc.registry.register_meter(owner, project_id, meter.address, kind, meter.serial, expiry)
        jc.registry.approve_meter(validator, meter.address)
    echo(f"meters {', '.join(m.serial for m in feed.site.meters)} registered and approved")
    echo(f"simulated FY{fy} of signed 30-minute readings in {site_path.parent}")

    feed.start_monitoring(fy_start)
    pushed = feed.push()
    if pushed.stopped:
        raise ScriptError(f"the oracle stopped early: {pushed.stopped}")
    echo(
        f"oracle committed {len(pushed.submitted)} monthly reports "
        "(challenge window 0: finalized at once)"
    )

    token = token_id(project_id, fy)
    minted = jc.credit.balance(owner.address, token)
    transferred = max(minted // 2, 1)
    transfer_tx = jc.credit.transfer(owner, buyer.address, token, transferred)
    retired = max(transferred // 2, 1)
    retirement = jc.credit.retire(buyer, token, retired, plan.beneficiary, plan.purpose, plan.memo)
    echo(
        f"owner transferred {transferred} t-CO2 to buyer {buyer.address}; buyer retired "
        f"{retired} t-CO2 (retirement {retirement.retirement_id})"
    )

    monthly = monthly_report(jc, project_id, fy, out / "reports")
    cert_html, cert_pdf = certificate_files(
        certificate(jc, network, retirement.retirement_id), out / "certificates"
    )
    issuances_csv, retirements_csv = registry_export(jc, out / "registry-export", project_id)

    reduction = sum(row.reduction_g for row in monthly.rows)
    minted_t = sum(row.credits_t for row in monthly.rows)
    summary = {
        "network": network,
        "chain_id": chain.chain_id,
        "contracts": {"Registry": deployment.registry, "CarbonCredit": deployment.credit},
        "accounts": {role: account.address for role, account in roles.items()},
        "project_id": project_id,
        "site": {
            "name": plan.site_name,
            "latitude": plan.latitude,
            "longitude": plan.longitude,
            "capacity_w": plan.capacity_w,
        },
        "fiscal_year": fy,
        "token_id": token,
        "emission_factor_g_per_mwh": factor,
        "periods_reported": len(monthly.rows),
        "generation_wh": sum(row.generation_wh for row in monthly.rows),
        "export_wh": sum(row.export_wh for row in monthly.rows),
        "self_consumed_wh": sum(row.self_consumed_wh for row in monthly.rows),
        "reduction_g": reduction,
        "credits_minted_t": minted_t,
        "uncredited_carry_g": reduction - G_PER_T * minted_t,
        "transferred_t": transferred,
        "retired_t": retired,
        "balances": {
            account.address: jc.credit.balance(account.address, token) for account in (owner, buyer)
        },
        "retirement_ids": [retirement.retirement_id],
        "transactions": {"transfer": transfer_tx, "retirement": retirement.tx_hash},
        "outputs": {
            "report_csv": str(monthly.csv),
            "chart_png": str(monthly.chart),
            "certificate_html": str(cert_html),
            "certificate_pdf": str(cert_pdf),
            "registry_export_issuances": str(issuances_csv),
            "registry_export_retirements": str(retirements_csv),
            "site_config": str(site_path),
        },
        "validity": validity,
        "seconds": round(time.monotonic() - started, 1),
    }
    print_table(summary, echo)
    return summary


def print_table(summary: dict[str, Any], echo: Callable[[str], None]) -> None:
    project_id, fiscal_year = split_token_id(summary["token_id"])
    capacity_kw = summary["site"]["capacity_w"] / 1000
    lines = [
        ("project", f"{project_id}: {summary['site']['name']}, {capacity_kw} kW"),
        ("fiscal year", f"FY{fiscal_year}, {summary['periods_reported']} monthly reports"),
        ("generation", f"{summary['generation_wh'] / 1e6:,.3f} MWh"),
        ("exported (not credited)", f"{summary['export_wh'] / 1e6:,.3f} MWh"),
        ("self-consumed", f"{summary['self_consumed_wh'] / 1e6:,.3f} MWh"),
        ("reduction", f"{summary['reduction_g'] / G_PER_T:,.6f} t-CO2"),
        ("credits minted", f"{summary['credits_minted_t']} t-CO2 (token {summary['token_id']})"),
        ("transferred to buyer", f"{summary['transferred_t']} t-CO2"),
        ("retired by buyer", f"{summary['retired_t']} t-CO2 (ids {summary['retirement_ids']})"),
    ]
    lines += [
        (f"balance {role}", f"{summary['balances'][address]} t-CO2  {address}")
        for role, address in (
            ("owner", summary["accounts"]["owner"]),
            ("buyer", summary["accounts"]["buyer"]),
        )
    ]
    lines += [(name.replace("_", " "), path) for name, path in summary["outputs"].items()]
    width = max(len(key) for key, _ in lines)
    echo("")
    if summary["validity"]:
        echo(f"  {summary['validity']}")
    for key, value in lines:
        echo(f"  {key:<{width}}  {value}")
    echo(f"  {'time':<{width}}  {summary['seconds']} s")


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory, emptied first [out/demo].",
)
def cli(provider, out) -> None:
    """Deploy, register a 49.5 kW plant in Hamamatsu, report a fiscal year, transfer and retire."""
    provider = active(provider)
    if not provider.network.is_local:
        raise ScriptError(
            f"the demo plays every role with devnet test accounts: run it on a local network, "
            f"not {network_label(provider)}"
        )
    if devnet_account("admin").balance == 0:
        # An anvil started with another mnemonic: every transaction would fail on gas.
        raise ScriptError(
            f"the devnet of {network_label(provider)} does not fund the test accounts of the "
            "mnemonic 'test test ... junk' (started with another --mnemonic?): stop it and start "
            "`anvil` without --mnemonic, or run `make demo`, which picks a free port"
        )
    from ape.logging import LogLevel, logger

    # One "Confirmed 0x..." line per transaction would bury the story (-v DEBUG shows them).
    if logger.level == LogLevel.INFO:
        logger.set_level(LogLevel.WARNING)
    out = out or out_dir("demo")
    if out.exists():
        shutil.rmtree(out)
    with user_errors():
        summary = run_demo(provider, DemoPlan(), out, echo=click.echo)
    path = out / "summary.json"
    write_json(path, summary)
    click.echo(f"summary: {path}")
