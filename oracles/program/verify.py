"""Watcher side of program reports: recompute from the archive, compare, and build the calldata of
the fraud proof that shows the first discrepancy (docs/programs.md, "Fraud proofs").

Checked, in this order (the first provable finding gives `Verdict.proof`):
7. enrollment leaves strictly ascending by meter (`ProgramProofs.prove_enrollment_order`);
3. member results strictly ascending by member id (`ProgramProofs.prove_member_order`);
2. walking down from the root, every node's sums add up to what its parent claims for it, and no
   empty child claims a sum (`ProgramProofs.prove_sum`); a leaf whose `credited_g` is not what its
   parent claims is a kind-1 finding;
1. every member recomputed from the archived signed data (members.compute_member, ytd_before =
   the leaf's ytd - credited) equals the committed leaf; a credited leaf that breaks rules 1-5
   (members.rule_violation) is a `MemberProofs.prove_member`;
5. for a credited leaf that keeps rules 1-5 but that the recomputation refuses, two signed
   readings of its capacity-checked meter between its boundaries above capacity x their distance
   (`MemberProofs.prove_interval`);
6. with an earlier finalized report of the fiscal year, no member's ytd went down
   (`MemberProofs.prove_cap`).

Calldata follow the argument order in docs/programs.md: `facts` as `ProgramReport.as_tuple()`
(IPrograms.ProgramReport order), paths as lists of `SumNode.as_tuple()`, results as
`MemberResult.as_tuple()`, enrollment leaves as `EnrolledMeter.as_tuple()` and their proofs as
lists of 32-byte strings. A sum-proof path runs from the root down to the node whose sums are
wrong (inclusive), or to the parent of the empty child that claims a sum.

`inflate_*`, `credit_invalid_member`, `duplicate_member` and `lower_ytd` build cheating reports
from an honest period, for demos and tests: something for the watcher to catch.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from jcredit.program_tree import ZERO_HASH, MemberResult, MeterBoundary
from jcredit.programs import ProgramReport, ProofCall
from methodology.compute import capacity_violations
from oracles.program.archive import ArchivedPeriod
from oracles.program.intake import clip_to_window, verify_members
from oracles.program.job import PreviousReport, ProgramPeriod, run_period_inline
from oracles.program.members import (
    GENERATION,
    REASONS,
    compute_member,
    credit,
    rule_violation,
)
from oracles.program.trees import ClaimedTree, EnrollmentView

ZERO_ADDRESS = "0x" + "00" * 20


def facts_from_archive(archived: ArchivedPeriod, **chain: object) -> ProgramReport:
    """The report's facts as its archive knows them; the chain-only fields (report id, enrollment
    index and approval time, oracle, bond, deadline) are zero unless given (from the
    ReportSubmitted log), and must be filled before a proof is sent."""
    m = archived.manifest
    values = {
        "program_id": m["program_id"],
        "report_id": 0,
        "period_start": m["period_start"],
        "period_end": m["period_end"],
        "fiscal_year": m["fiscal_year"],
        "enrollment_index": 0,
        "enrollment_root": bytes.fromhex(m["enrollment_root"][2:]),
        "enrollment_count": m["enrollment_count"],
        "enrollment_approved_at": 0,
        "member_count": m["member_count"],
        "depth": m["depth"],
        "sum_root": bytes.fromhex(m["sum_root"][2:]),
        "total_g": m["total_g"],
        "factor_g_per_mwh": m["factor_g_per_mwh"],
        "cap_g": m["cap_g"],
        "oracle": ZERO_ADDRESS,
        "bond": 0,
        "challenge_deadline": 0,
    }
    values.update(chain)
    return ProgramReport(**values)


@dataclass(frozen=True)
class Finding:
    kind: int  # the fraud-proof kind that shows it; 0 = a discrepancy no proof shows
    member_id: int | None
    message: str
    proof: ProofCall | None = None


@dataclass
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    checked_members: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def proof(self) -> ProofCall | None:
        """The first provable finding's calldata."""
        return next((f.proof for f in self.findings if f.proof is not None), None)


@dataclass(frozen=True)
class EarlierReport:
    """A finalized earlier report of the program (for kind 6) and its on-chain report id."""

    archived: ArchivedPeriod
    report_id: int


def _path(tree: ClaimedTree, position: int) -> list[tuple]:
    return [node.as_tuple() for node in tree.path(position)]


