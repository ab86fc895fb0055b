"""Report submission against a real anvil: backfill through challenge windows, idempotence,
crash-and-resume (before a send, with a transaction in flight, with a report pending its window),
RPC outage, reverts, the boundary fallback, a void report resting on a recorded violation, and
`verify` of what was committed."""

import contextlib
import dataclasses
import json
import shutil
import threading

import pytest

from jcredit.errors import ChainError
from jcredit.history import finalized_reports, submitted_reports, undone_reports
from jcredit.types import ReportStatus, UndoneReason
from methodology.factors import FactorTable, load_factors
from oracles.errors import DataError
from oracles.site import load_site
from oracles.verify import verify_report
from tests.oracles.anvil_world import (
    APR_2025,
    JUL_2025,
    JUN_2025,
    MAY_2025,
    Crash,
    oracle,
    push_all,
    started,
)

pytestmark = pytest.mark.anvil
DAY = 86400
MONTHS = [(APR_2025, MAY_2025), (MAY_2025, JUN_2025), (JUN_2025, JUL_2025)]


def crash_at(stage: str, occurrence: int):
    seen = {"n": 0}

    def hook(name, value):
        if name == stage:
            seen["n"] += 1
            if seen["n"] == occurrence:
                raise Crash(stage)

    return hook


def reports(world):
    return submitted_reports(world.reports, world.deployment.block, world.site().project_id)


def counted(world):
    """The reports that count: submitted and not undone."""
    pid = world.site().project_id
    undone = {r.report_id for r in undone_reports(world.reports, world.deployment.block, pid)}
    return [r for r in reports(world) if r.report_id not in undone]


def assert_three_months(world):
    """Exactly April, May and June, contiguous, each with the simulator's own numbers, each
    finalized."""
    got = counted(world)
    assert [(r.period_start, r.period_end) for r in got] == MONTHS
    for r in got:
        assert (r.self_consumed_wh, r.reduction_g) == world.expected(r.period_start, r.period_end)
        assert not r.void
    pid = world.site().project_id
    assert world.reports.next_period_start(pid) == JUL_2025
    assert world.reports.pending_report(pid).status == ReportStatus.NONE
    finalized = finalized_reports(world.reports, world.deployment.block, pid)
    assert sorted(r.submitted.report_id for r in finalized) == [r.report_id for r in got]


def test_push__submits_one_report_and_the_next_push_after_the_window_finalizes_it(world):
    started(world)
    first = oracle(world).push()
    assert [(r.period_start, r.period_end) for r in first.submitted] == [MONTHS[0]]
    assert first.finalized == 0 and "challenge window until" in first.stopped
    blocked = oracle(world).push()  # the window is still open: nothing happens
    assert blocked.submitted == [] and blocked.finalized == 0 and blocked.stopped
    world.advance()
    second = oracle(world).push()
    assert second.finalized == 1 and len(second.submitted) == 1  # April finalized, May submitted


def test_backfill_through_the_windows_then_rerun_is_a_no_op(world):
    started(world)
    totals = []
    first = oracle(world).push(progress=lambda total: totals.append(total) or _Bar())
    assert totals == [3]
    assert len(first.submitted) == 1
    results = push_all(world)
    assert sum(len(r.submitted) for r in results) == 2
    assert_three_months(world)
    again = oracle(world).push()
    assert again.submitted == [] and again.finalized == 0 and not again.stopped
    assert len(reports(world)) == 3
    # Credits: whole t-CO2 of the fiscal year, minted to the owner.
    total_g = sum(world.expected(a, b)[1] for a, b in MONTHS)
    token = world.credit.token_id(world.site().project_id, 2025)
    assert world.credit.balanceOf(world.owner.address, token) == total_g // 1_000_000


class _Bar:
    def update(self, n):
        pass

    def close(self):
        pass


