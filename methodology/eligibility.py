"""Eligibility rules of the scheme (docs/design.md, "Domain rules"); each check raises
EligibilityError or passes. The crediting-period rules live here and nowhere else.

Dates are compared in JST calendar terms: "8 years" is the same JST date and time 8 years later
(`methodology.fiscal.add_years`).
"""

from methodology.errors import EligibilityError
from methodology.fiscal import add_years, to_iso
from methodology.units import G_PER_T

MAX_CREDITING_YEARS = 8
MAX_START_BEFORE_REGISTRATION_YEARS = 2
MAX_PROGRAM_MEMBER_G_PER_YEAR = 500 * G_PER_T


def longest_crediting_end(start_ts: int) -> int:
    """The latest end (exclusive) of a crediting period that starts at `start_ts`."""
    return add_years(start_ts, MAX_CREDITING_YEARS)


def check_crediting_period(start_ts: int, end_ts: int) -> None:
    """The crediting period [start, end) is non-empty and at most 8 years long."""
    if end_ts <= start_ts:
        raise EligibilityError(
            f"crediting period ends ({to_iso(end_ts)}) at or before it starts ({to_iso(start_ts)})"
        )
    limit = longest_crediting_end(start_ts)
    if end_ts > limit:
        raise EligibilityError(
            f"crediting period {to_iso(start_ts)} .. {to_iso(end_ts)} is longer than "
            f"{MAX_CREDITING_YEARS} years (it may end at {to_iso(limit)} at the latest)"
        )


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
