"""From a site's data source to signature-checked readings: what every command starts with."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jcredit.eip712 import Batch, domain_separator
from oracles.adapters.csv import read_readings, read_signatures
from oracles.adapters.echonet import read_echonet_source
from oracles.errors import DataError
from oracles.signing import Refusal, verify_meter
from oracles.site import SiteConfig


@dataclass
class Intake:
    """Readings whose signatures checked out, the batches that signed them, and what was refused."""

    readings: pd.DataFrame  # accepted readings only, sorted by (meter, timestamp)
    batches: dict[str, list[Batch]]  # valid batches per meter address, sorted by time
    refusals: list[Refusal] = field(default_factory=list)
    raw_files: list[Path] = field(default_factory=list)


def load_source(site: SiteConfig) -> tuple[pd.DataFrame, dict[str, list[Batch]], list[Path]]:
    """Readings, claimed batches and the raw files they came from, per the site's source."""
    source = site.source
    try:
        signatures = site.resolve(source["signatures"])
    except KeyError:
        raise DataError(
            f"{site.path}: source.signatures (the meters' signatures file) missing"
        ) from None
    if source["type"] == "csv":
        raw = [site.resolve(source.get("readings", ""))]
        readings = read_readings(raw[0], site)
    else:
        raw, readings = read_echonet_source(site)
    return readings, read_signatures(signatures, site), [*raw, signatures]


def check_signatures(
    site: SiteConfig,
    readings: pd.DataFrame,
    batches: dict[str, list[Batch]],
    chain_id: int,
    registry: str,
    raw_files: list[Path] | None = None,
) -> Intake:
    """Verify every claimed batch; keep only readings a valid batch of their own meter signed."""
    separator = domain_separator(chain_id, registry)
    meters = readings["meter"].to_numpy(object)
    cuts = np.flatnonzero(meters[1:] != meters[:-1]) + 1
    starts = np.concatenate(([0], cuts)) if len(meters) else np.zeros(0, dtype=int)
    ends = np.concatenate((cuts, [len(meters)])) if len(meters) else np.zeros(0, dtype=int)
    timestamps = readings["timestamp"].to_numpy(np.int64)
    registers = readings["cumulative_wh"].to_numpy(np.int64)
    keep = np.zeros(len(readings), dtype=bool)
    valid: dict[str, list[Batch]] = {}
    refusals: list[Refusal] = []
    for a, b in zip(starts, ends, strict=True):
        meter = meters[a]
        claimed = sorted(batches.get(meter, []), key=lambda x: x.first_timestamp)
        result = verify_meter(
            site.project_id, separator, meter, timestamps[a:b], registers[a:b], claimed
        )
        keep[a:b] = result.accepted
        valid[meter] = sorted(result.valid_batches, key=lambda x: x.last_timestamp)
        refusals.extend(result.refusals)
    # Usually every reading is signed: then the frame is kept as it is instead of copied.
    untouched = keep.all() and readings.index.equals(pd.RangeIndex(len(readings)))
    accepted = readings if untouched else readings[keep].reset_index(drop=True)
    return Intake(accepted, valid, refusals, list(raw_files or []))


def describe_refusals(refusals: list[Refusal], limit: int = 20) -> str:
    """Operator-facing list: one line per refused reading, the first `limit` of them."""
    from oracles.archive import iso_jst

    if not refusals:
        return "no readings refused"
    stamps = iso_jst(np.array([r.timestamp for r in refusals[:limit]]))
    lines = [f"  {r.meter} {t}: {r.reason}" for r, t in zip(refusals, stamps, strict=False)]
    more = len(refusals) - limit
    tail = [f"  ... and {more} more"] if more > 0 else []
    return "\n".join([f"{len(refusals)} reading(s) refused:", *lines, *tail])
