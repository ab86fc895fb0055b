"""Typed client of Registry.vy: roles and launch, projects, meters and emission factors.

Reads return plain dataclasses; writes take a `jcredit.tx.Sender`, check what the caller gave
(naming the value and the problem), are dry-run first and raise `ChainError` with the contract's
revert reason, so a refused call changes nothing. Monitoring reports and oracle bonds live on
MonitoringReports (`jcredit.reports`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eth_utils import to_checksum_address

from jcredit.addresses import AddressError, checked_address
from jcredit.eip712 import recover, registration_digest
from jcredit.errors import InputError, JCreditError, NotFoundError
from jcredit.types import (
    MAX_INTERVAL_SECONDS,
    MIN_INTERVAL_SECONDS,
    ORACLE_ROLE,
    PAUSER_ROLE,
    VALIDATOR_ROLE,
    MeterKind,
    MeterStatus,
    ProjectStatus,
)
from methodology.fiscal import fiscal_year_bounds, to_iso

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from jcredit.reports import ReportsClient
    from jcredit.tx import Sender

PROJECT_ACTIONS = ("approve", "reject", "suspend", "resume")
_ACTIONS_WITH_REASON = ("reject", "suspend")
ROLE_NAMES = {
    VALIDATOR_ROLE: "VALIDATOR_ROLE",
    ORACLE_ROLE: "ORACLE_ROLE",
    PAUSER_ROLE: "PAUSER_ROLE",
}
_SERIAL_BYTES = 64
_REASON_BYTES = 256


@dataclass(frozen=True)
class ProjectRecord:
    project_id: int
    owner: str
    pending_owner: str  # zero unless a transfer waits for acceptance
    capacity_w: int
    commissioning_date: int
    crediting_start: int
    crediting_end: int
    methodology_id: str
    metadata_uri: str
    status: ProjectStatus
    oracle: str  # zero until the admin assigns one (and again after a proven fraud)
    active_meter_kinds: MeterKind  # kinds of the approved meters every report must read


@dataclass(frozen=True)
class MeterRecord:
    address: str
    project_id: int
    kind: MeterKind
    status: MeterStatus
    serial: str
    certification_expiry: int
    interval_seconds: int
    registration: int  # counts the meter's registrations; a baseline belongs to one of them


@dataclass(frozen=True)
class FactorRecord:
    fiscal_year: int
    factor_g_per_mwh: int  # 0 = not set
    starts_at: int
    ends_at: int
    locked: bool
    scheduled_factor_g_per_mwh: int  # 0 = nothing scheduled
    scheduled_eta: int  # when the scheduled factor may be activated (0 = nothing scheduled)


@dataclass(frozen=True)
class FactorChange:
    """What `set_emission_factor` did: "set" (at once, before launch), "scheduled" (after launch,
    activatable from `eta`), "already scheduled" or "unchanged"."""

    outcome: str
    eta: int = 0


def check_address(value: str, what: str) -> str:
    """`value` as a checksummed address, or InputError naming `what` (a mixed-case address must
    pass its EIP-55 checksum, see `jcredit.addresses`)."""
    if not isinstance(value, str):
        raise InputError(f"{what}: {value!r} is not an address (0x followed by 40 hex digits)")
    try:
        return checked_address(value)
    except AddressError as exc:
        raise InputError(f"{what}: {exc}") from None


def check_text(value: str, limit: int, what: str) -> str:
    """Text the contract stores in String[limit] (which counts UTF-8 bytes)."""
    size = len(value.encode())
    if size > limit:
        raise InputError(f"{what}: {size} bytes in UTF-8; the contract stores at most {limit}")
    return value


class RegistryClient:
    def __init__(self, contract: ContractInstance, reports: ReportsClient | None = None) -> None:
        self.contract = contract
        # The reports contract holds oracle bonds: assigning an oracle checks its bond there.
        self.reports = reports

    @property
    def address(self) -> str:
        return self.contract.address

    # -- admin, roles, launch ----------------------------------------------------------------
    def owner(self) -> str:
        return self.contract.owner()

    def launched(self) -> bool:
        return bool(self.contract.launched())

    def has_role(self, role: bytes, account: str) -> bool:
        return bool(self.contract.has_role(role, account))

    def role_grant_eta(self, role: bytes, account: str) -> int:
        return int(self.contract.role_grant_eta(role, account))

    def grant_role(self, sender: Sender, role: bytes, account: str) -> int:
        """Grant `role` (admin): at once before launch (returns 0), else scheduled (returns the
        time from which `activate_role` makes it take effect)."""
        account = check_address(account, "account")
        if role not in ROLE_NAMES:
            raise InputError(f"unknown role 0x{role.hex()}: {', '.join(ROLE_NAMES.values())}")
        name = ROLE_NAMES[role]
        receipt = sender.send(
            f"granting {name} to {account}", self.contract.grant_role, role, account
        )
        scheduled = list(receipt.events.filter(self.contract.RoleGrantScheduled))
        return int(scheduled[0].eta) if scheduled else 0

    def activate_role(self, sender: Sender, role: bytes, account: str) -> None:
        account = check_address(account, "account")
        if self.role_grant_eta(role, account) == 0:
            name = ROLE_NAMES.get(role, "the role")
            raise JCreditError(f"no grant of {name} to {account} is scheduled")
        sender.send(
            f"activating the grant to {account}", self.contract.activate_role, role, account
        )

    def launch(self, sender: Sender) -> None:
        """End the set-up for good (admin): reports may be submitted, admin changes wait."""
        sender.send("launching the Registry", self.contract.launch)

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
            pending_owner=raw.pending_owner,
            capacity_w=int(raw.capacity_w),
            commissioning_date=int(raw.commissioning_date),
            crediting_start=int(raw.crediting_start),
            crediting_end=int(raw.crediting_end),
            methodology_id=str(raw.methodology_id),
            metadata_uri=str(raw.metadata_uri),
            status=ProjectStatus(int(raw.status)),
            oracle=raw.oracle,
            active_meter_kinds=MeterKind(int(raw.active_meter_kinds)),
        )

    def register_project(
        self,
        sender: Sender,
        capacity_w: int,
        commissioning_date: int,
        application_date: int,
        monitoring_date: int,
        metadata_uri: str,
        methodology_id: str = "EN-R-002",
    ) -> int:
        """Register a project owned by the sender; its id (from the ProjectRegistered event).

        The contract derives the crediting period from the application and monitoring-possible
        dates, as `methodology.eligibility.crediting_period` does off chain."""
        check_text(metadata_uri, 256, "metadata URI")
        check_text(methodology_id, 32, "methodology id")
        receipt = sender.send(
            f"registering a {capacity_w} W project",
            self.contract.register_project,
            capacity_w,
            commissioning_date,
            application_date,
            monitoring_date,
            methodology_id,
            metadata_uri,
        )
        (event,) = receipt.events.filter(self.contract.ProjectRegistered)
        return int(event.project_id)

    def declare_battery(self, sender: Sender, project_id: int) -> None:
        """Declare the project's battery (its owner, while the project is pending): its reports
        by difference then need battery charge and discharge meters, and only such a project may
        register battery meters."""
        owner = self.project(project_id).owner
        if sender.address != owner:
            raise JCreditError(
                f"{sender.address} is not the owner of project {project_id}: its owner {owner} "
                "declares its battery"
            )
        sender.send(
            f"declaring the battery of project {project_id}",
            self.contract.declare_battery,
            project_id,
        )

    def has_battery(self, project_id: int) -> bool:
        """Whether the project's owner declared a battery."""
        return bool(self.contract.has_battery(project_id))

    def set_project_status(
        self, sender: Sender, action: str, project_id: int, reason: str = ""
    ) -> None:
        """approve / reject / suspend / resume a project (validator)."""
        if action not in PROJECT_ACTIONS:
            raise InputError(f"unknown project action {action!r}: {', '.join(PROJECT_ACTIONS)}")
        check_text(reason, _REASON_BYTES, "reason")
        self.project(project_id)
        method = getattr(self.contract, f"{action}_project")
        args = (project_id, reason) if action in _ACTIONS_WITH_REASON else (project_id,)
        sender.send(f"{action} project {project_id} by {sender.address}", method, *args)

    def set_project_oracle(self, sender: Sender, project_id: int, oracle: str) -> None:
        """Assign the feed that may report for the project (admin). The oracle must hold
        ORACLE_ROLE and a live bond on MonitoringReports."""
        oracle = check_address(oracle, "oracle")
        self.project(project_id)
        if not self.has_role(ORACLE_ROLE, oracle):
            raise JCreditError(
                f"{oracle} does not hold ORACLE_ROLE: the admin grants it first "
                "(`ape run deploy` grants it to --oracle)"
            )
        if self.reports is not None and not self.reports.is_bonded(oracle):
            bond = self.reports.bond_of(oracle)
            raise JCreditError(
                f"oracle {oracle} has no live bond on MonitoringReports (it holds {bond.amount} "
                f"wei{', unbonding' if bond.available_at else ''}; at least "
                f"{self.reports.min_bond()} wei): the oracle posts it with "
                "`ape run oracle bond post`"
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
        address = check_address(address, "meter")
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
            interval_seconds=int(raw.interval_seconds),
            registration=int(raw.registration),
        )

    def project_meters(self, project_id: int) -> dict[MeterKind, str]:
        """The project's approved meter of each kind that has one."""
        slots = self.contract.project_meters(project_id)
        return {
            kind: to_checksum_address(slots[kind.slot])
            for kind in MeterKind
            if int(slots[kind.slot], 16) != 0
        }

    def domain_separator(self) -> bytes:
        return bytes(self.contract.domain_separator())

    def check_registration_signature(
        self, project_id: int, owner: str, meter: str, serial: str, signature: bytes
    ) -> None:
        """Refuse a meter signature that the contract would refuse, saying what it must sign."""
        if len(signature) != 65:
            raise InputError(f"meter signature: {len(signature)} bytes, expected 65 (r, s, v)")
        digest = registration_digest(self.domain_separator(), project_id, owner, serial)
        signer = recover(digest, signature)
        if signer != meter:
            who = "a malformed or malleable signature" if signer is None else f"signed by {signer}"
            raise InputError(
                f"meter signature: {who}, not by meter {meter}; the meter signs "
                f"MeterRegistration(projectId {project_id}, owner {owner}, serial {serial!r}) for "
                f"Registry {self.address} on this chain"
            )

    def register_meter(
        self,
        sender: Sender,
        project_id: int,
        meter: str,
        kind: MeterKind,
        serial: str,
        certification_expiry: int,
        interval_seconds: int,
        meter_signature: bytes,
    ) -> None:
        """Register a meter for the sender's project (owner), with the meter's own EIP-712
        MeterRegistration signature over (project, sender, serial)."""
        meter = check_address(meter, "meter")
        if not serial.strip():
            raise InputError("serial: empty")
        check_text(serial, _SERIAL_BYTES, "serial")
        if not MIN_INTERVAL_SECONDS <= interval_seconds <= MAX_INTERVAL_SECONDS:
            raise InputError(
                f"interval: {interval_seconds} s; a meter's interval is "
                f"{MIN_INTERVAL_SECONDS}..{MAX_INTERVAL_SECONDS} s"
            )
        owner = self.project(project_id).owner
        if sender.address != owner:
            # Checked before the signature, which names the owner: say who must register.
            raise JCreditError(
                f"{sender.address} is not the owner of project {project_id}: its owner {owner} "
                "registers its meters"
            )
        self.check_registration_signature(
            project_id, sender.address, meter, serial, bytes(meter_signature)
        )
        sender.send(
            f"registering {kind.label} meter {meter} for project {project_id}",
            self.contract.register_meter,
            project_id,
            meter,
            int(kind),
            serial,
            certification_expiry,
            interval_seconds,
            bytes(meter_signature),
        )

    def approve_meter(self, sender: Sender, meter: str, certification_expiry: int) -> None:
        """Approve a pending meter (validator), confirming the certification expiry on its
        certificate: it must equal the one the owner registered."""
        record = self.meter(meter)
        if record.certification_expiry != certification_expiry:
            raise InputError(
                f"certification expiry: {to_iso(certification_expiry)} does not match the "
                f"{to_iso(record.certification_expiry)} registered for meter {record.address}"
            )
        sender.send(
            f"approving meter {record.address} by {sender.address}",
            self.contract.approve_meter,
            record.address,
            certification_expiry,
        )

    def revoke_meter(self, sender: Sender, meter: str) -> None:
        record = self.meter(meter)
        sender.send(
            f"revoking meter {record.address} by {sender.address}",
            self.contract.revoke_meter,
            record.address,
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
            scheduled_factor_g_per_mwh=int(raw.scheduled_factor_g_per_mwh),
            scheduled_eta=int(raw.scheduled_eta),
        )

    def set_emission_factor(
        self, sender: Sender, fiscal_year: int, factor_g_per_mwh: int
    ) -> FactorChange:
        """Put one fiscal year's factor on chain with its JST bounds (admin): at once before
        launch, scheduled for `ADMIN_DELAY` after it."""
        starts_at, ends_at = fiscal_year_bounds(fiscal_year)
        current = self.emission_factor(fiscal_year)
        if current.factor_g_per_mwh == factor_g_per_mwh and current.scheduled_eta == 0:
            return FactorChange("unchanged")
        if current.scheduled_eta and current.scheduled_factor_g_per_mwh == factor_g_per_mwh:
            return FactorChange("already scheduled", current.scheduled_eta)
        if current.locked:
            raise JCreditError(
                f"FY{fiscal_year}: on chain {current.factor_g_per_mwh} g/MWh is locked (a report "
                f"used it); the table says {factor_g_per_mwh} g/MWh"
            )
        receipt = sender.send(
            f"setting FY{fiscal_year} to {factor_g_per_mwh} g-CO2/MWh",
            self.contract.set_emission_factor,
            fiscal_year,
            factor_g_per_mwh,
            starts_at,
            ends_at,
        )
        scheduled = list(receipt.events.filter(self.contract.EmissionFactorScheduled))
        if scheduled:
            return FactorChange("scheduled", int(scheduled[0].eta))
        return FactorChange("set")

    def activate_emission_factor(self, sender: Sender, fiscal_year: int) -> FactorRecord:
        """Make a scheduled factor take effect once due (anyone); the factor now in effect."""
        current = self.emission_factor(fiscal_year)
        if current.scheduled_eta == 0:
            raise JCreditError(f"FY{fiscal_year}: no factor change is scheduled")
        sender.send(
            f"activating FY{fiscal_year}'s {current.scheduled_factor_g_per_mwh} g-CO2/MWh",
            self.contract.activate_emission_factor,
            fiscal_year,
        )
        return self.emission_factor(fiscal_year)
