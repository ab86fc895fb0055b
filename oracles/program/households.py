"""Simulated program members for demos, tests and benchmarks: N rooftop households with meters.

Generation is pvlib's clear-sky irradiance on the tilted array (as `oracles.simulator` computes
it), but computed once per (city, tilt, azimuth) and scaled per household: 10,000 households then
cost a few dozen pvlib calls, not 10,000. Each city has its own weather per day (cloudiness), each
household its capacity (3-10 kW), performance ratio and a per-interval flicker. Household load has
morning and evening peaks and scales with the system size, so about a third of generation is
consumed on site; the rest is exported.

Every household is metered by difference (<= 10 kW): a generation meter (kind 1) and an export
meter (kind 2), 30-minute registers, one EIP-712 `ReadingBatch` per meter and JST day, signed for
`projectId = program_project_id(program_id)` under the Registry's domain. Meter keys are derived
from the seed: simulation only, never real keys.

Faults (`Fault`) plant what an oracle must refuse or a watcher must catch:
- `tampered`: one generation reading changed after the meter signed its day (hash mismatch);
- `over_capacity`: the generation register jumps (a meter glitch), signed as read;
- `enrolled_twice`: the member's generation meter is another member's (same meter, two leaves);
- `expired_certificate`: the member's meter certificates expire ten days into the period.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pyarrow as pa
import pyarrow.dataset as ds
from coincurve import PrivateKey
from eth_utils import to_checksum_address

from jcredit.eip712 import Batch, batch_digest_from, domain_separator, struct_prefix
from jcredit.keccak import keccak256
from jcredit.program_tree import EnrolledMeter, program_project_id
from methodology.fiscal import DAY_S, JST_OFFSET_S
from oracles.adapters.csv import write_signatures
from oracles.archive import iso_jst
from oracles.program.intake import batches_to_table
from oracles.signing import day_batches

INTERVAL_S = 1800
GENERATION, EXPORT = 1, 2
KIND_NAMES = {GENERATION: "generation", EXPORT: "export"}
# (latitude, longitude) of the cities households are spread over.
CITIES: dict[str, tuple[float, float]] = {
    "Sapporo": (43.06, 141.35),
    "Sendai": (38.27, 140.87),
    "Tokyo": (35.68, 139.77),
    "Nagoya": (35.18, 136.91),
    "Osaka": (34.69, 135.50),
    "Fukuoka": (33.59, 130.40),
    "Naha": (26.21, 127.68),
}
TILTS = (10.0, 20.0, 30.0)
AZIMUTHS = (135.0, 180.0, 225.0)  # south-east, south, south-west
FAULT_KINDS = ("tampered", "over_capacity", "enrolled_twice", "expired_certificate")
START_WH = {GENERATION: 1_000_000, EXPORT: 50_000}

CONSENT_TEMPLATE = (
    "Program {program_id} member {member_id}: I hand the environmental value (J-Credit "
    "self-consumption reductions) of my rooftop solar system to the program manager."
)


def consent_document(program_id: int, member_id: int) -> str:
    return CONSENT_TEMPLATE.format(program_id=program_id, member_id=member_id)


def consent_hash(program_id: int, member_id: int) -> bytes:
    """keccak256 of the member's consent document (what the enrollment leaf commits)."""
    return keccak256(consent_document(program_id, member_id).encode())


@dataclass(frozen=True)
class Fault:
    """A fault planted in one member; `other_member_id` is whose meter `enrolled_twice` reuses."""

    member_id: int
    kind: str
    other_member_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"fault for member {self.member_id}: {self.kind!r} is not one of "
                f"{', '.join(FAULT_KINDS)}"
            )
        if self.kind == "enrolled_twice" and self.other_member_id in (None, self.member_id):
            raise ValueError(
                f"fault enrolled_twice for member {self.member_id} needs another member's id"
            )


@dataclass(frozen=True)
class Household:
    member_id: int
    city: str
    capacity_w: int
    tilt: float
    azimuth: float
    performance_ratio: float


