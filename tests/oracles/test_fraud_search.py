"""find_fraud off chain: a pending report's facts built by hand, batches genuinely signed by
meter keys, and for each proof kind the finding with exactly the evidence the contract checks
(contracts/modules/fraud_proofs.vy); honest data, void reports and readings outside the windows
give nothing.

The plant: 10 kW, generation and export meters reading every 30 minutes, signed per JST day
(readings in (D 00:00, D+1 00:00]), April 2025 reported with carried start readings. Generation
rises 2,000 Wh and export 500 Wh per interval (5,000 Wh per interval is the capacity).
"""

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hypothesis import given
from hypothesis import strategies as st

from jcredit.eip712 import Batch, batch_digest, domain_separator, readings_hash, recover, sign_batch
from jcredit.evidence import BatchData
from jcredit.facts import MeterPeriod, ReportFacts
from jcredit.merkle import leaf_hash, merkle_root, verify_proof
from jcredit.types import FraudKind
from oracles.errors import DataError
from oracles.fraud_search import (
    CommittedConflict,
    CommittedMismatch,
    IntervalAboveCapacity,
    KnownData,
    LaterReading,
    find_fraud,
)

# Well-known anvil devnet keys (its default mnemonic, accounts 0-2): public test keys that never
# hold real value.
GEN = Account.from_key("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
EXP = Account.from_key("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
STRANGER = Account.from_key("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
ORACLE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN, PROJECT = 31337, 1
SEPARATOR = domain_separator(CHAIN, REGISTRY)

APR = 1743433200  # 2025-04-01T00:00+09:00
MAY = 1746025200  # 2025-05-01T00:00+09:00
DAY, STEP = 86400, 1800
CAPACITY_W = 10_000
MOST_PER_STEP = CAPACITY_W * STEP // 3600  # 5,000 Wh
FACTOR = 434_000  # g-CO2 per MWh
GEN_START, EXP_START = 1_000_000, 100_000


def signed_batch(meter: LocalAccount, readings: Sequence[tuple[int, int]]) -> Batch:
    ts = [t for t, _ in readings]
    wh = [w for _, w in readings]
    batch = Batch(meter.address, ts[0], ts[-1], wh[-1], readings_hash(ts, wh))
    return sign_batch(meter, PROJECT, batch, CHAIN, REGISTRY)


def sign(meter: LocalAccount, readings: Sequence[tuple[int, int]]) -> BatchData:
    return BatchData(signed_batch(meter, readings), tuple(readings))


def is_signed(batch: Batch) -> bool:
    signer = recover(batch_digest(SEPARATOR, PROJECT, batch), batch.signature)
    return signer is not None and signer.lower() == batch.meter.lower()


def series(start_wh: int, energies: Sequence[int], first_ts: int = APR) -> list[tuple[int, int]]:
    """Readings every STEP from first_ts: start_wh, then the register after each energy."""
    wh = start_wh + np.concatenate(([0], np.cumsum(np.asarray(energies, dtype=np.int64))))
    return [(first_ts + STEP * i, int(w)) for i, w in enumerate(wh.tolist())]


def day_signed(
    meter: LocalAccount, readings: Sequence[tuple[int, int]], cuts: Sequence[int] = ()
) -> list[BatchData]:
    """The meter's signed batches: one per JST day (the start reading at 00:00 alone ends the
    day before), further cut after each timestamp in `cuts`."""
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for ts, wh in readings:
        day = (ts - APR - 1) // DAY
        piece = sum(1 for cut in cuts if ts > cut)
        groups.setdefault((day, piece), []).append((ts, wh))
    return [sign(meter, group) for _, group in sorted(groups.items())]


def steady(start_wh: int, per_step: int, steps: int = (MAY - APR) // STEP) -> list[tuple[int, int]]:
    return series(start_wh, [per_step] * steps)


def period(batches: Sequence[BatchData], carried: bool = True, end=None, start=None):
    first = start or batches[0].readings[0]
    last = end or batches[-1].readings[-1]
    return MeterPeriod(batches[0].batch.meter, *first, carried, *last)


def report(
    gen: MeterPeriod,
    exp: MeterPeriod | None,
    committed: Sequence[Batch],
    void: bool = False,
    self_consumption: MeterPeriod | None = None,
) -> ReportFacts:
    """The facts of April's report over the committed batches (what it claims is as computed
    from its boundary readings, as the contract requires)."""
    if void:
        consumed = 0
    elif self_consumption is not None:
        consumed = self_consumption.energy_wh
    else:
        consumed = gen.energy_wh - (exp.energy_wh if exp else 0)
    return ReportFacts(
        project_id=PROJECT,
        report_id=1,
        period_start=APR,
        period_end=MAY,
        fiscal_year=2025,
        void=void,
        self_consumed_wh=consumed,
        reduction_g=consumed * FACTOR // 1_000_000,
        merkle_root=merkle_root(committed),
        oracle=ORACLE,
        challenge_deadline=MAY + DAY,
        meters=(gen, exp or MeterPeriod.empty(), self_consumption or MeterPeriod.empty()),
    )


def known(*groups: Sequence[BatchData], signed_only: Sequence[Batch] = ()) -> KnownData:
    data = KnownData()
    for group in groups:
        for item in group:
            data.add(item.batch, item.readings)
    for batch in signed_only:
        data.add(batch, None)
    return data


def batches(*groups: Sequence[BatchData]) -> list[Batch]:
    return [item.batch for group in groups for item in group]


@pytest.fixture(scope="module")
def april():
    """April's honest signed data: (generation batches, export batches)."""
    return (
        day_signed(GEN, steady(GEN_START, 2_000)),
        day_signed(EXP, steady(EXP_START, 500)),
    )


def honest(april, **kw) -> tuple[ReportFacts, list[Batch], KnownData]:
    gen, exp = april
    committed = batches(gen, exp)
    return report(period(gen), period(exp), committed, **kw), committed, known(gen, exp)


def assert_committed(facts: ReportFacts, batch: Batch, proof: Sequence[bytes]) -> None:
    """What `_check_committed` checks: the batch's leaf is in the report's root."""
    assert verify_proof(proof, facts.merkle_root, leaf_hash(batch))


# -- honest reports ------------------------------------------------------------------------------


def test_honest_april__nothing_to_prove(april):
    facts, committed, data = honest(april)
    assert facts.self_consumed_wh == 2_160_000
    assert find_fraud(facts, committed, data, CAPACITY_W, is_signed) is None


@given(
    seed=st.integers(0, 2**32 - 1),
    at_capacity=st.floats(0, 1),
    gen_start=st.integers(0, 10**9),
)
def test_any_honest_month_under_capacity__nothing_to_prove(seed, at_capacity, gen_start):
    rng = np.random.default_rng(seed)
    steps = (MAY - APR) // STEP
    energies = rng.integers(0, MOST_PER_STEP + 1, steps)
    # Some intervals exactly at capacity: allowed (Wh x 3600 <= W x s).
    energies[rng.random(steps) < at_capacity] = MOST_PER_STEP
    exported = (energies * rng.random(steps)).astype(np.int64)
    gen = day_signed(GEN, series(gen_start, energies))
    exp = day_signed(EXP, series(EXP_START, exported))
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    assert find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed) is None


# -- kind 5: committed batches that conflict ----------------------------------------------------


def test_conflict__two_committed_batches_of_a_meter_overlap(april):
    gen, exp = april
    # The meter also signed the 11th's 12:00 and 12:30 readings apart; the oracle commits them
    # beside the whole day.
    hour = sign(GEN, steady(GEN_START, 2_000)[504:506])
    assert hour.readings[0][0] == APR + 10 * DAY + 12 * 3600
    committed = [*batches(gen, exp), hour.batch]
    facts = report(period(gen), period(exp), committed)
    found = find_fraud(facts, committed, known(gen, exp, [hour]), CAPACITY_W, is_signed)
    assert isinstance(found, CommittedConflict)
    assert found.kind == FraudKind.COMMITTED_CONFLICT == 5
    day = gen[11].batch
    assert {found.first, found.second} == {day, hour.batch}
    # What prove_committed_conflict checks: one meter of the report, two leaves of the root,
    # the first ending first, and overlapping spans.
    assert found.first.meter == found.second.meter == facts.meters[0].meter
    assert leaf_hash(found.first) != leaf_hash(found.second)
    assert found.first.last_timestamp <= found.second.last_timestamp
    assert found.second.first_timestamp <= found.first.last_timestamp
    assert_committed(facts, found.first, found.first_proof)
    assert_committed(facts, found.second, found.second_proof)
    assert "cannot both be true" in found.describe()


def test_conflict__a_later_committed_batch_ends_on_a_lower_register(april):
    gen, exp = april
    # A batch after the period's end whose register is below the end reading's.
    after = sign(GEN, [(MAY + STEP, GEN_START + 5)])
    committed = [*batches(gen, exp), after.batch]
    facts = report(period(gen), period(exp), committed)
    found = find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed)
    assert isinstance(found, CommittedConflict)
    assert found.second == after.batch
    assert found.first.last_timestamp < found.second.last_timestamp
    assert found.second.first_timestamp > found.first.last_timestamp  # no overlap: backwards
    assert found.second.last_cumulative_wh < found.first.last_cumulative_wh
    assert_committed(facts, found.first, found.first_proof)
    assert_committed(facts, found.second, found.second_proof)


def test_conflict__batches_of_a_meter_not_in_the_report_are_ignored(april):
    gen, exp = april
    a = sign(STRANGER, [(APR + STEP, 10), (APR + 3 * STEP, 30)])
    b = sign(STRANGER, [(APR + 2 * STEP, 20), (APR + 4 * STEP, 40)])
    committed = [*batches(gen, exp), a.batch, b.batch]
    facts = report(period(gen), period(exp), committed)
    assert find_fraud(facts, committed, known(gen, exp, [a, b]), CAPACITY_W, is_signed) is None


def test_conflict__one_batch_listed_twice_is_no_conflict(april):
    """The contract refuses a conflict between a leaf and itself ("reports: the same batch"):
    the same signed fields listed twice, even with another (invalid) signature, are one leaf."""
    gen, exp = april
    copy = replace(gen[5].batch, signature=bytes(65))
    committed = [*batches(gen, exp), copy]
    facts = report(period(gen), period(exp), committed)
    assert find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed) is None


# -- kind 4: a committed batch the meter did not sign -------------------------------------------


def test_mismatch__the_root_commits_a_batch_the_meter_did_not_sign(april):
    gen, exp = april
    signed = gen[5].batch
    forged = replace(signed, last_cumulative_wh=signed.last_cumulative_wh + 1)
    committed = [forged if b == signed else b for b in batches(gen, exp)]
    facts = report(period(gen), period(exp), committed)
    found = find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed)
    assert isinstance(found, CommittedMismatch)
    assert found.kind == FraudKind.COMMITTED_MISMATCH == 4
    assert (found.committed, found.signed) == (forged, signed)
    # What prove_committed_mismatch checks: the leaf in the root, `signed` validly signed by the
    # meter for the same span, and the two differ.
    assert_committed(facts, found.committed, found.proof)
    assert is_signed(found.signed) and not is_signed(found.committed)
    assert (found.signed.meter, found.signed.first_timestamp, found.signed.last_timestamp) == (
        found.committed.meter,
        found.committed.first_timestamp,
        found.committed.last_timestamp,
    )
    assert (found.signed.last_cumulative_wh, found.signed.readings_hash) != (
        found.committed.last_cumulative_wh,
        found.committed.readings_hash,
    )


