"""The program contracts together, real ones only: a fresh Registry (roles, FY2025 factor),
Programs, the real MemberProofs and ProgramProofs, and a second CarbonCredit bound to Programs,
deployed in jcredit.program_deployment.deploy_programs' order (Programs, MemberProofs,
ProgramProofs, CarbonCredit; `bind`, `bind_registry`, launch).

Reports are program_proofs/program_world.py's (households with really signed batches); their facts
are replaced by the ones the real `ProgramReportSubmitted` event logs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import boa

from jcredit.program_tree import EnrollmentTree, MemberResult
from tests.contracts.contract_world import CONTRACTS, Factories, World, deploy_world, events
from tests.contracts.program_proofs.program_world import (
    FACTS_FIELDS,
    PERIOD_START,
    ProgramReportData,
)

REPORT_BOND = 10**17
DEMAND_BOND = 10**16
CAP_T = 500
WINDOW = 86400
RESPONSE_SECONDS = 6 * 3600
FRAUD_PROVEN = 1
ENROLLMENT_APPROVED, ENROLLMENT_REFUTED = 2, 8
DEMAND_ANSWERED = 2


@dataclass
class Chain:
    """The deployed contracts and who plays which part."""

    base: World
    programs: object
    member_proofs: object
    program_proofs: object
    credit: object
    manager: str
    payout: str
    oracles: list[str]
    prover: str

    @property
    def registry(self):
        return self.base.registry

    @property
    def actors(self):
        return self.base.actors

    @property
    def domain(self):
        return self.base.domain

    # -- programs and enrollment -----------------------------------------------------------
    def create_program(self, oracle: str | None = None, first: int = PERIOD_START) -> int:
        with boa.env.prank(self.manager):
            program_id = self.programs.create_program(
                self.payout, CAP_T, first, "EN-R-002", "ipfs://program"
            )
        with boa.env.prank(self.actors.validator):
            self.programs.approve_program(program_id)
        self.set_oracle(program_id, oracle or self.oracles[0])
        return program_id

    def set_oracle(self, program_id: int, oracle: str) -> None:
        with boa.env.prank(self.manager):
            self.programs.set_program_oracle(program_id, oracle)

    def enroll(self, program_id: int, tree: EnrollmentTree) -> int:
        """Proposes and approves `tree`: the program's current root; returns its index."""
        with boa.env.prank(self.manager):
            index = self.programs.propose_enrollment(
                program_id, tree.root, tree.count, "ar://enrollment"
            )
        with boa.env.prank(self.actors.validator):
            self.programs.approve_enrollment(program_id, index)
        return index

    # -- reports ---------------------------------------------------------------------------
    def submit(self, report: ProgramReportData, oracle: str) -> ProgramReportData:
        """Submits the report's root; returns it with the facts the real event logged."""
        f = report.facts
        with boa.env.prank(oracle):
            self.programs.submit_report(
                report.program_id,
                f["period_end"],
                f["fiscal_year"],
                f["member_count"],
                report.tree.root_node.as_tuple(),
                "ar://results",
                value=REPORT_BOND,
            )
        (logged,) = events(self.programs, "ProgramReportSubmitted")
        facts = dict(zip(FACTS_FIELDS, logged["facts"], strict=True))
        assert facts["sum_root"] == report.tree.root and facts["total_g"] == report.tree.total
        assert facts["oracle"] == oracle and facts["bond"] == REPORT_BOND
        return replace(report, report_id=facts["report_id"], facts=facts)

    def finalize(self, report: ProgramReportData) -> dict:
        boa.env.time_travel(seconds=WINDOW)
        with boa.env.prank(self.actors.stranger):
            self.programs.finalize(report.facts_tuple)
        (done,) = events(self.programs, "ProgramReportFinalized")
        return done


def invalid(result: MemberResult, reason: int) -> MemberResult:
    """How an honest oracle lists a member it refused."""
    ytd_before = result.ytd_credited_g - result.credited_g
    return MemberResult(result.member_id, (), 0, 0, 0, ytd_before, False, reason)


def deploy_chain(factories: Factories, base_actors) -> Chain:
    base = deploy_world(factories, base_actors, launch=False)
    registry = base.registry
    oracles = [base_actors.oracle] + [boa.env.generate_address(f"p-oracle{n}") for n in range(8)]
    manager = boa.env.generate_address("p-manager")
    payout = boa.env.generate_address("p-payout")
    prover = boa.env.generate_address("p-prover")
    with boa.env.prank(base_actors.admin):
        for oracle in oracles[1:]:
            registry.grant_role(registry.ORACLE_ROLE(), oracle)
        programs = boa.load_partial(str(CONTRACTS / "Programs.vy")).deploy(
            registry.address, REPORT_BOND, DEMAND_BOND
        )
        member_proofs = boa.load_partial(str(CONTRACTS / "MemberProofs.vy")).deploy(
            programs.address
        )
        program_proofs = boa.load_partial(str(CONTRACTS / "ProgramProofs.vy")).deploy(
            programs.address
        )
        credit = factories.credit.deploy("https://program-credits.example/")
        programs.bind(credit.address, member_proofs.address, program_proofs.address)
        credit.bind_registry(programs.address)
        registry.launch()
        credit.launch()
    return Chain(
        base, programs, member_proofs, program_proofs, credit, manager, payout, oracles, prover
    )


def fund(chain: Chain) -> None:
    """Ether for every account that sends value. Called inside a test's anchor: the stranger and
    the challenger are the session's shared actors, whose balances the single-site tests check."""
    actors = chain.base.actors
    for account in (
        *chain.oracles,
        chain.manager,
        chain.prover,
        actors.stranger,
        actors.challenger,
    ):
        boa.env.set_balance(account, 100 * 10**18)
