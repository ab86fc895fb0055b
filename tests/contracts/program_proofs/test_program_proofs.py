"""ProgramProofs: kinds 2 (sums), 3 (member order), 7 (enrollment order), 8 (enrolled elsewhere),
9 (single-site meter). Attacker cases cheat in the trees or the enrollment; griefer cases prove
against the honest six-household report (depth 3: positions 6 and 7 are empty)."""

from dataclasses import replace

import boa
import pytest

from jcredit.program_tree import EnrolledMeter, EnrollmentTree
from tests.contracts.contract_world import GENERATION, WINDOW
from tests.contracts.program_proofs import helpers as h
from tests.contracts.program_proofs.program_world import (
    ENROLLMENT_APPROVED_AT,
    PROGRAM_ID,
    CheatTree,
    build_report,
    enrollment_of,
    enrollment_record,
    household,
    nodes_arg,
)


def prove_sum(proofs, report, position, path, sender):
    with boa.env.prank(sender):
        proofs.program.prove_sum(report.facts_tuple, position, path)


def cheat_tree(proofs, honest, tree):
    report = honest.with_tree(honest.results, tree)
    proofs.programs.set_pending(report.facts_tuple)
    return report


# -- kind 2: sums --------------------------------------------------------------------------------


def test_prove_sum__honest_sums_add_up_along_every_path(world, proofs, honest):
    for position in range(1 << honest.tree.depth):
        # Past the members the path stops at the empty subtree (hash zero, nothing to open).
        deepest = honest.tree.depth if position < len(honest.results) else honest.tree.depth - 1
        for length in range(1, deepest + 1):
            with boa.reverts("program proofs: sums add up"):
                prove_sum(
                    proofs, honest, position, honest.path(position)[:length], world.actors.stranger
                )


@pytest.mark.parametrize(("level", "index", "right"), [(0, 1, False), (0, 2, True), (1, 0, True)])
def test_prove_sum__a_node_claiming_more_than_its_children(
    world, proofs, honest, level, index, right
):
    """One claimed sum raised and the hashes above rebuilt: the node below no longer adds up."""
    old = honest.tree.nodes[level][index]
    tree = honest.tree.set_claim(
        level, index, right, (old.right_sum if right else old.left_sum) + 7
    )
    report = cheat_tree(proofs, honest, tree)
    assert report.facts["total_g"] == honest.facts["total_g"] + 7 * (level == honest.tree.depth - 1)
    position = ((index << 1) | right) << level
    prove_sum(proofs, report, position, report.path(position), world.actors.challenger)
    h.assert_refuted(proofs, proofs.program, report, 2, position, world.actors.challenger)


def test_prove_sum__an_empty_child_claiming_a_sum(world, proofs, honest):
    """Positions 6-7 are empty: their subtree's hash is zero in node (1, 1); it claims 5 t."""
    tree = honest.tree.set_claim(1, 1, True, 5 * 10**6)
    report = cheat_tree(proofs, honest, tree)
    prove_sum(proofs, report, 6, report.path(6)[:2], world.actors.challenger)
    h.assert_refuted(proofs, proofs.program, report, 2, 6, world.actors.challenger)


def test_prove_sum__a_leaf_past_the_member_count(world, proofs, honest):
    """A credited leaf at position 6 that nobody can open (member_count stays 6)."""
    pairs = [(r.leaf_hash(), r.credited_g) for r in honest.results] + [(b"\x01" * 32, 10**6)]
    report = cheat_tree(proofs, honest, CheatTree(pairs, honest.tree.depth))
    assert report.facts["member_count"] == 6
    prove_sum(proofs, report, 6, report.path(6), world.actors.challenger)
    h.assert_refuted(proofs, proofs.program, report, 2, 6, world.actors.challenger)


def test_prove_sum__an_overflowing_sum_is_fraud_not_a_revert(world, proofs, honest):
    node = honest.tree.nodes[0][0]
    tree = honest.tree.set_claim(0, 0, True, 2**256 - node.left_sum)
    report = cheat_tree(proofs, honest, tree)
    prove_sum(proofs, report, 1, report.path(1), world.actors.challenger)
    h.assert_refuted(proofs, proofs.program, report, 2, 1, world.actors.challenger)


def test_prove_sum__griefers(world, proofs, honest):
    path = honest.path(3)
    bad = list(path[1])
    bad[1] += 1
    with boa.reverts("program proofs: path does not match the root"):
        prove_sum(proofs, honest, 3, [path[0], tuple(bad)], world.actors.stranger)
    with boa.reverts("program proofs: path length"):
        prove_sum(proofs, honest, 3, [*path, path[-1]], world.actors.stranger)
    with boa.reverts("program proofs: path length"):
        prove_sum(proofs, honest, 3, [], world.actors.stranger)
    with boa.reverts("program proofs: position beyond the tree"):
        prove_sum(proofs, honest, 8, path, world.actors.stranger)
    boa.env.time_travel(seconds=WINDOW)
    with boa.reverts("programs: challenge window over"):
        prove_sum(proofs, honest, 3, path, world.actors.stranger)


