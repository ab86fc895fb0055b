"""Gas of the on-chain operations, measured with titanoboa on the real bytecode.

Each figure is the gas a transaction would pay: intrinsic gas (21,000 + calldata) plus execution
gas, minus the capped refund (EIP-3529: at most a fifth of the gas used). Storage and account
access warmth is reset before every measured call, so every call starts cold like a new
transaction (precompiles start cold too, which slightly over-counts ecrecover: conservative).
Reports are measured in steady state: the project's second report, which mints, with the
challenge window 0 (submit finalizes at once) and with a window (submit, then finalize).
snekmate's plain ERC-1155 is deployed in the same run as the transfer baseline.
"""

import json
from pathlib import Path

import boa
from eth_account import Account
from eth_utils import keccak

from jcredit.eip712 import Batch, readings_hash, sign_batch

ROOT = Path(__file__).resolve().parents[1]
FY2025_START = 1743433200  # 2025-04-01T00:00+09:00
FY2025_END = 1774969200
MONTH_ENDS = [1746025200, 1748703600, 1751295600, 1753974000]  # May..Aug 1st, JST
DAY = 86400
GENERATION, EXPORT = 1, 2
TARGET_REPORT = 200_000
TARGET_TRANSFER_RATIO = 1.05
EIP170_LIMIT = 24_576


