"""Program-type projects (`ape run program ...`), for the three kinds of users:

- admin: `deploy` (Programs, its two proof contracts and its CarbonCredit, on the platform);
- manager: `create`, `oracle`, `enroll` (an enrollment root from a households' program.json);
- validator: `approve`, `approve-enrollment`;
- oracle operator: `report` (the next period on Dask, archived, submitted), `finalize`;
- anyone: `show`, `reports`, `verify` (recompute a report from its archive; `--prove` sends the
  fraud proof found), and members: `member` (what my roof earned, proven against the root).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from ape import chain
from ape.cli import network_option

from jcredit.program_deployment import (
    ProgramDeployConfig,
    deploy_or_reuse_programs,
    require_program_deployment,
)
from jcredit.program_tree import EnrollmentTree
from jcredit.programs import (
    DEFAULT_CAP_T_PER_YEAR,
    ProgramFraudKind,
    ProgramsClient,
    verify_member,
)
from methodology.fiscal import to_iso
from scripts._cli import (
    ConnectedCommand,
    ScriptError,
    account_option,
    active,
    checksum_address,
    platform_of,
    sender_for,
    time_option_value,
    user_errors,
    utf8_limit,
)


def programs_of(provider) -> ProgramsClient:
    from ape import project

    provider = active(provider)
    platform = platform_of(provider)
    with user_errors():
        record = require_program_deployment(provider, platform.deployment)
    return ProgramsClient(
        project.Programs.at(record.programs),
        project.MemberProofs.at(record.member_proofs),
        project.ProgramProofs.at(record.program_proofs),
        start_block=record.block,
    )


def read_enrollment(households: Path) -> EnrollmentTree:
    """The enrollment leaves of a households directory (its program.json)."""
    from oracles.program.households import enrolled_from_json

    path = Path(households) / "program.json"
    try:
        entries = json.loads(path.read_text())["enrollment"]
    except (OSError, ValueError, KeyError) as exc:
        raise ScriptError(f"{path}: no enrollment list ({exc})") from None
    try:
        return EnrollmentTree([enrolled_from_json(entry) for entry in entries])
    except ValueError as exc:
        raise ScriptError(f"{path}: {exc}") from None


@click.group()
def cli() -> None:
    """Program-type projects: many households, one monthly report, provable member by member."""


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("admin")
@click.option("--report-bond", type=click.IntRange(min=1), default=10**17, show_default=True)
@click.option("--demand-bond", type=click.IntRange(min=1), default=10**15, show_default=True)
def deploy(provider, account, report_bond, demand_bond) -> None:
    """Deploy Programs on this network's platform (the admin: the Registry's owner)."""
    provider = active(provider)
    platform = platform_of(provider)
    admin = sender_for(provider, account, "admin")
    with user_errors():
        record, is_new = deploy_or_reuse_programs(
            provider,
            admin.account,
            platform.deployment,
            ProgramDeployConfig(report_bond, demand_bond),
            log=click.echo,
        )
    click.echo(("deployed" if is_new else "reusing the deployment") + ":")
    for name, address in record.addresses().items():
        click.echo(f"  {name}: {address}")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("owner", "The program manager")
@click.option("--payout", callback=checksum_address, help="Where credits go [the manager].")
@click.option(
    "--cap-t-per-year",
    type=click.IntRange(min=0),
    default=DEFAULT_CAP_T_PER_YEAR,
    show_default=True,
    help="Per-member cap in t-CO2 per fiscal year (0 = none).",
)
@click.option("--first-period-start", required=True, help="YYYY-MM-DD (JST) or ISO 8601.")
@click.option("--methodology-id", default="EN-R-002", show_default=True, callback=utf8_limit(32))
@click.option("--metadata-uri", default="", callback=utf8_limit(128))
def create(
    provider, account, payout, cap_t_per_year, first_period_start, methodology_id, metadata_uri
) -> None:
    """Create a program; the account becomes its manager (proposed until a validator approves)."""
    programs = programs_of(provider)
    manager = sender_for(provider, account, "owner")
    start = time_option_value(first_period_start, "--first-period-start")
    with user_errors():
        program_id = programs.create_program(
            manager,
            payout or manager.address,
            cap_t_per_year,
            start,
            methodology_id,
            metadata_uri,
        )
    click.echo(f"program {program_id} created by {manager.address} (PROPOSED until approved)")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("validator")
@click.argument("program_id", type=click.IntRange(min=1))
def approve(provider, account, program_id) -> None:
    """Approve a proposed program (a validator)."""
    programs = programs_of(provider)
    with user_errors():
        programs.approve_program(sender_for(provider, account, "validator"), program_id)
    click.echo(f"program {program_id} approved")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("owner", "The program manager")
@click.argument("program_id", type=click.IntRange(min=1))
@click.argument("oracle_address", callback=checksum_address)
def oracle(provider, account, program_id, oracle_address) -> None:
    """Assign the program's oracle (the manager; it must hold ORACLE_ROLE, never slashed)."""
    programs = programs_of(provider)
    with user_errors():
        programs.set_oracle(sender_for(provider, account, "owner"), program_id, oracle_address)
    click.echo(f"program {program_id}: oracle {oracle_address}")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("owner", "The program manager")
