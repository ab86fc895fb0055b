"""Report submission against a real anvil: backfill, idempotence, crash-and-resume, RPC outage,
reverts, challenge window, and `verify` of what was committed."""

import threading

import pytest

from jcredit.errors import ChainError
from jcredit.history import submitted_reports
from methodology.factors import FactorTable, load_factors
from oracles.verify import verify_report
from tests.oracles.anvil_world import (
    APR_2025,
    JUL_2025,
    JUN_2025,
    MAY_2025,
    Crash,
    oracle,
    started,
)

pytestmark = pytest.mark.anvil


def crash_at(stage: str, occurrence: int):
    seen = {"n": 0}

    def hook(name, value):
        if name == stage:
            seen["n"] += 1
            if seen["n"] == occurrence:
                raise Crash(stage)

    return hook


def reports(world):
    return submitted_reports(world.registry, world.deployment.block, world.site().project_id)


def assert_three_months(world):
    """Exactly April, May and June, contiguous, each with the simulator's own numbers."""
    got = reports(world)
    assert [(r.period_start, r.period_end) for r in got] == [
        (APR_2025, MAY_2025),
        (MAY_2025, JUN_2025),
        (JUN_2025, JUL_2025),
    ]
    for r in got:
        assert (r.self_consumed_wh, r.reduction_g) == world.expected(r.period_start, r.period_end)
        assert not r.void
    assert world.registry.next_period_start(world.site().project_id) == JUL_2025


def test_backfill_then_rerun_is_a_no_op(world):
    o = started(world)
    totals = []
    result = o.push(progress=lambda total: totals.append(total) or _Bar())
    assert totals == [3]
    assert len(result.submitted) == 3 and not result.stopped
    assert_three_months(world)
    again = oracle(world).push()
    assert again.submitted == [] and not again.stopped
    assert len(reports(world)) == 3
    # Credits: whole t-CO2 of the fiscal year, minted to the owner.
    total_g = sum(
        world.expected(a, b)[1]
        for a, b in [(APR_2025, MAY_2025), (MAY_2025, JUN_2025), (JUN_2025, JUL_2025)]
    )
    token = world.credit.token_id(world.site().project_id, 2025)
    assert world.credit.balanceOf(world.owner.address, token) == total_g // 1_000_000


class _Bar:
    def update(self, n):
        pass

    def close(self):
        pass


def test_crash_before_send_resumes_without_gap(world):
    started(world)
    with pytest.raises(Crash):
        oracle(world, hook=crash_at("built", 2)).push()
    assert len(reports(world)) == 1
    oracle(world).push()
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
    oracle(world).push()
    assert_three_months(world)


def test_crash_mid_backfill_after_a_mined_report(world):
    started(world)
    with pytest.raises(Crash):
        oracle(world, hook=crash_at("sent", 2)).push()  # May is sent (and mined), then the crash
    assert len(reports(world)) == 2
    oracle(world).push()
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
    with pytest.raises(ChainError, match=r"refused: registry: ") as info:
        oracle(world, factors=_factors(500_000), logs=logs).push()
    assert "2025-04-01" in str(info.value)
    assert not any("retrying" in line for line in logs)
    assert len(reports(world)) == 0


def _factors(value: int) -> FactorTable:
    """A factor table that disagrees with the chain's (434,000 g/MWh for FY2025)."""

    class Fixed:
        def factor(self, fiscal_year: int) -> int:
            return value

    return Fixed()


def test_challenge_window_blocks_then_finalizes(world):
    world.registry.set_challenge_window(3600, sender=world.admin)
    started(world)
    first = oracle(world).push()
    assert len(first.submitted) == 1
    assert "challenge window until" in first.stopped
    world.rpc("evm_increaseTime", [3601])
    world.rpc("evm_mine", [])
    second = oracle(world).push()
    assert second.finalized == 1 and len(second.submitted) == 1  # April finalized, May submitted
    world.registry.set_challenge_window(0, sender=world.admin)
    world.rpc("evm_increaseTime", [3601])
    world.rpc("evm_mine", [])
    oracle(world).push()
    assert_three_months(world)


def test_tampered_readings_are_refused_and_their_energy_moves_on(world):
    started(world)
    site = world.site()
    path = site.resolve(site.source["readings"])
    original = path.read_text()
    # Raise the generation register of 2025-04-30T12:00 JST by 1 Wh: the whole batch of that day
    # (00:30 to 2025-05-01T00:00) no longer matches what the meter signed and is refused.
    lines = original.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("2025-04-30T12:00:00+09:00"))
    fields = lines[index].split(",")
    fields[3] = str(int(fields[3]) + 1)
    lines[index] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    try:
        intake = world.intake()
        assert len(intake.refusals) == 48
        assert all("readings hash mismatch" in r.reason for r in intake.refusals)
        assert {r.timestamp for r in intake.refusals} == set(
            range(MAY_2025 - 47 * 1800, MAY_2025 + 1, 1800)
        )
        oracle(world, intake=intake).push()
    finally:
        path.write_text(original)
    got = reports(world)
    assert len(got) == 3
    # April's generation meter ends on its last signed reading, 2025-04-30T00:00; the refused day's
    # energy is counted in May instead: nothing lost, nothing counted twice.
    generation = world.site().meters[0].address
    assert got[0].end_readings[generation][0] == MAY_2025 - 86400
    assert sum(r.self_consumed_wh for r in got) == world.expected(APR_2025, JUL_2025)[0]


def test_verify_ok_then_names_each_difference(world, tmp_path):
    started(world)
    oracle(world).push()
    site = world.site()
    chain_id, registry = world.deployment.chain_id, world.deployment.registry
    committed = reports(world)
    for report in committed:
        assert verify_report(site, report, site.archive, load_factors(), chain_id, registry) == []
    april = committed[0]
    lying = type(april)(**{**april.__dict__, "reduction_g": april.reduction_g + 1})
    assert verify_report(site, lying, site.archive, load_factors(), chain_id, registry) == [
        f"reduction_g: chain {april.reduction_g + 1}, archive recomputes {april.reduction_g}"
    ]
    other_root = type(april)(**{**april.__dict__, "merkle_root": b"\x01" * 32})
    (difference,) = verify_report(
        site, other_root, site.archive, load_factors(), chain_id, registry
    )
    assert difference.startswith("merkle root: chain 0x0101")
    # A changed archive file no longer matches the hash in its name.
    import shutil

    copy = tmp_path / "archive"
    shutil.copytree(site.archive, copy)
    target = copy / april.data_uri.removeprefix("archive:")
    target.write_text(target.read_text().replace(",generation,", ",generation, ", 1))
    (difference,) = verify_report(site, april, copy, load_factors(), chain_id, registry)
    assert difference.startswith("archive: ") and "content hash" in difference


def test_rejected_report_is_submitted_again(world):
    world.registry.set_challenge_window(3600, sender=world.admin)
    started(world)
    assert len(oracle(world).push().submitted) == 1
    pid = world.site().project_id
    world.registry.dispute(pid, "meter seal broken", sender=world.validator)
    assert "disputed" in oracle(world).push().stopped
    world.registry.resolve_dispute(pid, False, sender=world.validator)
    # Rejected = as if never submitted: the chain's cursor is back at April, so is the oracle.
    assert world.registry.next_period_start(pid) == APR_2025
    again = oracle(world).push()
    assert [(r.period_start, r.period_end) for r in again.submitted] == [(APR_2025, MAY_2025)]
    assert "challenge window until" in again.stopped