# -- kind 3: member order ------------------------------------------------------------------------


def order_args(report, position):
    return (
        report.facts_tuple,
        position,
        report.path(position),
        report.results[position].as_tuple(),
        report.path(position + 1),
        report.results[position + 1].as_tuple(),
    )


def test_prove_member_order__a_member_counted_twice(world, proofs, honest):
    results = list(honest.results)
    results.insert(3, results[2])  # member 3 twice: 7 leaves
    report = honest.with_results(results[:7])
    report.facts["member_count"] = 7
    proofs.programs.set_pending(report.facts_tuple)
    with boa.env.prank(world.actors.challenger):
        proofs.program.prove_member_order(*order_args(report, 2))
    h.assert_refuted(proofs, proofs.program, report, 3, 2, world.actors.challenger)


def test_prove_member_order__griefers(world, proofs, honest):
    for position in range(len(honest.results) - 1):
        with boa.reverts("program proofs: members in order"):
            proofs.program.prove_member_order(*order_args(honest, position))
    args = list(order_args(honest, 1))
    args[5] = honest.results[1].as_tuple()
    with boa.reverts("program proofs: result not in the report"):
        proofs.program.prove_member_order(*args)


# -- kind 7: enrollment order --------------------------------------------------------------------


class UncheckedEnrollment(EnrollmentTree):
    """An enrollment tree a cheating manager builds without the order check."""

    def __post_init__(self) -> None:
        from jcredit import program_tree

        saved = program_tree.check_enrollment_order
        program_tree.check_enrollment_order = lambda leaves: None
        try:
            super().__post_init__()
        finally:
            program_tree.check_enrollment_order = saved


def report_with_enrollment(world, proofs, households, leaves):
    enrollment = UncheckedEnrollment(leaves)
    report = build_report(world.domain, households, world.actors.oracle, enrollment=enrollment)
    return proofs.submit(report)


def enrollment_args(report, index):
    a, pa = report.enrolled(index)
    b, pb = report.enrolled(index + 1)
    return (report.facts_tuple, index, a, pa, b, pb)


def test_prove_enrollment_order__a_meter_enrolled_twice(world, proofs):
    hh = [household(i) for i in range(1, 4)]
    leaves = sorted(
        (leaf for x in hh for leaf in x.enrollment_leaves()), key=lambda lf: int(lf.meter, 16)
    )
    twice = replace(leaves[2], member_id=99)  # the same meter for a second member
    report = report_with_enrollment(world, proofs, hh, [*leaves[:3], twice, *leaves[3:]])
    with boa.env.prank(world.actors.challenger):
        proofs.program.prove_enrollment_order(*enrollment_args(report, 2))
    h.assert_refuted(proofs, proofs.program, report, 7, 2, world.actors.challenger, True)


def test_prove_enrollment_order__griefers(world, proofs, honest):
    for index in range(honest.enrollment.count - 1):
        with boa.reverts("program proofs: enrollment in order"):
            proofs.program.prove_enrollment_order(*enrollment_args(honest, index))
    last = honest.enrollment.count - 1
    args = [honest.facts_tuple, last, *honest.enrolled(last), *honest.enrolled(0)]
    with boa.reverts("program proofs: index beyond the enrollment"):
        proofs.program.prove_enrollment_order(*args)
    args = list(enrollment_args(honest, 0))
    args[2] = replace(EnrolledMeter(*args[2]), meter="0x" + "ff" * 20).as_tuple()
    with boa.reverts("program proofs: enrollment leaf not in the root"):
        proofs.program.prove_enrollment_order(*args)


# -- kind 8: enrolled elsewhere ------------------------------------------------------------------

OTHER = PROGRAM_ID + 1


def elsewhere(world, proofs, honest, approved_at, superseded_at=0, status=2, member=3):
    """Program 2's enrollment root 0 holds household `member`'s meters too."""
    other = enrollment_of([household(member), household(40)])
    proofs.programs.set_enrollment(
        OTHER, 0, enrollment_record(other, approved_at, superseded_at, status)
    )
    return other


def elsewhere_args(honest, other, member=3, other_member=3, program=OTHER):
    meter = household(member).generation.address
    index = honest.enrollment.index_of(meter)
    other_index = other.index_of(household(other_member).generation.address)
    leaf, proof = honest.enrolled(index)
    return (
        honest.facts_tuple,
        index,
        leaf,
        proof,
        program,
        0,
        other_index,
        other.leaves[other_index].as_tuple(),
        other.proof(other_index),
    )


