"""Submit each closed period's report: resumable from chain state, retried on RPC errors.

Safety comes from the chain: MonitoringReports keeps `next_period_start` and each meter's last
accepted reading, accepts a report only for [next_period_start, period_end) and keeps at most one
pending report per project. The oracle therefore never keeps its own cursor. After a crash at any
point it rereads the chain: a report that was mined moved the cursor (no duplicate) and is pending
until its challenge window passes; one that was not is rebuilt and sent (no gap). A transaction
still in flight from an earlier run is waited for before reading state. A pending report is
finalized with the facts the chain logged for it, found again in its events.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jcredit.connect import Platform
from jcredit.errors import ChainError
from jcredit.facts import Reading
from jcredit.reports import PendingReport
from jcredit.tx import Sender
from jcredit.types import MeterKind, ReportStatus
from methodology.factors import FactorTable
from methodology.fiscal import fiscal_year, fiscal_year_bounds, next_month_boundary, to_iso
from oracles.boundaries import Timeline, covers, explain, period_end, timelines
from oracles.errors import DataError, SignatureError
from oracles.intake import Intake
from oracles.report import Report, build_report
from oracles.site import SiteConfig

# Where tests inject a crash: after the report is built (the sender's hook covers "sent").
Hook = Callable[[str, Any], None]


@dataclass
class PushResult:
    submitted: list[Report] = field(default_factory=list)
    finalized: int = 0
    violations_recorded: int = 0
    stopped: str = ""  # why the run stopped before the data ran out (empty: up to date)


@dataclass
class Oracle:
    """The feed of one site: its signature-checked data, the platform, and the oracle's sender."""

    site: SiteConfig
    intake: Intake
    platform: Platform | None
    sender: Sender | None
    factors: FactorTable
    now: Callable[[], int] = field(default=lambda: int(time.time()))
    log: Callable[[str], None] = print
    hook: Hook = field(default=lambda stage, value: None)

    @cached_property
    def lines(self) -> dict[str, Timeline]:
        """Each meter's signed readings and batch ends (the data does not change in a run)."""
        return timelines(self.site, self.intake)

    # -- chain reads, retried on RPC errors ----------------------------------------------------
    def _read(self, action: str, call: Callable[[], Any]) -> Any:
        assert self.sender is not None
        return self.sender.read(action, call)

    def next_start(self) -> int:
        pid = self.site.project_id
        return self._read(
            "reading next_period_start", lambda: self.platform.reports.next_period_start(pid)
        )

    def crediting(self) -> tuple[int, int]:
        pid = self.site.project_id
        project = self._read("reading the project", lambda: self.platform.registry.project(pid))
        return project.crediting_start, project.crediting_end

    def pending(self) -> PendingReport:
        pid = self.site.project_id
        return self._read(
            "reading the pending report", lambda: self.platform.reports.pending_report(pid)
        )

    def chain_time(self) -> int:
        provider = self.sender.provider
        return int(
            self._read("reading the latest block", lambda: provider.get_block("latest").timestamp)
        )

    def baselines(self) -> dict[str, Reading]:
        """Each meter's baseline on chain; a meter without one gets its start reading carried."""
        registry, reports, pid = self.platform.registry, self.platform.reports, self.site.project_id

        def read() -> dict[str, Reading]:
            epoch = reports.monitoring_epoch(pid)
            out = {}
            for meter in self.site.meters:
                registration = registry.meter(meter.address).registration
                baseline = reports.last_reading(meter.address).baseline(registration, epoch)
                if baseline is not None:
                    out[meter.address] = baseline
            return out

        return self._read("reading the meters' baselines", read)

    def check_meters(self) -> None:
        """The site's meters must be the project's approved meters, with the intervals they
        were registered with (the window rule uses them)."""
        registry, pid = self.platform.registry, self.site.project_id
        approved = self._read("reading the project's meters", lambda: registry.project_meters(pid))
        configured = {MeterKind.from_name(m.kind): m.address for m in self.site.meters}
        if approved != configured:
            chain = ", ".join(f"{k.label} {a}" for k, a in approved.items()) or "none"
            raise DataError(
                f"{self.site.path}: its meters differ from project {pid}'s approved meters on "
                f"chain ({chain}): register and approve them, or fix the site config"
            )
        for meter in self.site.meters:
            record = self._read("reading a meter", lambda a=meter.address: registry.meter(a))
            if record.interval_seconds != meter.interval_seconds:
                raise DataError(
                    f"{self.site.path}: meter {meter.serial} has interval_seconds "
                    f"{meter.interval_seconds}, but it is registered with "
                    f"{record.interval_seconds} s"
                )

    # -- periods -----------------------------------------------------------------------------
    def start_monitoring(self, start: int) -> None:
        """Start monitoring at `start`: the first report carries each meter's start reading, its
        last signed reading at or before `start`, which must end a signed batch within one
        interval before it (checked here first, so a start no report could follow is refused)."""
        missing = explain(self.lines, start)
        if missing:
            raise SignatureError(
                f"cannot start monitoring at {to_iso(start)}: the first report carries each "
                f"meter's start reading, but {missing}"
            )
        self.sender.wait_in_flight()
        self.platform.reports.start_monitoring(self.sender, self.site.project_id, start)
        self.log(f"monitoring of project {self.site.project_id} starts at {to_iso(start)}")

    def next_period(self, start: int, crediting_end: int) -> tuple[int, int] | None:
        """The period after `start` if it has closed (in time and in the data), else None.

        It ends at the next month boundary (or the crediting end), or earlier where every meter
        has a boundary reading (oracles/boundaries.py). When none has one after `start`, it runs
        to the following boundary, never across 1 April: a gap that reaches the end of the fiscal
        year stops the oracle (SignatureError).
        """
        if start >= crediting_end:
            return None
        limit = min(fiscal_year_bounds(fiscal_year(start))[1], crediting_end)
        boundary = min(next_month_boundary(start), limit)
        while True:
            if boundary > self.now() or not covers(self.lines, boundary):
                return None
            end = period_end(self.lines, start, boundary)
            if end is not None:
                return start, end
            if boundary >= limit:
                raise SignatureError(
                    f"project {self.site.project_id}: no period from {to_iso(start)} can end by "
                    f"{to_iso(limit)}, because no time has a signed boundary reading of every "
                    f"meter ({explain(self.lines, boundary)}); it waits for the missing signed "
                    "batches"
                )
            boundary = min(next_month_boundary(boundary), limit)

    def closed_count(self, start: int, crediting_end: int) -> int:
        count = 0
        try:
            while (period := self.next_period(start, crediting_end)) is not None:
                count, start = count + 1, period[1]
        except SignatureError:
            pass  # the run stops there with the error; the count is what it can submit
        return count

    def build(self, period: tuple[int, int], crediting_start: int) -> Report:
        """The report of `period` from the signed data and the meters' baselines on chain, its
        readings archived (what `push` submits next)."""
        return build_report(
            self.site,
            self.intake,
            *period,
            self.factors,
            baselines=self.baselines(),
            lines=self.lines,
            not_before=crediting_start,
        )

    # -- the loop ----------------------------------------------------------------------------
    def settle_pending(self, result: PushResult) -> str | None:
        """Finalize a pending report whose window passed; a reason to stop if one blocks."""
        pending = self.pending()
        if pending.status == ReportStatus.NONE:
            return None
        if pending.status == ReportStatus.DISPUTED:
            return f"report {pending.report_id} is disputed: a validator must resolve it first"
        if self.chain_time() < pending.challenge_deadline:
            return (
                f"report {pending.report_id} is in its challenge window until "
                f"{to_iso(pending.challenge_deadline)}; the next period is submitted after it is "
                "finalized"
            )
        pid = self.site.project_id
        facts = self._read(
            "reading the pending report's facts", lambda: self.platform.reports.pending_facts(pid)
        )
        finalized = self.platform.reports.finalize(self.sender, facts)
        if finalized.undone:
            self.log(
                f"report {facts.report_id} undone, not finalized: its oracle {facts.oracle} was "
                "refuted in another report"
            )
            return None
        self.log(f"finalized report {facts.report_id}: {finalized.minted_t} t-CO2 minted")
        result.finalized += 1
        return None

    def record_violation(self, report: Report, result: PushResult) -> None:
        """Record the interval above capacity a void report rests on, unless the chain already
        holds one inside the report's span (e.g. recorded before a crash)."""
        evidence, fraud_proofs = report.violation, self.platform.fraud_proofs
        pid, meter = self.site.project_id, report.capped_meter
        span = report.capped_span
        if self._read(
            "reading recorded violations",
            lambda: fraud_proofs.violation_within(pid, meter, *span),
        ):
            return
        fraud_proofs.record_violation(self.sender, pid, evidence)
        self.log(
            f"recorded meter {meter}'s interval above capacity {to_iso(evidence.first[0])}.."
            f"{to_iso(evidence.second[0])}"
        )
        result.violations_recorded += 1

    def push(self, progress: Callable[[int], Any] | None = None) -> PushResult:
        """Finalize what is due and submit the next closed period from the chain's cursor on;
        stops cleanly when a report is pending (challenge window) or disputed."""
        result = PushResult()
        self.sender.wait_in_flight()
        start = self.next_start()
        if start == 0:
            raise ChainError(
                f"project {self.site.project_id}: monitoring not started; "
                "run `ape run oracle push --start DATE` once"
            )
        self.check_meters()
        crediting_start, crediting_end = self.crediting()
        bar = progress(self.closed_count(start, crediting_end)) if progress else None
        try:
            while True:
                self.sender.wait_in_flight()
                reason = self.settle_pending(result)
                if reason:
                    result.stopped = reason
                    return result
                start = self.next_start()
                period = self.next_period(start, crediting_end)
                if period is None:
                    return result
                report = self.build(period, crediting_start)
                self.hook("built", report)
                if report.violation is not None:
                    self.record_violation(report, result)
                label = f"report {to_iso(period[0])}..{to_iso(period[1])}"
                self.platform.reports.submit_report(self.sender, label, report.submission())
                result.submitted.append(report)
                state = (
                    "VOID " + "; ".join(report.problems)
                    if report.void
                    else (f"{report.self_consumed_wh} Wh, {report.reduction_g} g-CO2")
                )
                self.log(f"submitted {label}: {state}")
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
