"""A report's facts: everything a submitted report claims (`IMonitoringReports.ReportFacts`).

The reports contract keeps only keccak256(abi.encode(facts)) of the pending report; the
`ReportSubmitted` event logs the facts in full, and whoever finalizes, disputes, expires or proves
the report passes them back. `ReportFacts.facts_hash` computes the contract's hash, so the facts
found in the events can be checked against `pending_report(...).facts_hash` before they are sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils import to_checksum_address

from jcredit.keccak import keccak256
from jcredit.types import KIND_SLOTS, MeterKind

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

# On chain a meter's period also names its kind (bit); `meters` lists the meters that took
# part, in kind order (a dynamic array, so abi.encode(facts) starts with the tuple's offset, as
# eth_abi encodes a dynamic tuple).
_METER_PERIOD_ABI = "(address,uint64,uint256,bool,uint64,uint256,uint256)"
FACTS_ABI = (
    "(uint256,uint256,uint64,uint64,uint16,bool,uint256,uint256,bytes32,address,uint64,"
    f"{_METER_PERIOD_ABI}[])"
)


@dataclass(frozen=True)
class Reading:
    """One register reading of a meter: seconds since the epoch, cumulative Wh."""

    timestamp: int
    cumulative_wh: int


@dataclass(frozen=True)
class MeterPeriod:
    """A meter's energy in a report, from its start reading to its end reading (all zero when
    the report has no meter of that kind). `carried_start`: the report carried the start reading
    (the meter had no baseline), instead of starting from the meter's last accepted reading."""

    meter: str
    start_timestamp: int
    start_cumulative_wh: int
    carried_start: bool
    end_timestamp: int
    end_cumulative_wh: int

    @property
    def used(self) -> bool:
        return int(self.meter, 16) != 0

    @property
    def start(self) -> Reading:
        return Reading(self.start_timestamp, self.start_cumulative_wh)

    @property
    def end(self) -> Reading:
        return Reading(self.end_timestamp, self.end_cumulative_wh)

    @property
    def energy_wh(self) -> int:
        return self.end_cumulative_wh - self.start_cumulative_wh

    def as_tuple(self) -> tuple:
        return (
            self.meter,
            self.start_timestamp,
            self.start_cumulative_wh,
            self.carried_start,
            self.end_timestamp,
            self.end_cumulative_wh,
        )

    @classmethod
    def empty(cls) -> MeterPeriod:
        return cls(ZERO_ADDRESS, 0, 0, False, 0, 0)

    @classmethod
    def from_chain(cls, raw: Any) -> MeterPeriod:
        """From a decoded on-chain `MeterPeriod` (its `kind`: see `kind_of`)."""
        values = _fields(raw, _CHAIN_PERIOD_FIELDS)
        return cls(
            meter=to_checksum_address(values[0]),
            start_timestamp=int(values[1]),
            start_cumulative_wh=int(values[2]),
            carried_start=bool(values[3]),
            end_timestamp=int(values[4]),
            end_cumulative_wh=int(values[5]),
        )


_CHAIN_PERIOD_FIELDS = (*MeterPeriod.__dataclass_fields__, "kind")


def kind_of(raw: Any) -> MeterKind:
    """The kind an on-chain `MeterPeriod` names."""
    return MeterKind(int(_fields(raw, _CHAIN_PERIOD_FIELDS)[6]))


@dataclass(frozen=True)
class ReportFacts:
    """Mirror of `ReportFacts`; `meters` is indexed by kind slot (`MeterKind.slot`), padded with
    empty periods to `KIND_SLOTS` (a shorter tuple is padded); on chain only the used ones are
    listed, each with its kind."""

    project_id: int
    report_id: int
    period_start: int
    period_end: int
    fiscal_year: int
    void: bool
    self_consumed_wh: int
    reduction_g: int
    merkle_root: bytes
    oracle: str
    challenge_deadline: int
    meters: tuple[MeterPeriod, ...]

    def __post_init__(self) -> None:
        meters = tuple(self.meters)
        if len(meters) > KIND_SLOTS:
            raise ValueError(f"report facts: more than {KIND_SLOTS} meter slots")
        padding = (MeterPeriod.empty(),) * (KIND_SLOTS - len(meters))
        object.__setattr__(self, "meters", meters + padding)

    def as_tuple(self) -> tuple:
        """The contract's struct, in field order (what finalize and the proofs take)."""
        return (
            self.project_id,
            self.report_id,
            self.period_start,
            self.period_end,
            self.fiscal_year,
            self.void,
            self.self_consumed_wh,
            self.reduction_g,
            self.merkle_root,
            self.oracle,
            self.challenge_deadline,
            tuple(
                (*period.as_tuple(), 1 << slot)
                for slot, period in enumerate(self.meters)
                if period.used
            ),
        )

    def facts_hash(self) -> bytes:
        """keccak256(abi.encode(facts)), as `pending_report(...).facts_hash` holds it."""
        return keccak256(encode([FACTS_ABI], [self.as_tuple()]))

    def meter_periods(self) -> list[MeterPeriod]:
        """The meters that took part, in kind slot order."""
        return [period for period in self.meters if period.used]

    def period_of(self, kind: MeterKind) -> MeterPeriod:
        return self.meters[kind.slot]

    @property
    def generation_wh(self) -> int:
        return self.period_of(MeterKind.GENERATION).energy_wh

    @property
    def export_wh(self) -> int:
        return self.period_of(MeterKind.EXPORT).energy_wh

    @classmethod
    def from_chain(cls, raw: Any) -> ReportFacts:
        """From a decoded `ReportSubmitted.facts` (a struct, mapping or tuple)."""
        values = _fields(raw, _FACTS_FIELDS)
        slots = [MeterPeriod.empty()] * KIND_SLOTS
        for raw_period in values[11]:
            slots[kind_of(raw_period).slot] = MeterPeriod.from_chain(raw_period)
        meters = tuple(slots)
        return cls(
            project_id=int(values[0]),
            report_id=int(values[1]),
            period_start=int(values[2]),
            period_end=int(values[3]),
            fiscal_year=int(values[4]),
            void=bool(values[5]),
            self_consumed_wh=int(values[6]),
            reduction_g=int(values[7]),
            merkle_root=bytes(values[8]),
            oracle=to_checksum_address(values[9]),
            challenge_deadline=int(values[10]),
            meters=meters,  # type: ignore[arg-type]
        )


_FACTS_FIELDS = tuple(ReportFacts.__dataclass_fields__)


def _fields(raw: Any, names: tuple[str, ...]) -> list[Any]:
    """A struct's values in field order, whether Ape decoded it as a mapping, an object with
    attributes (its struct classes) or a plain tuple."""
    if isinstance(raw, Mapping):
        return [raw[name] for name in names]
    if all(hasattr(raw, name) for name in names):
        return [getattr(raw, name) for name in names]
    values = list(raw)
    if len(values) != len(names):
        raise ValueError(f"expected a struct of {len(names)} fields, got {len(values)}")
    return values
