"""The period job: every member of a program verified and computed on Dask, one sum tree.

`run_period` splits the enrolled members into chunks, and each Dask task reads its chunk from the
source itself (so member data never travels through the scheduler), checks every signature,
computes each member's result (members.compute_member) and returns the results, refusals and
counts. The results are sorted by member id and the sum tree built here (jcredit.program_tree).

By default the job starts a `LocalCluster` over this machine's cores; `scheduler="tcp://h:8786"`
runs the same tasks on that cluster through `distributed.Client(address)` (the workers must see
the source path), and `client=` reuses a client the caller holds.

Resume: the period starts at the program's on-chain cursor; `previous` (from the previous
period's archive, `archive.previous_report`) gives each member's ytd credited grams in its
fiscal year, which the cap arithmetic continues from (zero in a new fiscal year).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jcredit.program_tree import EnrolledMeter, MemberResult, SumTree
from methodology.factors import FactorTable, load_factors
from methodology.fiscal import fiscal_year, fiscal_year_bounds, next_month_boundary
from methodology.units import G_PER_T
from oracles.errors import DataError
from oracles.program.intake import (
    CsvSource,
    MemberRefusal,
    ParquetSource,
    TableSource,
    clip_to_window,
    open_source,
    verify_members,
)
from oracles.program.members import PeriodTerms, compute_member
from oracles.program.trees import EnrollmentView

Source = ParquetSource | CsvSource | TableSource
DEFAULT_CAP_T_PER_YEAR = 500  # the scheme's per-member limit (methodology.eligibility)


@dataclass(frozen=True)
class PreviousReport:
    """What the next period needs from the previous one (its archive)."""

    period_end: int
    fiscal_year: int
    ytd_credited_g: dict[int, int]


@dataclass(frozen=True)
class ChunkTask:
    source: Source
    member_ids: tuple[int, ...]
    enrolled: dict[int, list[tuple[int, EnrolledMeter]]]
    shared_meters: dict[str, list[int]]
    terms: PeriodTerms
    ytd_before: dict[int, int]
    chain_id: int
    registry: str


@dataclass
class ChunkOutput:
    results: list[MemberResult]
    details: dict[int, str]
    refusals: list[MemberRefusal]
    readings: int
    batches: int
    seconds: dict[str, float]


@dataclass
class ProgramPeriod:
    """One period's report as the oracle computed it."""

    terms: PeriodTerms
    chain_id: int
    registry: str
    enrollment: list[EnrolledMeter]
    enrollment_root: bytes
    results: list[MemberResult]
    tree: SumTree
    refusals: list[MemberRefusal]
    details: dict[int, str]  # member id -> why invalid
    readings: int
    batches: int
    timings: dict[str, float] = field(default_factory=dict)
    source: Source | None = None
    enrollment_problems: list[str] = field(default_factory=list)

    @property
    def program_id(self) -> int:
        return self.terms.program_id

    @property
    def total_g(self) -> int:
        return self.tree.total

    @property
    def member_count(self) -> int:
        return len(self.results)

    @property
    def valid_count(self) -> int:
        return sum(r.valid for r in self.results)

    def totals(self) -> dict[str, int]:
        return {
            "members": self.member_count,
            "valid": self.valid_count,
            "refused_members": self.member_count - self.valid_count,
            "credited_g": self.total_g,
            "self_consumed_wh": sum(r.self_consumed_wh for r in self.results),
            "readings": self.readings,
            "batches": self.batches,
        }

    def ytd(self) -> dict[int, int]:
        return {r.member_id: r.ytd_credited_g for r in self.results}


def period_terms(
    program_id: int,
    period_start: int,
    period_end: int | None,
    factors: FactorTable | None,
    cap_t_per_year: int,
) -> PeriodTerms:
    end = next_month_boundary(period_start) if period_end is None else period_end
    if end <= period_start:
        raise DataError(f"program {program_id}: period {period_start}..{end} is empty")
    fy = fiscal_year(period_start)
    if end > fiscal_year_bounds(fy)[1]:
        raise DataError(
            f"program {program_id}: period {period_start}..{end} crosses the end of FY{fy}"
        )
    factor = (factors or load_factors()).factor(fy)
    return PeriodTerms(program_id, period_start, end, fy, factor, cap_t_per_year * G_PER_T)


