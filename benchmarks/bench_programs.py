"""Gas of program reports (docs/programs.md), measured like benchmarks/bench_gas.py: transaction gas
(intrinsic + execution - capped refund), every measured call started cold like a new transaction.

A program of N members (10, 1,000, 100,000): the oracle submits April, anyone finalizes it (a mint
to a fresh token of the payout address), then May is submitted (the program's facts-hash slot is
then warm from April: the steady state) and finalized. `submit_report` is O(1): its gas depends on
N only through the calldata and the depth loop. Trees of 10 and 1,000 members are real; the
100,000-member report commits a synthetic root node (Programs never looks below the root).

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_programs
"""

import boa

from benchmarks.bench_gas import measure
from tests.contracts.contract_world import JUNE_2025, MAY_2025, NOW, load_factories, make_actors
from tests.contracts.programs.program_world import (
    FY2025_START,
    deploy_programs,
    enrollment_for,
    make_program_actors,
    results_for,
    synthetic_root,
)

TARGET = 184_854


def run() -> dict:
    boa.env.timestamp = NOW
    factories = load_factories()
    base = make_actors()
    actors = make_program_actors(base)
    pw = deploy_programs(factories, base, actors)
    figures: dict = {}
    for members in (10, 1_000, 100_000):
        program = pw.create()
        if members <= 1_000:
            enrollment = enrollment_for(members)
            pw.enroll(program, enrollment)
            april = results_for(enrollment, FY2025_START, MAY_2025).root_node
            may = results_for(enrollment, MAY_2025, JUNE_2025).root_node
        else:
            with boa.env.prank(actors.manager):
                index = pw.programs.propose_enrollment(
                    program.program_id, b"\x33" * 32, 2 * members, "ipfs://e"
                )
            with boa.env.prank(actors.validator):
                pw.programs.approve_enrollment(program.program_id, index)
            april = synthetic_root(members * 600_000 + 123_456)
            may = synthetic_root(members * 700_000 + 654_321)
        row = {}
        for month, (end, root) in {"april": (MAY_2025, april), "may": (JUNE_2025, may)}.items():
            row[f"submit_{month}"] = measure(
                pw.programs,
                actors.oracle,
                "submit_report",
                program.program_id,
                end,
                2025,
                members,
                root.as_tuple(),
                "ar://results",
                value=10**17,
            )
            facts = pw.programs.get_logs(strict=False)[-1].facts
            boa.env.time_travel(seconds=86400)
            row[f"finalize_{month}"] = measure(
                pw.programs, actors.stranger, "finalize", tuple(facts)
            )
        figures[members] = row
    return figures


def main() -> None:
    figures = run()
    for members, row in figures.items():
        print(f"{members:>7,} members: " + ", ".join(f"{k} {v:,}" for k, v in row.items()))
        for month in ("april", "may"):
            total = row[f"submit_{month}"] + row[f"finalize_{month}"]
            print(f"{'':>17}{month}: submit + finalize {total:,} (target <= {TARGET:,})")


if __name__ == "__main__":
    main()
