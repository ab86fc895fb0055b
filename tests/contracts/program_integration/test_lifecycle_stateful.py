"""Stateful test of a program's lifecycle with the real proof contracts: members join and leave
through new enrollment roots, the oracle submits honest or cheating monthly reports (a cheat
inflates one member's credited grams and rehashes the tree), a watcher proves cheats with the real
MemberProofs before their deadline, anyone finalizes.

Model: the members' honest results (signed boundary batches, program_proofs/program_world.py),
their year-to-date credit, the finalized grams of the fiscal year. Invariants: minted t * 10**6 +
carry == the credited grams of valid members in finalized reports; no cheating report finalizes
(the watcher runs before every deadline); an honest report survives every member proof."""

from collections import Counter
from dataclasses import dataclass, replace

import boa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from methodology.fiscal import next_month_boundary
from tests.contracts.contract_world import FY2025_START, MAY_2025
from tests.contracts.program_integration.world import Chain, fund
from tests.contracts.program_proofs.program_world import (
    PROGRAM_ID,
    ProgramReportData,
    build_report,
    enrollment_of,
    household,
)

FY = 2025
G_PER_T = 10**6
ZERO = "0x" + "00" * 20
members = st.sets(st.integers(1, 6), min_size=1, max_size=4)


@dataclass
class Pending:
    report: ProgramReportData
    honest: ProgramReportData  # what the model says the members earned
    cheat_position: int | None


class LifecycleMachine(RuleBasedStateMachine):
    chain: Chain
    successes: Counter

    def __init__(self) -> None:
        super().__init__()
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        boa.env.timestamp = FY2025_START + 330 * 86400  # Feb 2026: May-Jan are over
        fund(self.chain)
        self.c = self.chain
        self.p = self.c.programs
        self.oracles = list(self.c.oracles)
        self.slashed: set[str] = set()
        self.cursor = MAY_2025
        self.ytd: dict[int, int] = {}
        self.finalized_g = 0
        self.pending: Pending | None = None
        self.enrollment = None

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)

    @initialize(ids=members)
    def create(self, ids):
        assert self.c.create_program(oracle=self.oracles[0], first=MAY_2025) == PROGRAM_ID
        self.oracle = self.oracles[0]
        self.enroll(ids)

    @rule(ids=members)
    def enroll(self, ids):
        """A new root: members join and leave (the pending report keeps its own root)."""
        tree = enrollment_of([household(i) for i in sorted(ids)])
        self.c.enroll(PROGRAM_ID, tree)
        self.enrollment = (tree, sorted(ids))
        self.successes["enroll"] += 1

    @rule(cheat=st.booleans(), which=st.integers(0, 5), extra=st.integers(1, 3 * G_PER_T))
    def submit(self, cheat, which, extra):
        end = next_month_boundary(self.cursor)
        if self.pending is not None or self.oracle is None or end > boa.env.timestamp:
            return
        tree, ids = self.enrollment
        honest = build_report(
            self.c.domain,
            [household(i) for i in ids],
            self.oracle,
            period=(self.cursor, end),
            ytd_before=self.ytd,
            enrollment=tree,
        )
        data, position = honest, None
        if cheat:
            position = which % len(ids)
            results = list(honest.results)
            r = results[position]
            results[position] = replace(
                r, credited_g=r.credited_g + extra, ytd_credited_g=r.ytd_credited_g + extra
            )
            data = honest.with_results(results)
        report = self.c.submit(data, self.oracle)
        self.pending = Pending(report, honest, position)
        self.cursor = end  # the cursor moves on submission, back when undone
        self.successes["submit cheat" if cheat else "submit honest"] += 1

    @rule(which=st.integers(0, 5))
    def prove(self, which):
        """The watcher: a member proof at the cheat's position (or any, against an honest
        report, which must hold)."""
        if self.pending is None:
            return
        report = self.pending.report
        position = self.pending.cheat_position
        if position is None:
            with boa.reverts(), boa.env.prank(self.c.prover):
                self.c.member_proofs.prove_member(*report.member_args(which % len(report.results)))
            self.successes["proof refused"] += 1
            return
        with boa.env.prank(self.c.prover):
            self.c.member_proofs.prove_member(*report.member_args(position))
        assert self.p.is_slashed(self.oracle)
        self.slashed.add(self.oracle)
        self.cursor = report.facts["period_start"]
        self.pending = None
        fresh = [o for o in self.oracles if o not in self.slashed]
        self.oracle = fresh[0] if fresh else None
        if self.oracle is not None:
            self.c.set_oracle(PROGRAM_ID, self.oracle)
        self.successes["proven"] += 1

    @rule(hours=st.integers(1, 30))
    def wait(self, hours):
        if (
            self.pending is not None
            and self.pending.cheat_position is not None
            and boa.env.timestamp + hours * 3600 >= self.pending.report.facts["challenge_deadline"]
        ):
            self.prove(0)  # the watcher never lets a cheat's window close
        boa.env.time_travel(seconds=hours * 3600)

    @rule()
    def finalize(self):
        if self.pending is None:
            return
        if self.pending.cheat_position is not None:
            self.prove(0)
            return
        report, honest = self.pending.report, self.pending.honest
        deadline = report.facts["challenge_deadline"]
        if boa.env.timestamp < deadline:
            boa.env.timestamp = deadline
        with boa.env.prank(self.c.actors.stranger):
            self.p.finalize(report.facts_tuple)
        self.finalized_g += sum(r.credited_g for r in honest.results if r.valid)
        for r in honest.results:
            self.ytd[r.member_id] = r.ytd_credited_g
        assert self.p.finalized_report(report.report_id) == report.finalized_hash()
        self.pending = None
        self.successes["finalize"] += 1

    @invariant()
    def minted_plus_carry_is_the_honest_credit(self):
        token = (PROGRAM_ID << 16) | FY
        minted = self.c.credit.balanceOf(self.c.payout, token)
        assert minted * G_PER_T + self.p.carry_g(PROGRAM_ID, FY) == self.finalized_g

    @invariant()
    def chain_matches_model(self):
        info = self.p.program(PROGRAM_ID)
        assert info.next_period_start == self.cursor
        assert info.oracle == (self.oracle or ZERO)
        assert self.p.pending_report(PROGRAM_ID).status == (self.pending is not None)


def test_program_lifecycle_with_real_proofs(chain_deployed):
    successes: Counter = Counter()
    LifecycleMachine.chain = chain_deployed
    LifecycleMachine.successes = successes
    run = settings(stateful_step_count=30)(LifecycleMachine)
    run.TestCase().runTest()
    least = {"submit honest": 5, "submit cheat": 5, "proven": 5, "finalize": 5, "enroll": 5}
    short = {k: successes[k] for k, n in least.items() if successes[k] < n}
    assert not short, f"rules reached too rarely: {short} (all: {dict(successes)})"