def process_chunk(task: ChunkTask) -> ChunkOutput:
    """One Dask task: read, verify and compute the chunk's members."""
    began = time.perf_counter()
    readings, batches = clip_to_window(*task.source.read(task.member_ids), task.terms)
    read_s = time.perf_counter() - began
    began = time.perf_counter()
    data = verify_members(readings, batches, task.terms.program_id, task.chain_id, task.registry)
    verify_s = time.perf_counter() - began
    began = time.perf_counter()
    results, details, refusals = [], {}, []
    for member_id in task.member_ids:
        member = data.get(member_id)
        outcome = compute_member(
            member_id,
            task.enrolled[member_id],
            member,
            task.terms,
            task.ytd_before.get(member_id, 0),
            task.shared_meters,
        )
        results.append(outcome.result)
        if outcome.detail:
            details[member_id] = outcome.detail
        if member is not None:
            refusals += member.refusals
    compute_s = time.perf_counter() - began
    return ChunkOutput(
        results,
        details,
        refusals,
        readings.num_rows,
        batches.num_rows,
        {"read": read_s, "verify": verify_s, "compute": compute_s},
    )


@dataclass
class _Plan:
    terms: PeriodTerms
    view: EnrollmentView
    tasks: list[ChunkTask]
    source: Source
    problems: list[str]


def _plan(
    source: str | Path | Source,
    enrollment: Sequence[EnrolledMeter],
    program_id: int,
    period_start: int,
    period_end: int | None,
    chain_id: int,
    registry: str,
    factors: FactorTable | None,
    cap_t_per_year: int,
    previous: PreviousReport | None,
    chunks: int,
    refuse_bad_enrollment: bool,
    only: Sequence[int] | None = None,
    terms: PeriodTerms | None = None,
) -> _Plan:
    terms = terms or period_terms(program_id, period_start, period_end, factors, cap_t_per_year)
    if not enrollment:
        raise DataError(f"program {program_id}: the enrollment has no leaves")
    view = EnrollmentView(list(enrollment))
    problems = []
    disorder = view.first_disorder()
    if disorder is not None:
        a, b = view.leaves[disorder], view.leaves[disorder + 1]
        problems.append(
            f"program {program_id}: enrollment leaves {disorder} and {disorder + 1} are not "
            f"strictly ascending by meter: {a.meter} (member {a.member_id}) then {b.meter} "
            f"(member {b.member_id}); a report against this root is refutable (kind 7)"
        )
        if refuse_bad_enrollment:
            raise DataError(problems[0] + "; the manager must propose a corrected enrollment")
    ytd: dict[int, int] = {}
    if previous is not None:
        if previous.period_end != terms.period_start:
            raise DataError(
                f"program {program_id}: the previous report ends at {previous.period_end}, "
                f"but the on-chain cursor (period start) is {terms.period_start}"
            )
        if previous.fiscal_year == terms.fiscal_year:
            ytd = dict(previous.ytd_credited_g)
    enrolled: dict[int, list[tuple[int, EnrolledMeter]]] = {}
    for index, leaf in enumerate(view.leaves):
        if leaf.member_id < 1:
            raise DataError(f"enrollment leaf {index} (meter {leaf.meter}): member_id must be > 0")
        enrolled.setdefault(leaf.member_id, []).append((index, leaf))
    members = sorted(enrolled if only is None else set(only) & set(enrolled))
    size = max(1, math.ceil(len(members) / max(1, chunks)))
    shared = view.shared_meters()
    src = open_source(source) if isinstance(source, str | Path) else source
    tasks = [
        ChunkTask(
            src,
            tuple(chunk),
            {m: enrolled[m] for m in chunk},
            shared,
            terms,
            {m: ytd[m] for m in chunk if m in ytd},
            chain_id,
            registry,
        )
        for chunk in (members[i : i + size] for i in range(0, len(members), size))
    ]
    return _Plan(terms, view, tasks, src, problems)


