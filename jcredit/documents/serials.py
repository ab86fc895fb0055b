"""Serial numbers of credits, one per t-CO2 of a token.

Certified credits carry the J-Credit registry's identifiers: scheme symbol, credit type,
certification number and serial, written here `JC/ER/<certification number>-NNNNNN`
(`scheme_serial`). The registrar records each round's serial range on chain; a retirement from a
round takes the round's serials in order (`Retired.first_serial`). The symbol (JC; JCL) and the
type (ER, ERL, FM) are parameters: their values and this exact format are NOT verified against
the registry's specification.

Credits not yet certified have platform serials `JCR-P<project>-FY<year>-NNNNNN`, which are not
on chain: they are derived from the events in chain order, which anyone can recompute. Issued
credits are numbered per token in minting order (the first report's credits are 1..n, the next
report's n+1..); retirements of uncertified credits take the same numbers in retirement order
per token, whoever held them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from jcredit.types import split_token_id

if TYPE_CHECKING:
    from jcredit.history import RetirementRecord


SCHEME_SYMBOL = "JC"  # J-Credit; not verified against the registry's specification
CREDIT_TYPE = "ER"  # emission reduction (ERL, FM: other types); not verified either


def scheme_serial(
    certification_number: str,
    serial: int,
    symbol: str = SCHEME_SYMBOL,
    credit_type: str = CREDIT_TYPE,
) -> str:
    return f"{symbol}/{credit_type}/{certification_number}-{serial:06d}"


def scheme_serial_range(
    certification_number: str,
    first: int,
    last: int,
    symbol: str = SCHEME_SYMBOL,
    credit_type: str = CREDIT_TYPE,
) -> str:
    return (
        f"{scheme_serial(certification_number, first, symbol, credit_type)}.."
        f"{scheme_serial(certification_number, last, symbol, credit_type)}"
    )


def serial_prefix(project_id: int, fiscal_year: int) -> str:
    return f"JCR-P{project_id}-FY{fiscal_year}"


def serial_range(project_id: int, fiscal_year: int, first: int, last: int) -> str:
    prefix = serial_prefix(project_id, fiscal_year)
    return f"{prefix}-{first:06d}..{prefix}-{last:06d}"


def retirement_serials(records: Iterable[RetirementRecord]) -> dict[int, tuple[int, int]]:
    """retirement id -> (first, last) serial of the credits it retired: a certified retirement
    its round's serials; an uncertified one the platform serials, per token in id order."""
    retired: dict[int, int] = {}
    out = {}
    for record in sorted(records, key=lambda r: r.retirement_id):
        if record.certified:
            out[record.retirement_id] = (record.first_serial, record.last_serial)
            continue
        first = retired.get(record.token_id, 0) + 1
        retired[record.token_id] = last = first + record.amount - 1
        out[record.retirement_id] = (first, last)
    return out


def retirement_serial_range(record: RetirementRecord, first: int, last: int) -> str:
    project_id, fiscal_year = split_token_id(record.token_id)
    return serial_range(project_id, fiscal_year, first, last)