def test_mismatch__needs_only_the_signed_batch_not_its_readings(april):
    gen, exp = april
    signed = gen[7].batch
    forged = replace(signed, readings_hash=bytes(32), signature=b"")
    committed = [forged if b == signed else b for b in batches(gen, exp)]
    facts = report(period(gen), period(exp), committed)
    data = known(gen[:7], gen[8:], exp, signed_only=[signed])
    found = find_fraud(facts, committed, data, CAPACITY_W, is_signed)
    assert isinstance(found, CommittedMismatch) and found.signed == signed


def test_mismatch__a_validly_signed_committed_batch_is_none(april):
    """The meter signed two versions of one span; the oracle committed one of them: what it
    committed is signed, so it is no mismatch."""
    gen, exp = april
    signed = gen[5]
    readings = list(signed.readings)
    readings[-1] = (readings[-1][0], readings[-1][1] + 1)
    other = sign(GEN, readings)
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    data = known(gen, exp, [other])
    assert find_fraud(facts, committed, data, CAPACITY_W, is_signed) is None


def test_mismatch__an_unsigned_batch_no_signed_batch_contradicts_is_none(april):
    gen, exp = april
    committed = batches(gen, exp)
    committed[5] = replace(committed[5], signature=b"")
    facts = report(period(gen), period(exp), committed)
    assert find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed) is None


