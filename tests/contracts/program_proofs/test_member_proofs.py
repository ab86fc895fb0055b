"""MemberProofs: kinds 1 (member rules), 4 (later reading), 5 (interval), 6 (cap).

Each attacker case is a cheating oracle's report (its trees rebuilt so the root is consistent)
proven by a stranger; each griefer case is a prover tampering with an honest report's proof data.
Members are difference-metered households (program_world.py) reading every 30 minutes with a
declared interval of one hour: an honest boundary is the reading at S (or E) itself.
"""

from dataclasses import replace

import boa
import pytest

from jcredit.program_tree import EnrolledMeter
from tests.contracts.contract_world import FACTOR_2025, JULY_2025, JUNE_2025, WINDOW
from tests.contracts.program_proofs import helpers as h
from tests.contracts.program_proofs.program_world import (
    PERIOD_END,
    PERIOD_START,
    PROGRAM_ID,
    READ_EVERY,
    batch_data,
    build_report,
    enrollment_of,
    honest_result,
    household,
    nodes_arg,
    sign,
)

POS = 2  # the member the attacker cases cheat on


def prove_member(proofs, report, position, sender, result=None, **overrides):
    args = list(report.member_args(position, result))
    for name, value in overrides.items():
        names = ["facts", "position", "path", "result", "enrolled", "enrollment_proofs"]
        args[names.index(name)] = value
    with boa.env.prank(sender):
        proofs.member.prove_member(*args)


def cheat(proofs, honest, position, result, tree=None):
    """The cheating oracle's report: `result` at `position`, trees rebuilt, made pending."""
    results = list(honest.results)
    results[position] = result
    report = honest.with_results(results)
    if tree is not None:
        report = report.with_tree(results, tree)
    proofs.programs.set_pending(report.facts_tuple)
    return report


def problem(proofs, report, result):
    return proofs.member.member_problem(
        report.facts_tuple, result.as_tuple(), report.enrolled_for(result)[0]
    )


def holds(proofs, world, report, position, kind=1):
    """Kind 1 proven by the challenger at `position`, checked in full."""
    prove_member(proofs, report, position, world.actors.challenger)
    h.assert_refuted(proofs, proofs.member, report, kind, position, world.actors.challenger)


# -- kind 1: honest ----------------------------------------------------------------------------


def test_prove_member__every_honest_member_holds(world, proofs, honest):
    for position, result in enumerate(honest.results):
        assert problem(proofs, honest, result) == 0
        with boa.reverts("program proofs: member result holds"):
            prove_member(proofs, honest, position, world.actors.challenger)
    assert proofs.programs.refute_count() == 0


# -- kind 1: attacker (the oracle tampers with one field, the proof holds) ------------------------


def _register_tampered(world, honest, meter_index, boundary, delta):
    result = honest.results[POS]
    mb = result.meters[meter_index]
    batch = getattr(mb, boundary)
    forged = replace(batch, last_cumulative_wh=batch.last_cumulative_wh + delta)
    return h.recomputed(h.with_boundary(result, meter_index, **{boundary: forged}), FACTOR_2025)


@pytest.mark.parametrize(
    ("meter_index", "boundary", "delta"),
    [(0, "end", 50_000), (0, "start", -50_000), (1, "end", -20_000), (1, "start", 20_000)],
)
def test_prove_member__a_tampered_register_breaks_its_signature(
    world, proofs, honest, meter_index, boundary, delta
):
    result = _register_tampered(world, honest, meter_index, boundary, delta)
    assert result.credited_g > honest.results[POS].credited_g
    report = cheat(proofs, honest, POS, result)
    assert problem(proofs, report, result) == h.SIGNATURE
    holds(proofs, world, report, POS)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"self_consumed_wh": 1}, h.SELF_CONSUMED),
        ({"reduction_g": 1}, h.REDUCTION),
        ({"credited_g": 1, "ytd_credited_g": 1}, h.OVER_REDUCTION),
        ({"ytd_credited_g": -1}, h.YTD_BELOW_CREDITED),
        ({"valid": None}, h.NOT_VALID),
    ],
)
def test_prove_member__a_tampered_figure_is_a_rule_problem(world, proofs, honest, changes, code):
    result = honest.results[POS]
    fields = {
        name: (not getattr(result, name)) if delta is None else getattr(result, name) + delta
        for name, delta in changes.items()
    }
    if "self_consumed_wh" in fields:  # consistent reduction and credit for the inflated figure
        reduction = fields["self_consumed_wh"] * FACTOR_2025 // 10**6
        fields.update(reduction_g=reduction, credited_g=reduction, ytd_credited_g=reduction)
    if "reduction_g" in fields:
        fields.update(credited_g=fields["reduction_g"], ytd_credited_g=fields["reduction_g"])
    cheated = h.with_member(result, **fields)
    report = cheat(proofs, honest, POS, cheated)
    assert problem(proofs, report, cheated) == code
    holds(proofs, world, report, POS)