def _assemble(
    plan: _Plan, outputs: list[ChunkOutput], chain_id: int, registry: str, timings: dict[str, float]
) -> ProgramPeriod:
    began = time.perf_counter()
    results = sorted((r for out in outputs for r in out.results), key=lambda r: r.member_id)
    tree = SumTree(results)
    timings["tree"] = time.perf_counter() - began
    for name in ("read", "verify", "compute"):
        timings[f"task_{name}"] = sum(out.seconds[name] for out in outputs)
    details = {k: v for out in outputs for k, v in out.details.items()}
    return ProgramPeriod(
        terms=plan.terms,
        chain_id=chain_id,
        registry=registry,
        enrollment=plan.view.leaves,
        enrollment_root=plan.view.root,
        results=results,
        tree=tree,
        refusals=[r for out in outputs for r in out.refusals],
        details=details,
        readings=sum(out.readings for out in outputs),
        batches=sum(out.batches for out in outputs),
        timings=timings,
        source=plan.source,
        enrollment_problems=plan.problems,
    )


def run_period(
    source: str | Path | Source,
    enrollment: Sequence[EnrolledMeter],
    program_id: int,
    period_start: int,
    period_end: int | None = None,
    *,
    chain_id: int,
    registry: str,
    factors: FactorTable | None = None,
    cap_t_per_year: int = DEFAULT_CAP_T_PER_YEAR,
    previous: PreviousReport | None = None,
    scheduler: str | None = None,
    client=None,
    n_workers: int | None = None,
    processes: bool = True,
    chunks_per_worker: int = 4,
    refuse_bad_enrollment: bool = True,
) -> ProgramPeriod:
    """The program's report for [period_start, period_end) (default: to the next JST month).

    `period_start` is the program's on-chain cursor. Runs on `client`, else on the Dask
    scheduler at `scheduler`, else on a LocalCluster of `n_workers` (default: all cores, one
    thread each; `processes=False` keeps the workers in this process, for tests).
    `refuse_bad_enrollment=False` computes against an enrollment with a meter twice (both members
    refused with reason 6) instead of raising; such a report is refutable, never submit it.
    """
    from distributed import Client, LocalCluster

    timings: dict[str, float] = {}
    began = time.perf_counter()
    own_client = own_cluster = None
    if client is None:
        if scheduler is not None:
            client = own_client = Client(scheduler)
        else:
            own_cluster = LocalCluster(
                n_workers=n_workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",
            )
            client = own_client = Client(own_cluster)
    timings["cluster_start"] = time.perf_counter() - began
    try:
        workers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
        began = time.perf_counter()
        plan = _plan(
            source,
            enrollment,
            program_id,
            period_start,
            period_end,
            chain_id,
            registry,
            factors,
            cap_t_per_year,
            previous,
            workers * chunks_per_worker,
            refuse_bad_enrollment,
        )
        futures = client.map(process_chunk, plan.tasks, pure=False)
        outputs = client.gather(futures)
        timings["members"] = time.perf_counter() - began
        period = _assemble(plan, outputs, chain_id, registry, timings)
        timings["wall"] = timings["members"] + timings["tree"]
        timings["workers"] = workers
        return period
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()


def run_period_inline(
    source: str | Path | Source,
    enrollment: Sequence[EnrolledMeter],
    program_id: int,
    period_start: int,
    period_end: int | None = None,
    *,
    chain_id: int,
    registry: str,
    factors: FactorTable | None = None,
    cap_t_per_year: int = DEFAULT_CAP_T_PER_YEAR,
    previous: PreviousReport | None = None,
    refuse_bad_enrollment: bool = True,
    members: Sequence[int] | None = None,
    terms: PeriodTerms | None = None,
) -> ProgramPeriod:
    """The same computation in this process, one chunk, no Dask: the reference the tests
    compare the distributed job with, and the verifier's recomputation (`members`: only these;
    `terms`: an archived report's, instead of looking the factor up again)."""
    began = time.perf_counter()
    plan = _plan(
        source,
        enrollment,
        program_id,
        period_start,
        period_end,
        chain_id,
        registry,
        factors,
        cap_t_per_year,
        previous,
        1,
        refuse_bad_enrollment,
        members,
        terms,
    )
    outputs = [process_chunk(task) for task in plan.tasks]
    timings = {"members": time.perf_counter() - began}
    period = _assemble(plan, outputs, chain_id, registry, timings)
    timings["wall"] = timings["members"] + timings["tree"]
    return period
