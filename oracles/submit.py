"""Submit each closed period's report: resumable from chain state, retried on RPC errors.

Safety comes from the chain: the Registry keeps `next_period_start`, accepts a report only for
[next_period_start, period_end) and only readings newer than each meter's last accepted one. The
oracle therefore never keeps its own cursor. After a crash at any point it rereads the chain:
a report that was mined moved the cursor (no duplicate); one that was not is rebuilt and sent
(no gap). A transaction still in flight from an earlier run is waited for before reading state.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jcredit.errors import ChainError
from jcredit.registry import PendingReport, RegistryClient
from jcredit.tx import Sender
from jcredit.types import ReportStatus
from methodology.factors import FactorTable
from methodology.fiscal import next_month_boundary, to_iso
from oracles.errors import DataError
from oracles.intake import Intake
from oracles.report import Report, build_report, data_covers, end_batch
from oracles.site import SiteConfig

# Where tests inject a crash: after the report is built (the sender's hook covers "sent").
Hook = Callable[[str, Any], None]


@dataclass
class PushResult:
    submitted: list[Report] = field(default_factory=list)
    finalized: int = 0
    stopped: str = ""  # why the run stopped before the data ran out (empty: up to date)


@dataclass
class Oracle:
    """The feed of one site: its signature-checked data, the Registry, and the oracle's sender."""

    site: SiteConfig
    intake: Intake
    registry: RegistryClient
    sender: Sender
    factors: FactorTable
    now: Callable[[], int] = field(default=lambda: int(time.time()))
    log: Callable[[str], None] = print
    hook: Hook = field(default=lambda stage, value: None)

    # -- chain reads, retried on RPC errors ----------------------------------------------------
    def next_start(self) -> int:
        pid = self.site.project_id
        return self.sender.read(
            "reading next_period_start", lambda: self.registry.next_period_start(pid)
        )

    def crediting_end(self) -> int:
        pid = self.site.project_id
        return self.sender.read(
            "reading the project", lambda: self.registry.project(pid)
        ).crediting_end

    def pending(self) -> PendingReport:
        pid = self.site.project_id
        return self.sender.read(
            "reading the pending report", lambda: self.registry.pending_report(pid)
        )

    def chain_time(self) -> int:
        provider = self.sender.provider
        return int(
            self.sender.read(
                "reading the latest block", lambda: provider.get_block("latest").timestamp
            )
        )

    # -- the loop ----------------------------------------------------------------------------
    def start_monitoring(self, start: int) -> None:
        """First period start, with each meter's signed reading at `start` as its baseline."""
        readings = self.intake.readings
        signed = []
        for meter in self.site.meters:
            rows = readings[(readings["meter"] == meter.address) & (readings["timestamp"] <= start)]
            if rows.empty:
                raise DataError(
                    f"meter {meter.serial}: no signed reading at or before {to_iso(start)}"
                )
            signed.append(end_batch(self.intake, meter.address, int(rows["timestamp"].max())))
        self.sender.wait_in_flight()
        self.registry.start_monitoring(
            self.sender, self.site.project_id, start, [b.as_signed_reading() for b in signed]
        )
        self.log(f"monitoring of project {self.site.project_id} starts at {to_iso(start)}")

    def next_period(self, start: int, crediting_end: int) -> tuple[int, int] | None:
        """The period after `start` if it has closed (in time and in the data), else None."""
        if start >= crediting_end:
            return None
        end = min(next_month_boundary(start), crediting_end)
        if end > self.now() or not data_covers(self.intake.readings, self.site, end):
            return None
        return start, end

    def closed_count(self, start: int, crediting_end: int) -> int:
        count = 0
        while (period := self.next_period(start, crediting_end)) is not None:
            count, start = count + 1, period[1]
        return count

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
        self.registry.finalize(self.sender, self.site.project_id)
        self.log(f"finalized report {pending.report_id}")
        result.finalized += 1
        return None

    def push(self, progress: Callable[[int], Any] | None = None) -> PushResult:
        """Submit every closed period from the chain's cursor on; stops cleanly when blocked."""
        result = PushResult()
        self.sender.wait_in_flight()
        start = self.next_start()
        if start == 0:
            raise ChainError(
                f"project {self.site.project_id}: monitoring not started; "
                "run `ape run oracle push --start DATE` once"
            )
        crediting_end = self.crediting_end()
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
                report = build_report(self.site, self.intake, *period, self.factors)
                self.hook("built", report)
                label = f"report {to_iso(period[0])}..{to_iso(period[1])}"
                self.registry.submit_report(self.sender, label, report.submit_args())
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
