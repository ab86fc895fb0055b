"""Content-addressed archive of each period's normalized readings, with the raw input beside it.

    <archive>/<project_id>/<sha256>.csv        normalized readings (common format, meter = address)
    <archive>/<project_id>/<sha256>.json       manifest: period, signed batches, raw input files
    <archive>/<project_id>/raw/<sha256>-<name> each raw input file, content-addressed too

The file name is the sha256 of the CSV's bytes, so anyone holding the data URI can check they have
exactly what was committed; writing the same period twice gives the same file (idempotent).
"""

import functools
import hashlib
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jcredit.eip712 import Batch
from methodology.fiscal import JST_OFFSET_S
from oracles.errors import DataError

HEADER = "timestamp,meter,kind,cumulative_wh\n"
URI_SCHEME = "archive:"


@dataclass(frozen=True)
class ArchiveEntry:
    sha256: str
    path: Path
    data_uri: str


def iso_jst(timestamps: np.ndarray) -> np.ndarray:
    """ISO 8601 JST strings; formats each distinct timestamp once (a month has 1,440)."""
    uniques, inverse = np.unique(np.asarray(timestamps, dtype=np.int64), return_inverse=True)
    return np.array([_iso_jst(t) for t in uniques.tolist()], dtype=object)[inverse]


@functools.lru_cache(maxsize=1 << 17)
def _iso_jst(timestamp: int) -> str:
    return f"{np.datetime64(timestamp + JST_OFFSET_S, 's')}+09:00"


def normalized_csv(readings: pd.DataFrame) -> bytes:
    """The archive's canonical bytes: sorted by (meter, timestamp), ISO JST times, LF endings."""
    meters = readings["meter"].to_numpy(object)
    ts = readings["timestamp"].to_numpy(np.int64)
    same = meters[1:] == meters[:-1]
    in_order = ((meters[1:] > meters[:-1]) | (same & (ts[1:] > ts[:-1]))).all()
    frame = readings if in_order else readings.sort_values(["meter", "timestamp"], kind="stable")
    # Per row through the cache: cheaper than iso_jst's np.unique for one period's readings.
    iso = list(map(_iso_jst, frame["timestamp"].to_numpy(np.int64).tolist()))
    meters = frame["meter"].to_numpy(object)
    kinds = frame["kind"].to_numpy(object)
    values = frame["cumulative_wh"].to_numpy(np.int64).tolist()
    parts = [HEADER]
    # Rows of one meter share ",meter,kind,": build that once per meter, not per row.
    cuts = [0, *(np.flatnonzero(meters[1:] != meters[:-1]) + 1).tolist(), len(meters)]
    for a, b in itertools.pairwise(cuts):
        middle = f",{meters[a]},{kinds[a]},"
        parts += [f"{t}{middle}{w}\n" for t, w in zip(iso[a:b], values[a:b], strict=True)]
    return "".join(parts).encode()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def archive_period(
    root: Path,
    project_id: int,
    period: tuple[int, int],
    readings: pd.DataFrame,
    batches: list[Batch],
    raw_files: list[Path],
) -> ArchiveEntry:
    directory = Path(root) / str(project_id)
    (directory / "raw").mkdir(parents=True, exist_ok=True)
    data = normalized_csv(readings)
    digest = hashlib.sha256(data).hexdigest()
    path = directory / f"{digest}.csv"
    if not path.exists():
        _write_atomic(path, data)
    raw_names = []
    for raw in raw_files:
        # Read once, then hash and copy these very bytes: a copy, not a link, because inputs
        # get appended to and the archive must not change (nor differ from its hash).
        content = raw.read_bytes()
        target = directory / "raw" / f"{hashlib.sha256(content).hexdigest()}-{raw.name}"
        if not target.exists():
            _write_atomic(target, content)
        raw_names.append(f"raw/{target.name}")
    manifest = {
        "project_id": project_id,
        "period_start": period[0],
        "period_end": period[1],
        "readings": path.name,
        "raw": raw_names,
        "batches": [
            {
                "meter": b.meter,
                "first_timestamp": b.first_timestamp,
                "last_timestamp": b.last_timestamp,
                "last_cumulative_wh": b.last_cumulative_wh,
                "readings_hash": "0x" + b.readings_hash.hex(),
                "signature": "0x" + b.signature.hex(),
            }
            for b in batches
        ],
    }
    # No indent: json's C encoder only runs without one.
    _write_atomic(directory / f"{digest}.json", json.dumps(manifest).encode())
    return ArchiveEntry(digest, path, f"{URI_SCHEME}{project_id}/{digest}.csv")


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve(root: Path, data_uri: str) -> Path:
    """The archive file a data URI names, after checking its content still has that hash."""
    if not data_uri.startswith(URI_SCHEME):
        raise DataError(f"data URI {data_uri!r} is not an archive: URI")
    path = Path(root) / data_uri.removeprefix(URI_SCHEME)
    if not path.exists():
        raise DataError(f"{path}: archived readings for {data_uri} not found")
    actual = _file_sha256(path)
    if actual != path.stem:
        raise DataError(f"{path}: content hash is {actual}, not the {path.stem} in its name")
    return path


def load_manifest(csv_path: Path) -> dict:
    return json.loads(csv_path.with_suffix(".json").read_text())


def manifest_batches(manifest: dict) -> list[Batch]:
    return [
        Batch(
            meter=b["meter"],
            first_timestamp=b["first_timestamp"],
            last_timestamp=b["last_timestamp"],
            last_cumulative_wh=b["last_cumulative_wh"],
            readings_hash=bytes.fromhex(b["readings_hash"][2:]),
            signature=bytes.fromhex(b["signature"][2:]),
        )
        for b in manifest["batches"]
    ]