def _member_proof(
    facts: ProgramReport, tree: ClaimedTree, view: EnrollmentView, position: int
) -> ProofCall:
    result = tree.leaves[position]
    indices = [m.enrollment_index for m in result.meters if m.enrollment_index < view.count]
    return ProofCall(
        "MemberProofs",
        "prove_member",
        (
            facts.as_tuple(),
            position,
            _path(tree, position),
            result.as_tuple(),
            [view.leaves[i].as_tuple() for i in indices],
            [view.proof(i) for i in indices],
        ),
    )


def verify_period(
    archived: ArchivedPeriod,
    facts: ProgramReport | None = None,
    committed: Sequence[MemberResult] | None = None,
    members: Sequence[int] | None = None,
    earlier: EarlierReport | None = None,
) -> Verdict:
    """Findings about the archived (or `committed`, e.g. posted on chain) report, first first."""
    facts = facts or facts_from_archive(archived)
    tree = archived.tree if committed is None else ClaimedTree.build(list(committed))
    view = EnrollmentView(archived.enrollment)
    verdict = Verdict()
    if view.root != facts.enrollment_root:
        verdict.findings.append(Finding(0, None, "enrollment leaves do not hash to the root"))
    disorder = view.first_disorder()
    if disorder is not None:
        a, b = view.leaves[disorder], view.leaves[disorder + 1]
        verdict.findings.append(
            Finding(
                7,
                None,
                f"enrollment leaves {disorder}, {disorder + 1} not ascending by meter: "
                f"{a.meter} (member {a.member_id}), {b.meter} (member {b.member_id})",
                ProofCall(
                    "ProgramProofs",
                    "prove_enrollment_order",
                    (
                        facts.as_tuple(),
                        disorder,
                        a.as_tuple(),
                        view.proof(disorder),
                        b.as_tuple(),
                        view.proof(disorder + 1),
                    ),
                ),
            )
        )
    if tree.root != facts.sum_root:
        verdict.findings.append(Finding(0, None, "committed leaves do not hash to the sum root"))
    leaves = tree.leaves
    for position, (a, b) in enumerate(itertools.pairwise(leaves)):
        if a.member_id >= b.member_id:
            verdict.findings.append(
                Finding(
                    3,
                    b.member_id,
                    f"positions {position}, {position + 1}: member {a.member_id} then "
                    f"member {b.member_id}",
                    ProofCall(
                        "ProgramProofs",
                        "prove_member_order",
                        (
                            facts.as_tuple(),
                            position,
                            _path(tree, position),
                            a.as_tuple(),
                            _path(tree, position + 1),
                            b.as_tuple(),
                        ),
                    ),
                )
            )
            break
    verdict.findings += _sum_findings(facts, tree, view)
    verdict.findings += _member_findings(archived, facts, tree, view, members, verdict)
    if earlier is not None:
        verdict.findings += _cap_findings(facts, tree, earlier)
    return verdict


def _sum_findings(facts: ProgramReport, tree: ClaimedTree, view: EnrollmentView) -> list[Finding]:
    """Walk down from the root: each child must total what its parent claims for it."""
    out = []
    depth = tree.depth
    for height in range(depth - 1, -1, -1):
        for index, node in enumerate(tree.nodes[height]):
            for side, (child_hash, claimed) in enumerate(
                ((node.left, node.left_sum), (node.right, node.right_sum))
            ):
                child = 2 * index + side
                first_leaf = child << height
                path_to_node = [
                    tree.nodes[h][first_leaf >> (h + 1)].as_tuple()
                    for h in range(depth - 1, height - 1, -1)
                ]
                if child_hash == ZERO_HASH:
                    if claimed:
                        out.append(
                            Finding(
                                2,
                                None,
                                f"empty subtree at height {height} claims {claimed} g",
                                ProofCall(
                                    "ProgramProofs",
                                    "prove_sum",
                                    (facts.as_tuple(), first_leaf, path_to_node),
                                ),
                            )
                        )
                    continue
                if height == 0:
                    if child >= len(tree.leaves):
                        out.append(Finding(0, None, f"leaf {child} missing from the archive"))
                        continue
                    leaf = tree.leaves[child]
                    if leaf.leaf_hash() != child_hash:
                        out.append(Finding(0, leaf.member_id, f"leaf {child} hash mismatch"))
                    elif leaf.credited_g != claimed:
                        out.append(
                            Finding(
                                1,
                                leaf.member_id,
                                f"member {leaf.member_id}: credited_g {leaf.credited_g}, "
                                f"its parent claims {claimed}",
                                _member_proof(facts, tree, view, child),
                            )
                        )
                    continue
                below = tree.nodes[height - 1][child]
                if below.hash() != child_hash:
                    out.append(Finding(0, None, f"node {height - 1}/{child} hash mismatch"))
                elif below.total != claimed:
                    out.append(
                        Finding(
                            2,
                            None,
                            f"node at height {height - 1}, index {child} sums to {below.total} g, "
                            f"its parent claims {claimed} g",
                            ProofCall(
                                "ProgramProofs",
                                "prove_sum",
                                (facts.as_tuple(), first_leaf, [*path_to_node, below.as_tuple()]),
                            ),
                        )
                    )
    return out