@click.argument("program_id", type=click.IntRange(min=1))
@click.option(
    "--households",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Directory with program.json (its enrollment list), e.g. from the simulator.",
)
@click.option("--data-uri", default="", callback=utf8_limit(128), help="Where the leaves are.")
def enroll(provider, account, program_id, households, data_uri) -> None:
    """Propose an enrollment root (members join and leave through new roots)."""
    programs = programs_of(provider)
    tree = read_enrollment(households)
    with user_errors():
        index = programs.propose_enrollment(
            sender_for(provider, account, "owner"), program_id, tree, data_uri
        )
    members = len({leaf.member_id for leaf in tree.leaves})
    click.echo(
        f"program {program_id}: enrollment {index} proposed, {members} members, "
        f"{tree.count} meters, root 0x{tree.root.hex()}"
    )


@cli.command(name="approve-enrollment", cls=ConnectedCommand)
@network_option()
@account_option("validator")
@click.argument("program_id", type=click.IntRange(min=1))
@click.argument("index", type=click.IntRange(min=0))
def approve_enrollment(provider, account, program_id, index) -> None:
    """Approve an enrollment root (a validator): reports from now on use it."""
    programs = programs_of(provider)
    with user_errors():
        programs.approve_enrollment(sender_for(provider, account, "validator"), program_id, index)
    click.echo(f"program {program_id}: enrollment {index} approved (current)")


@cli.command(cls=ConnectedCommand)
@network_option()
@click.argument("program_id", type=click.IntRange(min=1))
def show(provider, program_id) -> None:
    """A program, its enrollment roots and its pending report."""
    programs = programs_of(provider)
    with user_errors():
        program = programs.program(program_id)
        click.echo(f"program {program_id}: {program.status.name}")
        click.echo(f"  manager {program.manager}, payout {program.payout}")
        click.echo(f"  oracle {program.oracle}, cap {program.cap_t_per_year} t per member/year")
        click.echo(f"  next period starts {to_iso(program.next_period_start)}")
        for index in range(program.enrollment_total):
            enrollment = programs.enrollment(program_id, index)
            current = " (current)" if index == program.current_enrollment else ""
            click.echo(
                f"  enrollment {index}: {enrollment.status.name}{current}, {enrollment.count} "
                f"meters, root 0x{enrollment.root.hex()}"
            )
        pending = programs.pending_facts(program_id)
    if pending is not None:
        click.echo(
            f"  pending report {pending.report_id}: {to_iso(pending.period_start)} .. "
            f"{to_iso(pending.period_end)}, {pending.total_g} g, challenge window ends "
            f"{to_iso(pending.challenge_deadline)}"
        )


