"""Monitoring periods, self-consumed energy, reductions and credits of one site
(docs/design.md, "Domain rules")."""

import itertools
import json
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from methodology.eligibility import CreditingPeriod
from methodology.errors import ReadingsError
from methodology.factors import FactorTable
from methodology.fiscal import fiscal_year, month_periods, to_iso
from methodology.readings import KINDS, load_readings, normalize
from methodology.scheme import SchemeParameters, load_scheme
from methodology.units import G_PER_T, SECONDS_PER_HOUR, WH_PER_MWH

# Problem codes: every problem message starts with one of these (the test vectors use them).
EXPORT_EXCEEDS_GENERATION = "export > generation"
GENERATION_EXCEEDS_CAPACITY = "generation > capacity"
SELF_CONSUMPTION_EXCEEDS_GENERATION = "self-consumption > generation"
BATTERY_CHARGE_EXCEEDS_SELF_CONSUMED = "battery charge > self-consumed"
AUXILIARY_EXCEEDS_SELF_CONSUMED = "auxiliary > self-consumed"
# Site errors (ReadingsError messages after the name), as the contracts' revert reasons name them.
DIFFERENCE_METERING_TOO_LARGE = "difference metering >"
BATTERY_NOT_METERED = "battery not metered"
BATTERY_KINDS = ("battery_charge", "battery_discharge")


@dataclass(frozen=True)
class PeriodResult:
    start: int
    end: int
    fiscal_year: int
    generation_wh: int
    export_wh: int
    self_consumed_wh: int
    reduction_g: int
    valid: bool
    problems: list[str] = field(default_factory=list)
    # Subtracted from the self-consumption: the auxiliary meter's energy and the battery's.
    auxiliary_wh: int = 0
    battery_charge_wh: int = 0
    battery_discharge_wh: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self) | {"start": to_iso(self.start), "end": to_iso(self.end)}


@dataclass(frozen=True)
class FiscalYearCredits:
    fiscal_year: int
    reduction_g: int
    credits_t: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Result:
    periods: list[PeriodResult]
    credits: list[FiscalYearCredits]
    # The crediting period the periods were cut to, None when they were not.
    crediting: CreditingPeriod | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "periods": [p.to_dict() for p in self.periods],
            "credits": [c.to_dict() for c in self.credits],
            "crediting_period": self.crediting.to_dict() if self.crediting else None,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def reduction_g(self_consumed_wh: int, factor_g_per_mwh: int) -> int:
    """floor(self_consumed_wh x factor_g_per_mwh / 1,000,000), exact in integers."""
    return self_consumed_wh * factor_g_per_mwh // WH_PER_MWH


def period_problems(
    capacity_w: int, start: int, end: int, generation_wh: int, export_wh: int
) -> list[str]:
    """The period-level checks the contract repeats: export <= generation <= capacity x duration.

    `start` and `end` bound the span the capacity-checked meter's readings measure (its last
    readings at or before the period's boundaries), as the contract computes it; with readings on
    the boundaries that is the period itself.
    """
    problems = []
    if export_wh > generation_wh:
        problems.append(
            f"{EXPORT_EXCEEDS_GENERATION}: export {export_wh} Wh > generation {generation_wh} Wh"
        )
    # Exact in integers: Wh x 3600 s/h against W x s, so a partial hour is not rounded away.
    if generation_wh * SECONDS_PER_HOUR > capacity_w * (end - start):
        problems.append(
            f"{GENERATION_EXCEEDS_CAPACITY}: {generation_wh} Wh in {end - start} s exceeds "
            f"{capacity_w} W x {(end - start) / SECONDS_PER_HOUR:g} h"
        )
    return problems


def _meter_slices(frame: pd.DataFrame) -> list[tuple[str, str, slice]]:
    """(meter, kind, row slice) for each meter of a normalized (meter-sorted) frame."""
    codes = frame["meter"].cat.codes.to_numpy()
    starts = np.flatnonzero(np.diff(codes)) + 1
    bounds = np.concatenate(([0], starts, [len(codes)]))
    kinds = frame["kind"].cat.codes.to_numpy()
    names = frame["meter"].cat.categories
    return [
        (str(names[codes[a]]), KINDS[kinds[a]], slice(int(a), int(b)))
        for a, b in itertools.pairwise(bounds)
    ]