def test_prove_member__credited_differs_from_the_parent_sum(world, proofs, honest):
    """The leaf is honest but its parent claims more for it (hashes rebuilt up to the root)."""
    tree = honest.tree.set_claim(0, POS >> 1, POS & 1 == 1, honest.results[POS].credited_g + 10**6)
    report = cheat(proofs, honest, POS, honest.results[POS], tree)
    assert problem(proofs, report, report.results[POS]) == 0
    holds(proofs, world, report, POS)


def test_prove_member__ytd_over_the_cap(world, proofs):
    """Cap 1 t: the member's earlier credit leaves it 1,000 g; the oracle credits all of May."""
    hh = [household(i) for i in range(1, 5)]
    honest = build_report(
        world.domain, hh, world.actors.oracle, cap_g=10**6, ytd_before={3: 999_000}
    )
    proofs.submit(honest)
    assert honest.results[POS].credited_g == 1_000
    cheated = h.with_member(
        honest.results[POS],
        credited_g=honest.results[POS].reduction_g,
        ytd_credited_g=999_000 + honest.results[POS].reduction_g,
    )
    report = cheat(proofs, honest, POS, cheated)
    assert problem(proofs, report, cheated) == h.OVER_CAP
    holds(proofs, world, report, POS)


def test_prove_member__enrollment_index_of_another_members_meter(world, proofs, honest):
    other = honest.results[POS + 1].meters[0].enrollment_index
    cheated = h.with_boundary(honest.results[POS], 0, enrollment_index=other)
    report = cheat(proofs, honest, POS, cheated)
    assert problem(proofs, report, cheated) == h.NOT_ENROLLED
    holds(proofs, world, report, POS)


def test_prove_member__a_meter_not_in_the_enrollment(world, proofs, honest):
    """A household that never enrolled: its meters sign, but the leaves at the indices the
    oracle names are other meters (or beyond the enrollment)."""
    stranger = household(honest.results[POS].member_id, n=77)
    result = honest_result(world.domain, PROGRAM_ID, stranger, enrollment_of([stranger]))
    for indices in ((0, 1), (honest.enrollment.count, honest.enrollment.count + 5)):
        with boa.env.anchor():
            cheated = replace(
                result,
                meters=tuple(
                    replace(mb, enrollment_index=i)
                    for mb, i in zip(result.meters, indices, strict=True)
                ),
            )
            report = cheat(proofs, honest, POS, cheated)
            assert problem(proofs, report, cheated) == h.NOT_ENROLLED
            holds(proofs, world, report, POS)


def test_prove_member__an_expired_certificate(world, proofs):
    expiring = household(3, certification_expiry=PERIOD_END - 10 * 86400)
    hh = [household(1), household(2), expiring, household(4)]
    report = build_report(world.domain, hh, world.actors.oracle)  # credited as if valid
    proofs.submit(report)
    assert problem(proofs, report, report.results[POS]) == h.CERTIFICATE
    holds(proofs, world, report, POS)


def test_prove_member__an_end_reading_outside_its_window(world, proofs):
    """The end reading an hour before E (outside (E - 3600, E]), signed and consistent."""
    hh = [household(i) for i in range(1, 5)]
    honest = build_report(world.domain, hh, world.actors.oracle)
    result = honest_result(
        world.domain,
        PROGRAM_ID,
        hh[POS],
        honest.enrollment,
        boundary_ts=(PERIOD_START, PERIOD_END - 3600),
    )
    report = cheat(proofs, honest, POS, result)
    assert problem(proofs, report, result) == h.END_WINDOW
    holds(proofs, world, report, POS)


@pytest.mark.parametrize("signed_for", [2**128 + PROGRAM_ID + 1, 1, 2**64 - 1, PROGRAM_ID])
def test_prove_member__batches_signed_for_another_program_or_a_single_site_project(
    world, proofs, honest, signed_for
):
    hh = honest.households[POS]
    result = honest_result(
        world.domain, PROGRAM_ID, hh, honest.enrollment, signed_project_id=signed_for
    )
    report = cheat(proofs, honest, POS, result)
    assert problem(proofs, report, result) == h.SIGNATURE
    holds(proofs, world, report, POS)


