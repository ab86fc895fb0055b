"""Program-mode oracle throughput: members/s and readings/s on a Dask LocalCluster, 1 and 2 workers.

Input (generated once per run, in a child process so its memory does not count): `households`
simulated rooftop members (oracles.program.households) for `days` days from 2025-04-01 JST, each
a generation and an export meter read every 30 minutes and signed per JST day, written as the
member-partitioned Parquet dataset. Simulation and signing time are reported separately and not
counted as oracle throughput.

Timed, per cluster size: `run_period` on an already started LocalCluster (processes, one thread
per worker): each task reads its members' Parquet, checks every batch (readings hash + coincurve
recovery), computes every member's result; then the results are gathered, sorted and the sum
tree built. Peak memory is each process's peak resident set (`resource.getrusage` ru_maxrss): the
client process (which runs the LocalCluster's scheduler too) and each worker, via `client.run`.

Both cluster sizes run the same 8 tasks. CPU accounting per run: the workers' and the client's CPU
seconds (getrusage), the machine's busy and steal time (/proc/stat), hence the cores this bench
got and the cores other processes took. On a shared 2-core machine the wall-clock scaling is only
meaningful when `machine_quiet`; `worker_cpu_2w_over_1w` says whether 2 workers do more work.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path

from methodology.fiscal import DAY_S
from oracles.program.households import enrolled_from_json, simulate_households
from oracles.program.job import run_period

CHAIN_ID = 31337
REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
PROGRAM_ID = 1
APR_2025 = 1743433200


def _generate(path: str, households: int, days: int, out: str) -> None:
    began = time.perf_counter()
    sim = simulate_households(
        households, APR_2025, APR_2025 + days * DAY_S, PROGRAM_ID, CHAIN_ID, REGISTRY, seed=1
    )
    total = time.perf_counter() - began
    began = time.perf_counter()
    sim.write_parquet(Path(path))
    timings = {
        "simulate_s": round(sim.simulate_seconds, 3),
        "sign_s": round(sim.sign_seconds, 3),
        "simulate_and_sign_s": round(total, 3),
        "write_parquet_s": round(time.perf_counter() - began, 3),
        "batches": len(sim.batches),
    }
    Path(out).write_text(json.dumps(timings))


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_cpu() -> dict[str, float]:
    """Machine-wide CPU seconds from /proc/stat: busy (user..softirq), idle (+iowait), steal
    (time the hypervisor ran something else while this VM wanted a CPU)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    tick = os.sysconf("SC_CLK_TCK")
    return {
        "busy": (user + nice + system + irq + softirq) / tick,
        "idle": (idle + iowait) / tick,
        "steal": steal / tick,
    }


