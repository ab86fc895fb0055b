"""Stateful test: registration, reporting, dispute, finalize, transfer and retire on the real
bytecode (titanoboa) against a Python reference model.

Every rule predicts from the model whether the call succeeds or which check refuses it, then
checks the contract agrees. Invariants after every step:
- each token's supply = minted - retired, and the holders' balances add up to it;
- per project and fiscal year, minted t x 1e6 + carry g = sum of finalized reduction g;
- the accepted (not rejected) periods of a project are contiguous from the monitoring start to
  next_period_start: no period reported twice or left out;
- meter registers and timestamps match the model, which only moves them forward (a rejected
  report restores the previous reading);
- wrong-role calls are refused (rules call privileged functions with the wrong actor).

Quick profile (`make test`): 20 examples x up to 60 steps. Deep profile (HYPOTHESIS_PROFILE=deep,
`make test-deep`): 300 examples x up to 150 steps. Successful calls are counted per function
(and per dispute outcome) over the whole run, also as hypothesis `event`s
(`--hypothesis-show-statistics`); the test fails if a run exercised a key rule (dispute, uphold,
reject, ...) fewer than MIN_SUCCESSES times, so the machine cannot silently stop reaching it.
"""

import os
from collections import Counter

import boa
import pytest
from eth_utils import keccak
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from tests.contracts.contract_world import (
    DAY,
    EXPORT,
    FY2025_START,
    GENERATION,
    World,
    meter_key,
    token_id,
)
from tests.contracts.meter_signing import Meter
from tests.contracts.stateful_model import (
    CAPACITY_W,
    FACTOR_2026,
    FACTORS,
    FY2026_END,
    FY_BOUNDS,
    CreditLedger,
    ModelMeter,
    ModelProject,
    Pending,
    fiscal_year,
)

MAX_PROJECTS = 3
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
STEPS = {"quick": (20, 60), "deep": (300, 150)}[PROFILE]
# Least successful calls per run; a quick run makes each several times more often than this.
MIN_SUCCESSES = {
    "submit_report": 20,
    "dispute": 5,
    "resolve_dispute(uphold)": 3,
    "resolve_dispute(reject)": 3,
}