def test_first_report_carries_start_readings_and_the_next_starts_from_the_baselines(world):
    started(world)
    push_all(world)
    april, may, _ = reports(world)
    for period in april.facts.meter_periods():
        assert period.carried_start and period.start_timestamp == APR_2025
    for before, period in zip(april.facts.meter_periods(), may.facts.meter_periods(), strict=True):
        assert not period.carried_start
        assert period.start == before.end and period.end_timestamp == JUN_2025


def test_crash_before_send_resumes_without_gap(world):
    started(world)
    oracle(world).push()  # April
    world.advance()
    with pytest.raises(Crash):
        oracle(world, hook=crash_at("built", 1)).push()  # April finalized, May built: crash
    assert len(reports(world)) == 1
    pid = world.site().project_id
    assert world.reports.pending_report(pid).status == ReportStatus.NONE
    push_all(world)
    assert_three_months(world)


def test_crash_after_send_before_receipt_gives_no_duplicate(world):
    started(world)
    world.rpc("evm_setAutomine", [False])
    with pytest.raises(Crash):
        oracle(world, hook=crash_at("sent", 1)).push()
    # The April transaction is in the mempool, not mined: a rerun now must not send it again.
    with pytest.raises(ChainError, match="still pending"):
        oracle(world, in_flight_timeout=1.0).push()
    world.rpc("evm_mine", [])
    world.rpc("evm_setAutomine", [True])
    assert len(reports(world)) == 1
    push_all(world)
    assert_three_months(world)


def test_crash_mid_backfill_after_a_mined_report__resumes_with_it_pending_its_window(world):
    started(world)
    oracle(world).push()  # April
    world.advance()
    with pytest.raises(Crash):
        oracle(world, hook=crash_at("sent", 2)).push()  # April finalized, May sent and mined
    assert len(reports(world)) == 2
    resumed = oracle(world).push()
    assert resumed.submitted == [] and "report 2 is in its challenge window" in resumed.stopped
    push_all(world)
    assert_three_months(world)


def test_crash_after_the_finalize_was_mined_resumes_with_the_next_report(world):
    started(world)
    oracle(world).push()  # April
    world.advance()
    with pytest.raises(Crash):
        oracle(world, hook=crash_at("sent", 1)).push()  # April's finalize sent and mined
    pid = world.site().project_id
    assert world.reports.pending_report(pid).status == ReportStatus.NONE
    resumed = oracle(world).push()
    assert resumed.finalized == 0 and len(resumed.submitted) == 1  # May, no second finalize
    push_all(world)
    assert_three_months(world)


def test_rpc_down_then_back_is_retried(world):
    started(world)
    logs: list[str] = []
    world.proxy.down()
    timer = threading.Timer(1.0, world.proxy.up)
    timer.start()
    try:
        oracle(world, logs=logs).push()
    finally:
        timer.join()
    assert any("RPC error" in line and "retrying" in line for line in logs)
    push_all(world)
    assert_three_months(world)


def test_rpc_down_for_good_stops_with_a_clear_message(world):
    o = started(world)
    world.proxy.down()
    with pytest.raises(ChainError, match=r"did not answer after 4 attempts.*rerun"):
        o.push()
    world.proxy.up()
    assert len(reports(world)) == 0


def test_revert_reason_is_shown_and_not_retried(world):
    started(world)
    logs: list[str] = []
    nonce = world.oracle.nonce
    with pytest.raises(ChainError, match=r"refused: reports: reduction mismatch") as info:
        oracle(world, factors=_factors(500_000), logs=logs).push()
    assert "2025-04-01" in str(info.value)
    assert not any("retrying" in line for line in logs)
    assert len(reports(world)) == 0
    assert world.oracle.nonce == nonce


def _factors(value: int) -> FactorTable:
    """A factor table that disagrees with the chain's (434,000 g/MWh for FY2025)."""

    class Fixed:
        def factor(self, fiscal_year: int) -> int:
            return value

    return Fixed()


@contextlib.contextmanager
def site_files_kept(world):
    """The site's data files are restored after the test changed them."""
    site = world.site()
    paths = [site.resolve(site.source["readings"]), site.resolve(site.source["signatures"])]
    saved = [path.read_bytes() for path in paths]
    try:
        yield
    finally:
        for path, data in zip(paths, saved, strict=True):
            path.write_bytes(data)


