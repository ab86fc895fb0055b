"""Simulated plant for demos and load tests: pvlib generation, consumption, signing meters.

Generation is pvlib's clear-sky irradiance on the tilted array, scaled by a per-day cloudiness and
a per-interval flicker (seeded, so runs repeat). Consumption is a business-hours profile. Per
30-minute interval, export = max(generation - consumption, 0) and the registers accumulate. Each
simulated meter holds a private key derived from a seed and signs per-JST-day batches, like the
metering hardware the oracle expects, and its consent to be registered for the project by its
owner (EIP-712 MeterRegistration), which goes into the site config for `ape run meter register`.
The keys never leave this module; they are for simulations only.

The meters follow the site rules (methodology.compute.check_site): a plant up to 10 kW meters
generation and export (difference metering); a larger one also meters its self-consumption
directly (what its generation supplies on site: generation - export, per interval). A plant with
`battery_wh` charges its battery from the surplus and discharges it into the load (90 % efficient
on the way in): its battery_charge and battery_discharge meters read the energy in and out, and
export is what the battery did not take (above 10 kW its self-consumption meter reads generation -
export - charge). A plant with `auxiliary_w` draws that from the grid at night (the inverter's
standby), read by an auxiliary meter.

A meter glitch can be simulated (`glitch=(timestamp, extra_wh)`): from that timestamp on the
generation register reads `extra_wh` more, so the one interval holding the jump shows more energy
than the plant could produce. The meter still signs what it reads: genuine signed data showing a
fault, which the methodology voids (interval above capacity) and a fraud proof can show.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
from eth_account import Account
from eth_account.signers.local import LocalAccount

from jcredit.eip712 import Batch, sign_batch, sign_registration
from jcredit.keccak import keccak256
from methodology.fiscal import JST_OFFSET_S
from oracles.adapters.csv import write_signatures
from oracles.archive import iso_jst
from oracles.signing import day_batches

INTERVAL_S = 1800
_SERIAL_PREFIX = {
    "generation": "PV",
    "export": "EX",
    "self_consumption": "SC",
    "auxiliary": "AUX",
    "battery_charge": "BIN",
    "battery_discharge": "BOUT",
}


@dataclass(frozen=True)
class Plant:
    latitude: float = 35.68  # Tokyo
    longitude: float = 139.77
    capacity_w: int = 49_500
    tilt: float = 20.0
    azimuth: float = 180.0  # facing south
    performance_ratio: float = 0.8
    base_load_w: float = 6_000.0  # night and weekend consumption
    business_load_w: float = 30_000.0  # extra load 08:00-18:00 JST on weekdays
    battery_wh: int = 0  # battery capacity; 0: no battery
    auxiliary_w: float = 0.0  # the plant's own draw while it does not generate (0: no meter)

    def kinds(self, difference_metering_max_w: int = 10_000) -> tuple[str, ...]:
        """The kinds of meters this plant has (see the module docstring)."""
        if self.capacity_w > difference_metering_max_w:
            kinds: tuple[str, ...] = ("generation", "export", "self_consumption")
        else:
            kinds = ("generation", "export")
            if self.battery_wh:
                kinds += ("battery_charge", "battery_discharge")
        return kinds + (("auxiliary",) if self.auxiliary_w else ())


@dataclass(frozen=True)
class SimulatedMeter:
    serial: str
    kind: str
    account: LocalAccount

    @classmethod
    def from_seed(cls, seed: str, serial: str, kind: str) -> "SimulatedMeter":
        return cls(serial, kind, Account.from_key(keccak256(f"{seed}/{serial}".encode())))

    @property
    def address(self) -> str:
        return self.account.address

    def sign_registration(self, project_id: int, owner: str, chain_id: int, registry: str) -> bytes:
        """The meter's MeterRegistration signature for `owner` registering it in the project."""
        return sign_registration(self.account, project_id, owner, self.serial, chain_id, registry)

    def sign_days(
        self, project_id: int, chain_id: int, registry: str, ts: np.ndarray, wh: np.ndarray
    ) -> list[Batch]:
        return [
            sign_batch(self.account, project_id, b, chain_id, registry)
            for b in day_batches(self.address, ts, wh)
        ]


