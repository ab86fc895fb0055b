"""Stateful test of the whole platform on the real bytecode (titanoboa) against a Python model,
with an adversarial oracle and a watcher.

The oracle submits honest reports and, just as often, the cheats a report can hide: an end reading
that is not the meter's last (stale, inside the window), a month with an interval above capacity
claimed as valid, a Merkle root committing a batch the meter did not sign; and reports the
contract must refuse outright (a reading outside its window, a void without a violation, a wrong
claim, a boundary batch missing from the root). A watcher proves every hidden cheat before its
window closes: the report is undone, the oracle loses its bond and its role, the admin assigns a
fresh oracle. Validators dispute, uphold, reject or let disputes expire (an expired dispute is
settled by nobody, only expired); holders transfer and retire.

Invariants after every step:
- each token's supply = minted - retired, and the holders' balances add up to it;
- per project and fiscal year, minted t x 1e6 + carry g = the finalized reductions = what the
  methodology computes from the meters' true signed data for the finalized periods: no cheat is
  ever credited, and nothing is credited twice;
- the finalized periods of a project are contiguous from the monitoring start; the next period
  starts where the model says;
- the pending report (status, id) matches the model;
- per token, certified <= minted, retired from rounds <= certified, each round's retired <= its
  amount, the uncertified supply as modelled (rounds: certify, retire from a round, and the
  cheats a registrar or holder may try; hand-minted credits give rounds something to certify).

Quick profile (`make test`): 20 examples x up to 50 steps. Deep (HYPOTHESIS_PROFILE=deep, `make
test-deep`): 300 x 120. The run fails if it exercised a key rule fewer than MIN_SUCCESSES times.
"""

import os
from collections import Counter

