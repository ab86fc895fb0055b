"""Typed client of Registry.vy: projects, meters, emission factors and monitoring reports.

Reads return plain dataclasses; writes take a `jcredit.tx.Sender`, are dry-run first and raise
`ChainError` with the contract's revert reason, so a refused call changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jcredit.errors import JCreditError, NotFoundError
from jcredit.types import ORACLE_ROLE, MeterKind, MeterStatus, ProjectStatus, ReportStatus
from methodology.fiscal import fiscal_year_bounds, to_iso

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from jcredit.tx import Sender

PROJECT_ACTIONS = ("approve", "reject", "suspend", "resume")
_ACTIONS_WITH_REASON = ("reject", "suspend")


@dataclass(frozen=True)
class ProjectRecord:
    project_id: int
    owner: str
    capacity_w: int
    commissioning_date: int
    crediting_start: int
    crediting_end: int
    methodology_id: str
    metadata_uri: str
    status: ProjectStatus
    oracle: str
    next_period_start: int  # 0 until monitoring starts
    active_meter_kinds: MeterKind  # kinds of the approved meters every report must read


@dataclass(frozen=True)
class MeterRecord:
    address: str
    project_id: int
    kind: MeterKind
    status: MeterStatus
    serial: str
    certification_expiry: int
    last_timestamp: int  # 0 before its baseline
    last_cumulative_wh: int


@dataclass(frozen=True)
class FactorRecord:
    fiscal_year: int
    factor_g_per_mwh: int  # 0 = not set
    starts_at: int
    ends_at: int
    locked: bool


@dataclass(frozen=True)
class PendingReport:
    status: ReportStatus
    report_id: int
    period_start: int
    period_end: int
    fiscal_year: int
    void: bool
    challenge_deadline: int
    self_consumed_wh: int
    reduction_g: int


@dataclass(frozen=True)
class Finalized:
    """What a finalization did (the ReportFinalized event)."""

    report_id: int
    token_id: int
    minted_t: int
    carry_g: int
    tx_hash: str


class RegistryClient:
    def __init__(self, contract: ContractInstance) -> None:
        self.contract = contract

    @property
    def address(self) -> str:
        return self.contract.address

    # -- projects ----------------------------------------------------------------------------
    def project_count(self) -> int:
        return int(self.contract.project_count())

    def project(self, project_id: int) -> ProjectRecord:
        """The project, or NotFoundError for an id that was never registered."""
        count = self.project_count()
        if not 1 <= project_id <= count:
            known = f"projects 1..{count}" if count else "no projects yet"
            raise NotFoundError(f"unknown project {project_id}: this registry has {known}")
        raw = self.contract.projects(project_id)
        return ProjectRecord(
            project_id=project_id,
            owner=raw.owner,
            capacity_w=int(raw.capacity_w),
            commissioning_date=int(raw.commissioning_date),
            crediting_start=int(raw.crediting_start),
            crediting_end=int(raw.crediting_end),
            methodology_id=str(raw.methodology_id),
            metadata_uri=str(raw.metadata_uri),
            status=ProjectStatus(int(raw.status)),
            oracle=raw.oracle,
            next_period_start=int(raw.next_period_start),
            active_meter_kinds=MeterKind(int(raw.active_meter_kinds)),
        )

    def register_project(
        self,
        sender: Sender,
        capacity_w: int,
        commissioning_date: int,
        crediting_start: int,
        crediting_end: int,
        metadata_uri: str,
        methodology_id: str = "EN-R-002",
    ) -> int:
        """Register a project owned by the sender; its id (from the ProjectRegistered event)."""
        receipt = sender.send(
            f"registering a {capacity_w} W project",
            self.contract.register_project,
            capacity_w,
            commissioning_date,
            crediting_start,
            crediting_end,
            methodology_id,
            metadata_uri,
        )
        (event,) = receipt.events.filter(self.contract.ProjectRegistered)
        return int(event.project_id)

    def set_project_status(
        self, sender: Sender, action: str, project_id: int, reason: str = ""
    ) -> None:
        """approve / reject / suspend / resume a project (validator)."""
        if action not in PROJECT_ACTIONS:
            raise ValueError(f"unknown project action {action!r}: {', '.join(PROJECT_ACTIONS)}")
        self.project(project_id)
        method = getattr(self.contract, f"{action}_project")
        args = (project_id, reason) if action in _ACTIONS_WITH_REASON else (project_id,)
        sender.send(f"{action} project {project_id} by {sender.address}", method, *args)

    def has_role(self, role: bytes, account: str) -> bool:
        return bool(self.contract.has_role(role, account))

    def set_project_oracle(self, sender: Sender, project_id: int, oracle: str) -> None:
        """Assign the feed that may report for the project (admin; it must hold ORACLE_ROLE)."""
        self.project(project_id)
        if not self.has_role(ORACLE_ROLE, oracle):
            raise JCreditError(
                f"{oracle} does not hold ORACLE_ROLE: the admin grants it first "
                "(`ape run deploy` grants it to --oracle)"
            )
        sender.send(
            f"setting the oracle of project {project_id} to {oracle}",
            self.contract.set_project_oracle,
            project_id,
            oracle,
        )

    # -- meters ------------------------------------------------------------------------------
    def meter(self, address: str) -> MeterRecord:
        """The meter, or NotFoundError for an address never registered."""
        raw = self.contract.meters(address)
        if int(raw.project_id) == 0:
            raise NotFoundError(f"unknown meter {address}: it is not registered with any project")
        return MeterRecord(
            address=address,
            project_id=int(raw.project_id),
            kind=MeterKind(int(raw.kind)),
            status=MeterStatus(int(raw.status)),
            serial=str(raw.serial),
            certification_expiry=int(raw.certification_expiry),
            last_timestamp=int(raw.last_timestamp),
            last_cumulative_wh=int(raw.last_cumulative_wh),
        )

    def register_meter(
        self,
        sender: Sender,
        project_id: int,
        meter: str,
        kind: MeterKind,
        serial: str,
        certification_expiry: int,
    ) -> None:
        self.project(project_id)
        sender.send(
            f"registering {kind.label} meter {meter} for project {project_id}",
            self.contract.register_meter,
            project_id,
            meter,
            int(kind),
            serial,
            certification_expiry,
        )

    def approve_meter(self, sender: Sender, meter: str) -> None:
        self.meter(meter)
        sender.send(
            f"approving meter {meter} by {sender.address}", self.contract.approve_meter, meter
        )

    def revoke_meter(self, sender: Sender, meter: str) -> None:
        self.meter(meter)
        sender.send(
            f"revoking meter {meter} by {sender.address}", self.contract.revoke_meter, meter
        )

    # -- emission factors --------------------------------------------------------------------
    def emission_factor(self, fiscal_year: int) -> FactorRecord:
        raw = self.contract.emission_factors(fiscal_year)
        return FactorRecord(
            fiscal_year=fiscal_year,
            factor_g_per_mwh=int(raw.factor_g_per_mwh),
            starts_at=int(raw.starts_at),
            ends_at=int(raw.ends_at),
            locked=bool(raw.locked),
        )

    def set_emission_factor(self, sender: Sender, fiscal_year: int, factor_g_per_mwh: int) -> str:
        """Put one fiscal year's factor on chain with its JST bounds; 'set' or 'unchanged'."""
        starts_at, ends_at = fiscal_year_bounds(fiscal_year)
        current = self.emission_factor(fiscal_year)
        if (current.factor_g_per_mwh, current.starts_at, current.ends_at) == (
            factor_g_per_mwh,
            starts_at,
            ends_at,
        ):
            return "unchanged"
        if current.locked:
            raise JCreditError(
                f"FY{fiscal_year}: on chain {current.factor_g_per_mwh} g/MWh is locked (a report "
                f"used it); the table says {factor_g_per_mwh} g/MWh"
            )
        sender.send(
            f"setting FY{fiscal_year} to {factor_g_per_mwh} g-CO2/MWh",
            self.contract.set_emission_factor,
            fiscal_year,
            factor_g_per_mwh,
            starts_at,
            ends_at,
        )
        return "set"

    # -- monitoring reports ------------------------------------------------------------------
    def next_period_start(self, project_id: int) -> int:
        return int(self.contract.next_period_start(project_id))

    def pending_report(self, project_id: int) -> PendingReport:
        raw = self.contract.pending_report(project_id)
        return PendingReport(
            status=ReportStatus(int(raw.status)),
            report_id=int(raw.report_id),
            period_start=int(raw.period_start),
            period_end=int(raw.period_end),
            fiscal_year=int(raw.fiscal_year),
            void=bool(raw.void),
            challenge_deadline=int(raw.challenge_deadline),
            self_consumed_wh=int(raw.self_consumed_wh),
            reduction_g=int(raw.reduction_g),
        )

    def start_monitoring(
        self, sender: Sender, project_id: int, period_start: int, signed_readings: list[tuple]
    ) -> None:
        sender.send(
            f"start_monitoring of project {project_id} at {to_iso(period_start)}",
            self.contract.start_monitoring,
            project_id,
            period_start,
            signed_readings,
        )

    def submit_report(self, sender: Sender, label: str, args: tuple[Any, ...]) -> int:
        """Submit a report (`args` in submit_report order); its report id."""
        receipt = sender.send(label, self.contract.submit_report, *args)
        (event,) = receipt.events.filter(self.contract.ReportSubmitted)
        return int(event.report_id)

    def finalize(self, sender: Sender, project_id: int) -> Finalized:
        """Finalize the project's pending report (anyone, after the challenge window)."""
        self.project(project_id)
        receipt = sender.send(
            f"finalizing the pending report of project {project_id}",
            self.contract.finalize,
            project_id,
        )
        (event,) = receipt.events.filter(self.contract.ReportFinalized)
        return Finalized(
            report_id=int(event.report_id),
            token_id=int(event.token_id),
            minted_t=int(event.minted_t),
            carry_g=int(event.carry_g),
            tx_hash=str(receipt.txn_hash),
        )
