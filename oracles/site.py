"""Site config: the project a data feed belongs to, its meters' keys and where the data is.

A JSON file (see oracles/README.md):

    {"project_id": 1, "capacity_w": 49500,
     "meters": [{"serial": "PV-0001", "address": "0x...", "kind": "generation",
                 "interval_seconds": 1800, "registration_signature": "0x..."},
                {"serial": "EX-0001", "address": "0x...", "kind": "export"}],
     "source": {"type": "csv", "readings": "readings.csv", "signatures": "signatures.csv"},
     "archive": "out/archive"}

`interval_seconds` (default 1800) is the meter's metering interval as registered on chain; a
report's boundary reading lies within one interval before the boundary. `registration_signature`
(optional) is the meter's EIP-712 MeterRegistration signature, which the project owner passes to
`ape run meter register`; simulated meters write theirs here, real meters deliver it with their
certificate. Relative paths are relative to the config file, so a site directory can be moved as a
whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jcredit.addresses import AddressError, checked_address
from jcredit.types import MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, MeterKind
from methodology.compute import check_site
from methodology.errors import ReadingsError
from oracles.errors import DataError

SOURCE_TYPES = ("csv", "echonet")
DEFAULT_INTERVAL_SECONDS = 1800


@dataclass(frozen=True)
class MeterConfig:
    serial: str
    address: str  # checksummed; the meter's signing key and its id on chain
    kind: str  # generation | export | self_consumption | auxiliary | battery_(dis)charge
    interval_seconds: int = DEFAULT_INTERVAL_SECONDS
    registration_signature: bytes | None = None  # the meter's MeterRegistration signature


@dataclass(frozen=True)
class SiteConfig:
    project_id: int
    capacity_w: int
    meters: tuple[MeterConfig, ...]
    source: dict
    archive: Path
    path: Path
    # The site has a battery (declared on chain with `declare_battery`): by difference it
    # needs battery_charge and battery_discharge meters.
    battery: bool = False

    def meter(self, name: str) -> MeterConfig:
        """The meter a data row names, by serial or address."""
        key = name.strip().lower()
        for meter in self.meters:
            if key in (meter.serial.lower(), meter.address.lower()):
                return meter
        raise DataError(
            f"{self.path}: meter {name!r} is not configured for project {self.project_id}"
        )

    def of_kind(self, kind: str) -> MeterConfig | None:
        return next((meter for meter in self.meters if meter.kind == kind), None)

    @property
    def capped(self) -> MeterConfig:
        """The meter the capacity bounds: generation, else self-consumption."""
        meter = self.of_kind("generation") or self.of_kind("self_consumption")
        assert meter is not None  # load_site refuses a site without either
        return meter

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
    battery = raw.get("battery", False)
    if not isinstance(battery, bool):
        raise DataError(f"{path}: 'battery' must be true or false, got {battery!r}")
    _check_meter_set(path, meters, capacity_w, battery)
    source = need("source", dict)
    if source.get("type") not in SOURCE_TYPES:
        raise DataError(f"{path}: source.type must be one of {', '.join(SOURCE_TYPES)}")
    archive = path.parent / raw.get("archive", "out/archive")
    return SiteConfig(project_id, capacity_w, meters, source, archive, path, battery)


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
    interval = entry.get("interval_seconds", DEFAULT_INTERVAL_SECONDS)
    if (
        not isinstance(interval, int)
        or isinstance(interval, bool)
        or not MIN_INTERVAL_SECONDS <= interval <= MAX_INTERVAL_SECONDS
    ):
        raise DataError(
            f"{where}: interval_seconds must be an integer {MIN_INTERVAL_SECONDS}.."
            f"{MAX_INTERVAL_SECONDS}, got {interval!r}"
        )
    return MeterConfig(
        serial.strip(),
        address,
        str(kind),
        interval,
        _signature(where, entry.get("registration_signature")),
    )


def _signature(where: str, value: object) -> bytes | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else ""
    try:
        signature = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        signature = b""
    if not text.startswith("0x") or len(signature) != 65:
        raise DataError(f"{where}: registration_signature must be 0x and 65 bytes in hex")
    return signature


def _check_meter_set(
    path: Path, meters: tuple[MeterConfig, ...], capacity_w: int, battery: bool
) -> None:
    kinds = [m.kind for m in meters]
    if len(set(kinds)) != len(kinds):
        raise DataError(f"{path}: at most one meter of each kind per project")
    if not ({"generation", "export"} <= set(kinds) or "self_consumption" in kinds):
        raise DataError(
            f"{path}: a project needs generation + export meters or a self_consumption one"
        )
    try:
        # The site rules the contracts enforce (difference metering, battery meters).
        check_site(set(kinds), capacity_w, battery, name=str(path))
    except ReadingsError as exc:
        raise DataError(str(exc)) from None
    names = [m.serial.lower() for m in meters] + [m.address.lower() for m in meters]
    if len(set(names)) != len(names):
        raise DataError(f"{path}: meter serials and addresses must be unique")