# -- kinds 1 and 2: boundary readings that are not the meter's last ---------------------------


def test_later_end_reading__a_stale_end_hides_the_last_reading(april):
    exp = april[1]
    # The meter signed its last day in two batches, the first ending at 23:30; the oracle ends
    # generation there and hides the 00:00 reading (2,000 Wh the next period would claim).
    readings = steady(GEN_START, 2_000)
    split = day_signed(GEN, readings, cuts=[MAY - STEP])
    hidden = split[-1]
    assert hidden.readings == ((MAY, readings[-1][1]),)
    claimed = readings[-2]
    committed = batches(split, exp)
    facts = report(period(split, end=claimed), period(exp), committed)
    found = find_fraud(facts, committed, known(split, exp), CAPACITY_W, is_signed)
    assert isinstance(found, LaterReading)
    assert found.kind == FraudKind.LATER_END_READING == 1
    assert found.data == hidden and found.index == 0
    # What prove_later_reading checks: a batch of a meter in the report, signed, whose reading
    # `index` is after the claimed end and not after the period end.
    assert is_signed(found.data.batch)
    ts, _ = found.data.readings[found.index]
    assert facts.meters[0].end_timestamp < ts <= facts.period_end
    assert "after the report's end reading" in found.describe()


def test_later_end_reading__the_index_of_the_first_hidden_reading(april):
    exp = april[1]
    readings = steady(GEN_START, 2_000)
    # The meter also signed its last two hours as one batch; the oracle ended at 22:00.
    tail = sign(GEN, readings[-5:])
    claimed = readings[-5]
    split = day_signed(GEN, readings, cuts=[claimed[0]])
    committed = batches(split, exp)
    facts = report(period(split, end=claimed), period(exp), committed)
    data = known([tail], split, exp)
    found = find_fraud(facts, committed, data, CAPACITY_W, is_signed)
    assert isinstance(found, LaterReading)
    assert (found.data, found.index) == (tail, 1)
    assert found.data.readings[found.index] == readings[-4]