@cli.command(cls=ConnectedCommand)
@network_option()
@click.argument("program_id", type=click.IntRange(min=1))
def reports(provider, program_id) -> None:
    """Every report of a program: submitted, finalized or undone."""
    programs = programs_of(provider)
    finalized = {int(log.report_id): log for log in programs.finalized(program_id)}
    undone = {int(log.report_id): log for log in programs.undone(program_id)}
    for facts in programs.submitted(program_id):
        if facts.report_id in finalized:
            state = f"finalized, {finalized[facts.report_id].minted_t} t minted"
        elif facts.report_id in undone:
            state = f"undone (reason {undone[facts.report_id].reason})"
        else:
            state = "pending"
        click.echo(
            f"report {facts.report_id}: {to_iso(facts.period_start)} .. "
            f"{to_iso(facts.period_end)}, {facts.member_count} members, {facts.total_g} g: "
            f"{state}"
        )


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("oracle")
@click.argument("program_id", type=click.IntRange(min=1))
@click.option(
    "--households",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="The households' data: a Parquet dataset partitioned by member, or CSV folders.",
)
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--period-end", help="End of the period (default: the next JST month start).")
@click.option("--bond", type=click.IntRange(min=1), help="Report bond in wei [the minimum].")
@click.option("--scheduler", help="A Dask scheduler, tcp://HOST:8786 [a local cluster].")
def report(provider, account, program_id, households, archive, period_end, bond, scheduler) -> None:
    """Compute the program's next period from chain state (its cursor, the current enrollment
    and the previous report's archive), archive it as Parquet and submit it."""
    from oracles.program.archive import previous_report, write_archive
    from oracles.program.intake import open_source
    from oracles.program.job import run_period

    provider = active(provider)
    programs = programs_of(provider)
    sender = sender_for(provider, account, "oracle")
    tree = read_enrollment(households)
    with user_errors():
        program = programs.program(program_id)
        if program.current_enrollment is None:
            raise ScriptError(f"program {program_id}: no approved enrollment root yet")
        current = programs.enrollment(program_id, program.current_enrollment)
        if current.root != tree.root:
            raise ScriptError(
                f"{households}: its enrollment root 0x{tree.root.hex()} is not the program's "
                f"current one (0x{current.root.hex()})"
            )
        start = program.next_period_start
        end = time_option_value(period_end, "--period-end") if period_end else None
        previous = None
        earlier = [
            f for f in programs.submitted(program_id) if f.report_id in _finalized_ids(programs)
        ]
        if earlier:
            uri = _data_uri(programs, earlier[-1].report_id)
            previous = previous_report(archive, uri)
        period = run_period(
            open_source(households),
            tree.leaves,
            program_id,
            start,
            end,
            chain_id=chain.chain_id,
            registry=programs.contract.registry(),
            cap_t_per_year=program.cap_t_per_year,
            previous=previous,
            scheduler=scheduler,
        )
        for member_id, why in period.details.items():
            click.echo(f"member {member_id} earns nothing this period: {why}")
        uri = write_archive(archive, period)
        facts, _ = programs.submit(
            sender,
            program_id,
            period.terms.period_end,
            period.terms.fiscal_year,
            period.tree,
            uri,
            bond or int(programs.contract.MIN_REPORT_BOND()),
        )
    click.echo(
        f"report {facts.report_id} submitted: {facts.member_count} members, {facts.total_g} g, "
        f"archived as {uri}; challenge window ends {to_iso(facts.challenge_deadline)}"
    )


def _finalized_ids(programs: ProgramsClient) -> set[int]:
    return {int(log.report_id) for log in programs.finalized()}


def _data_uri(programs: ProgramsClient, report_id: int) -> str:
    from jcredit.history import logs

    for log in logs(programs.contract.ProgramReportSubmitted, programs.start_block):
        if int(log.report_id) == report_id:
            return log.data_uri
    raise ScriptError(f"report {report_id}: not logged")


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("watcher", "Whoever finalizes")
@click.argument("program_id", type=click.IntRange(min=1))
def finalize(provider, account, program_id) -> None:
    """Finalize the program's pending report after its challenge window (anyone)."""
    programs = programs_of(provider)
    with user_errors():
        facts = programs.pending_facts(program_id)
        if facts is None:
            raise ScriptError(f"program {program_id}: no pending report")
        receipt = programs.finalize(sender_for(provider, account, "watcher"), facts)
    event = next(iter(programs.contract.ProgramReportFinalized.from_receipt(receipt)))
    click.echo(
        f"report {facts.report_id} finalized: {event.minted_t} t minted to {event.payout}, "
        f"{event.carry_g} g carried"
    )


