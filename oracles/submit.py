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

from methodology.factors import FactorTable
from methodology.fiscal import next_month_boundary, to_iso
from oracles.chain import Retry, revert_reason, with_retry
from oracles.errors import ChainError, DataError
from oracles.intake import Intake
from oracles.report import Report, build_report, data_covers, end_batch
from oracles.roles import ReportStatus
from oracles.site import SiteConfig

# Stages where tests inject a crash: after the report is built, after the transaction is sent.
Hook = Callable[[str, Any], None]


@dataclass
class PushResult:
    submitted: list[Report] = field(default_factory=list)
    finalized: int = 0
    stopped: str = ""  # why the run stopped before the data ran out (empty: up to date)


@dataclass
class Oracle:
    site: SiteConfig
    intake: Intake
    registry: Any  # ape ContractInstance of Registry
    account: Any  # ape AccountAPI: the project's oracle
    provider: Any  # ape ProviderAPI
    factors: FactorTable
    retry: Retry = field(default_factory=Retry)
    now: Callable[[], int] = field(default=lambda: int(time.time()))
    log: Callable[[str], None] = print
    hook: Hook = field(default=lambda stage, value: None)
    receipt_timeout: float = 120.0
    in_flight_timeout: float = 60.0

    # -- chain reads -------------------------------------------------------------------------
    def _call(self, action: str, fn: Callable[[], Any]) -> Any:
        return with_retry(action, fn, self.retry, log=self.log)

    def next_start(self) -> int:
        pid = self.site.project_id
        return int(
            self._call("reading next_period_start", lambda: self.registry.next_period_start(pid))
        )

    def crediting_end(self) -> int:
        pid = self.site.project_id
        return int(
            self._call("reading the project", lambda: self.registry.projects(pid)).crediting_end
        )

    def pending(self) -> Any:
        pid = self.site.project_id
        return self._call("reading the pending report", lambda: self.registry.pending_report(pid))

    def chain_time(self) -> int:
        return int(
            self._call(
                "reading the latest block", lambda: self.provider.get_block("latest").timestamp
            )
        )

    # -- transactions ------------------------------------------------------------------------
    def wait_in_flight(self) -> None:
        """Block until no transaction of this account is pending (e.g. sent before a crash)."""
        web3, address = self.provider.web3, self.account.address
        timeout = self.in_flight_timeout
        deadline = time.monotonic() + timeout
        while True:
            pending = self._call(
                "reading nonces", lambda: web3.eth.get_transaction_count(address, "pending")
            )
            latest = self._call(
                "reading nonces", lambda: web3.eth.get_transaction_count(address, "latest")
            )
            if pending <= latest:
                return
            if time.monotonic() > deadline:
                raise ChainError(
                    f"{pending - latest} transaction(s) from {address} are still pending after "
                    f"{timeout:g} s; rerun when they are mined or dropped"
                )
            time.sleep(1.0)

    def preflight(self, action: str, txn: Any) -> None:
        """eth_call the transaction first: a revert is reported with its reason, never sent."""
        from ape.exceptions import ContractLogicError as ApeLogicError
        from web3.exceptions import ContractLogicError

        call = {"from": self.account.address, "to": txn.receiver, "data": bytes(txn.data)}
        try:
            self._call(action, lambda: self.provider.web3.eth.call(call))
        except (ContractLogicError, ApeLogicError) as exc:
            raise ChainError(f"{action} refused by the contract: {revert_reason(exc)}") from None

    def send(self, action: str, method: Any, *args: Any) -> Any:
        """Estimate (reverts surface here, nothing is sent), sign, send, wait for the receipt."""
        txn = self._call(action, lambda: method.as_transaction(*args, sender=self.account))
        self.preflight(action, txn)
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise ChainError(f"{action}: the account declined to sign")
        raw = signed.serialize_transaction()
        web3 = self.provider.web3
        tx_hash = self._call(action, lambda: web3.eth.send_raw_transaction(raw))
        self.hook("sent", tx_hash)
        receipt = self._call(
            action,
            lambda: web3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.receipt_timeout),
        )
        if receipt["status"] != 1:
            raise ChainError(f"{action}: transaction 0x{bytes(tx_hash).hex()} reverted when mined")
        return receipt

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
        self.wait_in_flight()
        self.send(
            f"start_monitoring at {to_iso(start)}",
            self.registry.start_monitoring,
            self.site.project_id,
            start,
            [b.as_signed_reading() for b in signed],
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
        status = int(pending.status)
        if status == ReportStatus.NONE:
            return None
        if status == ReportStatus.DISPUTED:
            return f"report {pending.report_id} is disputed: a validator must resolve it first"
        deadline = int(pending.challenge_deadline)
        if self.chain_time() < deadline:
            return (
                f"report {pending.report_id} is in its challenge window until {to_iso(deadline)}; "
                "the next period is submitted after it is finalized"
            )
        self.send(
            f"finalize report {pending.report_id}", self.registry.finalize, self.site.project_id
        )
        self.log(f"finalized report {pending.report_id}")
        result.finalized += 1
        return None

    def push(self, progress: Callable[[int], Any] | None = None) -> PushResult:
        """Submit every closed period from the chain's cursor on; stops cleanly when blocked."""
        result = PushResult()
        self.wait_in_flight()
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
                self.wait_in_flight()
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
                self.send(label, self.registry.submit_report, *report.submit_args())
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