def test_tampered_readings_end_the_period_early_and_their_energy_moves_on(world):
    started(world)
    site = world.site()
    path = site.resolve(site.source["readings"])
    with site_files_kept(world):
        # Raise the generation register of 2025-04-30T12:00 JST by 1 Wh: the whole batch of that
        # day (00:30 to 2025-05-01T00:00) no longer matches what the meter signed and is refused.
        lines = path.read_text().splitlines()
        index = next(i for i, line in enumerate(lines) if line.startswith("2025-04-30T12:00"))
        fields = lines[index].split(",")
        fields[3] = str(int(fields[3]) + 1)
        lines[index] = ",".join(fields)
        path.write_text("\n".join(lines) + "\n")
        intake = world.intake()
        assert len(intake.refusals) == 48
        assert all("readings hash mismatch" in r.reason for r in intake.refusals)
        assert {r.timestamp for r in intake.refusals} == set(
            range(MAY_2025 - 47 * 1800, MAY_2025 + 1, 1800)
        )
        push_all(world, intake=intake)
    got = reports(world)
    # At 2025-05-01 the generation meter has no signed batch ending within its 30-minute
    # interval, so April ends at 2025-04-30T00:00, where both meters' batches end; the next
    # period runs to June (no time in between has a boundary reading of both meters): nothing
    # lost, nothing counted twice.
    assert [(r.period_start, r.period_end) for r in got] == [
        (APR_2025, MAY_2025 - DAY),
        (MAY_2025 - DAY, JUN_2025),
        (JUN_2025, JUL_2025),
    ]
    generation = world.site().meters[0].address
    assert got[0].end_readings[generation][0] == MAY_2025 - DAY
    assert sum(r.self_consumed_wh for r in got) == world.expected(APR_2025, JUL_2025)[0]


def test_missing_signatures_of_the_last_day_end_the_period_at_the_last_signed_midnight(world):
    started(world)
    site = world.site()
    path = site.resolve(site.source["signatures"])
    export = site.meters[1].address
    with site_files_kept(world):
        # The export meter's signature of its April 30 batch never arrived.
        lines = path.read_text().splitlines()
        lines = [
            line for line in lines if not (line.startswith(export) and f",{MAY_2025}," in line)
        ]
        path.write_text("\n".join(lines) + "\n")
        intake = world.intake()
        assert len(intake.refusals) == 48
        first = oracle(world, intake=intake).push()
    assert [(r.period_start, r.period_end) for r in first.submitted] == [(APR_2025, MAY_2025 - DAY)]


def test_void_report_records_the_interval_above_capacity_first(world):
    started(world)
    spike_at = APR_2025 + 9 * DAY + 12 * 3600  # 2025-04-10T12:00 JST
    capacity_half_hour = world.plant.capacity_w // 2  # Wh in 30 minutes at full capacity

    def spike(kind, ts, wh):
        # The generation register jumps at noon: that interval is above capacity, the month is not.
        if kind == "generation":
            wh[ts >= spike_at] += capacity_half_hour + 1000
        return wh

    with site_files_kept(world):
        world.rewrite_site(spike)
        logs: list[str] = []
        first = oracle(world, logs=logs).push()
        (april,) = first.submitted
        assert april.void and april.violation is not None
        assert first.violations_recorded == 1
        assert any("recorded meter" in line for line in logs)
        generation = world.site().meters[0].address
        assert april.violation.second[0] == spike_at
        pid = world.site().project_id
        assert world.jc.fraud_proofs.violation_within(pid, generation, APR_2025, MAY_2025)
        (logged,) = reports(world)
        assert logged.void and (logged.self_consumed_wh, logged.reduction_g) == (0, 0)
        push_all(world)
    got = reports(world)
    assert [r.void for r in got] == [True, False, False]
    for report in got[1:]:
        assert report.self_consumed_wh == world.expected(report.period_start, report.period_end)[0]