def test_prove_member__over_capacity(world, proofs):
    """The generation register jumps by more than the capacity can make in the month."""
    big = household(3, spike_at=PERIOD_START + 86400, spike_wh=10_000 * 744)
    report = build_report(world.domain, [household(1), household(2), big], world.actors.oracle)
    proofs.submit(report)
    assert problem(proofs, report, report.results[POS]) == h.CAPACITY
    holds(proofs, world, report, POS)


def test_prove_member__difference_metering_above_10_kw(world, proofs):
    report = build_report(
        world.domain,
        [household(1), household(2), household(3, capacity_w=12_000)],
        world.actors.oracle,
    )
    proofs.submit(report)
    assert problem(proofs, report, report.results[POS]) == h.DIFFERENCE_METERING
    holds(proofs, world, report, POS)


def test_prove_member__outside_the_crediting_period(world, proofs):
    ended = household(3, crediting_end=PERIOD_START - 86400)
    hh = [household(1), household(2), ended]
    # The oracle reports the month as if the member's crediting period had not ended.
    enrollment = enrollment_of(hh)
    results = [honest_result(world.domain, PROGRAM_ID, x, enrollment) for x in hh[:2]]
    results.append(replace(honest_result(world.domain, PROGRAM_ID, household(3), enrollment)))
    report = build_report(
        world.domain, hh, world.actors.oracle, enrollment=enrollment, results=results
    )
    proofs.submit(report)
    assert problem(proofs, report, report.results[POS]) == h.NO_CREDITING
    holds(proofs, world, report, POS)


# -- kind 1: griefer (tampering with the honest report's proof data fails) ------------------------


def test_prove_member__griefer_wrong_path(world, proofs, honest):
    path = honest.path(POS)
    node = list(path[-1])
    node[1] += 1
    with boa.reverts("program_tree: path does not match the root"):
        prove_member(proofs, honest, POS, world.actors.stranger, path=[*path[:-1], tuple(node)])
    with boa.reverts("program_tree: path does not match the root"):
        prove_member(proofs, honest, POS, world.actors.stranger, path=honest.path(0))
    with boa.reverts("program_tree: path length"):
        prove_member(proofs, honest, POS, world.actors.stranger, path=honest.path(POS)[:-1])


def test_prove_member__griefer_wrong_leaf(world, proofs, honest):
    bad = h.with_member(honest.results[POS], credited_g=honest.results[POS].credited_g + 1)
    with boa.reverts("program proofs: result not in the report"):
        prove_member(proofs, honest, POS, world.actors.stranger, result=bad)
    with boa.reverts("program proofs: result not in the report"):
        prove_member(proofs, honest, POS, world.actors.stranger, result=honest.results[POS + 1])


def test_prove_member__griefer_wrong_enrollment_leaf(world, proofs, honest):
    leaves, proofs_ = honest.enrolled_for(honest.results[POS])
    fake = EnrolledMeter(*leaves[0])
    fake = replace(fake, capacity_w=1)  # would make the member over capacity
    with boa.reverts("program proofs: enrollment leaf not in the root"):
        prove_member(
            proofs, honest, POS, world.actors.stranger, enrolled=[fake.as_tuple(), leaves[1]]
        )
    with boa.reverts("program proofs: enrollment leaf not in the root"):
        prove_member(
            proofs,
            honest,
            POS,
            world.actors.stranger,
            enrollment_proofs=[proofs_[1], proofs_[0]],
        )
    with boa.reverts("program proofs: one enrollment leaf per meter"):
        prove_member(proofs, honest, POS, world.actors.stranger, enrolled=leaves[:1])


def test_prove_member__griefer_stale_facts_and_deadline(world, proofs, honest):
    stale = dict(honest.facts, total_g=honest.facts["total_g"] + 1)
    with boa.reverts("programs: facts differ from the report"):
        prove_member(
            proofs,
            honest,
            POS,
            world.actors.stranger,
            facts=tuple(stale[k] for k in honest.facts),
        )
    boa.env.time_travel(seconds=WINDOW)
    with boa.reverts("programs: challenge window over"):
        prove_member(proofs, honest, POS, world.actors.stranger)


def test_prove_member__nothing_credited(world, proofs):
    """A refused member (credited 0) cannot be proven against, even with broken data."""
    hh = [household(i) for i in range(1, 5)]
    honest = build_report(world.domain, hh, world.actors.oracle)
    refused = h.with_member(
        honest.results[POS], credited_g=0, ytd_credited_g=0, valid=False, reason=3
    )
    report = cheat(proofs, honest, POS, refused)
    with boa.reverts("program proofs: nothing credited"):
        prove_member(proofs, report, POS, world.actors.challenger)


