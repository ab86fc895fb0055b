"""Member results by docs/programs.md rules 1-5 and the invalid reasons 1-7."""

import dataclasses

import pytest

from jcredit.eip712 import Batch
from methodology.compute import reduction_g
from methodology.factors import load_factors
from oracles.program.intake import ParquetSource, clip_to_window, verify_members
from oracles.program.job import period_terms
from oracles.program.members import (
    BAD_METER_SET,
    CERTIFICATE_EXPIRED,
    DATA_REFUSED,
    NO_BOUNDARY,
    NO_DATA,
    OUTSIDE_CREDITING,
    OVER_CAPACITY,
    PeriodTerms,
    boundary_batch,
    compute_member,
    credit,
    rule_violation,
)
from tests.oracles.program.conftest import APR_2025, CHAIN_ID, MAY_2025, PROGRAM_ID, REGISTRY


@pytest.fixture(scope="module")
def terms() -> PeriodTerms:
    return period_terms(PROGRAM_ID, APR_2025, MAY_2025, None, 500)


@pytest.fixture(scope="module")
def data(program, terms):
    source = ParquetSource(program.path)
    readings, batches = clip_to_window(*source.read(program.sim.member_ids), terms)
    return verify_members(readings, batches, PROGRAM_ID, CHAIN_ID, REGISTRY)


def enrolled(program, member_id):
    return [(i, x) for i, x in enumerate(program.sim.enrollment) if x.member_id == member_id]


def outcome(program, data, terms, member_id, **changes):
    pairs = [(i, dataclasses.replace(x, **changes)) for i, x in enrolled(program, member_id)]
    return compute_member(member_id, pairs, data.get(member_id), terms)


def test_valid_member_follows_rules_and_methodology_rounding(program, data, terms):
    result = outcome(program, data, terms, 1).result
    assert result.valid and result.reason == 0
    gen, exp = result.meters  # ascending by kind: generation, export
    energy_gen = gen.end.last_cumulative_wh - gen.start.last_cumulative_wh
    energy_exp = exp.end.last_cumulative_wh - exp.start.last_cumulative_wh
    assert result.self_consumed_wh == energy_gen - energy_exp
    factor = load_factors().factor(2025)
    assert terms.factor_g_per_mwh == factor
    assert result.reduction_g == reduction_g(result.self_consumed_wh, factor)
    assert result.credited_g == result.reduction_g == result.ytd_credited_g
    # boundary batches end exactly on S and E (daily batches end at JST midnight)
    assert gen.start.last_timestamp == APR_2025 and gen.end.last_timestamp == MAY_2025
    assert rule_violation(result, program.sim.enrollment, terms, CHAIN_ID, REGISTRY) is None


@pytest.mark.parametrize(
    ("member_id", "reason"),
    [(2, DATA_REFUSED), (3, OVER_CAPACITY), (4, CERTIFICATE_EXPIRED)],
)
def test_planted_faults_are_refused(program, data, terms, member_id, reason):
    got = outcome(program, data, terms, member_id)
    assert got.result.valid is False and got.result.reason == reason
    assert got.result.credited_g == 0 and got.result.meters == ()
    assert f"member {member_id}" in got.detail


def test_outside_crediting_period(program, data, terms):
    got = outcome(
        program, data, terms, 1, crediting_start=APR_2025 - 400 * 86400, crediting_end=APR_2025
    )
    assert got.result.reason == OUTSIDE_CREDITING


def test_crediting_start_mid_period_moves_s(program, data, terms):
    # S on a day boundary: the member counts from there.
    got = outcome(program, data, terms, 1, crediting_start=APR_2025 + 3 * 86400)
    assert got.result.valid
    assert got.result.meters[0].start.last_timestamp == APR_2025 + 3 * 86400
    # S mid-day: no signed batch ends in (S - interval, S].
    got = outcome(program, data, terms, 1, crediting_start=APR_2025 + 3 * 86400 + 5400)
    assert got.result.reason == NO_BOUNDARY


def test_bad_meter_sets(program, data, terms):
    assert outcome(program, data, terms, 1, capacity_w=12_000).result.reason == BAD_METER_SET
    only_generation = enrolled(program, 1)[:1]
    got = compute_member(1, only_generation, data[1], terms)
    assert got.result.reason == BAD_METER_SET
    shared = {only_generation[0][1].meter.lower(): [1, 9]}
    assert (
        compute_member(1, enrolled(program, 1), data[1], terms, shared_meters=shared).result.reason
        == BAD_METER_SET
    )


def test_no_data(program, terms):
    assert compute_member(1, enrolled(program, 1), None, terms).result.reason == NO_DATA


def _batch(last: int) -> Batch:
    return Batch("0x" + "11" * 20, last, last, 0, bytes(32), b"")


def test_boundary_window_is_half_open():
    s, interval = 1_000_000, 1800
    assert boundary_batch([_batch(s)], s, interval).last_timestamp == s
    assert boundary_batch([_batch(s - interval + 1)], s, interval) is not None
    assert boundary_batch([_batch(s - interval)], s, interval) is None  # S - interval: out
    assert boundary_batch([_batch(s + 1)], s, interval) is None
    # the latest batch end at or before S, never a later one
    chosen = boundary_batch([_batch(s - 600), _batch(s - 300), _batch(s + 300)], s, interval)
    assert chosen.last_timestamp == s - 300


def test_cap_arithmetic():
    assert credit(100, 0, 10**12) == 100  # no cap
    assert credit(100, 1000, 950) == 50
    assert credit(100, 1000, 900) == 100
    assert credit(100, 1000, 1000) == 0
    assert credit(100, 1000, 1200) == 0


def test_cap_limits_credited_and_ytd(program, data, terms):
    full = outcome(program, data, terms, 1).result
    capped = dataclasses.replace(terms, cap_g=full.reduction_g + 5)
    pairs = enrolled(program, 1)
    result = compute_member(1, pairs, data[1], capped, ytd_before=30).result
    assert result.credited_g == full.reduction_g - 25 and result.ytd_credited_g == capped.cap_g
    invalid = compute_member(4, enrolled(program, 4), data[4], terms, ytd_before=77).result
    assert invalid.ytd_credited_g == 77  # a refused member keeps its ytd
