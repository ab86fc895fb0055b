"""From many households' data to signature-checked readings per member.

Sources (each reads the members it is asked for, so a Dask task reads only its own chunk):
- `ParquetSource`: the dataset `households.ProgramSimulation.write_parquet` writes, partitioned by
  member (`readings/member_id=N/part-0.parquet`, `batches/member_id=N/part-0.parquet`);
- `CsvSource`: a directory of per-household folders, each a single-site config (site.json with a
  `member_id`) and its CSV or ECHONET logs, read by the single-site adapters (oracles/adapters);
- `TableSource`: tables already in memory (an archive loaded back).

Every claimed batch is checked by `oracles.signing.verify_meter` (readings hash, signed last
reading, coincurve recovery of the signer) for `projectId = program_project_id(program_id)`.
Refused readings are listed per member with the reason; `members.compute_member` never credits a
member with a refusal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from jcredit.eip712 import Batch, domain_separator
from jcredit.program_tree import program_project_id
from jcredit.types import MeterKind
from methodology.fiscal import DAY_S
from oracles.errors import DataError
from oracles.signing import verify_meter

BATCH_SCHEMA = pa.schema(
    [
        ("member_id", pa.int64()),
        ("meter", pa.string()),
        ("kind", pa.int8()),
        ("first_timestamp", pa.int64()),
        ("last_timestamp", pa.int64()),
        ("last_cumulative_wh", pa.int64()),
        ("readings_hash", pa.binary(32)),
        ("signature", pa.binary(65)),
    ]
)


def batches_to_table(rows: Sequence[tuple[int, int, Batch]]) -> pa.Table:
    """Signed batches as a table (member_id, meter, kind and the signed fields)."""
    return pa.table(
        {
            "member_id": [m for m, _, _ in rows],
            "meter": [b.meter for _, _, b in rows],
            "kind": [k for _, k, _ in rows],
            "first_timestamp": [b.first_timestamp for _, _, b in rows],
            "last_timestamp": [b.last_timestamp for _, _, b in rows],
            "last_cumulative_wh": [b.last_cumulative_wh for _, _, b in rows],
            "readings_hash": [b.readings_hash for _, _, b in rows],
            "signature": [b.signature for _, _, b in rows],
        },
        schema=BATCH_SCHEMA,
    )


READING_SCHEMA = pa.schema(
    [
        ("member_id", pa.int64()),
        ("meter", pa.string()),
        ("kind", pa.int8()),
        ("timestamp", pa.int64()),
        ("cumulative_wh", pa.int64()),
    ]
)


@dataclass(frozen=True)
class MemberRefusal:
    """Readings of a member's meter the oracle will not use, and why."""

    member_id: int
    meter: str
    timestamp: int
    reason: str

    def describe(self) -> str:
        return f"member {self.member_id} meter {self.meter} at {self.timestamp}: {self.reason}"


@dataclass
class MeterData:
    """One meter's readings (time order), which of them a valid batch signs, its valid batches."""

    address: str
    timestamps: np.ndarray
    registers: np.ndarray
    accepted: np.ndarray
    batches: list[Batch]  # valid ones, sorted by last timestamp


@dataclass
class MemberData:
    member_id: int
    meters: dict[str, MeterData] = field(default_factory=dict)  # by lower-case address
    refusals: list[MemberRefusal] = field(default_factory=list)
    readings: int = 0
    claimed_batches: int = 0


