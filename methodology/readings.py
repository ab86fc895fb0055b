"""Read and validate meter readings (DESIGN section 5) into one normalized DataFrame.

The happy path is vectorised (pandas C parser, numpy timestamp parsing) because files hold millions
of rows. When anything is wrong with a row, a slow line-by-line scan of the file finds the first bad
line so that the error can name it; that scan only runs on the way to an error.
"""

import csv
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from methodology.errors import ReadingsError
from methodology.fiscal import to_iso

COLUMNS = ("timestamp", "meter", "kind", "cumulative_wh")
KINDS = ("generation", "export", "self_consumption")
MAX_REGISTER = 2**64 - 1

_DIGITS = re.compile(r"[0-9]+")
_OFFSET = re.compile(r"(Z|[+-][0-9]{2}:?[0-9]{2})$")
# Byte positions of the fixed layout YYYY-MM-DDTHH:MM:SS (then Z or +HH:MM).
_SEPARATORS = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":"}
_DIGIT_POSITIONS = [i for i in range(19) if i not in _SEPARATORS]


def load_readings(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Readings sorted by (meter, timestamp), identical duplicates removed.

    Columns: `timestamp` (int64 seconds UTC), `meter` and `kind` (categoricals), `cumulative_wh`
    (uint64). Raises ReadingsError naming the file (or "DataFrame"), meter, timestamp or line.
    """
    if isinstance(source, pd.DataFrame):
        return normalize(_from_frame(source), "DataFrame")
    path = Path(source)
    return normalize(_from_csv(path), str(path))


def _from_csv(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path,
            dtype={"timestamp": str, "meter": "category", "kind": "category"},
            na_filter=False,
            skipinitialspace=False,
        )
    except FileNotFoundError as exc:
        raise ReadingsError(f"{path}: file not found") from exc
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        _raise_first_bad_line(path)
        raise
    if tuple(frame.columns) != COLUMNS:
        raise ReadingsError(
            f"{path} line 1: header must be {','.join(COLUMNS)}, got {','.join(frame.columns)}"
        )
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


def _registers(column: pd.Series) -> np.ndarray:
    if column.dtype == np.uint64:
        return column.to_numpy()
    if column.dtype.kind in "iu":
        values = column.to_numpy()
        if (values < 0).any():
            raise ReadingsError("negative cumulative_wh")
        return values.astype(np.uint64)
    raise ReadingsError("cumulative_wh is not an integer")


def _timestamps(column: pd.Series) -> np.ndarray:
    if column.dtype.kind in "iu":
        return column.to_numpy().astype(np.int64)
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return _whole_seconds(column.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    values = column.to_numpy(dtype=object)
    fast = _parse_fixed_iso(values)
    if fast is not None:
        return fast
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


def _parse_fixed_iso(values: np.ndarray) -> np.ndarray | None:
    """Fast path for `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `+HH:MM`; None if any row differs."""
    try:
        raw = values.astype("S25")
    except (UnicodeEncodeError, ValueError, TypeError):
        return None
    if len(raw) == 0:
        return np.zeros(0, dtype=np.int64)
    chars = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(len(raw), 25)
    for position, separator in _SEPARATORS.items():
        if not (chars[:, position] == separator[0]).all():
            return None
    digits = chars[:, _DIGIT_POSITIONS].astype(np.int64) - ord("0")
    if ((digits < 0) | (digits > 9)).any():
        return None
    is_zulu = (chars[:, 19] == ord("Z")) & (chars[:, 20] == 0)
    sign = np.where(chars[:, 19] == ord("-"), -1, 1)
    is_offset = (
        ((chars[:, 19] == ord("+")) | (chars[:, 19] == ord("-")))
        & (chars[:, 22] == ord(":"))
        & np.isin(chars[:, [20, 21, 23, 24]], np.arange(ord("0"), ord("9") + 1)).all(axis=1)
    )
    if not (is_zulu | is_offset).all():
        return None
    offset_digits = chars[:, [20, 21, 23, 24]].astype(np.int64) - ord("0")
    offset = sign * ((offset_digits[:, 0] * 10 + offset_digits[:, 1]) * 3600)
    offset += sign * (offset_digits[:, 2] * 10 + offset_digits[:, 3]) * 60
    offset = np.where(is_zulu, 0, offset)

    def number(first: int, count: int) -> np.ndarray:
        result = np.zeros(len(raw), dtype=np.int64)
        for i in range(first, first + count):
            result = result * 10 + digits[:, i]
        return result

    year, month, day = number(0, 4), number(4, 2), number(6, 2)
    hour, minute, second = number(8, 2), number(10, 2), number(12, 2)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    in_range = (month >= 1) & (month <= 12)
    days_in_month = month_days[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    in_range &= (day >= 1) & (day <= days_in_month) & (hour <= 23) & (minute <= 59)
    in_range &= second <= 59
    if not in_range.all():
        return None
    # Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    shifted_year = year - (month <= 2)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second - offset


def _row_problem(fields: list[str]) -> str | None:
    """What is wrong with one row of text fields, or None."""
    if len(fields) != len(COLUMNS):
        return f"expected {len(COLUMNS)} fields, got {len(fields)}"
    timestamp, meter, kind, register = (f.strip() for f in fields)
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
    """Sort by (meter, timestamp), drop identical duplicates, and check the per-meter rules."""
    codes = frame["meter"].cat.codes.to_numpy().astype(np.int64)
    timestamps = frame["timestamp"].to_numpy()
    registers = frame["cumulative_wh"].to_numpy()
    if len(frame) == 0:
        raise ReadingsError(f"{name}: no readings")
    # One sort key: meter code in the high bits, time offset in the low 34 bits (>500 years).
    low = timestamps - timestamps.min()
    if low.max() >= 2**34:
        raise ReadingsError(f"{name}: timestamps span more than 500 years")
    key = (codes << 34) | low
    if not (key[1:] >= key[:-1]).all():
        order = np.argsort(key, kind="stable")
        frame = frame.iloc[order].reset_index(drop=True)
        key, codes = key[order], codes[order]
        timestamps, registers = timestamps[order], registers[order]
    same = key[1:] == key[:-1]
    meters = frame["meter"].cat.categories
    conflict = same & (registers[1:] != registers[:-1])
    if conflict.any():
        i = int(np.flatnonzero(conflict)[0])
        raise ReadingsError(
            f"{name}: meter {meters[codes[i]]} at {to_iso(int(timestamps[i]))}: two different "
            f"values {registers[i]} and {registers[i + 1]} for one timestamp"
        )
    if same.any():
        keep = np.concatenate(([True], ~same))
        frame = frame[keep].reset_index(drop=True)
        codes, timestamps, registers = codes[keep], timestamps[keep], registers[keep]
    same_meter = codes[1:] == codes[:-1]
    backwards = same_meter & (registers[1:] < registers[:-1])
    if backwards.any():
        i = int(np.flatnonzero(backwards)[0])
        raise ReadingsError(
            f"{name}: meter {meters[codes[i]]}: register goes backwards at "
            f"{to_iso(int(timestamps[i + 1]))} ({registers[i]} Wh at {to_iso(int(timestamps[i]))}, "
            f"then {registers[i + 1]} Wh)"
        )
    kinds = frame["kind"].cat.codes.to_numpy()
    kind_change = same_meter & (kinds[1:] != kinds[:-1])
    if kind_change.any():
        i = int(np.flatnonzero(kind_change)[0])
        raise ReadingsError(
            f"{name}: meter {meters[codes[i]]} has two kinds, {KINDS[kinds[i]]} and "
            f"{KINDS[kinds[i + 1]]} (at {to_iso(int(timestamps[i + 1]))})"
        )
    return frame.assign(meter=frame["meter"].cat.remove_unused_categories())
