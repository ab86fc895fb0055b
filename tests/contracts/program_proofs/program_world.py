"""Honest program reports with everything needed to prove against them (docs/programs.md).

A program of difference-metered households (3-10 kW, a generation and an export meter each) reports
one month. Every member's boundary readings are real EIP-712 batches signed by its meters (keys from
`meter_key`, signed with the independent encoder of meter_signing.py) for projectId
2**128 + program_id under the Registry's domain; the enrollment and sum trees are jcredit's.

`build_report` returns a `ProgramReportData`: its facts (as `Programs` would log them), the trees,
the results and the households, with helpers producing each proof's arguments. `CheatTree` builds
sum trees from arbitrary leaves and lets a test change one claimed sum and rehash up to the root,
as a cheating oracle would. Reusable by integration tests against the real `Programs`: only
`facts` depends on who stores the report.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from functools import cache

from eth_abi import encode

from jcredit.eip712 import Batch
from jcredit.keccak import keccak256
from jcredit.program_tree import (
    ZERO_HASH,
    EnrolledMeter,
    EnrollmentTree,
    MemberResult,
    MeterBoundary,
    SumNode,
    depth_for,
    program_project_id,
)
from tests.contracts.contract_world import (
    FACTOR_2025,
    JUNE_2025,
    MAY_2025,
    MIN_BOND,
    NOW,
    WINDOW,
    YEAR,
    meter_key,
)
from tests.contracts.meter_signing import Domain, Meter, readings_hash

GENERATION, EXPORT, SELF_CONSUMPTION = 1, 2, 4
PROGRAM_ID = 1
PERIOD_START = MAY_2025
PERIOD_END = JUNE_2025
FISCAL_YEAR = 2025
# Declared interval of every meter: boundary windows are (S - 3600, S] and (E - 3600, E]; the
# meters read every 30 minutes, so a stale boundary half an hour early is inside the window.
INTERVAL = 3600
READ_EVERY = 1800
CERT_EXPIRY = MAY_2025 + 5 * YEAR
CREDITING_START = MAY_2025 - 30 * 86400
CREDITING_END = MAY_2025 + 8 * YEAR
CAP_G = 500 * 10**6
ENROLLMENT_APPROVED_AT = MAY_2025 - 86400
FACTS_TYPE = (
    "(uint256,uint256,uint64,uint64,uint16,uint256,bytes32,uint256,uint64,uint256,uint256,bytes32,"
    "uint256,uint256,uint256,address,uint256,uint64)"
)
FACTS_FIELDS = (
    "program_id",
    "report_id",
    "period_start",
    "period_end",
    "fiscal_year",
    "enrollment_index",
    "enrollment_root",
    "enrollment_count",
    "enrollment_approved_at",
    "member_count",
    "depth",
    "sum_root",
    "total_g",
    "factor_g_per_mwh",
    "cap_g",
    "oracle",
    "bond",
    "challenge_deadline",
)


@cache
def meter(n: int) -> Meter:
    """Program meter n (keys from 100,000 up, apart from the single-site tests' keys)."""
    return Meter(meter_key(100_000 + n))


@dataclass(frozen=True)
class Household:
    """A difference-metered member: its meters, capacity and the registers they read.

    The registers grow linearly over the month from `gen_base` / `export_base` (a ~13% capacity
    factor, 60% exported); `spike_at` adds `spike_wh` to the generation register from that
    timestamp on (an interval above capacity when large)."""

    member_id: int
    n: int
    capacity_w: int
    gen_base: int
    export_base: int
    crediting_start: int = CREDITING_START
    crediting_end: int = CREDITING_END
    certification_expiry: int = CERT_EXPIRY
    spike_at: int = 0
    spike_wh: int = 0

    @property
    def generation(self) -> Meter:
        return meter(2 * self.n)

    @property
    def export(self) -> Meter:
        return meter(2 * self.n + 1)

    def gen_register(self, ts: int) -> int:
        rate_num = self.capacity_w * 13  # Wh per hour x 100
        grown = (ts - PERIOD_START) * rate_num // (3600 * 100)
        spike = self.spike_wh if self.spike_at and ts >= self.spike_at else 0
        return self.gen_base + grown + spike

    def export_register(self, ts: int) -> int:
        grown = (ts - PERIOD_START) * self.capacity_w * 13 * 6 // (3600 * 100 * 10)
        return self.export_base + grown

    def register(self, kind: int, ts: int) -> int:
        return self.gen_register(ts) if kind == GENERATION else self.export_register(ts)

    def meter_of(self, kind: int) -> Meter:
        return self.generation if kind == GENERATION else self.export

    def enrollment_leaves(self) -> list[EnrolledMeter]:
        return [
            EnrolledMeter(
                meter=self.meter_of(kind).address,
                member_id=self.member_id,
                kind=kind,
                interval_seconds=INTERVAL,
                capacity_w=self.capacity_w,
                crediting_start=self.crediting_start,
                crediting_end=self.crediting_end,
                certification_expiry=self.certification_expiry,
                consent_hash=keccak256(f"consent of member {self.member_id}".encode()),
            )
            for kind in (GENERATION, EXPORT)
        ]


def household(member_id: int, n: int | None = None, **changes) -> Household:
    """A deterministic household: capacity 3-10 kW from its number."""
    n = member_id if n is None else n
    capacity = 3_000 + (n * 7_919) % 7_001
    base = Household(member_id, n, capacity, 1_000_000 + 37 * n, 400_000 + 11 * n)
    return replace(base, **changes)


def sign(domain: Domain, program_id: int, m: Meter, readings: list[tuple[int, int]], **kw) -> Batch:
    """A batch of readings signed by `m` for the program (as jcredit's Batch)."""
    return Batch(*m.sign_batch(domain, program_project_id(program_id), readings, **kw))


def batch_data(domain: Domain, program_id: int, m: Meter, readings: list[tuple[int, int]]):
    """An `evidence.BatchData` tuple: the signed batch and its readings."""
    batch = sign(domain, program_id, m, readings)
    raw = b"".join(ts.to_bytes(32, "big") + wh.to_bytes(32, "big") for ts, wh in readings)
    assert keccak256(raw) == readings_hash(readings)
    return (batch.as_signed_reading(), raw)


@cache
def _signed_boundaries(
    domain: Domain, project_id: int, hh: Household, start_ts: int, end_ts: int
) -> tuple[tuple[Batch, Batch], ...]:
    out = []
    for kind in (GENERATION, EXPORT):
        m = hh.meter_of(kind)
        start = Batch(*m.sign_batch(domain, project_id, [(start_ts, hh.register(kind, start_ts))]))
        end = Batch(*m.sign_batch(domain, project_id, [(end_ts, hh.register(kind, end_ts))]))
        out.append((start, end))
    return tuple(out)


def honest_result(
    domain: Domain,
    program_id: int,
    hh: Household,
    enrollment: EnrollmentTree,
    period: tuple[int, int] = (PERIOD_START, PERIOD_END),
    cap_g: int = CAP_G,
    ytd_before: int = 0,
    factor: int = FACTOR_2025,
    boundary_ts: tuple[int, int] | None = None,
    signed_project_id: int | None = None,
) -> MemberResult:
    """The member's result as an honest oracle computes it (boundaries at S and E; batches signed
    for the program, or for `signed_project_id` to build forged data)."""
    s = max(period[0], hh.crediting_start)
    e = min(period[1], hh.crediting_end)
    start_ts, end_ts = boundary_ts or (s, e)
    project_id = program_project_id(program_id) if signed_project_id is None else signed_project_id
    signed = _signed_boundaries(domain, project_id, hh, start_ts, end_ts)
    meters = tuple(
        MeterBoundary(enrollment.index_of(hh.meter_of(kind).address), start, end)
        for kind, (start, end) in zip((GENERATION, EXPORT), signed, strict=True)
    )
    energies = [b.end.last_cumulative_wh - b.start.last_cumulative_wh for b in meters]
    self_consumed = energies[0] - energies[1]
    reduction = self_consumed * factor // 10**6
    credited = reduction if cap_g == 0 else max(0, min(reduction, cap_g - ytd_before))
    return MemberResult(
        member_id=hh.member_id,
        meters=meters,
        self_consumed_wh=self_consumed,
        reduction_g=reduction,
        credited_g=credited,
        ytd_credited_g=ytd_before + credited,
        valid=True,
        reason=0,
    )


class CheatTree:
    """A Merkle-sum tree built from any leaves (no order check), the same shape as
    `jcredit.program_tree.SumTree`; `set_claim` changes one node's claimed sum and rehashes up."""

    def __init__(self, pairs: list[tuple[bytes, int]], depth: int) -> None:
        self.depth = depth
        level = list(pairs) + [(ZERO_HASH, 0)] * ((1 << depth) - len(pairs))
        self.nodes: list[list[SumNode]] = []
        while len(level) > 1:
            nodes = [
                SumNode(level[i][0], level[i][1], level[i + 1][0], level[i + 1][1])
                for i in range(0, len(level), 2)
            ]
            self.nodes.append(nodes)
            level = [
                (ZERO_HASH, 0)
                if n.left == n.right == ZERO_HASH and n.left_sum + n.right_sum == 0
                else (n.hash(), n.left_sum + n.right_sum)
                for n in nodes
            ]

    @classmethod
    def of(cls, leaves: list[MemberResult], depth: int | None = None) -> CheatTree:
        depth = depth_for(len(leaves), minimum=1) if depth is None else depth
        return cls([(r.leaf_hash(), r.credited_g) for r in leaves], depth)

    @property
    def root_node(self) -> SumNode:
        return self.nodes[-1][0]

    @property
    def root(self) -> bytes:
        return self.root_node.hash()

    @property
    def total(self) -> int:
        return self.root_node.left_sum + self.root_node.right_sum

    def path(self, position: int) -> list[SumNode]:
        return [self.nodes[lv][position >> (lv + 1)] for lv in range(self.depth - 1, -1, -1)]

    def set_claim(self, level: int, index: int, right: bool, new_sum: int) -> CheatTree:
        """A copy where node `index` of `level` (0 = parents of leaves) claims `new_sum` for one
        child; hashes are rebuilt up to the root, sums above are left as they were."""
        tree = copy.deepcopy(self)
        node = tree.nodes[level][index]
        node = replace(node, right_sum=new_sum) if right else replace(node, left_sum=new_sum)
        tree.nodes[level][index] = node
        for up in range(level + 1, len(tree.nodes)):
            parent = tree.nodes[up][index >> 1]
            h = node.hash()
            parent = replace(parent, right=h) if index & 1 else replace(parent, left=h)
            tree.nodes[up][index >> 1] = parent
            node, index = parent, index >> 1
        return tree


def nodes_arg(path: list[SumNode]) -> list[tuple]:
    return [n.as_tuple() for n in path]


@dataclass
class ProgramReportData:
    """A program report as submitted, with the data to prove against it."""

    domain: Domain
    program_id: int
    report_id: int
    households: list[Household]
    enrollment: EnrollmentTree
    results: list[MemberResult]
    tree: CheatTree
    facts: dict = field(default_factory=dict)

    @property
    def facts_tuple(self) -> tuple:
        return tuple(self.facts[name] for name in FACTS_FIELDS)

    def facts_hash(self) -> bytes:
        return keccak256(encode([FACTS_TYPE], [self.facts_tuple]))

    def path(self, position: int) -> list[tuple]:
        return nodes_arg(self.tree.path(position))

    def enrolled(self, index: int) -> tuple[tuple, list[bytes]]:
        """(leaf tuple, proof) of enrollment leaf `index`."""
        return self.enrollment.leaves[index].as_tuple(), self.enrollment.proof(index)

    def enrolled_for(self, result: MemberResult) -> tuple[list[tuple], list[list[bytes]]]:
        """The enrollment leaves (and proofs) at the result's meters' indices (index 0 stands in
        for an index beyond the enrollment)."""
        leaves, proofs = [], []
        for mb in result.meters:
            index = mb.enrollment_index if mb.enrollment_index < self.enrollment.count else 0
            leaf, proof = self.enrolled(index)
            leaves.append(leaf)
            proofs.append(proof)
        return leaves, proofs

    def member_args(self, position: int, result: MemberResult | None = None) -> tuple:
        """Arguments of `prove_member` for the leaf at `position`."""
        result = result or self.results[position]
        leaves, proofs = self.enrolled_for(result)
        return (self.facts_tuple, position, self.path(position), result.as_tuple(), leaves, proofs)

    def earlier(self) -> tuple:
        """This report as an `EarlierReport` for kind 6 (report_id, fiscal_year, root, depth)."""
        return (self.report_id, self.facts["fiscal_year"], self.tree.root, self.tree.depth)

    def finalized_hash(self) -> bytes:
        """`Programs.finalized_report(report_id)` of this report once finalized."""
        return keccak256(
            encode(
                ["uint256", "uint16", "bytes32", "uint256"],
                [self.program_id, self.facts["fiscal_year"], self.tree.root, self.tree.depth],
            )
        )

    def with_results(self, results: list[MemberResult]) -> ProgramReportData:
        """The report a cheating oracle submits with these leaves instead (trees rebuilt)."""
        return self.with_tree(results, CheatTree.of(results, self.tree.depth))

    def with_tree(self, results: list[MemberResult], tree: CheatTree) -> ProgramReportData:
        facts = dict(self.facts, sum_root=tree.root, total_g=tree.total)
        return replace(self, results=list(results), tree=tree, facts=facts)


def enrollment_of(households: list[Household], extra: list[EnrolledMeter] = ()) -> EnrollmentTree:
    leaves = [leaf for hh in households for leaf in hh.enrollment_leaves()] + list(extra)
    return EnrollmentTree(sorted(leaves, key=lambda leaf: int(leaf.meter, 16)))


def build_report(
    domain: Domain,
    households: list[Household],
    oracle: str,
    program_id: int = PROGRAM_ID,
    report_id: int = 1,
    period: tuple[int, int] = (PERIOD_START, PERIOD_END),
    cap_g: int = CAP_G,
    ytd_before: dict[int, int] | None = None,
    enrollment: EnrollmentTree | None = None,
    results: list[MemberResult] | None = None,
    challenge_deadline: int = NOW + WINDOW,
) -> ProgramReportData:
    """An honest report of the households (sorted by member id) for `period`."""
    households = sorted(households, key=lambda hh: hh.member_id)
    enrollment = enrollment or enrollment_of(households)
    if results is None:
        results = [
            honest_result(
                domain,
                program_id,
                hh,
                enrollment,
                period,
                cap_g,
                (ytd_before or {}).get(hh.member_id, 0),
            )
            for hh in households
        ]
    tree = CheatTree.of(results)
    facts = {
        "program_id": program_id,
        "report_id": report_id,
        "period_start": period[0],
        "period_end": period[1],
        "fiscal_year": FISCAL_YEAR,
        "enrollment_index": 0,
        "enrollment_root": enrollment.root,
        "enrollment_count": enrollment.count,
        "enrollment_approved_at": ENROLLMENT_APPROVED_AT,
        "member_count": len(results),
        "depth": tree.depth,
        "sum_root": tree.root,
        "total_g": tree.total,
        "factor_g_per_mwh": FACTOR_2025,
        "cap_g": cap_g,
        "oracle": oracle,
        "bond": MIN_BOND,
        "challenge_deadline": challenge_deadline,
    }
    return ProgramReportData(
        domain, program_id, report_id, households, enrollment, results, tree, facts
    )


def enrollment_record(tree: EnrollmentTree, approved_at: int, superseded_at: int = 0, status=2):
    """An `IPrograms.Enrollment` tuple for the double."""
    return (tree.root, tree.count, status, approved_at, superseded_at, "ar://enrollment")
