"""Which signed reading a report's boundary may use, and where a period can end (the window rule).

The contract takes a meter's boundary reading only as the last reading of a batch the meter
signed, lying within one metering interval before the boundary: (t - interval, t]. A fraud proof
refutes a report whose boundary reading is not the meter's last signed reading at or before the
boundary. So a boundary t can use, per meter, exactly one reading: its last signature-checked
reading at or before t, provided that reading ends a valid signed batch and lies in
(t - interval, t].

A period ends at its month boundary when every meter has such a reading there. When one has not
(a refused or missing batch), the period ends at the latest earlier time T that has one for every
meter; T is a time some meter's batch ends, so the period ends on an actual reading. When no such
T exists after the period start, the period runs to the next month boundary instead (never across
1 April or the crediting end).
"""

from dataclasses import dataclass, field

import numpy as np

from jcredit.eip712 import Batch
from jcredit.facts import Reading
from methodology.fiscal import to_iso
from oracles.intake import Intake
from oracles.site import SiteConfig


@dataclass(frozen=True)
class Timeline:
    """One meter's signature-checked readings (in time order) and its valid batches by end time."""

    meter: str
    serial: str
    interval_s: int
    timestamps: np.ndarray
    registers: np.ndarray
    batch_by_end: dict[int, Batch] = field(default_factory=dict)

    def last_at_or_before(self, t: int) -> Reading | None:
        i = int(np.searchsorted(self.timestamps, t, side="right")) - 1
        if i < 0:
            return None
        return Reading(int(self.timestamps[i]), int(self.registers[i]))

    def boundary_reading(self, t: int) -> Reading | None:
        """The reading a boundary at `t` may use (see the module doc), or None."""
        reading = self.last_at_or_before(t)
        if reading is None or reading.timestamp not in self.batch_by_end:
            return None
        return reading if reading.timestamp > t - self.interval_s else None

    def why_not(self, t: int) -> str:
        """Why `boundary_reading(t)` is None, for the operator."""
        reading = self.last_at_or_before(t)
        if reading is None:
            return f"meter {self.serial} has no signed reading at or before {to_iso(t)}"
        where = f"meter {self.serial}'s last signed reading at or before {to_iso(t)} is at "
        where += to_iso(reading.timestamp)
        if reading.timestamp not in self.batch_by_end:
            return f"{where}, inside a signed batch that goes on after {to_iso(t)}"
        return f"{where}, more than its {self.interval_s} s interval before it"

    def reaches(self, t: int) -> bool:
        """True when the data has a signed reading at or after `t` (it has moved past t)."""
        return len(self.timestamps) > 0 and int(self.timestamps[-1]) >= t

    def batch_ending(self, t: int) -> Batch:
        return self.batch_by_end[t]

    def batch_readings(self, batch: Batch) -> tuple[tuple[int, int], ...]:
        """All readings of one of the meter's valid batches (its accepted readings in its span)."""
        a = int(np.searchsorted(self.timestamps, batch.first_timestamp, side="left"))
        b = int(np.searchsorted(self.timestamps, batch.last_timestamp, side="right"))
        return tuple(zip(self.timestamps[a:b].tolist(), self.registers[a:b].tolist(), strict=True))

    def batch_holding(self, t: int) -> Batch:
        """The valid batch whose span holds the reading at `t`."""
        ends = sorted(self.batch_by_end)
        i = int(np.searchsorted(ends, t, side="left"))
        batch = self.batch_by_end[ends[i]]
        if batch.first_timestamp > t:
            raise KeyError(f"meter {self.serial}: no valid batch holds the reading at {t}")
        return batch


def timelines(site: SiteConfig, intake: Intake) -> dict[str, Timeline]:
    """Each configured meter's timeline, by address."""
    readings = intake.readings
    meters = readings["meter"].to_numpy(object)
    ts = readings["timestamp"].to_numpy(np.int64)
    wh = readings["cumulative_wh"].to_numpy(np.int64)
    out = {}
    for meter in site.meters:
        rows = meters == meter.address
        out[meter.address] = Timeline(
            meter=meter.address,
            serial=meter.serial,
            interval_s=meter.interval_seconds,
            timestamps=ts[rows],
            registers=wh[rows],
            batch_by_end={b.last_timestamp: b for b in intake.batches.get(meter.address, [])},
        )
    return out


def period_end(lines: dict[str, Timeline], start: int, boundary: int) -> int | None:
    """The latest T in (start, boundary] at which every meter has a boundary reading newer than
    `start`: the boundary itself when it can, else the latest time a meter's batch ends that can.
    None when no T after `start` can."""

    def usable(t: int) -> bool:
        for line in lines.values():
            reading = line.boundary_reading(t)
            if reading is None or reading.timestamp <= start:
                return False
        return True

    if usable(boundary):
        return boundary
    ends = sorted(
        {t for line in lines.values() for t in line.batch_by_end if start < t < boundary},
        reverse=True,
    )
    return next((t for t in ends if usable(t)), None)


def covers(lines: dict[str, Timeline], t: int) -> bool:
    """True when every meter's data has moved past `t` (a period ending at t has closed)."""
    return all(line.reaches(t) for line in lines.values())


def explain(lines: dict[str, Timeline], t: int) -> str:
    """Which meters have no boundary reading at `t`, and why."""
    return "; ".join(line.why_not(t) for line in lines.values() if line.boundary_reading(t) is None)
