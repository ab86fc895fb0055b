"""The demo's story, step by step, on any local devnet (used by `ape run demo` and its test)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from methodology.fiscal import to_iso
from scripts._common import G_PER_T, ScriptError, network_label, parse_jst, split_token_id
from scripts._credits import PURPOSES, retire, transfer
from scripts._deploy import deploy
from scripts._outputs import certificate, certificate_files, monthly_report, registry_export
from scripts._registry import (
    approve_meter,
    load_table,
    register_meter,
    register_project,
    set_factor,
    set_oracle,
    set_status,
    years_later,
)

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI
    from ape.contracts import ContractInstance

    from oracles.site import SiteConfig
    from oracles.submit import Oracle


@dataclass(frozen=True)
class DemoPlan:
    """What the demo does; every number a person would ask about is here."""

    # A factory roof in Hamamatsu, Shizuoka.
    site_name: str = "Hamamatsu factory roof (Shizuoka)"
    latitude: float = 34.71
    longitude: float = 137.73
    capacity_w: int = 49_500
    meter_certification_expiry: str = "2032-03-31"
    beneficiary: str = "Enshu Precision Parts K.K."
    purpose: str = "carbon_offset"
    memo: str = "Scope 2 offset of the Hamamatsu office building's grid electricity (demo)"
    seed: int = 0


def last_closed_fiscal_year(now: int) -> int:
    """The latest fiscal year that has ended by `now` (FY2025 during FY2026)."""
    from methodology.fiscal import fiscal_year

    return fiscal_year(now) - 1


def run_demo(
    provider: ProviderAPI, plan: DemoPlan, out: Path, echo: Callable[[str], None]
) -> dict[str, Any]:
    from ape import accounts, chain, project

    from methodology.fiscal import fiscal_year_bounds
    from oracles.simulator import Plant, write_site
    from oracles.site import load_site

    started = time.monotonic()
    admin, validator, owner, oracle, buyer = accounts.test_accounts[:5]
    network = network_label(provider)

    deployment, _ = deploy(provider, admin, validator.address, oracle.address, 0, "")
    registry = project.Registry.at(deployment.registry)
    credit = project.CarbonCredit.at(deployment.credit)
    echo(f"deployed on {network}: Registry {registry.address}, CarbonCredit {credit.address}")

    fy = last_closed_fiscal_year(int(chain.blocks.head.timestamp))
    fy_start, fy_end = fiscal_year_bounds(fy)
    factor = load_table(None).factor(fy)
    set_factor(registry, admin, fy, factor)
    echo(f"FY{fy} emission factor {factor} g-CO2/MWh [{to_iso(fy_start)}, {to_iso(fy_end)})")

    metadata = (
        f'data:application/json,{{"name":"{plan.site_name}","lat":{plan.latitude},'
        f'"lon":{plan.longitude},"capacity_w":{plan.capacity_w}}}'
    )
    project_id = register_project(
        registry,
        owner,
        plan.capacity_w,
        fy_start,
        fy_start,
        years_later(fy_start, 8),
        metadata,
    )
    set_status(registry, validator, "approve", project_id)
    set_oracle(registry, admin, project_id, oracle.address)
    echo(f"project {project_id}: {plan.capacity_w / 1000} kW at {plan.site_name}, approved")

    site_path = write_site(
        out / "site",
        project_id,
        chain.chain_id,
        registry.address,
        fy_start,
        fy_end,
        Plant(latitude=plan.latitude, longitude=plan.longitude, capacity_w=plan.capacity_w),
        seed=plan.seed,
    )
    site = load_site(site_path)
    expiry = parse_jst(plan.meter_certification_expiry, "meter certification expiry")
    for meter in site.meters:
        register_meter(registry, owner, project_id, meter.address, meter.kind, meter.serial, expiry)
        approve_meter(registry, validator, meter.address)
    echo(f"meters {', '.join(m.serial for m in site.meters)} registered and approved")
    echo(f"simulated FY{fy} of signed 30-minute readings in {site_path.parent}")

    feed = oracle_feed(site, registry, oracle)
    feed.start_monitoring(fy_start)
    pushed = feed.push()
    if pushed.stopped:
        raise ScriptError(f"the oracle stopped early: {pushed.stopped}")
    echo(
        f"oracle committed {len(pushed.submitted)} monthly reports "
        "(challenge window 0: finalized at once)"
    )

    token = int(credit.token_id(project_id, fy))
    minted = int(credit.balanceOf(owner.address, token))
    transferred = max(minted // 2, 1)
    transfer_tx = transfer(credit, owner, buyer.address, token, transferred)
    retired = max(transferred // 2, 1)
    retirement_id, retire_tx = retire(
        credit, buyer, token, retired, plan.beneficiary, PURPOSES[plan.purpose], plan.memo
    )
    echo(
        f"owner transferred {transferred} t-CO2 to buyer {buyer.address}; buyer retired "
        f"{retired} t-CO2 (retirement {retirement_id})"
    )

    monthly = monthly_report(registry, deployment, project_id, fy, out / "reports")
    cert = certificate(credit, deployment, network, retirement_id)
    cert_html, cert_pdf = certificate_files(cert, out / "certificates")
    issuances_csv, retirements_csv = registry_export(
        registry, credit, deployment, out / "registry-export", project_id
    )

    self_consumed = sum(row.self_consumed_wh for row in monthly.rows)
    reduction = sum(row.reduction_g for row in monthly.rows)
    holders = {"owner": owner.address, "buyer": buyer.address}
    summary = {
        "network": network,
        "chain_id": chain.chain_id,
        "contracts": {"Registry": registry.address, "CarbonCredit": credit.address},
        "accounts": {
            "admin": admin.address,
            "validator": validator.address,
            "owner": owner.address,
            "oracle": oracle.address,
            "buyer": buyer.address,
        },
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
        "self_consumed_wh": self_consumed,
        "reduction_g": reduction,
        "credits_minted_t": sum(row.credits_t for row in monthly.rows),
        "uncredited_carry_g": reduction - G_PER_T * sum(row.credits_t for row in monthly.rows),
        "transferred_t": transferred,
        "retired_t": retired,
        "balances": {
            address: int(credit.balanceOf(address, token)) for address in holders.values()
        },
        "retirement_ids": [retirement_id],
        "transactions": {"transfer": transfer_tx, "retirement": retire_tx},
        "outputs": {
            "report_csv": str(monthly.csv),
            "chart_png": str(monthly.chart),
            "certificate_html": str(cert_html),
            "certificate_pdf": str(cert_pdf),
            "registry_export_issuances": str(issuances_csv),
            "registry_export_retirements": str(retirements_csv),
            "site_config": str(site_path),
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    print_table(summary, echo)
    return summary


def oracle_feed(site: SiteConfig, registry: ContractInstance, account: AccountAPI) -> Oracle:
    """The oracles package's submitter for a site, its signatures checked like `ape run oracle`
    does; `.start_monitoring(ts)` once, then `.push()` submits every closed period."""
    from ape import chain

    from methodology.factors import load_factors
    from oracles.intake import check_signatures, describe_refusals, load_source
    from oracles.submit import Oracle

    readings, batches, raw = load_source(site)
    intake = check_signatures(site, readings, batches, chain.chain_id, registry.address, raw)
    if intake.refusals:
        raise ScriptError(f"meter data refused: {describe_refusals(intake.refusals)}")
    return Oracle(
        site=site,
        intake=intake,
        registry=registry,
        account=account,
        provider=chain.provider,
        factors=load_factors(),
        log=lambda message: None,
    )


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
    for key, value in lines:
        echo(f"  {key:<{width}}  {value}")
    echo(f"  {'time':<{width}}  {summary['seconds']} s")
