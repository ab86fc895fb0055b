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


def test_readme__the_demos_glitch_is_the_demo_plans():
    from methodology.fiscal import to_iso
    from tests.scripts.runner import script

    plan = script("demo").DemoPlan()
    text = README.read_text()
    stated = re.search(
        r"from (\d+) April 12:00 JST its\s+register reads ([\d,]+) Wh more, so that half hour "
        r"shows more than the plant's\s+([\d.]+) kW x 0.5 h =\s+([\d,]+) Wh",
        text,
    )
    assert stated is not None
    glitch_at = fiscal_year_bounds(2025)[0] + plan.glitch_after_fy_start_s
    assert to_iso(glitch_at) == f"2025-04-{int(stated.group(1)):02d}T12:00:00+09:00"
    assert int(stated.group(2).replace(",", "")) == plan.glitch_wh
    assert float(stated.group(3)) * 1000 == plan.capacity_w
    assert int(stated.group(4).replace(",", "")) == plan.capacity_w // 2 < plan.glitch_wh
