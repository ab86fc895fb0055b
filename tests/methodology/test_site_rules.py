"""Site rules off chain: the difference-metering threshold from the scheme table, auxiliary
consumption and batteries, through `compute` and the CLI (the shared vectors in
tests/vectors/site_vectors.json pin the numbers the contracts agree on)."""

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from methodology.__main__ import main
from methodology.compute import check_site, compute
from methodology.errors import ReadingsError
from methodology.factors import FactorRow, FactorTable
from methodology.scheme import load_scheme

APR, MAY = 1743433200, 1746025200
TABLE = FactorTable(rows={2025: FactorRow(2025, 500_000, "test", False)}, name="test")
FACTORS = "fiscal_year,factor_g_per_mwh,source,verified\n2025,500000,test,false\n"


def readings(**energy: int) -> pd.DataFrame:
    rows = [
        (ts, kind, kind, wh if ts == MAY else 0) for kind, wh in energy.items() for ts in (APR, MAY)
    ]
    return pd.DataFrame(rows, columns=["timestamp", "meter", "kind", "cumulative_wh"])


def test_difference_metering_above_the_threshold__names_capacity_and_threshold():
    with pytest.raises(ReadingsError) as info:
        compute(readings(generation=1_000_000, export=200_000), 49_500, TABLE)
    message = str(info.value)
    assert "difference metering > 10 kW" in message
    assert "49500 W" in message and "10000 W" in message and "self-consumption meter" in message


def test_difference_metering__threshold_comes_from_the_scheme_table():
    larger = replace(load_scheme(), difference_metering_max_w=50_000)
    [period] = compute(
        readings(generation=1_000_000, export=200_000), 49_500, TABLE, scheme=larger
    ).periods
    assert period.self_consumed_wh == 800_000


def test_self_consumption_meter__any_capacity_with_export_beside_it():
    site = readings(generation=1_000_000, export=200_000, self_consumption=700_000)
    [period] = compute(site, 49_500, TABLE).periods
    assert (period.self_consumed_wh, period.export_wh, period.valid) == (700_000, 200_000, True)


def test_auxiliary__subtracted_and_shown():
    [period] = compute(
        readings(generation=1_000_000, export=200_000, auxiliary=5_000), 10_000, TABLE
    ).periods
    assert (period.self_consumed_wh, period.auxiliary_wh) == (795_000, 5_000)


def test_battery_meters_left_out_of_a_battery_site__refused():
    with pytest.raises(ReadingsError, match="battery not metered"):
        compute(readings(generation=1_000_000, export=200_000), 10_000, TABLE, battery=True)


@pytest.mark.parametrize(
    ("kinds", "battery", "error"),
    [
        ({"generation"}, False, "needs a generation and an export meter"),
        ({"generation", "export", "battery_charge"}, False, "without a declared battery"),
        ({"self_consumption", "battery_charge", "battery_discharge"}, True, "beside a self"),
        ({"generation", "export", "battery_discharge"}, True, "battery not metered"),
    ],
)
def test_check_site__refuses_what_the_registry_refuses(kinds, battery, error):
    with pytest.raises(ReadingsError, match=error):
        check_site(kinds, 10_000, battery)


def test_cli__battery_flag_json_and_table_show_the_subtracted_energy(tmp_path: Path, capsys):
    body = "timestamp,meter,kind,cumulative_wh\n" + "".join(
        f"{day}T00:00:00+09:00,{kind.upper()},{kind},{wh if day.endswith('05-01') else 0}\n"
        for kind, wh in (
            ("generation", 1_000_000),
            ("export", 200_000),
            ("battery_charge", 60_000),
            ("battery_discharge", 50_000),
            ("auxiliary", 4_000),
        )
        for day in ("2025-04-01", "2025-05-01")
    )
    (tmp_path / "r.csv").write_text(body)
    (tmp_path / "f.csv").write_text(FACTORS)
    args = ["compute", "--readings", str(tmp_path / "r.csv"), "--capacity-w", "10000"]
    args += ["--factors", str(tmp_path / "f.csv")]
    assert main(args) == 2
    assert "without a declared battery" in capsys.readouterr().err
    assert main([*args, "--battery", "--json"]) == 0
    [period] = json.loads(capsys.readouterr().out)["periods"]
    assert period["self_consumed_wh"] == 1_000_000 - 200_000 - 10_000 - 4_000
    assert (period["battery_charge_wh"], period["battery_discharge_wh"]) == (60_000, 50_000)
    assert main([*args, "--battery"]) == 0
    table = capsys.readouterr().out
    assert "auxiliary Wh" in table and "batt. in Wh" in table and "786000" in table


def test_cli__above_10_kw_by_difference_exits_2(tmp_path: Path, capsys):
    body = "timestamp,meter,kind,cumulative_wh\n" + "".join(
        f"{day}T00:00:00+09:00,{kind.upper()},{kind},{wh}\n"
        for kind, wh in (("generation", 0), ("export", 0))
        for day in ("2025-04-01", "2025-05-01")
    )
    (tmp_path / "r.csv").write_text(body)
    args = ["compute", "--readings", str(tmp_path / "r.csv"), "--capacity-w", "10001"]
    assert main(args) == 2
    assert "difference metering > 10 kW" in capsys.readouterr().err