def capacity_violations(
    timestamps: np.ndarray, registers: np.ndarray, capacity_w: int
) -> np.ndarray:
    """Indices i where the interval (t[i], t[i+1]] delivers more than capacity x its length.

    One meter's readings in time order. An oracle shows the contracts such an interval (the two
    readings, signed) when a void period's boundary readings alone do not show why it is void.
    """
    delta_wh = registers[1:] - registers[:-1]
    delta_s = timestamps[1:] - timestamps[:-1]
    # Float prefilter with a safety margin, then the exact integer test on the few candidates.
    candidates = np.flatnonzero(
        delta_wh.astype(np.float64) * SECONDS_PER_HOUR
        >= capacity_w * delta_s.astype(np.float64) * (1 - 1e-9)
    )
    return np.array(
        [
            i
            for i in candidates
            if int(delta_wh[i]) * SECONDS_PER_HOUR > capacity_w * int(delta_s[i])
        ],
        dtype=np.int64,
    )


def compute(
    readings: pd.DataFrame,
    capacity_w: int,
    factors: FactorTable,
    name: str = "readings",
    crediting: CreditingPeriod | None = None,
    *,
    battery: bool = False,
    scheme: SchemeParameters | None = None,
) -> Result:
    """Periods, reductions and credits for one site from its readings.

    `readings` is what `load_readings` returns (any DataFrame with the same columns is normalized
    first). The site has a generation and an export meter, or a self-consumption meter (a generation
    meter optional beside it); several meters of one kind (e.g. one per inverter) are summed.
    Generation - export (difference metering) is accepted only up to the scheme's
    `difference_metering_max_w` (`scheme`, default the shipped table); a site with a `battery`
    metered by difference needs battery charge and discharge meters (their net charge is not
    self-consumed); an auxiliary meter's energy is subtracted (see `site_self_consumption`).
    The periods are JST calendar months from the latest first reading of the meters, each complete
    in the data (every meter has a reading at or after its end). With `crediting`, only the parts
    of those months inside the crediting period [start, end) are reported.
    """
    frame, meters = _prepare(readings, capacity_w, name, battery, scheme)
    timestamps = frame["timestamp"].to_numpy()
    first = max(int(timestamps[s.start]) for _, _, s in meters)
    last = min(int(timestamps[s.stop - 1]) for _, _, s in meters)
    if crediting is None:
        return _compute(frame, meters, capacity_w, factors, month_periods(first, last))
    periods = crediting_month_periods(first, last, crediting)
    return replace(_compute(frame, meters, capacity_w, factors, periods), crediting=crediting)


def crediting_month_periods(
    first: int, last: int, crediting: CreditingPeriod
) -> list[tuple[int, int]]:
    """The JST calendar months between readings `first` and `last` (when every meter has data),
    cut to the crediting period: the first starts at the later of `first` and the crediting start,
    and the crediting end ends the last one even inside a month, once the data reaches it."""
    start = max(first, crediting.start)
    if last < crediting.end:
        return month_periods(start, last)
    periods = month_periods(start, crediting.end)
    tail_start = periods[-1][1] if periods else start
    return [*periods, (tail_start, crediting.end)] if tail_start < crediting.end else periods


def compute_periods(
    readings: pd.DataFrame,
    capacity_w: int,
    factors: FactorTable,
    periods: list[tuple[int, int]],
    name: str = "readings",
    *,
    battery: bool = False,
    scheme: SchemeParameters | None = None,
) -> Result:
    """The same rules over given contiguous periods [start, end) instead of calendar months.

    What an oracle reports when a period cannot end on a month boundary (a meter has no signed
    reading just before it) or starts inside a month. Each meter needs a reading at or before the
    first start; a boundary counts each meter's last reading at or before it, as in `compute`.
    Periods must not cross 1 April (JST): a period belongs to one fiscal year. The site rules are
    `compute`'s.
    """
    frame, meters = _prepare(readings, capacity_w, name, battery, scheme)
    if not periods:
        return Result(periods=[], credits=[])
    for (start, end), following in zip(periods, [*periods[1:], None], strict=True):
        if end <= start:
            raise ReadingsError(
                f"{name}: period {to_iso(start)}..{to_iso(end)} does not end after it starts"
            )
        if following is not None and following[0] != end:
            raise ReadingsError(f"{name}: periods are not contiguous at {to_iso(end)}")
        if fiscal_year(start) != fiscal_year(end - 1):
            raise ReadingsError(
                f"{name}: period {to_iso(start)}..{to_iso(end)} crosses the start of a fiscal year"
            )
    timestamps = frame["timestamp"].to_numpy()
    for meter, _, rows in meters:
        if int(timestamps[rows.start]) > periods[0][0]:
            raise ReadingsError(
                f"{name}: meter {meter} has no reading at or before the period start "
                f"{to_iso(periods[0][0])} (first reading {to_iso(int(timestamps[rows.start]))})"
            )
    return _compute(frame, meters, capacity_w, factors, periods)


