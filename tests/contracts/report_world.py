"""Shared numbers and helpers of the report tests.

Numbers are hand-computed: April 2025 on a 10 kW plant with generation and export meters,
generation 2,439,134 - 1,204,567 = 1,234,567 Wh, export 322,778 - 88,211 = 234,567 Wh,
self-consumed 1,000,000 Wh, reduction 1,000,000 x 434,000 / 1e6 = 434,000 g (0 t, carry 434,000 g).
May: +2,500,000 Wh generation, +500,000 Wh export -> 2,000,000 Wh self-consumed, 868,000 g; with
April's carry 1,302,000 g: 1 t minted, 302,000 g carried.
"""

import boa

from tests.contracts.contract_world import (
    EXPORT,
    GENERATION,
    MAY_2025,
    Project,
    World,
    leaf_of,
)

BASE = {GENERATION: 1_204_567, EXPORT: 88_211}
APRIL = {GENERATION: 2_439_134, EXPORT: 322_778}
APRIL_SC, APRIL_G = 1_000_000, 434_000
MAY = {GENERATION: 4_939_134, EXPORT: 822_778}
MAY_SC, MAY_G = 2_000_000, 868_000
EIP712_DOMAIN_TYPE = (
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


def submit_raw(
    world: World,
    project: Project,
    readings: list,
    root: bytes,
    end: int = MAY_2025,
    sc: int = APRIL_SC,
    g: int = APRIL_G,
    fiscal_year: int = 2025,
    void: bool = False,
    sender: str | None = None,
):
    """submit_report with readings and root exactly as given (to build bad reports)."""
    with boa.env.prank(sender or world.actors.oracle):
        return world.reports.submit_report(
            project.project_id, end, fiscal_year, readings, root, "ar://data", sc, g, void
        )


def with_proofs(batches: list[tuple], extra_leaves: list[bytes] | None = None) -> tuple:
    """(readings, root): the batches with Merkle proofs into a root over them (and extras)."""
    from jcredit.merkle import MerkleTree

    tree = MerkleTree.from_leaves([leaf_of(b) for b in batches] + list(extra_leaves or []))
    return [(b, tree.proof(leaf_of(b))) for b in batches], tree.root


def april_batches(world: World, project: Project, registers=APRIL, end=MAY_2025) -> list[tuple]:
    """The first report's signed batches: per meter its start reading, then its end reading."""
    out = []
    for kind in (GENERATION, EXPORT):
        meter = project.meters[kind]
        out.append(meter.reading(world.domain, project.project_id, project.start, BASE[kind]))
        out.append(meter.reading(world.domain, project.project_id, end, registers[kind]))
    return out
