"""The Python reference model of the stateful contract test: the meters' true readings, what the
methodology credits for a period of them, and what the contracts must hold after any sequence of
calls, computed without them.

`test_stateful.PlatformMachine` drives the real bytecode and this model side by side; its rules
ask the model what a call should do and its invariants compare the two.
"""

from dataclasses import dataclass, field

from tests.contracts.contract_world import FACTOR_2025, FY2025_START, token_id

G_PER_T = 1_000_000
SLOT = 1800  # the meters read every 30 minutes (and declare 3,600 s: two readings per window)
DECLARED_INTERVAL = 3600
CAPACITY_W = 10_000  # at most 5,000 Wh per 30 minutes
SPIKE_WH = 4_800  # added to a slot's generation: always above 5,000 Wh
DAYS = 40
FIRST_REGISTERS = (1_000_000, 300_000)  # generation, export


@dataclass(frozen=True)
class Truth:
    """A plant's true 30-minute registers from FY2025_START for DAYS days, with spikes (slots
    whose generation is above capacity: the methodology voids their periods)."""

    seed: int
    spikes: frozenset[int]
    generation: tuple[int, ...] = field(init=False)
    export: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        generation, export = [FIRST_REGISTERS[0]], [FIRST_REGISTERS[1]]
        for slot in range(1, DAYS * 48 + 1):
            energy = 300 + (slot * 7919 + self.seed * 131) % 1_700
            if slot in self.spikes:
                energy += SPIKE_WH
            generation.append(generation[-1] + energy)
            export.append(export[-1] + energy * 3 // 10)
        object.__setattr__(self, "generation", tuple(generation))
        object.__setattr__(self, "export", tuple(export))

    @staticmethod
    def slot_of(timestamp: int) -> int:
        return (timestamp - FY2025_START) // SLOT

    def register(self, kind_slot: int, timestamp: int) -> int:
        registers = self.generation if kind_slot == 0 else self.export
        return registers[self.slot_of(timestamp)]

    def spike_in(self, start: int, end: int) -> int | None:
        """The first spike slot whose interval ends in (start, end], or None."""
        found = [s for s in self.spikes if self.slot_of(start) < s <= self.slot_of(end)]
        return min(found) if found else None

    def period(self, start: int, end: int) -> tuple[bool, int, int]:
        """The methodology's result of [start, end): (valid, self-consumed Wh, reduction g)."""
        if self.spike_in(start, end) is not None:
            return False, 0, 0
        generation = self.register(0, end) - self.register(0, start)
        export = self.register(1, end) - self.register(1, start)
        self_consumed = generation - export
        return True, self_consumed, self_consumed * FACTOR_2025 // G_PER_T


@dataclass
class Pending:
    facts: tuple
    fraud: int  # the FraudProofs kind that refutes it, or 0 for an honest report
    evidence: tuple  # what the watcher sends to prove it
    reduction_g: int
    truth_g: int  # what the methodology credits for the period
    deadline: int
    disputed: bool = False
    disputer: str = ""
    disputed_at: int = 0


@dataclass
class ModelProject:
    project_id: int
    owner: str
    truth: Truth
    meters: dict[int, object]  # kind slot -> Meter
    oracle: str
    next_start: int = FY2025_START
    carried: bool = True  # the next report carries the start readings
    pending: Pending | None = None
    periods: list[tuple[int, int]] = field(default_factory=list)  # finalized, in order


@dataclass
class CreditLedger:
    """Credits as the model expects them: per token id the carry, minted and retired t-CO2, per
    (holder, token) the balance, per (project, fiscal year) the finalized reduction and what the
    methodology credits for the finalized periods."""

    finalized_g: dict[tuple[int, int], int] = field(default_factory=dict)
    truth_g: dict[tuple[int, int], int] = field(default_factory=dict)
    carry: dict[int, int] = field(default_factory=dict)
    minted: dict[int, int] = field(default_factory=dict)
    retired: dict[int, int] = field(default_factory=dict)
    balances: dict[tuple[str, int], int] = field(default_factory=dict)
    # Certification rounds: report id -> (token id, tonnes minted) of each finalized report, the
    # reports certified, per round [token id, amount, retired, first serial], per token the
    # certified and certified-retired totals and the highest serial.
    report_minted: dict[int, tuple[int, int]] = field(default_factory=dict)
    certified_reports: set[int] = field(default_factory=set)
    rounds: dict[int, list[int]] = field(default_factory=dict)
    certified: dict[int, int] = field(default_factory=dict)
    certified_retired: dict[int, int] = field(default_factory=dict)
    last_serial: dict[int, int] = field(default_factory=dict)
    # Tonnes the machine mints by hand (as the minter) so that rounds have credits to certify:
    # the meters' invariant leaves them out.
    hand_minted: dict[int, int] = field(default_factory=dict)

    def supply(self, tid: int) -> int:
        return self.minted.get(tid, 0) - self.retired.get(tid, 0)

    def uncertified(self, tid: int) -> int:
        """Supply no round certified: what a plain retirement (or a new round) may take."""
        outstanding = self.certified.get(tid, 0) - self.certified_retired.get(tid, 0)
        return self.supply(tid) - outstanding

    def credit_report(self, project: ModelProject, pending: Pending) -> int:
        """A finalized report: whole tonnes of carry + reduction to the owner, the rest carried;
        the tonnes minted."""
        fy = pending.facts.fiscal_year
        tid = token_id(project.project_id, fy)
        total = self.carry.get(tid, 0) + pending.reduction_g
        minted_t, self.carry[tid] = divmod(total, G_PER_T)
        key = (project.project_id, fy)
        self.finalized_g[key] = self.finalized_g.get(key, 0) + pending.reduction_g
        self.truth_g[key] = self.truth_g.get(key, 0) + pending.truth_g
        self.minted[tid] = self.minted.get(tid, 0) + minted_t
        self.balances[(project.owner, tid)] = self.balances.get((project.owner, tid), 0) + minted_t
        self.report_minted[pending.facts.report_id] = (tid, minted_t)
        return minted_t

    def mints(self, project: ModelProject, pending: Pending) -> bool:
        """Whether finalizing this report mints at least one tonne."""
        tid = token_id(project.project_id, pending.facts.fiscal_year)
        return self.carry.get(tid, 0) + pending.reduction_g >= G_PER_T
