"""Gas of each of the 9 program proofs at 10,000 members against the REAL Programs, MemberProofs
and ProgramProofs (deployed and bound as jcredit/program_deployment.py does), not the test double.

The reports are those of tests/contracts/program_proofs (program_world builders): three real,
signed households (the third with an above-capacity interval) and members 4..10,000 copying the
third's result (their leaves differ by member id), an enrollment of 20,000 meters (sum tree depth
14, enrollment depth 15). Each proof gets its own program and its own oracle (a proof slashes the
oracle), so no `boa.env.anchor()` is needed and every call is measured cold like a new
transaction (benchmarks.bench_gas.measure). The figure includes the real `Programs.refute` (bond
paid to the challenger, oracle slashed, report dropped), which the test double only records.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import boa

from benchmarks.bench_gas import measure
from jcredit.keccak import keccak256
from jcredit.program_tree import EnrolledMeter, EnrollmentTree, MemberResult
from tests.contracts.contract_world import (
    CONTRACTS,
    DAY,
    GENERATION,
    JULY_2025,
    JUNE_2025,
    MAY_2025,
    deploy_world,
    events,
    load_factories,
    make_actors,
)
from tests.contracts.program_proofs.program_world import (
    FACTS_FIELDS,
    FISCAL_YEAR,
    READ_EVERY,
    ProgramReportData,
    batch_data,
    build_report,
    honest_result,
    household,
    sign,
)

MEMBERS = 10_000
REPORT_BOND = 10**17
DEMAND_BOND = 10**16
CAP_T = 500
SPIKE_AT = MAY_2025 + 9 * DAY + 12 * 3600
SETUP_AT = MAY_2025 - 2 * DAY  # programs created and enrollments approved before the period
TARGET = 300_000


class RealPrograms:
    """A platform Registry plus Programs, MemberProofs, ProgramProofs and the programs'
    CarbonCredit, deployed and bound like jcredit.program_deployment.deploy_programs."""

    def __init__(self, oracles: int = 12) -> None:
        factories = load_factories()
        self.base = make_actors()
        self.manager = boa.env.generate_address("program-manager")
        self.payout = boa.env.generate_address("program-payout")
        self.oracles = [boa.env.generate_address(f"program-oracle-{n}") for n in range(oracles)]
        self.world = deploy_world(factories, self.base, launch=False)
        registry = self.world.registry
        with boa.env.prank(self.base.admin):
            for oracle in self.oracles:
                registry.grant_role(registry.ORACLE_ROLE(), oracle)
            self.programs = boa.load_partial(str(CONTRACTS / "Programs.vy")).deploy(
                registry.address, REPORT_BOND, DEMAND_BOND
            )
            self.member_proofs = boa.load_partial(str(CONTRACTS / "MemberProofs.vy")).deploy(
                self.programs.address
            )
            self.program_proofs = boa.load_partial(str(CONTRACTS / "ProgramProofs.vy")).deploy(
                self.programs.address
            )
            self.credit = factories.credit.deploy("https://program-credits.example/")
            self.programs.bind(
                self.credit.address, self.member_proofs.address, self.program_proofs.address
            )
            self.credit.bind_registry(self.programs.address)
            registry.launch()
            self.credit.launch()
        for account in (*self.oracles, self.base.challenger, self.base.stranger, self.manager):
            boa.env.set_balance(account, 100 * 10**18)
        self._next_oracle = 0

    @property
    def domain(self):
        return self.world.domain

    def next_oracle(self) -> str:
        oracle = self.oracles[self._next_oracle]
        self._next_oracle += 1
        return oracle

    def create(self, first: int, oracle: str) -> int:
        with boa.env.prank(self.manager):
            program_id = self.programs.create_program(
                self.payout, CAP_T, first, "EN-R-002", "ipfs://program"
            )
        with boa.env.prank(self.base.validator):
            self.programs.approve_program(program_id)
        with boa.env.prank(self.manager):
            self.programs.set_program_oracle(program_id, oracle)
        return program_id

    def enroll(self, program_id: int, tree: EnrollmentTree) -> int:
        with boa.env.prank(self.manager):
            index = self.programs.propose_enrollment(program_id, tree.root, tree.count, "ipfs://e")
        with boa.env.prank(self.base.validator):
            self.programs.approve_enrollment(program_id, index)
        return index

    def submit(self, report: ProgramReportData, oracle: str) -> ProgramReportData:
        """Submits `report` (its period end, member count and root node); the returned copy
        carries the facts Programs logged."""
        with boa.env.prank(oracle):
            self.programs.submit_report(
                report.program_id,
                report.facts["period_end"],
                FISCAL_YEAR,
                len(report.results),
                report.tree.root_node.as_tuple(),
                "ar://results",
                value=REPORT_BOND,
            )
        (logged,) = events(self.programs, "ProgramReportSubmitted")
        facts = dict(zip(FACTS_FIELDS, logged["facts"], strict=True))
        assert facts["sum_root"] == report.tree.root and facts["depth"] == report.tree.depth
        assert facts["enrollment_root"] == report.enrollment.root
        return replace(report, report_id=facts["report_id"], facts=facts)

    def finalize(self, report: ProgramReportData) -> None:
        boa.env.timestamp = max(boa.env.timestamp, report.facts["challenge_deadline"] + 1)
        with boa.env.prank(self.base.stranger):
            self.programs.finalize(report.facts_tuple)


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


_FILLER: list[EnrolledMeter] = []
_SENTINEL = 0xA5A5_A5A5_A5A5_A5A5
_TEMPLATES: dict[tuple, tuple[bytes, int]] = {}


@dataclass(frozen=True)
class _Copy(MemberResult):
    """A copied member result whose ABI encoding is the template's with the member id patched
    in (eth_abi takes ~1 ms a leaf: 10,000 copies per tree otherwise dominate the bench)."""

    def encode(self) -> bytes:
        key = (id(self.meters), *(getattr(self, f.name) for f in fields(self)[2:]))
        if key not in _TEMPLATES:
            template = MemberResult.encode(replace(self, member_id=_SENTINEL))
            word = _SENTINEL.to_bytes(32, "big")
            assert template.count(word) == 1
            _TEMPLATES[key] = (template, template.index(word))
        template, at = _TEMPLATES[key]
        return template[:at] + self.member_id.to_bytes(32, "big") + template[at + 32 :]


def copies_of(result: MemberResult, member_ids) -> list[MemberResult]:
    values = {f.name: getattr(result, f.name) for f in fields(result)}
    out = [_Copy(**{**values, "member_id": m}) for m in member_ids]
    assert out[0].encode() == MemberResult.encode(out[0])
    return out


def big_enrollment(real, extra=()) -> EnrollmentTree:
    if not _FILLER:
        _FILLER.extend(filler_leaves(2 * MEMBERS - 2 * len(real)))
    leaves = [leaf for hh in real for leaf in hh.enrollment_leaves()] + _FILLER + list(extra)
    return EnrollmentTree(sorted(leaves, key=lambda lf: int(lf.meter, 16)))


def big_report(
    domain, program_id, real, enrollment, period=(MAY_2025, JUNE_2025), results=None
) -> ProgramReportData:
    """A 10,000-member report: `real` households' honest results, then copies of the last."""
    if results is None:
        results = [honest_result(domain, program_id, hh, enrollment, period) for hh in real]
        last = results[-1]
        results += copies_of(last, range(len(results) + 1, MEMBERS + 1))
    return build_report(
        domain,
        real,
        "0x" + "00" * 20,
        program_id=program_id,
        period=period,
        enrollment=enrollment,
        results=results,
    )


