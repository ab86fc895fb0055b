"""The Python methodology reproduces every shared site-rule vector (site_vectors.json): the
difference-metering threshold, auxiliary consumption and batteries. The contract tests feed the
same file through Registry / MonitoringReports (test_contract_site_vectors.py)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from methodology.compute import compute
from methodology.errors import ReadingsError
from methodology.factors import FactorRow, FactorTable
from methodology.scheme import load_scheme

SITE = json.loads((Path(__file__).parent / "site_vectors.json").read_text())
VECTORS = SITE["vectors"]


def _readings(vector: dict) -> pd.DataFrame:
    rows = [
        (timestamp, kind.upper(), kind, registers[i])
        for kind, registers in vector["meters"].items()
        for i, timestamp in enumerate((vector["period_start"], vector["period_end"]))
    ]
    return pd.DataFrame(rows, columns=["timestamp", "meter", "kind", "cumulative_wh"])


def _compute(vector: dict):
    row = FactorRow(vector["fiscal_year"], vector["factor_g_per_mwh"], "test vector", False)
    table = FactorTable(rows={vector["fiscal_year"]: row}, name="vector table")
    return compute(_readings(vector), vector["capacity_w"], table, battery=vector["battery"])


def test_site_vectors__threshold_is_the_scheme_tables_and_cover_every_rule():
    assert SITE["scheme"]["difference_metering_max_w"] == load_scheme().difference_metering_max_w
    problems = {v["expected"].get("problem") for v in VECTORS}
    errors = {v["expected"].get("error") for v in VECTORS}
    assert {"auxiliary > self-consumed", "battery charge > self-consumed"} <= problems
    assert {"difference metering > 10 kW", "battery not metered"} <= errors


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_compute_reproduces_site_vector(vector: dict) -> None:
    expected = vector["expected"]
    if "error" in expected:
        with pytest.raises(ReadingsError, match=f": {expected['error']}"):
            _compute(vector)
        return
    [period] = _compute(vector).periods
    assert (period.self_consumed_wh, period.reduction_g) == (
        expected["self_consumed_wh"],
        expected["reduction_g"],
    )
    assert period.valid == expected["valid"]
    if expected["problem"] is None:
        assert period.problems == []
    else:
        assert period.problems[0].startswith(expected["problem"] + ":")


def test_battery_meters_without_a_declared_battery__refused() -> None:
    (vector,) = [v for v in VECTORS if v["name"] == "battery_net_charge_not_credited"]
    with pytest.raises(ReadingsError, match="without a declared battery"):
        _compute({**vector, "battery": False})
