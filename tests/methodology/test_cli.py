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
            }
        ],
        "credits": [{"fiscal_year": 2025, "reduction_g": 400000, "credits_t": 0}],
    }


def test_table_output(files: tuple[Path, Path], capsys) -> None:
    readings, factors = files
    args = ["compute", "--readings", str(readings), "--capacity-w", "10000"]
    assert main([*args, "--factors", str(factors)]) == 0
    out = capsys.readouterr().out
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