class ParquetSource:
    """The member-partitioned Parquet dataset under `path`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not (self.path / "readings").is_dir():
            raise DataError(f"{self.path}: no readings/ dataset (member-partitioned Parquet)")

    def _files(self, name: str, member_ids: Iterable[int]) -> list[str]:
        # Paths follow from the member ids: no listing of 10,000 partition folders per task.
        files = []
        for member_id in member_ids:
            file = self.path / name / f"member_id={member_id}" / "part-0.parquet"
            if file.exists():
                files.append(str(file))
        return files

    def read(self, member_ids: Sequence[int]) -> tuple[pa.Table, pa.Table]:
        out = []
        for name, schema in (("readings", READING_SCHEMA), ("batches", BATCH_SCHEMA)):
            files = self._files(name, member_ids)
            if not files:
                out.append(schema.empty_table())
                continue
            try:
                table = ds.dataset(
                    files,
                    format="parquet",
                    partitioning=ds.partitioning(
                        pa.schema([("member_id", pa.int64())]), flavor="hive"
                    ),
                    partition_base_dir=str(self.path / name),
                ).to_table()
            except (OSError, pa.ArrowInvalid) as exc:
                raise DataError(f"{self.path / name}: cannot read the Parquet: {exc}") from None
            out.append(table.select(schema.names).cast(schema))
        return out[0], out[1]


class TableSource:
    """Tables in memory (READING_SCHEMA, BATCH_SCHEMA), e.g. an archive loaded back."""

    def __init__(self, readings: pa.Table, batches: pa.Table) -> None:
        self.readings, self.batches = readings, batches

    def read(self, member_ids: Sequence[int]) -> tuple[pa.Table, pa.Table]:
        wanted = pa.array(list(member_ids), type=pa.int64())
        return (
            self.readings.filter(pc.is_in(self.readings["member_id"], wanted)),
            self.batches.filter(pc.is_in(self.batches["member_id"], wanted)),
        )


class CsvSource:
    """Per-household folders, each with a single-site config naming its `member_id` and its
    source (CSV readings or ECHONET logs, plus the meters' signatures CSV)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._sites: dict[int, Path] | None = None

    def sites(self) -> dict[int, Path]:
        if self._sites is None:
            sites: dict[int, Path] = {}
            for config in sorted(self.path.glob("*/site.json")):
                try:
                    member_id = json.loads(config.read_text())["member_id"]
                except (KeyError, json.JSONDecodeError, TypeError):
                    raise DataError(
                        f"{config}: a household config needs an integer member_id"
                    ) from None
                if not isinstance(member_id, int) or member_id < 1:
                    raise DataError(f"{config}: member_id must be a positive integer")
                if member_id in sites:
                    raise DataError(f"{config}: member {member_id} also in {sites[member_id]}")
                sites[member_id] = config
            self._sites = sites
        return self._sites

    def read(self, member_ids: Sequence[int]) -> tuple[pa.Table, pa.Table]:
        from oracles.intake import load_source
        from oracles.site import load_site

        readings, batches = [], []
        for member_id in member_ids:
            config = self.sites().get(member_id)
            if config is None:
                continue
            site = load_site(config)
            frame, claimed, _raw = load_source(site)
            kinds = frame["kind"].map(lambda k: int(MeterKind.from_name(str(k))))
            readings.append(
                pa.table(
                    {
                        "member_id": np.full(len(frame), member_id, dtype=np.int64),
                        "meter": frame["meter"].astype(str).to_numpy(),
                        "kind": kinds.to_numpy(np.int8),
                        "timestamp": frame["timestamp"].to_numpy(np.int64),
                        "cumulative_wh": frame["cumulative_wh"].to_numpy(np.int64),
                    },
                    schema=READING_SCHEMA,
                )
            )
            kind_of = {m.address: int(MeterKind.from_name(m.kind)) for m in site.meters}
            batches.append(
                batches_to_table(
                    [(member_id, kind_of[meter], b) for meter, bs in claimed.items() for b in bs]
                )
            )
        if not readings:
            return READING_SCHEMA.empty_table(), BATCH_SCHEMA.empty_table()
        return pa.concat_tables(readings), pa.concat_tables(batches)


def open_source(path: str | Path) -> ParquetSource | CsvSource:
    """A Parquet dataset folder (with readings/) or a folder of household folders."""
    path = Path(path)
    if (path / "readings").is_dir():
        return ParquetSource(path)
    if any(path.glob("*/site.json")):
        return CsvSource(path)
    raise DataError(f"{path}: neither a member-partitioned Parquet dataset nor household folders")


def _groups(member: np.ndarray, meter_codes: np.ndarray) -> list[tuple[int, int]]:
    """[a, b) row ranges of equal (member, meter) in sorted rows."""
    if len(member) == 0:
        return []
    change = (member[1:] != member[:-1]) | (meter_codes[1:] != meter_codes[:-1])
    cuts = np.flatnonzero(change) + 1
    starts = np.concatenate(([0], cuts)).tolist()
    ends = np.concatenate((cuts, [len(member)])).tolist()
    return list(zip(starts, ends, strict=True))


def _grouped(readings: pa.Table) -> pa.Table:
    """Readings with each (member, meter) contiguous and in time order: as read from the
    member-partitioned dataset they already are, and checking costs far less than sorting."""
    member = readings["member_id"].to_numpy()
    codes = (
        pc.dictionary_encode(readings["meter"])
        .combine_chunks()
        .indices.to_numpy(zero_copy_only=False)
    )
    ts = readings["timestamp"].to_numpy()
    runs = _groups(member, codes)
    pairs = len(np.unique(member.astype(np.int64) * (1 << 32) + codes)) if len(member) else 0
    same = (member[1:] == member[:-1]) & (codes[1:] == codes[:-1])
    if len(runs) == pairs and not (same & (ts[1:] <= ts[:-1])).any():
        return readings
    return readings.sort_by(
        [("member_id", "ascending"), ("meter", "ascending"), ("timestamp", "ascending")]
    )


def verify_members(
    readings: pa.Table,
    batches: pa.Table,
    program_id: int,
    chain_id: int,
    registry: str,
) -> dict[int, MemberData]:
    """Check every claimed batch of every member's meters against its readings.

    Returns the data per member id found in either table; readings no valid batch of their own
    meter signs are refused (`MemberData.refusals`, each naming member, meter and reason).
    """
    separator = domain_separator(chain_id, registry)
    project_id = program_project_id(program_id)
    readings = _grouped(readings)
    claimed: dict[tuple[int, str], list[Batch]] = {}
    b_member = batches["member_id"].to_numpy()
    b_meter = batches["meter"].to_pylist()
    first = batches["first_timestamp"].to_pylist()
    last = batches["last_timestamp"].to_pylist()
    last_wh = batches["last_cumulative_wh"].to_pylist()
    hashes = batches["readings_hash"].to_pylist()
    signatures = batches["signature"].to_pylist()
    members: dict[int, MemberData] = {}
    for i, member_id in enumerate(b_member.tolist()):
        key = (member_id, b_meter[i].lower())
        claimed.setdefault(key, []).append(
            Batch(b_meter[i], first[i], last[i], last_wh[i], hashes[i], signatures[i])
        )
        members.setdefault(member_id, MemberData(member_id)).claimed_batches += 1
    r_member = readings["member_id"].to_numpy()
    meter_dict = pc.dictionary_encode(readings["meter"]).combine_chunks()
    codes = meter_dict.indices.to_numpy(zero_copy_only=False)
    names = meter_dict.dictionary.to_pylist()
    timestamps = readings["timestamp"].to_numpy()
    registers = readings["cumulative_wh"].to_numpy()
    seen: set[tuple[int, str]] = set()
    for a, b in _groups(r_member, codes):
        member_id, meter = int(r_member[a]), names[codes[a]]
        key = (member_id, meter.lower())
        seen.add(key)
        data = members.setdefault(member_id, MemberData(member_id))
        data.readings += b - a
        ts, wh = timestamps[a:b], registers[a:b]
        if (np.diff(ts) <= 0).any():
            raise DataError(f"member {member_id} meter {meter}: two readings at one timestamp")
        check = verify_meter(project_id, separator, meter, ts, wh, claimed.get(key, []))
        data.meters[meter.lower()] = MeterData(
            meter,
            ts,
            wh,
            check.accepted,
            sorted(check.valid_batches, key=lambda x: x.last_timestamp),
        )
        data.refusals += [
            MemberRefusal(member_id, r.meter, r.timestamp, r.reason) for r in check.refusals
        ]
    for (member_id, meter), bs in claimed.items():
        if (member_id, meter) not in seen:
            # Signed batches without any reading: nothing they sign can be checked.
            members[member_id].refusals += [
                MemberRefusal(
                    member_id,
                    b.meter,
                    b.last_timestamp,
                    "signed batch without any of its readings in the data",
                )
                for b in bs
            ]
    return members


def clip_to_window(readings: pa.Table, batches: pa.Table, terms) -> tuple[pa.Table, pa.Table]:
    """The data a period looks at: readings in (P0 - 1 day, P1] and the batches lying in it.

    One day before P0 holds the daily batch whose last reading is the start boundary; data
    outside the window neither helps nor refuses a member in this period. (Daily batches end at
    JST midnight, so periods starting at midnight lose no batch at the window's edge.)
    """
    low, high = terms.period_start - DAY_S, terms.period_end
    ts = readings["timestamp"]
    readings = readings.filter(pc.and_(pc.greater(ts, low), pc.less_equal(ts, high)))
    batches = batches.filter(
        pc.and_(
            pc.greater(batches["first_timestamp"], low),
            pc.less_equal(batches["last_timestamp"], high),
        )
    )
    return readings, batches
