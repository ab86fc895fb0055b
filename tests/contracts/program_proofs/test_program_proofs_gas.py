"""Gas of each holding proof against a 10,000-member report (sum tree depth 14, enrollment of
20,000 meters, depth 15), and the two deployables' sizes under EIP-170.

Only the proven members' data are checked, so members 4..10,000 reuse member 3's signed meters
(their leaves differ by member id) and the enrollment is filled with leaves of made-up meters.
Figures are transaction gas (21,000 + calldata + execution - capped refund), the Programs double's
`refute` included (a real `Programs` pays the bond and slashes instead). Run with `-s` to print.
"""

from dataclasses import replace

import boa
import pytest

from jcredit.keccak import keccak256
from jcredit.program_tree import EnrolledMeter
from tests.contracts.contract_world import CONTRACTS, GENERATION, JULY_2025, JUNE_2025
from tests.contracts.program_proofs.program_world import (
    PERIOD_END,
    PERIOD_START,
    PROGRAM_ID,
    READ_EVERY,
    EnrollmentTree,
    ProgramReportData,
    batch_data,
    build_report,
    enrollment_record,
    honest_result,
    household,
    sign,
)

MEMBERS = 10_000
EIP170_LIMIT = 24_576
TARGET = 300_000
SPIKE_AT = PERIOD_START + 9 * 86400 + 12 * 3600


