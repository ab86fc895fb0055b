"""Vectorised parsing of the common readings layout, without a Python object per row.

`parse_readings_bytes` handles the plain layout adapters write: the exact header, no quotes,
`\\n` line ends, timestamps `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `+HH:MM`, decimal registers.
It returns None for anything else (the caller then uses the general pandas path, which also finds
the bad line of a malformed file). It never accepts a row the general path would reject.
"""

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

HEADER = b"timestamp,meter,kind,cumulative_wh"
_ZERO = ord("0")
# Byte positions of the fixed layout YYYY-MM-DDTHH:MM:SS (then Z or +HH:MM).
_SEPARATORS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":")}
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_MAX_FIELD = 96
# One parsing thread per core this process may run on (at most two): a second thread on a
# process pinned to one core only adds switching.
_THREADS = max(1, min(2, len(os.sched_getaffinity(0))))
# _BYTE_MASKS[k] keeps the low k bytes of a little-endian word.
_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_ASCII_ZEROS = np.uint64(0x3030303030303030)
# Small lookup tables by field length L (one gather instead of clip + gather per word):
# _KEEP[k][L] keeps the bytes of word k of a field that lie inside it, counted from its start;
# _KEEP_TAIL[k][L] / _ZERO_PAD[k][L] do it for word k counted back from its end, with "0" before it.
_LENGTHS = np.arange(_MAX_FIELD + 1)
_KEEP = [_BYTE_MASKS[np.clip(_LENGTHS - 8 * k, 0, 8)] for k in range(_MAX_FIELD // 8 + 1)]
_KEEP_TAIL = [~_BYTE_MASKS[8 - np.clip(_LENGTHS - 8 * k, 0, 8)] for k in range(3)]
_ZERO_PAD = [_ASCII_ZEROS & ~keep for keep in _KEEP_TAIL]
_HIGH_NIBBLES = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIXES = np.uint64(0x0606060606060606)


def parse_iso_columns(byte_at: Callable[[int], np.ndarray], n: int) -> np.ndarray | None:
    """Seconds since the epoch from fixed-layout ISO 8601 texts; None if any text differs.

    `byte_at(k)` gives the k-th byte of every text (0 past its end), for k in 0..24.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    for position, separator in _SEPARATORS.items():
        if not (byte_at(position) == separator).all():
            return None

    def number(*positions: int) -> np.ndarray | None:
        value = np.zeros(n, dtype=np.int64)
        for position in positions:
            digit = byte_at(position).astype(np.int64) - _ZERO
            if ((digit < 0) | (digit > 9)).any():
                return None
            value = value * 10 + digit
        return value

    tail = byte_at(19)
    is_zulu = (tail == ord("Z")) & (byte_at(20) == 0)
    is_offset = ((tail == ord("+")) | (tail == ord("-"))) & (byte_at(22) == ord(":"))
    if not (is_zulu | is_offset).all():
        return None
    offset = np.zeros(n, dtype=np.int64)
    if is_offset.any():
        texts = [byte_at(k).copy() for k in (20, 21, 23, 24)]
        for text in texts:
            text[is_zulu] = _ZERO  # Z rows have no offset digits
        digits = [t.astype(np.int64) - _ZERO for t in texts]
        if any(((d < 0) | (d > 9)).any() for d in digits):
            return None
        if ((digits[0] * 10 + digits[1] > 23) | (digits[2] * 10 + digits[3] > 59)).any():
            return None  # not a valid UTC offset; the general path names the line
        sign = np.where(tail == ord("-"), -1, 1)
        offset = sign * ((digits[0] * 10 + digits[1]) * 3600 + (digits[2] * 10 + digits[3]) * 60)
    parts = [
        number(0, 1, 2, 3),
        number(5, 6),
        number(8, 9),
        number(11, 12),
        number(14, 15),
        number(17, 18),
    ]
    if any(part is None for part in parts):
        return None
    year, month, day, hour, minute, second = parts
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_in_month = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days_in_month)
    if not (valid & (hour <= 23) & (minute <= 59) & (second <= 59)).all():
        return None
    # Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    shifted_year = year - (month <= 2)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second - offset


def parse_iso_strings(values: np.ndarray) -> np.ndarray | None:
    """parse_iso_columns for an array of Python strings."""
    try:
        raw = values.astype(bytes)
    except (UnicodeEncodeError, ValueError, TypeError):
        return None
    if raw.dtype.itemsize > 25:  # longer texts (fractions of a second, ...) take the slow path
        return None
    chars = np.zeros((len(raw), 25), dtype=np.uint8)
    width = raw.dtype.itemsize
    chars[:, :width] = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(len(raw), width)
    return parse_iso_columns(lambda k: chars[:, k], len(raw))


def _field_words(
    words: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int
) -> list[np.ndarray]:
    """Each field's bytes as ceil(width / 8) words, zeroed past the field's end."""
    uniform = int(lengths.min()) == width
    result = []
    for j in range(0, width, 8):
        word = words[starts + j] if j else words[starts]
        if uniform:  # one length for all rows: a constant mask, or none for a full word
            if width - j < 8:
                word &= _BYTE_MASKS[width - j]
        else:
            word &= _KEEP[j // 8][lengths]
        result.append(word)
    return result


def _factorize_fields(
    words: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, list[bytes]] | None:
    """Integer codes and distinct texts of short fields: hash, factorize, then verify exactly."""
    width = int(lengths.max())
    if width > _MAX_FIELD or int(lengths.min()) == 0:
        return None
    parts = _field_words(words, starts, lengths, width)
    if width <= 7:  # the bytes plus the length fit one word: the key is exact
        key = parts[0] | (lengths.astype(np.uint64) << np.uint64(56))
    else:
        key = lengths.astype(np.uint64)
        with np.errstate(over="ignore"):
            for part in parts:
                key = key * np.uint64(0x100000001B3) ^ part
    codes, _ = pd.factorize(key)
    # factorize numbers keys by first appearance, so a new running maximum marks a first row.
    running = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.concatenate(([True], running[1:] > running[:-1])))
    if width > 7:
        if not (lengths == lengths[first][codes]).all():
            return None
        for part in parts:  # a hash collision would show up as a differing word here
            if not (part == part[first][codes]).all():
                return None
    texts = [
        b"".join(int(part[i]).to_bytes(8, "little") for part in parts)[: int(lengths[i])]
        for i in first
    ]
    return codes, texts


def _timestamps(words: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray | None:
    """Seconds of each timestamp text; each run of equal consecutive texts is parsed once."""
    if not ((lengths == 25) | (lengths == 20)).all():
        return None
    parts = _field_words(words, starts, lengths, 25)
    change = np.zeros(len(starts), dtype=bool)
    change[0] = True
    for part in parts:
        change[1:] |= part[1:] != part[:-1]
    firsts = np.flatnonzero(change)
    distinct = [part[firsts] for part in parts]

    def byte_at(k: int) -> np.ndarray:
        return ((distinct[k // 8] >> np.uint64(8 * (k % 8))) & np.uint64(0xFF)).astype(np.uint8)

    seconds = parse_iso_columns(byte_at, len(firsts))
    if seconds is None:
        return None
    return seconds[np.cumsum(change) - 1]


def _digits8(word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, ok) of 8 ASCII digits in a little-endian word (first character in the low byte)."""
    x = word ^ _ASCII_ZEROS  # "0".."9" become 0..9; any other byte gets a high nibble or >= 10
    ok = ((x | (x + _SIXES)) & _HIGH_NIBBLES) == 0
    x = (x * np.uint64(10) + (x >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    x = (x * np.uint64(100) + (x >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    x = (x * np.uint64(10000) + (x >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return x, ok


def _registers(words: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray | None:
    """Decimal registers up to 20 digits, 8 digits at a time (SWAR), right-aligned to the end."""
    if int(lengths.min()) == 0 or int(lengths.max()) > 20:
        return None
    ends = starts + lengths
    value = np.zeros(len(starts), dtype=np.uint64)
    scale = np.uint64(1)
    with np.errstate(over="ignore"):
        for j in range(0, int(lengths.max()), 8):
            # The 8 bytes ending j bytes before the field's end; bytes before its start read as "0".
            word = words[ends - (j + 8)]
            if int(lengths.min()) < j + 8:  # some fields start inside this word
                word = (word & _KEEP_TAIL[j // 8][lengths]) | _ZERO_PAD[j // 8][lengths]
            digits, ok = _digits8(word)
            if not ok.all():
                return None
            value += digits * scale
            scale *= np.uint64(100_000_000)
    # 20-digit texts may exceed 2**64 - 1 and wrap: check those few exactly.
    for i in np.flatnonzero(lengths == 20):
        text = b"".join(int(words[starts[i] + k]).to_bytes(8, "little") for k in (0, 8, 16))
        if int(text[:20]) > 2**64 - 1:
            return None
    return value


def _parse_lines(buf: np.ndarray, words: np.ndarray, lo: int, hi: int) -> dict | None:
    """Parse the whole lines in buf[lo:hi] (hi just after a newline)."""
    newlines = np.flatnonzero(buf[lo:hi] == ord("\n")) + lo
    starts = np.concatenate(([lo], newlines[:-1] + 1))
    n = len(starts)
    commas = np.flatnonzero(buf[lo:hi] == ord(",")) + lo
    if len(commas) != 3 * n:
        return None
    commas = commas.reshape(n, 3)
    # Sorted commas, three per line in total, each line's three inside it: exactly three per line.
    if not ((commas[:, 0] > starts).all() and (commas[:, 2] < newlines).all()):
        return None
    seconds = _timestamps(words, starts, commas[:, 0] - starts)
    # Meter and kind as one field ("PV-1,generation"): one factorization instead of two.
    pairs = _factorize_fields(words, commas[:, 0] + 1, commas[:, 2] - commas[:, 0] - 1)
    registers = _registers(words, commas[:, 2] + 1, newlines - commas[:, 2] - 1)
    if seconds is None or pairs is None or registers is None:
        return None
    return {"timestamp": seconds, "codes": pairs[0], "texts": pairs[1], "wh": registers}


def _chunks(data: bytes, lo: int, count: int) -> list[tuple[int, int]]:
    """`count` ranges of whole lines covering data[lo:]."""
    bounds = [lo]
    for i in range(1, count):
        cut = data.find(b"\n", max(bounds[-1], lo + (len(data) - lo) * i // count)) + 1
        if 0 < cut < len(data):
            bounds.append(cut)
    bounds.append(len(data))
    return list(itertools.pairwise(bounds))


def parse_readings_bytes(data: bytes) -> dict[str, object] | None:
    """Columns of a plain readings CSV: timestamps, meter/kind codes and texts, registers."""
    if b'"' in data or b"\r" in data:
        return None
    if not data.endswith(b"\n"):
        data += b"\n"
    header_end = data.find(b"\n")
    if data[:header_end] != HEADER or header_end + 1 == len(data):
        return None
    # Zero padding: a field's words may be read up to _MAX_FIELD bytes past its start.
    padded = np.frombuffer(data + bytes(_MAX_FIELD + 16), dtype=np.uint8)
    # Little-endian uint64 starting at every byte offset (an unaligned, overlapping view).
    words = np.ndarray((len(padded) - 8,), dtype="<u8", buffer=padded, strides=(1,))
    ranges = _chunks(data, header_end + 1, _THREADS)
    # numpy releases the GIL inside its loops, so the chunks really parse in parallel.
    with ThreadPoolExecutor(len(ranges)) as pool:
        parts = list(pool.map(lambda r: _parse_lines(padded, words, *r), ranges))
    if any(part is None for part in parts):
        return None
    pair_index: dict[bytes, int] = {}
    codes = []
    for part in parts:
        lookup = np.array([pair_index.setdefault(t, len(pair_index)) for t in part["texts"]])
        codes.append(lookup[part["codes"]])
    try:
        pairs = [text.decode("utf-8").split(",", 1) for text in pair_index]
    except UnicodeDecodeError:
        return None
    if any(not meter for meter, _ in pairs):
        return None  # the general path names the line with the empty meter id
    meter_names = sorted({meter for meter, _ in pairs})
    kind_names = sorted({kind for _, kind in pairs})
    pair_meter = np.array([meter_names.index(meter) for meter, _ in pairs], dtype=np.int32)
    pair_kind = np.array([kind_names.index(kind) for _, kind in pairs], dtype=np.int8)
    pair_codes = np.concatenate(codes)
    return {
        "timestamp": np.concatenate([part["timestamp"] for part in parts]),
        "meter_codes": pair_meter[pair_codes],
        "meter_names": meter_names,
        "kind_codes": pair_kind[pair_codes],
        "kind_names": kind_names,
        "cumulative_wh": np.concatenate([part["wh"] for part in parts]),
    }
