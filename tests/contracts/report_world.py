"""Shared numbers and helpers of the report tests (start_monitoring, submit_report, signatures,
challenge window).

Numbers are hand-computed: April 2025 on a 10 kW plant with generation and export meters,
generation 2,439,134 - 1,204,567 = 1,234,567 Wh, export 322,778 - 88,211 = 234,567 Wh,
self-consumed 1,000,000 Wh, reduction 1,000,000 x 434,000 / 1e6 = 434,000 g (0 t, carry 434,000 g).
"""

import boa

from tests.contracts.contract_world import (
    EXPORT,
    FY2025_START,
    GENERATION,
    MAY_2025,
    ROOT,
)

BASE = {GENERATION: 1_204_567, EXPORT: 88_211}
APRIL = {GENERATION: 2_439_134, EXPORT: 322_778}
APRIL_SC, APRIL_G = 1_000_000, 434_000
# May: +2,500,000 Wh generation, +500,000 Wh export -> 2,000,000 Wh self-consumed, 868,000 g.
MAY = {GENERATION: 4_939_134, EXPORT: 822_778}
MAY_SC, MAY_G = 2_000_000, 868_000
ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
EIP712_DOMAIN_TYPE = (
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


def submit_readings(world, project_id, readings, end=MAY_2025, sc=APRIL_SC, g=APRIL_G, **kw):
    args = {
        "fiscal_year": 2025,
        "merkle_root": ROOT,
        "data_uri": "ar://data",
        "void": False,
    } | kw
    with boa.env.prank(kw.pop("sender", world.actors.oracle)):
        return world.registry.submit_report(
            project_id,
            end,
            args["fiscal_year"],
            readings,
            args["merkle_root"],
            args["data_uri"],
            sc,
            g,
            args["void"],
        )


def april_readings(world, project_id, meters, registers=APRIL, end=MAY_2025):
    return [
        meters[k].reading(world.domain, project_id, end, registers[k]) for k in (GENERATION, EXPORT)
    ]


def set_window(world, seconds):
    with boa.env.prank(world.actors.admin):
        world.registry.set_challenge_window(seconds)


def start_monitoring(world, project_id, readings, start=FY2025_START, sender=None):
    """start_monitoring as the project's oracle (or `sender`)."""
    with boa.env.prank(sender or world.actors.oracle):
        world.registry.start_monitoring(project_id, start, readings)


def baseline_readings(world, project_id, meters, ts=FY2025_START, kinds=(GENERATION, EXPORT)):
    """Signed baseline readings (the BASE registers) of the given meters at `ts`."""
    return [meters[k].reading(world.domain, project_id, ts, BASE[k]) for k in kinds]
