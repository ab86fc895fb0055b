"""Reading and validating readings CSVs: accepted variants and every hard error with its message."""

from pathlib import Path

import pandas as pd
import pytest

from methodology.compute import compute
from methodology.errors import ReadingsError
from methodology.factors import load_factors
from methodology.readings import load_readings

HEADER = "timestamp,meter,kind,cumulative_wh\n"
APR_2025 = 1743433200  # 2025-04-01T00:00:00+09:00


def write(tmp_path: Path, body: str, name: str = "r.csv", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).replace("\n", newline).encode())
    return path


def test_offsets_z_and_utc_and_jst_mean_the_same_instant(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2025-04-01T00:00:00+09:00,PV,generation,10\n"
        "2025-03-31T15:30:00Z,PV,generation,20\n"
        "2025-03-31T16:00:00+00:00,PV,generation,30\n"
        "2025-03-31T11:30:00-05:00,PV,generation,40\n",
    )
    frame = load_readings(path)
    assert frame["timestamp"].tolist() == [APR_2025, APR_2025 + 1800, APR_2025 + 3600, 1743438600]
    assert frame["cumulative_wh"].tolist() == [10, 20, 30, 40]


def test_rows_in_any_order_are_sorted_per_meter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2025-04-01T01:00:00+09:00,PV,generation,30\n"
        "2025-04-01T00:30:00+09:00,EX,export,5\n"
        "2025-04-01T00:00:00+09:00,PV,generation,10\n"
        "2025-04-01T00:00:00+09:00,EX,export,1\n",
    )
    frame = load_readings(path)
    assert frame["meter"].astype(str).tolist() == ["EX", "EX", "PV", "PV"]
    assert frame["timestamp"].tolist() == [APR_2025, APR_2025 + 1800, APR_2025, APR_2025 + 3600]
    assert frame["kind"].astype(str).tolist() == ["export", "export", "generation", "generation"]
    assert frame["cumulative_wh"].tolist() == [1, 5, 10, 30]


def test_identical_duplicates_are_dropped(tmp_path: Path) -> None:
    row = "2025-04-01T00:00:00+09:00,PV,generation,10\n"
    frame = load_readings(write(tmp_path, row + row + row))
    assert len(frame) == 1


def test_crlf_and_quoted_files_take_the_general_path_with_the_same_result(tmp_path: Path) -> None:
    body = (
        "2025-04-01T00:00:00+09:00,PV,generation,18446744073709551615\n"
        "2025-04-01T00:15:00+09:00,EX,export,7\n"
    )
    plain = load_readings(write(tmp_path, body))
    crlf = load_readings(write(tmp_path, body, "crlf.csv", "\r\n"))
    quoted = load_readings(write(tmp_path, body.replace(",PV,", ',"PV",'), "quoted.csv"))
    pd.testing.assert_frame_equal(plain, crlf)
    pd.testing.assert_frame_equal(plain, quoted)
    assert plain["cumulative_wh"].tolist() == [7, 2**64 - 1]


def test_dataframe_source_with_iso_strings(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": ["2025-04-01T00:00:00+09:00", "2025-04-01T00:30:00+09:00"],
            "meter": ["PV", "PV"],
            "kind": ["generation", "generation"],
            "cumulative_wh": [1, 2],
        }
    )
    loaded = load_readings(frame)
    assert loaded["timestamp"].tolist() == [APR_2025, APR_2025 + 1800]


def test_fractional_seconds_are_accepted_when_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "2025-04-01T00:00:00.000+09:00,PV,generation,1\n")
    assert load_readings(path)["timestamp"].tolist() == [APR_2025]