@pytest.mark.parametrize(
    ("approved_at", "superseded_at"),
    [
        (ENROLLMENT_APPROVED_AT, 0),
        (ENROLLMENT_APPROVED_AT - 86400, 0),
        (ENROLLMENT_APPROVED_AT - 86400, ENROLLMENT_APPROVED_AT + 1),
    ],
)
def test_prove_enrolled_elsewhere__holds(world, proofs, honest, approved_at, superseded_at):
    other = elsewhere(world, proofs, honest, approved_at, superseded_at)
    args = elsewhere_args(honest, other)
    with boa.env.prank(world.actors.challenger):
        proofs.program.prove_enrolled_elsewhere(*args)
    h.assert_refuted(proofs, proofs.program, honest, 8, args[1], world.actors.challenger, True)


@pytest.mark.parametrize(
    ("approved_at", "superseded_at", "status", "reason"),
    [
        (ENROLLMENT_APPROVED_AT + 1, 0, 2, "program proofs: other enrollment approved later"),
        (
            ENROLLMENT_APPROVED_AT - 9,
            ENROLLMENT_APPROVED_AT,
            2,
            "program proofs: other enrollment superseded before",
        ),
        (ENROLLMENT_APPROVED_AT - 9, 0, 1, "program proofs: other enrollment not approved"),
        (ENROLLMENT_APPROVED_AT - 9, 0, 8, "program proofs: other enrollment not approved"),
    ],
)
def test_prove_enrolled_elsewhere__not_in_force(
    world, proofs, honest, approved_at, superseded_at, status, reason
):
    other = elsewhere(world, proofs, honest, approved_at, superseded_at, status)
    with boa.reverts(reason):
        proofs.program.prove_enrolled_elsewhere(*elsewhere_args(honest, other))


def test_prove_enrolled_elsewhere__griefers(world, proofs, honest):
    other = elsewhere(world, proofs, honest, ENROLLMENT_APPROVED_AT - 9)
    with boa.reverts("program proofs: another meter"):
        proofs.program.prove_enrolled_elsewhere(
            *elsewhere_args(honest, other, member=4, other_member=3)
        )
    with boa.reverts("program proofs: same program"):
        proofs.program.prove_enrolled_elsewhere(*elsewhere_args(honest, other, program=PROGRAM_ID))
    args = list(elsewhere_args(honest, other))
    args[7] = replace(EnrolledMeter(*args[7]), member_id=1).as_tuple()
    with boa.reverts("program proofs: enrollment leaf not in the root"):
        proofs.program.prove_enrolled_elsewhere(*args)
    args = list(elsewhere_args(honest, other))
    args[6] = other.count
    with boa.reverts("program proofs: index beyond the enrollment"):
        proofs.program.prove_enrolled_elsewhere(*args)


# -- kind 9: a single-site meter -----------------------------------------------------------------


def single_site(world, hh, approve=True):
    """`hh`'s generation meter registered (and approved) for a single-site project."""
    project_id = world.register_project()
    world.register_meter(project_id, hh.generation, GENERATION, serial=f"SN-P-{hh.member_id}")
    if approve:
        world.approve_meter(hh.generation)


def single_site_args(honest, member=3):
    index = honest.enrollment.index_of(household(member).generation.address)
    leaf, proof = honest.enrolled(index)
    return (honest.facts_tuple, index, leaf, proof)


def test_prove_single_site__an_approved_registry_meter(world, proofs, honest):
    single_site(world, household(3))
    args = single_site_args(honest)
    with boa.env.prank(world.actors.challenger):
        proofs.program.prove_single_site(*args)
    h.assert_refuted(proofs, proofs.program, honest, 9, args[1], world.actors.challenger, True)


def test_prove_single_site__griefers(world, proofs, honest):
    with boa.reverts("program proofs: not a single-site meter"):
        proofs.program.prove_single_site(*single_site_args(honest))
    single_site(world, household(3), approve=False)
    with boa.reverts("program proofs: not a single-site meter"):
        proofs.program.prove_single_site(*single_site_args(honest))
    args = list(single_site_args(honest, member=4))
    args[2] = single_site_args(honest)[2]
    with boa.reverts("program proofs: enrollment leaf not in the root"):
        proofs.program.prove_single_site(*args)
    stale = list(honest.facts_tuple)
    stale[1] += 1
    with boa.reverts("programs: facts differ from the report"):
        proofs.program.prove_single_site(tuple(stale), *single_site_args(honest)[1:])


def test_constructor__refuses_a_zero_programs(proof_factories):
    with boa.reverts("program proofs: zero address"):
        proof_factories[1].deploy("0x" + "00" * 20)


def test_nodes_arg_round_trip(honest):
    assert nodes_arg(honest.tree.path(0)) == honest.path(0)
