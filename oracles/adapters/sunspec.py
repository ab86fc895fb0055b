"""SunSpec Modbus inverter: the lifetime energy register `WH` of model 101/102/103, over Modbus TCP.

A SunSpec device starts its map with the marker "SunS" at holding register 40000 (or 0 or 50000),
then a chain of models, each (ID, length, length registers), ending with ID 0xFFFF. Model 1 (common)
carries the serial number (SN, 16 registers from offset 50); the inverter models 101 (single
phase), 102 (split phase) and 103 (three phase) carry WH (acc32) at offset 24..25 and WH_SF
(sunssf) at offset 26 of the model (offsets count from the ID register). Each model is read in
one request so WH and its scale factor come from the same instant.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pymodbus.client import ModbusTcpClient
from pymodbus.exceptions import ModbusException

from methodology.fiscal import JST
from oracles.errors import DataError

INTERVAL_S = 1800
BASES = (40000, 0, 50000)
MARKER = (0x5375, 0x6E53)  # "SunS"
INVERTER_MODELS = (101, 102, 103)
END_MODEL = 0xFFFF
WH_OFFSET = 24
WH_SF_OFFSET = 26
SN_OFFSET, SN_LENGTH = 50, 16
SF_NOT_IMPLEMENTED = 0x8000
ACC32_NOT_IMPLEMENTED = 0


class SunSpecError(DataError):
    """The device is unreachable or its register map is not a usable SunSpec inverter."""


@dataclass(frozen=True)
class InverterEnergy:
    serial: str
    model: int
    wh: int  # lifetime energy in Wh, WH x 10^WH_SF floored to whole Wh


class SunSpecReader:
    def __init__(self, host: str, port: int = 502, device_id: int = 1, timeout: float = 3.0):
        self.where = f"SunSpec device {device_id} at {host}:{port}"
        self.device_id = device_id
        self.client = ModbusTcpClient(host, port=port, timeout=timeout, retries=1)

    def __enter__(self) -> "SunSpecReader":
        if not self.client.connect():
            raise SunSpecError(f"{self.where}: cannot connect")
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def _read(self, address: int, count: int) -> list[int]:
        try:
            response = self.client.read_holding_registers(
                address, count=count, device_id=self.device_id
            )
        except ModbusException as exc:
            raise SunSpecError(
                f"{self.where}: read of {count} at {address} failed: {exc}"
            ) from None
        if response.isError():
            raise SunSpecError(f"{self.where}: device refused read of {count} at {address}")
        return list(response.registers)

    def _base(self) -> int:
        for base in BASES:
            try:
                if tuple(self._read(base, 2)) == MARKER:
                    return base
            except SunSpecError:
                continue
        raise SunSpecError(f"{self.where}: no 'SunS' marker at {', '.join(map(str, BASES))}")

    def read_energy(self) -> InverterEnergy:
        address = self._base() + 2
        serial = ""
        for _ in range(64):  # a real map has a handful of models; bound the walk anyway
            model, length = self._read(address, 2)
            if model == END_MODEL:
                break
            block = [model, length, *self._read(address + 2, length)] if length else [model, 0]
            if model == 1 and length >= SN_OFFSET + SN_LENGTH - 2:
                serial = _string(block[SN_OFFSET : SN_OFFSET + SN_LENGTH])
            if model in INVERTER_MODELS:
                return InverterEnergy(serial, model, self._energy(model, block))
            address += 2 + length
        raise SunSpecError(f"{self.where}: no inverter model {INVERTER_MODELS} in the map")

    def _energy(self, model: int, block: list[int]) -> int:
        if len(block) <= WH_SF_OFFSET:
            raise SunSpecError(f"{self.where}: model {model} is too short ({len(block)} registers)")
        raw = (block[WH_OFFSET] << 16) | block[WH_OFFSET + 1]
        sf_word = block[WH_SF_OFFSET]
        if raw == ACC32_NOT_IMPLEMENTED or sf_word == SF_NOT_IMPLEMENTED:
            raise SunSpecError(f"{self.where}: model {model} does not implement WH / WH_SF")
        scale = sf_word - 0x10000 if sf_word & 0x8000 else sf_word
        if not -10 <= scale <= 10:
            raise SunSpecError(f"{self.where}: WH_SF {scale} outside -10..10")
        return raw * 10**scale if scale >= 0 else raw // 10**-scale


def _string(registers: list[int]) -> str:
    raw = b"".join(r.to_bytes(2, "big") for r in registers)
    return raw.split(b"\0", 1)[0].decode("ascii", errors="replace").strip()


def read_inverter(host: str, port: int = 502, device_id: int = 1) -> InverterEnergy:
    with SunSpecReader(host, port, device_id) as reader:
        return reader.read_energy()


def append_reading(
    csv_path: Path,
    serial: str,
    kind: str,
    energy: InverterEnergy,
    now: int,
    tolerance_s: int = 120,
) -> tuple[int, int]:
    """Append one reading (common CSV format) at the 30-minute boundary the poll belongs to.

    Readings are cumulative values at interval ends, so a poll must run just after a boundary;
    one more than `tolerance_s` late would date the register to the wrong instant and is refused.
    Returns (timestamp, Wh). The signatures for these readings come from the metering gateway.
    """
    boundary = now - now % INTERVAL_S
    if now - boundary > tolerance_s:
        raise SunSpecError(
            f"poll at {now} is {now - boundary} s after the 30-minute boundary "
            f"(tolerance {tolerance_s} s); poll right after :00 and :30"
        )
    new = not csv_path.exists() or csv_path.stat().st_size == 0
    with csv_path.open("a", encoding="utf-8") as handle:
        if new:
            handle.write("timestamp,meter,kind,cumulative_wh\n")
        stamp = datetime.fromtimestamp(boundary, JST).isoformat()
        handle.write(f"{stamp},{serial},{kind},{energy.wh}\n")
    return boundary, energy.wh
