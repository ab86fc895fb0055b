"""The CSV adapter's shortcuts (no reordering when serials sort like addresses, one meter lookup
per distinct name) against plain references."""

import json

import numpy as np
import pandas as pd
import pytest

from jcredit.eip712 import Batch
from oracles.adapters.csv import attach_meters, read_signatures, write_signatures
from oracles.errors import DataError
from oracles.site import load_site

LOW, HIGH = "0x" + "11" * 20, "0x" + "22" * 20


def _site(tmp_path, generation_address, export_address):
    path = tmp_path / "site.json"
    path.write_text(
        json.dumps(
            {
                "project_id": 1,
                "capacity_w": 5000,
                "meters": [
                    {"serial": "PV-1", "address": generation_address, "kind": "generation"},
                    {"serial": "EX-1", "address": export_address, "kind": "export"},
                ],
                "source": {"type": "csv", "readings": "r.csv", "signatures": "s.csv"},
            }
        )
    )
    return load_site(path)


def _loaded(names, kinds, timestamps, registers):
    """What methodology's load_readings returns: sorted by (meter, timestamp), categoricals."""
    frame = pd.DataFrame(
        {"timestamp": timestamps, "meter": names, "kind": kinds, "cumulative_wh": registers}
    ).sort_values(["meter", "timestamp"], kind="stable", ignore_index=True)
    frame["meter"] = frame["meter"].astype("category")
    frame["kind"] = frame["kind"].astype("category")
    frame["cumulative_wh"] = frame["cumulative_wh"].astype(np.uint64)
    return frame


def _reference(frame, site):
    out = pd.DataFrame(
        {
            "timestamp": frame["timestamp"].to_numpy(np.int64),
            "meter": [site.meter(str(m)).address for m in frame["meter"]],
            "kind": [str(k) for k in frame["kind"]],
            "cumulative_wh": frame["cumulative_wh"].to_numpy(np.int64),
        }
    )
    return out.sort_values(["meter", "timestamp"], kind="stable", ignore_index=True)


@pytest.mark.parametrize(
    ("generation", "export"),
    [(LOW, HIGH), (HIGH, LOW)],
    ids=["serials-sort-unlike-addresses", "serials-sort-like-addresses"],
)
def test_attach_meters_equals_the_plain_reference(tmp_path, generation, export):
    site = _site(tmp_path, generation, export)
    n = 6
    frame = _loaded(
        ["PV-1"] * n + ["EX-1"] * n,
        ["generation"] * n + ["export"] * n,
        list(range(1800, 1800 * (n + 1), 1800)) * 2,
        list(range(100, 100 + n)) + list(range(7, 7 + n)),
    )
    out = attach_meters(frame, site, "r.csv")
    pd.testing.assert_frame_equal(out, _reference(frame, site))
    # Hand-written: the meter whose address sorts first comes first, its rows in time order.
    assert out["meter"].tolist() == [LOW] * n + [HIGH] * n
    first_kind = "generation" if generation == LOW else "export"
    assert out["kind"].iloc[0] == first_kind
    assert out["timestamp"].tolist()[:2] == [1800, 3600]


def test_one_meter_named_by_serial_and_by_address_is_merged_in_time_order(tmp_path):
    site = _site(tmp_path, LOW, HIGH)
    frame = _loaded(
        ["PV-1", LOW, "PV-1", "EX-1"],
        ["generation"] * 3 + ["export"],
        [1800, 3600, 5400, 1800],
        [10, 20, 30, 5],
    )
    out = attach_meters(frame, site, "r.csv")
    assert out["meter"].tolist() == [LOW, LOW, LOW, HIGH]
    assert out["timestamp"].tolist() == [1800, 3600, 5400, 1800]
    assert out["cumulative_wh"].tolist() == [10, 20, 30, 5]


def test_signatures_by_serial_and_address_then_an_unknown_meter(tmp_path):
    site = _site(tmp_path, LOW, HIGH)
    path = tmp_path / "s.csv"
    batch = Batch("PV-1", 1, 2, 3, bytes(32), bytes(65))
    write_signatures(path, [batch, Batch(**{**batch.__dict__, "meter": LOW.upper()})])
    batches = read_signatures(path, site)
    assert [b.meter for b in batches[LOW]] == [LOW, LOW]
    assert batches[HIGH] == []
    write_signatures(path, [batch, batch, Batch(**{**batch.__dict__, "meter": "PV-9"})])
    with pytest.raises(DataError, match=r"s\.csv line 4: meter 'PV-9' is not in"):
        read_signatures(path, site)