def _member_findings(
    archived: ArchivedPeriod,
    facts: ProgramReport,
    tree: ClaimedTree,
    view: EnrollmentView,
    members: Sequence[int] | None,
    verdict: Verdict,
) -> list[Finding]:
    """Recompute members from the archived signed data and compare with the committed leaves."""
    claimed = {}
    for position, leaf in enumerate(tree.leaves):
        claimed.setdefault(leaf.member_id, (position, leaf))
    wanted = sorted(claimed) if members is None else sorted(members)
    ytd_before = {
        m: max(0, claimed[m][1].ytd_credited_g - claimed[m][1].credited_g)
        for m in wanted
        if m in claimed
    }
    terms = archived.terms
    recomputed = run_period_inline(
        archived.source,
        archived.enrollment,
        terms.program_id,
        terms.period_start,
        terms.period_end,
        chain_id=archived.chain_id,
        registry=archived.registry,
        cap_t_per_year=0,
        previous=PreviousReport(terms.period_start, terms.fiscal_year, ytd_before),
        refuse_bad_enrollment=False,
        members=wanted,
        terms=terms,
    )
    verdict.checked_members = len(recomputed.results)
    out = []
    enrolled = {leaf.member_id for leaf in archived.enrollment}
    for m in sorted(enrolled - set(claimed)):
        if members is None or m in members:
            out.append(Finding(0, m, f"member {m} is enrolled but not in the report"))
    for honest in recomputed.results:
        if honest.member_id not in claimed:
            continue
        position, leaf = claimed[honest.member_id]
        if leaf == honest:
            continue
        parent_claim = _parent_claim(tree, position)
        violation = rule_violation(leaf, view.leaves, terms, archived.chain_id, archived.registry)
        why = (
            f"member {leaf.member_id}: committed valid={leaf.valid} credited {leaf.credited_g} g "
            f"(self-consumed {leaf.self_consumed_wh} Wh), recomputed valid={honest.valid} "
            f"credited {honest.credited_g} g"
            + (f" (reason {honest.reason}: {REASONS[honest.reason]})" if honest.reason else "")
        )
        if violation and parent_claim > 0:
            out.append(
                Finding(
                    1,
                    leaf.member_id,
                    f"{why}; breaks: {violation}",
                    _member_proof(facts, tree, view, position),
                )
            )
        elif parent_claim == 0:
            out.append(Finding(0, leaf.member_id, f"{why}; not provable (credited 0)"))
        elif (interval := _interval_proof(archived, facts, tree, view, position)) is not None:
            out.append(Finding(5, leaf.member_id, f"{why}; {interval[0]}", interval[1]))
        else:
            out.append(
                Finding(
                    0,
                    leaf.member_id,
                    f"{why}; the leaf keeps rules 1-5, so only an interval or later-reading proof "
                    "(kind 5 or 4) can show it",
                )
            )
    return out