def test_crash_after_recording_the_violation_does_not_record_it_again(world):
    started(world)
    spike_at = APR_2025 + 9 * DAY + 12 * 3600

    def spike(kind, ts, wh):
        if kind == "generation":
            wh[ts >= spike_at] += world.plant.capacity_w
        return wh

    with site_files_kept(world):
        world.rewrite_site(spike)
        with pytest.raises(Crash):
            oracle(world, hook=crash_at("sent", 1)).push()  # the violation is recorded: crash
        assert reports(world) == []
        resumed = oracle(world).push()
    assert resumed.violations_recorded == 0
    (april,) = resumed.submitted
    assert april.void


def test_site_meters_must_be_the_projects_registered_ones(world):
    started(world)
    config = json.loads(world.site_path.read_text())
    config["meters"][0]["interval_seconds"] = 900
    changed = world.site_path.with_name("site-900.json")
    changed.write_text(json.dumps(config))
    feed = oracle(world)
    try:
        feed.site = load_site(changed)
        with pytest.raises(
            DataError, match=r"interval_seconds 900, but it is registered with 1800"
        ):
            feed.push()
    finally:
        changed.unlink()
    assert reports(world) == []


def test_verify_ok_then_names_each_difference(world, tmp_path):
    started(world)
    push_all(world)
    site = world.site()
    chain_id, registry = world.deployment.chain_id, world.deployment.registry
    committed = reports(world)
    for report in committed:
        assert verify_report(site, report, site.archive, load_factors(), chain_id, registry) == []
    april = committed[0]
    facts = april.facts
    lying = dataclasses.replace(
        april, facts=dataclasses.replace(facts, reduction_g=facts.reduction_g + 1)
    )
    assert verify_report(site, lying, site.archive, load_factors(), chain_id, registry) == [
        f"reduction_g: chain {facts.reduction_g + 1}, archive recomputes {facts.reduction_g}"
    ]
    other_root = dataclasses.replace(
        april, facts=dataclasses.replace(facts, merkle_root=b"\x01" * 32)
    )
    (difference,) = verify_report(
        site, other_root, site.archive, load_factors(), chain_id, registry
    )
    assert difference.startswith("merkle root: chain 0x0101")
    generation = facts.meters[0]
    moved = dataclasses.replace(generation, end_cumulative_wh=generation.end_cumulative_wh + 5)
    other_end = dataclasses.replace(
        april, facts=dataclasses.replace(facts, meters=(moved, *facts.meters[1:]))
    )
    (difference,) = verify_report(site, other_end, site.archive, load_factors(), chain_id, registry)
    assert difference.startswith(f"meter {generation.meter}: chain end reading")
    # A changed archive file no longer matches the hash in its name.
    copy = tmp_path / "archive"
    shutil.copytree(site.archive, copy)
    target = copy / april.data_uri.removeprefix("archive:")
    target.write_text(target.read_text().replace(",generation,", ",generation, ", 1))
    (difference,) = verify_report(site, april, copy, load_factors(), chain_id, registry)
    assert difference.startswith("archive: ") and "content hash" in difference


def test_rejected_report_is_submitted_again(world):
    started(world)
    assert len(oracle(world).push().submitted) == 1
    pid = world.site().project_id
    reports_client = world.jc.reports
    world.reports.dispute(pid, "meter seal broken", sender=world.validator)
    assert "disputed" in oracle(world).push().stopped
    facts = reports_client.pending_facts(pid)
    world.reports.resolve_dispute(facts.as_tuple(), False, sender=world.validator)
    # Rejected = as if never submitted: the chain's cursor is back at April, so is the oracle,
    # and the report carries the start readings again.
    assert world.reports.next_period_start(pid) == APR_2025
    again = oracle(world).push()
    assert [(r.period_start, r.period_end) for r in again.submitted] == [MONTHS[0]]
    assert set(again.submitted[0].carried) == {m.address for m in world.site().meters}
    assert "challenge window until" in again.stopped
    (undone,) = undone_reports(world.reports, world.deployment.block, pid)
    assert undone.reason == UndoneReason.REJECTED
