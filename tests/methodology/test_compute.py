"""compute(): periods, telescoping energy, validity, factors and credits, all hand-computed."""

from pathlib import Path

import pandas as pd
import pytest

from methodology.compute import compute
from methodology.errors import FactorError, ReadingsError
from methodology.factors import FactorRow, FactorTable
from methodology.readings import load_readings

HEADER = "timestamp,meter,kind,cumulative_wh\n"


def table(**factors: int) -> FactorTable:
    rows = {int(fy[2:]): FactorRow(int(fy[2:]), f, "test", False) for fy, f in factors.items()}
    return FactorTable(rows=rows, name="test table")


def run(tmp_path: Path, body: str, capacity_w: int, factors: FactorTable):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + body)
    return compute(load_readings(path), capacity_w, factors, str(path))


def test_partial_first_period_gaps_and_month_in_progress(tmp_path: Path) -> None:
    # PV reads every few days, EX hourly-ish, both with gaps. Every meter has a reading from
    # 2025-03-20T12:00 (EX's first), so the first period is [03-20 12:00, 04-01 00:00) in FY2024.
    # Data of every meter covers 2025-05-01T00:30 (PV's last), so May is still in progress.
    body = """\
2025-03-20T10:00:00+09:00,PV,generation,1000
2025-03-20T12:00:00+09:00,PV,generation,1500
2025-03-25T12:00:00+09:00,PV,generation,9500
2025-04-01T00:00:00+09:00,PV,generation,20000
2025-04-10T00:00:00+09:00,PV,generation,60000
2025-05-01T00:30:00+09:00,PV,generation,130000
2025-03-20T12:00:00+09:00,EX,export,100
2025-03-31T23:00:00+09:00,EX,export,2100
2025-04-20T00:00:00+09:00,EX,export,12100
2025-05-01T00:00:00+09:00,EX,export,20100
2025-05-15T00:00:00+09:00,EX,export,25100
"""
    result = run(tmp_path, body, 2000, table(fy2024=500_000, fy2025=400_000))
    first, second = result.periods
    # gen 20000 - 1500 = 18500; export 2100 - 100 = 2000; self 16500 x 0.5 g/Wh = 8250 g.
    assert first.to_dict() == {
        "start": "2025-03-20T12:00:00+09:00",
        "end": "2025-04-01T00:00:00+09:00",
        "fiscal_year": 2024,
        "generation_wh": 18500,
        "export_wh": 2000,
        "self_consumed_wh": 16500,
        "reduction_g": 8250,
        "valid": True,
        "problems": [],
        "auxiliary_wh": 0,
        "battery_charge_wh": 0,
        "battery_discharge_wh": 0,
    }
    # PV at 05-01 00:00 is its 04-10 reading (60000); gen 40000; export 20100 - 2100 = 18000;
    # self 22000 x 0.4 g/Wh = 8800 g.
    assert (second.fiscal_year, second.generation_wh, second.export_wh) == (2025, 40000, 18000)
    assert (second.self_consumed_wh, second.reduction_g, second.valid) == (22000, 8800, True)
    assert [c.to_dict() for c in result.credits] == [
        {"fiscal_year": 2024, "reduction_g": 8250, "credits_t": 0},
        {"fiscal_year": 2025, "reduction_g": 8800, "credits_t": 0},
    ]


MONTHLY = """\
2025-04-01T00:00:00+09:00,PV,generation,0
2025-05-01T00:00:00+09:00,PV,generation,1000000
2025-06-01T00:00:00+09:00,PV,generation,1500000
2025-07-01T00:00:00+09:00,PV,generation,3500000
2025-04-01T00:00:00+09:00,EX,export,0
2025-05-01T00:00:00+09:00,EX,export,200000
2025-06-01T00:00:00+09:00,EX,export,800000
2025-07-01T00:00:00+09:00,EX,export,1000000
"""


