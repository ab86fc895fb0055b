"""Read and validate meter readings (docs/interfaces.md, "Readings CSV") into one normalized
DataFrame.

Files hold millions of rows, so every step is vectorised: plain files go through fastcsv's numpy
parser, other layouts through pandas' C parser. When anything is wrong with a row, a slow
line-by-line scan of the file finds the first bad line so that the error can name it; that scan
only runs on the way to an error.
"""

import csv
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from methodology.errors import ReadingsError
from methodology.fastcsv import parse_iso_strings, parse_readings_bytes
from methodology.fiscal import to_iso

COLUMNS = ("timestamp", "meter", "kind", "cumulative_wh")
KINDS = (
    "generation",
    "export",
    "self_consumption",
    "auxiliary",
    "battery_charge",
    "battery_discharge",
)
MAX_REGISTER = 2**64 - 1

_DIGITS = re.compile(r"[0-9]+")
_OFFSET = re.compile(r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$")


class _RowConflict(ReadingsError):
    """A per-meter rule broken by one reading (found after sorting, so without its line): the
    file is scanned for the line of `meter` at `timestamp` before the error reaches the user."""

    def __init__(self, name: str, problem: str, meter: str, timestamp: int, occurrence: int = 1):
        super().__init__(f"{name}: {problem}")
        self.problem, self.meter, self.timestamp, self.occurrence = (
            problem,
            meter,
            timestamp,
            occurrence,
        )


def _with_line(path: Path, error: _RowConflict) -> ReadingsError:
    """`error` naming the file's line of the reading it is about (when that line is found)."""
    line = line_of_reading(path, error.meter, error.timestamp, error.occurrence)
    return ReadingsError(f"{path} line {line}: {error.problem}") if line else error


def line_of_reading(
    path: Path, meter: str, timestamp: int | None = None, occurrence: int = 1
) -> int | None:
    """The line number of the `occurrence`-th row of `meter` (at `timestamp` if given), or None.

    A slow scan, for error messages only.
    """
    seen = 0
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for fields in reader:
                if len(fields) != len(COLUMNS) or fields[1] != meter:
                    continue
                if timestamp is not None:
                    try:
                        if int(datetime.fromisoformat(fields[0]).timestamp()) != timestamp:
                            continue
                    except ValueError:
                        continue
                seen += 1
                if seen == occurrence:
                    return reader.line_num
    except (OSError, UnicodeDecodeError):
        return None
    return None


def load_readings(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Readings sorted by (meter, timestamp), identical duplicates removed.

    Columns: `timestamp` (int64 seconds UTC), `meter` and `kind` (categoricals; kind's categories
    are KINDS), `cumulative_wh` (uint64). Raises ReadingsError naming the file (or "DataFrame"),
    meter, timestamp or line.
    """
    if isinstance(source, pd.DataFrame):
        return normalize(_from_frame(source), "DataFrame")
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadingsError(f"{path}: cannot read readings file: {exc.strerror}") from exc
    parsed = parse_readings_bytes(data)
    try:
        if parsed is None:
            return normalize(_from_csv(path), str(path))
        kind_names = parsed["kind_names"]
        unknown = sorted(set(kind_names) - set(KINDS))
        if unknown:
            _raise_first_bad_line(path)
            raise ReadingsError(f"{path}: unknown kind {unknown[0]!r}")
        lookup = np.array([KINDS.index(k) for k in kind_names], dtype=np.int8)
        return _normalized(
            parsed["timestamp"],
            parsed["meter_codes"],
            parsed["meter_names"],
            lookup[parsed["kind_codes"]],
            parsed["cumulative_wh"],
            str(path),
        )
    except _RowConflict as exc:
        raise _with_line(path, exc) from None


def _from_csv(path: Path) -> pd.DataFrame:
    """The general path (quotes, CRLF, other ISO 8601 forms): pandas' parser, then validation."""
    try:
        frame = pd.read_csv(
            path,
            dtype={"timestamp": str, "meter": "category", "kind": "category"},
            na_filter=False,
        )
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        _raise_first_bad_line(path)
        raise
    if tuple(frame.columns) != COLUMNS:
        raise ReadingsError(
            f"{path} line 1: header must be {','.join(COLUMNS)}, got {','.join(frame.columns)}"
        )
    if frame.empty:
        raise ReadingsError(f"{path}: no readings")
    try:
        return _typed(frame)
    except ReadingsError:
        _raise_first_bad_line(path)
        raise


def _from_frame(frame: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ReadingsError(f"DataFrame: missing column(s) {', '.join(missing)}")
    frame = frame[list(COLUMNS)]
    try:
        return _typed(frame)
    except ReadingsError:
        for position in range(len(frame)):
            row = frame.iloc[position]
            problem = _row_problem([_cell(row[c]) for c in COLUMNS])
            if problem:
                raise ReadingsError(f"DataFrame row {position}: {problem}") from None
        raise


def _cell(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Convert columns to their types; ReadingsError (without a location) if any row is bad."""
    timestamps = _timestamps(frame["timestamp"])
    registers = _registers(frame["cumulative_wh"])
    meter = frame["meter"]
    if meter.dtype != "category":
        meter = meter.astype(str).astype("category")
    meter = meter.cat.rename_categories([str(c) for c in meter.cat.categories])
    if "" in meter.cat.categories and (meter == "").any():
        raise ReadingsError("empty meter id")
    kind = frame["kind"].astype("category")
    unknown = {str(c) for c in kind.cat.categories} - set(KINDS)
    if unknown and kind.isin(list(unknown)).any():
        raise ReadingsError(f"unknown kind {sorted(unknown)[0]!r}")
    kind = kind.cat.rename_categories([str(c) for c in kind.cat.categories])
    return pd.DataFrame(
        {
            "timestamp": timestamps,
            "meter": meter.array,
            "kind": kind.cat.set_categories(list(KINDS)).array,
            "cumulative_wh": registers,
        }
    )


def _python_ints(column: pd.Series) -> pd.Series | None:
    """An object column holding only integers (e.g. after concatenating frames), as numbers."""
    if column.dtype != object or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in column
    ):
        return None
    column = pd.Series([int(v) for v in column], dtype=object)
    if all(0 <= v <= MAX_REGISTER for v in column):
        return pd.Series(np.array(column.tolist(), dtype=np.uint64))
    if all(-(2**63) <= v < 2**63 for v in column):
        return pd.Series(np.array(column.tolist(), dtype=np.int64))
    return None


def _registers(column: pd.Series) -> np.ndarray:
    column = _python_ints(column) if column.dtype == object else column
    if column is None:
        raise ReadingsError("cumulative_wh is not an integer")
    if column.dtype == np.uint64:
        return column.to_numpy()
    if column.dtype.kind in "iu":
        values = column.to_numpy()
        if (values < 0).any():
            raise ReadingsError("negative cumulative_wh")
        return values.astype(np.uint64)
    raise ReadingsError("cumulative_wh is not an integer")


def _timestamps(column: pd.Series) -> np.ndarray:
    numbers = _python_ints(column) if column.dtype == object else None
    if numbers is not None:
        column = numbers
    if column.dtype.kind in "iu":
        values = column.to_numpy()
        if len(values) and (values.max() >= 2**62 or values.min() < -(2**62)):
            raise ReadingsError("timestamp out of range")
        return values.astype(np.int64)
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return _whole_seconds(column.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    # Parse each distinct text once: a site's meters share their timestamps.
    codes, uniques = pd.factorize(column.astype(str))
    fast = parse_iso_strings(np.asarray(uniques, dtype=object))
    if fast is not None:
        return fast[codes]
    text = column.astype(str)
    if not text.str.contains(_OFFSET).all():
        raise ReadingsError("timestamp without UTC offset")
    try:
        parsed = pd.to_datetime(text, format="ISO8601", utc=True)
    except (ValueError, OverflowError) as exc:
        raise ReadingsError("malformed timestamp") from exc
    return _whole_seconds(parsed.dt.tz_localize(None).to_numpy())


def _whole_seconds(values: np.ndarray) -> np.ndarray:
    nanoseconds = values.astype("datetime64[ns]").astype(np.int64)
    if (nanoseconds % 1_000_000_000).any():
        raise ReadingsError("timestamp has fractional seconds")
    return nanoseconds // 1_000_000_000


def _row_problem(fields: list[str]) -> str | None:
    """What is wrong with one row of text fields, or None."""
    if len(fields) != len(COLUMNS):
        return f"expected {len(COLUMNS)} fields, got {len(fields)}"
    timestamp, meter, kind, register = fields
    register = register.strip()  # pandas reads " 5" as 5; ids and kinds are taken as written
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return f"malformed timestamp {timestamp!r}"
    if moment.tzinfo is None:
        return f"timestamp {timestamp!r} has no UTC offset"
    if moment.microsecond:
        return f"timestamp {timestamp!r} has fractional seconds"
    if not meter:
        return "empty meter id"
    if kind not in KINDS:
        return f"meter {meter}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})"
    if register.startswith("-") and _DIGITS.fullmatch(register[1:]):
        return f"meter {meter} at {timestamp}: negative cumulative_wh {register}"
    if not _DIGITS.fullmatch(register):
        return f"meter {meter} at {timestamp}: cumulative_wh {register!r} is not an integer"
    if int(register) > MAX_REGISTER:
        return f"meter {meter} at {timestamp}: cumulative_wh {register} exceeds 2**64 - 1"
    return None


def _raise_first_bad_line(path: Path) -> None:
    """Scan the file line by line and raise ReadingsError for its first bad line, if any."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ReadingsError(f"{path}: empty file (expected header {','.join(COLUMNS)})")
            if tuple(h.strip() for h in header) != COLUMNS:
                raise ReadingsError(
                    f"{path} line 1: header must be {','.join(COLUMNS)}, got {','.join(header)}"
                )
            for fields in reader:
                if not fields:
                    continue
                problem = _row_problem(fields)
                if problem:
                    raise ReadingsError(f"{path} line {reader.line_num}: {problem}")
    except UnicodeDecodeError as exc:
        raise ReadingsError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def normalize(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Sort by (meter, timestamp), drop identical duplicates, and check the per-meter rules.

    `frame` has the column types load_readings returns.
    """
    meter = frame["meter"].cat
    if (meter.codes < 0).any():
        raise ReadingsError(f"{name}: missing meter id")
    if (frame["kind"].cat.codes < 0).any():
        raise ReadingsError(f"{name}: missing or unknown kind")
    return _normalized(
        frame["timestamp"].to_numpy(),
        meter.codes.to_numpy(),
        [str(c) for c in meter.categories],
        frame["kind"].cat.codes.to_numpy(),
        frame["cumulative_wh"].to_numpy(),
        name,
    )


def _normalized(
    timestamps: np.ndarray,
    meter_codes: np.ndarray,
    meter_names: list[str],
    kind_codes: np.ndarray,
    registers: np.ndarray,
    name: str,
) -> pd.DataFrame:
    if len(timestamps) == 0:
        raise ReadingsError(f"{name}: no readings")
    # Meters in sorted order, whichever parser read them, so results never depend on the path.
    rank = np.empty(len(meter_names), dtype=np.int16 if len(meter_names) < 2**15 else np.int32)
    rank[np.argsort(np.array(meter_names, dtype=object))] = np.arange(len(meter_names))
    codes = rank[meter_codes]
    meter_names = sorted(meter_names)
    columns = [timestamps, codes, kind_codes, registers]
    if not (codes[1:] >= codes[:-1]).all():
        # Stable radix sort on the small meter codes keeps each meter's rows in file order.
        order = np.argsort(codes, kind="stable")
        columns = [c[order] for c in columns]
        timestamps, codes, kind_codes, registers = columns
    same_meter = codes[1:] == codes[:-1]
    if (same_meter & (timestamps[1:] < timestamps[:-1])).any():
        order = np.lexsort((timestamps, codes))
        columns = [c[order] for c in columns]
        timestamps, codes, kind_codes, registers = columns
        same_meter = codes[1:] == codes[:-1]
    # Before dropping duplicates: rows equal but for their kind are a meter with two kinds.
    kind_change = same_meter & (kind_codes[1:] != kind_codes[:-1])
    if kind_change.any():
        i = int(np.flatnonzero(kind_change)[0])
        meter = meter_names[codes[i]]
        raise _RowConflict(
            name,
            f"meter {meter} has two kinds, {KINDS[kind_codes[i]]} and "
            f"{KINDS[kind_codes[i + 1]]} (at {to_iso(int(timestamps[i + 1]))})",
            meter,
            int(timestamps[i + 1]),
            2 if timestamps[i + 1] == timestamps[i] else 1,
        )
    same = same_meter & (timestamps[1:] == timestamps[:-1])
    if same.any():
        conflict = same & (registers[1:] != registers[:-1])
        if conflict.any():
            i = int(np.flatnonzero(conflict)[0])
            meter = meter_names[codes[i]]
            # The rows of one timestamp keep their file order: i + 1 is the later line.
            first = i
            while first > 0 and same[first - 1]:
                first -= 1
            raise _RowConflict(
                name,
                f"meter {meter} at {to_iso(int(timestamps[i]))}: two different values "
                f"{registers[i]} and {registers[i + 1]} for one timestamp",
                meter,
                int(timestamps[i]),
                i + 2 - first,
            )
        keep = np.concatenate(([True], ~same))
        timestamps, codes, kind_codes, registers = (c[keep] for c in columns)
        same_meter = codes[1:] == codes[:-1]
    backwards = same_meter & (registers[1:] < registers[:-1])
    if backwards.any():
        i = int(np.flatnonzero(backwards)[0])
        meter = meter_names[codes[i]]
        raise _RowConflict(
            name,
            f"meter {meter}: register goes backwards at {to_iso(int(timestamps[i + 1]))} "
            f"({registers[i]} Wh at {to_iso(int(timestamps[i]))}, then {registers[i + 1]} Wh)",
            meter,
            int(timestamps[i + 1]),
        )
    meter = pd.Categorical.from_codes(codes, categories=meter_names).remove_unused_categories()
    return pd.DataFrame(
        {
            "timestamp": timestamps.astype(np.int64, copy=False),
            "meter": meter,
            "kind": pd.Categorical.from_codes(kind_codes, categories=list(KINDS)),
            "cumulative_wh": registers.astype(np.uint64, copy=False),
        }
    )
