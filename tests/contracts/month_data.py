"""A month of realistic meter data for the fraud-proof and attack tests: 30-minute readings,
signed per JST day like the oracle's meters, all the month's batches committed in a Merkle root.

Each meter's register grows by a fixed step per interval unless a test changes it; the readings of
a batch are kept so a test can show them to the contract (`batch_data`).
"""

from dataclasses import dataclass, field

from jcredit.merkle import MerkleTree
from tests.contracts.contract_world import DAY, INTERVAL, Project, World, leaf_of

JST_OFFSET = 9 * 3600


@dataclass
class SignedBatch:
    """A meter's signed batch (the SignedReading tuple) and the readings it signs."""

    signed: tuple
    readings: list[tuple[int, int]]

    @property
    def meter(self) -> str:
        return self.signed[0]

    @property
    def last(self) -> tuple[int, int]:
        return self.readings[-1]

    def data(self) -> tuple:
        """The contract's BatchData: the signed batch and its readings' abi encoding."""
        encoded = b"".join(
            ts.to_bytes(32, "big") + wh.to_bytes(32, "big") for ts, wh in self.readings
        )
        return (self.signed, encoded)

    def index_of(self, timestamp: int) -> int:
        return next(i for i, (ts, _) in enumerate(self.readings) if ts == timestamp)


@dataclass
class Month:
    """Per meter kind, its readings and day batches from `start` (inclusive) to `end`."""

    start: int
    end: int
    readings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    batches: dict[int, list[SignedBatch]] = field(default_factory=dict)
    extra_leaves: list[bytes] = field(default_factory=list)

    def tree(self) -> MerkleTree:
        leaves = [leaf_of(b.signed) for batches in self.batches.values() for b in batches]
        return MerkleTree.from_leaves(leaves + self.extra_leaves)

    def proof(self, signed: tuple) -> list[bytes]:
        return self.tree().proof(leaf_of(signed))

    def batch_ending(self, kind: int, timestamp: int) -> SignedBatch:
        return next(b for b in self.batches[kind] if b.last[0] == timestamp)

    def batch_holding(self, kind: int, timestamp: int) -> SignedBatch:
        return next(
            b for b in self.batches[kind] if b.readings[0][0] <= timestamp <= b.readings[-1][0]
        )


def jst_day(timestamp: int) -> int:
    """Batch day: readings in (D 00:00, D+1 00:00] JST share day D (the oracle's convention)."""
    return (timestamp + JST_OFFSET - 1) // DAY


def sign_days(world: World, project: Project, kind: int, readings: list[tuple[int, int]]):
    """The meter's per-day signed batches of `readings`."""
    meter = project.meters[kind]
    days: dict[int, list[tuple[int, int]]] = {}
    for reading in readings:
        days.setdefault(jst_day(reading[0]), []).append(reading)
    return [
        SignedBatch(meter.sign_batch(world.domain, project.project_id, day), day)
        for day in days.values()
    ]


def month(
    world: World,
    project: Project,
    start: int,
    end: int,
    first_registers: dict[int, int],
    steps: dict[int, int],
    overrides: dict[int, dict[int, int]] | None = None,
) -> Month:
    """Readings every 30 minutes in [start, end] per meter kind, registers rising by `steps[kind]`
    per interval from `first_registers[kind]`; `overrides[kind][ts]` adds Wh to every reading from
    ts on (a spike in that interval). The readings at `start` form their own batch, as the
    previous day's last reading would."""
    data = Month(start, end)
    for kind, step in steps.items():
        extra = 0
        readings = []
        for n, ts in enumerate(range(start, end + 1, INTERVAL)):
            extra += (overrides or {}).get(kind, {}).get(ts, 0)
            readings.append((ts, first_registers[kind] + step * n + extra))
        data.readings[kind] = readings
        data.batches[kind] = sign_days(world, project, kind, readings)
    return data


def boundary_readings(data: Month, carried: bool) -> tuple[list, bytes]:
    """(readings, root) of a report of [start, end): per meter its start batch when `carried`,
    then the batch ending on its end reading, each with its Merkle proof."""
    tree = data.tree()
    readings = []
    for batches in data.batches.values():
        if carried:
            readings.append((batches[0].signed, tree.proof(leaf_of(batches[0].signed))))
        last = batches[-1].signed
        readings.append((last, tree.proof(leaf_of(last))))
    return readings, tree.root