import boa
import pytest
from eth_utils import keccak
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from jcredit.merkle import MerkleTree
from tests.contracts.contract_world import (
    DAY,
    FY2025_START,
    MIN_BOND,
    WINDOW,
    World,
    leaf_of,
    meter_key,
    token_id,
)
from tests.contracts.meter_signing import Meter
from tests.contracts.month_data import SignedBatch
from tests.contracts.stateful_model import (
    CAPACITY_W,
    DAYS,
    DECLARED_INTERVAL,
    SLOT,
    CreditLedger,
    ModelProject,
    Pending,
    Truth,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
STEPS = {"quick": (20, 50), "deep": (300, 120)}[PROFILE]
MIN_SUCCESSES = {
    "submit_report": 20,
    "fraud proven": 5,
    "finalize": 8,
    "dispute": 4,
    "resolve_dispute(uphold)": 2,
    "resolve_dispute(reject)": 2,
    "record_certification": 2,
}
CHEATS = ("stale_end", "spike_as_valid", "tampered_leaf")
REFUSED = ("outside_window", "void_without_violation", "bad_claim", "missing_proof")
ORACLE_POOL = 16
LAST_DAY = FY2025_START + (DAYS - 2) * DAY
DISPUTE_TIMEOUT = 14 * DAY


class PlatformMachine(RuleBasedStateMachine):
    # The session-wide deployment (see conftest); each example runs inside its own anchor.
    world: World
    successes: Counter

    def __init__(self) -> None:
        super().__init__()
        self.a = self.world.actors
        self.registry, self.reports = self.world.registry, self.world.reports
        self.proofs, self.credit = self.world.proofs, self.world.credit
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        boa.env.timestamp = FY2025_START + 3 * DAY
        self.pool: list[str] = []
        self.last_cycle_upheld: bool | None = None
        self.projects: list[ModelProject] = []
        self.ledger = CreditLedger()
        self.batches: dict[tuple[int, int, int], SignedBatch] = {}
        self.reports_paused = False
        self.credit_paused = False
        self.report_count = 0
        self.retirement_count = 0

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)

    # ---- helpers --------------------------------------------------------------------------

    @property
    def holders(self) -> list[str]:
        return [self.a.owner, self.a.holder, self.a.buyer]

    def call(self, expected: str | None, sender: str, fn, *args, label: str = "", value: int = 0):
        """Calls fn as sender (sending `value` wei if non-zero); expected is None for success or
        the exact revert reason."""
        kwargs = {"value": value} if value else {}
        with boa.env.prank(sender):
            if expected is None:
                result = fn(*args, **kwargs)
                name = fn.func_t.name + label
                self.successes[name] += 1
                event(f"ok {name}")
                return result
            with boa.reverts(expected):
                fn(*args, **kwargs)
        return None

    def batch(self, project: ModelProject, kind: int, day: int) -> SignedBatch:
        """The meter's signed batch of JST day `day` after FY2025_START (day 0: the lone
        reading at FY2025_START, as the last reading of 31 March)."""
        key = (project.project_id, kind, day)
        if key not in self.batches:
            first = FY2025_START if day == 0 else FY2025_START + (day - 1) * DAY + SLOT
            last = FY2025_START + day * DAY
            readings = [
                (ts, project.truth.register(kind, ts)) for ts in range(first, last + 1, SLOT)
            ]
            meter = project.meters[kind]
            signed = meter.sign_batch(self.world.domain, project.project_id, readings)
            self.batches[key] = SignedBatch(signed, readings)
        return self.batches[key]

    def lone(self, project: ModelProject, kind: int, ts: int) -> SignedBatch:
        """A one-reading batch the meter also signed (meters answer on-demand reads)."""
        reading = (ts, project.truth.register(kind, ts))
        signed = project.meters[kind].sign_batch(self.world.domain, project.project_id, [reading])
        return SignedBatch(signed, [reading])

    def day_of(self, ts: int) -> int:
        return (ts - FY2025_START) // DAY

    def pick(self, data, candidates):
        return data.draw(st.sampled_from(candidates)) if candidates else None

    # ---- set-up ---------------------------------------------------------------------------

    @initialize(
        seeds=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
        spikes=st.lists(st.integers(49, (DAYS - 3) * 48), min_size=2, max_size=6),
    )
    def platform(self, seeds, spikes):
        """A pool of bonded oracles and two monitored projects (one per owner)."""
        for n in range(ORACLE_POOL):
            oracle = boa.env.generate_address(f"pool oracle {n}")
            boa.env.set_balance(oracle, MIN_BOND)
            with boa.env.prank(self.a.admin):
                self.registry.grant_role(self.registry.ORACLE_ROLE(), oracle)
            self.pool.append(oracle)
        boa.env.time_travel(seconds=2 * DAY)
        for oracle in self.pool:
            self.registry.activate_role(self.registry.ORACLE_ROLE(), oracle)
            with boa.env.prank(oracle):
                self.reports.post_bond(value=MIN_BOND)
        for n, owner in enumerate((self.a.owner, self.a.holder)):
            truth = Truth(seeds[n], frozenset(s for s in spikes if s % 2 == n))
            self._new_project(owner, truth)

    def _new_project(self, owner: str, truth: Truth) -> None:
        with boa.env.prank(owner):
            project_id = self.registry.register_project(
                CAPACITY_W,
                FY2025_START - DAY,
                FY2025_START,  # applied and monitored from FY2025: credits from it
                FY2025_START,
                "EN-R-002",
                "",
            )
        oracle = self.pool.pop()
        with boa.env.prank(self.a.validator):
            self.registry.approve_project(project_id)
        with boa.env.prank(self.a.admin):
            self.registry.set_project_oracle(project_id, oracle)
        meters = {}
        for kind, bit in ((0, 1), (1, 2)):
            meter = Meter(meter_key(1000 * project_id + bit))
            serial = f"SF-{project_id}-{bit}"
            signature = meter.sign_registration(self.world.domain, project_id, owner, serial)
            with boa.env.prank(owner):
                self.registry.register_meter(
                    project_id, meter.address, bit, serial, 2**40, DECLARED_INTERVAL, signature
                )
            with boa.env.prank(self.a.validator):
                self.registry.approve_meter(meter.address, 2**40)
            meters[kind] = meter
        with boa.env.prank(oracle):
            self.reports.start_monitoring(project_id, FY2025_START)
        self.projects.append(ModelProject(project_id, owner, truth, meters, oracle))

    # ---- the oracle -----------------------------------------------------------------------

    @rule(
        data=st.data(),
        days=st.integers(1, 3),
        mode=st.sampled_from(("honest",) * 3 + CHEATS + REFUSED),
    )
    def submit_report(self, data, days, mode):
        self._submit(self.pick(data, self.projects), days, mode)

    def _submit(self, project: ModelProject, days: int, mode: str) -> None:
        start = project.next_start
        end = start + days * DAY
        if end > boa.env.timestamp or end > LAST_DAY or project.pending is not None:
            return
        if self.reports_paused:
            self.call("pausable: contract is paused", project.oracle, self.reports.submit_report,
                      project.project_id, end, 2025, [], b"\x01" * 32, "", 0, 0, False)  # fmt: skip
            return
        truth_valid, truth_sc, truth_g = project.truth.period(start, end)
        if (mode == "spike_as_valid" and truth_valid) or (
            mode in ("stale_end", "bad_claim", "void_without_violation") and not truth_valid
        ):
            mode = "honest"  # the cheat needs the other kind of month
        if mode in CHEATS and not self.pool:
            mode = "honest"  # no fresh oracle left to take over once the cheat is proven
        built = self._build(project, start, end, mode, truth_valid, truth_sc, truth_g)
        readings, root, sc, g, void, expected, fraud, evidence = built
        result = self.call(
            expected,
            project.oracle,
            self.reports.submit_report,
            project.project_id,
            end,
            2025,
            readings,
            root,
            "ar://stateful",
            sc,
            g,
            void,
        )
        if expected is not None:
            event(f"refused {mode}")
            return
        self.report_count += 1
        assert result == self.report_count
        logged = [log for log in self.reports.get_logs() if type(log).__name__ == "ReportSubmitted"]
        facts = logged[-1].facts
        event(f"submitted {mode}")
        project.pending = Pending(facts, fraud, evidence, g, truth_g, boa.env.timestamp + WINDOW)
        project.next_start = end
        project.carried = False

    def _build(self, project, start, end, mode, truth_valid, truth_sc, truth_g):
        """(readings, root, claimed Wh, claimed g, void, expected revert, fraud kind, evidence)."""
        days = range(self.day_of(start), self.day_of(end) + 1)
        committed = {kind: [self.batch(project, kind, d) for d in days] for kind in (0, 1)}
        ends = {kind: committed[kind][-1] for kind in (0, 1)}
        starts = {kind: committed[kind][0] for kind in (0, 1)}
        extra: list[tuple] = []
        sc, g, void, expected, fraud, evidence = truth_sc, truth_g, not truth_valid, None, 0, ()
        if mode == "stale_end":
            stale = self.lone(project, 1, end - SLOT)
            extra.append(stale.signed)
            ends[1] = stale
            generation = project.truth.register(0, end) - project.truth.register(0, start)
            export = stale.last[1] - project.truth.register(1, start)
            sc = generation - export
            g = sc * 434_000 // 1_000_000
            fraud, evidence = 1, (committed[1][-1].data(), len(committed[1][-1].readings) - 1)
        elif mode == "outside_window":
            early = self.lone(project, 1, end - 2 * SLOT)
            extra.append(early.signed)
            ends[1] = early
            expected = "reports: end reading outside window"
        elif mode == "spike_as_valid":
            generation = project.truth.register(0, end) - project.truth.register(0, start)
            export = project.truth.register(1, end) - project.truth.register(1, start)
            sc = generation - export
            g, void = sc * 434_000 // 1_000_000, False
            fraud, evidence = 3, self._spike_evidence(project, start, end)
        elif mode == "tampered_leaf" and len(committed[0]) > 2:
            honest = committed[0][1]
            tampered = (*honest.signed[:4], keccak(b"not what the meter signed"))
            committed[0] = [b for b in committed[0] if b is not honest]
            extra.append((*tampered, b""))
            fraud, evidence = 4, (tampered, honest.signed)
        elif mode == "void_without_violation":
            sc, g, void = 0, 0, True
            expected = "reports: void without a recorded violation"
        elif mode == "bad_claim":
            g += 1
            expected = "reports: reduction mismatch"
        if void and not truth_valid and expected is None:
            self._record_violation(project, start, end)
        leaves = [leaf_of(b.signed) for kind in (0, 1) for b in committed[kind]]
        leaves += [leaf_of(signed) for signed in extra]
        tree = MerkleTree.from_leaves(leaves)
        readings = []
        for kind in (0, 1):
            if project.carried:
                readings.append((starts[kind].signed, tree.proof(leaf_of(starts[kind].signed))))
            if mode == "missing_proof" and kind == 1:
                readings.append((ends[kind].signed, tree.proof(leaves[0])))
                expected = "reports: batch not in merkle root"
            else:
                readings.append((ends[kind].signed, tree.proof(leaf_of(ends[kind].signed))))
        if fraud == 4:
            evidence = (evidence[0], tree.proof(leaf_of((*evidence[0], b""))), evidence[1])
        if void and not truth_valid and fraud == 0:
            sc, g = 0, 0
        return readings, tree.root, sc, g, void, expected, fraud, evidence

    def _spike_evidence(self, project, start, end) -> tuple:
        slot = project.truth.spike_in(start, end)
        ts = FY2025_START + slot * SLOT
        holder = self.batch(project, 0, self.day_of(ts - 1) + 1)
        i = next(n for n, (t, _) in enumerate(holder.readings) if t == ts)
        if i > 0:
            return ([holder.data()], i - 1, i)
        previous = self.batch(project, 0, self.day_of(ts - 1))
        return ([previous.data(), holder.data()], len(previous.readings) - 1, 0)

    def _record_violation(self, project, start, end) -> None:
        with boa.env.prank(project.oracle):
            self.proofs.record_violation(
                project.project_id, self._spike_evidence(project, start, end)
            )

    @rule(data=st.data(), days=st.integers(1, 3), mode=st.sampled_from(("honest",) * 2 + CHEATS))
    def report_cycle(self, data, days, mode):
        """A whole report's life in one step (hypothesis disables random rules per example, so
        the money path must not depend on several rules all being enabled): submit, let the
        watcher look, wait out the window, finalize."""
        if self.reports_paused or self.credit_paused:
            return
        project = self.pick(data, [p for p in self.projects if p.pending is None])
        if project is None:
            return
        self.watch()  # another project's report may be open: the watcher looks before time passes
        boa.env.time_travel(seconds=days * DAY)
        self._submit(project, days, mode)
        if project.pending is None:
            return
        self.advance_time(hours=25)  # the watcher proves a cheat before its window closes
        if project.pending is not None:
            self._finalize(project)

    @rule(data=st.data(), uphold=st.booleans(), second=st.booleans())
    def dispute_cycle(self, data, uphold, second):
        """Submit an honest report, dispute it, resolve the dispute: after the first cycle of an
        example, uphold and reject take turns, so a short run sees both outcomes (the turns
        depend only on the example's own steps, as hypothesis needs to replay it)."""
        if self.reports_paused or self.credit_paused:
            return
        project = self.pick(data, [p for p in self.projects if p.pending is None])
        if project is None:
            return
        self.watch()  # another project's report may be open: the watcher looks before time passes
        boa.env.time_travel(seconds=DAY)
        self._submit(project, 1, "honest")
        if project.pending is None:
            return
        self.dispute(data, wrong_actor=False)
        if self.last_cycle_upheld is not None:
            uphold = not self.last_cycle_upheld
        self.last_cycle_upheld = uphold
        # Upholding at once takes a second validator (the disputing one must wait).
        self.resolve_dispute(data, uphold, second=uphold or second)

    # ---- the watcher ----------------------------------------------------------------------

    @rule()
    def watch(self):
        """A watcher proves every hidden cheat of a report that is still open to challenge."""
        for project in self.projects:
            pending = project.pending
            if pending is None or pending.fraud == 0:
                continue
            if not pending.disputed and boa.env.timestamp >= pending.deadline:
                raise AssertionError("a cheat outlived its window unproven")
            facts = pending.facts
            if pending.fraud == 1:
                self.call(
                    None,
                    self.a.challenger,
                    self.proofs.prove_later_reading,
                    facts,
                    *pending.evidence,
                )
            elif pending.fraud == 3:
                self.call(
                    None, self.a.challenger, self.proofs.prove_interval, facts, pending.evidence
                )
            else:
                self.call(
                    None,
                    self.a.challenger,
                    self.proofs.prove_committed_mismatch,
                    facts,
                    *pending.evidence,
                )
            self.successes["fraud proven"] += 1
            assert not self.registry.has_role(self.registry.ORACLE_ROLE(), project.oracle)
            project.pending = None
            project.next_start = facts.period_start
            project.carried = facts.meters[0].carried_start
            project.oracle = self.pool.pop()
            with boa.env.prank(self.a.admin):
                self.registry.set_project_oracle(project.project_id, project.oracle)

    @rule(hours=st.sampled_from([1, 6, 24, 25, 72]))
    def advance_time(self, hours):
        self.watch()  # a watcher never sleeps through a window
        boa.env.time_travel(seconds=hours * 3600)

    # ---- finalization and disputes --------------------------------------------------------

    @rule(data=st.data())
    def finalize(self, data):
        self.watch()
        project = self.pick(data, [p for p in self.projects if p.pending is not None])
        if project is not None:
            self._finalize(project)

    def _finalize(self, project: ModelProject) -> None:
        pending = project.pending
        if not pending.disputed and boa.env.timestamp < pending.deadline:
            boa.env.time_travel(seconds=pending.deadline - boa.env.timestamp)
        expected = None
        if self.reports_paused:
            expected = "pausable: contract is paused"
        elif pending.disputed:
            expected = "reports: report disputed"
        elif self.credit_paused and self.ledger.mints(project, pending):
            expected = "pausable: contract is paused"
        self.call(expected, self.a.stranger, self.reports.finalize, pending.facts)
        if expected is None:
            self._credit(project)

    def _credit(self, project: ModelProject) -> None:
        pending = project.pending
        assert pending.fraud == 0, "a cheat was about to be credited"
        self.ledger.credit_report(project, pending)
        project.periods.append((pending.facts.period_start, pending.facts.period_end))
        project.pending = None

    @rule(data=st.data(), wrong_actor=st.booleans())
    def dispute(self, data, wrong_actor):
        open_reports = [
            p for p in self.projects if p.pending is not None and not p.pending.disputed
        ]
        project = self.pick(data, open_reports)
        if project is None:
            return
        if wrong_actor:
            self.call(
                "roles: caller is not a validator",
                self.a.stranger,
                self.reports.dispute,
                project.project_id,
                "x",
            )
            return
        expected = (
            None
            if boa.env.timestamp < project.pending.deadline
            else "reports: challenge window over"
        )
        self.call(expected, self.a.validator, self.reports.dispute, project.project_id, "check")
        if expected is None:
            project.pending.disputed = True
            project.pending.disputer = self.a.validator
            project.pending.disputed_at = boa.env.timestamp

    @rule(data=st.data(), uphold=st.booleans(), second=st.booleans())
    def resolve_dispute(self, data, uphold, second):
        self.watch()  # validators uphold only what a watcher left standing
        disputed = [p for p in self.projects if p.pending is not None and p.pending.disputed]
        project = self.pick(data, disputed)
        if project is None:
            return
        pending = project.pending
        validator = self.a.second_validator if second else self.a.validator
        expected = None
        # The contract's order: the dispute's expiry (uphold or reject), then for an uphold the
        # reports' pause, the disputer's wait for the window, and the credit's pause on a mint.
        if boa.env.timestamp >= pending.disputed_at + DISPUTE_TIMEOUT:
            expected = "reports: dispute expired"
            event("refused resolve_dispute: dispute expired")
        elif uphold:
            if self.reports_paused:
                expected = "pausable: contract is paused"
            elif validator == pending.disputer and boa.env.timestamp < pending.deadline:
                expected = "reports: disputer upholds after the window"
            elif self.credit_paused and self.ledger.mints(project, pending):
                expected = "pausable: contract is paused"
        label = "(uphold)" if uphold else "(reject)"
        self.call(
            expected, validator, self.reports.resolve_dispute, pending.facts, uphold, label=label
        )
        if expected is not None:
            return
        if uphold:
            self._credit(project)
        else:
            self._undone(project)

    @rule(data=st.data())
    def expire_dispute(self, data):
        self.watch()
        disputed = [p for p in self.projects if p.pending is not None and p.pending.disputed]
        project = self.pick(data, disputed)
        if project is None:
            return
        boa.env.time_travel(seconds=DISPUTE_TIMEOUT)
        # Expired: no validator settles it any more, whichever way.
        for uphold in (True, False):
            self.call("reports: dispute expired", self.a.second_validator,
                      self.reports.resolve_dispute, project.pending.facts, uphold)  # fmt: skip
        self.call(None, self.a.stranger, self.reports.expire_dispute, project.pending.facts)
        self._undone(project)

    def _undone(self, project: ModelProject) -> None:
        facts = project.pending.facts
        project.pending = None
        project.next_start = facts.period_start
        project.carried = facts.meters[0].carried_start

    @rule(on_credit=st.booleans(), dice=st.integers(0, 5))
    def toggle_pause(self, on_credit, dice):
        paused = self.credit_paused if on_credit else self.reports_paused
        if dice != 0 and not paused:
            return  # pause rarely, unpause at once: paused states block most rules
        contract = self.credit if on_credit else self.reports
        paused = self.credit_paused if on_credit else self.reports_paused
        # CarbonCredit's pause is sent with 1 wei (its unpause sends it back).
        value = 1 if on_credit and not paused else 0
        if value:
            boa.env.set_balance(self.a.pauser, boa.env.get_balance(self.a.pauser) + value)
        self.call(None, self.a.pauser, contract.unpause if paused else contract.pause, value=value)
        if on_credit:
            self.credit_paused = not paused
        else:
            self.reports_paused = not paused

    # ---- credits --------------------------------------------------------------------------

    def held_tokens(self) -> list[tuple[str, int]]:
        return sorted(key for key, amount in self.ledger.balances.items() if amount > 0)

    @precondition(lambda self: any(v > 0 for v in self.ledger.balances.values()))
    @rule(data=st.data(), too_much=st.booleans())
    def transfer(self, data, too_much):
        holder, tid = data.draw(st.sampled_from(self.held_tokens()))
        balance = self.ledger.balances[(holder, tid)]
        amount = balance + 1 if too_much else data.draw(st.integers(1, balance))
        to = self.a.buyer if holder != self.a.buyer else self.a.owner
        if self.credit_paused:
            expected = "pausable: contract is paused"
        elif too_much:
            expected = "erc1155: insufficient balance for transfer"
        else:
            expected = None
        self.call(expected, holder, self.credit.safeTransferFrom, holder, to, tid, amount, b"")
        if expected is None:
            self.ledger.balances[(holder, tid)] -= amount
            self.ledger.balances[(to, tid)] = self.ledger.balances.get((to, tid), 0) + amount

    @precondition(lambda self: any(v > 0 for v in self.ledger.balances.values()))
    @rule(data=st.data(), too_much=st.booleans(), purpose=st.integers(0, 5))
    def retire(self, data, too_much, purpose):
        holder, tid = data.draw(st.sampled_from(self.held_tokens()))
        balance = self.ledger.balances[(holder, tid)]
        amount = balance + 1 if too_much else data.draw(st.integers(1, balance))
        if too_much:
            expected = "credit: amount > balance"
        elif amount > self.ledger.uncertified(tid):
            expected = "certification: name the round"
        else:
            expected = None
        retirement_id = self.call(
            expected, holder, self.credit.retire, tid, amount, "Beneficiary", purpose, ""
        )
        if expected is None:
            self.retirement_count += 1
            assert retirement_id == self.retirement_count
            assert self.credit.retirements(retirement_id).certification_id == 0
            self.ledger.balances[(holder, tid)] -= amount
            self.ledger.retired[tid] = self.ledger.retired.get(tid, 0) + amount

    # ---- certification rounds -------------------------------------------------------------

    def certifiable(self) -> list[int]:
        return sorted(
            {
                tid
                for report_id, (tid, _) in self.ledger.report_minted.items()
                if report_id not in self.ledger.certified_reports
            }
        )

    @precondition(lambda self: self.ledger.report_minted)
    @rule(data=st.data(), amount=st.integers(1, 5))
    def mint_by_hand(self, data, amount):
        """The minter mints to a reported token's owner (a quick run rarely reaches a whole
        tonne from the meters): credits for rounds to certify. Modelled apart from the meters."""
        tid = data.draw(st.sampled_from(sorted({t for t, _ in self.ledger.report_minted.values()})))
        self._mint_by_hand(tid, amount)

    def _mint_by_hand(self, tid: int, amount: int) -> None:
        owner = next(p.owner for p in self.projects if p.project_id == tid >> 16)
        expected = "pausable: contract is paused" if self.credit_paused else None
        self.call(expected, self.reports.address, self.credit.mint, owner, tid, amount)
        if expected is None:
            ledger = self.ledger
            ledger.minted[tid] = ledger.minted.get(tid, 0) + amount
            ledger.hand_minted[tid] = ledger.hand_minted.get(tid, 0) + amount
            ledger.balances[(owner, tid)] = ledger.balances.get((owner, tid), 0) + amount

    @precondition(lambda self: self.certifiable())
    @rule(
        data=st.data(),
        cheat=st.sampled_from(("none",) * 4 + ("twice", "too_much", "overlap", "stranger")),
    )
    def certify(self, data, cheat):
        """The registrar certifies uncertified finalized reports of one token, or tries a cheat
        the contract must refuse."""
        ledger = self.ledger
        tid = data.draw(st.sampled_from(self.certifiable()))
        free = sorted(
            r
            for r, (t, minted) in ledger.report_minted.items()
            if t == tid and r not in ledger.certified_reports
        )
        reports = data.draw(st.lists(st.sampled_from(free), min_size=1, unique=True))
        if cheat == "none" and not ledger.uncertified(tid):
            # A quick run's meters rarely reach a whole tonne: give the round credits to certify.
            self._mint_by_hand(tid, data.draw(st.integers(1, 5)))
        # The contract bounds a round by the token's uncertified supply; that the reports minted
        # as much is the registrar's word, checked by the SDK (hand-minted credits count here).
        bound = ledger.uncertified(tid)
        amount = data.draw(st.integers(1, bound)) if bound else 1
        first = ledger.last_serial.get(tid, 0) + data.draw(st.integers(1, 3))
        sender = self.a.registrar
        expected = None if bound else "certification: amount > uncertified"
        if cheat == "twice" and ledger.certified_reports:
            reports = [*reports, data.draw(st.sampled_from(sorted(ledger.certified_reports)))]
            expected = expected or "certification: report certified"
        elif cheat == "too_much":
            amount = ledger.uncertified(tid) + 1
            expected = "certification: amount > uncertified"
        elif cheat == "overlap" and ledger.last_serial.get(tid, 0):
            first = ledger.last_serial[tid]
            expected = "certification: serials overlap"
        elif cheat == "stranger":
            sender = self.a.stranger
            expected = "certification: caller is not a registrar"
        number = f"JC-{len(ledger.rounds) + 1}-{cheat}-{data.draw(st.integers(0, 10**6))}"
        certification_id = self.call(
            expected,
            sender,
            self.credit.record_certification,
            number,
            tid,
            reports,
            amount,
            first,
            first + amount - 1,
        )
        if expected is None:
            assert certification_id == len(ledger.rounds) + 1
            ledger.rounds[certification_id] = [tid, amount, 0, first]
            ledger.certified_reports.update(reports)
            ledger.certified[tid] = ledger.certified.get(tid, 0) + amount
            ledger.last_serial[tid] = first + amount - 1

    def retirable_rounds(self) -> list[tuple[str, int]]:
        return [
            (holder, round_id)
            for round_id, (tid, amount, retired, _) in sorted(self.ledger.rounds.items())
            for holder in self.holders
            if amount > retired and self.ledger.balances.get((holder, tid), 0) > 0
        ]

    @precondition(lambda self: self.retirable_rounds())
    @rule(data=st.data(), too_much=st.booleans())
    def retire_from_round(self, data, too_much):
        """A holder retires certified credits from a round with credits left; beyond its
        remaining amount the contract refuses."""
        ledger = self.ledger
        holder, round_id = data.draw(st.sampled_from(self.retirable_rounds()))
        tid, amount_total, retired, first = ledger.rounds[round_id]
        remaining, balance = amount_total - retired, ledger.balances[(holder, tid)]
        if too_much and remaining < balance:
            amount, expected = remaining + 1, "certification: amount > remaining"
        else:
            amount, expected = data.draw(st.integers(1, min(remaining, balance))), None
        retirement_id = self.call(
            expected, holder, self.credit.retire_certified, round_id, amount, "B", 1, ""
        )
        if expected is None:
            self.retirement_count += 1
            assert retirement_id == self.retirement_count
            (logged,) = [
                e for e in self.credit.get_logs(strict=False) if type(e).__name__ == "Retired"
            ]
            assert (logged.certification_id, logged.first_serial) == (round_id, first + retired)
            ledger.rounds[round_id][2] += amount
            ledger.certified_retired[tid] = ledger.certified_retired.get(tid, 0) + amount
            ledger.balances[(holder, tid)] -= amount
            ledger.retired[tid] = ledger.retired.get(tid, 0) + amount

    # ---- invariants -----------------------------------------------------------------------

    @invariant()
    def supply_is_minted_minus_retired(self):
        for tid, minted in self.ledger.minted.items():
            retired = self.ledger.retired.get(tid, 0)
            assert self.credit.total_supply(tid) == minted - retired
            assert self.credit.retired_by_token(tid) == retired
            assert sum(self.credit.balanceOf(h, tid) for h in self.holders) == minted - retired
            for holder in self.holders:
                assert self.credit.balanceOf(holder, tid) == self.ledger.balances.get(
                    (holder, tid), 0
                )

    @invariant()
    def certified_within_minted_and_rounds_within_certified(self):
        ledger = self.ledger
        for tid, minted in ledger.minted.items():
            certified = self.credit.certified(tid)
            certified_retired = self.credit.certified_retired(tid)
            assert certified == ledger.certified.get(tid, 0) <= minted
            assert certified_retired == ledger.certified_retired.get(tid, 0) <= certified
            assert self.credit.uncertified_supply(tid) == ledger.uncertified(tid) >= 0
            assert self.credit.last_serial(tid) == ledger.last_serial.get(tid, 0)
        assert self.credit.certification_count() == len(ledger.rounds)
        for round_id, (tid, amount, retired, first) in ledger.rounds.items():
            on_chain = self.credit.certifications(round_id)
            assert (on_chain.token_id, on_chain.amount, on_chain.retired) == (tid, amount, retired)
            assert retired <= amount and on_chain.first_serial == first
        for report_id in ledger.certified_reports:
            assert self.credit.certification_of_report(report_id) != 0

    @invariant()
    def credits_never_exceed_what_the_meters_measured(self):
        for (project_id, fy), reduction_g in self.ledger.finalized_g.items():
            tid = token_id(project_id, fy)
            carry = self.reports.carry_g(project_id, fy)
            on_chain = (
                self.credit.total_supply(tid)
                + self.credit.retired_by_token(tid)
                - self.ledger.hand_minted.get(tid, 0)
            ) * 1_000_000 + carry
            assert carry < 1_000_000
            assert on_chain == reduction_g == self.ledger.truth_g[(project_id, fy)]

    @invariant()
    def periods_contiguous_and_cursor_as_modelled(self):
        for project in self.projects:
            cursor = FY2025_START
            for start, end in project.periods:
                assert start == cursor and end > start
                cursor = end
            assert self.reports.next_period_start(project.project_id) == project.next_start
            expected_start = project.pending.facts.period_end if project.pending else cursor
            assert project.next_start == expected_start

    @invariant()
    def pending_report_matches_model(self):
        for project in self.projects:
            on_chain = self.reports.pending_report(project.project_id)
            if project.pending is None:
                assert on_chain.status == 0
            else:
                assert on_chain.status == (2 if project.pending.disputed else 1)
                assert on_chain.report_id == project.pending.facts.report_id


@pytest.mark.deep
def test_platform_state_machine(world):
    successes: Counter = Counter()
    PlatformMachine.world = world
    PlatformMachine.successes = successes
    examples, steps = STEPS
    run = settings(max_examples=examples, stateful_step_count=steps, deadline=None)(PlatformMachine)
    run.TestCase().runTest()
    short = {
        name: successes[name] for name, least in MIN_SUCCESSES.items() if successes[name] < least
    }
    assert not short, f"rules exercised too rarely: {short} (all: {dict(successes)})"
