"""Eligibility rules of the scheme (docs/design.md, "Domain rules"); each check raises
EligibilityError or passes. The crediting-period rules live here and nowhere else.

Dates are compared in JST calendar terms: "8 years" is the same JST date and time 8 years later
(`methodology.fiscal.add_years`). The crediting period's parameters (its length in years, the end
of the scheme) come from the scheme-parameter table (`methodology.scheme`), not from this code.
"""

from dataclasses import dataclass

from methodology.errors import EligibilityError
from methodology.fiscal import add_years, to_iso
from methodology.scheme import SchemeParameters
from methodology.units import G_PER_T

MAX_START_BEFORE_REGISTRATION_YEARS = 2
MAX_PROGRAM_MEMBER_G_PER_YEAR = 500 * G_PER_T


def _iso_or(ts: int | None, missing: str | None) -> str | None:
    return missing if ts is None else to_iso(ts)


@dataclass(frozen=True)
class CreditingPeriod:
    """[start, end) of a project's crediting period and what it was derived from (a date not
    given is None); `scheme` holds the parameters used and whether they are verified."""

    start: int
    end: int
    application: int | None
    monitoring: int | None
    scheme: SchemeParameters

    def to_dict(self) -> dict[str, object]:
        return {
            "start": to_iso(self.start),
            "end": to_iso(self.end),
            "application_date": _iso_or(self.application, None),
            "monitoring_date": _iso_or(self.monitoring, None),
            "crediting_years": self.scheme.crediting_years,
            "scheme_end": to_iso(self.scheme.scheme_end),
            "scheme_parameters_verified": not self.scheme.unverified(),
        }


def crediting_period(
    application_ts: int | None, monitoring_ts: int | None, scheme: SchemeParameters
) -> CreditingPeriod:
    """The crediting period (実施要綱 3.1.3): it starts at the later of the registration
    application date and the date monitoring became possible, and ends `crediting_years` later or
    at the end of the scheme, whichever comes first.

    Either date may be None (not known); the other then starts the period. EligibilityError when
    neither is given or when the period would start at or after the end of the scheme.
    """
    given = [ts for ts in (application_ts, monitoring_ts) if ts is not None]
    if not given:
        raise EligibilityError(
            "crediting period: needs the registration application date or the date monitoring "
            "became possible"
        )
    start = max(given)
    if start >= scheme.scheme_end:
        raise EligibilityError(
            f"crediting period from application date {_iso_or(application_ts, '(not given)')} "
            f"and monitoring date {_iso_or(monitoring_ts, '(not given)')} starts at or after the "
            f"end of the scheme ({to_iso(scheme.scheme_end)}, {scheme.name})"
        )
    end = min(add_years(start, scheme.crediting_years), scheme.scheme_end)
    return CreditingPeriod(start, end, application_ts, monitoring_ts, scheme)


def check_project_start(start_ts: int, registration_ts: int) -> None:
    """The project started no more than 2 years before its registration."""
    earliest = add_years(registration_ts, -MAX_START_BEFORE_REGISTRATION_YEARS)
    if start_ts < earliest:
        raise EligibilityError(
            f"project start {to_iso(start_ts)} is more than {MAX_START_BEFORE_REGISTRATION_YEARS} "
            f"years before registration {to_iso(registration_ts)} (earliest allowed start: "
            f"{to_iso(earliest)})"
        )


def check_program_member(member: str, fiscal_year: int, reduction_g: int) -> None:
    """A program-type member activity reduces at most 500 t-CO2 in a fiscal year."""
    if reduction_g > MAX_PROGRAM_MEMBER_G_PER_YEAR:
        raise EligibilityError(
            f"program member {member}: {reduction_g / G_PER_T:.6f} t-CO2 in fiscal year "
            f"{fiscal_year} exceeds the {MAX_PROGRAM_MEMBER_G_PER_YEAR // G_PER_T} t-CO2/year "
            f"limit for a program-type member"
        )
