"""The vectorised timestamp and register parsers against Python's own parsing."""

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from methodology.fastcsv import parse_iso_strings, parse_readings_bytes

offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(datetime(1970, 1, 1), datetime(2200, 12, 31), timezones=offsets)


@given(st.lists(moments, min_size=1, max_size=20), st.booleans())
def test_timestamps_match_python(values: list[datetime], zulu: bool) -> None:
    values = [v.replace(microsecond=0) for v in values]
    texts = [
        v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if zulu else v.isoformat() for v in values
    ]
    parsed = parse_iso_strings(np.array(texts, dtype=object))
    assert parsed is not None
    assert parsed.tolist() == [int(v.timestamp()) for v in values]


def test_texts_python_rejects_are_not_parsed() -> None:
    for text in [
        "2025-02-29T00:00:00+09:00",  # not a leap year
        "2024-04-31T00:00:00+09:00",
        "2025-04-01T24:00:00+09:00",
        "2025-04-01T00:00:60Z",
        "2025-04-01T00:00:00+24:00",
        "0000-04-01T00:00:00Z",
        "2025-04-01 00:00:00+09:00",  # fromisoformat accepts it; the general path handles it
        "2025-04-01T00:00:00.5+09:00",
    ]:
        assert parse_iso_strings(np.array([text], dtype=object)) is None, text


@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=30))
def test_registers_match_python(values: list[int]) -> None:
    values = sorted(values)
    body = "".join(
        f"2025-04-01T00:00:{i % 60:02d}Z,M{i // 60},generation,{v}\n" for i, v in enumerate(values)
    )
    parsed = parse_readings_bytes(b"timestamp,meter,kind,cumulative_wh\n" + body.encode())
    assert parsed is not None
    assert parsed["cumulative_wh"].tolist() == values


def test_register_text_above_2_pow_64_is_not_parsed() -> None:
    body = b"timestamp,meter,kind,cumulative_wh\n2025-04-01T00:00:00Z,M,generation,"
    assert parse_readings_bytes(body + b"18446744073709551616\n") is None
    assert parse_readings_bytes(body + b"-1\n") is None
    assert parse_readings_bytes(body + b"1e3\n") is None