def check_site(
    kinds: set[str],
    capacity_w: int,
    battery: bool = False,
    scheme: SchemeParameters | None = None,
    name: str = "site",
) -> None:
    """ReadingsError unless a site of these meter kinds may report (the rules the Registry's
    `report_terms` judges on chain): a self-consumption meter, or generation and export
    (difference metering) up to the scheme's `difference_metering_max_w`; a declared battery
    metered by difference needs both battery meters; battery meters need a declared battery and
    no self-consumption meter."""
    scheme = scheme or load_scheme()
    found = ", ".join(sorted(kinds)) or "no meter"
    direct = "self_consumption" in kinds
    if not direct and not {"generation", "export"} <= kinds:
        raise ReadingsError(
            f"{name}: a site needs a generation and an export meter, or a self-consumption meter; "
            f"found {found}"
        )
    stored = kinds & set(BATTERY_KINDS)
    if stored and not battery:
        raise ReadingsError(
            f"{name}: battery meters ({', '.join(sorted(stored))}) on a site without a declared "
            "battery (declare it: --battery)"
        )
    if stored and direct:
        raise ReadingsError(
            f"{name}: battery meters beside a self-consumption meter: the self-consumption "
            "meter already measures what the site uses; register no battery meters"
        )
    if direct:
        return
    limit = scheme.difference_metering_max_w
    if capacity_w > limit:
        raise ReadingsError(
            f"{name}: {DIFFERENCE_METERING_TOO_LARGE} {limit / 1000:g} kW: a {capacity_w} W site "
            f"above the {limit} W threshold (scheme parameter difference_metering_max_w"
            f"{'' if scheme.rows['difference_metering_max_w'].verified else ', unverified'}) "
            "needs a direct self-consumption meter; generation - export is not accepted"
        )
    if battery and stored != set(BATTERY_KINDS):
        raise ReadingsError(
            f"{name}: {BATTERY_NOT_METERED}: a battery site metered by difference needs "
            f"battery_charge and battery_discharge meters (or a self-consumption meter); found "
            f"{found}"
        )


def site_self_consumption(energy: dict[str, int], direct: bool) -> tuple[int, list[str]]:
    """A period's self-consumed Wh from its energies per kind, and its problems in the contract's
    order (the Registry's `self_consumption`): the self-consumption meter's energy, or generation -
    export - the battery's net charge (charge - discharge when positive: its losses are not
    credited, nor is a discharge beyond the period's charge, which may come from the grid); minus
    the auxiliary energy. The capacity is checked apart (`period_problems`)."""
    generation, export = energy.get("generation", 0), energy.get("export", 0)
    auxiliary = energy.get("auxiliary", 0)
    problems = []
    if direct:
        self_consumed = energy.get("self_consumption", 0)
    else:
        self_consumed = generation - export
        if export > generation:
            problems.append(
                f"{EXPORT_EXCEEDS_GENERATION}: export {export} Wh > generation {generation} Wh"
            )
        net_charge = energy.get("battery_charge", 0) - energy.get("battery_discharge", 0)
        if net_charge > 0:
            if net_charge > self_consumed and not problems:
                problems.append(
                    f"{BATTERY_CHARGE_EXCEEDS_SELF_CONSUMED}: the battery's net charge "
                    f"{net_charge} Wh > generation - export {self_consumed} Wh"
                )
            self_consumed -= net_charge
    if auxiliary > self_consumed and not problems:
        problems.append(
            f"{AUXILIARY_EXCEEDS_SELF_CONSUMED}: auxiliary {auxiliary} Wh > self-consumption "
            f"{self_consumed} Wh"
        )
    return self_consumed - auxiliary, problems


def _prepare(
    readings: pd.DataFrame,
    capacity_w: int,
    name: str,
    battery: bool = False,
    scheme: SchemeParameters | None = None,
) -> tuple[pd.DataFrame, list[tuple[str, str, slice]]]:
    """The normalized readings and each meter's rows; ReadingsError for an unusable site."""
    if capacity_w <= 0:
        raise ReadingsError(f"{name}: capacity must be a positive number of W, got {capacity_w}")
    frame = normalize(readings, name) if _is_normalized(readings) else load_readings(readings)
    meters = _meter_slices(frame)
    check_site({kind for _, kind, _ in meters}, capacity_w, battery, scheme, name)
    return frame, meters