@dataclass
class ProgramSimulation:
    """Everything simulated: households, readings, signed batches and the enrollment leaves."""

    program_id: int
    chain_id: int
    registry: str
    start: int
    end: int
    households: list[Household]
    timestamps: np.ndarray  # (T+1,) reading times, start and end included
    registers: dict[int, np.ndarray]  # kind -> (N, T+1) int64 registers as the data shows them
    meters: dict[int, np.ndarray]  # kind -> (N,) meter address per member (object)
    batches: list[tuple[int, int, Batch]]  # (member id, kind, signed batch)
    enrollment: list[EnrolledMeter]  # sorted by meter address
    faults: tuple[Fault, ...] = ()
    simulate_seconds: float = 0.0
    sign_seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def project_id(self) -> int:
        return program_project_id(self.program_id)

    @property
    def member_ids(self) -> list[int]:
        return [h.member_id for h in self.households]

    def readings_table(self) -> pa.Table:
        """One row per reading: member_id, meter, kind, timestamp, cumulative_wh."""
        n, width = len(self.households), len(self.timestamps)
        parts = []
        for kind in (GENERATION, EXPORT):
            addresses = pa.array(self.meters[kind].tolist(), type=pa.string())
            parts.append(
                pa.table(
                    {
                        "member_id": np.repeat(np.arange(1, n + 1, dtype=np.int64), width),
                        "meter": pa.DictionaryArray.from_arrays(
                            np.repeat(np.arange(n, dtype=np.int32), width), addresses
                        ).cast(pa.string()),
                        "kind": np.full(n * width, kind, dtype=np.int8),
                        "timestamp": np.tile(self.timestamps, n),
                        "cumulative_wh": self.registers[kind].ravel(),
                    }
                )
            )
        table = pa.concat_tables(parts)
        return table.sort_by(
            [("member_id", "ascending"), ("meter", "ascending"), ("timestamp", "ascending")]
        )

    def batches_table(self) -> pa.Table:
        return batches_to_table(self.batches)

    def write_parquet(self, directory: Path) -> Path:
        """One Parquet dataset partitioned by member (readings/ and batches/, hive-style
        `member_id=N/part-0.parquet`) and `program.json` (program, period, enrollment)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, table in (("readings", self.readings_table()), ("batches", self.batches_table())):
            ds.write_dataset(
                table,
                directory / name,
                format="parquet",
                partitioning=["member_id"],
                partitioning_flavor="hive",
                basename_template="part-{i}.parquet",
                max_partitions=len(self.households) + 1,
                existing_data_behavior="delete_matching",
            )
        (directory / "program.json").write_text(json.dumps(self.program_json(), indent=1))
        return directory

    def program_json(self) -> dict:
        return {
            "program_id": self.program_id,
            "chain_id": self.chain_id,
            "registry": self.registry,
            "start": self.start,
            "end": self.end,
            "enrollment": [enrolled_to_json(leaf) for leaf in self.enrollment],
        }

    def write_csv(self, directory: Path, members: Sequence[int] | None = None) -> list[Path]:
        """Per household `member-NNNNNN/` with site.json, readings.csv and signatures.csv in the
        single-site formats (oracles/adapters/csv.py), readable by `oracles.intake.load_source`."""
        directory = Path(directory)
        wanted = set(members) if members is not None else set(self.member_ids)
        by_member: dict[int, list[Batch]] = {}
        for member_id, _kind, batch in self.batches:
            if member_id in wanted:
                by_member.setdefault(member_id, []).append(batch)
        iso = iso_jst(self.timestamps)
        out = []
        for row, household in enumerate(self.households):
            member_id = household.member_id
            if member_id not in wanted:
                continue
            folder = directory / f"member-{member_id:06d}"
            folder.mkdir(parents=True, exist_ok=True)
            entries, frames = [], []
            for kind in (GENERATION, EXPORT):
                serial = f"{'PV' if kind == GENERATION else 'EX'}-{member_id:06d}"
                entries.append(
                    {
                        "serial": serial,
                        "address": self.meters[kind][row],
                        "kind": KIND_NAMES[kind],
                        "interval_seconds": INTERVAL_S,
                    }
                )
                frames.append(
                    pd.DataFrame(
                        {
                            "timestamp": iso,
                            "meter": serial,
                            "kind": KIND_NAMES[kind],
                            "cumulative_wh": self.registers[kind][row],
                        }
                    )
                )
            pd.concat(frames).to_csv(folder / "readings.csv", index=False)
            write_signatures(folder / "signatures.csv", by_member.get(member_id, []))
            site = {
                "project_id": self.project_id,
                "member_id": member_id,
                "capacity_w": household.capacity_w,
                "meters": entries,
                "source": {
                    "type": "csv",
                    "readings": "readings.csv",
                    "signatures": "signatures.csv",
                },
                "archive": "archive",
            }
            (folder / "site.json").write_text(json.dumps(site, indent=1))
            out.append(folder)
        (directory / "program.json").write_text(json.dumps(self.program_json(), indent=1))
        return out


def enrolled_to_json(leaf: EnrolledMeter) -> dict:
    return {
        "meter": leaf.meter,
        "member_id": leaf.member_id,
        "kind": leaf.kind,
        "interval_seconds": leaf.interval_seconds,
        "capacity_w": leaf.capacity_w,
        "crediting_start": leaf.crediting_start,
        "crediting_end": leaf.crediting_end,
        "certification_expiry": leaf.certification_expiry,
        "consent_hash": "0x" + leaf.consent_hash.hex(),
    }


def enrolled_from_json(entry: dict) -> EnrolledMeter:
    return EnrolledMeter(
        meter=entry["meter"],
        member_id=int(entry["member_id"]),
        kind=int(entry["kind"]),
        interval_seconds=int(entry["interval_seconds"]),
        capacity_w=int(entry["capacity_w"]),
        crediting_start=int(entry["crediting_start"]),
        crediting_end=int(entry["crediting_end"]),
        certification_expiry=int(entry["certification_expiry"]),
        consent_hash=bytes.fromhex(entry["consent_hash"].removeprefix("0x")),
    )


def meter_key(seed: int, program_id: int, member_id: int, kind: int) -> PrivateKey:
    """The simulated meter's key, derived from the seed (simulation only)."""
    return PrivateKey(keccak256(f"sim-program/{seed}/{program_id}/{member_id}/{kind}".encode()))


