"""ECHONET Lite route-B smart meter (class 0x0288) frames to readings.

Frame (ECHONET Lite spec part II, format 1): EHD1 0x10, EHD2 0x81, TID (2 bytes), SEOJ (3),
DEOJ (3), ESV (1), OPC (1), then OPC properties of EPC (1), PDC (1), EDT (PDC bytes).

Used properties of the low-voltage smart meter (Appendix "Detailed Requirements for ECHONET Device
Objects", class 0x0288): 0xD3 coefficient (4 bytes; 1 when absent), 0xD7 effective digits of the
cumulative registers (1 byte), 0xE1 unit (1 byte, kWh power of ten), 0xEA / 0xEB normal / reverse
cumulative energy at the last fixed 30-minute time (year 2, month, day, hour, minute, second,
value 4), 0xE2 / 0xE4 normal / reverse history (day 2 bytes, then 48 values from 00:00 to 23:30 of
that day, day N = N days before the day the frame was received). 0xFFFFFFFE = no measurement.

Log format: one received frame per line, `<ISO 8601 receive time> <hex frame>`; the hex may be the
last field of a Wi-SUN module's `ERXUDP ...` line. `#` starts a comment. A libpcap capture (.pcap,
tcpdump / Wireshark) of the UDP port 3610 traffic works too; its packet times are the receive times.
"""

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from methodology.errors import ReadingsError
from methodology.fiscal import JST
from methodology.readings import load_readings
from oracles.adapters.csv import attach_meters
from oracles.adapters.pcap import is_pcap, udp_payloads
from oracles.errors import DataError
from oracles.site import SiteConfig

ECHONET_PORT = 3610
SMART_METER_CLASS = b"\x02\x88"
NO_MEASUREMENT = 0xFFFFFFFE
# ESVs that carry property values from the meter: Get_Res, INF, INFC, Get_SNA (partial answer).
VALUE_ESVS = {0x72, 0x73, 0x74, 0x52}
# 0xE1 unit code -> (numerator, denominator) of Wh per register count.
UNITS = {
    0x00: (1000, 1),
    0x01: (100, 1),
    0x02: (10, 1),
    0x03: (1, 1),
    0x04: (1, 10),
    0x0A: (10_000, 1),
    0x0B: (100_000, 1),
    0x0C: (1_000_000, 1),
    0x0D: (10_000_000, 1),
}
DIRECTIONS = {0xEA: "normal", 0xE2: "normal", 0xEB: "reverse", 0xE4: "reverse"}


class EchonetError(DataError):
    """A frame or log that cannot be decoded."""


@dataclass(frozen=True)
class Frame:
    tid: int
    seoj: bytes
    deoj: bytes
    esv: int
    properties: tuple[tuple[int, bytes], ...]


def parse_frame(data: bytes) -> Frame:
    if len(data) < 12:
        raise EchonetError(f"frame too short ({len(data)} bytes, need at least 12)")
    if data[0] != 0x10 or data[1] != 0x81:
        raise EchonetError(f"not an ECHONET Lite format-1 frame (EHD {data[:2].hex()})")
    tid = int.from_bytes(data[2:4], "big")
    seoj, deoj, esv, opc = data[4:7], data[7:10], data[10], data[11]
    properties = []
    pos = 12
    for _ in range(opc):
        if pos + 2 > len(data):
            raise EchonetError(f"frame truncated in property header at byte {pos}")
        epc, pdc = data[pos], data[pos + 1]
        if pos + 2 + pdc > len(data):
            raise EchonetError(f"EPC 0x{epc:02X}: PDC {pdc} runs past the end of the frame")
        properties.append((epc, data[pos + 2 : pos + 2 + pdc]))
        pos += 2 + pdc
    if pos != len(data):
        raise EchonetError(f"{len(data) - pos} trailing byte(s) after {opc} properties")
    return Frame(tid, seoj, deoj, esv, tuple(properties))


@dataclass
class _Meter:
    coefficient: int | None = None
    unit: int | None = None
    digits: int | None = None

    def set(self, name: str, value: int, where: str) -> None:
        old = getattr(self, name)
        if old is not None and old != value:
            raise EchonetError(
                f"{where}: meter {name} changed from {old} to {value} within the log"
            )
        setattr(self, name, value)


def _fixed_time(edt: bytes, where: str) -> tuple[int, int]:
    if len(edt) != 11:
        raise EchonetError(f"{where}: fixed-time value needs 11 bytes, got {len(edt)}")
    year, month, day, hour, minute, second, value = struct.unpack(">HBBBBBI", edt)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=JST)
    except ValueError:
        raise EchonetError(f"{where}: invalid date {year}-{month}-{day} {hour}:{minute}") from None
    return int(moment.timestamp()), value


def _history(edt: bytes, received: datetime, where: str) -> list[tuple[int, int]]:
    if len(edt) != 194:
        raise EchonetError(f"{where}: history needs 194 bytes (day + 48 values), got {len(edt)}")
    days_back = int.from_bytes(edt[:2], "big")
    if days_back > 99:
        raise EchonetError(f"{where}: history day {days_back} out of range 0..99")
    local = received.astimezone(JST)
    midnight = datetime(local.year, local.month, local.day, tzinfo=JST) - timedelta(days=days_back)
    base = int(midnight.timestamp())
    values = struct.unpack(">48I", edt[2:])
    return [(base + 1800 * i, v) for i, v in enumerate(values)]


@dataclass
class Decoded:
    """Raw register counts per direction, and how many slots said 'no measurement'."""

    samples: dict[str, dict[int, int]]
    missing: int
    meter: _Meter


