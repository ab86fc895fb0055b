"""Hypothesis properties of the period arithmetic (DESIGN section 6)."""

import itertools
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from methodology.compute import compute, compute_periods
from methodology.eligibility import CreditingPeriod, crediting_period
from methodology.errors import EligibilityError
from methodology.factors import FactorRow, FactorTable
from methodology.fastcsv import parse_readings_bytes
from methodology.fiscal import add_years
from methodology.readings import load_readings
from methodology.scheme import load_scheme

# JST month starts 2025-03-01 .. 2025-08-01, hand-converted (see tests/vectors for most of them).
BOUNDARIES = [1740754800, 1743433200, 1746025200, 1748703600, 1751295600, 1753974000]
FACTORS = FactorTable(
    rows={fy: FactorRow(fy, 434_000 + fy, "test", False) for fy in (2024, 2025)}, name="test"
)
HUGE_CAPACITY_W = 10**15  # keeps the capacity checks out of properties about energy
COLUMNS = ["timestamp", "meter", "kind", "cumulative_wh"]
DAY = 86400
SCHEME = load_scheme()
# Any capacity may meter by difference here: the properties are about energy, not the site rules.
ANY_SIZE = replace(SCHEME, difference_metering_max_w=HUGE_CAPACITY_W)
# 2010-01-01 .. 2040-01-01 (JST midnights): around the scheme's years, leap days included.
INSTANTS = st.integers(1262271600, 2208942000)


@st.composite
def sites(
    draw: st.DrawFn, meters: tuple[tuple[str, str], ...] = (("PV", "generation"), ("EX", "export"))
) -> pd.DataFrame:
    """`meters` (a generation and an export meter unless told) with readings at every month
    boundary plus random ones."""
    months = draw(st.integers(1, len(BOUNDARIES) - 1))
    span = BOUNDARIES[: months + 1]
    rows = []
    for meter, kind in meters:
        extra = draw(st.lists(st.integers(span[0], span[-1]), max_size=12))
        times = sorted(set(span) | {t - t % 900 for t in extra})
        register = draw(st.integers(0, 2**40))
        for t in times:
            register += draw(st.integers(0, 10**6))
            rows.append((t, meter, kind, register))
    return pd.DataFrame(rows, columns=COLUMNS)


def energy(frame: pd.DataFrame, meter: str, start: int, end: int) -> int:
    """Reference telescoping rule, written independently: register(<= end) - register(<= start)."""
    rows = frame[frame["meter"] == meter].sort_values("timestamp")
    at = [int(rows[rows["timestamp"] <= t]["cumulative_wh"].iloc[-1]) for t in (start, end)]
    return at[1] - at[0]


@given(sites(), st.randoms(use_true_random=False), st.integers(0, 10))
def test_shuffling_and_identical_duplicates_change_nothing(
    frame: pd.DataFrame, random, duplicates: int
) -> None:
    expected = compute(frame, HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE)
    rows = list(frame.itertuples(index=False))
    rows += [random.choice(rows) for _ in range(duplicates)]
    random.shuffle(rows)
    shuffled = pd.DataFrame(rows, columns=COLUMNS)
    assert compute(shuffled, HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE) == expected


@given(sites(), st.data())
def test_readings_inside_a_period_do_not_change_its_energy(frame: pd.DataFrame, data) -> None:
    expected = compute(frame, HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE)
    added = []
    for meter, rows in frame.groupby("meter"):
        rows = rows.sort_values("timestamp")
        pairs = list(itertools.pairwise(rows.itertuples(index=False)))
        chosen = st.lists(st.integers(0, len(pairs) - 1), unique=True, max_size=5)
        for before, after in (pairs[i] for i in data.draw(chosen)):
            if after.timestamp - before.timestamp < 2:
                continue
            t = data.draw(st.integers(before.timestamp + 1, after.timestamp - 1))
            wh = data.draw(st.integers(before.cumulative_wh, after.cumulative_wh))
            added.append((t, meter, before.kind, wh))
    # Every month boundary already has a reading, so the added ones never become a boundary reading.
    denser = pd.concat([frame, pd.DataFrame(added, columns=COLUMNS)], ignore_index=True)
    denser = denser.drop_duplicates(subset=["timestamp", "meter"])
    assert compute(denser, HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE) == expected


@given(sites())
def test_splitting_into_periods_never_changes_totals(frame: pd.DataFrame) -> None:
    result = compute(frame, HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE)
    first, last = result.periods[0].start, result.periods[-1].end
    for meter, field in (("PV", "generation_wh"), ("EX", "export_wh")):
        total = sum(getattr(p, field) for p in result.periods)
        assert total == energy(frame, meter, first, last)
        for p in result.periods:
            assert getattr(p, field) == energy(frame, meter, p.start, p.end)


@given(sites(), st.data())
def test_merging_data_at_a_boundary_keeps_every_period(frame: pd.DataFrame, data) -> None:
    full = compute(frame, HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE).periods
    cut = data.draw(st.sampled_from([p.end for p in full]))
    head = compute(
        frame[frame["timestamp"] <= cut], HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE
    ).periods
    tail = compute(
        frame[frame["timestamp"] >= cut], HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE
    ).periods
    assert head + tail == full


