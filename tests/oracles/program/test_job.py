"""The period job on a real Dask LocalCluster, resume, and a meter enrolled twice."""

import pytest

from oracles.errors import DataError
from oracles.program.households import Fault, simulate_households
from oracles.program.job import PreviousReport, run_period, run_period_inline
from tests.oracles.program.conftest import (
    APR_2025,
    CHAIN_ID,
    JUN_2025,
    MAY_2025,
    PROGRAM_ID,
    REGISTRY,
)


def test_dask_local_cluster_gives_the_inline_tree(program):
    args = (program.path, program.sim.enrollment, PROGRAM_ID, APR_2025)
    inline = run_period_inline(*args, chain_id=CHAIN_ID, registry=REGISTRY)
    dask = run_period(*args, chain_id=CHAIN_ID, registry=REGISTRY, n_workers=2, processes=False)
    assert dask.tree.root == inline.tree.root and dask.results == inline.results
    assert [r.member_id for r in dask.results] == list(range(1, 9))
    assert dask.timings["workers"] == 2
    assert dask.totals()["valid"] == 5 and dask.total_g == sum(r.credited_g for r in dask.results)
    assert dask.readings == 8 * 2 * (30 * 48 + 1)


def test_existing_scheduler_by_address_runs_the_same_job(program):
    """`--scheduler tcp://HOST:8786`: the job connects to a running cluster by its address."""
    from distributed import LocalCluster

    args = (program.path, program.sim.enrollment, PROGRAM_ID, APR_2025)
    inline = run_period_inline(*args, chain_id=CHAIN_ID, registry=REGISTRY)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = run_period(
            *args, chain_id=CHAIN_ID, registry=REGISTRY, scheduler=cluster.scheduler_address
        )
    assert remote.tree.root == inline.tree.root and remote.timings["workers"] == 1


def test_resume_continues_ytd_within_the_fiscal_year(two_months):
    enrollment = two_months.sim.enrollment
    april = run_period_inline(
        two_months.path, enrollment, PROGRAM_ID, APR_2025, chain_id=CHAIN_ID, registry=REGISTRY
    )
    assert april.terms.period_end == MAY_2025
    previous = PreviousReport(MAY_2025, april.terms.fiscal_year, april.ytd())
    may = run_period_inline(
        two_months.path,
        enrollment,
        PROGRAM_ID,
        MAY_2025,
        chain_id=CHAIN_ID,
        registry=REGISTRY,
        previous=previous,
    )
    for a, m in zip(april.results, may.results, strict=True):
        assert m.valid and m.ytd_credited_g == a.ytd_credited_g + m.credited_g
        assert m.meters[0].start == a.meters[0].end  # May starts on April's end batch
    assert may.terms.period_end == JUN_2025
    with pytest.raises(DataError, match="cursor"):
        run_period_inline(
            two_months.path,
            enrollment,
            PROGRAM_ID,
            APR_2025,
            chain_id=CHAIN_ID,
            registry=REGISTRY,
            previous=previous,
        )


def test_meter_enrolled_twice(tmp_path):
    sim = simulate_households(
        3,
        APR_2025,
        MAY_2025,
        PROGRAM_ID,
        CHAIN_ID,
        REGISTRY,
        faults=[Fault(3, "enrolled_twice", other_member_id=1)],
    )
    path = sim.write_parquet(tmp_path)
    with pytest.raises(DataError, match=r"not\s+strictly ascending by meter.*member"):
        run_period_inline(
            path, sim.enrollment, PROGRAM_ID, APR_2025, chain_id=CHAIN_ID, registry=REGISTRY
        )
    period = run_period_inline(
        path,
        sim.enrollment,
        PROGRAM_ID,
        APR_2025,
        chain_id=CHAIN_ID,
        registry=REGISTRY,
        refuse_bad_enrollment=False,
    )
    reasons = {r.member_id: r.reason for r in period.results}
    assert reasons == {1: 6, 2: 0, 3: 6} and period.enrollment_problems
