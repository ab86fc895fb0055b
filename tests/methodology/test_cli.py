"""The offline CLI: table, JSON and errors (exit code 2, message on stderr)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from methodology.__main__ import main

READINGS = """timestamp,meter,kind,cumulative_wh
2025-04-01T00:00:00+09:00,PV,generation,0
2025-05-01T00:00:00+09:00,PV,generation,1000000
2025-04-01T00:00:00+09:00,EX,export,0
2025-05-01T00:00:00+09:00,EX,export,200000
"""
CLI = [sys.executable, "-m", "methodology", "compute"]
FACTORS = "fiscal_year,factor_g_per_mwh,source,verified\n2025,500000,test,false\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    readings, factors = tmp_path / "r.csv", tmp_path / "f.csv"
    readings.write_text(READINGS)
    factors.write_text(FACTORS)
    return readings, factors


def test_json_output_is_one_object(files: tuple[Path, Path], capsys) -> None:
    readings, factors = files
    args = ["compute", "--readings", str(readings), "--capacity-w", "10000"]
    assert main([*args, "--factors", str(factors), "--json"]) == 0
    # 800000 Wh x 0.5 g/Wh = 400000 g.
    assert json.loads(capsys.readouterr().out) == {
        "periods": [
            {
                "start": "2025-04-01T00:00:00+09:00",
                "end": "2025-05-01T00:00:00+09:00",
                "fiscal_year": 2025,
                "generation_wh": 1000000,
                "export_wh": 200000,
                "self_consumed_wh": 800000,
                "reduction_g": 400000,
                "valid": True,
                "problems": [],
                "auxiliary_wh": 0,
                "battery_charge_wh": 0,
                "battery_discharge_wh": 0,
            }
        ],
        "credits": [{"fiscal_year": 2025, "reduction_g": 400000, "credits_t": 0}],
        "crediting_period": None,
    }


def test_table_output(files: tuple[Path, Path], capsys) -> None:
    readings, factors = files
    args = ["compute", "--readings", str(readings), "--capacity-w", "10000"]
    assert main([*args, "--factors", str(factors)]) == 0
    out = capsys.readouterr().out
    assert "crediting period" not in out
    assert "2025-04-01T00:00:00+09:00 2025-05-01T00:00:00+09:00 2025" in out
    assert "800000" in out and "400000" in out and " ok" in out


def test_error_goes_to_stderr_with_exit_code_2(tmp_path: Path) -> None:
    readings = tmp_path / "bad.csv"
    readings.write_text(READINGS + "2025-05-02T00:00:00+09:00,PV,generation,5\n")
    done = subprocess.run(
        [*CLI, "--readings", str(readings), "--capacity-w", "10000", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(
        f"error: {readings} line 6: meter PV: register goes backwards at "
    )
    assert "2025-05-02T00:00:00+09:00" in done.stderr


def test_missing_factor_year_exits_2(files: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    readings, _ = files
    other = tmp_path / "f2024.csv"
    other.write_text("fiscal_year,factor_g_per_mwh,source,verified\n2024,500000,test,false\n")
    args = ["compute", "--readings", str(readings), "--capacity-w", "1", "--factors", str(other)]
    assert main(args) == 2
    assert "no emission factor for fiscal year 2025" in capsys.readouterr().err


# Readings at 04-01, 04-10, 04-20, 05-01 and 06-01: PV +100,000 Wh and EX +10,000 Wh per day.
DAYS = {"04-01": 0, "04-10": 9, "04-20": 19, "05-01": 30, "06-01": 61}
CUT_READINGS = "timestamp,meter,kind,cumulative_wh\n" + "".join(
    f"2025-{day}T00:00:00+09:00,{meter},{kind},{per_day * n}\n"
    for meter, kind, per_day in (("PV", "generation", 100_000), ("EX", "export", 10_000))
    for day, n in DAYS.items()
)
SCHEME_HEADER = "name,value,unit,source,verified\n"


def cut_run(tmp_path: Path, *extra: str) -> list[str]:
    readings, factors = tmp_path / "cut.csv", tmp_path / "f.csv"
    readings.write_text(CUT_READINGS)
    factors.write_text(FACTORS)
    return [
        "compute",
        "--readings",
        str(readings),
        "--capacity-w",
        "10000",
        "--factors",
        str(factors),
        *extra,
    ]


def test_application_date_cuts_the_first_period_json(tmp_path: Path, capsys) -> None:
    args = cut_run(tmp_path, "--application-date", "2025-04-10", "--monitoring-date", "2025-03-01")
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["crediting_period"] == {
        "start": "2025-04-10T00:00:00+09:00",
        "end": "2031-04-01T00:00:00+09:00",
        "application_date": "2025-04-10T00:00:00+09:00",
        "monitoring_date": "2025-03-01T00:00:00+09:00",
        "crediting_years": 8,
        "scheme_end": "2031-04-01T00:00:00+09:00",
        "scheme_parameters_verified": False,
    }
    spans = [(p["start"][:10], p["end"][:10]) for p in data["periods"]]
    assert spans == [("2025-04-10", "2025-05-01"), ("2025-05-01", "2025-06-01")]
    # 21 days x 90,000 Wh = 1,890,000 Wh x 0.5 g/Wh = 945,000 g.
    assert data["periods"][0]["self_consumed_wh"] == 1_890_000
    assert data["periods"][0]["reduction_g"] == 945_000


def test_scheme_end_cuts_the_last_period_and_table_says_so(tmp_path: Path, capsys) -> None:
    scheme = tmp_path / "s.csv"
    scheme.write_text(
        SCHEME_HEADER + "crediting_years,8,years,rule,true\n"
        "scheme_end,2025-04-20,date (exclusive; JST midnight),rule,true\n"
        "difference_metering_max_w,10000,W,rule,true\n"
    )
    args = cut_run(tmp_path, "--monitoring-date", "2025-04-10", "--scheme", str(scheme))
    assert main(args) == 0
    out = capsys.readouterr().out
    first_line = out.splitlines()[0]
    assert first_line == (
        "crediting period 2025-04-10T00:00:00+09:00 .. 2025-04-20T00:00:00+09:00 (from monitoring "
        "2025-04-10T00:00:00+09:00; at most 8 years, scheme end 2025-04-20T00:00:00+09:00)"
    )
    # One period, 04-10 .. 04-20: 10 days x 90,000 Wh = 900,000 Wh, 450,000 g.
    assert "2025-04-10T00:00:00+09:00 2025-04-20T00:00:00+09:00 2025" in out
    assert "900000" in out and "450000" in out and "2025-05-01T00:00:00+09:00" not in out


def test_table_flags_unverified_scheme_parameters(tmp_path: Path, capsys) -> None:
    assert main(cut_run(tmp_path, "--application-date", "2025-04-10")) == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.startswith("crediting period 2025-04-10T00:00:00+09:00 .. 2031-04-01")
    assert first_line.endswith(
        "; scheme parameters crediting_years, scheme_end, difference_metering_max_w are "
        "unverified placeholders"
    )


@pytest.mark.parametrize("option", ["--application-date", "--monitoring-date"])
def test_bad_date_names_the_option_and_exits_2(tmp_path: Path, option: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "methodology", *cut_run(tmp_path, option, "2025-04-31")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert f"argument {option}: '2025-04-31' is not a date (YYYY-MM-DD)" in done.stderr


def test_start_at_the_scheme_end_exits_2(tmp_path: Path, capsys) -> None:
    assert main(cut_run(tmp_path, "--application-date", "2031-04-01")) == 2
    assert "starts at or after the end of the scheme" in capsys.readouterr().err


def test_bad_scheme_table_exits_2(tmp_path: Path, capsys) -> None:
    scheme = tmp_path / "s.csv"
    scheme.write_text(SCHEME_HEADER + "crediting_years,8,years,rule,true\n")
    assert main(cut_run(tmp_path, "--application-date", "2025-04-10", "--scheme", str(scheme))) == 2
    assert f"error: {scheme}: missing parameter(s) scheme_end" in capsys.readouterr().err
