"""The period archive: Parquet files named by content, manifest, round trip, tampering found."""

import json
from pathlib import Path

import pytest

from oracles.errors import DataError
from oracles.program.archive import load_archive, previous_report, write_archive
from oracles.program.job import run_period_inline
from tests.oracles.program.conftest import APR_2025, CHAIN_ID, MAY_2025, PROGRAM_ID, REGISTRY


@pytest.fixture(scope="module")
def period(program):
    return run_period_inline(
        program.path,
        program.sim.enrollment,
        PROGRAM_ID,
        APR_2025,
        chain_id=CHAIN_ID,
        registry=REGISTRY,
    )


def test_round_trip(period, tmp_path):
    uri = write_archive(tmp_path, period)
    assert write_archive(tmp_path, period) == uri  # same period, same files
    archived = load_archive(tmp_path, uri)
    assert archived.results == period.results
    assert archived.tree.root == period.tree.root and archived.tree.nodes == period.tree.nodes
    assert archived.enrollment == period.enrollment
    assert archived.refusals == period.refusals
    manifest = archived.manifest
    assert manifest["sum_root"] == "0x" + period.tree.root.hex()
    assert manifest["enrollment_root"] == "0x" + period.enrollment_root.hex()
    assert (manifest["member_count"], manifest["depth"], manifest["total_g"]) == (
        8,
        period.tree.depth,
        period.total_g,
    )
    assert set(manifest["files"]) == {
        "results",
        "boundaries",
        "refusals",
        "readings",
        "batches",
        "enrollment",
        "tree",
    }
    assert manifest["files"]["readings"]["rows"] == period.readings
    previous = previous_report(tmp_path, uri)
    assert previous.period_end == MAY_2025 and previous.ytd_credited_g == period.ytd()


def test_tampered_file_is_detected(period, tmp_path):
    uri = write_archive(tmp_path, period)
    manifest_path = Path(tmp_path) / uri.removeprefix("archive:")
    results = (
        tmp_path
        / str(PROGRAM_ID)
        / json.loads(manifest_path.read_text())["files"]["results"]["file"]
    )
    results.write_bytes(results.read_bytes()[:-1] + b"\x00")
    with pytest.raises(DataError, match="content hash"):
        load_archive(tmp_path, uri)
    manifest_path.write_text(manifest_path.read_text().replace('"depth": ', '"depth": 1'))
    with pytest.raises(DataError, match="content hash"):
        load_archive(tmp_path, uri)
