"""Serial numbers of credits: `JCR-P<project>-FY<year>-NNNNNN`, one per t-CO2 of a token.

ERC-1155 credits are fungible, so serials are not on chain: they are derived from the events in
chain order, which anyone can recompute. Issued credits are numbered per token in minting order
(the first report's credits are 1..n, the next report's n+1..); retired credits take the same
numbers in retirement order per token (the first retirement of a token retires serials 1..k, the
next one k+1..), whoever held them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from jcredit.types import split_token_id

if TYPE_CHECKING:
    from jcredit.history import RetirementRecord


def serial_prefix(project_id: int, fiscal_year: int) -> str:
    return f"JCR-P{project_id}-FY{fiscal_year}"


def serial_range(project_id: int, fiscal_year: int, first: int, last: int) -> str:
    prefix = serial_prefix(project_id, fiscal_year)
    return f"{prefix}-{first:06d}..{prefix}-{last:06d}"


def retirement_serials(records: Iterable[RetirementRecord]) -> dict[int, tuple[int, int]]:
    """retirement id -> (first, last) serial of the credits it retired, per token in id order."""
    retired: dict[int, int] = {}
    out = {}
    for record in sorted(records, key=lambda r: r.retirement_id):
        first = retired.get(record.token_id, 0) + 1
        retired[record.token_id] = last = first + record.amount - 1
        out[record.retirement_id] = (first, last)
    return out


def retirement_serial_range(record: RetirementRecord, first: int, last: int) -> str:
    project_id, fiscal_year = split_token_id(record.token_id)
    return serial_range(project_id, fiscal_year, first, last)