def interval_energy(plant: Plant, start: int, end: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """(interval ends, generation Wh, consumption Wh) of the 30-minute intervals in (start, end]."""
    ends = np.arange(start + INTERVAL_S, end + 1, INTERVAL_S, dtype=np.int64)
    # Sample every 10 minutes at sub-interval midpoints and average: 30-minute point samples
    # would misplace sunrise and sunset.
    offsets = np.array([-1500, -900, -300])
    samples = (ends[:, None] + offsets[None, :]).ravel()
    times = pd.DatetimeIndex(pd.to_datetime(samples, unit="s", utc=True))
    location = pvlib.location.Location(plant.latitude, plant.longitude, tz="Asia/Tokyo")
    clear = location.get_clearsky(times)
    sun = location.get_solarposition(times)
    poa = pvlib.irradiance.get_total_irradiance(
        plant.tilt,
        plant.azimuth,
        sun["apparent_zenith"],
        sun["azimuth"],
        clear["dni"],
        clear["ghi"],
        clear["dhi"],
    )["poa_global"].to_numpy()
    rng = np.random.default_rng(seed)
    local = samples + JST_OFFSET_S
    day = (local // 86400) - (local // 86400).min()
    cloudiness = rng.beta(2.0, 1.2, size=int(day.max()) + 1)  # 1 = clear day
    flicker = np.clip(rng.normal(1.0, 0.15, size=len(samples)), 0.3, 1.0)
    power = plant.capacity_w * np.clip(poa, 0, None) / 1000 * plant.performance_ratio
    power = np.minimum(power * cloudiness[day] * flicker, plant.capacity_w)
    generation = power.reshape(-1, 3).mean(axis=1) * INTERVAL_S / 3600
    hour = (local.reshape(-1, 3)[:, 1] % 86400) / 3600
    weekday = ((local.reshape(-1, 3)[:, 1] // 86400) + 3) % 7 < 5  # 1970-01-01 was a Thursday
    load = plant.base_load_w + plant.business_load_w * ((hour >= 8) & (hour < 18) & weekday)
    consumption = load * rng.uniform(0.85, 1.15, size=len(ends)) * INTERVAL_S / 3600
    return ends, np.floor(generation).astype(np.int64), np.floor(consumption).astype(np.int64)


def simulate_meters(
    plant: Plant,
    start: int,
    end: int,
    seed: int = 0,
    start_wh: int = 50_000,
    glitch: tuple[int, int] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(timestamps incl. `start`, register per meter kind of `plant.kinds()`) every 30 minutes.

    Every register starts at `start_wh`, but generation at 1,000,000 Wh as `simulate_registers`;
    `glitch` as there."""
    ends, generation, consumption = interval_energy(plant, start, end, seed)
    surplus = generation - consumption
    charge = np.zeros_like(generation)
    discharge = np.zeros_like(generation)
    if plant.battery_wh:
        rate, stored = plant.battery_wh // 2, 0  # full in two hours
        for i, extra in enumerate(surplus.tolist()):
            if extra > 0:
                charge[i] = min(extra, rate, (plant.battery_wh - stored) * 10 // 9)
                stored += charge[i] * 9 // 10
            else:
                discharge[i] = min(-extra, rate, stored)
                stored -= discharge[i]
    export = np.maximum(surplus - charge, 0)
    energy = {
        "generation": generation,
        "export": export,
        "self_consumption": generation - export - charge,
        "battery_charge": charge,
        "battery_discharge": discharge,
        "auxiliary": np.where(
            generation == 0, int(plant.auxiliary_w * INTERVAL_S // 3600), 0
        ).astype(np.int64),
    }
    ts = np.concatenate(([start], ends))
    registers = {}
    for kind in plant.kinds():
        first = 1_000_000 if kind == "generation" else start_wh
        registers[kind] = first + np.concatenate(([0], np.cumsum(energy[kind])))
    if glitch is not None:
        at, extra_wh = glitch
        if extra_wh <= 0:
            raise ValueError(f"glitch: {extra_wh} Wh; a register jump is a positive number of Wh")
        registers["generation"] = registers["generation"] + np.where(ts >= at, extra_wh, 0)
    return ts, registers


def simulate_registers(
    plant: Plant,
    start: int,
    end: int,
    seed: int = 0,
    start_wh: tuple[int, int] = (1_000_000, 50_000),
    glitch: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(timestamps incl. `start`, generation register, export register) at every 30 minutes.

    `glitch` (timestamp, extra Wh): the generation register reads `extra_wh` more at every
    reading from `timestamp` on (a meter fault: one interval jumps, later intervals are normal).
    """
    ends, generation, consumption = interval_energy(plant, start, end, seed)
    export = np.maximum(generation - consumption, 0)
    ts = np.concatenate(([start], ends))
    gen_reg = start_wh[0] + np.concatenate(([0], np.cumsum(generation)))
    exp_reg = start_wh[1] + np.concatenate(([0], np.cumsum(export)))
    if glitch is not None:
        at, extra_wh = glitch
        if extra_wh <= 0:
            raise ValueError(f"glitch: {extra_wh} Wh; a register jump is a positive number of Wh")
        gen_reg = gen_reg + np.where(ts >= at, extra_wh, 0)
    return ts, gen_reg, exp_reg


def write_site(
    directory: Path,
    project_id: int,
    chain_id: int,
    registry: str,
    start: int,
    end: int,
    plant: Plant = Plant(),
    seed: int = 0,
    owner: str | None = None,
    glitch: tuple[int, int] | None = None,
) -> Path:
    """Readings CSV, signatures CSV and site config of a simulated plant; returns the config.

    With `owner` (the project owner who will register the meters), each meter's registration
    signature goes into the site config. `glitch` (timestamp, extra Wh): the generation meter's
    register jumps by `extra_wh` from `timestamp` on (see `simulate_registers`); the meter signs
    the glitched readings as it signs any.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ts, by_kind = simulate_meters(plant, start, end, seed, glitch=glitch)
    meters = [
        SimulatedMeter.from_seed(
            f"sim-{seed}-{project_id}", f"{_SERIAL_PREFIX[kind]}-{project_id:04d}", kind
        )
        for kind in by_kind
    ]
    frames, batches = [], []
    for meter, registers in zip(meters, by_kind.values(), strict=True):
        frames.append(
            pd.DataFrame(
                {
                    "timestamp": iso_jst(ts),
                    "meter": meter.serial,
                    "kind": meter.kind,
                    "cumulative_wh": registers,
                }
            )
        )
        batches += meter.sign_days(project_id, chain_id, registry, ts, registers)
    pd.concat(frames).to_csv(directory / "readings.csv", index=False)
    write_signatures(directory / "signatures.csv", batches)
    entries = []
    for meter in meters:
        entry = {
            "serial": meter.serial,
            "address": meter.address,
            "kind": meter.kind,
            "interval_seconds": INTERVAL_S,
        }
        if owner is not None:
            signature = meter.sign_registration(project_id, owner, chain_id, registry)
            entry["registration_signature"] = "0x" + signature.hex()
        entries.append(entry)
    config = {
        "project_id": project_id,
        "capacity_w": plant.capacity_w,
        **({"battery": True} if plant.battery_wh else {}),
        "meters": entries,
        "source": {"type": "csv", "readings": "readings.csv", "signatures": "signatures.csv"},
        "archive": "archive",
    }
    path = directory / "site.json"
    path.write_text(json.dumps(config, indent=1))
    return path
