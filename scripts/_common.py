"""What every script shares: the deployments file, contract handles, accounts, errors and units.

`ape run` skips files whose names start with an underscore: this module is a library, not a script.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from oracles.chain import Deployment, revert_reason
from oracles.chain import load_deployment as read_deployments_file
from oracles.errors import ChainError

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI
    from ape.contracts import ContractInstance

JST = timezone(timedelta(hours=9), "JST")
G_PER_T = 1_000_000

# Tests and parallel runs point these elsewhere; users keep the defaults.
DEPLOYMENTS_DIR_ENV = "JCREDIT_DEPLOYMENTS_DIR"
OUT_DIR_ENV = "JCREDIT_OUT_DIR"

# Who does what on a local devnet when no --account is given: the funded devnet test accounts
# (mnemonic "test test ... junk", public, never for real funds).
DEVNET_ROLE_INDEX = {"admin": 0, "validator": 1, "owner": 2, "oracle": 3, "buyer": 4}


class ScriptError(click.ClickException):
    """A user-facing failure: printed as `Error: ...` and the script exits with status 1."""


def deployments_dir() -> Path:
    return Path(os.environ.get(DEPLOYMENTS_DIR_ENV, "deployments"))


def out_dir(default: str) -> Path:
    return Path(os.environ.get(OUT_DIR_ENV, "out")) / default


def network_label(provider: ProviderAPI) -> str:
    network = provider.network
    return f"{network.ecosystem.name}:{network.name}:{provider.name}"


def deployments_path(provider: ProviderAPI) -> Path:
    network = provider.network
    return deployments_dir() / f"{network.ecosystem.name}-{network.name}.json"


def write_deployment(provider: ProviderAPI, deployment: Deployment) -> Path:
    path = deployments_path(provider)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(deployment), indent=2) + "\n")
    return path


def read_deployment_file(provider: ProviderAPI) -> Deployment | None:
    path = deployments_path(provider)
    if not path.is_file():
        return None
    try:
        return read_deployments_file(path)
    except ChainError as err:
        raise ScriptError(f"{err}: rerun `ape run deploy`") from err


def live_deployment(provider: ProviderAPI) -> Deployment | None:
    """The deployment recorded for this network if it is on this chain, else None."""
    from ape import chain

    deployment = read_deployment_file(provider)
    if deployment is None or deployment.chain_id != chain.chain_id:
        return None
    for address in (deployment.registry, deployment.credit):
        if not chain.provider.get_code(address):
            return None
    return deployment


def load_deployment(provider: ProviderAPI) -> Deployment:
    """The deployment every script but `deploy` works on; a clear error when there is none."""
    path = deployments_path(provider)
    deployment = live_deployment(provider)
    if deployment is None:
        label = network_label(provider)
        reason = "no such file" if not path.is_file() else "its contracts are not on this chain"
        raise ScriptError(
            f"no deployment for {label} in {path} ({reason}): "
            f"run `ape run deploy --network {label}` first"
        )
    return deployment


def contracts(provider: ProviderAPI) -> tuple[ContractInstance, ContractInstance]:
    """(Registry, CarbonCredit) of this network's deployment."""
    from ape import project

    deployment = load_deployment(provider)
    return (
        project.Registry.at(deployment.registry),
        project.CarbonCredit.at(deployment.credit),
    )


def account_option(role: str, who: str | None = None) -> Callable:
    """--account ALIAS (ape accounts, or TEST::n); unset means the devnet test account of `role`.

    ape.cli's account_option prompts when unset and takes no help text; scripts must run unattended
    on a devnet, so this is the same option type without the prompt.
    """
    from ape.cli import AccountAliasPromptChoice

    index = DEVNET_ROLE_INDEX[role]
    return click.option(
        "--account",
        type=AccountAliasPromptChoice(),
        help=f"{who or 'The ' + role}: an `ape accounts` alias (devnet default: TEST::{index}).",
    )


def utf8_limit(limit: int) -> Callable:
    """click callback refusing text longer than the contract's String[limit], which counts UTF-8
    bytes (a Japanese character takes 3)."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None and len(value.encode()) > limit:
            raise click.BadParameter(
                f"{len(value.encode())} bytes in UTF-8; the contract stores at most {limit}"
            )
        return value

    return check


def checksum_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """click callback: a 20-byte hex address, returned checksummed (events compare that way)."""
    from eth_utils import is_address, to_checksum_address

    if value is None:
        return None
    if not is_address(value):
        raise click.BadParameter(f"{value!r} is not an address (0x followed by 40 hex digits)")
    return to_checksum_address(value)


def pick_account(provider: ProviderAPI, account: AccountAPI | None, role: str) -> AccountAPI:
    """The --account given, or on a local devnet the test account that plays `role`."""
    if account is not None:
        return account
    if provider.network.is_local:
        from ape import accounts

        return accounts.test_accounts[DEVNET_ROLE_INDEX[role]]
    raise ScriptError(
        f"--account is required on {network_label(provider)} (the {role}): "
        "pass an alias from `ape accounts list`"
    )


def pick_address(provider: ProviderAPI, address: str | None, role: str, option: str) -> str:
    """An address option, defaulting on a local devnet to the test account that plays `role`."""
    if address is not None:
        return address
    if provider.network.is_local:
        from ape import accounts

        return accounts.test_accounts[DEVNET_ROLE_INDEX[role]].address
    raise ScriptError(f"{option} is required on {network_label(provider)}")


@contextmanager
def refused(action: str) -> Iterator[None]:
    """Turn Ape's errors (bad argument, declined signature, revert) into a ScriptError that names
    the action and the reason; `send` dry-runs first so a revert here means nothing was sent."""
    from ape.exceptions import ApeException

    try:
        yield
    except ApeException as err:
        raise ScriptError(f"{action} refused: {revert_reason(err)}") from err


def send(action: str, method: Any, *args: Any, sender: AccountAPI) -> Any:
    """Dry-run a transaction with eth_call, then send it; its receipt.

    On a local network Ape sends even a transaction that will revert (to trace it), which would
    spend gas and a nonce: the dry run refuses it first, so wrong input changes nothing at all.
    """
    from ape import chain
    from eth_tester.exceptions import TransactionFailed
    from web3.exceptions import ContractLogicError

    with refused(action):
        data = method.encode_input(*args)
    call = {"from": sender.address, "to": method.contract.address, "data": data}
    # Plain eth_call through web3: Ape's own call would print a call trace of the revert. The
    # embedded chain (eth-tester) raises its own exception type for the same revert.
    try:
        chain.provider.web3.eth.call(call)
    except (ContractLogicError, TransactionFailed) as err:
        raise ScriptError(f"{action} refused: {revert_reason(err)}") from err
    with refused(action):
        return method(*args, sender=sender)


def parse_jst(value: str, option: str) -> int:
    """`YYYY-MM-DD` (midnight JST) or ISO 8601 with an offset -> seconds since epoch."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise ScriptError(
            f"{option}: {value!r} is not a date (YYYY-MM-DD) or ISO 8601 time"
        ) from err
    if parsed.tzinfo is None:
        if len(value) != 10:
            raise ScriptError(f"{option}: {value!r} needs a UTC offset, e.g. {value}+09:00")
        parsed = parsed.replace(tzinfo=JST)
    return int(parsed.timestamp())


def jst(ts: int) -> str:
    """Seconds since epoch -> ISO 8601 in JST, for people."""
    return datetime.fromtimestamp(ts, JST).isoformat()


def split_token_id(token: int) -> tuple[int, int]:
    """token id -> (project_id, fiscal_year)."""
    return token >> 16, token & 0xFFFF


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