class CreditsMachine(RuleBasedStateMachine):
    # The session-wide deployment (see conftest); each example runs inside its own anchor.
    world: World
    # Successful calls per function over all examples of a run (see MIN_SUCCESSES).
    successes: Counter

    def __init__(self) -> None:
        super().__init__()
        self.a = self.world.actors
        self.registry, self.credit = self.world.registry, self.world.credit
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        boa.env.timestamp = FY2025_START + DAY
        with boa.env.prank(self.a.admin):
            self.registry.set_emission_factor(2026, FACTOR_2026, *FY_BOUNDS[2026])
        self.projects: list[ModelProject] = []
        self.window = 0
        self.registry_paused = False
        self.credit_paused = False
        self.report_count = 0
        self.retirement_count = 0
        self.ledger = CreditLedger()

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)

    # ---- helpers --------------------------------------------------------------------------

    @property
    def holders(self) -> list[str]:
        return [self.a.owner, self.a.holder, self.a.buyer]

    def call(self, expected: str | None, sender: str, fn, *args, label: str = ""):
        """Calls fn as sender; expected is None for success or the exact revert reason. A success
        is counted under the function's name plus `label`."""
        with boa.env.prank(sender):
            if expected is None:
                result = fn(*args)
                name = fn.func_t.name + label
                self.successes[name] += 1
                event(f"ok {name}")
                return result
            with boa.reverts(expected):
                fn(*args)
        return None

    def pick(self, data, statuses=None) -> ModelProject | None:
        candidates = [p for p in self.projects if statuses is None or p.status in statuses]
        return data.draw(st.sampled_from(candidates)) if candidates else None

    def pick_pending(self, data, disputed: bool = False) -> ModelProject | None:
        """Mostly a project with a pending (or disputed) report, sometimes any project."""
        pending = [
            p
            for p in self.projects
            if p.pending is not None and (p.pending.disputed or not disputed)
        ]
        # Hypothesis favours False: the common draw picks a project with a report to act on.
        if pending and not data.draw(st.booleans()):
            return data.draw(st.sampled_from(pending))
        return self.pick(data)

    # ---- registration ---------------------------------------------------------------------

    @initialize(
        g0=st.integers(0, 10**12), e0=st.integers(0, 10**12), window=st.sampled_from([0, DAY])
    )
    def two_monitored_projects(self, g0, e0, window):
        """Start with one approved, equipped and monitored project per owner."""
        self.set_window(window, wrong_actor=False)
        for owner in (self.a.owner, self.a.holder):
            self.register_project(second_owner=owner == self.a.holder)
            project = self.projects[-1]
            self.call(None, self.a.validator, self.registry.approve_project, project.project_id)
            project.status = "approved"
            self._equip(project)
            self._start(project, g0, e0)

    @precondition(lambda self: len(self.projects) < MAX_PROJECTS)
    @rule(second_owner=st.booleans())
    def register_project(self, second_owner):
        owner = self.a.holder if second_owner else self.a.owner
        with boa.env.prank(owner):
            project_id = self.registry.register_project(
                CAPACITY_W,
                FY2025_START - DAY,
                FY2025_START,
                FY2025_START + 5 * 365 * DAY,
                "EN-R-002",
                "",
            )
        assert project_id == len(self.projects) + 1
        self.projects.append(ModelProject(project_id, owner))

    @rule(
        data=st.data(),
        wrong_actor=st.booleans(),
        action=st.sampled_from(["approve", "suspend", "resume"]),
    )
    def project_lifecycle(self, data, wrong_actor, action):
        project = self.pick(data)
        if project is None:
            return
        fn = getattr(self.registry, f"{action}_project")
        args = (project.project_id,) if action != "suspend" else (project.project_id, "audit")
        needed = {"approve": "pending", "suspend": "approved", "resume": "suspended"}[action]
        if action == "suspend" and data.draw(st.integers(0, 3)) != 3:
            return  # suspend a quarter as often as resume
        if wrong_actor:
            self.call("roles: caller is not a validator", self.a.stranger, fn, *args)
            return
        if project.status != needed:
            message = {
                "pending": "registry: project not pending",
                "approved": "registry: project not approved",
                "suspended": "registry: project not suspended",
            }[needed]
            self.call(message, self.a.validator, fn, *args)
            return
        self.call(None, self.a.validator, fn, *args)
        project.status = {"approve": "approved", "suspend": "suspended", "resume": "approved"}[
            action
        ]

    @rule(data=st.data())
    def equip_project(self, data):
        """Owner registers generation and export meters, validator approves, admin sets oracle."""
        project = self.pick(data, statuses={"pending", "approved", "suspended"})
        if project is None or project.meters:
            return
        self._equip(project)

    def _equip(self, project: ModelProject) -> None:
        for kind in (GENERATION, EXPORT):
            signer = Meter(meter_key(project.project_id * 16 + kind))
            self.call(
                "registry: not the project owner",
                self.a.stranger,
                self.registry.register_meter,
                project.project_id,
                signer.address,
                kind,
                "SN",
                FY2026_END,
            )
            self.call(
                None,
                project.owner,
                self.registry.register_meter,
                project.project_id,
                signer.address,
                kind,
                "SN",
                FY2026_END,
            )
            self.call(None, self.a.validator, self.registry.approve_meter, signer.address)
            project.meters[kind] = ModelMeter(signer)
        self.call(
            None, self.a.admin, self.registry.set_project_oracle, project.project_id, self.a.oracle
        )

    @rule(data=st.data(), g0=st.integers(0, 10**12), e0=st.integers(0, 10**12))
    def start_monitoring(self, data, g0, e0):
        project = self.pick(data)
        if project is None or not project.meters:
            return
        self._start(project, g0, e0)

    def _start(self, project: ModelProject, g0: int, e0: int) -> None:
        start = FY2025_START
        readings = [
            project.meters[k].signer.reading(
                self.world.domain, project.project_id, start - 1800, wh
            )
            for k, wh in ((GENERATION, g0), (EXPORT, e0))
        ]
        fn = self.registry.start_monitoring
        if self.registry_paused:
            expected = "pausable: contract is paused"
        elif project.status != "approved":
            expected = "registry: project not approved"
        elif project.pending is not None:
            expected = "registry: report pending"
        elif project.monitoring_start and project.next_start != start:
            expected = "registry: monitoring started"
        elif project.monitoring_start:
            expected = "registry: meter has a baseline"
        else:
            expected = None
        self.call(expected, self.a.oracle, fn, project.project_id, start, readings)
        if expected is None:
            project.monitoring_start = project.next_start = start
            for kind, wh in ((GENERATION, g0), (EXPORT, e0)):
                project.meters[kind].last_ts, project.meters[kind].last_wh = start - 1800, wh

    # ---- reports --------------------------------------------------------------------------

    @rule(
        data=st.data(),
        hours=st.integers(1, 45 * 24),
        load=st.floats(0, 1),
        export_share=st.floats(0, 1),
        mode=st.sampled_from(
            [
                "valid",
                "valid",
                "valid",
                "valid",
                "void",
                "bad_claim",
                "bad_export",
                "over_capacity",
                "replay",
                "stranger",
            ]
        ),
    )
    def submit_report(self, data, hours, load, export_share, mode, project=None):
        project = project or self.pick(data)
        if project is None or not project.monitoring_start:
            return
        start = project.next_start
        end = start + hours * 3600
        boa.env.timestamp = max(boa.env.timestamp, end)
        max_wh = CAPACITY_W * (end - start) // 3600
        generation = int(max_wh * load)
        export = int(generation * export_share)
        if mode == "bad_export":
            export = generation + 1
        if mode == "over_capacity":
            generation, export = max_wh + 1, 0
        self_consumed = max(generation - export, 0)
        fy = fiscal_year(start)
        reduction = self_consumed * FACTORS[fy] // 1_000_000
        claim_wh, claim_g = (0, 0) if mode == "void" else (self_consumed, reduction)
        if mode == "bad_claim":
            claim_g += 1
        g_meter, e_meter = project.meters[GENERATION], project.meters[EXPORT]
        registers = {GENERATION: g_meter.last_wh + generation, EXPORT: e_meter.last_wh + export}
        readings = [
            project.meters[k].signer.reading(
                self.world.domain, project.project_id, end, registers[k]
            )
            for k in (GENERATION, EXPORT)
        ]
        if mode == "replay":
            readings[1] = e_meter.signer.reading(
                self.world.domain, project.project_id, e_meter.last_ts, e_meter.last_wh
            )
        sender = self.a.stranger if mode == "stranger" else self.a.oracle
        expected = self.predict_submit(project, mode, sender, end, fy, generation, export, max_wh)
        if (
            expected is None
            and self.window == 0
            and mode != "void"
            and self.credit_paused
            and self.ledger.mints(project, fy, reduction)
        ):
            expected = "pausable: contract is paused"
        args = (
            project.project_id,
            end,
            fy,
            readings,
            b"\x22" * 32,
            "ar://x",
            claim_wh,
            claim_g,
            mode == "void",
        )
        report_id = self.call(expected, sender, self.registry.submit_report, *args)
        if expected is not None:
            return
        self.report_count += 1
        assert report_id == self.report_count
        previous = {k: (m.last_ts, m.last_wh) for k, m in project.meters.items()}
        for kind, meter in project.meters.items():
            assert registers[kind] >= meter.last_wh and end > meter.last_ts  # model moves forward
            meter.last_ts, meter.last_wh = end, registers[kind]
        project.periods.append((start, end, report_id))
        project.next_start = end
        credited = 0 if mode == "void" else reduction
        if self.window == 0:
            self.ledger.credit_report(project, fy, credited)
        else:
            project.pending = Pending(
                report_id, start, end, fy, credited, boa.env.timestamp + self.window, previous
            )

    @rule(
        data=st.data(),
        hours=st.integers(24, 31 * 24),
        load=st.floats(0.1, 1),
        export_share=st.floats(0, 1),
    )
    def submit_valid_report(self, data, hours, load, export_share):
        """A second, valid-only reporting rule, so reports dominate the step mix."""
        self.submit_report(data, hours, load, export_share, "valid")

    @rule(data=st.data(), hours=st.integers(24, 31 * 24), load=st.floats(0.1, 1))
    def submit_under_window_and_dispute(self, data, hours, load):
        """Reports under a one-day window, then a validator disputes inside it."""
        if self.window == 0:
            self.set_window(DAY, wrong_actor=False)
        project = self.pick(data)
        if project is None or project.pending is not None:
            return
        count = self.report_count
        self.submit_report(data, hours, load, 0.5, "valid", project=project)
        if self.report_count > count:
            self.dispute(data, wrong_actor=False, project=project)

    @rule(data=st.data(), hours=st.integers(24, 31 * 24), uphold=st.booleans())
    def dispute_cycle(self, data, hours, uphold):
        """One whole dispute: a valid report under a one-day window, a dispute inside it, and the
        validator's decision, so every run upholds and rejects disputed reports several times
        (hypothesis disables random rules per example; this keeps the path reachable)."""
        if self.window == 0:
            self.set_window(DAY, wrong_actor=False)
        ready = [p for p in self.projects if p.pending is None and p.monitoring_start]
        if not ready:
            return
        project = data.draw(st.sampled_from(ready))
        count = self.report_count
        self.submit_report(data, hours, 1.0, 0.5, "valid", project=project)
        if self.report_count == count:
            return  # refused (paused, project not approved): submit_report checked the reason
        self.dispute(data, wrong_actor=False, project=project)
        self.resolve_dispute(data, uphold, wrong_actor=False, project=project)

    def predict_submit(self, project, mode, sender, end, fy, generation, export, max_wh):
        """The first check of submit_report that fails, in the contract's order."""
        if self.registry_paused:
            return "pausable: contract is paused"
        if sender != self.a.oracle:
            return "registry: not the project oracle"
        if project.status != "approved":
            return "registry: project not approved"
        if project.pending is not None:
            return "registry: report pending"
        if end > FY_BOUNDS[fy][1]:
            return "registry: outside fiscal year"
        if mode == "replay":
            return "registry: reading not newer"
        if mode == "void":
            return None
        if export > generation:
            return "registry: export > generation"
        if generation > max_wh:
            return "registry: generation > capacity"
        if mode == "bad_claim":
            return "registry: reduction mismatch"
        return None

    @rule(data=st.data(), wait=st.booleans())
    def finalize(self, data, wait):
        project = self.pick_pending(data)
        if project is None:
            return
        pending = project.pending
        if wait and pending is not None:
            boa.env.timestamp = max(boa.env.timestamp, pending.deadline)
        if self.registry_paused:
            expected = "pausable: contract is paused"
        elif pending is None:
            expected = "registry: no pending report"
        elif pending.disputed:
            expected = "registry: report disputed"
        elif boa.env.timestamp < pending.deadline:
            expected = "registry: challenge window open"
        elif project.status != "approved":
            expected = "registry: project not approved"
        elif self.credit_paused and self.ledger.mints(
            project, pending.fiscal_year, pending.reduction_g
        ):
            expected = "pausable: contract is paused"
        else:
            expected = None
        self.call(expected, self.a.buyer, self.registry.finalize, project.project_id)
        if expected is None:
            self.ledger.credit_report(project, pending.fiscal_year, pending.reduction_g)
            project.pending = None

    @rule(data=st.data(), wrong_actor=st.booleans())
    def dispute(self, data, wrong_actor, project=None):
        project = project or self.pick_pending(data)
        if project is None:
            return
        pending = project.pending
        if wrong_actor:
            expected, sender = "roles: caller is not a validator", self.a.oracle
        elif pending is None:
            expected, sender = "registry: no pending report", self.a.validator
        elif pending.disputed:
            expected, sender = "registry: report disputed", self.a.validator
        elif boa.env.timestamp >= pending.deadline:
            expected, sender = "registry: challenge window over", self.a.validator
        else:
            expected, sender = None, self.a.validator
        self.call(expected, sender, self.registry.dispute, project.project_id, "check")
        if expected is None:
            pending.disputed = True

    @precondition(
        lambda self: any(p.pending is not None and p.pending.disputed for p in self.projects)
    )
    @rule(data=st.data(), uphold=st.booleans())
    def resolve_a_disputed_report(self, data, uphold):
        """The validator settles an open dispute (resolve_dispute also draws wrong cases)."""
        disputed = [p for p in self.projects if p.pending is not None and p.pending.disputed]
        project = data.draw(st.sampled_from(disputed))
        self.resolve_dispute(data, uphold, wrong_actor=False, project=project)

    @rule(data=st.data(), uphold=st.booleans(), wrong_actor=st.booleans())
    def resolve_dispute(self, data, uphold, wrong_actor, project=None):
        project = project or self.pick_pending(data, disputed=True)
        if project is None:
            return
        pending = project.pending
        if wrong_actor:
            expected, sender = "roles: caller is not a validator", self.a.owner
        elif pending is None or not pending.disputed:
            expected, sender = "registry: report not disputed", self.a.validator
        elif uphold and self.registry_paused:
            expected, sender = "pausable: contract is paused", self.a.validator
        elif uphold and project.status != "approved":
            expected, sender = "registry: project not approved", self.a.validator
        elif (
            uphold
            and self.credit_paused
            and self.ledger.mints(project, pending.fiscal_year, pending.reduction_g)
        ):
            expected, sender = "pausable: contract is paused", self.a.validator
        else:
            expected, sender = None, self.a.validator
        outcome = "(uphold)" if uphold else "(reject)"
        self.call(
            expected,
            sender,
            self.registry.resolve_dispute,
            project.project_id,
            uphold,
            label=outcome,
        )
        if expected is not None:
            return
        if uphold:
            self.ledger.credit_report(project, pending.fiscal_year, pending.reduction_g)
        else:
            for kind, (ts, wh) in pending.previous.items():
                project.meters[kind].last_ts, project.meters[kind].last_wh = ts, wh
            project.next_start = pending.start
            assert project.periods.pop()[2] == pending.report_id
        project.pending = None

    # ---- admin, time, pause ----------------------------------------------------------------

    @rule(seconds=st.sampled_from([DAY, 3 * DAY, 0]), wrong_actor=st.booleans())
    def set_window(self, seconds, wrong_actor):
        if not wrong_actor:
            self.call(None, self.a.admin, self.registry.set_challenge_window, seconds)
            self.window = seconds
        else:
            self.call(
                "ownable: caller is not the owner",
                self.a.validator,
                self.registry.set_challenge_window,
                seconds,
            )

    @rule(seconds=st.integers(1, 5 * DAY))
    def advance_time(self, seconds):
        boa.env.time_travel(seconds=seconds)

    @rule(on_credit=st.booleans(), wrong_actor=st.booleans(), dice=st.integers(0, 3))
    def toggle_pause(self, on_credit, wrong_actor, dice):
        contract = self.credit if on_credit else self.registry
        paused = self.credit_paused if on_credit else self.registry_paused
        if not paused and dice != 3:
            return  # pause a quarter as often as unpause, so reporting is not mostly paused
        fn = contract.unpause if paused else contract.pause
        if wrong_actor:
            self.call("roles: caller is not a pauser", self.a.admin, fn)
            return
        self.call(None, self.a.pauser, fn)
        if on_credit:
            self.credit_paused = not paused
        else:
            self.registry_paused = not paused

    @rule(data=st.data())
    def stranger_privileged_call(self, data):
        """Each privileged function refuses an account without the role."""
        _name, expected, fn, args = data.draw(
            st.sampled_from(
                [
                    (
                        "grant",
                        "ownable: caller is not the owner",
                        self.registry.grant_role,
                        (self.registry.ORACLE_ROLE(), self.a.stranger),
                    ),
                    (
                        "factor",
                        "ownable: caller is not the owner",
                        self.registry.set_emission_factor,
                        (2027, 1, 0, 0),
                    ),
                    (
                        "approve_meter",
                        "roles: caller is not a validator",
                        self.registry.approve_meter,
                        (self.a.stranger,),
                    ),
                    (
                        "mint",
                        "roles: caller is not a minter",
                        self.credit.mint,
                        (self.a.stranger, 1, 1),
                    ),
                    (
                        "reference",
                        "ownable: caller is not the owner",
                        self.credit.set_registry_reference,
                        (1, "x"),
                    ),
                    (
                        "transfer_admin",
                        "ownable: caller is not the owner",
                        self.credit.transfer_ownership,
                        (self.a.stranger,),
                    ),
                ]
            )
        )
        self.call(expected, self.a.stranger, fn, *args)

    # ---- credits --------------------------------------------------------------------------

    def held_tokens(self) -> list[tuple[str, int]]:
        return sorted(key for key, amount in self.ledger.balances.items() if amount > 0)

    @precondition(lambda self: any(v > 0 for v in self.ledger.balances.values()))
    @rule(data=st.data(), extra=st.integers(0, 2), to_buyer=st.booleans())
    def transfer(self, data, extra, to_buyer):
        holder, tid = data.draw(st.sampled_from(self.held_tokens()))
        balance = self.ledger.balances[(holder, tid)]
        amount = data.draw(st.integers(1, balance)) + (extra if extra == 2 else 0)
        to = self.a.buyer if to_buyer and holder != self.a.buyer else self.a.holder
        if to == holder:
            to = self.a.owner
        if self.credit_paused:
            expected = "pausable: contract is paused"
        elif amount > balance:
            expected = "erc1155: insufficient balance for transfer"
        else:
            expected = None
        self.call(expected, holder, self.credit.safeTransferFrom, holder, to, tid, amount, b"")
        if expected is None:
            self.ledger.balances[(holder, tid)] -= amount
            self.ledger.balances[(to, tid)] = self.ledger.balances.get((to, tid), 0) + amount

    @precondition(lambda self: any(v > 0 for v in self.ledger.balances.values()))
    @rule(data=st.data(), dice=st.integers(0, 3), purpose=st.integers(0, 5), memo=st.booleans())
    def retire(self, data, dice, purpose, memo):
        holder, tid = data.draw(st.sampled_from(self.held_tokens()))
        balance = self.ledger.balances[(holder, tid)]
        too_much = dice == 3  # a quarter of the time, so most retirements go through
        amount = balance + 1 if too_much else data.draw(st.integers(1, balance))
        expected = "credit: amount > balance" if too_much else None
        memo_text = "memo" if memo else ""
        retirement_id = self.call(
            expected, holder, self.credit.retire, tid, amount, "Beneficiary", purpose, memo_text
        )
        if expected is None:
            self.retirement_count += 1
            assert retirement_id == self.retirement_count
            assert self.credit.retirements(retirement_id) == (
                holder,
                tid,
                amount,
                boa.env.timestamp,
                purpose,
                keccak(b"Beneficiary"),
                keccak(memo_text.encode()),
            )
            self.ledger.balances[(holder, tid)] -= amount
            self.ledger.retired[tid] = self.ledger.retired.get(tid, 0) + amount

    # ---- invariants -----------------------------------------------------------------------

    @invariant()
    def supply_is_minted_minus_retired(self):
        for tid, minted in self.ledger.minted.items():
            retired = self.ledger.retired.get(tid, 0)
            assert self.credit.minted(tid) == minted
            assert self.credit.retired_by_token(tid) == retired
            assert self.credit.total_supply(tid) == minted - retired
            assert sum(self.credit.balanceOf(h, tid) for h in self.holders) == minted - retired
            for holder in self.holders:
                assert self.credit.balanceOf(holder, tid) == self.ledger.balances.get(
                    (holder, tid), 0
                )

    @invariant()
    def minted_and_carry_add_up_to_finalized_reductions(self):
        for (project_id, fy), reduction_g in self.ledger.finalized_g.items():
            tid = token_id(project_id, fy)
            carry = self.registry.carry_g(project_id, fy)
            assert carry < 1_000_000
            assert self.credit.minted(tid) * 1_000_000 + carry == reduction_g

    @invariant()
    def periods_contiguous_without_gaps_or_overlaps(self):
        for project in self.projects:
            contract_next = self.registry.next_period_start(project.project_id)
            assert contract_next == project.next_start
            cursor = project.monitoring_start
            for start, end, _ in project.periods:
                assert start == cursor and end > start
                cursor = end
            assert cursor == contract_next

    @invariant()
    def meter_registers_match_model(self):
        for project in self.projects:
            for meter in project.meters.values():
                on_chain = self.registry.meters(meter.signer.address)
                assert (on_chain.last_timestamp, on_chain.last_cumulative_wh) == (
                    meter.last_ts,
                    meter.last_wh,
                )

    @invariant()
    def pending_report_matches_model(self):
        for project in self.projects:
            on_chain = self.registry.pending_report(project.project_id)
            if project.pending is None:
                assert on_chain.status == 0
            else:
                assert on_chain.status == (2 if project.pending.disputed else 1)
                assert on_chain.report_id == project.pending.report_id
                assert (on_chain.period_start, on_chain.period_end) == (
                    project.pending.start,
                    project.pending.end,
                )


@pytest.mark.deep
def test_credits_state_machine(world):
    CreditsMachine.world = world
    examples, steps = STEPS
    CreditsMachine.TestCase.settings = settings(
        settings.default, max_examples=examples, stateful_step_count=steps
    )
    CreditsMachine.successes = Counter()
    CreditsMachine.TestCase().runTest()
    too_few = {
        name: CreditsMachine.successes[name]
        for name, least in MIN_SUCCESSES.items()
        if CreditsMachine.successes[name] < least
    }
    assert not too_few, f"rules rarely succeeded: {too_few} of {dict(CreditsMachine.successes)}"
