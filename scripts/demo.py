"""End-to-end demo on a local devnet (`make demo`): one plant, one fiscal year, to retirement.

Roles are the devnet test accounts (keys of the public "test test ... junk" mnemonic, never for real
funds): 0 admin, 1 validator, 2 project owner, 3 oracle, 4 buyer, 5 watcher, 6 a rogue oracle (7,
8, 9 on later runs on the same devnet: a caught oracle can never bond again). The story is a
sequence of small steps (`set_up`, `enlist_rogue`, `register_plant`, `simulate_meters`, `cheat`,
`watch`, `take_over`, `report_year`, `trade`) that `run_demo` plays in order, so a scene can be
added between two of them.

The fraud scene: the generation meter glitches once in April (a signed register jump above what
the plant can produce in 30 minutes, so the methodology voids April). The rogue oracle, assigned
to the project first, reports April as valid anyway; the contract accepts it (it cannot recompute
a single interval), the watcher checks the report against the archive and proves it false: the
report is undone and the rogue's bond goes to the watcher. The honest oracle then reports April
void and the other eleven months.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import click
from ape.cli import network_option

from jcredit.accounts import DEVNET_ROLE_INDEX, devnet_account
from jcredit.certifications import Certification
from jcredit.connect import Platform, platform
from jcredit.deploy import DeployConfig, deploy
from jcredit.deployment import network_label
from jcredit.devnet import advance_time
from jcredit.documents.certificate import certificate, certificate_files
from jcredit.documents.monthly import monthly_report
from jcredit.documents.registry_export import certification_packages, registry_export
from jcredit.history import finalized_reports
from jcredit.reports import Submitted
from jcredit.tx import Sender
from jcredit.types import (
    ADMIN_DELAY,
    MIN_CHALLENGE_WINDOW,
    ORACLE_ROLE,
    FraudKind,
    MeterKind,
    RetirementPurpose,
    split_token_id,
    token_id,
)
from jcredit.validity import banner, problems
from methodology.compute import reduction_g, site_self_consumption
from methodology.factors import load_factors
from methodology.fiscal import (
    JST_OFFSET_S,
    fiscal_year_bounds,
    last_ended_fiscal_year,
    parse_time,
    to_iso,
)
from methodology.units import G_PER_T
from oracles.feed import open_oracle
from oracles.intake import describe_refusals
from oracles.report import Report
from oracles.simulator import Plant, write_site
from oracles.submit import Oracle
from oracles.watcher import Outcome, watch_once
from scripts._cli import ConnectedCommand, ScriptError, active, out_dir, user_errors, write_json


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
    # The shortest window the contract allows; the demo moves the devnet's clock past it.
    challenge_window_s: int = MIN_CHALLENGE_WINDOW
    min_bond_wei: int = 10**18
    # The generation meter's glitch: from 14.5 days into the fiscal year (15 April, 12:00 JST) its
    # register reads 40,000 Wh more. The interval ending there shows more than 49.5 kW x 0.5 h =
    # 24,750 Wh, so April is void; the month's total stays far below capacity x month, which is
    # all the contract can check from a report's boundary readings.
    glitch_after_fy_start_s: int = 14 * 86400 + 12 * 3600
    glitch_wh: int = 40_000


class Cast(NamedTuple):
    """Who plays which role: the devnet test accounts, each with its transaction sender."""

    admin: Sender
    validator: Sender
    owner: Sender
    oracle: Sender
    buyer: Sender
    watcher: Sender
    rogue_oracle: Sender  # the demo's cheating oracle
    registrar: Sender  # mirrors the J-Credit registry (the devnet's validator account)

    def addresses(self) -> dict[str, str]:
        return {role: sender.address for role, sender in zip(self._fields, self, strict=True)}


def cast_of(provider, echo: Callable[[str], None]) -> Cast:
    return Cast(*(Sender(devnet_account(role), provider, log=echo) for role in Cast._fields))


# Devnet test accounts that may play the rogue: a refuted oracle is slashed for good (it can
# never bond again), so each demo run on the same devnet needs one not caught before.
ROGUE_ACCOUNTS = range(DEVNET_ROLE_INDEX["rogue_oracle"], 10)


def fresh_rogue(provider, jc: Platform, echo: Callable[[str], None]) -> Sender:
    """The first of the devnet test accounts 6-9 that no earlier run got slashed."""
    from ape import accounts

    for index in ROGUE_ACCOUNTS:
        account = accounts.test_accounts[index]
        if not jc.reports.is_slashed(account.address):
            return Sender(account, provider, log=echo)
    raise ScriptError(
        "every devnet test account that can play the rogue oracle (6-9) was slashed by an "
        "earlier demo run on this devnet: start a fresh anvil (`make demo` does)"
    )


def set_up(provider, cast: Cast, plan: DemoPlan, echo: Callable[[str], None]) -> Platform:
    """Deploy (or reuse) the four contracts: roles, every factor, the window, launched, the
    oracle bonded."""
    config = DeployConfig(
        validator=cast.validator.address,
        oracle=cast.oracle.address,
        min_bond=plan.min_bond_wei,
        challenge_window=plan.challenge_window_s,
        registrar=cast.registrar.address,
    )
    deployment, is_new = deploy(provider, cast.admin.account, config, bond_from=cast.oracle.account)
    jc = platform(deployment)
    what = "deployed and launched" if is_new else "reusing the deployment already"
    echo(
        f"{what} on {network_label(provider)}: Registry {deployment.registry}, "
        f"MonitoringReports {deployment.reports}, FraudProofs {deployment.fraud_proofs}, "
        f"CarbonCredit {deployment.credit}"
    )
    echo(
        f"challenge window {jc.reports.challenge_window()} s; oracle {cast.oracle.address} "
        f"bonded {jc.reports.bond_of(cast.oracle.address).amount / 10**18:g} ETH"
    )
    return jc


def enlist_rogue(provider, jc: Platform, cast: Cast, echo) -> None:
    """The rogue oracle becomes an oracle like any other: the admin grants it ORACLE_ROLE (after
    launch a grant waits ADMIN_DELAY: the devnet's clock moves past it) and it posts the minimum
    bond (on a reused deployment the rogue is an account no earlier run caught)."""
    from ape import chain

    rogue = cast.rogue_oracle.address
    if not jc.registry.has_role(ORACLE_ROLE, rogue):
        eta = jc.registry.role_grant_eta(ORACLE_ROLE, rogue)
        if eta == 0:
            eta = jc.registry.grant_role(cast.admin, ORACLE_ROLE, rogue)
        if eta:  # 0: granted at once (a Registry not launched yet)
            wait = eta - int(chain.blocks.head.timestamp)
            if wait > 0:
                advance_time(provider, wait + 1)  # ADMIN_DELAY + 1 after a grant just made
            jc.registry.activate_role(cast.admin, ORACLE_ROLE, rogue)
    if not jc.reports.is_bonded(rogue):
        jc.reports.post_bond(cast.rogue_oracle, jc.reports.min_bond())
    echo(
        f"oracle {rogue} (the rogue of this story) holds ORACLE_ROLE (a grant after launch waits "
        f"{ADMIN_DELAY // 86400} days: the devnet's clock moved past them) and a bond of "
        f"{jc.reports.bond_of(rogue).amount / 10**18:g} ETH"
    )


def register_plant(jc: Platform, cast: Cast, plan: DemoPlan, fy: int, echo) -> int:
    """The owner registers the plant, a validator approves it, the admin assigns the oracle it
    trusts first: the rogue."""
    fy_start, _ = fiscal_year_bounds(fy)
    metadata = (
        f'data:application/json,{{"name":"{plan.site_name}","lat":{plan.latitude},'
        f'"lon":{plan.longitude},"capacity_w":{plan.capacity_w}}}'
    )
    project_id = jc.registry.register_project(
        cast.owner, plan.capacity_w, fy_start, fy_start, fy_start, metadata
    )
    jc.registry.set_project_status(cast.validator, "approve", project_id)
    jc.registry.set_project_oracle(cast.admin, project_id, cast.rogue_oracle.address)
    echo(
        f"project {project_id}: {plan.capacity_w / 1000} kW at {plan.site_name}, approved; "
        f"oracle {cast.rogue_oracle.address} assigned"
    )
    return project_id


def simulate_meters(
    jc: Platform, cast: Cast, plan: DemoPlan, project_id: int, fy: int, out: Path, echo
) -> Oracle:
    """Simulate the fiscal year's signed readings, the generation meter's glitch included; the
    owner registers the meters with their registration signatures, a validator approves them;
    the (honest) oracle's feed of the site."""
    from ape import chain

    fy_start, fy_end = fiscal_year_bounds(fy)
    glitch_at = fy_start + plan.glitch_after_fy_start_s
    plant = Plant(latitude=plan.latitude, longitude=plan.longitude, capacity_w=plan.capacity_w)
    site_path = write_site(
        out / "site",
        project_id,
        chain.chain_id,
        jc.deployment.registry,
        fy_start,
        fy_end,
        plant,
        seed=plan.seed,
        owner=cast.owner.address,
        glitch=(glitch_at, plan.glitch_wh),
    )
    feed = open_oracle(site_path, jc, cast.oracle, log=lambda message: None)
    if feed.intake.refusals:
        raise ScriptError(f"meter data refused: {describe_refusals(feed.intake.refusals)}")
    expiry = parse_time(plan.meter_certification_expiry)
    for meter in feed.site.meters:
        jc.registry.register_meter(
            cast.owner,
            project_id,
            meter.address,
            MeterKind.from_name(meter.kind),
            meter.serial,
            expiry,
            meter.interval_seconds,
            meter.registration_signature,
        )
        jc.registry.approve_meter(cast.validator, meter.address, expiry)
    echo(f"meters {', '.join(m.serial for m in feed.site.meters)} registered and approved")
    echo(
        f"simulated FY{fy} of signed 30-minute readings in {site_path.parent}; the generation "
        f"meter glitches at {to_iso(glitch_at)} (+{plan.glitch_wh:,} Wh in 30 minutes, above "
        f"{plan.capacity_w / 1000} kW x 0.5 h = {plan.capacity_w // 2:,} Wh)"
    )
    return feed


class Cheat(NamedTuple):
    """The rogue's inflated report and what the methodology says of the same data."""

    report: Report  # as the oracle code built it: void, with its problems
    submitted: Submitted  # what the chain accepted (claimed valid)
    claimed_wh: int
    claimed_g: int


def month_of(timestamp: int) -> str:
    """'April 2025' for a time in that JST month."""
    return time.strftime("%B %Y", time.gmtime(timestamp + JST_OFFSET_S))


def cheat(jc: Platform, cast: Cast, site_path: Path, fy_start: int, echo) -> Cheat:
    """The rogue runs the same oracle code: it starts monitoring at the fiscal year's start and
    builds April's report as `Oracle.push` does (the genuine signed data, archived). The
    methodology finds April void (the glitch's interval above capacity); the rogue submits it as
    valid, claiming the self-consumption its boundary readings show, and records no violation.
    The contract accepts it: the boundary checks pass, and one interval is not recomputable on
    chain (that is what fraud proofs are for)."""
    rogue = open_oracle(site_path, jc, cast.rogue_oracle, log=lambda message: None)
    rogue.start_monitoring(fy_start)
    crediting_start, crediting_end = rogue.crediting()
    period = rogue.next_period(rogue.next_start(), crediting_end)
    if period is None:
        raise ScriptError(f"no closed period from {to_iso(fy_start)} in the simulated data")
    report = rogue.build(period, crediting_start)
    if not report.void:
        raise ScriptError(f"the glitch did not void {month_of(period[0])}: nothing to cheat on")
    energy = {
        meter.kind: report.ends[meter.address].cumulative_wh
        - report.starts[meter.address].cumulative_wh
        for meter in rogue.site.meters
    }
    claimed_wh, _ = site_self_consumption(energy, "self_consumption" in energy)
    factor = jc.registry.emission_factor(report.fiscal_year).factor_g_per_mwh
    claimed_g = reduction_g(claimed_wh, factor)
    inflated = dataclasses.replace(
        report.submission(), self_consumed_wh=claimed_wh, reduction_g=claimed_g, void=False
    )
    label = f"report {to_iso(period[0])}..{to_iso(period[1])} (claimed valid)"
    submitted = jc.reports.submit_report(cast.rogue_oracle, label, inflated)
    why = report.problems[0]
    if report.violation is not None:
        (a, wh_a), (b, wh_b) = report.violation.first, report.violation.second
        why = (
            f"the generation meter reads {wh_b - wh_a:,} Wh in {to_iso(a)}..{to_iso(b)}, above "
            f"capacity"
        )
    echo(
        f"rogue oracle {cast.rogue_oracle.address} submitted report {submitted.report_id}: "
        f"{month_of(period[0])} claimed valid, {claimed_wh:,} Wh self-consumed = "
        f"{claimed_g / G_PER_T:,.6f} t-CO2, though {why} (the methodology voids the month); "
        "the contract accepted it"
    )
    return Cheat(report, submitted, claimed_wh, claimed_g)


def watch(jc: Platform, cast: Cast, archive_root: Path, project_id: int, echo) -> Outcome:
    """The watcher does what `ape run watch --archive DIR` does: checks every report still open
    to challenge against its archive and proves the cheat it finds."""
    from ape import chain

    outcomes = watch_once(jc, archive_root, cast.watcher, chain.pending_timestamp, chain.chain_id)
    ours = [o for o in outcomes if o.project_id == project_id]
    if len(ours) != 1 or ours[0].proven is None:
        found = "; ".join(f"report {o.report_id}: {o.verdict} ({o.detail})" for o in ours)
        raise ScriptError(f"the watcher did not prove the rogue's report: {found or 'nothing'}")
    (outcome,) = ours
    proven = outcome.proven
    echo(
        f"watcher {cast.watcher.address} proved report {proven.report_id} false "
        f"({FraudKind(proven.kind).name.lower().replace('_', ' ')}): report undone, the rogue "
        f"lost ORACLE_ROLE and its {proven.bond / 10**18:g} ETH bond to the watcher "
        f"(tx {proven.tx_hash})"
    )
    return outcome


def take_over(jc: Platform, cast: Cast, project_id: int, echo) -> None:
    """The project has no oracle since the proof: the admin assigns the honest one."""
    jc.registry.set_project_oracle(cast.admin, project_id, cast.oracle.address)
    echo(f"oracle {cast.oracle.address} assigned to project {project_id}")


def report_year(provider, jc: Platform, feed: Oracle, start: int, echo) -> int:
    """The oracle starts monitoring (unless an earlier oracle of the project did) and pushes;
    after each report the devnet's clock moves past the challenge window, so the next push
    finalizes it. The number of reports."""
    if jc.reports.next_period_start(feed.site.project_id) == 0:
        feed.start_monitoring(start)
    window = jc.reports.challenge_window()
    submitted, void, recorded = 0, [], 0
    while True:
        pushed = feed.push()
        submitted += len(pushed.submitted)
        void += [to_iso(r.period_start)[:7] for r in pushed.submitted if r.void]
        recorded += pushed.violations_recorded
        if pushed.stopped and "challenge window" not in pushed.stopped:
            raise ScriptError(f"the oracle stopped early: {pushed.stopped}")
        if not pushed.stopped:
            break  # the last report is finalized and no closed period is left
        advance_time(provider, window + 1)
    voided = (
        f" ({', '.join(void)} void; {recorded} interval above capacity recorded first)"
        if void
        else ""
    )
    echo(
        f"oracle committed {submitted} monthly reports{voided}; each finalized once the "
        f"devnet's clock passed its {window} s challenge window"
    )
    return submitted


def certify(jc: Platform, cast: Cast, project_id: int, token: int, echo) -> Certification:
    """The scheme certifies the year's credits: the registrar records the round (every
    finalized report of the year, all the whole tonnes they minted, the registry's next serials).
    The certification number is the demo's own: a real one comes from the J-Credit registry."""
    reports = [
        r
        for r in finalized_reports(jc.reports.contract, jc.deployment.block, project_id)
        if r.token_id == token
    ]
    minted = sum(r.minted_t for r in reports)
    first_serial = int(jc.certifications.contract.last_serial(token)) + 1
    project, fiscal_year = split_token_id(token)
    number = f"DEMO-FY{fiscal_year}-P{project}"
    certification_id, _ = jc.certifications.record(
        cast.registrar,
        number,
        token,
        [r.submitted.report_id for r in reports],
        minted,
        first_serial,
    )
    round_ = jc.certifications.certification(certification_id)
    echo(
        f"registrar {cast.registrar.address} recorded certification {number} (round "
        f"{certification_id}): {round_.amount} t-CO2 of {len(reports)} reports, registry serials "
        f"{round_.first_serial}..{round_.last_serial}"
    )
    return round_


def trade(
    jc: Platform, cast: Cast, plan: DemoPlan, certified: Certification, echo
) -> tuple[int, str, Any]:
    """The owner transfers half of the credits to the buyer, who retires half of those from the
    certification round."""
    token = certified.token_id
    minted = jc.credit.balance(cast.owner.address, token)
    transferred = max(minted // 2, 1)
    transfer_tx = jc.credit.transfer(cast.owner, cast.buyer.address, token, transferred)
    retired = max(transferred // 2, 1)
    retirement = jc.certifications.retire(
        cast.buyer, certified.certification_id, retired, plan.beneficiary, plan.purpose, plan.memo
    )
    echo(
        f"owner transferred {transferred} t-CO2 to buyer {cast.buyer.address}; buyer retired "
        f"{retired} t-CO2 of certification {certified.certification_number} (retirement "
        f"{retirement.retirement_id})"
    )
    return transferred, transfer_tx, retirement


def run_demo(provider, plan: DemoPlan, out: Path, echo: Callable[[str], None]) -> dict[str, Any]:
    from ape import chain

    started = time.monotonic()
    cast = cast_of(provider, echo)
    jc = set_up(provider, cast, plan, echo)
    cast = cast._replace(rogue_oracle=fresh_rogue(provider, jc, echo))
    # Before the fiscal year is chosen: the admin delay moves the devnet's clock two days.
    enlist_rogue(provider, jc, cast, echo)
    deployment = jc.deployment
    network = network_label(provider)

    fy = last_ended_fiscal_year(int(chain.blocks.head.timestamp))
    fy_start, fy_end = fiscal_year_bounds(fy)
    factor = jc.registry.emission_factor(fy).factor_g_per_mwh
    factors = load_factors()
    row = factors.rows.get(fy)
    kind = (
        "verified"
        if row is not None and row.verified and row.factor_g_per_mwh == factor
        else "placeholder (unverified example value)"
    )
    echo(
        f"FY{fy} emission factor {factor} g-CO2/MWh, {kind} [{to_iso(fy_start)}, {to_iso(fy_end)})"
    )
    validity = banner(problems(chain.chain_id, {fy: factor or None}, factors))

    project_id = register_plant(jc, cast, plan, fy, echo)
    feed = simulate_meters(jc, cast, plan, project_id, fy, out, echo)
    inflated = cheat(jc, cast, feed.site.path, fy_start, echo)
    caught = watch(jc, cast, feed.site.archive, project_id, echo)
    take_over(jc, cast, project_id, echo)
    report_year(provider, jc, feed, fy_start, echo)

    token = token_id(project_id, fy)
    certified = certify(jc, cast, project_id, token, echo)
    transferred, transfer_tx, retirement = trade(jc, cast, plan, certified, echo)
    retired = jc.credit.contract.retirements(retirement.retirement_id).amount

    monthly = monthly_report(jc, project_id, fy, out / "reports")
    cert_html, cert_pdf = certificate_files(
        certificate(jc, network, retirement.retirement_id), out / "certificates"
    )
    issuances_csv, retirements_csv = registry_export(jc, out / "registry-export", project_id)
    rounds_csv, (round_json,) = certification_packages(jc, out / "registry-export", project_id)

    reduction = sum(row.reduction_g for row in monthly.rows)
    minted_t = sum(row.credits_t for row in monthly.rows)
    summary = {
        "network": network,
        "chain_id": chain.chain_id,
        "contracts": deployment.addresses(),
        "accounts": cast.addresses(),
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
        "challenge_window_s": jc.reports.challenge_window(),
        "periods_reported": len(monthly.rows),
        "void_periods": [to_iso(row.period_start)[:7] for row in monthly.rows if row.void],
        "generation_wh": sum(row.generation_wh for row in monthly.rows),
        "export_wh": sum(row.export_wh for row in monthly.rows),
        "self_consumed_wh": sum(row.self_consumed_wh for row in monthly.rows),
        "reduction_g": reduction,
        "credits_minted_t": minted_t,
        "certification": {
            "id": certified.certification_id,
            "number": certified.certification_number,
            "certified_t": certified.amount,
            "serials": [certified.first_serial, certified.last_serial],
        },
        "uncredited_carry_g": reduction - G_PER_T * minted_t,
        "transferred_t": transferred,
        "retired_t": int(retired),
        "balances": {
            sender.address: jc.credit.balance(sender.address, token)
            for sender in (cast.owner, cast.buyer)
        },
        "retirement_ids": [retirement.retirement_id],
        "fraud": fraud_summary(inflated, caught, cast),
        "transactions": {"transfer": transfer_tx, "retirement": retirement.tx_hash},
        "outputs": {
            "report_csv": str(monthly.csv),
            "chart_png": str(monthly.chart),
            "certificate_html": str(cert_html),
            "certificate_pdf": str(cert_pdf),
            "registry_export_issuances": str(issuances_csv),
            "registry_export_retirements": str(retirements_csv),
            "registry_export_rounds": str(rounds_csv),
            "certification_package": str(round_json),
            "site_config": str(feed.site.path),
        },
        "validity": validity,
        "seconds": round(time.monotonic() - started, 1),
    }
    print_table(summary, echo)
    return summary


def fraud_summary(inflated: Cheat, caught: Outcome, cast: Cast) -> dict[str, Any]:
    """The rogue's report: what it claimed, what the methodology says, who proved it, the bond."""
    report, proven = inflated.report, caught.proven
    return {
        "report_id": inflated.submitted.report_id,
        "period_start": to_iso(report.period_start),
        "period_end": to_iso(report.period_end),
        "kind": FraudKind(proven.kind).name.lower(),
        "rogue_oracle": cast.rogue_oracle.address,
        "claimed_self_consumed_wh": inflated.claimed_wh,
        "claimed_reduction_g": inflated.claimed_g,
        "claimed_t": inflated.claimed_g / G_PER_T,
        "methodology_reduction_g": report.reduction_g,
        "methodology_void": report.void,
        "methodology_problems": report.problems,
        "submit_tx": inflated.submitted.tx_hash,
        "watcher": cast.watcher.address,
        "bond_wei": proven.bond,
        "proof_tx": proven.tx_hash,
    }


def print_table(summary: dict[str, Any], echo: Callable[[str], None]) -> None:
    project_id, fiscal_year = split_token_id(summary["token_id"])
    void = f" ({', '.join(summary['void_periods'])} void)" if summary["void_periods"] else ""
    capacity_kw = summary["site"]["capacity_w"] / 1000
    certification = summary["certification"]
    lines = [
        ("project", f"{project_id}: {summary['site']['name']}, {capacity_kw} kW"),
        ("fiscal year", f"FY{fiscal_year}, {summary['periods_reported']} monthly reports{void}"),
        ("generation", f"{summary['generation_wh'] / 1e6:,.3f} MWh"),
        ("exported (not credited)", f"{summary['export_wh'] / 1e6:,.3f} MWh"),
        ("self-consumed", f"{summary['self_consumed_wh'] / 1e6:,.3f} MWh"),
        ("reduction", f"{summary['reduction_g'] / G_PER_T:,.6f} t-CO2"),
        ("credits minted", f"{summary['credits_minted_t']} t-CO2 (token {summary['token_id']})"),
        (
            "certified",
            f"{certification['certified_t']} t-CO2, certification {certification['number']} "
            f"(serials {certification['serials'][0]}..{certification['serials'][1]})",
        ),
        ("transferred to buyer", f"{summary['transferred_t']} t-CO2"),
        ("retired by buyer", f"{summary['retired_t']} t-CO2 (ids {summary['retirement_ids']})"),
    ]
    fraud = summary["fraud"]
    lines.insert(
        2,
        (
            "inflated report caught",
            f"report {fraud['report_id']} claimed {fraud['claimed_t']:,.6f} t-CO2 for "
            f"{fraud['period_start'][:7]} (methodology: void); proven "
            f"{fraud['kind'].replace('_', ' ')}, bond {fraud['bond_wei'] / 10**18:g} ETH to the "
            "watcher",
        ),
    )
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


@click.command(cls=ConnectedCommand)
@network_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory, emptied first [out/demo].",
)
def cli(provider, out) -> None:
    """Deploy, register a 49.5 kW plant in Hamamatsu, catch an inflated report, report a fiscal
    year, transfer and retire."""
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
