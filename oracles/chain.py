"""Chain access for the oracle: deployments file, RPC retries with backoff, revert reasons."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from oracles.errors import ChainError
from oracles.roles import token_id

__all__ = ["Deployment", "Retry", "load_deployment", "revert_reason", "token_id", "with_retry"]

T = TypeVar("T")


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    registry: str
    credit: str
    deployer: str
    block: int


def load_deployment(path: Path) -> Deployment:
    """`deployments/<ecosystem>-<network>.json` as written by `ape run deploy`."""
    try:
        data = json.loads(Path(path).read_text())
        return Deployment(**{key: data[key] for key in Deployment.__dataclass_fields__})
    except FileNotFoundError:
        raise ChainError(f"{path}: no deployments file; run `ape run deploy` first") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ChainError(f"{path}: not a deployments file ({exc})") from None


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
                    f"({type(exc).__name__}: {exc}); check the RPC endpoint and rerun: the "
                    "oracle resumes from the chain's state"
                ) from None
            log(f"{action}: RPC error ({type(exc).__name__}), retrying in {delay:g} s")
            sleep(delay)
    raise AssertionError("unreachable")


def revert_reason(exc: BaseException) -> str:
    message = getattr(exc, "revert_message", None) or getattr(exc, "message", None) or str(exc)
    return str(message).strip().removeprefix("execution reverted: ") or type(exc).__name__
