"""Program-type demo on a local devnet (`make demo-program`): 1,000 households, three months.

Roles are the devnet test accounts (keys of the public "test test ... junk" mnemonic, never for
real funds): 0 admin, 1 validator, 2 the program manager (a municipality), 3 the honest oracle,
5 the watcher, 6-9 the manager's first oracle, which inflates one report.

The story: the manager creates a program (per-member cap 500 t-CO2 a year), a validator approves
it and its enrollment root (1,000 rooftop households in five cities, each a generation and an
export meter signing daily batches). Three households carry planted faults the oracle refuses
(a reading changed after signing, a meter glitch above capacity, an expired meter certificate):
they earn nothing that month, with the reason listed. The manager's first oracle submits April
with one member's end register inflated; the watcher recomputes the member from the archive,
proves the report false on chain (one member, O(log n) gas), takes the bond, and the oracle is
slashed. The honest oracle reports April, May and June; the watcher demands one member's data
in May and the oracle posts it on chain. Every report finalizes after its window and mints to
the manager's payout address. Writes out/program/summary.json and member_reductions.png.
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import click
from ape.cli import network_option

from jcredit.accounts import devnet_account
from jcredit.connect import platform
from jcredit.deploy import DeployConfig, deploy
from jcredit.deployment import network_label
from jcredit.devnet import advance_time
from jcredit.program_deployment import ProgramDeployConfig, deploy_or_reuse_programs
from jcredit.program_tree import EnrollmentTree
from jcredit.programs import ProgramFraudKind, ProgramsClient
from jcredit.tx import Sender
from jcredit.types import ORACLE_ROLE
from jcredit.validity import banner, problems
from methodology.fiscal import (
    fiscal_year_bounds,
    last_ended_fiscal_year,
    next_month_boundary,
    to_iso,
)
from oracles.program.archive import load_archive, previous_report, write_archive
from oracles.program.households import Fault, simulate_households
from oracles.program.intake import ParquetSource
from oracles.program.job import run_period
from oracles.program.verify import inflate_member, verify_period
from scripts._cli import ConnectedCommand, ScriptError, active, out_dir, user_errors, write_json


class ProgramPlan(NamedTuple):
    """What the demo does (a NamedTuple: `ape run` does not register this file as a module)."""

    households: int = 1_000
    months: int = 3  # the first months of the last fiscal year that has ended
    cap_t_per_year: int = 500
    report_bond_wei: int = 10**17
    demand_bond_wei: int = 10**15
    challenge_window_s: int = 3600
    min_bond_wei: int = 10**18
    # Households whose data the oracle must refuse, and why.
    faults: tuple[tuple[int, str], ...] = (
        (17, "tampered"),
        (42, "over_capacity"),
        (256, "expired_certificate"),
    )
    cheated_member: int = 123  # the manager's first oracle inflates its end register
    demanded_member: int = 500  # the watcher asks for its data in May
    seed: int = 2025


class Cast(NamedTuple):
    admin: Sender
    validator: Sender
    manager: Sender
    oracle: Sender
    watcher: Sender


def cast_of(provider, echo: Callable[[str], None]) -> Cast:
    roles = {"manager": "owner"}
    return Cast(
        *(Sender(devnet_account(roles.get(r, r)), provider, log=echo) for r in Cast._fields)
    )


def rogue_oracle(provider, jc, programs: ProgramsClient, cast: Cast, echo) -> Sender:
    """The first devnet account of 6-9 that Programs never slashed, holding ORACLE_ROLE (after
    launch a grant waits the admin delay: the devnet's clock moves past it)."""
    from ape import accounts, chain

    for index in range(6, 10):
        account = accounts.test_accounts[index]
        if programs.contract.is_slashed(account.address):
            continue
        if not jc.registry.has_role(ORACLE_ROLE, account.address):
            eta = jc.registry.role_grant_eta(ORACLE_ROLE, account.address)
            if eta == 0:
                eta = jc.registry.grant_role(cast.admin, ORACLE_ROLE, account.address)
            if eta:
                wait = eta - int(chain.blocks.head.timestamp)
                if wait > 0:
                    advance_time(provider, wait + 1)
                jc.registry.activate_role(cast.admin, ORACLE_ROLE, account.address)
        return Sender(account, provider, log=echo)
    raise ScriptError(
        "devnet accounts 6-9 were all slashed by earlier runs on this devnet: start a fresh anvil "
        "(`make demo-program` does)"
    )


def run_demo(provider, plan: ProgramPlan, out: Path, echo: Callable[[str], None]) -> dict:
    from ape import chain

    cast = cast_of(provider, echo)
    deployment, _ = deploy(
        provider,
        cast.admin.account,
        DeployConfig(
            validator=cast.validator.address,
            oracle=cast.oracle.address,
            min_bond=plan.min_bond_wei,
            challenge_window=plan.challenge_window_s,
        ),
        bond_from=cast.oracle.account,
    )
    jc = platform(deployment)
    record, _ = deploy_or_reuse_programs(
        provider,
        cast.admin.account,
        deployment,
        ProgramDeployConfig(plan.report_bond_wei, plan.demand_bond_wei),
    )
    from ape import project

    programs = ProgramsClient(
        project.Programs.at(record.programs),
        project.MemberProofs.at(record.member_proofs),
        project.ProgramProofs.at(record.program_proofs),
        start_block=record.block,
    )
    credit = project.CarbonCredit.at(record.credit)
    echo(f"platform on {network_label(provider)}: Registry {deployment.registry}")
    echo(
        f"programs: Programs {record.programs}, MemberProofs {record.member_proofs}, "
        f"ProgramProofs {record.program_proofs}, CarbonCredit (programs) {record.credit}"
    )
    if programs.contract.challenge_window() != plan.challenge_window_s:
        cast.admin.send(
            "setting the programs' challenge window",
            programs.contract.set_challenge_window,
            plan.challenge_window_s,
        )
    rogue = rogue_oracle(provider, jc, programs, cast, echo)

    fiscal_year = last_ended_fiscal_year(int(chain.blocks.head.timestamp))
    fy_start, fy_end = fiscal_year_bounds(fiscal_year)
    starts = [fy_start]
    for _ in range(plan.months):
        starts.append(next_month_boundary(starts[-1]))
    program_id = programs.create_program(
        cast.manager,
        cast.manager.address,
        plan.cap_t_per_year,
        starts[0],
        "EN-R-002",
        "https://program.example/hamamatsu-rooftops",
    )
    programs.approve_program(cast.validator, program_id)
    echo(
        f"program {program_id} created by the manager {cast.manager.address} and approved "
        f"(cap {plan.cap_t_per_year} t-CO2 per member and year)"
    )

    data_dir = out / "households"
    began = time.perf_counter()
    sim = simulate_households(
        plan.households,
        starts[0] - 86400,
        starts[-1],
        program_id,
        chain.chain_id,
        deployment.registry,
        seed=plan.seed,
        faults=tuple(
            Fault(member, kind) for member, kind in plan.faults if member <= plan.households
        ),
        crediting=(fy_start, fy_end),
    )
    sim.write_parquet(data_dir)
    echo(
        f"simulated {plan.households} households x {len(starts) - 1} months "
        f"({len(sim.batches)} signed daily batches) in {time.perf_counter() - began:.0f} s"
    )
    enrollment = EnrollmentTree(sim.enrollment)
    index = programs.propose_enrollment(
        cast.manager, program_id, enrollment, "https://program.example/enrollment-1.parquet"
    )
    programs.approve_enrollment(cast.validator, program_id, index)
    echo(f"enrollment root {enrollment.root.hex()[:16]}.. of {enrollment.count} meters approved")

    archive = out / "archive"
    source = ParquetSource(data_dir)
    reports: list[dict[str, Any]] = []
    undone: dict[str, Any] = {}
    previous = None
    member_credits: dict[int, int] = {}
    programs.set_oracle(cast.manager, program_id, rogue.address)
    for month, (start, end) in enumerate(itertools.pairwise(starts)):
        period = run_period(
            source,
            sim.enrollment,
            program_id,
            start,
            end,
            chain_id=chain.chain_id,
            registry=deployment.registry,
            cap_t_per_year=plan.cap_t_per_year,
            previous=previous,
        )
        totals = period.totals()
        refused = "; ".join(f"member {m}: {why[:70]}" for m, why in period.details.items())
        echo(
            f"{to_iso(start)[:7]}: {totals['valid']} members valid, {totals['refused_members']} "
            f"refused ({refused}), "
            f"{totals['credited_g'] / 1e6:.3f} t, on Dask in {period.timings['wall']:.1f} s"
        )
        if month == 0:
            undone = cheat_and_catch(programs, period, rogue, cast, plan, archive, echo)
            programs.set_oracle(cast.manager, program_id, cast.oracle.address)
        uri = write_archive(archive, period)
        facts, receipt = programs.submit(
            cast.oracle, program_id, end, fiscal_year, period.tree, uri, plan.report_bond_wei
        )
        entry: dict[str, Any] = {
            "report_id": facts.report_id,
            "period": [to_iso(start), to_iso(end)],
            "members": facts.member_count,
            "valid_members": totals["valid"],
            "refused": {str(m): why for m, why in period.details.items()},
            "total_g": facts.total_g,
            "submit_gas": int(receipt.gas_used),
            "data_uri": uri,
        }
        if month == 1:
            entry["data_demand"] = demand_and_answer(
                programs, facts, period, enrollment, cast, plan
            )
            echo(
                f"watcher demanded member {entry['data_demand']['member_id']}'s data; the oracle "
                f"posted it ({entry['data_demand']['respond_gas']} gas) and took the demand bond"
            )
        advance_time(provider, plan.challenge_window_s + 1)
        final = programs.finalize(cast.watcher, facts)
        event = next(iter(programs.contract.ProgramReportFinalized.from_receipt(final)))
        entry |= {
            "finalize_gas": int(final.gas_used),
            "minted_t": int(event.minted_t),
            "carry_g": int(event.carry_g),
        }
        reports.append(entry)
        echo(
            f"report {facts.report_id} finalized: {event.minted_t} t minted to the manager, "
            f"{event.carry_g} g carried (submit {entry['submit_gas']} gas, finalize "
            f"{entry['finalize_gas']} gas)"
        )
        for result in period.results:
            member_credits[result.member_id] = (
                member_credits.get(result.member_id, 0) + result.credited_g
            )
        previous = previous_report(archive, uri)

    token = (program_id << 16) | fiscal_year
    balance = int(credit.balanceOf(cast.manager.address, token))
    chart = out / "member_reductions.png"
    member_chart(member_credits, chart)
    return {
        "banner": banner(problems(chain.chain_id, [fiscal_year])),
        "program_id": program_id,
        "fiscal_year": fiscal_year,
        "members": plan.households,
        "months": len(reports),
        "reports": reports,
        "gas_per_report": [r["submit_gas"] + r["finalize_gas"] for r in reports],
        "undone_report": undone,
        "credits": {
            "token_id": token,
            "manager_balance_t": balance,
            "carry_g": int(programs.contract.carry_g(program_id, fiscal_year)),
            "credited_g_all_members": sum(member_credits.values()),
        },
        "chart": str(chart),
        "contracts": record.addresses(),
    }


def cheat_and_catch(
    programs: ProgramsClient, period, rogue: Sender, cast: Cast, plan: ProgramPlan, archive, echo
) -> dict:
    """The manager's first oracle submits the month with one member inflated; the watcher
    verifies the archive, sends the proof it finds, and the report is undone."""
    cheat = inflate_member(period, min(plan.cheated_member, plan.households))
    uri = write_archive(archive, period, tree=cheat.tree, results=cheat.results)
    facts, receipt = programs.submit(
        rogue,
        period.program_id,
        period.terms.period_end,
        period.terms.fiscal_year,
        cheat.tree,
        uri,
        plan.report_bond_wei,
    )
    echo(
        f"the manager's oracle {rogue.address} submitted report {facts.report_id}: "
        f"{facts.total_g / 1e6:.3f} t ({(facts.total_g - period.total_g) / 1e6:.3f} t more than "
        "the meters measured)"
    )
    verdict = verify_period(load_archive(archive, uri), facts=facts)
    finding = next(f for f in verdict.findings if f.proof is not None)
    kind = ProgramFraudKind(finding.kind)
    proof = programs.prove(cast.watcher, finding.proof)
    echo(
        f"watcher: {finding.message}; proof of kind {int(kind)} ({kind.describe()}) sent "
        f"({proof.gas_used} gas): report {facts.report_id} undone, the oracle's bond paid to "
        "the watcher, the oracle slashed"
    )
    return {
        "report_id": facts.report_id,
        "oracle": rogue.address,
        "claimed_g": facts.total_g,
        "measured_g": period.total_g,
        "why": finding.message,
        "proof_kind": int(kind),
        "proof": kind.describe(),
        "proof_function": f"{finding.proof.contract}.{finding.proof.function}",
        "proof_gas": int(proof.gas_used),
        "submit_gas": int(receipt.gas_used),
        "bond_to_watcher_wei": plan.report_bond_wei,
    }


def demand_and_answer(programs, facts, period, enrollment, cast: Cast, plan: ProgramPlan) -> dict:
    position = period.tree.position_of(min(plan.demanded_member, plan.households))
    demand = programs.demand(cast.watcher, facts, position, plan.demand_bond_wei)
    answer = programs.respond(cast.oracle, facts, position, period.tree, enrollment)
    return {
        "member_id": period.tree.leaves[position].member_id,
        "position": position,
        "demand_gas": int(demand.gas_used),
        "respond_gas": int(answer.gas_used),
    }


def member_chart(credits: dict[int, int], path: Path) -> None:
    import matplotlib.pyplot as plt

    kilograms = [grams / 1000 for grams in credits.values()]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    axes.hist(kilograms, bins=40, color="#e69f00", edgecolor="#333333")
    axes.set_xlabel("credited reduction per household, April-June (kg-CO2)")
    axes.set_ylabel("households")
    axes.set_title(f"{len(credits)} rooftop households in one program-type project")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)


@click.command(cls=ConnectedCommand)
@network_option()
@click.option("--households", type=click.IntRange(min=4), default=1_000, show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory, emptied first [out/program].",
)
def cli(provider, households, out) -> None:
    """A program of rooftop households: an inflated report caught, three months finalized."""
    provider = active(provider)
    if not provider.network.is_local:
        raise ScriptError(
            f"the demo plays every role with devnet test accounts: run it on a local network, "
            f"not {network_label(provider)}"
        )
    from ape.logging import LogLevel, logger

    if logger.level == LogLevel.INFO:
        logger.set_level(LogLevel.WARNING)
    out = out or out_dir("program")
    if out.exists():
        shutil.rmtree(out)
    with user_errors():
        summary = run_demo(provider, ProgramPlan(households=households), out, echo=click.echo)
    path = out / "summary.json"
    write_json(path, summary)
    click.echo(f"summary: {path}")