def _compute(
    frame: pd.DataFrame,
    meters: list[tuple[str, str, slice]],
    capacity_w: int,
    factors: FactorTable,
    periods: list[tuple[int, int]],
) -> Result:
    """The periods' energies, problems, reductions and credits (contiguous periods)."""
    if not periods:
        return Result(periods=[], credits=[])
    kinds_present = {kind for _, kind, _ in meters}
    has_self_meter = "self_consumption" in kinds_present
    timestamps = frame["timestamp"].to_numpy()
    registers = frame["cumulative_wh"].to_numpy()
    boundaries = np.array([periods[0][0]] + [end for _, end in periods], dtype=np.int64)

    energy = {kind: [0] * len(periods) for kind in KINDS}
    # Per period, the span the capacity-checked meters' boundary readings measure (the shortest,
    # when several meters are summed): what the capacity applies to, on and off chain.
    spans: list[tuple[int, int] | None] = [None] * len(periods)
    interval_problems: list[list[str]] = [[] for _ in periods]
    # The capacity bounds generation; without a generation meter it bounds self-consumption.
    capped_kind = "generation" if "generation" in kinds_present else "self_consumption"
    for meter, kind, rows in meters:
        ts, regs = timestamps[rows], registers[rows]
        # Last reading at or before each boundary; every boundary is >= this meter's first reading.
        at_boundary = regs[np.searchsorted(ts, boundaries, side="right") - 1]
        for j, wh in enumerate((at_boundary[1:] - at_boundary[:-1]).tolist()):
            energy[kind][j] += wh
        if kind == capped_kind:
            reading_times = ts[np.searchsorted(ts, boundaries, side="right") - 1].tolist()
            for j in range(len(periods)):
                span, known = (reading_times[j], reading_times[j + 1]), spans[j]
                if known is None or span[1] - span[0] < known[1] - known[0]:
                    spans[j] = span
            violations = capacity_violations(ts, regs, capacity_w)
            # An interval (t[i], t[i+1]] belongs to the period whose (start, end] holds t[i+1].
            in_period = np.searchsorted(boundaries, ts[violations + 1], side="left") - 1
            for j in range(len(periods)):
                found = violations[in_period == j]
                if len(found) == 0:
                    continue
                i, end = int(found[0]), int(ts[found[0] + 1])
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                interval_problems[j].append(
                    f"{GENERATION_EXCEEDS_CAPACITY}: meter {meter} interval "
                    f"{to_iso(int(ts[i]))}..{to_iso(end)}: {int(regs[i + 1] - regs[i])} Wh "
                    f"exceeds {capacity_w} W x {(end - int(ts[i])) / SECONDS_PER_HOUR:g} h{more}"
                )

    results = []
    for j, (start, end) in enumerate(periods):
        generation, export = energy["generation"][j], energy["export"][j]
        self_consumed, problems = site_self_consumption(
            {kind: energy[kind][j] for kind in KINDS}, has_self_meter
        )
        if has_self_meter:
            direct = energy["self_consumption"][j]
            capped = generation if capped_kind == "generation" else direct
            if "generation" in kinds_present and direct > generation:
                problems.insert(
                    0,
                    f"{SELF_CONSUMPTION_EXCEEDS_GENERATION}: self-consumption {direct} Wh > "
                    f"generation {generation} Wh",
                )
        else:
            capped = generation
        # export > generation is site_self_consumption's; the capacity's is period_problems'.
        problems += period_problems(capacity_w, *(spans[j] or (start, end)), capped, 0)
        problems += interval_problems[j]
        year = fiscal_year(start)
        factor = factors.factor(year)
        valid = not problems
        results.append(
            PeriodResult(
                start=start,
                end=end,
                fiscal_year=year,
                generation_wh=generation,
                export_wh=export,
                self_consumed_wh=self_consumed if valid else 0,
                reduction_g=reduction_g(self_consumed, factor) if valid else 0,
                valid=valid,
                problems=problems,
                auxiliary_wh=energy["auxiliary"][j],
                battery_charge_wh=energy["battery_charge"][j],
                battery_discharge_wh=energy["battery_discharge"][j],
            )
        )
    return Result(periods=results, credits=credits_by_fiscal_year(results))


def credits_by_fiscal_year(periods: list[PeriodResult]) -> list[FiscalYearCredits]:
    """Whole t-CO2 per fiscal year, truncated once over the year's summed reductions."""
    totals: dict[int, int] = {}
    for period in periods:
        totals[period.fiscal_year] = totals.get(period.fiscal_year, 0) + period.reduction_g
    return [FiscalYearCredits(fy, g, g // G_PER_T) for fy, g in sorted(totals.items())]


def _is_normalized(frame: pd.DataFrame) -> bool:
    return (
        list(frame.columns) == ["timestamp", "meter", "kind", "cumulative_wh"]
        and frame["timestamp"].dtype == np.int64
        and isinstance(frame["meter"].dtype, pd.CategoricalDtype)
        and isinstance(frame["kind"].dtype, pd.CategoricalDtype)
        and list(frame["kind"].cat.categories) == list(KINDS)
        and frame["cumulative_wh"].dtype == np.uint64
    )