def test_export_above_generation_invalidates_only_its_period(tmp_path: Path) -> None:
    result = run(tmp_path, MONTHLY, 10_000, table(fy2025=434_000))
    april, may, june = result.periods
    # April: 800000 Wh x 0.434 = 347200 g. June: 1800000 Wh x 0.434 = 781200 g.
    assert (april.self_consumed_wh, april.reduction_g, april.valid) == (800000, 347200, True)
    assert (may.generation_wh, may.export_wh) == (500000, 600000)
    assert (may.self_consumed_wh, may.reduction_g, may.valid) == (0, 0, False)
    assert may.problems == ["export > generation: export 600000 Wh > generation 500000 Wh"]
    assert (june.self_consumed_wh, june.reduction_g, june.valid) == (1800000, 781200, True)
    # 347200 + 781200 = 1128400 g -> 1 whole t-CO2, truncated once per fiscal year.
    assert [c.to_dict() for c in result.credits] == [
        {"fiscal_year": 2025, "reduction_g": 1128400, "credits_t": 1}
    ]


def test_period_generation_above_capacity_times_hours(tmp_path: Path) -> None:
    # June 2025 has 720 h; 2500 W x 720 h = 1800000 Wh < June's 2000000 Wh. April's 1000000 Wh
    # is under 2500 W x 720 h (May is invalid for its export). June's only interval is the whole
    # month, so the interval check reports it too.
    result = run(tmp_path, MONTHLY, 2500, table(fy2025=434_000))
    assert [p.valid for p in result.periods] == [True, False, False]
    assert result.periods[2].problems == [
        "generation > capacity: 2000000 Wh in 2592000 s exceeds 2500 W x 720 h",
        "generation > capacity: meter PV interval 2025-06-01T00:00:00+09:00.."
        "2025-07-01T00:00:00+09:00: 2000000 Wh exceeds 2500 W x 720 h",
    ]
    assert result.credits[0].reduction_g == 347200


def interval_body(peak_wh: int) -> str:
    return f"""\
2025-04-01T00:00:00+09:00,PV,generation,0
2025-04-10T12:00:00+09:00,PV,generation,100
2025-04-10T12:30:00+09:00,PV,generation,{100 + peak_wh}
2025-05-01T00:00:00+09:00,PV,generation,{200 + peak_wh}
2025-04-01T00:00:00+09:00,EX,export,0
2025-05-01T00:00:00+09:00,EX,export,0
"""


def test_one_interval_above_capacity_invalidates_the_period(tmp_path: Path) -> None:
    # 1000 W x 0.5 h = 500 Wh; 501 Wh in that half hour is physically impossible.
    result = run(tmp_path, interval_body(501), 1000, table(fy2025=434_000))
    [april] = result.periods
    assert april.generation_wh == 701
    assert not april.valid
    assert april.problems == [
        "generation > capacity: meter PV interval 2025-04-10T12:00:00+09:00.."
        "2025-04-10T12:30:00+09:00: 501 Wh exceeds 1000 W x 0.5 h"
    ]


def test_many_intervals_above_capacity_are_summarised(tmp_path: Path) -> None:
    # 501 Wh and then 600 Wh in half an hour at 1000 W: two impossible intervals, one message.
    body = """\
2025-04-01T00:00:00+09:00,PV,generation,0
2025-04-10T12:00:00+09:00,PV,generation,100
2025-04-10T12:30:00+09:00,PV,generation,601
2025-04-20T00:00:00+09:00,PV,generation,1000
2025-04-20T00:30:00+09:00,PV,generation,1600
2025-05-01T00:00:00+09:00,PV,generation,1700
2025-04-01T00:00:00+09:00,EX,export,0
2025-05-01T00:00:00+09:00,EX,export,0
"""
    [april] = run(tmp_path, body, 1000, table(fy2025=434_000)).periods
    assert april.problems == [
        "generation > capacity: meter PV interval 2025-04-10T12:00:00+09:00.."
        "2025-04-10T12:30:00+09:00: 501 Wh exceeds 1000 W x 0.5 h (and 1 more)"
    ]


def test_interval_exactly_at_capacity_is_valid(tmp_path: Path) -> None:
    result = run(tmp_path, interval_body(500), 1000, table(fy2025=434_000))
    [april] = result.periods
    # 700 Wh x 0.434 = 303.8 -> 303 g.
    assert (april.valid, april.self_consumed_wh, april.reduction_g) == (True, 700, 303)


def test_self_consumption_meter(tmp_path: Path) -> None:
    body = """\
2025-04-01T00:00:00+09:00,SC,self_consumption,0
2025-05-01T00:00:00+09:00,SC,self_consumption,123456
"""
    [april] = run(tmp_path, body, 10_000, table(fy2025=434_000)).periods
    # 123456 x 0.434 = 53579.904 -> 53579 g.
    assert (april.generation_wh, april.export_wh) == (0, 0)
    assert (april.self_consumed_wh, april.reduction_g, april.valid) == (123456, 53579, True)