@st.composite
def crediting_periods(draw: st.DrawFn) -> CreditingPeriod:
    """Dates from before the sites' data to after it; a scheme end that may fall inside it."""
    around = st.integers(BOUNDARIES[0] - 40 * DAY, BOUNDARIES[-1] + 10 * DAY)
    application, monitoring = draw(st.none() | around), draw(around)
    start = max(monitoring, application or monitoring)
    scheme_end = draw(st.integers(start + 1, BOUNDARIES[-1] + 40 * DAY))
    years = draw(st.integers(1, 8))
    scheme = replace(SCHEME, crediting_years=years, scheme_end=scheme_end)
    return crediting_period(application, monitoring, scheme)


# A self-consumption meter alone, with a huge capacity, makes every period valid: the totals below
# are then the meter's energy, not reduced by a period that one cut happened to make invalid.
SELF_CONSUMPTION_SITES = sites((("SC", "self_consumption"),))


@given(
    SELF_CONSUMPTION_SITES,
    crediting_periods(),
    st.lists(st.integers(BOUNDARIES[0], BOUNDARIES[-1])),
)
def test_cutting_the_crediting_periods_again_keeps_the_total_energy(
    frame: pd.DataFrame, crediting: CreditingPeriod, instants: list[int]
) -> None:
    result = compute(frame, HUGE_CAPACITY_W, FACTORS, scheme=ANY_SIZE, crediting=crediting)
    assume(result.periods)
    first, last = result.periods[0].start, result.periods[-1].end
    assert crediting.start <= first and last <= crediting.end
    cuts = {p.start for p in result.periods} | {t for t in instants if first < t < last}
    split = compute_periods(
        frame,
        HUGE_CAPACITY_W,
        FACTORS,
        list(itertools.pairwise(sorted(cuts | {last}))),
        scheme=ANY_SIZE,
    )
    total = sum(p.self_consumed_wh for p in result.periods)
    assert sum(p.self_consumed_wh for p in split.periods) == total
    assert total == energy(frame, "SC", first, last)
    # Each period's reduction is floored: cutting n periods into n + k loses at most k g.
    whole_g = sum(p.reduction_g for p in result.periods)
    split_g = sum(p.reduction_g for p in split.periods)
    assert 0 <= whole_g - split_g <= len(split.periods) - len(result.periods)


@given(st.none() | INSTANTS, st.none() | INSTANTS, st.integers(1, 12), INSTANTS)
def test_crediting_period_stays_within_its_dates_years_and_the_scheme(
    application: int | None, monitoring: int | None, years: int, scheme_end: int
) -> None:
    given_dates = [ts for ts in (application, monitoring) if ts is not None]
    assume(given_dates)
    scheme = replace(SCHEME, crediting_years=years, scheme_end=scheme_end)
    if max(given_dates) >= scheme_end:
        with pytest.raises(EligibilityError, match="starts at or after the end of the scheme"):
            crediting_period(application, monitoring, scheme)
        return
    period = crediting_period(application, monitoring, scheme)
    assert all(period.start >= ts for ts in given_dates)
    assert period.start in given_dates
    assert period.start < period.end <= scheme_end
    assert period.end <= add_years(period.start, years)
    assert period.end in (scheme_end, add_years(period.start, years))


@given(
    st.lists(
        st.tuples(
            st.integers(BOUNDARIES[0], BOUNDARIES[-1]),
            st.sampled_from(["PV", "EX-1", "self meter 3", "インバータ1"]),
            st.integers(0, 2**64 - 1),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
        unique_by=lambda row: (row[0], row[1]),
    )
)
def test_fast_csv_path_equals_general_path(tmp_path_factory, rows) -> None:
    kinds = {"PV": "generation", "EX-1": "export", "self meter 3": "self_consumption"}
    # Registers rise with time per meter so the file is valid.
    rows = sorted(rows)
    per_meter: dict[str, list[int]] = {}
    for _, meter, wh, _ in rows:
        per_meter.setdefault(meter, []).append(wh)
    rising = {meter: iter(sorted(values)) for meter, values in per_meter.items()}
    lines = []
    for t, meter, _, zulu in rows:
        moment = pd.Timestamp(t, unit="s", tz="UTC")
        stamp = (
            moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            if zulu
            else (moment.tz_convert("Asia/Tokyo").isoformat())
        )
        lines.append(f"{stamp},{meter},{kinds.get(meter, 'generation')},{next(rising[meter])}")
    folder = Path(tmp_path_factory.mktemp("csv"))
    plain, crlf = folder / "plain.csv", folder / "crlf.csv"
    text = "timestamp,meter,kind,cumulative_wh\n" + "\n".join(lines) + "\n"
    plain.write_text(text, encoding="utf-8")
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    assert parse_readings_bytes(plain.read_bytes()) is not None  # the fast path is exercised
    assert parse_readings_bytes(crlf.read_bytes()) is None
    fast, general = load_readings(plain), load_readings(crlf)
    pd.testing.assert_frame_equal(fast, general)
    assert sorted(fast["timestamp"].tolist()) == sorted(t for t, *_ in rows)
