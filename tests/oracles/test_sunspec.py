"""SunSpec adapter against a pymodbus TCP server on 127.0.0.1 serving a hand-built register map."""

import asyncio
import socket
import threading

import pytest
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from oracles.adapters.sunspec import SunSpecError, append_reading, read_inverter


def _text(value: str, registers: int) -> list[int]:
    raw = value.encode().ljust(2 * registers, b"\0")
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]


def sunspec_map(model: int = 103, wh: int = 0, wh_sf: int = 0, serial: str = "INV-42") -> list[int]:
    """Registers from 40000, laid out from the SunSpec model tables (not from the adapter)."""
    common = [1, 66] + _text("Acme", 16) + _text("PV-50", 16) + [0] * 8 + [0] * 8
    common += [*_text(serial, 16), 1, 0x8000]
    assert len(common) == 68
    inverter = [model, 50] + [0] * 50
    # Model 101/103 points: WH (acc32) at offsets 24-25, WH_SF at 26 (offsets from the ID).
    inverter[24], inverter[25] = wh >> 16, wh & 0xFFFF
    inverter[26] = wh_sf & 0xFFFF
    return [0x5375, 0x6E53, *common, *inverter, 0xFFFF, 0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, registers: list[int], base: int = 40000):
        self.port = _free_port()
        self.device = SimDevice(
            id=1,
            simdata=[SimData(address=base, values=registers, datatype=DataType.REGISTERS)],
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            # pymodbus binds the server to the running loop, so it is created inside it.
            self.server = ModbusTcpServer(self.device, address=("127.0.0.1", self.port))
            await self.server.serve_forever(background=True)
            self.ready.set()
            while self.server.is_active():
                await asyncio.sleep(0.05)

        self.loop.run_until_complete(main())

    def __enter__(self) -> "Server":
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.shutdown(), self.loop).result(10)
        self.thread.join(10)


@pytest.mark.parametrize(
    ("model", "wh", "wh_sf", "expected"),
    [
        (103, 123_456_789, 0, 123_456_789),
        (101, 1_234_567, 1, 12_345_670),  # WH in units of 10 Wh
        (103, 98_765, 3, 98_765_000),  # kWh register
        (101, 123_456_789, -1, 12_345_678),  # 0.1 Wh steps, floored
        (103, 0xFFFF_FFFF, 0, 4_294_967_295),  # both words of the acc32
    ],
)
def test_reads_wh_scaled(model, wh, wh_sf, expected):
    with Server(sunspec_map(model, wh, wh_sf)) as server:
        energy = read_inverter("127.0.0.1", server.port)
    assert (energy.model, energy.wh, energy.serial) == (model, expected, "INV-42")


def test_map_at_base_zero():
    with Server(sunspec_map(103, 5000, 0), base=0) as server:
        assert read_inverter("127.0.0.1", server.port).wh == 5000


def test_unimplemented_wh_is_an_error():
    with Server(sunspec_map(103, 0, 0)) as server, pytest.raises(SunSpecError, match="WH / WH_SF"):
        read_inverter("127.0.0.1", server.port)


def test_map_without_inverter_model():
    registers = sunspec_map()
    registers[70] = 160  # turn the inverter model into an MPPT model
    with Server(registers) as server, pytest.raises(SunSpecError, match="no inverter model"):
        read_inverter("127.0.0.1", server.port)


def test_not_a_sunspec_device():
    with Server([0x1234] * 200) as server, pytest.raises(SunSpecError, match="no 'SunS' marker"):
        read_inverter("127.0.0.1", server.port)


def test_unreachable_device():
    with pytest.raises(SunSpecError, match=r"127\.0\.0\.1:\d+: cannot connect"):
        read_inverter("127.0.0.1", _free_port())


def test_poll_appends_a_reading_at_the_boundary(tmp_path):
    path = tmp_path / "inverter.csv"
    apr1_1030_jst = 1743471000
    with Server(sunspec_map(103, 1_234_567, 1)) as server:
        energy = read_inverter("127.0.0.1", server.port)
    assert append_reading(path, "PV-1", "generation", energy, apr1_1030_jst + 40) == (
        apr1_1030_jst,
        12_345_670,
    )
    append_reading(path, "PV-1", "generation", energy, apr1_1030_jst + 1800)
    assert path.read_text().splitlines() == [
        "timestamp,meter,kind,cumulative_wh",
        "2025-04-01T10:30:00+09:00,PV-1,generation,12345670",
        "2025-04-01T11:00:00+09:00,PV-1,generation,12345670",
    ]
    with pytest.raises(SunSpecError, match="600 s after the 30-minute boundary"):
        append_reading(path, "PV-1", "generation", energy, apr1_1030_jst + 600)
