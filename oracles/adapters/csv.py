"""Readings in the common CSV format, and the meters' batch signatures next to them.

Signatures CSV columns: meter (serial or address), first_timestamp, last_timestamp (seconds UTC),
last_cumulative_wh, readings_hash (0x + 64 hex), signature (0x + 130 hex).
"""

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from jcredit.eip712 import Batch
from methodology.errors import ReadingsError
from methodology.readings import line_of_reading, load_readings
from oracles.errors import DataError
from oracles.site import SiteConfig

SIGNATURE_COLUMNS = (
    "meter",
    "first_timestamp",
    "last_timestamp",
    "last_cumulative_wh",
    "readings_hash",
    "signature",
)


def read_readings(path: str | Path, site: SiteConfig) -> pd.DataFrame:
    """Validated readings with `meter` replaced by the configured meter address.

    Columns: timestamp (int64), meter (address str), kind (str), cumulative_wh (int64); sorted by
    (meter, timestamp). Raises DataError naming the file and the row or meter.
    """
    try:
        frame = load_readings(Path(path))
    except ReadingsError as exc:
        raise DataError(str(exc)) from None
    return attach_meters(frame, site, str(path))


def attach_meters(frame: pd.DataFrame, site: SiteConfig, origin: str) -> pd.DataFrame:
    """Map serials to addresses, check each meter's kind against the site config, and sort.

    `frame` is what methodology's load_readings returns: sorted by (meter, timestamp), with
    categorical meter and kind columns, so the work here is per meter, not per row.
    """
    meter_column = _categorical(frame["meter"])
    codes = meter_column.cat.codes.to_numpy().astype(np.int64)
    names = [str(c) for c in meter_column.cat.categories]
    configs = []
    for name in names:
        try:
            configs.append(site.meter(name))
        except DataError:
            line = line_of_reading(Path(origin), name)
            where = f"{origin} line {line}" if line else origin
            raise DataError(f"{where}: meter {name!r} is not in site config {site.path}") from None
    kind_column = _categorical(frame["kind"])
    kind_names = [str(c) for c in kind_column.cat.categories]
    kind_codes = kind_column.cat.codes.to_numpy().astype(np.int64)
    for pair in np.unique(codes * len(kind_names) + kind_codes).tolist():
        meter, kind = configs[pair // len(kind_names)], kind_names[pair % len(kind_names)]
        if kind != meter.kind:
            raise DataError(
                f"{origin}: meter {names[pair // len(kind_names)]!r} has kind {kind} but "
                f"{site.path} says {meter.kind}"
            )
    registers = frame["cumulative_wh"].to_numpy()
    if registers.max(initial=0) >= 2**63:
        raise DataError(f"{origin}: cumulative_wh above 2**63 - 1 Wh is not supported")
    addresses = np.array([m.address for m in configs], dtype=object)
    # Re-sort by address; a stable sort keeps each meter's rows in time order.
    rank = np.argsort(np.argsort(addresses.astype(str), kind="stable"), kind="stable")
    ranks = rank[codes]
    # Usually the serials sort like their addresses and no row moves: skip the reordering then.
    order = None if (ranks[1:] >= ranks[:-1]).all() else np.argsort(ranks, kind="stable")
    codes = codes if order is None else codes[order]
    timestamps = frame["timestamp"].to_numpy(np.int64)
    timestamps = timestamps if order is None else timestamps[order]
    registers = registers.astype(np.int64)
    out = pd.DataFrame(
        {
            "timestamp": timestamps,
            "meter": addresses[codes],
            "kind": np.array([m.kind for m in configs], dtype=object)[codes],
            "cumulative_wh": registers if order is None else registers[order],
        }
    )
    # Rows of one meter: equal addresses (a file may name one meter by serial and by address).
    _, address_codes = np.unique(addresses.astype(str), return_inverse=True)
    same = address_codes[codes][1:] == address_codes[codes][:-1]
    if (same & (timestamps[1:] <= timestamps[:-1])).any():
        out = out.sort_values(["meter", "timestamp"], kind="stable").reset_index(drop=True)
    return out


def _categorical(column: pd.Series) -> pd.Series:
    return column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")


def read_signatures(path: str | Path, site: SiteConfig) -> dict[str, list[Batch]]:
    """Batches by meter address. Raises DataError naming the file and line of a malformed row."""
    path = Path(path)
    batches: dict[str, list[Batch]] = {m.address: [] for m in site.meters}
    addresses: dict[str, str] = {}  # meter field as written -> address, looked up once per name
    try:
        handle = path.open(newline="", encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: signatures file not found") from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != SIGNATURE_COLUMNS:
            raise DataError(f"{path} line 1: header must be {','.join(SIGNATURE_COLUMNS)}")
        for fields in reader:
            if not fields:
                continue
            where = f"{path} line {reader.line_num}"
            if len(fields) != len(SIGNATURE_COLUMNS):
                raise DataError(f"{where}: expected {len(SIGNATURE_COLUMNS)} fields")
            meter = addresses.get(fields[0])
            if meter is None:
                try:
                    meter = addresses[fields[0]] = site.meter(fields[0]).address
                except DataError:
                    raise DataError(f"{where}: meter {fields[0]!r} is not in {site.path}") from None
            try:
                batch = Batch(
                    meter=meter,
                    first_timestamp=int(fields[1]),
                    last_timestamp=int(fields[2]),
                    last_cumulative_wh=int(fields[3]),
                    readings_hash=_hex(fields[4], 32),
                    signature=_hex(fields[5], 65),
                )
            except ValueError as exc:
                raise DataError(f"{where}: {exc}") from None
            if batch.first_timestamp > batch.last_timestamp:
                raise DataError(f"{where}: first_timestamp after last_timestamp")
            batches[meter].append(batch)
    return batches


def _hex(text: str, size: int) -> bytes:
    value = bytes.fromhex(text.strip().removeprefix("0x"))
    if len(value) != size:
        raise ValueError(f"expected {size} bytes of hex, got {len(value)}: {text.strip()[:20]}...")
    return value


def write_signatures(path: str | Path, batches: list[Batch]) -> None:
    with Path(path).open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SIGNATURE_COLUMNS)
        for b in batches:
            writer.writerow(
                [
                    b.meter,
                    b.first_timestamp,
                    b.last_timestamp,
                    b.last_cumulative_wh,
                    "0x" + b.readings_hash.hex(),
                    "0x" + b.signature.hex(),
                ]
            )
