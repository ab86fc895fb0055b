"""Fraud proofs: each kind proven by a stranger with the meters' own signed data (positive), and
refused when the data do not show what the proof claims (negative).

The world is a 10 kW generation + export plant monitored from 2025-04-01 with 30-minute readings
signed per JST day: generation rises 2,000 Wh and export 500 Wh per interval, so April (1,440
intervals) has 2,880,000 Wh generated, 720,000 Wh exported, 2,160,000 Wh self-consumed and
2,160,000 x 434,000 / 1e6 = 937,440 g of reduction. A spike adds 4,000 Wh to one interval:
6,000 Wh in 30 minutes is above 10 kW x 0.5 h = 5,000 Wh, so the methodology voids the month,
while the month's total (2,884,000 Wh) stays far below capacity x 720 h.
"""

import boa
import pytest

from tests.contracts.contract_world import (
    AUXILIARY,
    DAY,
    EXPORT,
    FY2025_START,
    GENERATION,
    INTERVAL,
    MAY_2025,
    MIN_BOND,
    SELF_CONSUMPTION,
    WINDOW,
    ZERO_ADDRESS,
    events,
    leaf_of,
    token_id,
)
from tests.contracts.month_data import boundary_readings, month
from tests.contracts.report_world import submit_raw

START = {GENERATION: 1_000_000, EXPORT: 100_000}
STEPS = {GENERATION: 2_000, EXPORT: 500}
APRIL_SC = 2_160_000
APRIL_G = 937_440
SPIKE_AT = FY2025_START + 10 * DAY + 24 * INTERVAL  # 2025-04-11T12:00+09:00


@pytest.fixture
def april(world, project):
    """April's signed month of data (no spike) and its project."""
    return project, month(world, project, FY2025_START, MAY_2025, START, STEPS)


@pytest.fixture
def spiky(world, project):
    """April with a 6,000 Wh interval ending at SPIKE_AT."""
    data = month(
        world, project, FY2025_START, MAY_2025, START, STEPS, {GENERATION: {SPIKE_AT: 4_000}}
    )
    return project, data


def submitted_facts(world):
    (logged,) = events(world.reports, "ReportSubmitted")
    return logged["facts"]


def prove(world, function, *args, sender=None):
    with boa.env.prank(sender or world.actors.challenger):
        getattr(world.proofs, function)(*args)


def assert_refuted(world, project, facts, kind, *, bond=MIN_BOND):
    """The report is undone, the challenger was paid the bond, the oracle lost role and project."""
    (proven,) = events(world.proofs, "FraudProven")
    assert proven == {
        "address": world.proofs.address,
        "project_id": project.project_id,
        "report_id": facts.report_id,
        "challenger": world.actors.challenger,
        "kind": kind,
        "oracle": world.actors.oracle,
        "bond": bond,
    }
    (undone,) = events(world.proofs, "ReportUndone")
    assert (undone["report_id"], undone["reason"]) == (facts.report_id, 3)
    assert world.reports.pending_report(project.project_id).status == 0
    assert world.reports.next_period_start(project.project_id) == facts.period_start
    assert boa.env.get_balance(world.actors.challenger) == bond
    assert not world.registry.has_role(world.registry.ORACLE_ROLE(), world.actors.oracle)
    assert world.registry.projects(project.project_id).oracle == ZERO_ADDRESS
    assert world.reports.bond_of(world.actors.oracle) == (0, 0)


def submit_month(
    world, project, data, sc=APRIL_SC, g=APRIL_G, void=False, readings=None, root=None
):
    if readings is None:
        readings, root = boundary_readings(data, carried=True)
    submit_raw(world, project, readings, root, end=data.end, sc=sc, g=g, void=void)
    return submitted_facts(world)


# ---- (a) a later reading than a claimed boundary ----------------------------------------------


