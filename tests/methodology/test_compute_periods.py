"""compute_periods(): the same rules over given periods (an oracle's period that ends before a
month boundary), and capacity_violations(), the intervals an oracle shows as evidence."""

import numpy as np
import pandas as pd
import pytest

from methodology.compute import capacity_violations, compute, compute_periods
from methodology.errors import ReadingsError
from methodology.factors import FactorRow, FactorTable

FACTORS = FactorTable(rows={2025: FactorRow(2025, 434_000, "test", False)}, name="test table")
APR = 1743433200  # 2025-04-01T00:00+09:00
DAY = 86400
MAY = APR + 30 * DAY


def frame(rows: list[tuple[int, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["timestamp", "meter", "kind", "cumulative_wh"])


def daily(days: int = 31) -> pd.DataFrame:
    """PV +10,000 Wh and EX +1,000 Wh per day from 2025-04-01, readings at JST midnights."""
    rows = []
    for d in range(days):
        rows += [
            (APR + d * DAY, "PV", "generation", 10_000 * d),
            (APR + d * DAY, "EX", "export", 1_000 * d),
        ]
    return frame(rows)


def test_a_period_ending_before_the_month_boundary():
    # [04-01, 04-30): 29 days: generation 290,000 Wh, export 29,000, self 261,000 Wh,
    # 261,000 x 434,000 / 1e6 = 113,274 g.
    (period,) = compute_periods(daily(), 5000, FACTORS, [(APR, MAY - DAY)]).periods
    assert (period.start, period.end) == (APR, MAY - DAY)
    assert (period.generation_wh, period.export_wh, period.self_consumed_wh) == (
        290_000,
        29_000,
        261_000,
    )
    assert period.reduction_g == 113_274 and period.valid


def test_contiguous_periods_sum_to_the_calendar_month():
    split = compute_periods(daily(), 5000, FACTORS, [(APR, APR + 10 * DAY), (APR + 10 * DAY, MAY)])
    (month,) = compute(daily(), 5000, FACTORS).periods
    assert sum(p.self_consumed_wh for p in split.periods) == month.self_consumed_wh
    assert split.credits[0].reduction_g == sum(p.reduction_g for p in split.periods)


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([(APR, APR)], "does not end after it starts"),
        ([(APR, APR + DAY), (APR + 2 * DAY, APR + 3 * DAY)], "periods are not contiguous"),
        ([(APR - DAY, APR + DAY)], "crosses the start of a fiscal year"),
        ([(APR - 2 * DAY, APR - DAY)], "meter EX has no reading at or before the period start"),
    ],
)
def test_bad_periods_are_refused_naming_the_problem(periods, message):
    with pytest.raises(ReadingsError, match=message):
        compute_periods(daily(), 5000, FACTORS, periods)


def test_no_periods_give_an_empty_result():
    assert compute_periods(daily(), 5000, FACTORS, []).periods == []


def test_capacity_counts_the_span_of_the_checked_meters_readings():
    # PV's last reading before 04-10T12:00 is 04-10T00:00: 90,000 Wh over 9 days, not 9.5 days.
    # At 416 W, 9 days hold 89,856 Wh: above capacity; 9.5 days (94,848 Wh) would not be.
    (period,) = compute_periods(daily(), 416, FACTORS, [(APR, APR + 9 * DAY + 12 * 3600)]).periods
    assert not period.valid and period.problems[0].startswith("generation > capacity: 90000 Wh")


def test_capacity_violations_are_the_intervals_above_capacity_x_their_length():
    ts = np.array([0, 1800, 3600, 5400, 7200], dtype=np.int64)
    # 1 kW: 500 Wh per half hour at most. Intervals: 500 (at capacity), 501, 100, 0.
    wh = np.array([0, 500, 1001, 1101, 1101], dtype=np.int64)
    assert capacity_violations(ts, wh, 1000).tolist() == [1]
    assert capacity_violations(ts, wh, 1002).tolist() == []
