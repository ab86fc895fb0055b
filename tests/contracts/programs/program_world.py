"""Test world of program-type projects: a Registry (with roles), Programs, its own CarbonCredit,
two test forwarders bound as the proof contracts, and builders of real enrollment and sum trees.

Member results carry synthetic (unsigned) boundary batches: `Programs` never checks signatures, only
that a posted leaf and its enrollment leaves are in the committed trees.
"""

from dataclasses import dataclass
from pathlib import Path

import boa

from jcredit.eip712 import Batch
from jcredit.program_tree import (
    EnrolledMeter,
    EnrollmentTree,
    MemberResult,
    MeterBoundary,
    SumNode,
    SumTree,
)
from tests.contracts.contract_world import (
    CONTRACTS,
    DAY,
    FY2025_START,
    MAY_2025,
    Factories,
    World,
    deploy_world,
    events,
)

FORWARDER = Path(__file__).with_name("proof_forwarder.vy")
REPORT_BOND = 10**17
DEMAND_BOND = 10**16
CAP_T = 500
G_PER_T = 10**6
RESPONSE_SECONDS = 6 * 3600
WINDOW = DAY
PROPOSED, APPROVED, REJECTED, REFUTED = 1, 2, 4, 8
FRAUD_PROVEN, DATA_WITHHELD = 1, 2
DEMAND_OPEN, DEMAND_ANSWERED, DEMAND_EXPIRED, DEMAND_RECLAIMED = 1, 2, 3, 4
GENERATION, EXPORT = 1, 2
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass
class ProgramActors:
    admin: str
    validator: str
    oracle: str
    oracle2: str
    pauser: str
    registrar: str
    manager: str
    payout: str
    demander: str
    challenger: str
    stranger: str
    spare_oracles: list[str]


@dataclass
class Program:
    """A program under test with its current enrollment tree."""

    program_id: int
    enrollment: EnrollmentTree | None = None
    enrollment_index: int = 0


def make_program_actors(base) -> ProgramActors:
    """Program actors; the Registry roles reuse the base world's role-named actors."""
    return ProgramActors(
        admin=base.admin,
        validator=base.validator,
        oracle=base.oracle,
        oracle2=boa.env.generate_address("oracle2"),
        pauser=base.pauser,
        registrar=base.registrar,
        manager=boa.env.generate_address("manager"),
        payout=boa.env.generate_address("payout"),
        demander=boa.env.generate_address("demander"),
        challenger=base.challenger,
        stranger=base.stranger,
        spare_oracles=[boa.env.generate_address(f"oracle{n}") for n in range(3, 9)],
    )


def meter_address(index: int) -> str:
    """Synthetic meter addresses, ascending with `index` (so enrollment leaves stay sorted)."""
    return "0x" + (0x1000 + index).to_bytes(20, "big").hex()


def enrollment_for(members: int, first_member: int = 1) -> EnrollmentTree:
    """Each member a generation and an export meter (difference metering, 5 kW)."""
    leaves = []
    for m in range(members):
        for k, kind in enumerate((GENERATION, EXPORT)):
            leaves.append(
                EnrolledMeter(
                    meter=meter_address(2 * (first_member - 1 + m) + k),
                    member_id=first_member + m,
                    kind=kind,
                    interval_seconds=1800,
                    capacity_w=5_000,
                    crediting_start=FY2025_START,
                    crediting_end=FY2025_START + 8 * 365 * DAY,
                    certification_expiry=FY2025_START + 10 * 365 * DAY,
                    consent_hash=(first_member + m).to_bytes(32, "big"),
                )
            )
    return EnrollmentTree(leaves)


def batch(meter: str, timestamp: int, wh: int) -> Batch:
    return Batch(meter, timestamp - 3600, timestamp, wh, bytes(32), b"")


def results_for(
    enrollment: EnrollmentTree, start: int, end: int, credited: list[int] | None = None
) -> SumTree:
    """One result per enrolled member (meters in enrollment order), `credited[i]` grams each."""
    by_member: dict[int, list[int]] = {}
    for index, leaf in enumerate(enrollment.leaves):
        by_member.setdefault(leaf.member_id, []).append(index)
    results = []
    for n, (member_id, indexes) in enumerate(sorted(by_member.items())):
        grams = credited[n] if credited is not None else 100_000 + 1_000 * n
        meters = tuple(
            MeterBoundary(
                i,
                batch(enrollment.leaves[i].meter, start, 1_000 * i),
                batch(enrollment.leaves[i].meter, end, 1_000 * i + 400_000),
            )
            for i in indexes
        )
        results.append(MemberResult(member_id, meters, 400_000, grams, grams, grams, True, 0))
    return SumTree(results)