@cli.command(cls=ConnectedCommand)
@network_option()
@account_option("watcher")
@click.argument("program_id", type=click.IntRange(min=1))
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--prove", is_flag=True, help="Send the fraud proof found.")
@click.option("--calldata", type=click.Path(dir_okay=False, path_type=Path), help="Write it.")
def verify(provider, account, program_id, archive, prove, calldata) -> None:
    """Recompute the pending report's members from its archive; exit 1 on a finding."""
    from oracles.program.archive import load_archive
    from oracles.program.verify import verify_period

    programs = programs_of(provider)
    with user_errors():
        facts = programs.pending_facts(program_id)
        if facts is None:
            raise ScriptError(f"program {program_id}: no pending report to verify")
        archived = load_archive(archive, _data_uri(programs, facts.report_id))
        verdict = verify_period(archived, facts=facts)
    if verdict.ok:
        click.echo(f"report {facts.report_id}: every member recomputes from its signed data")
        return
    for finding in verdict.findings:
        click.echo(f"report {facts.report_id}: kind {finding.kind}: {finding.message}")
    provable = next((f for f in verdict.findings if f.proof is not None), None)
    if provable is not None and calldata is not None:
        call = provable.proof
        calldata.write_text(
            json.dumps(
                {
                    "contract": call.contract,
                    "function": call.function,
                    "args": _jsonable(call.args),
                },
                indent=1,
            )
        )
        click.echo(f"calldata of the kind {provable.kind} proof: {calldata}")
    if provable is not None and prove:
        kind = ProgramFraudKind(provable.kind)
        with user_errors():
            programs.prove(sender_for(provider, account, "watcher"), provable.proof)
        click.echo(f"report {facts.report_id} undone: {kind.describe()}")
        return
    raise SystemExit(1)


def _jsonable(value):
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@cli.command(cls=ConnectedCommand)
@network_option()
@click.argument("program_id", type=click.IntRange(min=1))
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--report-id", type=click.IntRange(min=1), help="[the latest finalized report]")
def members(provider, program_id, archive, report_id) -> None:
    """The members of a finalized report: credited grams, or why a member earned nothing."""
    from oracles.program.archive import load_archive

    programs = programs_of(provider)
    finalized = sorted(_finalized_ids(programs))
    kept = [f for f in programs.submitted(program_id) if f.report_id in finalized]
    if report_id is not None:
        kept = [f for f in kept if f.report_id == report_id]
    if not kept:
        raise ScriptError(f"program {program_id}: no finalized report {report_id or ''}".strip())
    facts = kept[-1]
    archived = load_archive(archive, _data_uri(programs, facts.report_id))
    if archived.sum_root != facts.sum_root:
        raise ScriptError(
            f"{archive}: the archive of report {facts.report_id} is not the one on chain"
        )
    click.echo(
        f"report {facts.report_id} ({to_iso(facts.period_start)[:10]} .. "
        f"{to_iso(facts.period_end)[:10]}): {facts.member_count} members, {facts.total_g} g"
    )
    for result in archived.results:
        if result.valid:
            click.echo(f"  member {result.member_id}: {result.credited_g} g credited")
        else:
            reason = archived.details.get(result.member_id, f"reason {result.reason}")
            click.echo(f"  member {result.member_id}: nothing ({reason})")


@cli.command(cls=ConnectedCommand)
@network_option()
@click.argument("program_id", type=click.IntRange(min=1))
@click.argument("member_id", type=click.IntRange(min=1))
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), required=True)
def member(provider, program_id, member_id, archive) -> None:
    """What a member's roof earned, report by report, each result proven against the root the
    chain holds (the member needs only the archive and the chain, not the manager's word)."""
    from oracles.program.archive import load_archive

    programs = programs_of(provider)
    finalized = _finalized_ids(programs)
    total = 0
    for facts in programs.submitted(program_id):
        if facts.report_id not in finalized:
            continue
        archived = load_archive(archive, _data_uri(programs, facts.report_id))
        try:
            position = archived.tree.position_of(member_id)
        except ValueError:
            click.echo(f"report {facts.report_id}: member {member_id} not in it")
            continue
        result = archived.tree.leaves[position]
        try:
            claimed = verify_member(facts, position, result, archived.tree.path(position))
        except ValueError as exc:
            raise ScriptError(str(exc)) from None
        total += claimed
        why = "" if result.valid else f" (not credited, reason {result.reason})"
        click.echo(
            f"report {facts.report_id} {to_iso(facts.period_start)[:10]}..: "
            f"{result.self_consumed_wh} Wh self-consumed, {claimed} g credited{why}; "
            f"proof: leaf {position} of root 0x{facts.sum_root.hex()[:16]}.. checked"
        )
    click.echo(f"member {member_id}: {total} g ({total / 1e6:.6f} t) credited in all")
