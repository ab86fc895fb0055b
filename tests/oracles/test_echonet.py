"""ECHONET Lite route-B adapter on a captured-style log and on hand-written frames."""

import struct
from datetime import datetime
from pathlib import Path

import pytest

from oracles.adapters.echonet import EchonetError, parse_frame, read_echonet_log
from oracles.errors import DataError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "echonet_route_b.log"
# 2025-04-01T00:30+09:00
T0030 = 1743435000
DIRECTIONS = {"normal": ("PV-1", "generation"), "reverse": ("EX-1", "export")}


def test_frame_fields():
    frame = parse_frame(bytes.fromhex("1081000102880105FF017203D30400000001E10101D70106"))
    assert frame.tid == 1
    assert frame.seoj == bytes.fromhex("028801") and frame.deoj == bytes.fromhex("05FF01")
    assert frame.esv == 0x72
    assert frame.properties == ((0xD3, b"\x00\x00\x00\x01"), (0xE1, b"\x01"), (0xD7, b"\x06"))


def test_fixture_log_rollover_missing_values_and_history():
    readings = read_echonet_log(FIXTURE, DIRECTIONS)
    export = readings[readings["meter"] == "EX-1"]
    # unit 0x01 = 0.1 kWh = 100 Wh per count; 6 digits roll over at 1,000,000 counts.
    assert list(zip(export["timestamp"], export["cumulative_wh"], strict=True)) == [
        (T0030, 999_990 * 100),
        (T0030 + 1800, 999_998 * 100),
        (T0030 + 3600, (1_000_000 + 5) * 100),  # EB at 01:30 and E4 history slot 3 agree
        (T0030 + 5400, (1_000_000 + 9) * 100),  # only in the E4 history of the next day
    ]
    assert set(export["kind"]) == {"export"}
    generation = readings[readings["meter"] == "PV-1"]
    # The 01:30 normal value is 0xFFFFFFFE (no measurement) and is left out, not read as a number.
    assert list(zip(generation["timestamp"], generation["cumulative_wh"], strict=True)) == [
        (T0030, 12_345_600),
        (T0030 + 1800, 12_347_000),
    ]


def _log(tmp_path: Path, *frames: str) -> Path:
    path = tmp_path / "meter.log"
    lines = [f"2025-04-01T00:{i:02d}:00+09:00 {f}" for i, f in enumerate(frames)]
    path.write_text("\n".join(lines) + "\n")
    return path


HEAD = "1081000002880105FF0173"  # INF from the smart meter to a controller


def _eb(hour: int, minute: int, value: int) -> str:
    return f"EB0B07E90401{hour:02X}{minute:02X}00{value:08X}"


def test_coefficient_and_unit_scale(tmp_path):
    # coefficient 40 (a CT ratio), unit 0x02 = 0.01 kWh: 1234 counts = 1234 * 40 * 10 Wh.
    path = _log(tmp_path, HEAD + "03D30400000028E10102" + _eb(0, 30, 1234))
    readings = read_echonet_log(path, {"reverse": ("EX-1", "export")})
    assert readings["cumulative_wh"].tolist() == [493_600]


def test_sub_wh_unit_is_floored(tmp_path):
    # unit 0x04 = 0.0001 kWh = 0.1 Wh: 12,345 counts = 1,234.5 Wh, floored to 1,234.
    path = _log(tmp_path, HEAD + "02E10104" + _eb(0, 30, 12345))
    readings = read_echonet_log(path, {"reverse": ("EX-1", "export")})
    assert readings["cumulative_wh"].tolist() == [1234]