def key_address(key: PrivateKey) -> str:
    return to_checksum_address(keccak256(key.public_key.format(compressed=False)[1:])[-20:])


def clear_sky_profiles(
    timestamps: np.ndarray,
) -> dict[tuple[str, float, float], np.ndarray]:
    """Mean plane-of-array clear-sky irradiance (W/m2) per interval (t[i], t[i+1]], per (city,
    tilt, azimuth). Sampled every 10 minutes at sub-interval midpoints, as oracles.simulator
    does: 30-minute point samples would misplace sunrise and sunset."""
    ends = timestamps[1:]
    samples = (ends[:, None] + np.array([-1500, -900, -300])[None, :]).ravel()
    times = pd.DatetimeIndex(pd.to_datetime(samples, unit="s", utc=True))
    profiles = {}
    for city, (lat, lon) in CITIES.items():
        location = pvlib.location.Location(lat, lon, tz="Asia/Tokyo")
        clear = location.get_clearsky(times)
        sun = location.get_solarposition(times)
        for tilt in TILTS:
            for azimuth in AZIMUTHS:
                poa = pvlib.irradiance.get_total_irradiance(
                    tilt,
                    azimuth,
                    sun["apparent_zenith"],
                    sun["azimuth"],
                    clear["dni"],
                    clear["ghi"],
                    clear["dhi"],
                )["poa_global"].to_numpy()
                profiles[(city, tilt, azimuth)] = (
                    np.clip(np.nan_to_num(poa), 0, None).reshape(-1, 3).mean(axis=1)
                )
    return profiles


