"""Stateful test of the program lifecycle against a Python model (curve-stablecoin style: each rule
predicts whether the contract must refuse, and invariants compare the chain with the model).

One program, its manager, a validator, a pool of oracles, demanders and a challenger: enrollment
roots proposed and approved (members join and leave), reports submitted, members' data demanded,
answered or left to expire, reports refuted through the test forwarders (sometimes with their
enrollment root), finalized. Invariants: minted t * 1e6 + carry == the finalized reports' total
grams of the fiscal year; the contract's balance == pending report bonds + open demand bonds (of
pending and undone reports) + owed; pending report, cursor, slashed oracles and enrollment status
as the model says.
"""

from collections import Counter
from dataclasses import dataclass, field

import boa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from jcredit.program_tree import EnrollmentTree, SumTree
from tests.contracts.contract_world import DAY, FY2025_START
from tests.contracts.programs.program_world import (
    APPROVED,
    DEMAND_BOND,
    G_PER_T,
    REFUTED,
    REPORT_BOND,
    RESPONSE_SECONDS,
    WINDOW,
    ProgramWorld,
    enrollment_for,
    fact,
    fund,
    results_for,
)

PERIOD = 5 * DAY
FY = 2025


@dataclass
class Report:
    facts: tuple
    tree: SumTree
    enrollment: EnrollmentTree
    demands: dict[int, tuple[str, int]] = field(default_factory=dict)  # position -> (who, deadline)


