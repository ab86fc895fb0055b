"""The Python methodology reproduces every shared, hand-computed report vector exactly.

The contract tests feed the same file through Registry.submit_report, so the two implementations
cannot drift apart.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from methodology.compute import compute, period_problems, reduction_g
from methodology.factors import FactorRow, FactorTable

VECTORS = json.loads((Path(__file__).parent / "report_vectors.json").read_text())["vectors"]


def _table(vector: dict) -> FactorTable:
    row = FactorRow(vector["fiscal_year"], vector["factor_g_per_mwh"], "test vector", False)
    return FactorTable(rows={vector["fiscal_year"]: row}, name="vector table")


def _readings(vector: dict) -> pd.DataFrame:
    rows = [
        (vector["period_start"], "PV", "generation", vector["generation_start_wh"]),
        (vector["period_end"], "PV", "generation", vector["generation_end_wh"]),
        (vector["period_start"], "EX", "export", vector["export_start_wh"]),
        (vector["period_end"], "EX", "export", vector["export_end_wh"]),
    ]
    return pd.DataFrame(rows, columns=["timestamp", "meter", "kind", "cumulative_wh"])


def test_vectors_cover_the_required_cases() -> None:
    names = {v["name"] for v in VECTORS}
    problems = {v["expected"]["problem"] for v in VECTORS}
    assert len(names) == len(VECTORS) >= 10
    assert problems == {None, "export > generation", "generation > capacity"}
    assert len({v["fiscal_year"] for v in VECTORS}) >= 4
    assert max(v["generation_end_wh"] for v in VECTORS) == 2**64 - 1


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_period_rules_reproduce_vector(vector: dict) -> None:
    generation = vector["generation_end_wh"] - vector["generation_start_wh"]
    export = vector["export_end_wh"] - vector["export_start_wh"]
    problems = period_problems(
        vector["capacity_w"], vector["period_start"], vector["period_end"], generation, export
    )
    expected = vector["expected"]
    assert (not problems) == expected["valid"]
    if expected["problem"] is None:
        assert problems == []
        self_consumed = generation - export
        assert self_consumed == expected["self_consumed_wh"]
        assert reduction_g(self_consumed, vector["factor_g_per_mwh"]) == expected["reduction_g"]
    else:
        assert problems[0].startswith(expected["problem"] + ":")


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_compute_reproduces_vector(vector: dict) -> None:
    result = compute(_readings(vector), vector["capacity_w"], _table(vector))
    expected = vector["expected"]
    [period] = result.periods
    assert (period.start, period.end) == (vector["period_start"], vector["period_end"])
    assert period.fiscal_year == vector["fiscal_year"]
    assert period.self_consumed_wh == expected["self_consumed_wh"]
    assert period.reduction_g == expected["reduction_g"]
    assert period.valid == expected["valid"]
    if expected["problem"] is None:
        assert period.problems == []
    else:
        assert period.problems[0].startswith(expected["problem"] + ":")