def _single_threaded() -> dict[str, int]:
    """One worker thread per core is not enough: Arrow's own CPU and I/O pools default to the
    core count, so two workers reading Parquet run 2 x (2 + 8) threads on 2 cores. Pin them."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    return {"arrow_cpu": pa.cpu_count(), "arrow_io": pa.io_thread_count()}


TASKS = 8  # the same 8 chunks (1,250 members each at 10,000) with 1 and with 2 workers
# Other processes using more than this many cores during a run make its wall time, and so the
# scaling ratio, a measure of the machine's load rather than of the oracle.
QUIET_OTHER_CORES = 0.2


def _measure(path: Path, enrollment: list, households: int, days: int, workers: int) -> dict:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        # Workers import the oracle before the clock starts: a long-running cluster has.
        client.run(importlib.import_module, "oracles.program.job")
        client.run(_single_threaded)
        workers_cpu = client.run(_cpu_s)
        client_cpu = _cpu_s()
        machine = _machine_cpu()
        period = run_period(
            path,
            enrollment,
            PROGRAM_ID,
            APR_2025,
            APR_2025 + days * DAY_S,
            chain_id=CHAIN_ID,
            registry=REGISTRY,
            client=client,
            chunks_per_worker=TASKS // workers,
        )
        machine_after = _machine_cpu()
        client_cpu = _cpu_s() - client_cpu
        workers_cpu = {k: v - workers_cpu[k] for k, v in client.run(_cpu_s).items()}
        worker_rss = client.run(_maxrss_mib)
    wall = period.timings["wall"]
    ours = sum(workers_cpu.values()) + client_cpu
    busy = machine_after["busy"] - machine["busy"]
    task_wall = sum(period.timings[f"task_{k}"] for k in ("read", "verify", "compute"))
    return {
        "workers": workers,
        "wall_s": round(wall, 3),
        "members_per_s": round(households / wall, 1),
        "readings_per_s": round(period.readings / wall, 1),
        "batches_per_s": round(period.batches / wall, 1),
        "tree_s": round(period.timings["tree"], 3),
        "task_seconds": {
            k: round(period.timings[f"task_{k}"], 3) for k in ("read", "verify", "compute")
        },
        "cpu": {
            "workers_cpu_s": round(sum(workers_cpu.values()), 1),
            "client_cpu_s": round(client_cpu, 1),
            "task_wall_s": round(task_wall, 1),
            # > 1: the tasks waited for a CPU (oversubscription, other load or steal)
            "task_wall_over_worker_cpu": round(task_wall / sum(workers_cpu.values()), 3),
            "cores_used_by_this_bench": round(ours / wall, 2),
            "cores_used_by_other_processes": round(max(0.0, busy - ours) / wall, 2),
            "cores_stolen_by_hypervisor": round(
                (machine_after["steal"] - machine["steal"]) / wall, 2
            ),
            "members_per_worker_cpu_s": round(households / sum(workers_cpu.values()), 1),
        },
        "peak_rss_worker_mib": round(max(worker_rss.values()), 1),
        "peak_rss_workers_total_mib": round(sum(worker_rss.values()), 1),
        "valid_members": period.valid_count,
        "readings": period.readings,
        "total_g": period.total_g,
        "sum_root": "0x" + period.tree.root.hex(),
    }


def run(households: int = 10_000, days: int = 30, directory: Path | None = None) -> dict:
    """Simulate once, then time the period job with 1 and with 2 workers; prints and returns."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(directory) if directory is not None else Path(tmp)
        data = base / "data"
        timing_file = base / "simulation.json"
        child = multiprocessing.get_context("spawn").Process(
            target=_generate, args=(str(data), households, days, str(timing_file))
        )
        child.start()
        child.join()
        os.sync()  # the Parquet written back to disk before any run is timed
        if child.exitcode != 0:
            raise RuntimeError(f"program_oracle: simulation failed ({child.exitcode})")
        simulation = json.loads(timing_file.read_text())
        program = json.loads((data / "program.json").read_text())
        enrollment = [enrolled_from_json(e) for e in program["enrollment"]]
        runs = [_measure(data, enrollment, households, days, w) for w in (1, 2)]
    if runs[0]["sum_root"] != runs[1]["sum_root"]:
        raise RuntimeError("program_oracle: 1 and 2 workers built different trees")
    result = {
        "households": households,
        "days": days,
        "readings": runs[0]["readings"],
        "simulation": simulation,
        "one_worker": runs[0],
        "two_workers": runs[1],
        "scaling_2w_over_1w": round(runs[1]["members_per_s"] / runs[0]["members_per_s"], 3),
        # CPU per member with 2 workers / with 1 (> 1: work inflation, not waiting for a CPU)
        "worker_cpu_2w_over_1w": round(
            runs[1]["cpu"]["workers_cpu_s"] / runs[0]["cpu"]["workers_cpu_s"], 3
        ),
        "machine_quiet": all(
            r["cpu"]["cores_used_by_other_processes"] <= QUIET_OTHER_CORES for r in runs
        ),
        "load_average_after": os.getloadavg(),
        "peak_rss_client_mib": round(_maxrss_mib(), 1),
        "memory_method": "resource.getrusage(RUSAGE_SELF).ru_maxrss of the client process "
        "(it hosts the LocalCluster scheduler) and of each worker via client.run; the "
        "simulation runs in a separate child process",
        "cpu_count": multiprocessing.cpu_count(),
    }
    print(
        f"{households} households x {days} days: {result['readings']:,} readings; "
        f"simulation {simulation['simulate_s']} s + signing {simulation['sign_s']} s "
        f"+ Parquet {simulation['write_parquet_s']} s (not counted)"
    )
    for r in runs:
        print(
            f"  {r['workers']} worker(s): {r['wall_s']} s, {r['members_per_s']:,} members/s, "
            f"{r['readings_per_s']:,} readings/s, peak RSS per worker {r['peak_rss_worker_mib']} "
            f"MiB; task seconds {r['task_seconds']}; cpu {r['cpu']}"
        )
    if not result["machine_quiet"]:
        print(
            "  WARNING: other processes used "
            + " / ".join(f"{r['cpu']['cores_used_by_other_processes']}" for r in runs)
            + " of the cores during the 1 / 2 worker runs: the scaling ratio measures the "
            "machine's load, not the oracle"
        )
    print(
        f"  scaling 2w/1w: {result['scaling_2w_over_1w']}; worker CPU 2w/1w "
        f"{result['worker_cpu_2w_over_1w']}; client peak RSS "
        f"{result['peak_rss_client_mib']} MiB"
    )
    return result


if __name__ == "__main__":
    run()