def _load_shape(hours: np.ndarray) -> np.ndarray:
    """Household load in W for a 5 kW household: base, a morning and a bigger evening peak."""
    morning = 900 * np.exp(-0.5 * ((hours - 7.5) / 1.0) ** 2)
    evening = 1400 * np.exp(-0.5 * ((hours - 19.5) / 1.6) ** 2)
    return 380 + morning + evening


def simulate_households(
    n: int,
    start: int,
    end: int,
    program_id: int,
    chain_id: int,
    registry: str,
    seed: int = 0,
    faults: Sequence[Fault] = (),
    crediting: tuple[int, int] | None = None,
    certification_expiry: int | None = None,
) -> ProgramSimulation:
    """Simulate members 1..n from `start` to `end` (readings every 30 minutes, both included).

    `crediting` (start, end) is every member's crediting period (default: a year around the
    simulation); `certification_expiry` every meter's certificate (default: five years on).
    """
    import time

    if n < 1:
        raise ValueError(f"simulate_households: n must be at least 1, got {n}")
    if end <= start or (end - start) % INTERVAL_S:
        raise ValueError(
            f"simulate_households: {start}..{end} must be a positive multiple of {INTERVAL_S} s"
        )
    for fault in faults:
        for who in (fault.member_id, fault.other_member_id):
            if who is not None and not 1 <= who <= n:
                raise ValueError(f"fault {fault.kind}: member {who} is not in 1..{n}")
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    ts = np.arange(start, end + 1, INTERVAL_S, dtype=np.int64)
    profiles = clear_sky_profiles(ts)
    combos = list(profiles)
    city_names = list(CITIES)
    combo_of = rng.integers(0, len(combos), size=n)
    capacity = (rng.integers(30, 101, size=n) * 100).astype(np.int64)  # 3.0-10.0 kW
    ratio = rng.uniform(0.75, 0.85, size=n)
    households = [
        Household(
            i + 1,
            combos[c][0],
            int(capacity[i]),
            combos[c][1],
            combos[c][2],
            round(float(ratio[i]), 4),
        )
        for i, c in enumerate(combo_of.tolist())
    ]
    local_mid = ts[1:] - INTERVAL_S // 2 + JST_OFFSET_S
    day = (local_mid // DAY_S) - (local_mid // DAY_S).min()
    hours = (local_mid % DAY_S) / 3600
    # One weather per city and day: neighbours share clouds.
    cloud = rng.beta(2.0, 1.0, size=(len(CITIES), int(day.max()) + 1))
    poa = np.stack([profiles[c] for c in combos])  # (combos, T)
    city_row = np.array([city_names.index(combos[c][0]) for c in combo_of])
    flicker = np.clip(rng.normal(1.0, 0.1, size=(n, len(day))).astype(np.float32), 0.5, 1.0)
    power = (capacity * ratio)[:, None] * poa[combo_of] / 1000 * cloud[city_row][:, day] * flicker
    power = np.minimum(power, capacity[:, None])
    generation = np.floor(power * INTERVAL_S / 3600).astype(np.int64)
    load_scale = (capacity / 5000) * rng.uniform(0.8, 1.2, size=n)
    load_noise = rng.uniform(0.8, 1.2, size=(n, len(day))).astype(np.float32)
    load = np.floor(
        load_scale[:, None] * _load_shape(hours)[None, :] * load_noise * INTERVAL_S / 3600
    ).astype(np.int64)
    export = np.maximum(generation - load, 0)
    zero = np.zeros((n, 1), dtype=np.int64)
    registers = {
        GENERATION: START_WH[GENERATION] + np.concatenate([zero, np.cumsum(generation, 1)], 1),
        EXPORT: START_WH[EXPORT] + np.concatenate([zero, np.cumsum(export, 1)], 1),
    }
    extra = {"generation_wh": int(generation.sum()), "export_wh": int(export.sum())}
    keys = {
        kind: [meter_key(seed, program_id, m, kind) for m in range(1, n + 1)]
        for kind in (GENERATION, EXPORT)
    }
    glitch_at = start + 10 * DAY_S + 12 * 3600
    for fault in faults:
        row = fault.member_id - 1
        if fault.kind == "over_capacity":
            # One interval reads an hour of full capacity more: twice what 30 minutes can give.
            registers[GENERATION][row] += np.where(ts >= glitch_at, capacity[row], 0)
        elif fault.kind == "enrolled_twice":
            other = fault.other_member_id - 1
            keys[GENERATION][row] = keys[GENERATION][other]
            registers[GENERATION][row] = registers[GENERATION][other]
    simulate_seconds = time.perf_counter() - began
    began = time.perf_counter()
    meters = {
        kind: np.array([key_address(k) for k in keys[kind]], dtype=object)
        for kind in (GENERATION, EXPORT)
    }
    batches = _sign_all(program_id, chain_id, registry, ts, registers, meters, keys)
    sign_seconds = time.perf_counter() - began
    for fault in faults:
        if fault.kind == "tampered":
            # After signing: the day's batch no longer matches its readings.
            at = int(np.searchsorted(ts, start + 5 * DAY_S + 9 * 3600))  # mid-day, not a day's last
            registers[GENERATION][fault.member_id - 1, at] += 300
    cred_start, cred_end = crediting or (start - 180 * DAY_S, end + 185 * DAY_S)
    expiry = certification_expiry or start + 5 * 365 * DAY_S
    expired = {f.member_id for f in faults if f.kind == "expired_certificate"}
    leaves = [
        EnrolledMeter(
            meter=meters[kind][h.member_id - 1],
            member_id=h.member_id,
            kind=kind,
            interval_seconds=INTERVAL_S,
            capacity_w=h.capacity_w,
            crediting_start=cred_start,
            crediting_end=cred_end,
            certification_expiry=start + 10 * DAY_S if h.member_id in expired else expiry,
            consent_hash=consent_hash(program_id, h.member_id),
        )
        for h in households
        for kind in (GENERATION, EXPORT)
    ]
    leaves.sort(key=lambda leaf: (int(leaf.meter, 16), leaf.member_id))
    return ProgramSimulation(
        program_id=program_id,
        chain_id=chain_id,
        registry=registry,
        start=start,
        end=end,
        households=households,
        timestamps=ts,
        registers=registers,
        meters=meters,
        batches=batches,
        enrollment=leaves,
        faults=tuple(faults),
        simulate_seconds=simulate_seconds,
        sign_seconds=sign_seconds,
        extra=extra,
    )


def _sign_all(
    program_id: int,
    chain_id: int,
    registry: str,
    ts: np.ndarray,
    registers: dict[int, np.ndarray],
    meters: dict[int, np.ndarray],
    keys: dict[int, list[PrivateKey]],
) -> list[tuple[int, int, Batch]]:
    """Every meter's per-JST-day batches, signed with coincurve (the digest eth_account would
    sign, `batch_digest_from`, low-s and v in {27, 28} as the contracts want)."""
    separator = domain_separator(chain_id, registry)
    project_id = program_project_id(program_id)
    out: list[tuple[int, int, Batch]] = []
    for row in range(len(meters[GENERATION])):
        for kind in (GENERATION, EXPORT):
            meter, key = meters[kind][row], keys[kind][row]
            prefix = struct_prefix(project_id, meter)
            for batch in day_batches(meter, ts, registers[kind][row]):
                raw = key.sign_recoverable(batch_digest_from(separator, prefix, batch), hasher=None)
                signed = Batch(
                    meter,
                    batch.first_timestamp,
                    batch.last_timestamp,
                    batch.last_cumulative_wh,
                    batch.readings_hash,
                    raw[:64] + bytes([raw[64] + 27]),
                )
                out.append((row + 1, kind, signed))
    return out
