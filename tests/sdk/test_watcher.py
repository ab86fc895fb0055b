"""The watcher end to end on the embedded chain: an oracle archives April as it does
(`oracles.archive.archive_period`: the normalized readings, the signed batches it commits) and
submits a report over them; `watch_once` reads the open reports, checks each against its archive
and proves the cheats it finds, paying the oracle's bond to the watcher.

The plant (tests/sdk/chain_world.py): 10 kW, generation and export meters declared at 30-minute
intervals, signed per JST day. Generation rises 2,000 Wh and export 500 Wh per 30 minutes, so a
month stays far below capacity; a spike adds 4,000 Wh to one interval (6,000 Wh in 30 minutes,
above 10 kW x 0.5 h = 5,000 Wh).
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest

from jcredit.devnet import advance_time
from jcredit.eip712 import Batch
from jcredit.evidence import BoundaryReading
from jcredit.history import fraud_proven, undone_reports
from jcredit.merkle import MerkleTree, leaf_hash
from jcredit.reports import ReportSubmission, Submitted
from jcredit.types import ORACLE_ROLE, FraudKind, ReportStatus, UndoneReason
from oracles.archive import ArchiveEntry, archive_period
from oracles.watcher import Outcome, watch_once
from tests.sdk.chain_world import APR, DAY, EXP, GEN, MAY, MIN_BOND, START, WINDOW, SdkWorld

FACTOR = 434_000  # g-CO2 per MWh for FY2025 in the deployed table
KIND_NAMES = {GEN: "generation", EXP: "export"}
PER_HOUR = {GEN: 4_000, EXP: 1_000}  # Wh: 2,000 and 500 per 30 minutes


def readings(kind, step: int = 1800, spike_at: int | None = None) -> list[tuple[int, int]]:
    """April's readings of one meter every `step` seconds from its start register; `spike_at`
    adds 4,000 Wh to the interval ending there (and to every later register)."""
    out = []
    for ts in range(APR, MAY + 1, step):
        wh = START[kind] + PER_HOUR[kind] * (ts - APR) // 3600
        if spike_at is not None and ts >= spike_at:
            wh += 4_000
        out.append((ts, wh))
    return out


def day_signed(
    world: SdkWorld,
    project,
    kind,
    series: Sequence[tuple[int, int]],
    cuts: Sequence[int] = (),
    days: int = 1,
) -> list[Batch]:
    """The meter's batches: one per JST day (readings in (D 00:00, D+1 00:00]; the start reading
    at 00:00 ends the day before, alone) or per `days` days, cut again after each timestamp in
    `cuts`."""
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for ts, wh in series:
        key = ((ts - APR - 1) // (days * DAY), sum(1 for cut in cuts if ts > cut))
        groups.setdefault(key, []).append((ts, wh))
    meter = project.meters[kind]
    return [world.sign(project.project_id, meter, group) for _, group in sorted(groups.items())]


@dataclass
class Archived:
    submitted: Submitted
    entry: ArchiveEntry
    committed: list[Batch]


def submit_archived(
    world: SdkWorld,
    project,
    root: Path,
    series: dict,
    cuts: Sequence[int] = (),
    generation_end: int = MAY,
    days: int = 1,
    commit: Callable[[list[Batch]], list[Batch]] = list,
) -> Archived:
    """April as an oracle reports it: the readings and every signed batch archived, all batches
    Merkle-committed, each meter's start (carried) and end batch sent with its proof, the
    claims computed from the boundary readings; the generation end reading at `generation_end`.
    `commit` turns the signed batches into the ones the oracle commits (and archives)."""
    data = {kind: day_signed(world, project, kind, series[kind], cuts, days) for kind in (GEN, EXP)}
    committed = commit([b for kind in (GEN, EXP) for b in data[kind]])
    frame = pd.DataFrame(
        [
            (ts, project.meters[kind].address, KIND_NAMES[kind], wh)
            for kind in (GEN, EXP)
            for ts, wh in series[kind]
        ],
        columns=["timestamp", "meter", "kind", "cumulative_wh"],
    )
    entry = archive_period(root, project.project_id, (APR, MAY), frame, committed, [])
    tree = MerkleTree.from_leaves([leaf_hash(b) for b in committed])
    ends = {GEN: generation_end, EXP: MAY}
    boundary, energy = [], {}
    for kind in (GEN, EXP):
        start = next(b for b in data[kind] if b.last_timestamp == APR)
        end = next(b for b in data[kind] if b.last_timestamp == ends[kind])
        boundary += [start, end]
        energy[kind] = end.last_cumulative_wh - start.last_cumulative_wh
    consumed = energy[GEN] - energy[EXP]
    submission = ReportSubmission(
        project.project_id,
        MAY,
        2025,
        tuple(BoundaryReading(b, tuple(tree.proof(leaf_hash(b)))) for b in boundary),
        tree.root,
        entry.data_uri,
        consumed,
        consumed * FACTOR // 1_000_000,
        False,
    )
    submitted = world.jc.reports.submit_report(world.oracle, "April", submission)
    return Archived(submitted, entry, committed)


def watch(world: SdkWorld, root: Path) -> list[Outcome]:
    from ape import chain

    now = int(chain.blocks.head.timestamp)
    return watch_once(world.jc, root, world.challenger, now, world.chain_id)


def honest_series() -> dict:
    return {GEN: readings(GEN), EXP: readings(EXP)}


SPIKE_AT = APR + 10 * DAY + 12 * 3600  # 2025-04-11T12:00+09:00


def spiky_series() -> dict:
    return {GEN: readings(GEN, spike_at=SPIKE_AT), EXP: readings(EXP)}


def assert_proven(world: SdkWorld, project, archived: Archived, outcome: Outcome, kind, before):
    """The proof held: the report is undone as fraud, the bond went to the watcher, the oracle
    lost its role."""
    jc, facts = world.jc, archived.submitted.facts
    assert (outcome.project_id, outcome.report_id, outcome.verdict) == (
        project.project_id,
        facts.report_id,
        "proven",
    )
    assert outcome.detail.startswith(f"{kind.name.lower()}: ")
    proven = outcome.proven
    assert (proven.report_id, proven.kind, proven.oracle, proven.bond) == (
        facts.report_id,
        kind,
        world.oracle.address,
        MIN_BOND,
    )
    assert jc.reports.pending_report(project.project_id).status == ReportStatus.NONE
    (undone,) = undone_reports(jc.reports.contract, jc.deployment.block, project.project_id)
    assert (undone.report_id, undone.reason) == (facts.report_id, UndoneReason.FRAUD_PROVEN)
    (record,) = fraud_proven(jc.fraud_proofs.contract, jc.deployment.block, project.project_id)
    assert (record.challenger, record.kind, record.bond) == (
        world.challenger.address,
        kind,
        MIN_BOND,
    )
    assert jc.reports.bond_of(world.oracle.address).amount == 0
    assert not jc.registry.has_role(ORACLE_ROLE, world.oracle.address)
    # The watcher's balance grew by the bond, less the one transaction's fee.
    receipt = world.provider.get_receipt(proven.tx_hash)
    assert world.challenger.account.nonce == before[0] + 1
    assert world.challenger.account.balance == before[1] + MIN_BOND - receipt.total_fees_paid


def wallet(world: SdkWorld) -> tuple[int, int]:
    return world.challenger.account.nonce, world.challenger.account.balance


def assert_nothing_sent(world: SdkWorld, project, before: tuple[int, int]) -> None:
    assert wallet(world) == before
    assert world.jc.reports.pending_report(project.project_id).status != ReportStatus.NONE
    assert world.jc.reports.bond_of(world.oracle.address).amount == MIN_BOND


# -- cheats the archive shows -------------------------------------------------------------------


def test_interval_above_capacity_claimed_valid__proven(world, tmp_path):
    project = world.monitored()
    archived = submit_archived(world, project, tmp_path, spiky_series())
    assert archived.submitted.facts.self_consumed_wh > 0  # claims credits
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert_proven(world, project, archived, outcome, FraudKind.INTERVAL_ABOVE_CAPACITY, before)
    assert "6000 Wh between" in outcome.detail


def test_stale_end_reading__proven(world, tmp_path):
    project = world.monitored()
    # Generation reads every 5 minutes (its declared interval is 30): the oracle ends it at
    # 23:50, still inside the interval before the end, hiding 23:55 and 00:00.
    series = {GEN: readings(GEN, step=300), EXP: readings(EXP)}
    archived = submit_archived(
        world, project, tmp_path, series, cuts=[MAY - 600], generation_end=MAY - 600
    )
    assert archived.submitted.facts.meters[0].end_timestamp == MAY - 600
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert_proven(world, project, archived, outcome, FraudKind.LATER_END_READING, before)


def test_a_disputed_report_is_still_examined(world, tmp_path):
    project = world.monitored()
    archived = submit_archived(world, project, tmp_path, spiky_series())
    world.jc.reports.dispute(world.validator, project.project_id, "the data look wrong")
    advance_time(world.provider, WINDOW + 1)  # the window is over; the dispute keeps it open
    assert world.jc.reports.pending_report(project.project_id).status == ReportStatus.DISPUTED
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert_proven(world, project, archived, outcome, FraudKind.INTERVAL_ABOVE_CAPACITY, before)


def test_committed_conflict__proven(world, tmp_path):
    project = world.monitored()
    series = honest_series()
    # The meter also signed 12:00 and 12:30 of the 11th apart; the oracle commits that batch
    # beside the whole day.
    noon = [r for r in series[GEN] if SPIKE_AT <= r[0] <= SPIKE_AT + 1800]
    twice = world.sign(project.project_id, project.meters[GEN], noon)
    archived = submit_archived(
        world, project, tmp_path, series, commit=lambda batches: [*batches, twice]
    )
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert_proven(world, project, archived, outcome, FraudKind.COMMITTED_CONFLICT, before)


def test_committed_mismatch__proven_with_the_signed_batch_from_another_archive(world, tmp_path):
    project = world.monitored()
    series = honest_series()
    day = APR + 5 * DAY
    # The meter's signed 6th of April, archived before (a draft of the day, say).
    readings = [r for r in series[GEN] if day < r[0] <= day + DAY]
    signed = world.sign(project.project_id, project.meters[GEN], readings)
    frame = pd.DataFrame(
        [(ts, signed.meter, "generation", wh) for ts, wh in readings],
        columns=["timestamp", "meter", "kind", "cumulative_wh"],
    )
    archive_period(tmp_path, project.project_id, (day, day + DAY), frame, [signed], [])
    # The report commits the day with a register 1 Wh higher than the meter signed.
    forged = replace(signed, last_cumulative_wh=signed.last_cumulative_wh + 1)
    archived = submit_archived(
        world,
        project,
        tmp_path,
        series,
        commit=lambda batches: [forged if b == signed else b for b in batches],
    )
    assert forged in archived.committed and signed not in archived.committed
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert_proven(world, project, archived, outcome, FraudKind.COMMITTED_MISMATCH, before)


# -- nothing to prove, or nothing provable --------------------------------------------------------


def test_honest_report__consistent_and_nothing_sent(world, tmp_path):
    project = world.monitored()
    archived = submit_archived(world, project, tmp_path, honest_series())
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert (outcome.project_id, outcome.report_id, outcome.verdict, outcome.proven) == (
        project.project_id,
        archived.submitted.report_id,
        "consistent",
        None,
    )
    assert_nothing_sent(world, project, before)


def test_batches_longer_than_a_proof_can_show__consistent(world, tmp_path):
    """Meters signing a week per batch (336 readings; a proof shows at most 288): the oracle can
    report with them, so the watcher checks the report (its batches known as signed only)."""
    project = world.monitored()
    archived = submit_archived(world, project, tmp_path, honest_series(), days=7)
    assert max(b.last_timestamp - b.first_timestamp for b in archived.committed) == 7 * DAY - 1800
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert outcome.verdict == "consistent"
    assert_nothing_sent(world, project, before)


def test_a_proof_the_chain_refuses__refused_and_nothing_sent(world, tmp_path):
    """The watcher's clock lags the chain's: the report looks open to it, but the window is
    over on chain, so the proof is refused at the dry run."""
    from ape import chain

    project = world.monitored()
    archived = submit_archived(world, project, tmp_path, spiky_series())
    advance_time(world.provider, WINDOW + 1)
    before = wallet(world)
    lagging = archived.submitted.facts.challenge_deadline - 1
    assert lagging < int(chain.blocks.head.timestamp)
    (outcome,) = watch_once(world.jc, tmp_path, world.challenger, lagging, world.chain_id)
    assert (outcome.verdict, outcome.proven) == ("refused", None)
    assert "challenge window over" in outcome.detail
    assert_nothing_sent(world, project, before)


def test_a_report_whose_window_is_over_is_not_examined(world, tmp_path):
    project = world.monitored()
    submit_archived(world, project, tmp_path, spiky_series())
    advance_time(world.provider, WINDOW + 1)
    before = wallet(world)
    assert watch(world, tmp_path) == []
    assert_nothing_sent(world, project, before)


def _missing(entry: ArchiveEntry) -> None:
    entry.path.unlink()


def _altered(entry: ArchiveEntry) -> None:
    text = entry.path.read_text()
    entry.path.write_text(text.replace(f",{START[GEN] + 4_000}\n", f",{START[GEN] + 4_001}\n", 1))
    assert entry.path.read_text() != text


def _manifest_short_of_a_batch(entry: ArchiveEntry) -> None:
    manifest_path = entry.path.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["batches"].pop(5)
    manifest_path.write_text(json.dumps(manifest))


def _manifest_with_a_truncated_hash(entry: ArchiveEntry) -> None:
    manifest_path = entry.path.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["batches"][5]["readings_hash"] = manifest["batches"][5]["readings_hash"][:-2]
    manifest_path.write_text(json.dumps(manifest))


def _manifest_with_a_bad_meter(entry: ArchiveEntry) -> None:
    manifest_path = entry.path.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["batches"][5]["meter"] = "0xnot-an-address"
    manifest_path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (_missing, "not found"),
        (_altered, "content hash is"),
        (_manifest_short_of_a_batch, "rebuild root"),
        (_manifest_with_a_truncated_hash, "batch 5"),
        (_manifest_with_a_bad_meter, "batch 5"),
    ],
    ids=["missing", "altered", "manifest-short", "manifest-hash", "manifest-meter"],
)
def test_an_archive_that_does_not_back_the_report__unverifiable_and_nothing_sent(
    world, tmp_path, damage, why
):
    project = world.monitored()
    archived = submit_archived(world, project, tmp_path, spiky_series())
    damage(archived.entry)
    before = wallet(world)
    (outcome,) = watch(world, tmp_path)
    assert (outcome.report_id, outcome.verdict, outcome.proven) == (
        archived.submitted.report_id,
        "unverifiable",
        None,
    )
    assert why in outcome.detail and "dispute" in outcome.detail
    assert_nothing_sent(world, project, before)
