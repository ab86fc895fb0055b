"""Site config, signatures file, intake, period report and archive, without a chain."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import requests

from jcredit.eip712 import domain_separator, recover, registration_digest
from jcredit.errors import ChainError
from jcredit.facts import MeterPeriod, Reading, ReportFacts
from jcredit.history import SubmittedReport
from jcredit.merkle import MerkleTree, leaf_hash, verify_proof
from jcredit.tx import Retry, with_retry
from jcredit.types import KIND_SLOTS, MeterKind
from methodology.factors import load_factors
from oracles.adapters.csv import read_readings, read_signatures, write_signatures
from oracles.archive import load_manifest, manifest_batches, resolve
from oracles.boundaries import covers, explain, period_end, timelines
from oracles.errors import DataError, SignatureError
from oracles.intake import check_signatures, describe_refusals, load_source
from oracles.report import build_report, period_readings
from oracles.simulator import Plant, simulate_registers, write_site
from oracles.site import load_site
from oracles.verify import verify_report

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN = 31337
APR = 1743433200  # 2025-04-01T00:00+09:00
MAY = 1746025200
JUN = 1748703600


@pytest.fixture(scope="module")
def sim_site(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("sim"), 1, CHAIN, REGISTRY, APR, JUN, seed=3)


def _intake(config):
    site = load_site(config)
    readings, batches, raw = load_source(site)
    return site, check_signatures(site, readings, batches, CHAIN, REGISTRY, raw)


# -- simulator --------------------------------------------------------------------------------


def test_simulated_registers_are_physical():
    plant = Plant()
    ts, gen, exp = simulate_registers(plant, APR, MAY, seed=5)
    assert len(ts) == 30 * 48 + 1 and (np.diff(ts) == 1800).all()
    assert (np.diff(gen) >= 0).all() and (np.diff(exp) >= 0).all()
    assert ((np.diff(exp)) <= np.diff(gen)).all()  # export never exceeds generation
    # Never above capacity x 0.5 h per interval; nothing at 01:00-03:00 JST.
    assert np.diff(gen).max() <= plant.capacity_w // 2
    hour = ((ts[1:] + 9 * 3600) % 86400) / 3600
    assert np.diff(gen)[(hour > 1) & (hour <= 3)].sum() == 0
    # A Tokyo April: 49.5 kW gives roughly 60-140 kWh per kW of capacity and month.
    kwh_per_kw = (gen[-1] - gen[0]) / 1000 / (plant.capacity_w / 1000)
    assert 60 < kwh_per_kw < 140


# -- site config ------------------------------------------------------------------------------


_GEN = {"serial": "PV-1", "address": "0x" + "11" * 20, "kind": "generation"}
_EXP = {"serial": "EX-1", "address": "0x" + "22" * 20, "kind": "export"}


def _config(tmp_path, **changes):
    config = {
        "project_id": 1,
        "capacity_w": 5000,
        "meters": [
            {"serial": "PV-1", "address": "0x" + "11" * 20, "kind": "generation"},
            {"serial": "EX-1", "address": "0x" + "22" * 20, "kind": "export"},
        ],
        "source": {"type": "csv", "readings": "r.csv", "signatures": "s.csv"},
    }
    config.update(changes)
    path = tmp_path / "site.json"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"project_id": "1"}, "'project_id' must be int"),
        ({"capacity_w": 0}, "must be positive"),
        (
            {"meters": [{"serial": "PV", "address": "0x12", "kind": "generation"}]},
            "is not an address",
        ),
        ({"meters": [{"serial": "PV", "address": "0x" + "11" * 20, "kind": "import"}]}, "'import'"),
        (
            {"meters": [{"serial": "PV", "address": "0x" + "11" * 20, "kind": "generation"}]},
            "generation + export meters or a self_consumption one",
        ),
        ({"source": {"type": "ftp"}}, "source.type must be one of csv, echonet"),
        (
            {"meters": [{**_GEN, "interval_seconds": 30}, _EXP]},
            "interval_seconds must be an integer 60..3600, got 30",
        ),
        (
            {"meters": [{**_GEN, "interval_seconds": "1800"}, _EXP]},
            "interval_seconds must be an integer 60..3600, got '1800'",
        ),
        (
            {"meters": [{**_GEN, "registration_signature": "0x1234"}, _EXP]},
            "registration_signature must be 0x and 65 bytes in hex",
        ),
    ],
)
def test_bad_site_configs_name_the_problem(tmp_path, changes, message):
    path = _config(tmp_path, **changes)
    with pytest.raises(DataError) as info:
        load_site(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_site_config_not_json(tmp_path):
    path = tmp_path / "site.json"
    path.write_text("{nope")
    with pytest.raises(DataError, match="not valid JSON"):
        load_site(path)


def test_meter_interval_defaults_to_half_an_hour_and_signature_is_optional(tmp_path):
    site = load_site(_config(tmp_path))
    assert [m.interval_seconds for m in site.meters] == [1800, 1800]
    assert [m.registration_signature for m in site.meters] == [None, None]
    site = load_site(
        _config(
            tmp_path,
            meters=[
                {**_GEN, "interval_seconds": 900, "registration_signature": "0x" + "ab" * 65},
                _EXP,
            ],
        )
    )
    assert site.meters[0].interval_seconds == 900
    assert site.meters[0].registration_signature == b"\xab" * 65


def test_simulated_meters_sign_their_registration_for_the_owner(tmp_path):
    owner = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    site = load_site(write_site(tmp_path, 4, CHAIN, REGISTRY, APR, APR + 86400, owner=owner))
    separator = domain_separator(CHAIN, REGISTRY)
    for meter in site.meters:
        digest = registration_digest(separator, 4, owner, meter.serial)
        assert recover(digest, meter.registration_signature) == meter.address
        assert meter.interval_seconds == 1800
    # Without an owner there is nothing to sign.
    plain = load_site(write_site(tmp_path / "plain", 4, CHAIN, REGISTRY, APR, APR + 86400))
    assert all(m.registration_signature is None for m in plain.meters)


def test_simulated_glitch_jumps_the_generation_register_once_and_stays_signed(tmp_path):
    # 15 April 12:00 JST: the generation register reads 40,000 Wh more from there on.
    at, extra = APR + 14 * 86400 + 12 * 3600, 40_000
    plant = Plant()
    ts, gen, exp = simulate_registers(plant, APR, MAY, seed=3)
    g_ts, g_gen, g_exp = simulate_registers(plant, APR, MAY, seed=3, glitch=(at, extra))
    assert (g_ts == ts).all() and (g_exp == exp).all()
    assert ((g_gen - gen) == np.where(ts >= at, extra, 0)).all()
    # One interval above capacity x 0.5 h (the one ending at the glitch), the rest unchanged.
    jumped = np.flatnonzero(np.diff(g_gen) > plant.capacity_w // 2)
    assert ts[1:][jumped].tolist() == [at]
    assert (np.delete(np.diff(g_gen) - np.diff(gen), jumped) == 0).all()
    # The month stays far below capacity x month: only the interval shows the fault.
    assert (g_gen[-1] - g_gen[0]) * 3600 < plant.capacity_w * (MAY - APR)

    config = write_site(tmp_path, 1, CHAIN, REGISTRY, APR, MAY, seed=3, glitch=(at, extra))
    site, intake = _intake(config)
    assert intake.refusals == []  # the meter signed its glitched readings: all still valid
    generation = site.of_kind("generation").address
    rows = intake.readings[intake.readings["meter"] == generation]
    assert rows["cumulative_wh"].to_numpy(np.int64).tolist() == g_gen.tolist()
    # The methodology voids April with the glitch's interval as evidence, which the contract can
    # check from the signed batches (the boundaries alone show nothing wrong).
    report = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    assert report.void and report.problems[0].startswith("generation > capacity: meter")
    assert report.violation is not None
    assert (report.violation.first[0], report.violation.second[0]) == (at - 1800, at)
    assert (
        report.violation.second[1] - report.violation.first[1]
        == gen[ts == at][0] - gen[ts == at - 1800][0] + extra
    )


def test_simulated_glitch_of_no_energy_is_refused():
    with pytest.raises(ValueError, match="positive"):
        simulate_registers(Plant(), APR, APR + 86400, glitch=(APR + 3600, 0))


def test_meter_lookup_by_serial_or_address(tmp_path):
    site = load_site(_config(tmp_path))
    assert site.meter("pv-1").kind == "generation"
    assert site.meter("0x" + "22" * 20).serial == "EX-1"
    with pytest.raises(DataError, match="meter 'PV-9' is not configured for project 1"):
        site.meter("PV-9")


# -- readings and signatures files -----------------------------------------------------------


def test_readings_of_unknown_meter_or_wrong_kind(tmp_path):
    site = load_site(_config(tmp_path))
    bad = tmp_path / "r.csv"
    bad.write_text(
        "timestamp,meter,kind,cumulative_wh\n2025-04-01T00:30:00+09:00,PV-9,generation,5\n"
    )
    with pytest.raises(DataError, match=r"r\.csv line 2: meter 'PV-9' is not in site config"):
        read_readings(bad, site)
    bad.write_text("timestamp,meter,kind,cumulative_wh\n2025-04-01T00:30:00+09:00,PV-1,export,5\n")
    with pytest.raises(DataError, match=r"meter 'PV-1' has kind export but .* says generation"):
        read_readings(bad, site)


def test_readings_file_errors_come_from_the_loader_with_the_line(tmp_path):
    site = load_site(_config(tmp_path))
    bad = tmp_path / "r.csv"
    bad.write_text(
        "timestamp,meter,kind,cumulative_wh\n"
        "2025-04-01T00:30:00+09:00,PV-1,generation,5\n"
        "2025-04-01T01:00:00+09:00,PV-1,generation,-3\n"
    )
    with pytest.raises(DataError, match=r"r\.csv line 3: .*negative cumulative_wh"):
        read_readings(bad, site)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("PV-1,1,2,3,0x00", "expected 6 fields"),
        ("PV-9,1,2,3,0x" + "00" * 32 + ",0x" + "00" * 65, "meter 'PV-9' is not in"),
        ("PV-1,x,2,3,0x" + "00" * 32 + ",0x" + "00" * 65, "invalid literal"),
        ("PV-1,1,2,3,0x" + "00" * 31 + ",0x" + "00" * 65, "expected 32 bytes"),
        ("PV-1,1,2,3,0x" + "00" * 32 + ",0x" + "00" * 64, "expected 65 bytes"),
        ("PV-1,5,2,3,0x" + "00" * 32 + ",0x" + "00" * 65, "first_timestamp after last"),
    ],
)
def test_bad_signature_rows_name_file_and_line(tmp_path, row, message):
    site = load_site(_config(tmp_path))
    path = tmp_path / "s.csv"
    path.write_text(
        "meter,first_timestamp,last_timestamp,last_cumulative_wh,readings_hash,signature\n"
        + row
        + "\n"
    )
    with pytest.raises(DataError) as info:
        read_signatures(path, site)
    assert f"{path} line 2" in str(info.value) and message in str(info.value)


def test_signatures_round_trip(sim_site, tmp_path):
    site = load_site(sim_site)
    batches = read_signatures(site.resolve("signatures.csv"), site)
    flat = [b for meter in batches.values() for b in meter]
    write_signatures(tmp_path / "copy.csv", flat)
    again = read_signatures(tmp_path / "copy.csv", site)
    assert again == batches
    # 61 JST days (the day before April 1 holds only the 00:00 baseline), 3 meters (the 49.5 kW
    # plant meters its self-consumption beside generation and export).
    assert [m.kind for m in site.meters] == ["generation", "export", "self_consumption"]
    assert sum(len(v) for v in again.values()) == 3 * 62


# -- intake and report ------------------------------------------------------------------------


def test_refusals_are_listed_for_the_operator(sim_site):
    site = load_site(sim_site)
    readings, batches, raw = load_source(site)
    generation = site.meters[0].address
    batches[generation] = batches[generation][2:]  # the first two days' signatures never arrived
    intake = check_signatures(site, readings, batches, CHAIN, REGISTRY, raw)
    assert len(intake.refusals) == 1 + 48  # the 00:00 baseline and April 1
    text = describe_refusals(intake.refusals, limit=2)
    assert text.splitlines()[0] == "49 reading(s) refused:"
    assert f"{generation} 2025-04-01T00:00:00+09:00: not covered by any signed batch" in text
    assert text.splitlines()[-1] == "  ... and 47 more"


def test_period_readings_keep_each_baseline_and_the_period():
    frame = pd.DataFrame(
        {
            "timestamp": [100, 200, 300, 400, 150, 350],
            "meter": ["0xa", "0xa", "0xa", "0xa", "0xb", "0xb"],
            "kind": ["generation"] * 4 + ["export"] * 2,
            "cumulative_wh": [1, 2, 3, 4, 10, 11],
        }
    )
    got = period_readings(frame, 250, 400)
    # 0xa: baseline 200, then 300, 400. 0xb: baseline 150, then 350.
    assert got["timestamp"].tolist() == [200, 300, 400, 150, 350]


def test_report_of_a_simulated_month_matches_the_registers(sim_site, tmp_path):
    site, intake = _intake(sim_site)
    report = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    ts, gen, exp = simulate_registers(Plant(), APR, JUN, seed=3)
    i, j = 0, int(np.searchsorted(ts, MAY))
    self_wh = int(gen[j] - gen[i] - (exp[j] - exp[i]))
    assert (report.self_consumed_wh, report.reduction_g) == (self_wh, self_wh * 434_000 // 10**6)
    assert not report.void and report.fiscal_year == 2025 and report.violation is None
    # No baselines on chain: each meter's start reading is carried, before its end reading.
    assert report.carried == tuple(m.address for m in site.meters)
    assert [(r.batch.meter, r.timestamp) for r in report.readings] == [
        (m.address, t) for m in site.meters for t in (APR, MAY)
    ]
    for reading in report.readings:
        assert verify_proof(reading.proof, report.merkle_root, leaf_hash(reading.batch))
    # The archive holds exactly the committed readings and is named by its hash.
    path = resolve(tmp_path / "archive", report.data_uri)
    assert len(path.read_text().splitlines()) == 1 + 3 * (1 + 30 * 48)
    manifest = load_manifest(path)
    assert (manifest["period_start"], manifest["period_end"]) == (APR, MAY)
    assert len(manifest["raw"]) == 2
    # One Merkle leaf per signed day batch: per meter, the March 31 batch ending on the 00:00
    # start reading and April's 30, so 2 * 31 leaves, none per reading.
    signed = manifest_batches(manifest)
    assert sorted((b.meter, b.last_timestamp) for b in signed) == sorted(
        (m.address, APR + 86400 * d) for m in site.meters for d in range(31)
    )
    assert report.merkle_root == MerkleTree.from_leaves([leaf_hash(b) for b in signed]).root
    again = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    assert again == report  # rebuilding a period is deterministic (idempotent archive)


def test_report_after_the_first_starts_from_the_chains_baselines(sim_site, tmp_path):
    site, intake = _intake(sim_site)
    april = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    may = build_report(
        site, intake, MAY, JUN, load_factors(), tmp_path / "archive", baselines=april.ends
    )
    assert may.carried == ()
    assert [(r.batch.meter, r.timestamp) for r in may.readings] == [
        (m.address, JUN) for m in site.meters
    ]
    assert may.starts == april.ends
    # A baseline the data does not end on: the data changed after the report that ended there.
    moved = {**april.ends, site.meters[0].address: Reading(MAY - 1800, 5)}
    with pytest.raises(DataError, match="baseline on chain is 5 Wh at 2025-04-30T23:30"):
        build_report(site, intake, MAY, JUN, load_factors(), tmp_path / "archive", baselines=moved)


def test_carried_start_must_end_a_batch_within_one_interval_before_the_start(sim_site, tmp_path):
    site, intake = _intake(sim_site)
    # 2025-04-15T00:15 JST: the last reading at or before it (00:00) ends a batch, in the window.
    quarter_past = APR + 14 * 86400 + 900
    report = build_report(site, intake, quarter_past, MAY, load_factors(), tmp_path / "a")
    assert report.starts[site.meters[0].address].timestamp == quarter_past - 900
    # 2025-04-15T12:00 JST: its reading is inside the day's batch, which goes on after it.
    noon = APR + 14 * 86400 + 12 * 3600
    with pytest.raises(SignatureError, match="inside a signed batch that goes on after"):
        build_report(site, intake, noon, MAY, load_factors(), tmp_path / "a")
    # Not before the crediting start either.
    with pytest.raises(SignatureError, match="is before the crediting start"):
        build_report(site, intake, APR, MAY, load_factors(), tmp_path / "a", not_before=APR + 1)


def _gap(intake, start: int, end: int):
    """Both meters lose their readings in (start, end] (a dead gateway); their batches too."""
    ts = intake.readings["timestamp"]
    intake.readings = intake.readings[(ts <= start) | (ts > end)].reset_index(drop=True)
    intake.batches = {
        meter: [b for b in batches if b.last_timestamp <= start or b.first_timestamp > end]
        for meter, batches in intake.batches.items()
    }
    return intake


def test_gap_over_the_month_boundary_ends_the_period_at_the_last_common_batch_end(
    sim_site, tmp_path
):
    from oracles.submit import Oracle

    site, intake = _intake(sim_site)
    # Both meters lose their readings from 2025-04-30T12:30 to 2025-05-01T00:30.
    intake = _gap(intake, MAY - 12 * 3600, MAY + 1800)
    oracle = Oracle(site, intake, None, None, load_factors(), now=lambda: JUN + 3600)
    april = oracle.next_period(APR, JUN + 10**7)
    assert april == (APR, MAY - 86400)  # 2025-04-30T00:00: the last batch end of both meters
    # No time in (04-30, 05-01] has a boundary reading: the next period runs to June.
    assert oracle.next_period(april[1], JUN + 10**7) == (MAY - 86400, JUN)
    first = build_report(site, intake, *april, load_factors(), tmp_path / "archive")
    second = build_report(
        site, intake, april[1], JUN, load_factors(), tmp_path / "archive", baselines=first.ends
    )
    _, gen, exp = simulate_registers(Plant(), APR, JUN, seed=3)
    total = int(gen[-1] - gen[0] - (exp[-1] - exp[0]))
    # Nothing is lost, nothing counted twice; the long interval over the gap is not void.
    assert first.self_consumed_wh + second.self_consumed_wh == total
    assert not second.void, second.problems


def _committed(report, site_path) -> SubmittedReport:
    """What the chain would log for the report (facts as the contract builds them)."""
    periods = {}
    for meter in report.starts:
        start, end = report.starts[meter], report.ends[meter]
        periods[meter] = MeterPeriod(
            meter,
            start.timestamp,
            start.cumulative_wh,
            meter in report.carried,
            end.timestamp,
            end.cumulative_wh,
        )
    slots = [MeterPeriod.empty()] * KIND_SLOTS
    for meter in load_site(site_path).meters:
        slots[MeterKind.from_name(meter.kind).slot] = periods[meter.address]
    facts = ReportFacts(
        project_id=report.project_id,
        report_id=1,
        period_start=report.period_start,
        period_end=report.period_end,
        fiscal_year=report.fiscal_year,
        void=report.void,
        self_consumed_wh=report.self_consumed_wh,
        reduction_g=report.reduction_g,
        merkle_root=report.merkle_root,
        oracle=REGISTRY,
        challenge_deadline=0,
        meters=tuple(slots),
    )
    return SubmittedReport(facts, 0, 0, report.data_uri, "0x00", 0)


def test_start_batches_are_committed_and_verify(sim_site, tmp_path):
    site, intake = _intake(sim_site)
    archive = tmp_path / "archive"
    report = build_report(site, intake, APR, MAY, load_factors(), archive)
    committed = _committed(report, sim_site)
    assert verify_report(site, committed, archive, load_factors(), CHAIN, REGISTRY) == []
    # A manifest without the batch ending on the start readings: those readings are unsigned and
    # the root differs.
    manifest = load_manifest(resolve(archive, report.data_uri))
    manifest["batches"] = [b for b in manifest["batches"] if b["last_timestamp"] != APR]
    resolve(archive, report.data_uri).with_suffix(".json").write_text(json.dumps(manifest))
    differences = verify_report(site, committed, archive, load_factors(), CHAIN, REGISTRY)
    meters = sorted(f"meter {m.address}" for m in site.meters)
    assert [d.split(":")[0] for d in differences] == [*meters, "merkle root"]


def test_boundary_reading_rule_and_why_not(sim_site):
    site, intake = _intake(sim_site)
    line = timelines(site, intake)[site.meters[0].address]
    assert line.boundary_reading(MAY) == line.last_at_or_before(MAY)
    assert line.boundary_reading(MAY).timestamp == MAY
    # 00:10 still uses 00:00, the end of a batch within the 30-minute interval before it.
    assert line.boundary_reading(MAY + 600).timestamp == MAY
    # 00:40: the last reading, 00:30, is inside the day's batch, which goes on after it.
    assert line.boundary_reading(MAY + 2400) is None
    assert "inside a signed batch that goes on after" in line.why_not(MAY + 2400)
    # A meter whose last signed reading is more than its interval before the boundary.
    short = dataclasses.replace(line, timestamps=line.timestamps[line.timestamps <= MAY - 86400])
    assert short.boundary_reading(MAY) is None
    assert "more than its 1800 s interval before it" in short.why_not(MAY)
    assert "no signed reading at or before" in line.why_not(APR - 1)


def test_period_end_is_the_boundary_or_the_latest_common_batch_end(sim_site):
    site, intake = _intake(sim_site)
    lines = timelines(site, intake)
    assert period_end(lines, APR, MAY) == MAY
    export = site.meters[1].address
    # The export meter's last batch of April (ending 05-01T00:00) is missing.
    lines[export] = dataclasses.replace(
        lines[export],
        batch_by_end={t: b for t, b in lines[export].batch_by_end.items() if t != MAY},
    )
    assert period_end(lines, APR, MAY) == MAY - 86400
    assert "export" not in explain(lines, MAY) and "EX-0001" in explain(lines, MAY)
    # Nothing after the start can end a period: None.
    assert period_end(lines, MAY - 86400, MAY) is None
    assert covers(lines, JUN) and not covers(lines, JUN + 1)


def test_period_never_runs_past_the_fiscal_year_when_no_boundary_reading_exists(sim_site):
    from oracles.submit import Oracle

    site, intake = _intake(sim_site)
    generation = site.meters[0].address
    # The generation meter's signatures after 2025-05-15 never arrived, but its data did.
    intake.batches[generation] = [
        b for b in intake.batches[generation] if b.last_timestamp <= MAY + 14 * 86400
    ]
    oracle = Oracle(site, intake, None, None, load_factors(), now=lambda: JUN + 3600)
    with pytest.raises(
        SignatureError, match="no period from 2025-05-15T00:00:00\\+09:00 can end by"
    ):
        oracle.next_period(MAY + 14 * 86400, JUN)
    assert oracle.closed_count(MAY + 14 * 86400, JUN) == 0


def test_covers_needs_every_meter_past_the_end(sim_site):
    site, intake = _intake(sim_site)
    assert covers(timelines(site, intake), JUN)
    assert not covers(timelines(site, intake), JUN + 1800)
    export = site.meters[1].address
    readings = intake.readings
    intake.readings = readings[(readings["meter"] != export) | (readings["timestamp"] < MAY)]
    assert not covers(timelines(site, intake), MAY)


def test_missing_archive_and_changed_archive(tmp_path):
    with pytest.raises(DataError, match="not found"):
        resolve(tmp_path, "archive:1/" + "ab" * 32 + ".csv")
    with pytest.raises(DataError, match="is not an archive: URI"):
        resolve(tmp_path, "ipfs://x")


# -- RPC retries ------------------------------------------------------------------------------


def test_retry_backs_off_then_succeeds():
    calls, sleeps, logs = [], [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise requests.exceptions.ConnectionError("refused")
        return "ok"

    retry = Retry(attempts=5, first_delay=1.0, factor=2.0, max_delay=30.0)
    assert with_retry("reading", flaky, retry, sleep=sleeps.append, log=logs.append) == "ok"
    assert sleeps == [1.0, 2.0]
    assert logs == [
        "reading: RPC error (ConnectionError), retrying in 1 s",
        "reading: RPC error (ConnectionError), retrying in 2 s",
    ]


def test_retry_gives_up_with_a_clear_message():
    def down():
        raise TimeoutError("timed out")

    retry = Retry(attempts=3, first_delay=1.0, factor=10.0, max_delay=5.0)
    sleeps = []
    with pytest.raises(ChainError, match=r"reading: the node did not answer after 3 attempts"):
        with_retry("reading", down, retry, sleep=sleeps.append, log=lambda line: None)
    assert sleeps == [1.0, 5.0]  # capped at max_delay


def test_non_transient_errors_are_not_retried():
    calls = []

    def broken():
        calls.append(1)
        raise ValueError("bad argument")

    with pytest.raises(ValueError, match="bad argument"):
        with_retry("x", broken, Retry(), sleep=lambda s: None, log=lambda line: None)
    assert calls == [1]


def _hand_site(
    tmp_path,
    meters: dict[str, tuple[str, int]],
    capacity_w: int = 5000,
    spikes: dict[str, tuple[int, int]] | None = None,
):
    """A site whose meters' registers rise by a fixed Wh every 30 minutes through April 2025.

    `meters` maps serial -> (kind, Wh per interval); `spikes` maps serial -> (time, extra Wh):
    the register jumps by the extra Wh in the interval ending then. Every meter signs per-day
    batches.
    """
    from eth_account import Account

    from jcredit.eip712 import sign_batch
    from oracles.signing import day_batches

    ts = APR + 1800 * np.arange(30 * 48 + 1)
    lines, batches, config = ["timestamp,meter,kind,cumulative_wh"], [], []
    for n, (serial, (kind, step)) in enumerate(meters.items()):
        account = Account.from_key((n + 1).to_bytes(32, "big"))  # test-only keys 1, 2, ...
        wh = 1000 + step * np.arange(len(ts))
        if spikes and serial in spikes:
            at, extra = spikes[serial]
            wh[ts >= at] += extra
        iso = pd.to_datetime(ts, unit="s", utc=True).tz_convert("Asia/Tokyo")
        lines += [f"{t.isoformat()},{serial},{kind},{w}" for t, w in zip(iso, wh, strict=True)]
        batches += [
            sign_batch(account, 1, b, CHAIN, REGISTRY) for b in day_batches(account.address, ts, wh)
        ]
        config.append({"serial": serial, "address": account.address, "kind": kind})
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    write_signatures(tmp_path / "s.csv", batches)
    return _config(tmp_path, meters=config, capacity_w=capacity_w)


def test_self_consumption_meter_site(tmp_path):
    site, intake = _intake(_hand_site(tmp_path, {"SC-1": ("self_consumption", 100)}))
    report = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    # 1,440 intervals x 100 Wh = 144,000 Wh; x 434,000 g/MWh / 10**6 = 62,496 g.
    assert (report.self_consumed_wh, report.reduction_g, report.void) == (144_000, 62_496, False)
    # One meter, its start reading carried: two boundary readings.
    assert [r.timestamp for r in report.readings] == [APR, MAY]
    assert report.capped_meter == site.meters[0].address


def test_export_above_generation_gives_a_void_report_the_boundaries_explain(tmp_path):
    config = _hand_site(tmp_path, {"PV-1": ("generation", 10), "EX-1": ("export", 20)})
    site, intake = _intake(config)
    report = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    assert (report.self_consumed_wh, report.reduction_g, report.void) == (0, 0, True)
    assert report.problems and report.problems[0].startswith("export > generation")
    assert report.submission().void is True
    assert report.violation is None  # the contract sees it from the boundary readings


def test_interval_above_capacity_gives_a_void_report_with_its_evidence(tmp_path):
    # 5 kW: 2,500 Wh per 30 minutes at most; the generation meter logs 100 Wh per interval and
    # 3,000 Wh in the interval ending 2025-04-10T12:00 JST. The month is far below capacity.
    spike_end = APR + 9 * 86400 + 12 * 3600
    config = _hand_site(
        tmp_path,
        {"PV-1": ("generation", 100), "EX-1": ("export", 10)},
        spikes={"PV-1": (spike_end, 2900)},
    )
    site, intake = _intake(config)
    report = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    assert report.void and report.problems[0].startswith("generation > capacity: meter")
    evidence = report.violation
    assert evidence is not None and evidence.meter == site.meters[0].address
    assert evidence.second[0] == spike_end and evidence.first[0] == spike_end - 1800
    assert evidence.second[1] - evidence.first[1] == 3000
    assert len(evidence.batches) == 1  # both readings are in the day's batch
    assert report.capped_span == (APR, MAY)


def test_interval_evidence_spans_two_batches_at_midnight(tmp_path):
    midnight = APR + 9 * 86400
    config = _hand_site(
        tmp_path,
        {"PV-1": ("generation", 100), "EX-1": ("export", 10)},
        spikes={"PV-1": (midnight + 1800, 2900)},
    )
    site, intake = _intake(config)
    report = build_report(site, intake, APR, MAY, load_factors(), tmp_path / "archive")
    evidence = report.violation
    # 00:00 ends one day's batch, 00:30 starts the next: two batches, last and first reading.
    assert len(evidence.batches) == 2
    assert (evidence.first[0], evidence.second[0]) == (midnight, midnight + 1800)
    assert evidence.first_index == len(evidence.batches[0].readings) - 1
    assert evidence.second_index == 0


def test_periods_are_months_cut_at_crediting_end_and_closed_by_time_and_data(sim_site):
    from oracles.submit import Oracle

    site, intake = _intake(sim_site)
    may_15 = MAY + 14 * 86400
    oracle = Oracle(site, intake, None, None, load_factors(), now=lambda: JUN + 3600)
    assert oracle.next_period(APR, JUN + 10**7) == (APR, MAY)
    assert oracle.next_period(MAY, may_15) == (MAY, may_15)  # the crediting period ends mid-May
    assert oracle.next_period(may_15, may_15) is None
    assert oracle.next_period(JUN, JUN + 10**7) is None  # data ends at 2025-06-01T00:00
    assert oracle.closed_count(APR, JUN + 10**7) == 2
    early = Oracle(site, intake, None, None, load_factors(), now=lambda: MAY - 1)
    assert early.next_period(APR, JUN + 10**7) is None  # April has not ended yet
