"""FraudProofsClient on the embedded chain: each of the four proofs against a report an oracle
inflated or mis-committed; a proof that holds undoes the report, pays the oracle's bond to the
challenger and takes the oracle's role. A proof that does not hold is refused, nothing sent."""

import pytest

from jcredit.eip712 import Batch
from jcredit.errors import ChainError, InputError
from jcredit.evidence import BatchData, IntervalEvidence
from jcredit.history import fraud_proven, undone_reports
from jcredit.merkle import MerkleTree, leaf_hash
from jcredit.types import ORACLE_ROLE, FraudKind, ReportStatus, UndoneReason
from tests.sdk.chain_world import APR, APRIL, APRIL_G, APRIL_SC, EXP, GEN, MAY, MIN_BOND, START


def _carried_april(world, project, generation_end: Batch, extra: list[Batch] | None = None):
    """April with carried starts and the given generation end batch; the export meter as usual."""
    pid, gen, exp = project.project_id, project.meters[GEN], project.meters[EXP]
    boundary = [
        world.sign(pid, gen, [(APR, START[GEN])]),
        generation_end,
        world.sign(pid, exp, [(APR, START[EXP])]),
        world.sign(pid, exp, [(MAY, APRIL[EXP])]),
    ]
    submission = world.submission(project, MAY, boundary, APRIL_SC, APRIL_G, extra=extra)
    return world.jc.reports.submit_report(world.oracle, "April", submission), submission


def _assert_refuted(world, project, facts, proven, kind):
    jc = world.jc
    assert (proven.report_id, proven.kind, proven.oracle) == (
        facts.report_id,
        kind,
        world.oracle.address,
    )
    assert proven.bond == MIN_BOND
    assert jc.reports.pending_report(project.project_id).status == ReportStatus.NONE
    assert jc.reports.next_period_start(project.project_id) == APR
    assert jc.reports.bond_of(world.oracle.address).amount == 0
    assert not jc.registry.has_role(ORACLE_ROLE, world.oracle.address)
    block = jc.deployment.block
    (record,) = fraud_proven(jc.fraud_proofs.contract, block, project.project_id)
    assert (record.challenger, record.kind, record.bond) == (
        world.challenger.address,
        kind,
        MIN_BOND,
    )
    (undone,) = undone_reports(jc.reports.contract, block, project.project_id)
    assert undone.reason == UndoneReason.FRAUD_PROVEN


def test_prove_later_reading__the_claimed_end_is_not_the_meters_last(world):
    project = world.monitored()
    pid, gen = project.project_id, project.meters[GEN]
    # The oracle ends generation at 23:50, inside the 30-minute window, hiding the 23:55 reading
    # (and its 300 Wh, which the next period would then claim).
    early = world.sign(pid, gen, [(MAY - 1200, APRIL[GEN] - 200), (MAY - 600, APRIL[GEN])])
    submitted, _ = _carried_april(world, project, early)
    hidden = ((MAY - 300, APRIL[GEN] + 300),)
    later = BatchData(world.sign(pid, gen, list(hidden)), hidden)
    with pytest.raises(
        InputError, match=r"later reading: index 1; the batch holds readings 0\.\.0"
    ):
        world.jc.fraud_proofs.prove_later_reading(world.challenger, submitted.facts, later, 1)
    proven = world.jc.fraud_proofs.prove_later_reading(world.challenger, submitted.facts, later, 0)
    _assert_refuted(world, project, submitted.facts, proven, FraudKind.LATER_END_READING)


def test_prove_interval__an_interval_above_capacity_in_a_report_claiming_credits(world):
    project = world.monitored()
    pid, gen = project.project_id, project.meters[GEN]
    submitted, _ = _carried_april(world, project, world.sign(pid, gen, [(MAY, APRIL[GEN])]))
    noon = APR + 10 * 86400 + 3 * 3600
    # 6,000 Wh in 30 minutes at 10 kW (5,000 Wh at most).
    readings = ((noon, 1_500_000), (noon + 1800, 1_506_000))
    evidence = IntervalEvidence((BatchData(world.sign(pid, gen, list(readings)), readings),), 0, 1)
    proven = world.jc.fraud_proofs.prove_interval(world.challenger, submitted.facts, evidence)
    _assert_refuted(world, project, submitted.facts, proven, FraudKind.INTERVAL_ABOVE_CAPACITY)


def test_prove_interval__within_capacity_is_refused_and_changes_nothing(world):
    project = world.monitored()
    pid, gen = project.project_id, project.meters[GEN]
    submitted, _ = _carried_april(world, project, world.sign(pid, gen, [(MAY, APRIL[GEN])]))
    noon = APR + 10 * 86400
    readings = ((noon, 1_500_000), (noon + 1800, 1_505_000))  # exactly capacity: allowed
    evidence = IntervalEvidence((BatchData(world.sign(pid, gen, list(readings)), readings),), 0, 1)
    nonce = world.challenger.account.nonce
    with pytest.raises(ChainError, match="reports: no interval above capacity"):
        world.jc.fraud_proofs.prove_interval(world.challenger, submitted.facts, evidence)
    assert world.challenger.account.nonce == nonce
    assert world.jc.reports.pending_report(pid).status == ReportStatus.PENDING
    assert world.jc.reports.bond_of(world.oracle.address).amount == MIN_BOND