def tx_gas(contract) -> int:
    computation = contract._computation
    intrinsic = 21_000 + sum(16 if b else 4 for b in computation.msg.data)
    used = intrinsic + computation.get_gas_used()
    return used - min(computation.get_gas_refund(), used // 5)


def filler_leaves(count: int) -> list[EnrolledMeter]:
    return [
        EnrolledMeter(
            meter="0x" + keccak256(i.to_bytes(32, "big"))[:20].hex(),
            member_id=10**6 + i,
            kind=GENERATION,
            interval_seconds=3600,
            capacity_w=5_000,
            crediting_start=0,
            crediting_end=2**40,
            certification_expiry=2**40,
            consent_hash=bytes(32),
        )
        for i in range(count)
    ]


def big_report(world, real, results_for, period=(PERIOD_START, PERIOD_END), report_id=1, extra=()):
    """A 10,000-member report: `real` households first, then copies of the last one's result."""
    leaves = [leaf for hh in real for leaf in hh.enrollment_leaves()]
    leaves += filler_leaves(2 * MEMBERS - len(leaves)) + list(extra)
    enrollment = EnrollmentTree(sorted(leaves, key=lambda lf: int(lf.meter, 16)))
    results = results_for(enrollment)
    last = results[-1]
    results += [replace(last, member_id=m) for m in range(len(results) + 1, MEMBERS + 1)]
    return build_report(
        world.domain,
        real,
        world.actors.oracle,
        period=period,
        report_id=report_id,
        enrollment=enrollment,
        results=results,
    )


def honest_results(world, real, period=(PERIOD_START, PERIOD_END), **kw):
    return lambda enrollment: [
        honest_result(world.domain, PROGRAM_ID, hh, enrollment, period, **kw) for hh in real
    ]


def measure(contract, fn, *args) -> int:
    getattr(contract, fn)(*args)
    return tx_gas(contract)


@pytest.fixture(scope="module")
def figures():
    out: dict[str, int] = {}
    yield out
    print("\nproof gas at 10,000 members:")
    for name, gas in out.items():
        print(f"  {name:<34} {gas:>9,}")


def test_gas__proofs_at_10000_members(world, proofs, figures):
    spiky = household(3, spike_at=SPIKE_AT, spike_wh=household(3).capacity_w)
    real = [household(1), household(2), spiky]
    report: ProgramReportData = big_report(world, real, honest_results(world, real))
    assert report.tree.depth == 14 and report.enrollment.count == 2 * MEMBERS
    pos = 2

    def submit(r):
        proofs.submit(r)
        return r

    # kind 1: a late problem (ytd over the cap) so the whole rule set runs.
    with boa.env.anchor():
        over = replace(report.results[pos], ytd_credited_g=report.facts["cap_g"] + 1)
        r = report.with_results([*report.results[:pos], over, *report.results[pos + 1 :]])
        submit(r)
        figures["1 prove_member (rules 1-5 run)"] = measure(
            proofs.member, "prove_member", *r.member_args(pos)
        )
    # kind 2: the deepest node claims more than its children.
    with boa.env.anchor():
        node = report.tree.nodes[0][pos >> 1]
        r = submit(
            report.with_tree(
                report.results, report.tree.set_claim(0, pos >> 1, False, node.left_sum + 1)
            )
        )
        figures["2 prove_sum (depth 14)"] = measure(
            proofs.program, "prove_sum", r.facts_tuple, pos, r.path(pos)
        )
    # kind 3: member 3 twice.
    with boa.env.anchor():
        results = list(report.results)
        results[pos + 1] = results[pos]
        r = submit(report.with_results(results))
        figures["3 prove_member_order"] = measure(
            proofs.program,
            "prove_member_order",
            r.facts_tuple,
            pos,
            r.path(pos),
            r.results[pos].as_tuple(),
            r.path(pos + 1),
            r.results[pos + 1].as_tuple(),
        )
    # kind 4: a stale start reading.
    with boa.env.anchor():
        stale = honest_result(
            world.domain,
            PROGRAM_ID,
            spiky,
            report.enrollment,
            boundary_ts=(PERIOD_START - READ_EVERY, PERIOD_END),
        )
        r = submit(report.with_results([*report.results[:pos], stale, *report.results[pos + 1 :]]))
        later = sign(
            world.domain,
            PROGRAM_ID,
            spiky.generation,
            [(PERIOD_START, spiky.gen_register(PERIOD_START))],
        )
        leaf, proof = r.enrolled(stale.meters[0].enrollment_index)
        figures["4 prove_later_reading"] = measure(
            proofs.member,
            "prove_later_reading",
            r.facts_tuple,
            pos,
            r.path(pos),
            stale.as_tuple(),
            0,
            True,
            later.as_signed_reading(),
            leaf,
            proof,
        )
    # kind 5: the spike.
    with boa.env.anchor():
        r = submit(report)
        readings = [(t, spiky.gen_register(t)) for t in (SPIKE_AT - READ_EVERY, SPIKE_AT)]
        data = batch_data(world.domain, PROGRAM_ID, spiky.generation, readings)
        leaf, proof = r.enrolled(r.results[pos].meters[0].enrollment_index)
        figures["5 prove_interval (one batch)"] = measure(
            proofs.member,
            "prove_interval",
            r.facts_tuple,
            pos,
            r.path(pos),
            r.results[pos].as_tuple(),
            leaf,
            proof,
            ([data], 0, 1),
        )
    # kind 6: June forgets May's year to date.
    with boa.env.anchor():
        proofs.programs.set_finalized(report.report_id, report.finalized_hash())
        june = big_report(
            world,
            real,
            honest_results(world, real, period=(JUNE_2025, JULY_2025)),
            period=(JUNE_2025, JULY_2025),
            report_id=2,
        )
        submit(june)
        figures["6 prove_cap"] = measure(
            proofs.member,
            "prove_cap",
            june.facts_tuple,
            pos,
            june.path(pos),
            june.results[pos].as_tuple(),
            report.earlier(),
            pos,
            report.path(pos),
            report.results[pos].as_tuple(),
        )
    # kinds 7-9 against the enrollment.
    meter = spiky.generation.address
    with boa.env.anchor():
        leaves = list(report.enrollment.leaves)
        i = report.enrollment.index_of(meter)
        twice = [*leaves[: i + 1], replace(leaves[i], member_id=99), *leaves[i + 1 : -1]]

        class Unchecked(EnrollmentTree):
            def __post_init__(self):
                from jcredit import program_tree

                saved = program_tree.check_enrollment_order
                program_tree.check_enrollment_order = lambda leaves: None
                try:
                    super().__post_init__()
                finally:
                    program_tree.check_enrollment_order = saved

        enrollment = Unchecked(twice)
        r = build_report(
            world.domain, real, world.actors.oracle, enrollment=enrollment, results=report.results
        )
        submit(r)
        figures["7 prove_enrollment_order"] = measure(
            proofs.program,
            "prove_enrollment_order",
            r.facts_tuple,
            i,
            *r.enrolled(i),
            *r.enrolled(i + 1),
        )
    with boa.env.anchor():
        r = submit(report)
        other = EnrollmentTree(sorted(report.enrollment.leaves, key=lambda lf: int(lf.meter, 16)))
        proofs.programs.set_enrollment(PROGRAM_ID + 1, 0, enrollment_record(other, 1))
        i = r.enrollment.index_of(meter)
        figures["8 prove_enrolled_elsewhere"] = measure(
            proofs.program,
            "prove_enrolled_elsewhere",
            r.facts_tuple,
            i,
            *r.enrolled(i),
            PROGRAM_ID + 1,
            0,
            i,
            other.leaves[i].as_tuple(),
            other.proof(i),
        )
    with boa.env.anchor():
        r = submit(report)
        project_id = world.register_project()
        world.register_meter(project_id, spiky.generation, GENERATION, serial="SN-GAS")
        world.approve_meter(spiky.generation)
        i = r.enrollment.index_of(meter)
        figures["9 prove_single_site"] = measure(
            proofs.program, "prove_single_site", r.facts_tuple, i, *r.enrolled(i)
        )
    assert len(figures) == 9
    for name, gas in figures.items():
        assert gas < TARGET, f"{name}: {gas:,} gas"


@pytest.mark.parametrize("name", ["MemberProofs", "ProgramProofs"])
def test_size__under_eip170_with_margin(name):
    size = len(boa.load_partial(str(CONTRACTS / f"{name}.vy")).compiler_data.bytecode_runtime)
    print(f"\n{name}: {size:,} bytes")
    assert size <= EIP170_LIMIT - 512
