"""compute(..., crediting=...): only the parts of the calendar months inside the crediting period
are reported, cut at both ends; the numbers are hand-computed."""

from dataclasses import replace

import pandas as pd

from methodology.compute import compute
from methodology.eligibility import crediting_period
from methodology.factors import FactorRow, FactorTable
from methodology.scheme import load_scheme

FACTORS = FactorTable(rows={2025: FactorRow(2025, 434_000, "test", False)}, name="test table")
APR = 1743433200  # 2025-04-01T00:00+09:00
DAY = 86400
MAY = APR + 30 * DAY
JUN = MAY + 31 * DAY
APR_10_NOON = APR + 9 * DAY + 12 * 3600
SCHEME = load_scheme()


def daily(days: int = 70) -> pd.DataFrame:
    """PV +10,000 Wh and EX +1,000 Wh per day from 2025-04-01, readings at JST midnights."""
    rows = []
    for d in range(days):
        rows += [
            (APR + d * DAY, "PV", "generation", 10_000 * d),
            (APR + d * DAY, "EX", "export", 1_000 * d),
        ]
    return pd.DataFrame(rows, columns=["timestamp", "meter", "kind", "cumulative_wh"])


def spans(result) -> list[tuple[int, int]]:
    return [(p.start, p.end) for p in result.periods]


def test_a_crediting_start_on_10_april_cuts_the_first_period():
    crediting = crediting_period(APR_10_NOON, APR, SCHEME)
    result = compute(daily(), 5000, FACTORS, crediting=crediting)
    # The data reaches 06-09, so June is still in progress and the scheme end is years away.
    assert spans(result) == [(APR_10_NOON, MAY), (MAY, JUN)]
    first = result.periods[0]
    # Last readings at or before the boundaries: 04-10T00:00 (day 9) and 05-01 (day 30): 21 days,
    # 210,000 - 21,000 = 189,000 Wh x 0.434 g/Wh = 82,026 g.
    assert (first.generation_wh, first.export_wh) == (210_000, 21_000)
    assert (first.self_consumed_wh, first.reduction_g) == (189_000, 82_026)
    assert result.crediting == crediting


def test_a_crediting_end_inside_a_month_ends_the_last_period_there():
    scheme = replace(SCHEME, scheme_end=JUN + 4 * DAY)
    result = compute(daily(), 5000, FACTORS, crediting=crediting_period(APR_10_NOON, None, scheme))
    assert spans(result) == [(APR_10_NOON, MAY), (MAY, JUN), (JUN, JUN + 4 * DAY)]
    # June 1-5: 4 days, 36,000 Wh self-consumed x 0.434 = 15,624 g; May: 279,000 Wh, 121,086 g.
    assert [p.reduction_g for p in result.periods] == [82_026, 121_086, 15_624]
    assert result.credits[0].reduction_g == 218_736


def test_a_crediting_end_on_a_month_boundary_adds_no_empty_period():
    scheme = replace(SCHEME, scheme_end=JUN)
    result = compute(daily(), 5000, FACTORS, crediting=crediting_period(APR, None, scheme))
    assert spans(result) == [(APR, MAY), (MAY, JUN)]


def test_a_crediting_end_the_data_has_not_reached_is_not_reported():
    scheme = replace(SCHEME, scheme_end=JUN + 20 * DAY)
    result = compute(daily(), 5000, FACTORS, crediting=crediting_period(APR, None, scheme))
    assert spans(result) == [(APR, MAY), (MAY, JUN)]


def test_data_before_or_after_the_crediting_period():
    # The crediting period starts before the data: the periods start when every meter has data.
    before = crediting_period(APR - 40 * DAY, None, SCHEME)
    assert spans(compute(daily(), 5000, FACTORS, crediting=before)) == [(APR, MAY), (MAY, JUN)]
    # It ends before the data starts, or starts after the data: nothing to report.
    ended = crediting_period(APR - 40 * DAY, None, replace(SCHEME, scheme_end=APR - DAY))
    assert compute(daily(), 5000, FACTORS, crediting=ended).periods == []
    later = crediting_period(JUN + 20 * DAY, None, SCHEME)
    assert compute(daily(), 5000, FACTORS, crediting=later).periods == []


def test_without_a_crediting_period_nothing_changes():
    result = compute(daily(), 5000, FACTORS)
    assert spans(result) == [(APR, MAY), (MAY, JUN)]
    assert result.crediting is None and result.to_dict()["crediting_period"] is None
