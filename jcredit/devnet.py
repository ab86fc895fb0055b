"""Local devnets: which one `make demo` can use, and moving a devnet's clock.

Which devnet `make demo` uses is checked before Ape connects, in plain sockets.
Ape's foundry provider connects to whatever listens on its host (127.0.0.1:8545 unless
APE_FOUNDRY_HOST says otherwise) and starts anvil only when nothing does. Two listeners make the
demo fail late and obscurely: something that is not a JSON-RPC node (Ape waits 20 s, then an
RPCTimeoutError traceback) and an anvil started with another mnemonic (the devnet test accounts
have no ether: "Transfer value meets or exceeds account balance"). `python -m jcredit.devnet
[URL]` prints the URL the demo should use: the given one when it is free or a usable anvil,
otherwise a free local port (Ape starts its own anvil there), with one line on stderr saying why.

The clock: `advance_time` moves a local chain's clock forward (past a challenge window, an admin
delay or an unbonding delay), which real networks of course never allow.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import urllib.error
import urllib.request
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from jcredit.deployment import network_label
from jcredit.errors import InputError, JCreditError

if TYPE_CHECKING:
    from ape.api import ProviderAPI

DEFAULT_URL = "http://127.0.0.1:8545"
# Test account 0 of the public devnet mnemonic "test test ... junk" (the demo's admin).
DEVNET_ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
PROBE_TIMEOUT_S = 3.0


def _rpc(url: str, method: str, params: list) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S) as response:
        return json.loads(response.read())["result"]


def listener_problem(url: str) -> str | None:
    """Why the devnet at `url` cannot run the demo, or None (nothing listens, or a usable anvil)."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 8545
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return None  # free: Ape starts its own anvil there
    where = f"{host}:{port}"
    try:
        version = str(_rpc(url, "web3_clientVersion", []))
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
        return f"{where} is taken by something that is not anvil (no JSON-RPC answer)"
    if "anvil" not in version.lower():
        return f"{where} is taken by {version}, not anvil"
    try:
        balance = int(str(_rpc(url, "eth_getBalance", [DEVNET_ADMIN, "latest"])), 16)
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
        return f"the anvil on {where} did not answer eth_getBalance"
    if balance == 0:
        return (
            f"the anvil on {where} was started with another mnemonic (the devnet test account "
            f"{DEVNET_ADMIN} has no ether)"
        )
    return None


def free_local_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def demo_url(url: str) -> tuple[str, str | None]:
    """(the URL the demo should use, why it is not `url`, or None)."""
    problem = listener_problem(url)
    if problem is None:
        return url, None
    other = free_local_url()
    return other, (
        f"{problem}: the demo runs on a fresh anvil at {other} instead (stop that listener to "
        "use the default port)"
    )


def advance_time(provider: ProviderAPI, seconds: int) -> int:
    """Move the devnet's clock `seconds` forward and mine a block at the new time; that block's
    timestamp. anvil (ethereum:local:foundry) and Ape's embedded chain (ethereum:local:test)."""
    from ape import chain

    if seconds <= 0:
        raise InputError(f"seconds: {seconds}; advance the clock by a positive number of seconds")
    if not provider.network.is_local:
        raise JCreditError(
            f"advancing time is for local devnets only, not {network_label(provider)}"
        )
    if provider.name == "foundry":
        # evm_increaseTime keeps the offset for every later block, not just the next one.
        provider.make_request("evm_increaseTime", [seconds])
        provider.make_request("evm_mine", [])
    elif provider.name == "test":
        chain.mine(timestamp=int(chain.blocks.head.timestamp) + seconds)
    else:
        raise JCreditError(
            f"advancing time needs anvil (ethereum:local:foundry) or the embedded chain "
            f"(ethereum:local:test), not {network_label(provider)}"
        )
    return int(chain.blocks.head.timestamp)


def main(argv: list[str]) -> int:
    url = argv[0] if argv else os.environ.get("APE_FOUNDRY_HOST", DEFAULT_URL)
    chosen, notice = demo_url(url)
    if notice:
        print(notice, file=sys.stderr)
    print(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