def test_missing_coefficient_means_one(tmp_path):
    path = _log(tmp_path, HEAD + "02E10100" + _eb(0, 30, 7))
    assert read_echonet_log(path, {"reverse": ("EX-1", "export")})["cumulative_wh"].tolist() == [
        7000
    ]


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (["10810001"], "frame too short"),
        (["1082000002880105FF017300"], "not an ECHONET Lite format-1 frame"),
        ([HEAD + "01EB0B07E9"], "PDC 11 runs past the end"),
        ([HEAD + "00FF"], "1 trailing byte"),
        (["zz"], "frame is not hex"),
        ([HEAD + "01" + _eb(0, 30, 5)], "no unit (EPC 0xE1)"),
        ([HEAD + "01E10101", HEAD + "01E10102"], "unit changed from 1 to 2"),
        ([HEAD + "01E10101", HEAD + "01" + _eb(0, 30, 9), HEAD + "01" + _eb(1, 0, 3)], "0xD7"),
        ([HEAD + "01E10101", HEAD + "01" + _eb(0, 30, 9), HEAD + "01" + _eb(0, 30, 8)], "said 9"),
        ([HEAD + "01E10109"], "unknown unit code 0x09"),
        ([HEAD + "01EB0B07E9021E001E0000000005"], "invalid date 2025-2-30"),
        ([HEAD + "01D70109"], "effective digits 9 out of range"),
    ],
)
def test_bad_logs_name_the_line_and_problem(tmp_path, frames, message):
    path = _log(tmp_path, *frames)
    with pytest.raises(EchonetError) as info:
        read_echonet_log(path, {"reverse": ("EX-1", "export")})
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_receive_time_needs_an_offset(tmp_path):
    path = tmp_path / "meter.log"
    path.write_text("2025-04-01T00:31:00 " + HEAD + "01E10101\n")
    with pytest.raises(EchonetError, match=r"line 1: receive time .* has no UTC offset"):
        read_echonet_log(path, {"reverse": ("EX-1", "export")})


def _pcap(path: Path, packets: list[tuple[float, bytes]], big_endian: bool = False) -> Path:
    """A libpcap file (Ethernet link type) written from the format description."""
    order = ">" if big_endian else "<"
    out = struct.pack(order + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for seconds, frame in packets:
        out += struct.pack(order + "IIII", int(seconds), 0, len(frame), len(frame)) + frame
    path.write_bytes(out)
    return path


def _ethernet_ipv6_udp(payload: bytes, src_port: int, dst_port: int, vlan: bool = False) -> bytes:
    udp = struct.pack(">HHHH", src_port, dst_port, 8 + len(payload), 0) + payload
    ipv6 = struct.pack(">IHBB", 6 << 28, len(udp), 17, 64) + bytes(16) + bytes(16)
    tag = b"\x81\x00\x00\x05" if vlan else b""
    return bytes(6) + bytes(6) + tag + b"\x86\xdd" + ipv6 + udp


def _ethernet_ipv4_udp(payload: bytes, src_port: int, dst_port: int) -> bytes:
    udp = struct.pack(">HHHH", src_port, dst_port, 8 + len(payload), 0) + payload
    ipv4 = struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0) + bytes(8)
    return bytes(12) + b"\x08\x00" + ipv4 + udp


@pytest.mark.parametrize("big_endian", [False, True])
def test_pcap_capture_gives_the_same_readings_as_the_hex_log(tmp_path, big_endian):
    packets = []
    for n, line in enumerate(FIXTURE.read_text().splitlines()):
        if line.startswith("#"):
            continue
        fields = line.split()
        seconds = datetime.fromisoformat(fields[0]).timestamp()
        payload = bytes.fromhex(fields[-1])
        build = [_ethernet_ipv6_udp, _ethernet_ipv4_udp][n % 2]
        packets.append((seconds, build(payload, 3610, 3610)))
    # Other traffic in the capture: DNS over UDP, and a tagged frame to another port.
    packets.insert(1, (packets[0][0], _ethernet_ipv4_udp(b"\x12\x34" * 10, 5353, 53)))
    packets.insert(2, (packets[0][0], _ethernet_ipv6_udp(b"\x10\x81" * 8, 4000, 4001, vlan=True)))
    capture = _pcap(tmp_path / "hems.pcap", packets, big_endian)
    from_pcap = read_echonet_log(capture, DIRECTIONS)
    from_log = read_echonet_log(FIXTURE, DIRECTIONS)
    assert len(from_pcap) == 6
    assert from_pcap.to_dict("list") == from_log.to_dict("list")


def test_truncated_pcap_names_the_packet(tmp_path):
    frame = _ethernet_ipv4_udp(bytes.fromhex(HEAD + "01E10101"), 3610, 3610)
    capture = _pcap(tmp_path / "cut.pcap", [(1743435000, frame)])
    capture.write_bytes(capture.read_bytes()[:-5])
    with pytest.raises(DataError, match=r"cut\.pcap packet 1: truncated packet"):
        read_echonet_log(capture, {"reverse": ("EX-1", "export")})
