"""The verifier: silent on an honest period, finds each planted cheat with the right calldata."""

import pytest

from jcredit.program_tree import enrollment_root_from, leaf_at
from oracles.program import verify as V
from oracles.program.archive import load_archive, write_archive
from oracles.program.households import Fault, simulate_households
from oracles.program.job import PreviousReport, run_period_inline
from oracles.program.trees import ClaimedTree, EnrollmentView
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


def archive_cheat(root, period, cheat=None):
    if cheat is None:
        return load_archive(root, write_archive(root, period))
    return load_archive(root, write_archive(root, period, tree=cheat.tree, results=cheat.results))


def test_twins_hash_like_the_sdk(period):
    assert ClaimedTree.build(period.results).root == period.tree.root
    view = EnrollmentView(period.enrollment)
    assert view.root == period.enrollment_root
    leaf = period.enrollment[3]
    assert enrollment_root_from(leaf.leaf_hash(), 3, view.proof(3)) == view.root


def test_honest_period_is_not_flagged(period, tmp_path):
    verdict = V.verify_period(archive_cheat(tmp_path, period))
    assert verdict.ok and verdict.proof is None and verdict.checked_members == 8


def check_member_call(call, archived, member_id):
    facts, position, path, result, enrolled, proofs = call.args
    assert (call.contract, call.function) == ("MemberProofs", "prove_member")
    assert len(facts) == 18 and facts[11] == archived.sum_root
    assert result[0] == member_id and all(len(node) == 4 for node in path)
    tree = archived.tree
    from jcredit.program_tree import SumNode

    got_hash, claimed = leaf_at(
        archived.sum_root, tree.depth, position, [SumNode(*n) for n in path]
    )
    assert got_hash == tree.leaves[position].leaf_hash() and claimed > 0
    root = EnrollmentView(archived.enrollment).root
    for leaf, proof, meter in zip(enrolled, proofs, result[1], strict=True):
        from jcredit.program_tree import EnrolledMeter

        assert all(len(p) == 32 for p in proof)
        assert enrollment_root_from(EnrolledMeter(*leaf).leaf_hash(), meter[0], proof) == root


@pytest.mark.parametrize(
    ("build", "member_id"),
    [
        (lambda p: V.inflate_member(p, 1), 1),  # inflated register: not what the meter signed
        (lambda p: V.inflate_credited(p, 5), 5),  # credited above the reduction
        (lambda p: V.credit_invalid_member(p, 4), 4),  # expired certificate, credited anyway
    ],
)
def test_member_cheats_prove_member(period, tmp_path, build, member_id):
    archived = archive_cheat(tmp_path, period, build(period))
    verdict = V.verify_period(archived)
    assert not verdict.ok and verdict.findings[0].kind == 1
    assert verdict.findings[0].member_id == member_id
    check_member_call(verdict.proof, archived, member_id)


def test_credited_refused_data_is_reported_even_without_a_proof(period, tmp_path):
    archived = archive_cheat(tmp_path, period, V.credit_invalid_member(period, 2))
    verdict = V.verify_period(archived)
    assert [f.member_id for f in verdict.findings] == [2] and verdict.proof is None
    assert "reason 1" in verdict.findings[0].message


def test_inflated_inner_sum_proves_sum(period, tmp_path):
    archived = archive_cheat(tmp_path, period, V.inflate_sum(period, 10**6, height=1))
    verdict = V.verify_period(archived)
    call = verdict.proof
    assert (call.contract, call.function) == ("ProgramProofs", "prove_sum")
    _facts, position, path = call.args
    assert position == 0 and len(path) == archived.tree.depth - 1 + 1
    assert path[0] == archived.tree.root_node.as_tuple()
    parent, node = path[-2], path[-1]
    assert parent[1] == node[1] + node[3] + 10**6  # the parent claims more than the node holds
    assert archived.tree.total == period.total_g + 10**6


def test_member_counted_twice_proves_member_order(period, tmp_path):
    archived = archive_cheat(tmp_path, period, V.duplicate_member(period, 5))
    call = V.verify_period(archived).proof
    assert (call.contract, call.function) == ("ProgramProofs", "prove_member_order")
    _facts, position, path_a, result_a, path_b, result_b = call.args
    assert position == 4 and result_a == result_b and result_a[0] == 5
    assert len(path_a) == len(path_b) == archived.tree.depth


def test_lower_ytd_proves_cap(two_months, tmp_path):
    enrollment = two_months.sim.enrollment
    april = run_period_inline(
        two_months.path, enrollment, PROGRAM_ID, APR_2025, chain_id=CHAIN_ID, registry=REGISTRY
    )
    may = run_period_inline(
        two_months.path,
        enrollment,
        PROGRAM_ID,
        MAY_2025,
        chain_id=CHAIN_ID,
        registry=REGISTRY,
        previous=PreviousReport(MAY_2025, 2025, april.ytd()),
    )
    earlier = V.EarlierReport(archive_cheat(tmp_path, april), report_id=3)
    assert V.verify_period(archive_cheat(tmp_path, may), earlier=earlier).ok
    archived = archive_cheat(tmp_path, may, V.lower_ytd(may, 2))
    verdict = V.verify_period(archived, earlier=earlier)
    call = verdict.proof
    assert (call.contract, call.function) == ("MemberProofs", "prove_cap")
    _facts, position, _path, result, earlier_tuple, e_position, _e_path, e_result = call.args
    assert result[0] == e_result[0] == 2 and position == e_position == 1
    assert earlier_tuple == (3, 2025, earlier.archived.sum_root, earlier.archived.tree.depth)


def test_meter_enrolled_twice_proves_enrollment_order(tmp_path):
    sim = simulate_households(
        3,
        APR_2025,
        MAY_2025,
        PROGRAM_ID,
        CHAIN_ID,
        REGISTRY,
        faults=[Fault(3, "enrolled_twice", other_member_id=1)],
    )
    path = sim.write_parquet(tmp_path / "data")
    period = run_period_inline(
        path,
        sim.enrollment,
        PROGRAM_ID,
        APR_2025,
        chain_id=CHAIN_ID,
        registry=REGISTRY,
        refuse_bad_enrollment=False,
    )
    archived = archive_cheat(tmp_path, period)
    call = V.verify_period(archived).proof
    assert (call.contract, call.function) == ("ProgramProofs", "prove_enrollment_order")
    facts, index, leaf_a, _proof_a, leaf_b, proof_b = call.args
    assert leaf_a[0] == leaf_b[0] and {leaf_a[1], leaf_b[1]} == {1, 3}
    view = EnrollmentView(archived.enrollment)
    from jcredit.program_tree import EnrolledMeter

    assert (
        enrollment_root_from(EnrolledMeter(*leaf_b).leaf_hash(), index + 1, proof_b)
        == view.root
        == facts[6]
    )