def error_for(tmp_path: Path, body: str) -> str:
    path = write(tmp_path, body)
    with pytest.raises(ReadingsError) as caught:
        load_readings(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_register_going_backwards(tmp_path: Path) -> None:
    message = error_for(
        tmp_path,
        "2025-04-01T00:00:00+09:00,PV-1,generation,100\n"
        "2025-04-01T00:30:00+09:00,PV-1,generation,90\n",
    )
    assert message.endswith(
        " line 3: meter PV-1: register goes backwards at 2025-04-01T00:30:00+09:00 "
        "(100 Wh at 2025-04-01T00:00:00+09:00, then 90 Wh)"
    )
    assert "100 Wh at 2025-04-01T00:00:00+09:00, then 90 Wh" in message


def test_two_values_for_one_meter_and_timestamp(tmp_path: Path) -> None:
    message = error_for(
        tmp_path,
        "2025-04-01T00:00:00+09:00,PV-1,generation,100\n2025-03-31T15:00:00Z,PV-1,generation,101\n",
    )
    assert "meter PV-1 at 2025-04-01T00:00:00+09:00: two different values 100 and 101" in message
    assert " line 3: meter PV-1" in message  # the second of the two rows


def test_one_meter_with_two_kinds(tmp_path: Path) -> None:
    message = error_for(
        tmp_path,
        "2025-04-01T00:00:00+09:00,M-1,generation,100\n2025-04-01T00:30:00+09:00,M-1,export,110\n",
    )
    assert "meter M-1 has two kinds, generation and export" in message
    assert "2025-04-01T00:30:00+09:00" in message


def test_duplicate_row_with_another_kind_is_a_meter_with_two_kinds(tmp_path: Path) -> None:
    message = error_for(
        tmp_path,
        "2025-04-01T00:00:00+09:00,M-1,generation,100\n2025-04-01T00:00:00+09:00,M-1,export,100\n",
    )
    assert "meter M-1 has two kinds" in message


def test_categorical_frame_with_missing_kind_is_rejected() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": [APR_2025],
            "meter": pd.Categorical(["PV"]),
            "kind": pd.Categorical(
                ["solar"], categories=["generation", "export", "self_consumption"]
            ),
            "cumulative_wh": [1],
        }
    ).astype({"timestamp": "int64", "cumulative_wh": "uint64"})
    with pytest.raises(ReadingsError, match="missing or unknown kind"):
        compute(frame, 1000, load_factors())


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("2025-04-01T00:30:00+09:00,PV,generation,5,extra", "line 3: expected 4 fields, got 5"),
        ("2025-04-01T00:30:00+09:00,PV,generation", "line 3: expected 4 fields, got 3"),
        ("2025-13-01T00:30:00+09:00,PV,generation,5", "line 3: malformed timestamp"),
        ("yesterday,PV,generation,5", "line 3: malformed timestamp 'yesterday'"),
        ("2025-04-01T00:30:00,PV,generation,5", "line 3: timestamp '2025-04-01T00:30:00' has no"),
        ("2025-04-01T00:30:00+09:00,PV,import,5", "line 3: meter PV: unknown kind 'import'"),
        (
            "2025-04-01T00:30:00+09:00,PV,generation,-5",
            "line 3: meter PV at 2025-04-01T00:30:00+09:00: negative cumulative_wh -5",
        ),
        ("2025-04-01T00:30:00+09:00,PV,generation,5.5", "line 3: meter PV at"),
        ("2025-04-01T00:30:00+09:00,PV,generation,18446744073709551616", "exceeds 2**64 - 1"),
        ("2025-04-01T00:30:00+09:00,,generation,5", "line 3: empty meter id"),
        ("2025-04-01T00:30:00+25:00,PV,generation,5", "line 3: malformed timestamp"),
        ("2025-04-01T00:30:00+09:00,PV, generation,5", "line 3: meter PV: unknown kind ' gen"),
    ],
)
def test_malformed_row_names_its_line(tmp_path: Path, bad_row: str, expected: str) -> None:
    body = "2025-04-01T00:00:00+09:00,PV,generation,1\n" + bad_row + "\n"
    body += "2025-04-01T01:00:00+09:00,PV,generation,9\n"
    assert expected in error_for(tmp_path, body)


def test_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("time,meter,kind,wh\n2025-04-01T00:00:00+09:00,PV,generation,1\n")
    with pytest.raises(ReadingsError, match=r"h\.csv line 1: header must be"):
        load_readings(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadingsError, match=r"nope\.csv: cannot read readings file"):
        load_readings(tmp_path / "nope.csv")


def test_header_only_has_no_readings(tmp_path: Path) -> None:
    with pytest.raises(ReadingsError, match="no readings"):
        load_readings(write(tmp_path, ""))


def test_dataframe_error_names_the_row() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": ["2025-04-01T00:00:00+09:00", "2025-04-01T00:30:00+09:00"],
            "meter": ["PV", "PV"],
            "kind": ["generation", "solar"],
            "cumulative_wh": [1, 2],
        }
    )
    with pytest.raises(ReadingsError, match="DataFrame row 1: meter PV: unknown kind 'solar'"):
        load_readings(frame)


def test_dataframe_backwards_register_names_meter_and_time() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": [APR_2025, APR_2025 + 1800],
            "meter": ["PV", "PV"],
            "kind": ["generation", "generation"],
            "cumulative_wh": [5, 4],
        }
    )
    with pytest.raises(
        ReadingsError, match=r"DataFrame: meter PV: register goes backwards at 2025-04-01T00:30"
    ):
        load_readings(frame)


def test_dataframe_with_aware_datetimes_and_naive_ones() -> None:
    aware = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2025-04-01T00:00:00+09:00", "2025-04-01T00:30:00+09:00"]),
            "meter": ["PV", "PV"],
            "kind": ["generation", "generation"],
            "cumulative_wh": [1, 2],
        }
    )
    assert load_readings(aware)["timestamp"].tolist() == [APR_2025, APR_2025 + 1800]
    naive = aware.assign(timestamp=aware["timestamp"].dt.tz_localize(None))
    with pytest.raises(ReadingsError, match=r"DataFrame row 0: timestamp .* has no UTC offset"):
        load_readings(naive)
