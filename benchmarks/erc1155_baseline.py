"""ERC-1155 transfer gas: CarbonCredit against OpenZeppelin Contracts 5.4 `ERC1155`, same anvil run.

OpenZeppelin's baseline is `OZCredit` (benchmarks/oz_erc1155.js): the smallest concrete OZ 5.4
ERC1155, compiled with solc-js 0.8.28, optimizer on, 200 runs, from the npm packages pinned in
package.json (`npm ci` installs them; nothing is downloaded at run time). CarbonCredit is compiled
with the venv's vyper and minted through a stand-in minter contract
(benchmarks/contracts/StandInMinter.vy) bound with `bind_registry`, so no report is needed.

Both contracts are deployed on a fresh anvil started on a free port, the same holder gets the same
amount of the same token id on both, then the holder calls `safeTransferFrom(holder, to, id, 1,
"")` twice to a receiver that never held the token: the first transfer is to a NEW receiver (its
balance slot goes from zero to non-zero), the second to an EXISTING receiver. The receivers are
EOAs (the receiver hook is not called; the code-size check is paid). Figures are the `gasUsed` of
the receipts: what the transaction paid, intrinsic gas and refunds included. Each contract gets
its own receivers so neither warms anything for the other.

CarbonCredit reads its pause flag only while it holds ether (contracts/modules/credit_pause.vy:
`pause` must send 1 wei, `unpause` returns it). For the record, the same two transfers are also
measured with 1 wei forced into CarbonCredit (`anvil_setBalance`), i.e. what a transfer costs when
the flag is read (ether forced in from outside, not yet returned by an unpause).

Target: CarbonCredit's transfer costs at most OpenZeppelin's (ratio <= 1.00) in both cases.
benchmarks/bench_gas.py runs this in the same `make bench` and writes it into out/bench/gas.json.
"""

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from eth_abi import encode
from web3 import Web3

ROOT = Path(__file__).resolve().parents[1]
ANVIL_IN_NODE_MODULES = ROOT / "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
TARGET_RATIO = 1.00
TOKEN_ID = (1 << 16) | 2025  # project 1, fiscal year 2025
MINTED = 1_000
AMOUNT = 1