def run() -> dict:
    boa.env.timestamp = SETUP_AT
    rp = RealPrograms()
    domain = rp.domain
    spiky = household(3, spike_at=SPIKE_AT, spike_wh=household(3).capacity_w)
    real = [household(1), household(2), spiky]
    enrollment = big_enrollment(real)
    assert enrollment.count == 2 * MEMBERS
    pos = 2
    meter = spiky.generation.address

    # Setup before the period: one program (and oracle) per proof, enrollments approved.
    kinds = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
    oracle = {k: rp.next_oracle() for k in kinds}
    pid = {k: rp.create(MAY_2025, oracle[k]) for k in kinds}
    for k in kinds:
        if k != "7":
            rp.enroll(pid[k], enrollment)
    # kind 7: an enrollment with the meter twice (order unchecked, as a careless manager's).
    leaves = list(enrollment.leaves)
    i = enrollment.index_of(meter)
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

    unchecked = Unchecked(twice)
    rp.enroll(pid["7"], unchecked)
    # kind 8: a second program enrolls the same meters (approved no later than the report's).
    elsewhere = rp.create(MAY_2025, rp.next_oracle())
    elsewhere_index = rp.enroll(elsewhere, enrollment)

    reports = {k: big_report(domain, pid[k], real, enrollment) for k in kinds if k != "7"}
    reports["7"] = big_report(domain, pid["7"], real, unchecked)
    assert reports["1"].tree.depth == 14

    # The cheats each oracle submits for May.
    honest = reports["1"]
    over = replace(honest.results[pos], ytd_credited_g=honest.facts["cap_g"] + 1)
    cheat = {
        "1": honest.with_results([*honest.results[:pos], over, *honest.results[pos + 1 :]]),
    }
    r2 = reports["2"]
    node = r2.tree.nodes[0][pos >> 1]
    cheat["2"] = r2.with_tree(r2.results, r2.tree.set_claim(0, pos >> 1, False, node.left_sum + 1))
    r3 = reports["3"]
    dup = list(r3.results)
    dup[pos + 1] = dup[pos]
    cheat["3"] = r3.with_results(dup)
    r4 = reports["4"]
    stale = honest_result(
        domain, pid["4"], spiky, enrollment, boundary_ts=(MAY_2025 - READ_EVERY, JUNE_2025)
    )
    cheat["4"] = r4.with_results([*r4.results[:pos], stale, *r4.results[pos + 1 :]])
    for k in ("5", "6", "7", "8", "9"):
        cheat[k] = reports[k]

    boa.env.timestamp = JUNE_2025 + DAY
    pending = {k: rp.submit(cheat[k], oracle[k]) for k in kinds}
    challenger = rp.base.challenger
    gas: dict[str, int] = {}

    r = pending["1"]
    gas["1 prove_member (rules 1-5 run)"] = measure(
        rp.member_proofs, challenger, "prove_member", *r.member_args(pos)
    )
    r = pending["2"]
    gas["2 prove_sum (depth 14)"] = measure(
        rp.program_proofs, challenger, "prove_sum", r.facts_tuple, pos, r.path(pos)
    )
    r = pending["3"]
    gas["3 prove_member_order"] = measure(
        rp.program_proofs,
        challenger,
        "prove_member_order",
        r.facts_tuple,
        pos,
        r.path(pos),
        r.results[pos].as_tuple(),
        r.path(pos + 1),
        r.results[pos + 1].as_tuple(),
    )
    r = pending["4"]
    later = sign(domain, pid["4"], spiky.generation, [(MAY_2025, spiky.gen_register(MAY_2025))])
    leaf, proof = r.enrolled(stale.meters[0].enrollment_index)
    gas["4 prove_later_reading"] = measure(
        rp.member_proofs,
        challenger,
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
    r = pending["5"]
    readings = [(t, spiky.gen_register(t)) for t in (SPIKE_AT - READ_EVERY, SPIKE_AT)]
    data = batch_data(domain, pid["5"], spiky.generation, readings)
    leaf, proof = r.enrolled(r.results[pos].meters[0].enrollment_index)
    gas["5 prove_interval (one batch)"] = measure(
        rp.member_proofs,
        challenger,
        "prove_interval",
        r.facts_tuple,
        pos,
        r.path(pos),
        r.results[pos].as_tuple(),
        leaf,
        proof,
        ([data], 0, 1),
    )
    r = pending["7"]
    i = r.enrollment.index_of(meter)
    gas["7 prove_enrollment_order"] = measure(
        rp.program_proofs,
        challenger,
        "prove_enrollment_order",
        r.facts_tuple,
        i,
        *r.enrolled(i),
        *r.enrolled(i + 1),
    )
    r = pending["8"]
    i = r.enrollment.index_of(meter)
    gas["8 prove_enrolled_elsewhere"] = measure(
        rp.program_proofs,
        challenger,
        "prove_enrolled_elsewhere",
        r.facts_tuple,
        i,
        *r.enrolled(i),
        elsewhere,
        elsewhere_index,
        i,
        enrollment.leaves[i].as_tuple(),
        enrollment.proof(i),
    )
    r = pending["9"]
    world = rp.world
    project_id = world.register_project()
    world.register_meter(project_id, spiky.generation, GENERATION, serial="SN-BENCH")
    world.approve_meter(spiky.generation)
    i = r.enrollment.index_of(meter)
    gas["9 prove_single_site"] = measure(
        rp.program_proofs, challenger, "prove_single_site", r.facts_tuple, i, *r.enrolled(i)
    )
    # kind 6: May finalized, then June forgets May's year to date.
    may = pending["6"]
    rp.finalize(may)
    boa.env.timestamp = max(boa.env.timestamp, JULY_2025 + DAY)
    june = rp.submit(
        big_report(domain, pid["6"], real, enrollment, period=(JUNE_2025, JULY_2025)),
        oracle["6"],
    )
    gas["6 prove_cap"] = measure(
        rp.member_proofs,
        challenger,
        "prove_cap",
        june.facts_tuple,
        pos,
        june.path(pos),
        june.results[pos].as_tuple(),
        may.earlier(),
        pos,
        may.path(pos),
        may.results[pos].as_tuple(),
    )
    for name in gas:
        assert rp.programs.is_slashed(oracle[name.split()[0]]), f"{name}: the proof did not hold"
    ordered = dict(sorted(gas.items()))
    return {
        "members": MEMBERS,
        "sum_tree_depth": honest.tree.depth,
        "enrollment_meters": enrollment.count,
        "contracts": "real Programs + MemberProofs + ProgramProofs (refute, bond and slash "
        "included)",
        "target": TARGET,
        "gas": ordered,
        "max": max(ordered.values()),
        "all_under_target": all(g < TARGET for g in ordered.values()),
    }