def test_later_end_reading__a_reading_after_the_period_end_is_not_later(april):
    exp = april[1]
    readings = steady(GEN_START, 2_000, steps=(MAY - APR) // STEP + 4)
    assert readings[-1][0] > MAY
    extended = day_signed(GEN, readings)  # May 1st's first readings in a batch of their own
    committed = batches(extended[:-1], exp)
    facts = report(period(extended[:-1]), period(exp), committed)
    assert facts.meters[0].end_timestamp == MAY
    assert find_fraud(facts, committed, known(extended, exp), CAPACITY_W, is_signed) is None


def test_later_end_reading__a_reading_exactly_at_the_claimed_end_is_not_later(april):
    gen, exp = april
    # The meter signed its end reading in two batches: alone and with the hour before it.
    again = sign(GEN, gen[-1].readings[-3:])
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    assert facts.meters[0].end_timestamp == again.readings[-1][0] == MAY
    assert find_fraud(facts, committed, known([again], gen, exp), CAPACITY_W, is_signed) is None


def test_later_start_reading__a_carried_start_before_the_meters_last_reading(april):
    gen, exp = april
    # The meter read at 23:30 and at 00:00; the report carries 23:30 as the start reading.
    before = sign(GEN, [(APR - STEP, GEN_START - 2_000)])
    committed = [before.batch, *batches(gen, exp)]
    gen_period = period(gen, start=before.readings[0])
    facts = report(gen_period, period(exp), committed)
    found = find_fraud(facts, committed, known([before], gen, exp), CAPACITY_W, is_signed)
    assert isinstance(found, LaterReading)
    assert found.kind == FraudKind.LATER_START_READING == 2
    assert found.data == gen[0] and found.index == 0
    ts, _ = found.data.readings[found.index]
    assert facts.meters[0].carried_start
    assert facts.meters[0].start_timestamp < ts <= facts.period_start
    assert "carried start" in found.describe()


def test_later_start_reading__not_for_a_start_from_the_baseline(april):
    """A start reading the report did not carry is the meter's baseline on chain: not the
    report's claim, so no proof against it."""
    gen, exp = april
    before = sign(GEN, [(APR - STEP, GEN_START - 2_000)])
    committed = [before.batch, *batches(gen, exp)]
    gen_period = period(gen, start=before.readings[0], carried=False)
    facts = report(gen_period, period(exp, carried=False), committed)
    assert find_fraud(facts, committed, known([before], gen, exp), CAPACITY_W, is_signed) is None


# -- kind 3: an interval above capacity in a report claiming credits --------------------------


def spiky(index: int, extra: int = 4_000) -> list[tuple[int, int]]:
    """April's generation with `extra` Wh more in interval `index` (ending at reading index+1)."""
    energies = [2_000] * ((MAY - APR) // STEP)
    energies[index] += extra
    return series(GEN_START, energies)


def assert_interval_proof(facts: ReportFacts, found, capped: MeterPeriod) -> None:
    """What prove_interval checks: batches of the capped meter, signed, the two readings in
    order within its span, showing more than capacity (or a register going backwards)."""
    assert isinstance(found, IntervalAboveCapacity)
    assert found.kind == FraudKind.INTERVAL_ABOVE_CAPACITY == 3
    evidence = found.evidence
    assert 1 <= len(evidence.batches) <= 2
    assert all(d.batch.meter == capped.meter and is_signed(d.batch) for d in evidence.batches)
    (ts_a, wh_a), (ts_b, wh_b) = evidence.first, evidence.second
    assert capped.start_timestamp <= ts_a < ts_b <= capped.end_timestamp
    assert wh_b < wh_a or (wh_b - wh_a) * 3600 > CAPACITY_W * (ts_b - ts_a)


def test_interval__a_spike_in_a_month_claiming_credits(april):
    _, exp = april
    readings = spiky(10 * 48 + 23)  # 11:30..12:00 on the 11th: 6,000 Wh in 30 minutes
    gen = day_signed(GEN, readings)
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    # The month's total stays far below capacity: only the interval shows it.
    assert facts.generation_wh * 3600 < CAPACITY_W * (MAY - APR)
    found = find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed)
    assert_interval_proof(facts, found, facts.meters[0])
    assert (found.evidence.first, found.evidence.second) == (readings[503], readings[504])
    assert found.evidence.batches == (gen[11],)
    assert found.capacity_w == CAPACITY_W
    assert "6000 Wh between" in found.describe()


@given(index=st.integers(0, (MAY - APR) // STEP - 1), extra=st.integers(3_001, 10**6))
def test_interval__a_spike_anywhere_is_bracketed_by_the_proofs_readings(april, index, extra):
    _, exp = april
    readings = spiky(index, extra)
    gen = day_signed(GEN, readings)
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    found = find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed)
    assert_interval_proof(facts, found, facts.meters[0])
    assert found.evidence.first[0] <= readings[index][0]
    assert found.evidence.second[0] >= readings[index + 1][0]


def test_interval__a_register_going_backwards(april):
    _, exp = april
    energies = [2_000] * ((MAY - APR) // STEP)
    energies[100] = -1
    readings = series(GEN_START, energies)
    gen = day_signed(GEN, readings)
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    found = find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed)
    assert_interval_proof(facts, found, facts.meters[0])
    assert found.evidence.second[1] < found.evidence.first[1]


def test_interval__across_two_batches(april):
    _, exp = april
    readings = spiky(47)  # 23:30..00:00 on the 1st: its last reading ends the day's batch
    # The batch of the 1st is cut before its last reading, so the interval spans two batches.
    split = day_signed(GEN, readings, cuts=[readings[47][0]])
    committed = batches(split, exp)
    facts = report(period(split), period(exp), committed)
    found = find_fraud(facts, committed, known(split, exp), CAPACITY_W, is_signed)
    assert_interval_proof(facts, found, facts.meters[0])
    assert len(found.evidence.batches) == 2
    assert found.evidence.batches[0].readings[found.evidence.first_index] == readings[47]
    assert found.evidence.batches[1].readings[found.evidence.second_index] == readings[48]


def test_interval__on_the_self_consumption_meter_without_a_generation_meter(april):
    readings = spiky(200)
    sc = day_signed(STRANGER, readings)
    committed = batches(sc)
    facts = report(MeterPeriod.empty(), None, committed, self_consumption=period(sc))
    found = find_fraud(facts, committed, known(sc), CAPACITY_W, is_signed)
    assert_interval_proof(facts, found, facts.meters[2])


def test_interval__a_void_report_with_a_spike_is_not_proven(april):
    _, exp = april
    gen = day_signed(GEN, spiky(300))
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed, void=True)
    assert find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed) is None


