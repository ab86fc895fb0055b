"""Numbers the README states about what the code does, checked against the code."""

import re
from pathlib import Path

from methodology.fiscal import fiscal_year_bounds
from oracles.simulator import Plant, simulate_registers

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme__readings_per_meter_of_the_demo_year_match_the_simulator():
    stated = re.search(r"with pvlib: ([\d,]+) readings per meter", README.read_text())
    assert stated is not None
    start, end = fiscal_year_bounds(2025)
    timestamps, _, _ = simulate_registers(Plant(), start, end, seed=0)
    assert int(stated.group(1).replace(",", "")) == len(timestamps) == 17_521