# -- kind 4: later reading -----------------------------------------------------------------------


def later_args(report, position, meter_index, at_start, later):
    result = report.results[position]
    shown = result.meters[min(meter_index, len(result.meters) - 1)]
    leaf, proof = report.enrolled(shown.enrollment_index)
    return (
        report.facts_tuple,
        position,
        report.path(position),
        result.as_tuple(),
        meter_index,
        at_start,
        later.as_signed_reading(),
        leaf,
        proof,
    )


@pytest.mark.parametrize("at_start", [True, False])
def test_prove_later_reading__a_stale_boundary(world, proofs, at_start):
    """The oracle takes the reading half an hour before S (or E), inside the window."""
    hh = [household(i) for i in range(1, 5)]
    honest = build_report(world.domain, hh, world.actors.oracle)
    stale = (
        (PERIOD_START - READ_EVERY, PERIOD_END)
        if at_start
        else (PERIOD_START, PERIOD_END - READ_EVERY)
    )
    result = honest_result(world.domain, PROGRAM_ID, hh[POS], honest.enrollment, boundary_ts=stale)
    report = cheat(proofs, honest, POS, result)
    assert problem(proofs, report, result) == 0  # inside its window: only kind 4 shows it
    ts = PERIOD_START if at_start else PERIOD_END
    later = sign(world.domain, PROGRAM_ID, hh[POS].generation, [(ts, hh[POS].gen_register(ts))])
    with boa.env.prank(world.actors.challenger):
        proofs.member.prove_later_reading(*later_args(report, POS, 0, at_start, later))
    h.assert_refuted(proofs, proofs.member, report, 4, POS, world.actors.challenger)


def test_prove_later_reading__griefers(world, proofs, honest):
    hh = honest.households[POS]
    gen = hh.generation

    def attempt(later, at_start=False, meter_index=0, reason="program proofs: no later reading"):
        with boa.reverts(reason), boa.env.prank(world.actors.stranger):
            proofs.member.prove_later_reading(
                *later_args(honest, POS, meter_index, at_start, later)
            )

    after_e = PERIOD_END + READ_EVERY
    attempt(sign(world.domain, PROGRAM_ID, gen, [(after_e, hh.gen_register(after_e))]))
    after_s = PERIOD_START + READ_EVERY
    attempt(sign(world.domain, PROGRAM_ID, gen, [(after_s, hh.gen_register(after_s))]), True)
    before = PERIOD_END - READ_EVERY
    attempt(sign(world.domain, PROGRAM_ID, gen, [(before, hh.gen_register(before))]))
    attempt(
        sign(world.domain, PROGRAM_ID, hh.export, [(after_s, 1)]),
        reason="program proofs: batch of another meter",
    )
    attempt(
        sign(world.domain, PROGRAM_ID + 1, gen, [(PERIOD_END, hh.gen_register(PERIOD_END))]),
        reason="registry: bad meter signature",
    )
    attempt(
        sign(world.domain, PROGRAM_ID, gen, [(PERIOD_END, 1)]),
        meter_index=2,
        reason="program proofs: no such meter",
    )


def test_prove_later_reading__after_the_members_crediting_end_is_no_proof(world, proofs):
    """E is the member's crediting end, before P1: a reading after E is not later than E."""
    ending = household(3, crediting_end=PERIOD_END - 10 * 86400)
    report = build_report(world.domain, [household(1), household(2), ending], world.actors.oracle)
    proofs.submit(report)
    ts = ending.crediting_end + READ_EVERY
    later = sign(world.domain, PROGRAM_ID, ending.generation, [(ts, ending.gen_register(ts))])
    with boa.reverts("program proofs: no later reading"), boa.env.prank(world.actors.stranger):
        proofs.member.prove_later_reading(*later_args(report, POS, 0, False, later))


# -- kind 5: interval above capacity -------------------------------------------------------------

SPIKE_AT = PERIOD_START + 9 * 86400 + 12 * 3600


def interval_args(report, position, readings, meter=None):
    result = report.results[position]
    hh = report.households[position]
    data = batch_data(report.domain, PROGRAM_ID, meter or hh.generation, readings)
    leaf, proof = report.enrolled(result.meters[0].enrollment_index)
    return (
        report.facts_tuple,
        position,
        report.path(position),
        result.as_tuple(),
        leaf,
        proof,
        ([data], 0, len(readings) - 1),
    )


