"""Hypothesis: for an honest random program report (1-40 households), every proof reverts; a
cheating oracle that changes ONE harmful member-leaf field, or ONE claimed sum of an inner node
(rebuilding the hashes above so the root is consistent), is caught by some proof.

Harmless changes are left out on purpose, since no proof can or needs to show them: `reason`
(informational), `credited_g` lowered (the report under-credits), `ytd_credited_g` raised within
the cap (it only tightens later credits), and a depth-1 root claiming 0 for a credited leaf.
"""

from dataclasses import replace

import boa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contracts.program_proofs.program_world import build_report, household

MEMBERS = st.integers(min_value=1, max_value=40)
LEAF_FIELDS = [
    "member_id",
    "enrollment_index",
    "start.last_cumulative_wh",
    "end.last_cumulative_wh",
    "start.last_timestamp",
    "end.last_timestamp",
    "end.first_timestamp",
    "end.readings_hash",
    "start.signature",
    "end.meter",
    "self_consumed_wh",
    "reduction_g",
    "credited_g+",
    "ytd_credited_g-",
    "valid",
]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def honest_report(world, proofs, n):
    report = build_report(
        world.domain, [household(i) for i in range(1, n + 1)], world.actors.oracle
    )
    return proofs.submit(report)


def attempts(proofs, report, positions):
    """Every proof call that could show a cheat at these positions (as callables)."""
    calls = []
    size = 1 << report.tree.depth
    for p in positions:
        if not 0 <= p < size:
            continue
        for length in range(1, report.tree.depth + 1):
            path = report.path(p)[:length]
            calls.append(
                lambda p=p, path=path: proofs.program.prove_sum(report.facts_tuple, p, path)
            )
        if p < len(report.results):
            calls.append(lambda p=p: proofs.member.prove_member(*report.member_args(p)))
            for q in (p - 1, p):
                if q >= 0 and q + 1 < len(report.results):
                    calls.append(
                        lambda q=q: proofs.program.prove_member_order(
                            report.facts_tuple,
                            q,
                            report.path(q),
                            report.results[q].as_tuple(),
                            report.path(q + 1),
                            report.results[q + 1].as_tuple(),
                        )
                    )
    return calls


def provable(calls) -> bool:
    for call in calls:
        with boa.env.anchor():
            try:
                call()
                return True
            except boa.BoaError:
                continue
    return False


@SETTINGS
@given(n=MEMBERS)
def test_every_proof_against_an_honest_report_reverts(world, proofs, n):
    with boa.env.anchor():
        report = honest_report(world, proofs, n)
        assert not provable(attempts(proofs, report, range(1 << report.tree.depth)))
        assert proofs.programs.refute_count() == 0


def _tamper(result, field, delta, rnd):
    if field in ("member_id", "self_consumed_wh", "reduction_g"):
        return replace(result, **{field: max(0, getattr(result, field) + delta) or 1})
    if field == "credited_g+":
        return replace(
            result,
            credited_g=result.credited_g + abs(delta),
            ytd_credited_g=result.ytd_credited_g + abs(delta),
        )
    if field == "ytd_credited_g-":
        return replace(result, ytd_credited_g=max(0, result.ytd_credited_g - abs(delta)))
    if field == "valid":
        return replace(result, valid=False)
    i = rnd % len(result.meters)
    meters = list(result.meters)
    if field == "enrollment_index":
        meters[i] = replace(meters[i], enrollment_index=meters[i].enrollment_index + delta)
    else:
        which, name = field.split(".")
        batch = getattr(meters[i], which)
        value = getattr(batch, name)
        if name == "readings_hash":
            value = bytes([value[0] ^ 1]) + value[1:]
        elif name == "signature":
            value = value[: rnd % 64] + bytes([value[rnd % 64] ^ 0x40]) + value[rnd % 64 + 1 :]
        elif name == "meter":
            value = meters[(i + 1) % len(meters)].start.meter
        else:
            value = max(0, value + delta)
        meters[i] = replace(meters[i], **{which: replace(batch, **{name: value})})
    return replace(result, meters=tuple(meters))


@SETTINGS
@given(
    n=MEMBERS,
    pick=st.integers(min_value=0, max_value=10**6),
    field=st.sampled_from(LEAF_FIELDS),
    delta=st.integers(min_value=-(10**6), max_value=10**6).filter(lambda d: d != 0),
)
def test_one_tampered_leaf_field_is_provable(world, proofs, n, pick, field, delta):
    with boa.env.anchor():
        honest = build_report(
            world.domain, [household(i) for i in range(1, n + 1)], world.actors.oracle
        )
        position = pick % n
        results = list(honest.results)
        results[position] = _tamper(results[position], field, delta, pick)
        if results[position] == honest.results[position]:
            return
        report = proofs.submit(honest.with_results(results))
        assert provable(attempts(proofs, report, [position]))


@SETTINGS
@given(
    n=MEMBERS,
    pick=st.integers(min_value=0, max_value=10**6),
    right=st.booleans(),
    new_sum=st.one_of(st.integers(0, 10**7), st.integers(0, 2**256 - 1)),
)
def test_one_changed_inner_sum_is_provable(world, proofs, n, pick, right, new_sum):
    with boa.env.anchor():
        honest = build_report(
            world.domain, [household(i) for i in range(1, n + 1)], world.actors.oracle
        )
        depth = honest.tree.depth
        level = pick % depth
        index = (pick // depth) % len(honest.tree.nodes[level])
        node = honest.tree.nodes[level][index]
        old = node.right_sum if right else node.left_sum
        if new_sum == old or (depth == 1 and new_sum == 0):
            return
        report = honest.with_tree(
            honest.results, honest.tree.set_claim(level, index, right, new_sum)
        )
        proofs.submit(report)
        position = ((index << 1) | right) << level
        assert provable(attempts(proofs, report, [position]))