def compile_openzeppelin() -> dict:
    """abi, bytecode and compiler versions of OZCredit (node + solc-js)."""
    if not (ROOT / "node_modules/solc").is_dir():
        raise SystemExit("node_modules/solc missing: run `npm ci --ignore-scripts` first")
    out = subprocess.run(
        ["node", str(ROOT / "benchmarks/oz_erc1155.js")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def compile_vyper(path: Path) -> dict:
    """abi and deployable bytecode of a Vyper contract, compiled by the venv's vyper."""
    out = subprocess.run(
        [sys.executable, "-m", "vyper", "-f", "abi,bytecode", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return {"abi": json.loads(out[0]), "bytecode": out[1].strip()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def anvil_binary() -> str:
    found = shutil.which("anvil") or (
        str(ANVIL_IN_NODE_MODULES) if ANVIL_IN_NODE_MODULES.exists() else None
    )
    if found is None:
        raise SystemExit("anvil not found: run `make install`")
    return found


class Anvil:
    """An anvil of our own on a free port, stopped on exit."""

    def __enter__(self) -> Web3:
        port = free_port()
        self.process = subprocess.Popen(
            [anvil_binary(), "--port", str(port), "--silent"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 30}))
        deadline = time.monotonic() + 30
        while True:
            try:
                if w3.is_connected():
                    return w3
            except Exception:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("anvil did not start")
            time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def send(w3: Web3, tx) -> dict:
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction reverted: {tx}")
    return receipt


def deploy(w3: Web3, artifact: dict, sender: str, ctor_types=(), ctor_args=()):
    data = artifact["bytecode"] + encode(list(ctor_types), list(ctor_args)).hex()
    receipt = send(w3, {"from": sender, "data": data})
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


def transfers(w3: Web3, token, holder: str, receiver: str) -> dict[str, int]:
    """gasUsed of a transfer to a new receiver, then of a second one to the same receiver."""
    assert token.functions.balanceOf(receiver, TOKEN_ID).call() == 0
    figures = {}
    for case in ("new_receiver", "existing_receiver"):
        call = token.functions.safeTransferFrom(holder, receiver, TOKEN_ID, AMOUNT, b"")
        figures[case] = send(w3, call.build_transaction({"from": holder}))["gasUsed"]
    assert token.functions.balanceOf(receiver, TOKEN_ID).call() == 2 * AMOUNT
    return figures


def run(w3: Web3, oz_artifact: dict) -> dict:
    admin, holder, oz_receiver, credit_receiver, flag_receiver = w3.eth.accounts[:5]
    oz = deploy(w3, oz_artifact, admin)
    send(w3, oz.functions.mint(holder, TOKEN_ID, MINTED).build_transaction({"from": admin}))

    credit = deploy(
        w3,
        compile_vyper(ROOT / "contracts/CarbonCredit.vy"),
        admin,
        ["string"],
        ["https://credits.example/"],
    )
    minter = deploy(w3, compile_vyper(ROOT / "benchmarks/contracts/StandInMinter.vy"), admin)
    send(w3, credit.functions.bind_registry(minter.address).build_transaction({"from": admin}))
    mint = minter.functions.mint(credit.address, holder, TOKEN_ID, MINTED)
    send(w3, mint.build_transaction({"from": admin}))
    assert credit.functions.balanceOf(holder, TOKEN_ID).call() == MINTED

    gas = {
        "openzeppelin": transfers(w3, oz, holder, oz_receiver),
        "carbon_credit": transfers(w3, credit, holder, credit_receiver),
    }
    w3.provider.make_request("anvil_setBalance", [credit.address, "0x1"])
    gas["carbon_credit_flag_read"] = transfers(w3, credit, holder, flag_receiver)
    sizes = {
        "openzeppelin": len(w3.eth.get_code(oz.address)),
        "carbon_credit": len(w3.eth.get_code(credit.address)),
    }
    return {"gas": gas, "runtime_bytecode_bytes": sizes, "anvil": w3.client_version}


def measure() -> dict:
    """Both contracts' transfers on a fresh anvil: gas, ratios and what the baseline is."""
    oz_artifact = compile_openzeppelin()
    with Anvil() as w3:
        measured = run(w3, oz_artifact)
    gas = measured["gas"]
    ratios = {
        case: round(gas["carbon_credit"][case] / gas["openzeppelin"][case], 4)
        for case in ("new_receiver", "existing_receiver")
    }
    return {
        "unit": "gasUsed of the safeTransferFrom receipt (anvil), amount 1, EOA receivers",
        "baseline": {
            "contract": "OZCredit is OpenZeppelin ERC1155 (benchmarks/oz_erc1155.js)",
            "openzeppelin_contracts": oz_artifact["openzeppelin"],
            "solc": oz_artifact["solc"],
            "optimizer_runs": oz_artifact["optimizer_runs"],
        },
        "anvil": measured["anvil"],
        "gas": gas,
        "ratio": ratios,
        "runtime_bytecode_bytes": measured["runtime_bytecode_bytes"],
    }


def print_figures(result: dict) -> None:
    baseline = result["baseline"]
    print(
        f"ERC-1155 baseline: OpenZeppelin Contracts {baseline['openzeppelin_contracts']} ERC1155, "
        f"solc {baseline['solc']}, optimizer {baseline['optimizer_runs']} runs; {result['anvil']}"
    )
    gas = result["gas"]
    print(f"{'safeTransferFrom':>30} {'OpenZeppelin':>13} {'CarbonCredit':>13} {'ratio':>7}")
    for case, ratio in result["ratio"].items():
        label = case.replace("_", " ")
        oz_gas, credit_gas = gas["openzeppelin"][case], gas["carbon_credit"][case]
        print(
            f"{'to ' + label:>30} {oz_gas:>13,} {credit_gas:>13,} {ratio:>7.4f}"
            f" (target <= {TARGET_RATIO:.2f})"
        )
    flag = gas["carbon_credit_flag_read"]
    print(
        f"{'CarbonCredit holding ether':>30}: {flag['new_receiver']:,} / "
        f"{flag['existing_receiver']:,} (pause flag read; no target)"
    )