def _interval_proof(
    archived: ArchivedPeriod,
    facts: ProgramReport,
    tree: ClaimedTree,
    view: EnrollmentView,
    position: int,
) -> tuple[str, ProofCall] | None:
    """A kind-5 proof against the leaf at `position`: two readings of its capacity-checked meter
    (`meters[0]`) between its boundary readings, more energy apart than capacity x their distance
    (or a register going back), each with the whole signed batch holding it."""
    leaf = tree.leaves[position]
    if not leaf.meters or leaf.meters[0].enrollment_index >= view.count:
        return None
    boundary = leaf.meters[0]
    enrolled = view.leaves[boundary.enrollment_index]
    readings, batches = clip_to_window(*archived.source.read([leaf.member_id]), archived.terms)
    data = verify_members(
        readings, batches, facts.program_id, archived.chain_id, archived.registry
    ).get(leaf.member_id)
    meter = None if data is None else data.meters.get(boundary.start.meter.lower())
    if meter is None:
        return None
    ts, wh = meter.timestamps, meter.registers
    a = int(np.searchsorted(ts, boundary.start.last_timestamp))
    b = int(np.searchsorted(ts, boundary.end.last_timestamp, side="right"))
    ts, wh = ts[a:b], wh[a:b]
    back = np.flatnonzero(np.diff(wh) < 0)
    over = back if len(back) else capacity_violations(ts, wh, enrolled.capacity_w)
    for i in (int(i) for i in over):
        pair = (int(ts[i]), int(ts[i + 1]))
        holding = [
            next((x for x in meter.batches if x.first_timestamp <= t <= x.last_timestamp), None)
            for t in pair
        ]
        if None in holding:
            continue
        first, second = holding
        evidence = [_batch_data(meter, first)]
        if second != first:
            evidence.append(_batch_data(meter, second))
        indices = [
            int(np.count_nonzero((meter.timestamps >= x.first_timestamp) & (meter.timestamps < t)))
            for x, t in ((first, pair[0]), (second, pair[1]))
        ]
        what = (
            f"meter {meter.address}: {int(wh[i + 1]) - int(wh[i])} Wh between {pair[0]} and "
            f"{pair[1]} (capacity {enrolled.capacity_w} W)"
        )
        return what, ProofCall(
            "MemberProofs",
            "prove_interval",
            (
                facts.as_tuple(),
                position,
                _path(tree, position),
                leaf.as_tuple(),
                enrolled.as_tuple(),
                view.proof(boundary.enrollment_index),
                (evidence, indices[0], indices[1]),
            ),
        )
    return None


def _batch_data(meter, batch) -> tuple:
    """`evidence.BatchData`: the signed batch and every reading it signs (64 bytes each)."""
    inside = (meter.timestamps >= batch.first_timestamp) & (
        meter.timestamps <= batch.last_timestamp
    )
    raw = b"".join(
        int(t).to_bytes(32, "big") + int(w).to_bytes(32, "big")
        for t, w in zip(meter.timestamps[inside], meter.registers[inside], strict=True)
    )
    return (batch.as_signed_reading(), raw)


def _parent_claim(tree: ClaimedTree, position: int) -> int:
    parent = tree.nodes[0][position >> 1]
    return parent.right_sum if position & 1 else parent.left_sum


def _cap_findings(facts: ProgramReport, tree: ClaimedTree, earlier: EarlierReport) -> list[Finding]:
    before = earlier.archived
    if (before.terms.program_id, before.terms.fiscal_year) != (facts.program_id, facts.fiscal_year):
        return []
    positions = {leaf.member_id: i for i, leaf in enumerate(before.tree.leaves)}
    earlier_tuple = (
        earlier.report_id,
        before.terms.fiscal_year,
        before.sum_root,
        before.tree.depth,
    )
    for position, leaf in enumerate(tree.leaves):
        other = positions.get(leaf.member_id)
        if other is None or _parent_claim(tree, position) == 0:
            continue
        prior = before.tree.leaves[other]
        if prior.ytd_credited_g > leaf.ytd_credited_g - leaf.credited_g:
            return [
                Finding(
                    6,
                    leaf.member_id,
                    f"member {leaf.member_id}: earlier report {earlier.report_id} holds ytd "
                    f"{prior.ytd_credited_g} g, this one {leaf.ytd_credited_g} g with "
                    f"{leaf.credited_g} g credited",
                    ProofCall(
                        "MemberProofs",
                        "prove_cap",
                        (
                            facts.as_tuple(),
                            position,
                            _path(tree, position),
                            leaf.as_tuple(),
                            earlier_tuple,
                            other,
                            _path(before.tree, other),
                            prior.as_tuple(),
                        ),
                    ),
                )
            ]
    return []


# --- cheating reports, for demos and tests -------------------------------------------------


@dataclass
class Cheat:
    """A dishonest report built from an honest period: pass to archive.write_archive."""

    results: list[MemberResult]
    tree: ClaimedTree


