"""Intake of many households: Parquet and per-household CSV, refusals named per member."""

from oracles.program.intake import CsvSource, ParquetSource, open_source, verify_members
from oracles.program.job import run_period_inline
from tests.oracles.program.conftest import APR_2025, CHAIN_ID, PROGRAM_ID, REGISTRY


def test_tampered_reading_refused_with_the_member_named(program):
    readings, batches = ParquetSource(program.path).read([1, 2])
    data = verify_members(readings, batches, PROGRAM_ID, CHAIN_ID, REGISTRY)
    assert data[1].refusals == []
    refusals = data[2].refusals
    assert refusals and all(r.member_id == 2 for r in refusals)
    assert "readings hash mismatch" in refusals[0].reason
    assert "member 2" in refusals[0].describe()
    period = run_period_inline(
        program.path,
        program.sim.enrollment,
        PROGRAM_ID,
        APR_2025,
        chain_id=CHAIN_ID,
        registry=REGISTRY,
    )
    member = period.results[1]
    assert member.member_id == 2 and not member.valid and member.credited_g == 0
    assert member.reason == 1 and "refused" in period.details[2]
    assert {r.member_id for r in period.refusals} == {2}


def test_csv_households_give_the_same_results(program, tmp_path):
    program.sim.write_csv(tmp_path, members=[1, 2, 5])
    source = open_source(tmp_path)
    assert isinstance(source, CsvSource)
    csv = verify_members(*source.read([1, 2, 5]), PROGRAM_ID, CHAIN_ID, REGISTRY)
    parquet = verify_members(
        *ParquetSource(program.path).read([1, 2, 5]), PROGRAM_ID, CHAIN_ID, REGISTRY
    )
    for member_id in (1, 2, 5):
        assert len(csv[member_id].refusals) == len(parquet[member_id].refusals)
        for meter, data in parquet[member_id].meters.items():
            assert csv[member_id].meters[meter].batches == data.batches