def test_prove_interval__a_half_hour_above_capacity(world, proofs):
    """One half hour makes capacity x 1 h (twice the capacity); the month stays well under."""
    spiky = household(3, spike_at=SPIKE_AT, spike_wh=household(3).capacity_w)
    report = build_report(world.domain, [household(1), household(2), spiky], world.actors.oracle)
    proofs.submit(report)
    assert problem(proofs, report, report.results[POS]) == 0
    t0 = SPIKE_AT - READ_EVERY
    readings = [(t, spiky.gen_register(t)) for t in (t0, SPIKE_AT)]
    with boa.env.prank(world.actors.challenger):
        proofs.member.prove_interval(*interval_args(report, POS, readings))
    h.assert_refuted(proofs, proofs.member, report, 5, POS, world.actors.challenger)


def test_prove_interval__griefers(world, proofs, honest):
    hh = honest.households[POS]
    t0 = SPIKE_AT - READ_EVERY
    readings = [(t, hh.gen_register(t)) for t in (t0, SPIKE_AT)]
    with boa.reverts("program proofs: no interval above capacity"):
        proofs.member.prove_interval(*interval_args(honest, POS, readings))
    outside = [(t, hh.gen_register(t)) for t in (PERIOD_END, PERIOD_END + READ_EVERY)]
    with boa.reverts("reports: readings outside the period"):
        proofs.member.prove_interval(*interval_args(honest, POS, outside))
    with boa.reverts("reports: evidence of another meter"):
        proofs.member.prove_interval(*interval_args(honest, POS, readings, meter=hh.export))
    args = list(interval_args(honest, POS, readings))
    args[4] = honest.enrolled(0)[0]
    with boa.reverts("program proofs: enrollment leaf not in the root"):
        proofs.member.prove_interval(*args)


# -- kind 6: cap (year to date) ------------------------------------------------------------------


@pytest.fixture
def may_finalized(world, proofs):
    """May's honest report of four households, finalized (report 1)."""
    may = build_report(world.domain, [household(i) for i in range(1, 5)], world.actors.oracle)
    proofs.programs.set_finalized(may.report_id, may.finalized_hash())
    return may


def june(world, may, ytd_before):
    return build_report(
        world.domain,
        may.households,
        world.actors.oracle,
        report_id=2,
        period=(JUNE_2025, JULY_2025),
        ytd_before=ytd_before,
    )


def cap_args(report, earlier, position=POS, earlier_position=POS):
    return (
        report.facts_tuple,
        position,
        report.path(position),
        report.results[position].as_tuple(),
        earlier.earlier(),
        earlier_position,
        earlier.path(earlier_position),
        earlier.results[earlier_position].as_tuple(),
    )


def test_prove_cap__ytd_reset_below_an_earlier_finalized_report(world, proofs, may_finalized):
    report = proofs.submit(june(world, may_finalized, ytd_before={}))  # forgets May
    assert problem(proofs, report, report.results[POS]) == 0
    with boa.env.prank(world.actors.challenger):
        proofs.member.prove_cap(*cap_args(report, may_finalized))
    h.assert_refuted(proofs, proofs.member, report, 6, POS, world.actors.challenger)


def test_prove_cap__griefers(world, proofs, may_finalized):
    ytd = {r.member_id: r.ytd_credited_g for r in may_finalized.results}
    report = proofs.submit(june(world, may_finalized, ytd_before=ytd))
    with boa.reverts("program proofs: within the cap"):
        proofs.member.prove_cap(*cap_args(report, may_finalized))
    with boa.reverts("program proofs: another member"):
        proofs.member.prove_cap(*cap_args(report, may_finalized, earlier_position=POS + 1))
    args = list(cap_args(report, may_finalized))
    args[4] = (report.report_id, 2025, may_finalized.tree.root, may_finalized.tree.depth)
    with boa.reverts("program proofs: not an earlier report"):
        proofs.member.prove_cap(*args)
    args[4] = (may_finalized.report_id, 2024, may_finalized.tree.root, may_finalized.tree.depth)
    with boa.reverts("program proofs: another fiscal year"):
        proofs.member.prove_cap(*args)
    args[4] = (may_finalized.report_id, 2025, report.tree.root, may_finalized.tree.depth)
    with boa.reverts("program proofs: not a finalized report"):
        proofs.member.prove_cap(*args)
    args = list(cap_args(report, may_finalized))
    args[6] = nodes_arg(may_finalized.tree.path(0))
    with boa.reverts("program_tree: path does not match the root"):
        proofs.member.prove_cap(*args)
    args = list(cap_args(report, may_finalized))
    args[7] = report.results[POS].as_tuple()
    with boa.reverts("program proofs: result not in the report"):
        proofs.member.prove_cap(*args)