def test_interval__a_spike_before_the_start_reading_is_outside_the_period(april):
    gen, exp = april
    # March 31st's last hour: 8,000 Wh in 30 minutes, then the start reading.
    march = sign(GEN, [(APR - 2 * STEP, GEN_START - 10_000), (APR - STEP, GEN_START - 2_000)])
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    assert find_fraud(facts, committed, known([march], gen, exp), CAPACITY_W, is_signed) is None


def test_interval__only_the_capacity_checked_meter_counts(april):
    gen, _ = april
    # Export spikes (it is bounded by generation on chain, not by capacity interval by interval).
    energies = [500] * ((MAY - APR) // STEP)
    energies[50] = 9_000
    exp = day_signed(EXP, series(EXP_START, energies))
    committed = batches(gen, exp)
    facts = report(period(gen), period(exp), committed)
    assert find_fraud(facts, committed, known(gen, exp), CAPACITY_W, is_signed) is None


# -- the archive must back the report -------------------------------------------------------------


def test_root_mismatch__raises_naming_both_roots(april):
    facts, committed, data = honest(april)
    dropped = committed[:-1]
    rebuilt = merkle_root(dropped)
    with pytest.raises(DataError) as raised:
        find_fraud(facts, dropped, data, CAPACITY_W, is_signed)
    assert f"0x{rebuilt.hex()}" in str(raised.value)
    assert f"0x{facts.merkle_root.hex()}" in str(raised.value)


def test_no_committed_batches__raises(april):
    facts, _, data = honest(april)
    with pytest.raises(DataError, match="lists no committed batches"):
        find_fraud(facts, [], data, CAPACITY_W, is_signed)


def test_known_data__a_batch_added_twice_counts_once(april):
    gen, _ = april
    data = known(gen, gen)
    assert len(data.signed[GEN.address.lower()]) == len(gen)
    timestamps = [ts for ts, *_ in data.readings(GEN.address)]
    assert timestamps == sorted(set(timestamps)) and len(timestamps) == (MAY - APR) // STEP + 1


def test_known_data__a_batch_longer_than_a_proof_can_show_is_known_as_signed_only(april):
    """Generation signed per week (336 readings; a proof shows at most 288): its batches are
    known as signed, none of their readings as provable, and an honest report over them has
    nothing to prove."""
    exp = april[1]
    readings = steady(GEN_START, 2_000)
    weeks = [readings[:1]] + [readings[1 + 336 * i : 337 + 336 * i] for i in range(5)]
    weekly = [signed_batch(GEN, week) for week in weeks]
    data = known(exp)
    for batch, week in zip(weekly, weeks, strict=True):
        data.add(batch, week)
    assert data.signed[GEN.address.lower()] == weekly
    # The four whole weeks are signed only; the start reading and the last two days readable.
    assert [len(week) for week in weeks] == [1, 336, 336, 336, 336, 96]
    readable = [d.batch for d in data.readable[GEN.address.lower()]]
    assert readable == [weekly[0], weekly[-1]]
    committed = [*weekly, *batches(exp)]
    gen_period = MeterPeriod(GEN.address, *readings[0], True, *readings[-1])
    facts = report(gen_period, period(exp), committed)
    assert find_fraud(facts, committed, data, CAPACITY_W, is_signed) is None
