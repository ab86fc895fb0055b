"""Project, meter and emission-factor operations on the Registry (for the scripts and the demo)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oracles.roles import MeterKind, MeterStatus, ProjectStatus
from scripts._common import JST, ScriptError, jst, send
from scripts._events import logs

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance


CREDITING_YEARS = 8  # the scheme's cap on a crediting period (DESIGN.md); the contract checks it


def years_later(ts: int, years: int) -> int:
    """The same JST calendar day `years` later (28 February for a 29 February start)."""
    moment = datetime.fromtimestamp(ts, JST)
    try:
        return int(moment.replace(year=moment.year + years).timestamp())
    except ValueError:
        return int(moment.replace(year=moment.year + years, day=28).timestamp())


def check_project(registry: ContractInstance, project_id: int) -> Any:
    """The project's struct, or a clear error for an id that was never registered."""
    count = registry.project_count()
    if not 1 <= project_id <= count:
        raise ScriptError(f"unknown project {project_id}: this registry has projects 1..{count}")
    return registry.projects(project_id)


def register_project(
    registry: ContractInstance,
    owner: AccountAPI,
    capacity_w: int,
    commissioning_date: int,
    crediting_start: int,
    crediting_end: int,
    metadata_uri: str,
    methodology_id: str = "EN-R-002",
) -> int:
    """Register a project owned by `owner`; returns its id (from the ProjectRegistered event)."""
    receipt = send(
        f"registering a {capacity_w} W project",
        registry.register_project,
        capacity_w,
        commissioning_date,
        crediting_start,
        crediting_end,
        methodology_id,
        metadata_uri,
        sender=owner,
    )
    (event,) = receipt.events.filter(registry.ProjectRegistered)
    return int(event.project_id)


def set_status(
    registry: ContractInstance,
    validator: AccountAPI,
    action: str,
    project_id: int,
    reason: str = "",
) -> None:
    """approve / reject / suspend / resume a project as a validator."""
    check_project(registry, project_id)
    method = getattr(registry, f"{action}_project")
    args = (project_id, reason) if action in ("reject", "suspend") else (project_id,)
    send(f"{action} project {project_id} by {validator.address}", method, *args, sender=validator)


def describe_project(project: Any) -> dict[str, Any]:
    """A project struct as plain, readable values."""
    out = dict(project.items())
    out["status"] = ProjectStatus(int(out["status"])).name
    for key in ("commissioning_date", "crediting_start", "crediting_end"):
        if key in out:
            out[key] = f"{out[key]} ({jst(int(out[key]))})"
    return out


def set_oracle(registry: ContractInstance, admin: AccountAPI, project_id: int, oracle: str) -> None:
    """Assign the data feed that may report for the project (admin; it must hold ORACLE_ROLE)."""
    check_project(registry, project_id)
    if not registry.has_role(registry.ORACLE_ROLE(), oracle):
        raise ScriptError(
            f"{oracle} does not hold ORACLE_ROLE: the admin grants it first "
            "(`ape run deploy` grants it to --oracle)"
        )
    send(
        f"setting the oracle of project {project_id} to {oracle}",
        registry.set_project_oracle,
        project_id,
        oracle,
        sender=admin,
    )


KINDS = [kind.name.lower() for kind in MeterKind]


def check_meter(registry: ContractInstance, meter: str) -> Any:
    """The meter's struct, or a clear error for an address that was never registered."""
    record = registry.meters(meter)
    if int(record.project_id) == 0:
        raise ScriptError(f"unknown meter {meter}: it is not registered with any project")
    return record


def register_meter(
    registry: ContractInstance,
    owner: AccountAPI,
    project_id: int,
    meter: str,
    kind: str,
    serial: str,
    certification_expiry: int,
) -> None:
    check_project(registry, project_id)
    send(
        f"registering {kind} meter {meter} for project {project_id}",
        registry.register_meter,
        project_id,
        meter,
        MeterKind.from_name(kind),
        serial,
        certification_expiry,
        sender=owner,
    )


def approve_meter(registry: ContractInstance, validator: AccountAPI, meter: str) -> None:
    check_meter(registry, meter)
    send(
        f"approving meter {meter} by {validator.address}",
        registry.approve_meter,
        meter,
        sender=validator,
    )


def revoke_meter(registry: ContractInstance, account: AccountAPI, meter: str) -> None:
    check_meter(registry, meter)
    send(
        f"revoking meter {meter} by {account.address}",
        registry.revoke_meter,
        meter,
        sender=account,
    )


def describe_meter(meter: str, record: Any) -> dict[str, Any]:
    return {
        "meter": meter,
        "project_id": int(record.project_id),
        "kind": MeterKind(int(record.kind)).name.lower(),
        "status": MeterStatus(int(record.status)).name,
        "serial": record.serial,
        "certification_expiry": jst(int(record.certification_expiry)),
        "last_timestamp": jst(int(record.last_timestamp)) if record.last_timestamp else "-",
        "last_cumulative_wh": int(record.last_cumulative_wh),
    }


def project_meters(registry: ContractInstance, start_block: int, project_id: int) -> list[str]:
    """Every meter ever registered for the project, in registration order (from events)."""
    seen: list[str] = []
    for log in logs(registry.MeterRegistered, start_block, project_id=project_id):
        if log.meter not in seen:
            seen.append(log.meter)
    return seen


def load_table(path: Path | None):
    """The methodology's factor table (the shipped CSV when `path` is None), errors made clear."""
    from methodology.errors import FactorError
    from methodology.factors import load_factors

    try:
        return load_factors(path)
    except FactorError as err:
        raise ScriptError(str(err)) from err


def set_factor(
    registry: ContractInstance, admin: AccountAPI, fiscal_year: int, factor_g_per_mwh: int
) -> str:
    """Put one fiscal year's factor on chain with its JST bounds; 'set', 'unchanged' or 'locked'."""
    from methodology.fiscal import fiscal_year_bounds

    starts_at, ends_at = fiscal_year_bounds(fiscal_year)
    current = registry.emission_factors(fiscal_year)
    if (int(current.factor_g_per_mwh), int(current.starts_at), int(current.ends_at)) == (
        factor_g_per_mwh,
        starts_at,
        ends_at,
    ):
        return "unchanged"
    if current.locked:
        raise ScriptError(
            f"FY{fiscal_year}: on chain {current.factor_g_per_mwh} g/MWh is locked (a finalized "
            f"report used it); the table says {factor_g_per_mwh} g/MWh"
        )
    send(
        f"setting FY{fiscal_year} to {factor_g_per_mwh} g-CO2/MWh",
        registry.set_emission_factor,
        fiscal_year,
        factor_g_per_mwh,
        starts_at,
        ends_at,
        sender=admin,
    )
    return "set"


def finalize_report(registry: ContractInstance, account: AccountAPI, project_id: int) -> Any:
    """Finalize the project's pending report (anyone, after the challenge window).

    Returns the ReportFinalized event (report_id, token_id, minted_t, carry_g).
    """
    check_project(registry, project_id)
    receipt = send(
        f"finalizing the pending report of project {project_id}",
        registry.finalize,
        project_id,
        sender=account,
    )
    (event,) = receipt.events.filter(registry.ReportFinalized)
    return event