def test_prove_committed_mismatch__the_root_commits_a_batch_the_meter_did_not_sign(world):
    project = world.monitored()
    pid, gen = project.project_id, project.meters[GEN]
    signed = world.sign(pid, gen, [(APR + 1800, START[GEN] + 10), (APR + 3600, START[GEN] + 20)])
    forged = Batch(
        signed.meter,
        signed.first_timestamp,
        signed.last_timestamp,
        signed.last_cumulative_wh + 1,
        signed.readings_hash,
    )
    end = world.sign(pid, gen, [(MAY, APRIL[GEN])])
    submitted, submission = _carried_april(world, project, end, extra=[forged])
    tree = _tree(submission, forged)
    proof = tree.proof(leaf_hash(forged))
    proven = world.jc.fraud_proofs.prove_committed_mismatch(
        world.challenger, submitted.facts, forged, proof, signed
    )
    _assert_refuted(world, project, submitted.facts, proven, FraudKind.COMMITTED_MISMATCH)


def test_prove_committed_conflict__two_committed_batches_overlap(world):
    project = world.monitored()
    pid, gen = project.project_id, project.meters[GEN]
    first = world.sign(pid, gen, [(APR + 1800, START[GEN] + 10), (APR + 5400, START[GEN] + 30)])
    second = world.sign(pid, gen, [(APR + 3600, START[GEN] + 20), (APR + 7200, START[GEN] + 40)])
    end = world.sign(pid, gen, [(MAY, APRIL[GEN])])
    submitted, submission = _carried_april(world, project, end, extra=[first, second])
    tree = _tree(submission, first, second)
    proven = world.jc.fraud_proofs.prove_committed_conflict(
        world.challenger,
        submitted.facts,
        first,
        tree.proof(leaf_hash(first)),
        second,
        tree.proof(leaf_hash(second)),
    )
    _assert_refuted(world, project, submitted.facts, proven, FraudKind.COMMITTED_CONFLICT)


def _tree(submission, *extra: Batch) -> MerkleTree:
    """The submission's tree again: its boundary batches and the extra leaves."""
    leaves = [leaf_hash(r.batch) for r in submission.readings] + [leaf_hash(b) for b in extra]
    tree = MerkleTree.from_leaves(leaves)
    assert tree.root == submission.merkle_root
    return tree


def test_evidence__refuses_readings_that_are_not_the_signed_ones(world):
    project = world.monitored()
    batch = world.sign(project.project_id, project.meters[GEN], [(APR, 1), (APR + 1800, 2)])
    with pytest.raises(InputError, match="do not hash to the signed readings hash"):
        BatchData(batch, ((APR, 1), (APR + 1800, 3)))
    data = BatchData(batch, ((APR, 1), (APR + 1800, 2)))
    with pytest.raises(InputError, match="the first reading must be before the second"):
        IntervalEvidence((data,), 1, 0)
    with pytest.raises(InputError, match="no reading 2 in the last batch"):
        IntervalEvidence((data,), 0, 2)


def test_finalize__the_oracles_report_in_another_project_after_its_refutation__undone(world):
    # The same oracle reports two projects; a proof against one slashes it for good, and the
    # SDK's finalize of the other reports the undo instead of a finalization.
    cheated, other = world.monitored(), world.monitored()
    honest_end = world.sign(other.project_id, other.meters[GEN], [(MAY, APRIL[GEN])])
    _carried_april(world, other, honest_end)
    other_facts = world.jc.reports.pending_facts(other.project_id)
    pid, gen = cheated.project_id, cheated.meters[GEN]
    early = world.sign(pid, gen, [(MAY - 1200, APRIL[GEN] - 200), (MAY - 600, APRIL[GEN])])
    submitted, _ = _carried_april(world, cheated, early)
    hidden = ((MAY - 300, APRIL[GEN] + 300),)
    later = BatchData(world.sign(pid, gen, list(hidden)), hidden)
    world.jc.fraud_proofs.prove_later_reading(world.challenger, submitted.facts, later, 0)
    assert world.jc.reports.is_slashed(world.oracle.address)
    world.after_window()
    result = world.jc.reports.finalize(world.buyer, other_facts)
    assert result.undone and result.minted_t == 0
    assert result.report_id == other_facts.report_id
    block = world.jc.deployment.block
    (undone,) = undone_reports(world.jc.reports.contract, block, other.project_id)
    assert undone.reason == UndoneReason.ORACLE_REFUTED
    assert world.jc.reports.pending_report(other.project_id).status == ReportStatus.NONE
