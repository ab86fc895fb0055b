"""One member's result for a period, by the rules of docs/programs.md ("Member results").

`compute_member` is the honest oracle: it finds each meter's boundary batches (the meter's valid
signed batch whose last reading is its last reading at or before S, resp. E), checks rules 1-5,
and credits `min(reduction_g, C - ytd_before)` (all of it when C is 0). A member it cannot credit
gets `valid = False`, `credited_g = 0`, no meters, its `ytd_before` unchanged and a reason:

    1 data refused   2 no boundary reading   3 over capacity   4 outside its crediting period
    5 certificate expired   6 not a valid meter set   7 no data

`rule_violation` is the other side: what the contract's member-rule check says about a claimed
leaf (signatures, windows, energies, arithmetic), so the verifier knows which wrong leaves a
`prove_member` call can show.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jcredit.eip712 import Batch, batch_digest, domain_separator, recover
from jcredit.program_tree import EnrolledMeter, MemberResult, MeterBoundary, program_project_id
from methodology.compute import capacity_violations, reduction_g
from methodology.units import SECONDS_PER_HOUR
from oracles.program.intake import MemberData, MeterData

DATA_REFUSED, NO_BOUNDARY, OVER_CAPACITY, OUTSIDE_CREDITING = 1, 2, 3, 4
CERTIFICATE_EXPIRED, BAD_METER_SET, NO_DATA = 5, 6, 7
REASONS = {
    DATA_REFUSED: "data refused (signature or readings hash)",
    NO_BOUNDARY: "no boundary reading",
    OVER_CAPACITY: "over capacity",
    OUTSIDE_CREDITING: "outside its crediting period",
    CERTIFICATE_EXPIRED: "meter certificate expired",
    BAD_METER_SET: "not a valid meter set",
    NO_DATA: "no data",
}
GENERATION, EXPORT, SELF_CONSUMPTION = 1, 2, 4
VALID_METER_SETS = {(GENERATION, EXPORT), (SELF_CONSUMPTION,), (GENERATION, SELF_CONSUMPTION)}
DIFFERENCE_METERING_MAX_W = 10_000


@dataclass(frozen=True)
class PeriodTerms:
    """What every member of one report shares: the program, [P0, P1), factor F and cap C."""

    program_id: int
    period_start: int
    period_end: int
    fiscal_year: int
    factor_g_per_mwh: int
    cap_g: int


@dataclass(frozen=True)
class MemberOutcome:
    result: MemberResult
    detail: str  # why invalid, naming meter and values ("" when valid)


def invalid(member_id: int, reason: int, ytd_before: int) -> MemberResult:
    return MemberResult(member_id, (), 0, 0, 0, ytd_before, False, reason)


def credit(reduction: int, cap_g: int, ytd_before: int) -> int:
    """What an honest oracle credits: all of it without a cap, else what the cap leaves."""
    return reduction if cap_g == 0 else max(0, min(reduction, cap_g - ytd_before))


def meter_set_problem(member_id: int, leaves: Sequence[EnrolledMeter]) -> str | None:
    """Rule 1 on the enrollment leaves alone (sorted by kind), or None when they are a set."""
    if not leaves:
        return f"member {member_id}: no enrolled meter"
    kinds = tuple(leaf.kind for leaf in leaves)
    if any(leaf.member_id != member_id for leaf in leaves):
        return f"member {member_id}: an enrollment leaf names another member"
    if kinds not in VALID_METER_SETS:
        return f"member {member_id}: meter kinds {kinds} are not one of {{1,2}}, {{4}}, {{1,4}}"
    first = leaves[0]
    for leaf in leaves[1:]:
        if (leaf.capacity_w, leaf.crediting_start, leaf.crediting_end) != (
            first.capacity_w,
            first.crediting_start,
            first.crediting_end,
        ):
            return (
                f"member {member_id}: meter {leaf.meter} enrolled with another capacity or "
                f"crediting period than meter {first.meter}"
            )
    if kinds == (GENERATION, EXPORT) and first.capacity_w > DIFFERENCE_METERING_MAX_W:
        return (
            f"member {member_id}: difference metering (generation + export) needs capacity <= "
            f"{DIFFERENCE_METERING_MAX_W} W, enrolled {first.capacity_w} W"
        )
    return None


def window(leaf: EnrolledMeter, terms: PeriodTerms) -> tuple[int, int]:
    """Rule 2: S = max(P0, crediting_start), E = min(P1, crediting_end)."""
    return (
        max(terms.period_start, leaf.crediting_start),
        min(terms.period_end, leaf.crediting_end),
    )


def boundary_batch(batches: Sequence[Batch], at: int, interval: int) -> Batch | None:
    """The valid batch whose last reading is the meter's latest batch-end at or before `at`, if
    that reading is within (at - interval, at]; a later one would be a kind-4 proof."""
    best = None
    for batch in batches:  # sorted by last timestamp
        if batch.last_timestamp > at:
            break
        best = batch
    if best is None or best.last_timestamp <= at - interval:
        return None
    return best


def compute_member(
    member_id: int,
    enrolled: Sequence[tuple[int, EnrolledMeter]],
    data: MemberData | None,
    terms: PeriodTerms,
    ytd_before: int = 0,
    shared_meters: dict[str, list[int]] | None = None,
    lenient: bool = False,
) -> MemberOutcome:
    """The member's result; `enrolled` is (enrollment index, leaf) of each of its meters.

    `shared_meters`: meters (lower case) enrolled more than once, with the member ids (a meter
    counted for two members is no valid set for either). `lenient` skips the refusal, capacity
    and certificate checks: only `verify.credit_invalid_member` uses it, to build a cheat.
    """
    enrolled = sorted(enrolled, key=lambda pair: pair[1].kind)
    leaves = [leaf for _, leaf in enrolled]

    def refuse(reason: int, detail: str) -> MemberOutcome:
        return MemberOutcome(invalid(member_id, reason, ytd_before), detail)

    problem = meter_set_problem(member_id, leaves)
    if problem is None and shared_meters:
        for leaf in leaves:
            others = shared_meters.get(leaf.meter.lower())
            if others:
                problem = (
                    f"member {member_id}: meter {leaf.meter} is enrolled more than once "
                    f"(members {sorted(others)})"
                )
                break
    if problem is not None:
        return refuse(BAD_METER_SET, problem)
    start, end = window(leaves[0], terms)
    if start >= end:
        return refuse(
            OUTSIDE_CREDITING,
            f"member {member_id}: crediting period {leaves[0].crediting_start}.."
            f"{leaves[0].crediting_end} does not overlap the period "
            f"{terms.period_start}..{terms.period_end}",
        )
    meters = {} if data is None else data.meters
    if not any(leaf.meter.lower() in meters for leaf in leaves):
        return refuse(NO_DATA, f"member {member_id}: no readings of its enrolled meters")
    if data is not None and data.refusals and not lenient:
        first = data.refusals[0]
        return refuse(
            DATA_REFUSED,
            f"{len(data.refusals)} reading(s) refused, first {first.describe()}",
        )
    boundaries: list[MeterBoundary] = []
    for index, leaf in enrolled:
        meter = meters.get(leaf.meter.lower())
        if meter is None:
            return refuse(NO_BOUNDARY, f"member {member_id}: no readings of meter {leaf.meter}")
        pair = []
        for at, what in ((start, "start"), (end, "end")):
            batch = boundary_batch(meter.batches, at, leaf.interval_seconds)
            if batch is None:
                return refuse(
                    NO_BOUNDARY,
                    f"member {member_id} meter {leaf.meter}: no signed batch ending in "
                    f"({at - leaf.interval_seconds}, {at}] ({what} of the period)",
                )
            pair.append(batch)
        if not lenient and pair[1].last_timestamp >= leaf.certification_expiry:
            return refuse(
                CERTIFICATE_EXPIRED,
                f"member {member_id} meter {leaf.meter}: certificate expired at "
                f"{leaf.certification_expiry}, boundary reading at {pair[1].last_timestamp}",
            )
        if pair[1].last_cumulative_wh < pair[0].last_cumulative_wh:
            return refuse(
                OVER_CAPACITY,
                f"member {member_id} meter {leaf.meter}: register goes backwards "
                f"({pair[0].last_cumulative_wh} -> {pair[1].last_cumulative_wh} Wh)",
            )
        boundaries.append(MeterBoundary(index, pair[0], pair[1]))
    energy = {
        leaf.kind: b.end.last_cumulative_wh - b.start.last_cumulative_wh
        for leaf, b in zip(leaves, boundaries, strict=True)
    }
    kinds = tuple(energy)
    capacity_w = leaves[0].capacity_w
    if kinds == (GENERATION, EXPORT):
        self_consumed = energy[GENERATION] - energy[EXPORT]
        problem = (
            f"export {energy[EXPORT]} Wh > generation {energy[GENERATION]} Wh"
            if energy[EXPORT] > energy[GENERATION]
            else None
        )
    else:
        self_consumed = energy[SELF_CONSUMPTION]
        problem = (
            f"self-consumption {self_consumed} Wh > generation {energy[GENERATION]} Wh"
            if GENERATION in energy and self_consumed > energy[GENERATION]
            else None
        )
    capped_kind = GENERATION if GENERATION in energy else SELF_CONSUMPTION
    capped = boundaries[kinds.index(capped_kind)]
    span = capped.end.last_timestamp - capped.start.last_timestamp
    if problem is None and energy[capped_kind] * SECONDS_PER_HOUR > capacity_w * span:
        problem = f"{energy[capped_kind]} Wh in {span} s exceeds {capacity_w} W"
    if problem is None:
        problem = _interval_problem(meters[capped.start.meter.lower()], capped, capacity_w)
    if problem is not None and not lenient:
        return refuse(OVER_CAPACITY, f"member {member_id}: {problem}")
    reduction = reduction_g(self_consumed, terms.factor_g_per_mwh)
    credited = credit(reduction, terms.cap_g, ytd_before)
    result = MemberResult(
        member_id,
        tuple(boundaries),
        self_consumed,
        reduction,
        credited,
        ytd_before + credited,
        True,
        0,
    )
    return MemberOutcome(result, "")


def _interval_problem(meter: MeterData, boundary: MeterBoundary, capacity_w: int) -> str | None:
    """An interval between the boundary readings above capacity (or a register going back):
    what a kind-5 proof would show with two signed readings."""
    ts, wh = meter.timestamps, meter.registers
    a = int(np.searchsorted(ts, boundary.start.last_timestamp))
    b = int(np.searchsorted(ts, boundary.end.last_timestamp, side="right"))
    ts, wh = ts[a:b], wh[a:b]
    backwards = np.flatnonzero(np.diff(wh) < 0)
    if len(backwards):
        i = int(backwards[0])
        return f"meter {meter.address}: register goes back at {int(ts[i + 1])}"
    over = capacity_violations(ts, wh, capacity_w)
    if len(over):
        i = int(over[0])
        return (
            f"meter {meter.address}: {int(wh[i + 1] - wh[i])} Wh between {int(ts[i])} and "
            f"{int(ts[i + 1])} exceeds {capacity_w} W"
        )
    return None


def rule_violation(
    result: MemberResult,
    enrollment: Sequence[EnrolledMeter],
    terms: PeriodTerms,
    chain_id: int,
    registry: str,
) -> str | None:
    """Which of rules 1-5 the claimed leaf breaks, checked as the contract does from the leaf,
    its enrollment leaves and the report's facts alone (None: the contract accepts it)."""
    if not result.meters:
        return "no meters" if result.credited_g else None
    separator = domain_separator(chain_id, registry)
    project_id = program_project_id(terms.program_id)
    leaves = []
    for m in result.meters:
        if m.enrollment_index >= len(enrollment):
            return f"enrollment index {m.enrollment_index} beyond the enrollment count"
        leaf = enrollment[m.enrollment_index]
        if leaf.member_id != result.member_id:
            return f"enrollment leaf {m.enrollment_index} is member {leaf.member_id}'s"
        if not leaf.meter.lower() == m.start.meter.lower() == m.end.meter.lower():
            return f"enrollment leaf {m.enrollment_index} is meter {leaf.meter}, not the batches'"
        leaves.append(leaf)
    if any(a.kind >= b.kind for a, b in itertools.pairwise(leaves)):
        return "meter kinds not strictly ascending"
    problem = meter_set_problem(result.member_id, leaves)
    if problem:
        return problem
    start, end = window(leaves[0], terms)
    if start >= end:
        return "outside the crediting period"
    energy = {}
    for leaf, m in zip(leaves, result.meters, strict=True):
        for batch, at, what in ((m.start, start, "start"), (m.end, end, "end")):
            digest = batch_digest(separator, project_id, batch)
            signer = recover(digest, batch.signature)
            if signer is None or signer.lower() != leaf.meter.lower():
                return f"meter {leaf.meter}: {what} batch not signed by the meter"
            if batch.first_timestamp > batch.last_timestamp:
                return f"meter {leaf.meter}: {what} batch first after last timestamp"
            if not at - leaf.interval_seconds < batch.last_timestamp <= at:
                return f"meter {leaf.meter}: {what} reading outside its window"
            if batch.last_timestamp >= leaf.certification_expiry:
                return f"meter {leaf.meter}: {what} reading after the certificate expired"
        if m.end.last_cumulative_wh < m.start.last_cumulative_wh:
            return f"meter {leaf.meter}: end register below start register"
        energy[leaf.kind] = m.end.last_cumulative_wh - m.start.last_cumulative_wh
    kinds = tuple(energy)
    if kinds == (GENERATION, EXPORT):
        if energy[EXPORT] > energy[GENERATION]:
            return "export above generation"
        self_consumed = energy[GENERATION] - energy[EXPORT]
    else:
        self_consumed = energy[SELF_CONSUMPTION]
        if GENERATION in energy and self_consumed > energy[GENERATION]:
            return "self-consumption above generation"
    if result.self_consumed_wh != self_consumed:
        return f"self_consumed_wh {result.self_consumed_wh}, boundaries give {self_consumed}"
    capped_kind = GENERATION if GENERATION in energy else SELF_CONSUMPTION
    capped = result.meters[kinds.index(capped_kind)]
    span = capped.end.last_timestamp - capped.start.last_timestamp
    if energy[capped_kind] * SECONDS_PER_HOUR > leaves[0].capacity_w * span:
        return "energy above capacity x time"
    if result.reduction_g != reduction_g(self_consumed, terms.factor_g_per_mwh):
        return f"reduction_g {result.reduction_g} is not self_consumed_wh x F // 10**6"
    if not result.valid:
        return "credited but not valid"
    if result.credited_g > result.reduction_g:
        return f"credited_g {result.credited_g} above reduction_g {result.reduction_g}"
    if result.ytd_credited_g < result.credited_g:
        return "ytd_credited_g below credited_g"
    if terms.cap_g and result.ytd_credited_g > terms.cap_g:
        return f"ytd_credited_g {result.ytd_credited_g} above the cap {terms.cap_g}"
    return None