def _stale_export_end(world, project, data):
    """The export meter's end claimed at 23:45 from a one-reading batch the meter also signed,
    while its day batch holds the reading at 24:00 (the period end)."""
    early = MAY_2025 - 900
    wh = data.readings[EXPORT][-1][1] - 250
    stale = project.meters[EXPORT].sign_batch(world.domain, project.project_id, [(early, wh)])
    data.extra_leaves.append(leaf_of(stale))
    tree = data.tree()
    readings = []
    for kind in (GENERATION, EXPORT):
        first = data.batches[kind][0].signed
        readings.append((first, tree.proof(leaf_of(first))))
        end = data.batches[kind][-1].signed if kind == GENERATION else stale
        readings.append((end, tree.proof(leaf_of(end))))
    # 250 Wh less export than the meter measured: the claim is 250 Wh higher.
    sc = APRIL_SC + 250
    return readings, tree.root, sc, sc * 434_000 // 1_000_000


def test_prove_later_reading__end_reading_not_the_last__refuted_and_bond_paid(world, april):
    project, data = april
    readings, root, sc, g = _stale_export_end(world, project, data)
    facts = submit_month(world, project, data, sc=sc, g=g, readings=readings, root=root)
    day = data.batches[EXPORT][-1]
    prove(world, "prove_later_reading", facts, day.data(), day.index_of(MAY_2025))
    assert_refuted(world, project, facts, kind=1)


def test_prove_later_reading__earlier_reading__reverts(world, april):
    project, data = april
    readings, root, sc, g = _stale_export_end(world, project, data)
    facts = submit_month(world, project, data, sc=sc, g=g, readings=readings, root=root)
    day = data.batches[EXPORT][-1]
    with boa.reverts("reports: no later reading"):
        prove(world, "prove_later_reading", facts, day.data(), day.index_of(MAY_2025 - 1800))


