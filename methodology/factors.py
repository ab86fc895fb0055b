"""Grid emission factors per fiscal year, read from a CSV table (never hard-coded in the logic)."""

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from methodology.cited_table import read_cited_rows
from methodology.errors import FactorError

COLUMNS = ("fiscal_year", "factor_g_per_mwh", "source", "verified")


@dataclass(frozen=True)
class FactorRow:
    fiscal_year: int
    factor_g_per_mwh: int
    source: str
    verified: bool


@dataclass(frozen=True)
class FactorTable:
    """Emission factors by fiscal year; `name` is the file they came from (for messages)."""

    rows: dict[int, FactorRow]
    name: str

    def factor(self, fiscal_year: int) -> int:
        """The factor in g-CO2/MWh for `fiscal_year`; FactorError if the table has none."""
        row = self.rows.get(fiscal_year)
        if row is None:
            years = f"{min(self.rows)}..{max(self.rows)}" if self.rows else "none"
            raise FactorError(
                f"{self.name}: no emission factor for fiscal year {fiscal_year} "
                f"(table covers {years}); add a row or pass --factors"
            )
        return row.factor_g_per_mwh

    def placeholder_reason(self, fiscal_year: int, factor: int | None = None) -> str | None:
        """Why `factor` (or the table's own value) for `fiscal_year` is not a verified official
        factor, or None when it is: no row, a row not marked verified, or another value."""
        row = self.rows.get(fiscal_year)
        if row is None:
            return f"FY{fiscal_year} emission factor not in {Path(self.name).name} (unverified)"
        if factor is not None and factor != row.factor_g_per_mwh:
            state = "verified" if row.verified else "itself an unverified placeholder"
            return (
                f"FY{fiscal_year} emission factor {factor} g-CO2/MWh is not the table's "
                f"{row.factor_g_per_mwh} g-CO2/MWh ({state})"
            )
        if not row.verified:
            return (
                f"placeholder emission factor (FY{fiscal_year} {row.factor_g_per_mwh} g-CO2/MWh "
                "is an unverified example value)"
            )
        return None


def default_factors_path() -> Path:
    return Path(str(resources.files("methodology") / "data" / "emission_factors.csv"))


def _parse_int(text: str, what: str, where: str) -> int:
    if not text.isdigit():
        raise FactorError(f"{where}: {what} must be a non-negative integer, got {text!r}")
    return int(text)


def load_factors(path: str | Path | None = None) -> FactorTable:
    """Read `fiscal_year,factor_g_per_mwh,source,verified`; the shipped table if `path` is None."""
    file = Path(path) if path is not None else default_factors_path()
    rows: dict[int, FactorRow] = {}
    for row in read_cited_rows(file, COLUMNS, "emission factor table", "factor", FactorError):
        year_text, factor_text = row.fields
        year = _parse_int(year_text, "fiscal_year", row.where)
        factor = _parse_int(factor_text, "factor_g_per_mwh", row.where)
        if year in rows:
            raise FactorError(f"{row.where}: fiscal year {year} appears twice")
        rows[year] = FactorRow(year, factor, row.source, row.verified)
    if not rows:
        raise FactorError(f"{file}: emission factor table has no rows")
    return FactorTable(rows=rows, name=str(file))