def _hex_log(path: Path) -> Iterator[tuple[str, datetime, bytes]]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise EchonetError(f"{path}: neither a text hex log nor a pcap capture") from None
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        where = f"{path} line {number}"
        fields = text.split()
        if len(fields) < 2:
            raise EchonetError(f"{where}: expected '<receive time> <hex frame>'")
        try:
            received = datetime.fromisoformat(fields[0])
        except ValueError:
            raise EchonetError(f"{where}: bad receive time {fields[0]!r}") from None
        if received.tzinfo is None:
            raise EchonetError(f"{where}: receive time {fields[0]!r} has no UTC offset")
        try:
            yield where, received, bytes.fromhex(fields[-1])
        except ValueError:
            raise EchonetError(f"{where}: frame is not hex") from None


def decode_log(path: Path) -> Decoded:
    """Register values from a hex log or a pcap capture (UDP port 3610) of one smart meter."""
    if not Path(path).exists():
        raise EchonetError(f"{path}: ECHONET log not found")
    source = udp_payloads(path, ECHONET_PORT) if is_pcap(path) else _hex_log(path)
    meter = _Meter()
    samples: dict[str, dict[int, int]] = {"normal": {}, "reverse": {}}
    missing = 0
    for where, received, data in source:
        try:
            frame = parse_frame(data)
        except EchonetError as exc:
            raise EchonetError(f"{where}: {exc}") from None
        if frame.seoj[:2] != SMART_METER_CLASS or frame.esv not in VALUE_ESVS:
            continue  # requests and other devices' traffic
        for epc, edt in frame.properties:
            if not edt:
                continue  # Get_SNA: property not available
            prop = f"{where} EPC 0x{epc:02X}"
            if epc == 0xD3:
                meter.set("coefficient", int.from_bytes(edt, "big"), prop)
            elif epc == 0xE1:
                if edt[0] not in UNITS:
                    raise EchonetError(f"{prop}: unknown unit code 0x{edt[0]:02X}")
                meter.set("unit", edt[0], prop)
            elif epc == 0xD7:
                if not 1 <= edt[0] <= 8:
                    raise EchonetError(f"{prop}: effective digits {edt[0]} out of range 1..8")
                meter.set("digits", edt[0], prop)
            elif epc in DIRECTIONS:
                if epc in (0xEA, 0xEB):
                    points = [_fixed_time(edt, prop)]
                else:
                    points = _history(edt, received, prop)
                missing += _add(samples[DIRECTIONS[epc]], points, prop)
    return Decoded(samples, missing, meter)


def _add(series: dict[int, int], points: list[tuple[int, int]], where: str) -> int:
    """Record register values; returns how many were 'no measurement'."""
    missing = 0
    for ts, value in points:
        if value == NO_MEASUREMENT:
            missing += 1
        elif series.setdefault(ts, value) != value:
            raise EchonetError(
                f"{where}: register at {ts} is {value}, an earlier frame said {series[ts]}"
            )
    return missing


def to_wh(path: Path, decoded: Decoded, direction: str) -> list[tuple[int, int]]:
    """(timestamp, cumulative Wh) in time order, unwrapped at the register's effective digits."""
    series = sorted(decoded.samples[direction].items())
    if not series:
        return []
    meter = decoded.meter
    if meter.unit is None:
        raise EchonetError(f"{path}: no unit (EPC 0xE1) in the log; cannot scale the registers")
    numerator, denominator = UNITS[meter.unit]
    coefficient = 1 if meter.coefficient is None else meter.coefficient
    wraps, previous, out = 0, None, []
    for ts, value in series:
        if meter.digits is not None and value >= 10**meter.digits:
            raise EchonetError(f"{path}: value {value} at {ts} exceeds {meter.digits} digits")
        if previous is not None and value < previous:
            if meter.digits is None:
                raise EchonetError(
                    f"{path}: {direction} register goes back from {previous} to {value} at {ts} "
                    "and the log has no effective digits (EPC 0xD7) to tell a rollover"
                )
            wraps += 1
        previous = value
        raw = value + wraps * 10**meter.digits if meter.digits else value
        out.append((ts, raw * coefficient * numerator // denominator))
    return out


def read_echonet_log(path: str | Path, directions: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Readings of one smart meter's log in the common format.

    `directions` maps "normal" / "reverse" to the (meter id, kind) that direction measures: a meter
    on the PV output measures generation in its normal direction, a grid meter exports in reverse.
    """
    path = Path(path)
    decoded = decode_log(path)
    rows = []
    for direction, (serial, kind) in directions.items():
        if direction not in ("normal", "reverse"):
            raise EchonetError(f"{path}: direction must be normal or reverse, not {direction!r}")
        points = to_wh(path, decoded, direction)
        if not points:
            raise EchonetError(f"{path}: no {direction}-direction values for meter {serial}")
        rows += [(ts, serial, kind, wh) for ts, wh in points]
    return pd.DataFrame(rows, columns=["timestamp", "meter", "kind", "cumulative_wh"])


def read_echonet_source(site: SiteConfig) -> tuple[list[Path], pd.DataFrame]:
    """All smart-meter logs of a site config's `echonet` source, as validated readings."""
    logs = site.source.get("logs")
    if not isinstance(logs, list) or not logs:
        raise DataError(f"{site.path}: source.logs must list {{log, normal, reverse}} entries")
    paths, frames = [], []
    for entry in logs:
        path = site.resolve(entry["log"])
        directions = {
            d: (entry[d], site.meter(entry[d]).kind) for d in ("normal", "reverse") if entry.get(d)
        }
        paths.append(path)
        frames.append(read_echonet_log(path, directions))
    frame = pd.concat(frames, ignore_index=True)
    try:
        readings = load_readings(frame)
    except ReadingsError as exc:
        raise DataError(f"{', '.join(map(str, paths))}: {exc}") from None
    return paths, attach_meters(readings, site, ", ".join(map(str, paths)))
