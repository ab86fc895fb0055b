"""UDP payloads from a classic libpcap capture (what tcpdump and Wireshark write as .pcap).

Only what a HEMS capture needs: link types Ethernet (1, with 802.1Q tags), raw IP (101) and Linux
cooked (113); IPv4 and IPv6 (no extension headers); UDP. Returns each UDP payload sent to or from
a given port with its capture time, so ECHONET Lite (port 3610) frames can be read from a capture.
"""

import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from oracles.errors import DataError

MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
ETHERNET, RAW_IP, LINUX_SLL = 1, 101, 113
UDP = 17


def is_pcap(path: Path) -> bool:
    with Path(path).open("rb") as handle:
        return handle.read(4) in MAGICS


def udp_payloads(path: Path, port: int) -> Iterator[tuple[str, datetime, bytes]]:
    """(where, capture time UTC, payload) of every UDP datagram from or to `port`."""
    data = Path(path).read_bytes()
    if len(data) < 24 or data[:4] not in MAGICS:
        raise DataError(f"{path}: not a libpcap capture")
    order, tick = MAGICS[data[:4]]
    linktype = struct.unpack(order + "I", data[20:24])[0]
    if linktype not in (ETHERNET, RAW_IP, LINUX_SLL):
        raise DataError(f"{path}: unsupported link type {linktype}")
    pos, number = 24, 0
    while pos < len(data):
        number += 1
        where = f"{path} packet {number}"
        if pos + 16 > len(data):
            raise DataError(f"{where}: truncated packet header")
        seconds, fraction, captured, _ = struct.unpack(order + "IIII", data[pos : pos + 16])
        packet = data[pos + 16 : pos + 16 + captured]
        if len(packet) != captured:
            raise DataError(f"{where}: truncated packet ({len(packet)} of {captured} bytes)")
        pos += 16 + captured
        payload = _udp(packet, linktype, port)
        if payload is not None:
            yield where, datetime.fromtimestamp(seconds + fraction * tick, UTC), payload


def _udp(packet: bytes, linktype: int, port: int) -> bytes | None:
    if linktype == ETHERNET:
        offset, ethertype = 14, packet[12:14]
        while ethertype == b"\x81\x00":  # 802.1Q VLAN tag
            ethertype, offset = packet[offset + 2 : offset + 4], offset + 4
    elif linktype == LINUX_SLL:
        offset, ethertype = 16, packet[14:16]
    else:
        offset = 0
        ethertype = b"\x08\x00" if packet[:1] and packet[0] >> 4 == 4 else b"\x86\xdd"
    ip = packet[offset:]
    if ethertype == b"\x08\x00" and len(ip) >= 20 and ip[9] == UDP:
        udp = ip[(ip[0] & 0x0F) * 4 :]
    elif ethertype == b"\x86\xdd" and len(ip) >= 40 and ip[6] == UDP:
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8:
        return None
    source, destination, length = struct.unpack(">HHH", udp[:6])
    if port not in (source, destination):
        return None
    return udp[8:length]
