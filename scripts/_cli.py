"""CLI glue the scripts share: options, argument checks and turning SDK errors into one line.

`ape run` skips files whose names start with an underscore. Everything that is not about the
command line lives in the SDK (`jcredit`), the oracle (`oracles`) or the methodology.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from ape.cli import ConnectedProviderCommand

from jcredit.accounts import DEVNET_ROLE_INDEX, role_account
from jcredit.addresses import AddressError, checked_address
from jcredit.connect import Platform, connect
from jcredit.deployment import network_label
from jcredit.errors import JCreditError
from jcredit.tx import Sender
from jcredit.types import token_id
from methodology.errors import MethodologyError
from methodology.fiscal import parse_time
from oracles.errors import OracleError

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI

OUT_DIR_ENV = "JCREDIT_OUT_DIR"


class ScriptError(click.ClickException):
    """A user-facing failure: printed as `Error: ...` and the script exits with status 1."""


@contextmanager
def user_errors() -> Iterator[None]:
    """Errors that name bad input or a refusal become one `Error: ...` line, not a traceback."""
    try:
        yield
    except (JCreditError, OracleError, MethodologyError) as exc:
        raise ScriptError(str(exc)) from None


def _unconfigured_rpc(provider: ProviderAPI) -> str | None:
    """Why `provider` cannot be used as given: a remote network with no RPC configured.

    Ape would otherwise try random public RPCs (about twenty warning lines, each a request to a
    host nobody chose) and end in a traceback. Local and dev networks need no configuration.
    """
    network = provider.network
    if network.is_local or network.is_dev or network.name == "custom":
        return None
    # Ape's Ethereum node providers keep the configured RPC in `_configured_rpc` (ape 0.8,
    # pinned); other provider plugins configure themselves and are left to themselves.
    configured = getattr(type(provider), "_configured_rpc", None)
    if configured is None or provider._configured_rpc or os.environ.get("WEB3_PROVIDER_URI"):
        return None
    label = network_label(provider)
    ecosystem, name = network.ecosystem.name, network.name
    return (
        f"{label} has no RPC configured: add `{provider.name}: {{{ecosystem}: {{{name}: {{uri: "
        f"https://YOUR-RPC}}}}}}` to ape-config.yaml (README, Real networks)"
    )


class ConnectedCommand(ConnectedProviderCommand):
    """Ape's ConnectedProviderCommand, refusing in one line a network it cannot connect to."""

    def invoke(self, ctx: click.Context) -> Any:
        from ape.api import ProviderAPI

        # network_option() hands the chosen, not yet connected provider to the command.
        for provider in ctx.params.values():
            if isinstance(provider, ProviderAPI) and not provider.is_connected:
                problem = _unconfigured_rpc(provider)
                if problem:
                    raise ScriptError(problem)
        return super().invoke(ctx)


def active(provider: ProviderAPI) -> ProviderAPI:
    """The connected provider. Normally the one click passes; when the network was already
    connected in-process (tests, the demo), click passes a fresh unconnected instance."""
    from ape import networks

    return provider if provider.is_connected else networks.active_provider


def platform_of(provider: ProviderAPI, deployments_file: Path | None = None) -> Platform:
    with user_errors():
        return connect(active(provider), deployments_file)


def sender_for(provider: ProviderAPI, account: AccountAPI | None, role: str) -> Sender:
    """The transaction sender of --account, or of the role's devnet test account."""
    provider = active(provider)
    with user_errors():
        return Sender(role_account(provider, account, role), provider, log=click.echo)


def out_dir(default: str) -> Path:
    """Where a command writes its files by default: `$JCREDIT_OUT_DIR/<default>` or out/."""
    return Path(os.environ.get(OUT_DIR_ENV, "out")) / default


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


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


