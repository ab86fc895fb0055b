"""The Python reference model of the stateful contract test: what the Registry and CarbonCredit
must hold after any sequence of calls (projects, meters, reports, credits), computed without them.

`test_stateful.CreditsMachine` drives the real bytecode and this model side by side; its rules
ask the model what a call should do and its invariants compare the two.
"""

from dataclasses import dataclass, field

from tests.contracts.contract_world import FACTOR_2025, FY2025_END, FY2025_START, token_id
from tests.contracts.meter_signing import Meter

G_PER_T = 1_000_000

FACTOR_2026 = 421_000
FY2026_END = 1806505200  # 2027-04-01T00:00+09:00
FACTORS = {2025: FACTOR_2025, 2026: FACTOR_2026}
FY_BOUNDS = {2025: (FY2025_START, FY2025_END), 2026: (FY2025_END, FY2026_END)}
CAPACITY_W = 50_000  # large enough that monthly reports mint whole tonnes


def fiscal_year(ts: int) -> int:
    return next(fy for fy, (start, end) in FY_BOUNDS.items() if start <= ts < end)


@dataclass
class ModelMeter:
    signer: Meter
    last_ts: int = 0
    last_wh: int = 0


@dataclass
class Pending:
    report_id: int
    start: int
    end: int
    fiscal_year: int
    reduction_g: int
    deadline: int
    previous: dict
    disputed: bool = False


@dataclass
class ModelProject:
    project_id: int
    owner: str
    status: str = "pending"
    meters: dict = field(default_factory=dict)
    monitoring_start: int = 0
    next_start: int = 0
    pending: Pending | None = None
    periods: list = field(default_factory=list)  # accepted (start, end, report_id), in order


@dataclass
class CreditLedger:
    """Credits as the model expects them: per token id the carry, minted and retired t-CO2, per
    (holder, token) the balance, per (project, fiscal year) the finalized reduction."""

    finalized_g: dict[tuple[int, int], int] = field(default_factory=dict)
    carry: dict[int, int] = field(default_factory=dict)
    minted: dict[int, int] = field(default_factory=dict)
    retired: dict[int, int] = field(default_factory=dict)
    balances: dict[tuple[str, int], int] = field(default_factory=dict)

    def credit_report(self, project: ModelProject, fy: int, reduction_g: int) -> None:
        """A finalized report: whole tonnes of carry + reduction to the owner, the rest carried."""
        tid = token_id(project.project_id, fy)
        total = self.carry.get(tid, 0) + reduction_g
        minted_t, self.carry[tid] = divmod(total, G_PER_T)
        key = (project.project_id, fy)
        self.finalized_g[key] = self.finalized_g.get(key, 0) + reduction_g
        self.minted[tid] = self.minted.get(tid, 0) + minted_t
        self.balances[(project.owner, tid)] = self.balances.get((project.owner, tid), 0) + minted_t

    def mints(self, project: ModelProject, fy: int, reduction_g: int) -> bool:
        """Whether finalizing this reduction mints at least one tonne."""
        return self.carry.get(token_id(project.project_id, fy), 0) + reduction_g >= G_PER_T