def _replace(period: ProgramPeriod, member_id: int, result: MemberResult) -> Cheat:
    results = [result if r.member_id == member_id else r for r in period.results]
    return Cheat(results, ClaimedTree.build(results))


def _result(period: ProgramPeriod, member_id: int) -> MemberResult:
    for r in period.results:
        if r.member_id == member_id:
            return r
    raise ValueError(f"member {member_id} is not in the period's results")


def inflate_member(period: ProgramPeriod, member_id: int, extra_wh: int = 50_000) -> Cheat:
    """The member's generation end register claimed `extra_wh` higher (the meter never signed
    it), self-consumption, reduction, credited and ytd raised to match."""
    r = _result(period, member_id)
    if not r.valid:
        raise ValueError(f"member {member_id} is not valid; use credit_invalid_member")
    kinds = [period.enrollment[m.enrollment_index].kind for m in r.meters]
    i = kinds.index(GENERATION)
    m = r.meters[i]
    end = dataclasses.replace(m.end, last_cumulative_wh=m.end.last_cumulative_wh + extra_wh)
    meters = (*r.meters[:i], MeterBoundary(m.enrollment_index, m.start, end), *r.meters[i + 1 :])
    self_wh = r.self_consumed_wh + extra_wh
    reduction = self_wh * period.terms.factor_g_per_mwh // 10**6
    ytd_before = r.ytd_credited_g - r.credited_g
    credited = credit(reduction, period.terms.cap_g, ytd_before)
    return _replace(
        period,
        member_id,
        dataclasses.replace(
            r,
            meters=meters,
            self_consumed_wh=self_wh,
            reduction_g=reduction,
            credited_g=credited,
            ytd_credited_g=ytd_before + credited,
        ),
    )


def inflate_credited(period: ProgramPeriod, member_id: int, extra_g: int = 1_000_000) -> Cheat:
    """The member credited `extra_g` more than its reduction (ytd raised to match)."""
    r = _result(period, member_id)
    return _replace(
        period,
        member_id,
        dataclasses.replace(
            r, credited_g=r.credited_g + extra_g, ytd_credited_g=r.ytd_credited_g + extra_g
        ),
    )


def credit_invalid_member(period: ProgramPeriod, member_id: int) -> Cheat:
    """A member the honest oracle refused (refused data, over capacity, expired certificate)
    credited anyway, from its boundary batches."""
    if period.source is None:
        raise ValueError("the period has no source to recompute the member from")
    r = _result(period, member_id)
    enrolled = [
        (i, leaf) for i, leaf in enumerate(period.enrollment) if leaf.member_id == member_id
    ]
    readings, batches = clip_to_window(*period.source.read([member_id]), period.terms)
    data = verify_members(
        readings, batches, period.program_id, period.chain_id, period.registry
    ).get(member_id)
    outcome = compute_member(
        member_id, enrolled, data, period.terms, r.ytd_credited_g, lenient=True
    )
    if not outcome.result.valid:
        raise ValueError(f"member {member_id}: cannot be credited even leniently: {outcome.detail}")
    return _replace(period, member_id, outcome.result)


def inflate_sum(period: ProgramPeriod, extra_g: int = 1_000_000, height: int = 1) -> Cheat:
    """The first node at `height` (>= 1) claims `extra_g` more for its left child; the nodes
    above are rehashed, so the root is consistent and only the walk down finds it."""
    tree = ClaimedTree.from_sum_tree(period.tree)
    if not 1 <= height < tree.depth:
        raise ValueError(f"inflate_sum: height must be 1..{tree.depth - 1} for depth {tree.depth}")
    node = tree.nodes[height][0]
    tree.nodes[height][0] = dataclasses.replace(node, left_sum=node.left_sum + extra_g)
    tree.rehash_from(height, 0)
    return Cheat(list(period.results), tree)


def duplicate_member(period: ProgramPeriod, member_id: int) -> Cheat:
    """The member's leaf committed twice in a row (its credit counted twice)."""
    results = []
    for r in period.results:
        results.append(r)
        if r.member_id == member_id:
            results.append(r)
    return Cheat(results, ClaimedTree.build(results))


def lower_ytd(period: ProgramPeriod, member_id: int) -> Cheat:
    """The member's ytd claimed as if this were its first report of the fiscal year (so the
    cap seems to leave it more room)."""
    r = _result(period, member_id)
    return _replace(period, member_id, dataclasses.replace(r, ytd_credited_g=r.credited_g))
