"""Every transaction the SDK sends: dry run, sign, send, wait, with retries and revert reasons.

A transaction is first run with `eth_call`: a revert is reported with the contract's reason and
nothing is sent (no gas, no nonce), so wrong input never changes the chain. Errors of the
connection to the node are retried with backoff; answers from the chain (reverts) are not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from jcredit.errors import ChainError

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI, ReceiptAPI

T = TypeVar("T")
# Stages where tests inject a crash: after a transaction is sent, before its receipt.
Hook = Callable[[str, Any], None]


@dataclass(frozen=True)
class Retry:
    """Backoff for RPC errors: `attempts` tries, delays first_delay * factor**n, capped."""

    attempts: int = 6
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 30.0

    def delays(self) -> list[float]:
        return [
            min(self.first_delay * self.factor**n, self.max_delay) for n in range(self.attempts - 1)
        ]


def is_transient(exc: BaseException) -> bool:
    """Errors of the connection to the node (retry), as opposed to answers from the chain (stop)."""
    import requests
    from ape.exceptions import ContractLogicError, ProviderNotConnectedError, RPCTimeoutError

    if isinstance(exc, ContractLogicError):
        return False
    if isinstance(
        exc,
        ConnectionError
        | TimeoutError
        | requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | ProviderNotConnectedError
        | RPCTimeoutError,
    ):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and is_transient(cause)


def with_retry(
    action: str,
    call: Callable[[], T],
    retry: Retry,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = print,
) -> T:
    """Run `call`, retrying node connection errors with backoff; other errors pass through."""
    for delay in [*retry.delays(), None]:
        try:
            return call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if delay is None:
                raise ChainError(
                    f"{action}: the node did not answer after {retry.attempts} attempts "
                    f"({type(exc).__name__}: {exc}); check the RPC endpoint and rerun"
                ) from None
            log(f"{action}: RPC error ({type(exc).__name__}), retrying in {delay:g} s")
            sleep(delay)
    raise AssertionError("unreachable")


def revert_reason(exc: BaseException) -> str:
    """The contract's revert message (`registry: ...`) without the node's prefix."""
    message = getattr(exc, "revert_message", None) or getattr(exc, "message", None) or str(exc)
    return str(message).strip().removeprefix("execution reverted: ") or type(exc).__name__


@dataclass
class Sender:
    """An account that sends the SDK's transactions: dry-run first, then sign, send, wait.

    `retry` covers every RPC call (reads too, through `read`); `sleep` is what waiting uses, so
    tests and long-running feeds can replace it.
    """

    account: AccountAPI
    provider: ProviderAPI
    retry: Retry = field(default_factory=Retry)
    log: Callable[[str], None] = print
    hook: Hook = field(default=lambda stage, value: None)
    sleep: Callable[[float], None] = time.sleep
    receipt_timeout: float = 120.0
    in_flight_timeout: float = 60.0

    @property
    def address(self) -> str:
        return self.account.address

    def read(self, action: str, call: Callable[[], T]) -> T:
        """A chain read, retried on connection errors."""
        return with_retry(action, call, self.retry, sleep=self.sleep, log=self.log)

    def dry_run(self, action: str, method: Any, *args: Any, value: int = 0) -> bytes:
        """eth_call the transaction; a revert raises ChainError with its reason. Returns calldata.

        Plain eth_call through web3: Ape's own call would print a call trace of the revert, and on
        a local network Ape would even send a reverting transaction (to trace it).
        """
        from ape.exceptions import ApeException
        from ape.exceptions import ContractLogicError as ApeLogicError
        from eth_tester.exceptions import TransactionFailed
        from web3.exceptions import ContractLogicError

        try:
            data = method.encode_input(*args)
        except (ApeException, ValueError, TypeError) as exc:
            raise ChainError(f"{action} refused: {revert_reason(exc)}") from None
        call = {"from": self.address, "to": method.contract.address, "data": data}
        if value:
            call["value"] = value
        try:
            self.read(action, lambda: self.provider.web3.eth.call(call))
        # The embedded chain (eth-tester) raises its own type for the same revert.
        except (ContractLogicError, ApeLogicError, TransactionFailed) as exc:
            raise ChainError(f"{action} refused: {revert_reason(exc)}") from None
        return data

    def send(self, action: str, method: Any, *args: Any, value: int = 0) -> ReceiptAPI:
        """Dry-run, sign, send and wait for the transaction; its (Ape) receipt, events decodable.

        `value`: wei sent with the call (payable methods only, e.g. posting a bond).
        """
        from ape.exceptions import ApeException

        self.dry_run(action, method, *args, value=value)
        try:
            txn = self.read(
                action, lambda: method.as_transaction(*args, sender=self.account, value=value)
            )
            signed = self.account.sign_transaction(txn)
        except ApeException as exc:
            raise ChainError(f"{action} refused: {revert_reason(exc)}") from None
        if signed is None:
            raise ChainError(f"{action}: the account declined to sign")
        raw = signed.serialize_transaction()
        web3 = self.provider.web3
        tx_hash = self.read(action, lambda: web3.eth.send_raw_transaction(raw))
        self.hook("sent", tx_hash)
        receipt = self.read(
            action,
            lambda: web3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.receipt_timeout),
        )
        if receipt["status"] != 1:
            raise ChainError(f"{action}: transaction 0x{bytes(tx_hash).hex()} reverted when mined")
        return self.read(action, lambda: self.provider.get_receipt("0x" + bytes(tx_hash).hex()))

    def wait_in_flight(self) -> None:
        """Block until no transaction of this account is pending (e.g. one sent before a crash),
        so what is read next is the state after it."""
        web3, address = self.provider.web3, self.address
        deadline = time.monotonic() + self.in_flight_timeout
        while True:
            pending = self.read(
                "reading nonces", lambda: web3.eth.get_transaction_count(address, "pending")
            )
            latest = self.read(
                "reading nonces", lambda: web3.eth.get_transaction_count(address, "latest")
            )
            if pending <= latest:
                return
            if time.monotonic() > deadline:
                raise ChainError(
                    f"{pending - latest} transaction(s) from {address} are still pending after "
                    f"{self.in_flight_timeout:g} s; rerun when they are mined or dropped"
                )
            self.sleep(1.0)