def tx_gas(contract) -> int:
    """Gas a transaction would pay for the contract's last call."""
    computation = contract._computation
    data = computation.msg.data
    intrinsic = 21_000 + sum(16 if b else 4 for b in data)
    used = intrinsic + computation.get_gas_used()
    return used - min(computation.get_gas_refund(), used // 5)


def new_transaction() -> None:
    """Start the next call like a new transaction: cold storage and accounts, and every slot's
    original value (EIP-2200) = its current value. boa never commits py-evm's journal, so without
    this every slot's original value stays 0, the value it had at genesis: a later write to a
    slot written earlier in the session is charged as a 100-gas dirty write, and clearing a slot
    refunds 19,900 instead of 4,800."""
    boa.env.evm.vm.state._account_db.lock_changes()  # also resets the access counters


def measure(contract, sender: str, fn: str, *args) -> int:
    new_transaction()
    boa.env.reset_gas_used()
    with boa.env.prank(sender):
        getattr(contract, fn)(*args)
    return tx_gas(contract)


def signed(key: bytes, chain_id: int, registry: str, project_id: int, ts: int, wh: int) -> tuple:
    """A meter's EIP-712 signed reading (a batch of one) as the SignedReading tuple."""
    account = Account.from_key(key)
    batch = Batch(account.address, ts, ts, wh, readings_hash([ts], [wh]))
    return sign_batch(account, project_id, batch, chain_id, registry).as_signed_reading()


class Bench:
    def __init__(self) -> None:
        self.admin, self.validator, self.oracle, self.owner, self.buyer, self.pauser = (
            boa.env.generate_address(name)
            for name in ("admin", "validator", "oracle", "owner", "buyer", "pauser")
        )
        boa.env.timestamp = FY2025_START + 150 * DAY
        with boa.env.prank(self.admin):
            self.credit = boa.load(str(ROOT / "contracts/CarbonCredit.vy"), "https://c.example/")
            self.registry = boa.load(str(ROOT / "contracts/Registry.vy"), self.credit.address)
            self.credit.grant_role(self.credit.MINTER_ROLE(), self.registry.address)
            for role in ("VALIDATOR_ROLE", "ORACLE_ROLE"):
                actor = self.validator if role == "VALIDATOR_ROLE" else self.oracle
                self.registry.grant_role(getattr(self.registry, role)(), actor)
            self.registry.set_emission_factor(2025, 434000, FY2025_START, FY2025_END)
        self.chain_id = boa.env.evm.patch.chain_id
        self.figures: dict[str, int] = {}
        self.meter_keys: dict[int, dict[int, bytes]] = {}

    def project(self, measure_registration: bool = False) -> int:
        args = (10_000, FY2025_START - DAY, FY2025_START, FY2025_START + 5 * 365 * DAY, "EN-R-002")
        uri = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
        if measure_registration:
            self.figures["register_project"] = measure(
                self.registry, self.owner, "register_project", *args, uri
            )
            project_id = self.registry.project_count()
        else:
            with boa.env.prank(self.owner):
                project_id = self.registry.register_project(*args, uri)
        with boa.env.prank(self.validator):
            self.registry.approve_project(project_id)
        with boa.env.prank(self.admin):
            self.registry.set_project_oracle(project_id, self.oracle)
        keys = {kind: keccak(b"bench meter %d %d" % (project_id, kind)) for kind in (1, 2)}
        self.meter_keys[project_id] = keys
        for kind, key in keys.items():
            meter = Account.from_key(key).address
            register = (project_id, meter, kind, f"SN-{kind}", FY2025_START + 3650 * DAY)
            if measure_registration and kind == GENERATION:
                self.figures["register_meter"] = measure(
                    self.registry, self.owner, "register_meter", *register
                )
            else:
                with boa.env.prank(self.owner):
                    self.registry.register_meter(*register)
            with boa.env.prank(self.validator):
                self.registry.approve_meter(meter)
        with boa.env.prank(self.oracle):
            self.registry.start_monitoring(project_id, FY2025_START, self.readings(project_id, 0))
        return project_id

    def readings(self, project_id: int, month: int) -> list[tuple]:
        """Signed end readings: 3,000,000 Wh generated and 500,000 exported per month."""
        ts = FY2025_START if month == 0 else MONTH_ENDS[month - 1]
        keys = self.meter_keys[project_id]
        return [
            signed(
                keys[GENERATION],
                self.chain_id,
                self.registry.address,
                project_id,
                ts,
                3_000_000 * month,
            ),
            signed(
                keys[EXPORT], self.chain_id, self.registry.address, project_id, ts, 500_000 * month
            ),
        ]

    def report_args(self, project_id: int, month: int) -> tuple:
        # 2,500,000 Wh self-consumed x 434,000 g/MWh = 1,085,000 g per month: every report mints.
        return (
            project_id,
            MONTH_ENDS[month - 1],
            2025,
            self.readings(project_id, month),
            keccak(b"merkle root %d" % month),
            "ar://bench-archive-transaction-id-0000000000000000000000000",
            2_500_000,
            1_085_000,
            False,
        )

    def run(self) -> None:
        project_id = self.project(measure_registration=True)
        with boa.env.prank(self.oracle):
            self.registry.submit_report(*self.report_args(project_id, 1))
        self.figures["submit_report_window0"] = measure(
            self.registry, self.oracle, "submit_report", *self.report_args(project_id, 2)
        )
        with boa.env.prank(self.admin):
            self.registry.set_challenge_window(3 * DAY)
        with boa.env.prank(self.oracle):
            self.registry.submit_report(*self.report_args(project_id, 3))
        boa.env.time_travel(seconds=3 * DAY)
        self.registry.finalize(project_id)
        self.figures["submit_report"] = measure(
            self.registry, self.oracle, "submit_report", *self.report_args(project_id, 4)
        )
        boa.env.time_travel(seconds=3 * DAY)
        self.figures["finalize"] = measure(self.registry, self.buyer, "finalize", project_id)
        self.transfers(project_id)

    def transfers(self, project_id: int) -> None:
        token_id = self.credit.token_id(project_id, 2025)
        balance = self.credit.balanceOf(self.owner, token_id)
        self.figures["transfer"] = measure(
            self.credit, self.owner, "safeTransferFrom", self.owner, self.buyer, token_id, 1, b""
        )
        # First retirement of the contract, the holder and the token: every counter is fresh.
        self.figures["retire"] = measure(
            self.credit, self.owner, "retire", token_id, balance - 3, "Example K.K.", 0, "FY2025"
        )
        # Steady state: the same holder again, counters already non-zero.
        self.figures["retire_again"] = measure(
            self.credit, self.owner, "retire", token_id, 1, "Example K.K.", 0, "FY2025"
        )
        self.figures["retire_again_empty_memo"] = measure(
            self.credit, self.owner, "retire", token_id, 1, "Example K.K.", 0, ""
        )
        with boa.env.prank(self.admin):
            baseline = boa.load(str(ROOT / "benchmarks/contracts/SnekmateERC1155.vy"))
            baseline.safe_mint(self.owner, token_id, balance, b"")
        self.figures["snekmate_erc1155_transfer"] = measure(
            baseline, self.owner, "safeTransferFrom", self.owner, self.buyer, token_id, 1, b""
        )
        self.sizes = {
            name: len(boa.env.get_code(contract.address))
            for name, contract in (
                ("Registry", self.registry),
                ("CarbonCredit", self.credit),
                ("SnekmateERC1155", baseline),
            )
        }


def main(out_dir: Path) -> dict:
    # No boa.env.anchor() here: resetting access warmth inside a snapshot breaks py-evm's journal.
    bench = Bench()
    bench.run()
    figures = bench.figures
    report_window0 = figures["submit_report_window0"]
    report_window = figures["submit_report"] + figures["finalize"]
    ratio = figures["transfer"] / figures["snekmate_erc1155_transfer"]
    result = {
        "unit": "gas per transaction (intrinsic + execution - capped refund), titanoboa",
        "gas": figures,
        "derived": {
            "submit_report_plus_finalize_window0": report_window0,
            "submit_report_plus_finalize_window": report_window,
            "transfer_over_snekmate": round(ratio, 4),
        },
        "targets": {
            "submit_report_plus_finalize_max": TARGET_REPORT,
            "transfer_over_snekmate_max": TARGET_TRANSFER_RATIO,
            "met": report_window0 <= TARGET_REPORT
            and report_window <= TARGET_REPORT
            and ratio <= TARGET_TRANSFER_RATIO,
        },
        "runtime_bytecode_bytes": bench.sizes,
        "eip170_limit_bytes": EIP170_LIMIT,
    }
    for name, gas in figures.items():
        print(f"{name:>28}: {gas:>9,} gas")
    print(f"{'report (window 0)':>28}: {report_window0:>9,} gas (target <= {TARGET_REPORT:,})")
    print(
        f"{'report (submit + finalize)':>28}: {report_window:>9,} gas (target <= {TARGET_REPORT:,})"
    )
    print(f"{'transfer / snekmate':>28}: {ratio:>9.4f} (target <= {TARGET_TRANSFER_RATIO})")
    for name, size in bench.sizes.items():
        print(f"{name + ' runtime':>28}: {size:>9,} bytes (EIP-170 limit {EIP170_LIMIT:,})")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "gas.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main(Path("out/bench"))
