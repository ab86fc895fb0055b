"""Whether figures may count for J-Credit at all, said on everything people read.

Two things make every number derived from them a demonstration only: an emission factor that is
a placeholder (a row of the factor table not marked verified, or an on-chain factor that differs
from the verified row) and a development chain (anvil, Ape's embedded chain). CLI output, monthly
reports, certificates and registry exports carry `banner(...)` whenever either applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from methodology.factors import FactorTable, load_factors

# anvil / hardhat (31337) and Ape's embedded eth-tester chain and geth --dev (1337).
DEV_CHAIN_IDS = frozenset({31337, 1337})
BANNER_PREFIX = "NOT VALID FOR J-CREDIT"


def chain_problem(chain_id: int) -> str | None:
    if chain_id in DEV_CHAIN_IDS:
        return f"test network (chain id {chain_id})"
    return None


def problems(
    chain_id: int,
    factors_used: Mapping[int, int] | Iterable[int] = (),
    table: FactorTable | None = None,
) -> list[str]:
    """What makes these figures invalid for J-Credit: the chain, then each fiscal year's factor.

    `factors_used` maps fiscal year -> factor (g-CO2/MWh) the figures were computed with (the
    on-chain one), or lists fiscal years when only the table's value matters.
    """
    table = table or load_factors()
    found = [p for p in (chain_problem(chain_id),) if p]
    used = (
        dict(factors_used)
        if isinstance(factors_used, Mapping)
        else {fiscal_year: None for fiscal_year in factors_used}
    )
    for fiscal_year in sorted(used):
        reason = table.placeholder_reason(fiscal_year, used[fiscal_year])
        if reason:
            found.append(reason)
    return found


def banner(found: list[str]) -> str:
    """One plain line, or "" when the figures may count."""
    return f"{BANNER_PREFIX}: {'; '.join(found)}" if found else ""
