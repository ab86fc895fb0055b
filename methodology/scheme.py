"""Parameters of the J-Credit scheme itself (crediting years, scheme end, the largest site that may
meter by difference), read from a CSV table
like the emission factors: every value cites its source and says whether it was verified."""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from methodology.cited_table import read_cited_rows
from methodology.errors import SchemeError
from methodology.fiscal import parse_time

COLUMNS = ("name", "value", "unit", "source", "verified")


@dataclass(frozen=True)
class SchemeRow:
    name: str
    value: str
    unit: str
    source: str
    verified: bool


@dataclass(frozen=True)
class SchemeParameters:
    """The crediting-period rule's and the site rules' parameters; `rows` keep each one's source
    and verified flag, `name` is the file they came from (for messages)."""

    crediting_years: int
    scheme_end: int  # exclusive, seconds since the epoch
    # Largest capacity (W) whose self-consumption may be generation - export (difference
    # metering); above it a site needs a self-consumption meter.
    difference_metering_max_w: int
    rows: dict[str, SchemeRow]
    name: str

    def unverified(self) -> list[str]:
        """Names of the parameters not verified against the published rules, in table order."""
        return [name for name, row in self.rows.items() if not row.verified]


def default_scheme_path() -> Path:
    return Path(str(resources.files("methodology") / "data" / "scheme_parameters.csv"))


def _crediting_years(text: str, where: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise SchemeError(f"{where}: crediting_years must be a positive integer, got {text!r}")
    return int(text)


def _scheme_end(text: str, where: str) -> int:
    # Only a bare date: the end is a JST midnight, and parse_time would also take a time.
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return parse_time(text)
    except ValueError:
        raise SchemeError(f"{where}: scheme_end must be a date YYYY-MM-DD, got {text!r}") from None


def _watts(text: str, where: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise SchemeError(f"{where}: a capacity must be a positive integer of W, got {text!r}")
    return int(text)


# name -> (unit, parser). The unit is checked too: a value in another unit (months, a time of day)
# would otherwise be read as a wrong number rather than refused.
PARAMETERS: dict[str, tuple[str, Callable[[str, str], int]]] = {
    "crediting_years": ("years", _crediting_years),
    "scheme_end": ("date (exclusive; JST midnight)", _scheme_end),
    "difference_metering_max_w": ("W", _watts),
}


def load_scheme(path: str | Path | None = None) -> SchemeParameters:
    """Read `name,value,unit,source,verified`; the shipped table if `path` is None."""
    if path is None:
        return _shipped_scheme()
    return _load_scheme(path)


@functools.cache
def _shipped_scheme() -> SchemeParameters:
    return _load_scheme(None)


def _load_scheme(path: str | Path | None) -> SchemeParameters:
    file = Path(path) if path is not None else default_scheme_path()
    rows: dict[str, SchemeRow] = {}
    values: dict[str, int] = {}
    for row in read_cited_rows(file, COLUMNS, "scheme parameter table", "parameter", SchemeError):
        name, value, unit = row.fields
        if name not in PARAMETERS:
            raise SchemeError(
                f"{row.where}: unknown parameter {name!r} (expected one of {', '.join(PARAMETERS)})"
            )
        if name in rows:
            raise SchemeError(f"{row.where}: parameter {name} appears twice")
        expected_unit, parse = PARAMETERS[name]
        if unit != expected_unit:
            raise SchemeError(f"{row.where}: {name} unit must be {expected_unit!r}, got {unit!r}")
        values[name] = parse(value, row.where)
        rows[name] = SchemeRow(name, value, unit, row.source, row.verified)
    missing = [name for name in PARAMETERS if name not in rows]
    if missing:
        raise SchemeError(f"{file}: missing parameter(s) {', '.join(missing)}")
    return SchemeParameters(
        crediting_years=values["crediting_years"],
        scheme_end=values["scheme_end"],
        difference_metering_max_w=values["difference_metering_max_w"],
        rows=rows,
        name=str(file),
    )