def deployments_option() -> Callable:
    """--deployments FILE, for commands that may read another deployments file."""
    return click.option(
        "--deployments",
        "deployments_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Deployments JSON (default: deployments/<ecosystem>-<network>.json).",
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


def beneficiary_text(limit: int) -> Callable:
    """click callback: text without surrounding spaces that is not empty, at most `limit` UTF-8
    bytes (a retirement for a blank beneficiary could never be claimed again)."""
    check_length = utf8_limit(limit)

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            raise click.BadParameter("is empty or only spaces: name who claims the reduction")
        return check_length(ctx, param, value)

    return check


def checksum_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """click callback: a 20-byte hex address, returned checksummed (events compare that way).

    A mixed-case address must pass its EIP-55 checksum (a typo would otherwise send credits to an
    address nobody holds); all-lowercase input carries no checksum and is accepted.
    """
    if value is None:
        return None
    try:
        return checked_address(value)
    except AddressError as exc:
        raise click.BadParameter(str(exc)) from None


_WEI_PER = {"wei": 1, "gwei": 10**9, "ether": 10**18, "eth": 10**18}


def amount_value(value: str, option: str) -> int:
    """An amount of the chain's currency, `1 ether`, `0.5ether`, `20 gwei` or whole wei, in wei."""
    from decimal import Decimal, InvalidOperation

    text = value.strip().lower()
    number, unit = text, "wei"
    for name in sorted(_WEI_PER, key=len, reverse=True):
        if text.endswith(name):
            number, unit = text.removesuffix(name).strip(), name
            break
    try:
        wei = Decimal(number) * _WEI_PER[unit]
    except InvalidOperation:
        wei = Decimal(-1)
    if wei <= 0 or wei != wei.to_integral_value():
        raise ScriptError(
            f"{option}: {value!r} is not a positive amount (e.g. `1 ether`, `20 gwei`, or wei)"
        )
    return int(wei)


def format_wei(wei: int) -> str:
    """wei as ether for people, exact."""
    from decimal import Decimal

    ether = Decimal(wei) / Decimal(10**18)
    return f"{ether.normalize():f} ether ({wei} wei)"


def time_option_value(value: str, option: str) -> int:
    """A `YYYY-MM-DD` (JST) or ISO 8601 option value in seconds since the epoch."""
    try:
        return parse_time(value)
    except ValueError as exc:
        raise ScriptError(f"{option}: {exc}") from None


def token_options(command: Callable) -> Callable:
    """--token-id, or --project with --fiscal-year: which credits a command is about."""
    command = click.option(
        "--fiscal-year",
        type=click.IntRange(2000, 65535),
        help="Vintage: fiscal year (April-March, JST) the credits were earned in.",
    )(command)
    command = click.option(
        "--project",
        "project_id",
        type=click.IntRange(min=1),
        help="Project id (with --fiscal-year).",
    )(command)
    return click.option(
        "--token-id",
        "token",
        type=click.IntRange(min=0),
        help="Token id (project << 16 | fiscal year), instead of --project/--fiscal-year.",
    )(command)


def validity_banner(platform: Platform, fiscal_years: list[int] | set[int]) -> str:
    """ "NOT VALID FOR J-CREDIT: ..." for figures of these vintages on this chain, or "": the
    on-chain factor of each fiscal year against the verified table, and the chain id."""
    from jcredit.validity import banner, problems

    factors = {
        year: platform.registry.emission_factor(year).factor_g_per_mwh or None
        for year in fiscal_years
    }
    return banner(problems(platform.deployment.chain_id, factors))


def echo_banner(text: str) -> None:
    if text:
        click.secho(text, fg="red", bold=True)


def known_token(platform: Platform, token: int) -> int:
    """`token`, refused with `unknown project N` when its project was never registered and no
    credit of it was ever minted (a typo in --project would otherwise read as a zero balance)."""
    from jcredit.types import split_token_id

    project_id, _ = split_token_id(token)
    with user_errors():
        if project_id > platform.registry.project_count() and platform.credit.minted(token) == 0:
            platform.registry.project(project_id)  # raises: unknown project N ...
    return token


def resolve_token(token: int | None, project_id: int | None, fiscal_year: int | None) -> int:
    if token is not None:
        if project_id is not None or fiscal_year is not None:
            raise ScriptError("give either --token-id or --project with --fiscal-year, not both")
        return token
    if project_id is None or fiscal_year is None:
        raise ScriptError("name the credits: --token-id, or --project with --fiscal-year")
    return token_id(project_id, fiscal_year)