def test_prove_later_reading__honest_report__nothing_to_prove(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    day = data.batches[EXPORT][-1]
    with boa.reverts("reports: no later reading"):
        prove(world, "prove_later_reading", facts, day.data(), day.index_of(MAY_2025))


def test_prove_later_reading__reading_after_the_period_end__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    later = month(world, project, MAY_2025, MAY_2025 + DAY, {GENERATION: 0, EXPORT: 0}, STEPS)
    day = later.batches[EXPORT][-1]
    with boa.reverts("reports: no later reading"):
        prove(world, "prove_later_reading", facts, day.data(), len(day.readings) - 1)


def test_prove_later_reading__start_reading_not_the_last__refuted(world):
    # Crediting from 31 March, monitoring from 1 April. The first report carries the generation
    # start from 23:45 on 31 March (the meter did sign it), though the meter also signed a reading
    # at 00:00: the 1,000 Wh generated in those 15 minutes of March would be credited in April.
    project = world.monitored_project(
        crediting_start=FY2025_START - DAY, commissioning=FY2025_START - 2 * DAY
    )
    data = month(world, project, FY2025_START, MAY_2025, START, STEPS)
    early = project.meters[GENERATION].sign_batch(
        world.domain, project.project_id, [(FY2025_START - 900, START[GENERATION] - 1_000)]
    )
    data.extra_leaves.append(leaf_of(early))
    tree = data.tree()
    readings = []
    for kind in (GENERATION, EXPORT):
        start = early if kind == GENERATION else data.batches[kind][0].signed
        end = data.batches[kind][-1].signed
        readings += [(start, tree.proof(leaf_of(start))), (end, tree.proof(leaf_of(end)))]
    sc = APRIL_SC + 1_000
    facts = submit_month(
        world, project, data, sc=sc, g=sc * 434_000 // 1_000_000, readings=readings, root=tree.root
    )
    start_batch = data.batches[GENERATION][0]  # the lone reading at 00:00 of 1 April
    prove(world, "prove_later_reading", facts, start_batch.data(), 0)
    assert_refuted(world, project, facts, kind=2)


def test_prove_later_reading__readings_not_as_signed__reverts(world, april):
    project, data = april
    readings, root, sc, g = _stale_export_end(world, project, data)
    facts = submit_month(world, project, data, sc=sc, g=g, readings=readings, root=root)
    signed, encoded = data.batches[EXPORT][-1].data()
    tampered = encoded[:-1] + bytes([encoded[-1] ^ 1])
    with boa.reverts("reports: readings not as signed"):
        prove(world, "prove_later_reading", facts, (signed, tampered), 47)


def test_prove_later_reading__batch_of_a_meter_not_in_the_report__reverts(world, april, actors):
    project, data = april
    facts = submit_month(world, project, data)
    other = world.monitored_project()
    foreign = month(world, other, FY2025_START, MAY_2025, START, STEPS).batches[EXPORT][-1]
    with boa.reverts("reports: meter not in report"):
        prove(world, "prove_later_reading", facts, foreign.data(), 47)


def test_prove__after_the_window__reverts(world, april):
    project, data = april
    readings, root, sc, g = _stale_export_end(world, project, data)
    facts = submit_month(world, project, data, sc=sc, g=g, readings=readings, root=root)
    boa.env.time_travel(seconds=WINDOW)
    day = data.batches[EXPORT][-1]
    with boa.reverts("reports: challenge window over"):
        prove(world, "prove_later_reading", facts, day.data(), day.index_of(MAY_2025))


def test_prove__disputed_report_after_the_window__still_refuted(world, april, actors):
    project, data = april
    readings, root, sc, g = _stale_export_end(world, project, data)
    facts = submit_month(world, project, data, sc=sc, g=g, readings=readings, root=root)
    with boa.env.prank(actors.validator):
        world.reports.dispute(project.project_id, "export reading looks early")
    boa.env.time_travel(seconds=WINDOW)
    day = data.batches[EXPORT][-1]
    prove(world, "prove_later_reading", facts, day.data(), day.index_of(MAY_2025))
    assert_refuted(world, project, facts, kind=1)


def test_prove__facts_of_another_report__reverts(world, april):
    project, data = april
    readings, root, sc, g = _stale_export_end(world, project, data)
    facts = submit_month(world, project, data, sc=sc, g=g, readings=readings, root=root)
    forged = facts._replace(reduction_g=0)
    day = data.batches[EXPORT][-1]
    with boa.reverts("reports: facts differ from the report"):
        prove(world, "prove_later_reading", forged, day.data(), day.index_of(MAY_2025))


# ---- (b) an interval above capacity -----------------------------------------------------------


def _spiky_claim(world, project, data):
    """The spiky month claimed as valid: 4,000 Wh more generation and self-consumption."""
    sc = APRIL_SC + 4_000
    return submit_month(world, project, data, sc=sc, g=sc * 434_000 // 1_000_000)


def test_prove_interval__month_with_a_spike_claimed_valid__refuted(world, spiky):
    project, data = spiky
    facts = _spiky_claim(world, project, data)
    day = data.batch_holding(GENERATION, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    prove(world, "prove_interval", facts, ([day.data()], i - 1, i))
    assert_refuted(world, project, facts, kind=3)


def test_prove_interval__far_apart_readings_around_a_spike__not_a_proof(world, spiky):
    project, data = spiky
    facts = _spiky_claim(world, project, data)
    # The spike's day from its first to its last reading: 47 intervals, 47 x 2,000 + 4,000 =
    # 98,000 Wh in 23.5 h, far below 10 kW x 23.5 h: the average hides the spike.
    day = data.batch_holding(GENERATION, SPIKE_AT)
    with boa.reverts("reports: no interval above capacity"):
        prove(world, "prove_interval", facts, ([day.data()], 0, len(day.readings) - 1))


def test_prove_interval__spike_across_two_batches__refuted(world, project):
    # The spike in the first interval of 12 April (00:00 -> 00:30): its two readings are the
    # last of the 11 April batch and the first of the 12 April batch.
    midnight = FY2025_START + 11 * DAY
    data = month(
        world, project, FY2025_START, MAY_2025, START, STEPS,
        {GENERATION: {midnight + INTERVAL: 4_000}},
    )  # fmt: skip
    facts = _spiky_claim(world, project, data)
    before = data.batch_ending(GENERATION, midnight)
    after = data.batch_holding(GENERATION, midnight + INTERVAL)
    assert before is not after
    prove(
        world, "prove_interval", facts, ([before.data(), after.data()], len(before.readings) - 1, 0)
    )
    assert_refuted(world, project, facts, kind=3)


def test_prove_interval__void_report__reverts(world, spiky, actors):
    project, data = spiky
    day = data.batch_holding(GENERATION, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    with boa.env.prank(actors.oracle):
        world.proofs.record_violation(project.project_id, ([day.data()], i - 1, i))
    facts = submit_month(world, project, data, sc=0, g=0, void=True)
    with boa.reverts("reports: report is void"):
        prove(world, "prove_interval", facts, ([day.data()], i - 1, i))


def test_prove_interval__no_violation__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    day = data.batches[GENERATION][5]
    with boa.reverts("reports: no interval above capacity"):
        prove(world, "prove_interval", facts, ([day.data()], 0, 1))


def test_prove_interval__export_meter_readings__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    day = data.batches[EXPORT][5]
    with boa.reverts("reports: evidence of another meter"):
        prove(world, "prove_interval", facts, ([day.data()], 0, 1))


def test_prove_interval__readings_before_the_period__reverts(world, project):
    # A spike on 31 March, signed by the meter, shown against April's valid report.
    march = month(
        world, project, FY2025_START - DAY, FY2025_START, START, STEPS,
        {GENERATION: {FY2025_START - 10 * INTERVAL: 4_000}},
    )  # fmt: skip
    april = month(world, project, FY2025_START, MAY_2025, START, STEPS)
    facts = submit_month(world, project, april)
    day = march.batch_holding(GENERATION, FY2025_START - 10 * INTERVAL)
    i = day.index_of(FY2025_START - 10 * INTERVAL)
    with boa.reverts("reports: readings outside the period"):
        prove(world, "prove_interval", facts, ([day.data()], i - 1, i))


# ---- void reports need their violation on record ----------------------------------------------


def test_void_report__recorded_violation_inside__accepted_without_credit(world, spiky, actors):
    project, data = spiky
    day = data.batch_holding(GENERATION, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    with boa.env.prank(actors.oracle):
        world.proofs.record_violation(project.project_id, ([day.data()], i - 1, i))
    (recorded,) = events(world.proofs, "ViolationRecorded")
    assert (recorded["from_timestamp"], recorded["to_timestamp"]) == (SPIKE_AT - INTERVAL, SPIKE_AT)
    assert recorded["meter"] == project.meters[GENERATION].address
    facts = submit_month(world, project, data, sc=0, g=0, void=True)
    assert facts.void and facts.self_consumed_wh == 0
    assert world.registry.emission_factors(2025).locked is False


def test_void_report__no_recorded_violation__reverts(world, april):
    project, data = april
    readings, root = boundary_readings(data, carried=True)
    with boa.reverts("reports: void without a recorded violation"):
        submit_raw(world, project, readings, root, end=MAY_2025, sc=0, g=0, void=True)


def test_record_violation__no_violation__reverts(world, april, actors):
    project, data = april
    day = data.batches[GENERATION][3]
    with boa.env.prank(actors.stranger), boa.reverts("reports: no interval above capacity"):
        world.proofs.record_violation(project.project_id, ([day.data()], 0, 1))


def test_record_violation__outside_the_period__void_refused(world, project, actors):
    # A March spike recorded, then April reported void: the violation is not April's.
    march = month(
        world, project, FY2025_START - DAY, FY2025_START, START, STEPS,
        {GENERATION: {FY2025_START - 10 * INTERVAL: 4_000}},
    )  # fmt: skip
    day = march.batch_holding(GENERATION, FY2025_START - 10 * INTERVAL)
    i = day.index_of(FY2025_START - 10 * INTERVAL)
    with boa.env.prank(actors.stranger):
        world.proofs.record_violation(project.project_id, ([day.data()], i - 1, i))
    data = month(world, project, FY2025_START, MAY_2025, START, STEPS)
    readings, root = boundary_readings(data, carried=True)
    with boa.reverts("reports: void without a recorded violation"):
        submit_raw(world, project, readings, root, end=MAY_2025, sc=0, g=0, void=True)


# ---- the capacity-checked meter in a list of meters --------------------------------------------
#
# facts.meters lists only the meters that took part, in kind order: on a site without a generation
# meter the self-consumption meter is not first (export is), yet it is the one capacity bounds.

SC_STEPS = {EXPORT: 500, SELF_CONSUMPTION: 2_000, AUXILIARY: 10}
SC_START = {EXPORT: 0, SELF_CONSUMPTION: 0, AUXILIARY: 0}
SC_CLAIM = 1_440 * 2_000 + 4_000 - 1_440 * 10  # the spike's 4,000 Wh included


@pytest.fixture
def sc_spiky(world):
    """An export + self-consumption + auxiliary site (no generation meter) whose April holds a
    6,000 Wh self-consumption interval ending at SPIKE_AT."""
    project = world.monitored_project(kinds=(EXPORT, SELF_CONSUMPTION, AUXILIARY))
    data = month(
        world, project, FY2025_START, MAY_2025, SC_START, SC_STEPS,
        {SELF_CONSUMPTION: {SPIKE_AT: 4_000}},
    )  # fmt: skip
    return project, data


def test_prove_interval__site_without_generation_meter__self_consumption_spike_refuted(
    world, sc_spiky
):
    project, data = sc_spiky
    facts = submit_month(world, project, data, sc=SC_CLAIM, g=SC_CLAIM * 434_000 // 1_000_000)
    assert [period.kind for period in facts.meters] == [EXPORT, SELF_CONSUMPTION, AUXILIARY]
    day = data.batch_holding(SELF_CONSUMPTION, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    prove(world, "prove_interval", facts, ([day.data()], i - 1, i))
    assert_refuted(world, project, facts, kind=3)


@pytest.mark.parametrize("kind", [EXPORT, AUXILIARY])
def test_prove_interval__site_without_generation_meter__other_meter_readings__reverts(
    world, sc_spiky, kind
):
    project, data = sc_spiky
    facts = submit_month(world, project, data, sc=SC_CLAIM, g=SC_CLAIM * 434_000 // 1_000_000)
    day = data.batches[kind][5]
    with boa.reverts("reports: evidence of another meter"):
        prove(world, "prove_interval", facts, ([day.data()], 0, 1))


def test_void_report__site_without_generation_meter__self_consumption_violation_accepted(
    world, sc_spiky, actors
):
    project, data = sc_spiky
    day = data.batch_holding(SELF_CONSUMPTION, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    with boa.env.prank(actors.stranger):
        world.proofs.record_violation(project.project_id, ([day.data()], i - 1, i))
    assert submit_month(world, project, data, sc=0, g=0, void=True).void


def test_submit_report__void_with_a_violation_of_the_export_meter__reverts(world, project, actors):
    """An export interval above capacity is recorded (any meter of the project may be), but
    capacity bounds the generation meter: the month cannot be voided by it."""
    data = month(world, project, FY2025_START, MAY_2025, START, STEPS, {EXPORT: {SPIKE_AT: 6_000}})
    day = data.batch_holding(EXPORT, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    with boa.env.prank(actors.oracle):
        world.proofs.record_violation(project.project_id, ([day.data()], i - 1, i))
    readings, root = boundary_readings(data, carried=True)
    with boa.reverts("reports: void without a recorded violation"):
        submit_raw(world, project, readings, root, end=MAY_2025, sc=0, g=0, void=True)


# ---- (c) committed data that differ from the signed data or from each other -------------------


def test_prove_committed_mismatch__leaf_not_as_signed__refuted(world, april):
    project, data = april
    honest = data.batches[GENERATION][7]
    meter, first, last, last_wh, _rhash, _ = honest.signed
    tampered = (meter, first, last, last_wh, b"\x01" * 32)
    tampered_leaf = leaf_of((*tampered, b""))
    # The oracle commits its tampered copy instead of the signed batch.
    data.batches[GENERATION].remove(honest)
    data.extra_leaves.append(tampered_leaf)
    facts = submit_month(world, project, data)
    proof = data.tree().proof(tampered_leaf)
    prove(world, "prove_committed_mismatch", facts, tampered, proof, honest.signed)
    assert_refuted(world, project, facts, kind=4)


def test_prove_committed_mismatch__leaf_as_signed__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    honest = data.batches[GENERATION][7]
    leaf = honest.signed[:5]
    with boa.reverts("reports: committed batch is as signed"):
        prove(
            world, "prove_committed_mismatch", facts, leaf, data.proof(honest.signed), honest.signed
        )


def test_prove_committed_mismatch__leaf_not_in_root__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    honest = data.batches[GENERATION][7]
    made_up = (*honest.signed[:4], b"\x02" * 32)
    with boa.reverts("reports: batch not in merkle root"):
        prove(
            world,
            "prove_committed_mismatch",
            facts,
            made_up,
            data.proof(honest.signed),
            honest.signed,
        )


def test_prove_committed_conflict__overlapping_batches__refuted(world, april):
    project, data = april
    day = data.batches[EXPORT][9]
    meter, first, last, last_wh, _rhash, _ = day.signed
    # A second committed batch of the same meter covering the same afternoon.
    overlapping = (meter, first + 12 * INTERVAL, last, last_wh + 1, b"\x03" * 32)
    data.extra_leaves.append(leaf_of((*overlapping, b"")))
    facts = submit_month(world, project, data)
    prove(
        world,
        "prove_committed_conflict",
        facts,
        day.signed[:5],
        data.proof(day.signed),
        overlapping,
        data.tree().proof(leaf_of((*overlapping, b""))),
    )
    assert_refuted(world, project, facts, kind=5)


def test_prove_committed_conflict__register_backwards__refuted(world, april):
    project, data = april
    earlier, later = data.batches[GENERATION][3], data.batches[GENERATION][4]
    meter, first, last, _last_wh, _, _ = later.signed
    backwards = (meter, first, last, earlier.last[1] - 1, b"\x04" * 32)
    data.batches[GENERATION].remove(later)
    data.extra_leaves.append(leaf_of((*backwards, b"")))
    facts = submit_month(world, project, data)
    prove(
        world,
        "prove_committed_conflict",
        facts,
        earlier.signed[:5],
        data.proof(earlier.signed),
        backwards,
        data.tree().proof(leaf_of((*backwards, b""))),
    )
    assert_refuted(world, project, facts, kind=5)


def test_prove_committed_conflict__consecutive_honest_batches__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    a, b = data.batches[GENERATION][3], data.batches[GENERATION][4]
    with boa.reverts("reports: batches do not conflict"):
        prove(
            world,
            "prove_committed_conflict",
            facts,
            a.signed[:5],
            data.proof(a.signed),
            b.signed[:5],
            data.proof(b.signed),
        )


def test_prove_committed_conflict__the_same_batch_twice__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    a = data.batches[GENERATION][3]
    with boa.reverts("reports: the same batch"):
        prove(
            world,
            "prove_committed_conflict",
            facts,
            a.signed[:5],
            data.proof(a.signed),
            a.signed[:5],
            data.proof(a.signed),
        )


def test_prove_committed_conflict__two_meters__reverts(world, april):
    project, data = april
    facts = submit_month(world, project, data)
    a, b = data.batches[GENERATION][3], data.batches[EXPORT][3]
    with boa.reverts("reports: batches of two meters"):
        prove(
            world,
            "prove_committed_conflict",
            facts,
            a.signed[:5],
            data.proof(a.signed),
            b.signed[:5],
            data.proof(b.signed),
        )


# ---- after a proof ----------------------------------------------------------------------------


def test_after_a_proof__period_resubmitted_by_another_oracle(world, spiky, actors):
    project, data = spiky
    facts = _spiky_claim(world, project, data)
    day = data.batch_holding(GENERATION, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    prove(world, "prove_interval", facts, ([day.data()], i - 1, i))
    honest = boa.env.generate_address("honest oracle")
    boa.env.set_balance(honest, MIN_BOND)
    with boa.env.prank(actors.admin):
        world.registry.grant_role(world.registry.ORACLE_ROLE(), honest)
    boa.env.time_travel(seconds=2 * DAY)
    world.registry.activate_role(world.registry.ORACLE_ROLE(), honest)
    with boa.env.prank(honest):
        world.reports.post_bond(value=MIN_BOND)
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(project.project_id, honest)
    with boa.env.prank(honest):
        world.proofs.record_violation(project.project_id, ([day.data()], i - 1, i))
    readings, root = boundary_readings(data, carried=True)
    submit_raw(world, project, readings, root, end=MAY_2025, sc=0, g=0, void=True, sender=honest)
    resubmitted = submitted_facts(world)
    assert resubmitted.void and resubmitted.oracle == honest
    assert resubmitted.period_start == FY2025_START


def test_refuted_oracle__cannot_report_for_its_other_projects(world, spiky, actors):
    project, data = spiky
    other = world.monitored_project()
    facts = _spiky_claim(world, project, data)
    day = data.batch_holding(GENERATION, SPIKE_AT)
    i = day.index_of(SPIKE_AT)
    prove(world, "prove_interval", facts, ([day.data()], i - 1, i))
    honest_month = month(world, other, FY2025_START, MAY_2025, START, STEPS)
    readings, root = boundary_readings(honest_month, carried=True)
    with boa.reverts("reports: not an ORACLE_ROLE"):
        submit_raw(world, other, readings, root, end=MAY_2025)


# ---- a refuted oracle's other reports ---------------------------------------------------------


def _two_cheats(world):
    """Two projects of the same oracle, each with April submitted with a stale export end."""
    cheats = []
    for _ in range(2):
        project = world.monitored_project()
        data = month(world, project, FY2025_START, MAY_2025, START, STEPS)
        readings, root, sc, g = _stale_export_end(world, project, data)
        facts = submit_month(world, project, data, sc=sc, g=g, readings=readings, root=root)
        cheats.append((project, data, facts))
    return cheats


def test_finalize__other_report_of_a_refuted_oracle__undone_not_credited(world, actors):
    # The oracle cheats in two projects at once; the proof of the first takes its whole bond, so
    # the second cheat would cost it nothing more: it must not finalize whether proven or not.
    (_, first_data, first_facts), (second, _, second_facts) = _two_cheats(world)
    day = first_data.batches[EXPORT][-1]
    prove(world, "prove_later_reading", first_facts, day.data(), day.index_of(MAY_2025))
    assert world.reports.is_slashed(actors.oracle)
    assert not world.reports.is_slashed(actors.stranger)
    boa.env.time_travel(seconds=WINDOW)
    with boa.env.prank(actors.stranger):
        world.reports.finalize(second_facts)
    assert events(world.reports, "ReportFinalized") == []
    assert [e["reason"] for e in events(world.reports, "ReportUndone")] == [4]
    assert world.reports.pending_report(second.project_id).status == 0
    assert world.reports.next_period_start(second.project_id) == FY2025_START
    assert world.credit.total_supply(token_id(second.project_id, 2025)) == 0
    # Undone exactly: the meters carry their start readings again (no baseline).
    for period in second_facts.meters[:2]:
        assert world.reports.last_reading(period.meter)[2:] == (0, 0)


def test_resolve_dispute__uphold_a_refuted_oracles_other_report__undone(world, actors):
    (_, first_data, first_facts), (second, _, second_facts) = _two_cheats(world)
    with boa.env.prank(actors.validator):
        world.reports.dispute(second.project_id, "export end looks early")
    day = first_data.batches[EXPORT][-1]
    prove(world, "prove_later_reading", first_facts, day.data(), day.index_of(MAY_2025))
    with boa.env.prank(actors.second_validator):
        world.reports.resolve_dispute(second_facts, True)
    assert [e["reason"] for e in events(world.reports, "ReportUndone")] == [4]
    assert world.credit.total_supply(token_id(second.project_id, 2025)) == 0


def test_finalize__oracle_not_refuted__credits_as_usual(world, actors):
    project = world.monitored_project()
    data = month(world, project, FY2025_START, MAY_2025, START, STEPS)
    facts = submit_month(world, project, data)
    boa.env.time_travel(seconds=WINDOW)
    with boa.env.prank(actors.stranger):
        world.reports.finalize(facts)
    (finalized,) = events(world.reports, "ReportFinalized")
    assert finalized["reduction_g"] == APRIL_G
    assert not world.reports.is_slashed(actors.oracle)


def test_post_bond__refuted_oracle__reverts_for_good(world, actors):
    (_, data, facts), _ = _two_cheats(world)
    day = data.batches[EXPORT][-1]
    prove(world, "prove_later_reading", facts, day.data(), day.index_of(MAY_2025))
    assert world.reports.bond_of(actors.oracle) == (0, 0)
    with boa.env.prank(actors.oracle), boa.reverts("reports: oracle slashed"):
        world.reports.post_bond(value=MIN_BOND)
    with boa.env.prank(actors.oracle), boa.reverts("reports: not unbonding"):
        world.reports.withdraw_bond()
    assert not world.reports.is_bonded(actors.oracle)
