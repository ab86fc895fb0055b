"""Site config: the project a data feed belongs to, its meters' keys and where the data is.

A JSON file (see oracles/README.md):

    {"project_id": 1, "capacity_w": 49500,
     "meters": [{"serial": "PV-0001", "address": "0x...", "kind": "generation"},
                {"serial": "EX-0001", "address": "0x...", "kind": "export"}],
     "source": {"type": "csv", "readings": "readings.csv", "signatures": "signatures.csv"},
     "archive": "out/archive"}

Relative paths are relative to the config file, so a site directory can be moved as a whole.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from jcredit.addresses import AddressError, checked_address
from jcredit.types import MeterKind
from oracles.errors import DataError

SOURCE_TYPES = ("csv", "echonet")


@dataclass(frozen=True)
class MeterConfig:
    serial: str
    address: str  # checksummed; the meter's signing key and its id on chain
    kind: str  # generation | export | self_consumption


@dataclass(frozen=True)
class SiteConfig:
    project_id: int
    capacity_w: int
    meters: tuple[MeterConfig, ...]
    source: dict
    archive: Path
    path: Path

    def meter(self, name: str) -> MeterConfig:
        """The meter a data row names, by serial or address."""
        key = name.strip().lower()
        for meter in self.meters:
            if key in (meter.serial.lower(), meter.address.lower()):
                return meter
        raise DataError(
            f"{self.path}: meter {name!r} is not configured for project {self.project_id}"
        )

    def resolve(self, relative: str) -> Path:
        return (self.path.parent / relative).resolve()


def load_site(path: str | Path) -> SiteConfig:
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(f"{path}: site config not found") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a JSON object")

    def need(key: str, kind: type):
        if key not in raw:
            raise DataError(f"{path}: missing {key!r}")
        if not isinstance(raw[key], kind) or isinstance(raw[key], bool):
            raise DataError(f"{path}: {key!r} must be {kind.__name__}, got {raw[key]!r}")
        return raw[key]

    project_id, capacity_w = need("project_id", int), need("capacity_w", int)
    if project_id < 1 or capacity_w < 1:
        raise DataError(f"{path}: project_id and capacity_w must be positive")
    meters = tuple(_meter(path, i, m) for i, m in enumerate(need("meters", list)))
    _check_meter_set(path, meters)
    source = need("source", dict)
    if source.get("type") not in SOURCE_TYPES:
        raise DataError(f"{path}: source.type must be one of {', '.join(SOURCE_TYPES)}")
    archive = path.parent / raw.get("archive", "out/archive")
    return SiteConfig(project_id, capacity_w, meters, source, archive, path)


def _meter(path: Path, index: int, entry: object) -> MeterConfig:
    where = f"{path}: meters[{index}]"
    if not isinstance(entry, dict):
        raise DataError(f"{where}: expected an object with serial, address, kind")
    serial, address, kind = entry.get("serial"), entry.get("address"), entry.get("kind")
    if not isinstance(serial, str) or not serial.strip():
        raise DataError(f"{where}: missing serial")
    if not isinstance(address, str):
        raise DataError(f"{where}: {address!r} is not an Ethereum address")
    try:
        address = checked_address(address)
    except AddressError as exc:
        raise DataError(f"{where}: {exc}") from None
    try:
        MeterKind.from_name(str(kind))
    except ValueError as exc:
        raise DataError(f"{where}: {exc}") from None
    return MeterConfig(serial.strip(), address, str(kind))


def _check_meter_set(path: Path, meters: tuple[MeterConfig, ...]) -> None:
    kinds = [m.kind for m in meters]
    if len(set(kinds)) != len(kinds):
        raise DataError(f"{path}: at most one meter of each kind per project")
    if not ({"generation", "export"} <= set(kinds) or "self_consumption" in kinds):
        raise DataError(
            f"{path}: a project needs generation + export meters or a self_consumption one"
        )
    names = [m.serial.lower() for m in meters] + [m.address.lower() for m in meters]
    if len(set(names)) != len(names):
        raise DataError(f"{path}: meter serials and addresses must be unique")
