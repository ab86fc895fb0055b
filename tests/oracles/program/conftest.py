"""Small simulated programs shared by the program-mode tests (module-scoped: simulating and
signing is the slow part)."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

try:
    import pyarrow  # noqa: F401
except ImportError as exc:  # say what to do instead of failing in every test
    raise RuntimeError(
        f"pyarrow does not import ({exc}); install constraints.txt's pyarrow (25.0.1 imports "
        "with the pinned numpy 1.26, 26 needs NumPy 2)"
    ) from exc

from oracles.program.households import Fault, ProgramSimulation, simulate_households

CHAIN_ID = 31337
REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
PROGRAM_ID = 7
APR_2025 = 1743433200  # 2025-04-01T00:00+09:00
MAY_2025 = 1746025200
JUN_2025 = 1748703600
FAULTS = (
    Fault(2, "tampered"),
    Fault(3, "over_capacity"),
    Fault(4, "expired_certificate"),
)


@dataclass
class Program:
    sim: ProgramSimulation
    path: Path


@pytest.fixture(scope="session")
def program(tmp_path_factory) -> Iterator[Program]:
    """Eight households for April 2025; members 2-4 carry FAULTS."""
    sim = simulate_households(
        8, APR_2025, MAY_2025, PROGRAM_ID, CHAIN_ID, REGISTRY, seed=1, faults=FAULTS
    )
    path = sim.write_parquet(tmp_path_factory.mktemp("program") / "data")
    yield Program(sim, path)


@pytest.fixture(scope="session")
def two_months(tmp_path_factory) -> Iterator[Program]:
    """Five households for April and May 2025 (two periods, one fiscal year)."""
    sim = simulate_households(5, APR_2025, JUN_2025, PROGRAM_ID, CHAIN_ID, REGISTRY, seed=2)
    path = sim.write_parquet(tmp_path_factory.mktemp("program2") / "data")
    yield Program(sim, path)