def synthetic_root(total_g: int) -> SumNode:
    """A root node whose sums add to `total_g` (Programs never looks below the root)."""
    return SumNode(b"\x11" * 32, total_g // 2, b"\x22" * 32, total_g - total_g // 2)


@dataclass
class ProgramWorld:
    """The deployed program contracts and helpers that drive them."""

    registry: object
    programs: object
    credit: object
    member_proofs: object
    program_proofs: object
    actors: ProgramActors

    # -- programs and enrollment ---------------------------------------------------------------
    def create(
        self,
        cap_t: int = CAP_T,
        first: int = FY2025_START,
        approve: bool = True,
        oracle: str | None = "default",
    ) -> Program:
        a = self.actors
        with boa.env.prank(a.manager):
            program_id = self.programs.create_program(
                a.payout, cap_t, first, "EN-R-002", "ipfs://program"
            )
        if approve:
            with boa.env.prank(a.validator):
                self.programs.approve_program(program_id)
        if oracle is not None:
            with boa.env.prank(a.manager):
                self.programs.set_program_oracle(
                    program_id, a.oracle if oracle == "default" else oracle
                )
        return Program(program_id)

    def enroll(self, program: Program, tree: EnrollmentTree, approve: bool = True) -> int:
        with boa.env.prank(self.actors.manager):
            index = self.programs.propose_enrollment(
                program.program_id, tree.root, tree.count, "ipfs://e"
            )
        if approve:
            with boa.env.prank(self.actors.validator):
                self.programs.approve_enrollment(program.program_id, index)
            program.enrollment = tree
            program.enrollment_index = index
        return index

    def ready(self, members: int = 4, **create) -> Program:
        """An approved program with an oracle and an approved enrollment of `members` members."""
        program = self.create(**create)
        self.enroll(program, enrollment_for(members))
        return program

    # -- reports -------------------------------------------------------------------------------
    def submit(
        self,
        program: Program,
        tree: SumTree | None = None,
        end: int = MAY_2025,
        fiscal_year: int = 2025,
        sender: str | None = None,
        value: int = REPORT_BOND,
        root: SumNode | None = None,
        member_count: int | None = None,
    ) -> tuple:
        """Submits a report and returns its logged facts."""
        root = root if root is not None else tree.root_node
        count = member_count if member_count is not None else tree.count
        with boa.env.prank(sender or self.actors.oracle):
            self.programs.submit_report(
                program.program_id,
                end,
                fiscal_year,
                count,
                root.as_tuple(),
                "ar://results",
                value=value,
            )
        (logged,) = events(self.programs, "ProgramReportSubmitted")
        return tuple(logged["facts"])

    def finalize(self, facts: tuple, sender: str | None = None) -> None:
        boa.env.time_travel(seconds=WINDOW)
        with boa.env.prank(sender or self.actors.stranger):
            self.programs.finalize(facts)

    def demand(self, facts: tuple, position: int, sender: str | None = None) -> None:
        with boa.env.prank(sender or self.actors.demander):
            self.programs.demand_member(facts, position, value=DEMAND_BOND)

    def respond_args(self, program: Program, tree: SumTree, facts: tuple, position: int) -> tuple:
        result = tree.leaves[position]
        enrollment = program.enrollment
        enrolled = [enrollment.leaves[m.enrollment_index].as_tuple() for m in result.meters]
        proofs = [enrollment.proof(m.enrollment_index) for m in result.meters]
        return (
            facts,
            position,
            [n.as_tuple() for n in tree.path(position)],
            result.as_tuple(),
            enrolled,
            proofs,
        )

    def respond(
        self,
        program: Program,
        tree: SumTree,
        facts: tuple,
        position: int,
        sender: str | None = None,
    ) -> None:
        with boa.env.prank(sender or self.actors.oracle):
            self.programs.respond(*self.respond_args(program, tree, facts, position))


FACT_FIELDS = [
    "program_id",
    "report_id",
    "period_start",
    "period_end",
    "fiscal_year",
    "enrollment_index",
    "enrollment_root",
    "enrollment_count",
    "enrollment_approved_at",
    "member_count",
    "depth",
    "sum_root",
    "total_g",
    "factor_g_per_mwh",
    "cap_g",
    "oracle",
    "bond",
    "challenge_deadline",
]


def fact(facts: tuple, name: str):
    return facts[FACT_FIELDS.index(name)]


def with_fact(facts: tuple, name: str, value) -> tuple:
    changed = list(facts)
    changed[FACT_FIELDS.index(name)] = value
    return tuple(changed)


def deploy_programs(factories: Factories, base_actors, actors: ProgramActors) -> ProgramWorld:
    """A fresh Registry (roles granted before launch, incl. a second oracle), Programs, its own
    CarbonCredit bound to Programs, and two forwarders bound as the proof contracts."""
    base: World = deploy_world(factories, base_actors, launch=False)
    registry = base.registry
    programs_factory = boa.load_partial(str(CONTRACTS / "Programs.vy"))
    with boa.env.prank(actors.admin):
        for oracle in (actors.oracle2, *actors.spare_oracles):
            registry.grant_role(registry.ORACLE_ROLE(), oracle)
        programs = programs_factory.deploy(registry.address, REPORT_BOND, DEMAND_BOND)
        credit = factories.credit.deploy("https://program-credits.example/")
        credit.bind_registry(programs.address)
        forwarder = boa.load_partial(str(FORWARDER))
        member_proofs = forwarder.deploy(programs.address)
        program_proofs = forwarder.deploy(programs.address)
        programs.bind(credit.address, member_proofs.address, program_proofs.address)
        registry.launch()
        credit.launch()
    return ProgramWorld(registry, programs, credit, member_proofs, program_proofs, actors)


def fund(actors: ProgramActors) -> None:
    """Ether for every actor that sends value. Called inside a test's anchor: several actors are
    the session's shared ones, whose balances the single-site tests check."""
    for account in (
        actors.oracle,
        actors.oracle2,
        actors.demander,
        actors.challenger,
        actors.stranger,
        actors.manager,
        actors.validator,
        actors.admin,
        *actors.spare_oracles,
    ):
        boa.env.set_balance(account, 100 * 10**18)


def logged(contract, name: str, via=None) -> list[dict]:
    """Events called `name` that `contract` emitted in its last call (or in the last call of
    `via`, a contract that called it), decoded, the emitter dropped (to compare the fields)."""
    found = []
    for log in events(via or contract, name):
        if log.pop("address") == contract.address:
            found.append(log)
    return found