def test_self_consumption_above_generation_is_invalid(tmp_path: Path) -> None:
    body = """\
2025-04-01T00:00:00+09:00,SC,self_consumption,0
2025-05-01T00:00:00+09:00,SC,self_consumption,5000
2025-04-01T00:00:00+09:00,PV,generation,0
2025-05-01T00:00:00+09:00,PV,generation,4999
"""
    [april] = run(tmp_path, body, 10_000, table(fy2025=434_000)).periods
    assert not april.valid
    assert april.problems == [
        "self-consumption > generation: self-consumption 5000 Wh > generation 4999 Wh"
    ]


def test_several_meters_of_one_kind_are_summed(tmp_path: Path) -> None:
    body = MONTHLY + MONTHLY.replace(",PV,", ",PV2,").replace(",EX,", ",EX2,")
    april = run(tmp_path, body, 10_000, table(fy2025=434_000)).periods[0]
    # Twice April's 800000 Wh: 1600000 Wh x 0.434 = 694400 g.
    assert (april.generation_wh, april.self_consumed_wh, april.reduction_g) == (
        2000000,
        1600000,
        694400,
    )


def test_missing_factor_names_the_fiscal_year(tmp_path: Path) -> None:
    with pytest.raises(FactorError, match="test table: no emission factor for fiscal year 2025"):
        run(tmp_path, MONTHLY, 10_000, table(fy2024=434_000))


def test_site_without_export_meter_is_an_error(tmp_path: Path) -> None:
    body = "\n".join(line for line in MONTHLY.splitlines() if ",PV," in line) + "\n"
    with pytest.raises(ReadingsError, match="needs a generation and an export meter"):
        run(tmp_path, body, 10_000, table(fy2025=434_000))


def test_no_complete_period(tmp_path: Path) -> None:
    body = """\
2025-04-02T00:00:00+09:00,PV,generation,0
2025-04-20T00:00:00+09:00,PV,generation,10
2025-04-02T00:00:00+09:00,EX,export,0
2025-04-20T00:00:00+09:00,EX,export,1
"""
    result = run(tmp_path, body, 10_000, table(fy2025=434_000))
    assert (result.periods, result.credits) == ([], [])


def test_non_positive_capacity_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReadingsError, match="capacity must be a positive number of W, got 0"):
        run(tmp_path, MONTHLY, 0, table(fy2025=434_000))


def test_to_json_has_the_documented_shape(tmp_path: Path) -> None:
    import json

    data = json.loads(run(tmp_path, MONTHLY, 10_000, table(fy2025=434_000)).to_json())
    assert set(data) == {"periods", "credits", "crediting_period"}
    assert data["crediting_period"] is None
    assert set(data["periods"][0]) == {
        "start",
        "end",
        "fiscal_year",
        "generation_wh",
        "export_wh",
        "self_consumed_wh",
        "reduction_g",
        "valid",
        "problems",
        "auxiliary_wh",
        "battery_charge_wh",
        "battery_discharge_wh",
    }
    assert data["periods"][1]["start"] == "2025-05-01T00:00:00+09:00"


def test_meters_with_15_and_60_minute_intervals(tmp_path: Path) -> None:
    april = 1743433200  # 2025-04-01T00:00:00+09:00; April has 720 h
    lines = [f"{april + 900 * i},PV,generation,{100 * i}" for i in range(720 * 4 + 1)]
    lines += [f"{april + 3600 * i},EX,export,{50 * i}" for i in range(720 + 1)]
    frame = pd.DataFrame(
        [line.split(",") for line in lines], columns=["timestamp", "meter", "kind", "cumulative_wh"]
    ).astype({"timestamp": "int64", "cumulative_wh": "int64"})
    [period] = compute(frame, 1000, table(fy2025=434_000)).periods
    # 2880 quarter hours x 100 Wh = 288000; 720 hours x 50 Wh = 36000; 252000 x 0.434 = 109368 g.
    # 100 Wh per 15 minutes is 400 W, under 1000 W.
    assert (period.generation_wh, period.export_wh) == (288000, 36000)
    assert (period.self_consumed_wh, period.reduction_g, period.valid) == (252000, 109368, True)