class ProgramMachine(RuleBasedStateMachine):
    pw: ProgramWorld
    successes: Counter

    def __init__(self) -> None:
        super().__init__()
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        boa.env.timestamp = FY2025_START + 250 * DAY
        fund(self.pw.actors)
        self.a = self.pw.actors
        self.p = self.pw.programs
        self.program = self.pw.create()
        self.pid = self.program.program_id
        self.oracles = [self.a.oracle, self.a.oracle2, *self.a.spare_oracles]
        self.oracle: str | None = self.a.oracle
        self.slashed: set[str] = set()
        self.cursor = FY2025_START
        self.enrollments: list[tuple[EnrollmentTree, int]] = []  # (tree, status)
        self.current: int | None = None
        self.pending: Report | None = None
        self.finalized_g = 0
        self.undone_open: dict[tuple[int, int], str] = {}  # (report, position) -> demander
        self.pending_bonds = 0

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)

    # -- enrollment ----------------------------------------------------------------------------
    @initialize(members=st.integers(1, 5))
    def first_enrollment(self, members):
        self.propose_enrollment(members, True, 0)

    @rule(members=st.integers(1, 5), approve=st.booleans(), skip=st.integers(0, 2))
    def propose_enrollment(self, members, approve, skip):
        if skip:
            return
        first = 1 + len(self.enrollments) % 3  # members join (higher ids) and leave (lower ids)
        tree = enrollment_for(members, first_member=first)
        with boa.env.prank(self.a.manager):
            index = self.p.propose_enrollment(self.pid, tree.root, tree.count, "ipfs://e")
        assert index == len(self.enrollments)
        self.enrollments.append((tree, 1))
        if approve:
            with boa.env.prank(self.a.validator):
                self.p.approve_enrollment(self.pid, index)
            self.enrollments[index] = (tree, APPROVED)
            self.current = index
            self.successes["approve_enrollment"] += 1

    # -- oracle --------------------------------------------------------------------------------
    @rule(n=st.integers(0, 7))
    def assign_oracle(self, n):
        oracle = self.oracles[n]
        with boa.env.prank(self.a.manager):
            if oracle in self.slashed:
                with boa.reverts("programs: oracle slashed"):
                    self.p.set_program_oracle(self.pid, oracle)
                return
            self.p.set_program_oracle(self.pid, oracle)
        self.oracle = oracle

    # -- reports -------------------------------------------------------------------------------
    @rule(grams=st.lists(st.integers(0, 900_000), min_size=5, max_size=5), extra=st.integers(0, 3))
    def submit(self, grams, extra):
        end = self.cursor + PERIOD
        if self.oracle is None:
            return
        tree = None
        if self.current is not None:
            enrollment = self.enrollments[self.current][0]
            members = len({leaf.member_id for leaf in enrollment.leaves})
            tree = results_for(enrollment, self.cursor, end, grams[:members])
        reason = None
        if self.oracle in self.slashed:
            reason = "programs: oracle slashed"
        elif self.pending is not None:
            reason = "programs: report pending"
        elif end > boa.env.timestamp:
            reason = "programs: period not over"
        elif self.current is None:
            reason = "programs: no approved enrollment"
        elif self.enrollments[self.current][1] == REFUTED:
            reason = "programs: enrollment refuted"
        if reason is not None:
            with boa.reverts(reason):
                if tree is None:
                    tree = results_for(enrollment_for(1), self.cursor, end)
                self.pw.submit(self.program, tree, end=end, sender=self.oracle)
            return
        value = REPORT_BOND + extra
        facts = self.pw.submit(self.program, tree, end=end, sender=self.oracle, value=value)
        assert fact(facts, "total_g") == sum(grams[: tree.count])
        self.pending = Report(facts, tree, self.enrollments[self.current][0])
        self.pending_bonds += value
        self.cursor = end
        self.successes["submit"] += 1

    @rule(hours=st.integers(1, 3))
    def wait(self, hours):
        boa.env.time_travel(seconds=hours * 3600)

    @rule(position=st.integers(0, 5), who=st.sampled_from(["demander", "stranger", "challenger"]))
    def demand(self, position, who):
        if self.pending is None:
            return
        report, sender = self.pending, getattr(self.a, who)
        reason = None
        if boa.env.timestamp >= fact(report.facts, "challenge_deadline"):
            reason = "programs: challenge window over"
        elif position >= report.tree.count:
            reason = "programs: position out of range"
        elif position in report.demands:
            reason = "programs: already demanded"
        if reason:
            with boa.reverts(reason):
                self.pw.demand(report.facts, position, sender=sender)
            return
        self.pw.demand(report.facts, position, sender=sender)
        report.demands[position] = (sender, boa.env.timestamp + RESPONSE_SECONDS)
        self.successes["demand"] += 1

    def _open(self, report: Report) -> list[int]:
        return [p for p, (who, _) in report.demands.items() if who is not None]

    @rule(data=st.data())
    def respond(self, data):
        if self.pending is None or not self._open(self.pending):
            return
        self._respond(data.draw(st.sampled_from(self._open(self.pending))))

    def _respond(self, position: int) -> None:
        report = self.pending
        program = self.program
        program.enrollment = report.enrollment
        if boa.env.timestamp >= report.demands[position][1]:
            with boa.reverts("programs: demand expired"):
                self.pw.respond(program, report.tree, report.facts, position)
            return
        self.pw.respond(program, report.tree, report.facts, position, sender=self.a.stranger)
        report.demands[position] = (None, 0)
        self.successes["respond"] += 1

    @rule(data=st.data())
    def expire(self, data):
        if self.pending is None or not self._open(self.pending):
            return
        self._expire(data.draw(st.sampled_from(self._open(self.pending))))

    def _expire(self, position: int) -> None:
        report = self.pending
        if boa.env.timestamp < report.demands[position][1]:
            with boa.reverts("programs: demand not expired"):
                self.p.expire_demand(report.facts, position)
            return
        self.p.expire_demand(report.facts, position)
        report.demands[position] = (None, 0)
        self._undo(report)
        self.successes["expire"] += 1

    @rule(
        kind=st.integers(1, 9),
        member=st.booleans(),
        enrollment=st.booleans(),
        skip=st.integers(0, 2),
    )
    def refute(self, kind, member, enrollment, skip):
        if self.pending is None or skip:
            return
        report = self.pending
        forwarder = self.pw.member_proofs if member else self.pw.program_proofs
        closed = boa.env.timestamp >= fact(report.facts, "challenge_deadline") and not self._open(
            report
        )
        with boa.env.prank(self.a.challenger):
            if closed:
                with boa.reverts("programs: challenge window over"):
                    forwarder.prove(report.facts, kind, enrollment)
                return
            forwarder.prove(report.facts, kind, enrollment)
        if enrollment:
            index = fact(report.facts, "enrollment_index")
            self.enrollments[index] = (self.enrollments[index][0], REFUTED)
        self._undo(report)
        self.successes["refute"] += 1

    def _undo(self, report: Report) -> None:
        for position, (who, _) in report.demands.items():
            if who is not None:
                self.undone_open[(fact(report.facts, "report_id"), position)] = who
        self.pending_bonds -= fact(report.facts, "bond")
        oracle = fact(report.facts, "oracle")
        self.slashed.add(oracle)
        if self.oracle == oracle:
            self.oracle = None
        self.cursor = fact(report.facts, "period_start")
        self.pending = None

    @rule(data=st.data())
    def reclaim(self, data):
        if not self.undone_open:
            return
        report_id, position = data.draw(st.sampled_from(sorted(self.undone_open)))
        self.p.reclaim_demand(report_id, position)
        del self.undone_open[(report_id, position)]
        self.successes["reclaim"] += 1

    @rule()
    def finalize(self):
        if self.pending is None:
            return
        report = self.pending
        reason = None
        if boa.env.timestamp < fact(report.facts, "challenge_deadline"):
            reason = "programs: challenge window open"
        elif self._open(report):
            reason = "programs: demand open"
        if reason:
            with boa.reverts(reason):
                self.p.finalize(report.facts)
            return
        self.p.finalize(report.facts)
        self.finalized_g += fact(report.facts, "total_g")
        self.pending_bonds -= fact(report.facts, "bond")
        self.pending = None
        self.successes["finalize"] += 1

    @rule(
        grams=st.lists(st.integers(0, 900_000), min_size=5, max_size=5),
        positions=st.lists(st.integers(0, 5), max_size=3),
        outcome=st.sampled_from(["answer", "expire", "refute", "finalize"]),
    )
    def cycle(self, grams, positions, outcome):
        """A whole report's life in one step: submit, demands, then the outcome."""
        if self.pending is not None:
            return
        self.submit(grams, 0)
        if self.pending is None:
            return
        for position in positions:
            self.demand(position, "demander")
        open_positions = self._open(self.pending)
        if outcome == "answer":
            for position in open_positions:
                self._respond(position)
        elif outcome == "expire" and open_positions:
            boa.env.time_travel(seconds=RESPONSE_SECONDS)
            self._expire(open_positions[0])
            return
        elif outcome == "refute":
            self.refute(1 + len(positions), True, len(positions) == 2, 0)
            return
        boa.env.time_travel(seconds=WINDOW + RESPONSE_SECONDS)
        for position in self._open(self.pending):
            self._expire(position)
            return
        self.finalize()

    @precondition(lambda self: self.pending is not None)
    @rule()
    def pass_window(self):
        boa.env.time_travel(seconds=WINDOW)

    @precondition(lambda self: self.pending is not None and self._open(self.pending))
    @rule()
    def pass_response_time(self):
        boa.env.time_travel(seconds=RESPONSE_SECONDS)

    # -- invariants ----------------------------------------------------------------------------
    @invariant()
    def credits_match_finalized_grams(self):
        token = (self.pid << 16) | FY
        minted = self.pw.credit.minted(token)
        assert minted * G_PER_T + self.p.carry_g(self.pid, FY) == self.finalized_g

    @invariant()
    def bonds_conserved(self):
        open_bonds = len(self.undone_open)
        if self.pending is not None:
            open_bonds += len(self._open(self.pending))
        assert boa.env.get_balance(self.p.address) == self.pending_bonds + open_bonds * DEMAND_BOND

    @invariant()
    def state_matches_model(self):
        pending = self.p.pending_report(self.pid)
        assert pending.status == (0 if self.pending is None else 1)
        if self.pending is not None:
            assert pending.report_id == fact(self.pending.facts, "report_id")
            assert self.p.open_demands(self.pid) == len(self._open(self.pending))
        info = self.p.program(self.pid)
        assert info.next_period_start == self.cursor
        assert info.oracle == (self.oracle or "0x0000000000000000000000000000000000000000")
        for oracle in self.oracles:
            assert self.p.is_slashed(oracle) == (oracle in self.slashed)
        for index, (_, status) in enumerate(self.enrollments):
            assert self.p.enrollments(self.pid, index).status == status


MIN_SUCCESSES = {"submit": 20, "finalize": 5, "demand": 5, "respond": 2, "expire": 1, "refute": 3}


def test_program_state_machine(pdeployed):
    successes: Counter = Counter()
    ProgramMachine.pw = pdeployed
    ProgramMachine.successes = successes
    run = settings(stateful_step_count=40)(ProgramMachine)
    run.TestCase().runTest()
    short = {k: successes[k] for k, least in MIN_SUCCESSES.items() if successes[k] < least}
    assert not short, f"rules reached too rarely: {short} (all: {dict(successes)})"
