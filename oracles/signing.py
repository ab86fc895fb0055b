"""EIP-712 `ReadingBatch` signatures of meters (docs/interfaces.md).

Meters sign a batch of consecutive readings (one per JST day) instead of each reading: the oracle
then recovers one public key per meter-day (48 readings) instead of per reading, which is what makes
verification cheap enough (benchmarks/bench_oracle.py measures both). Signing goes through
eth_account's `encode_typed_data`, the reference encoder; verification recomputes the same digest
directly from keccak and recovers with coincurve, which is much faster; the tests check both agree.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from coincurve import PublicKey
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from sha3 import keccak_256

from oracles.keccak import keccak256

DOMAIN_NAME = "SolarJCredit"
DOMAIN_VERSION = "1"
JST_OFFSET_S = 9 * 3600
DAY_S = 86400

READING_BATCH_TYPE = [
    {"name": "projectId", "type": "uint256"},
    {"name": "meter", "type": "address"},
    {"name": "firstTimestamp", "type": "uint64"},
    {"name": "lastTimestamp", "type": "uint64"},
    {"name": "lastCumulativeWh", "type": "uint256"},
    {"name": "readingsHash", "type": "bytes32"},
]
EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
DOMAIN_TYPEHASH = keccak256(
    b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
READING_BATCH_TYPEHASH = keccak256(
    b"ReadingBatch(uint256 projectId,address meter,uint64 firstTimestamp,uint64 lastTimestamp,"
    b"uint256 lastCumulativeWh,bytes32 readingsHash)"
)
# secp256k1 group order: signatures with s above half of it are malleable copies and the contract's
# ECDSA module (snekmate) rejects them, so the oracle does too.
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@dataclass(frozen=True)
class Batch:
    """What one meter signed: its readings in [first_timestamp, last_timestamp], by hash."""

    meter: str
    first_timestamp: int
    last_timestamp: int
    last_cumulative_wh: int
    readings_hash: bytes
    signature: bytes = b""

    def as_signed_reading(self) -> tuple:
        """The on-chain `SignedReading` struct, in field order."""
        return (
            self.meter,
            self.first_timestamp,
            self.last_timestamp,
            self.last_cumulative_wh,
            self.readings_hash,
            self.signature,
        )


def _u256(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _address_word(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def domain_separator(chain_id: int, registry: str) -> bytes:
    return keccak256(
        DOMAIN_TYPEHASH
        + keccak256(DOMAIN_NAME.encode())
        + keccak256(DOMAIN_VERSION.encode())
        + _u256(chain_id)
        + _address_word(registry)
    )


def encode_readings(timestamps: np.ndarray, cumulative_wh: np.ndarray) -> np.ndarray:
    """abi.encode(uint64 timestamp, uint256 cumulativeWh) per reading, as an (n, 64) byte array.

    Values are below 2**63 (int64 inputs), so only the low 8 bytes of each 32-byte word are set.
    """
    n = len(timestamps)
    rows = np.zeros((n, 64), dtype=np.uint8)
    rows[:, 24:32] = np.asarray(timestamps, dtype=">u8").view(np.uint8).reshape(n, 8)
    rows[:, 56:64] = np.asarray(cumulative_wh, dtype=">u8").view(np.uint8).reshape(n, 8)
    return rows


def readings_hash(timestamps: Sequence[int] | np.ndarray, cumulative_wh: Sequence[int]) -> bytes:
    """keccak256 of the concatenated abi.encode(uint64, uint256) of the readings, in time order."""
    return keccak256(encode_readings(np.asarray(timestamps), np.asarray(cumulative_wh)).tobytes())


def typed_data(project_id: int, batch: Batch, chain_id: int, registry: str) -> dict:
    """The full EIP-712 message (for wallets and eth_account)."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, "ReadingBatch": READING_BATCH_TYPE},
        "primaryType": "ReadingBatch",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": to_checksum_address(registry),
        },
        "message": {
            "projectId": project_id,
            "meter": to_checksum_address(batch.meter),
            "firstTimestamp": batch.first_timestamp,
            "lastTimestamp": batch.last_timestamp,
            "lastCumulativeWh": batch.last_cumulative_wh,
            "readingsHash": batch.readings_hash,
        },
    }


def sign_batch(
    account: LocalAccount, project_id: int, batch: Batch, chain_id: int, registry: str
) -> Batch:
    """The batch with the meter's signature (r || s || v, v in {27, 28})."""
    message = encode_typed_data(full_message=typed_data(project_id, batch, chain_id, registry))
    signed = account.sign_message(message)
    return Batch(
        meter=batch.meter,
        first_timestamp=batch.first_timestamp,
        last_timestamp=batch.last_timestamp,
        last_cumulative_wh=batch.last_cumulative_wh,
        readings_hash=batch.readings_hash,
        signature=bytes(signed.signature),
    )


def batch_digest(separator: bytes, project_id: int, batch: Batch) -> bytes:
    """The EIP-712 digest the meter signed, computed directly (same result as encode_typed_data)."""
    struct_hash = keccak256(
        READING_BATCH_TYPEHASH
        + _u256(project_id)
        + _address_word(batch.meter)
        + _u256(batch.first_timestamp)
        + _u256(batch.last_timestamp)
        + _u256(batch.last_cumulative_wh)
        + batch.readings_hash
    )
    return keccak256(b"\x19\x01" + separator + struct_hash)


def recover(digest: bytes, signature: bytes) -> str | None:
    """The signer's checksummed address, or None when the signature is malformed or malleable."""
    signer = recover_bytes(digest, signature)
    return None if signer is None else to_checksum_address(signer)


def recover_bytes(digest: bytes, signature: bytes) -> bytes | None:
    """The signer's 20-byte address (checksumming costs more than the recovery itself)."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        return None
    if int.from_bytes(signature[32:64], "big") > _SECP256K1_N // 2:
        return None
    try:
        public = PublicKey.from_signature_and_message(
            signature[:64] + bytes([signature[64] - 27]), digest, hasher=None
        )
    except ValueError:
        return None
    return keccak256(public.format(compressed=False)[1:])[-20:]


def jst_day(timestamps: np.ndarray) -> np.ndarray:
    """Batch day of each timestamp: readings in (D 00:00, D+1 00:00] JST share day D."""
    return (np.asarray(timestamps, dtype=np.int64) + JST_OFFSET_S - 1) // DAY_S


def day_batches(meter: str, timestamps: np.ndarray, cumulative_wh: np.ndarray) -> list[Batch]:
    """Unsigned per-JST-day batches of one meter's readings (sorted by time)."""
    timestamps = np.asarray(timestamps, dtype=np.int64)
    cumulative_wh = np.asarray(cumulative_wh, dtype=np.int64)
    rows = encode_readings(timestamps, cumulative_wh)
    days = jst_day(timestamps)
    cuts = np.flatnonzero(np.diff(days)) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [len(timestamps)]))
    return [
        Batch(
            meter=meter,
            first_timestamp=int(timestamps[a]),
            last_timestamp=int(timestamps[b - 1]),
            last_cumulative_wh=int(cumulative_wh[b - 1]),
            readings_hash=keccak256(rows[a:b].tobytes()),
        )
        for a, b in zip(starts, ends, strict=True)
    ]


@dataclass(frozen=True)
class Refusal:
    """A reading the oracle will not use, and why."""

    meter: str
    timestamp: int
    reason: str


@dataclass
class Verification:
    """Outcome of checking a meter's readings against the batches it signed."""

    accepted: np.ndarray  # bool per reading
    valid_batches: list[Batch]
    refusals: list[Refusal]


def verify_meter(
    project_id: int,
    separator: bytes,
    meter: str,
    timestamps: np.ndarray,
    cumulative_wh: np.ndarray,
    batches: Iterable[Batch],
) -> Verification:
    """Check every batch of one meter against its readings (sorted by time).

    A reading is accepted when a valid batch covers it and no failing batch does; every other
    reading is refused with the reason, so the operator sees exactly which data is not signed.
    """
    timestamps = np.asarray(timestamps, dtype=np.int64)
    check = _MeterCheck(project_id, separator, meter, timestamps, cumulative_wh)
    covered = np.zeros(len(timestamps), dtype=bool)
    tainted = np.zeros(len(timestamps), dtype=bool)
    reasons: dict[int, str] = {}
    valid: list[Batch] = []
    for batch in batches:
        a = bisect_left(check.times, batch.first_timestamp)
        b = bisect_right(check.times, batch.last_timestamp)
        problem = check.problem(batch, a, b)
        if problem is None:
            covered[a:b] = True
            valid.append(batch)
        else:
            tainted[a:b] = True
            for i in range(a, b):
                reasons.setdefault(i, problem)
    accepted = covered & ~tainted
    refusals = [
        Refusal(meter, int(timestamps[i]), reasons.get(i, "not covered by any signed batch"))
        for i in np.flatnonzero(~accepted)
    ]
    return Verification(accepted=accepted, valid_batches=valid, refusals=refusals)


class _MeterCheck:
    """One meter's readings, prepared once for checking each of its batches.

    The readings are encoded into one buffer (a batch's readings hash is a slice of it, hashed
    without a copy) and kept as Python ints, which bisect and compare faster per batch than
    numpy scalars; the struct-hash prefix every batch of the meter shares is built once.
    """

    def __init__(
        self,
        project_id: int,
        separator: bytes,
        meter: str,
        timestamps: np.ndarray,
        cumulative_wh: np.ndarray,
    ) -> None:
        self.separator = separator
        self.meter = meter
        self.meter_bytes = bytes.fromhex(meter[2:])
        self.prefix = READING_BATCH_TYPEHASH + _u256(project_id) + _address_word(meter)
        self.encoded = memoryview(encode_readings(timestamps, cumulative_wh).tobytes())
        self.times = timestamps.tolist()
        # The signed timestamp is the uint64 in the encoding (int64 times wrap like numpy's cast).
        self.signed_times = (timestamps.astype(">u8")).tolist()
        self.registers = np.asarray(cumulative_wh).tolist()

    def problem(self, batch: Batch, a: int, b: int) -> str | None:
        """Why the batch covering readings [a, b) is not valid, or None when it is."""
        if batch.meter.lower() != self.meter.lower():
            return f"{_label(batch)} is for meter {batch.meter}"
        if b <= a:
            return f"{_label(batch)} covers no reading"
        if keccak_256(self.encoded[64 * a : 64 * b]).digest() != batch.readings_hash:
            return (
                f"{_label(batch)}: readings differ from what the meter signed "
                "(readings hash mismatch)"
            )
        if (
            self.signed_times[b - 1] != batch.last_timestamp
            or self.registers[b - 1] != batch.last_cumulative_wh
        ):
            return f"{_label(batch)}: last reading differs from the signed last reading"
        struct_hash = keccak_256(
            self.prefix
            + _u256(batch.first_timestamp)
            + _u256(batch.last_timestamp)
            + _u256(batch.last_cumulative_wh)
            + batch.readings_hash
        ).digest()
        digest = keccak_256(b"\x19\x01" + self.separator + struct_hash).digest()
        signer = recover_bytes(digest, batch.signature)
        if signer is None:
            return f"{_label(batch)}: malformed signature"
        if signer != self.meter_bytes:
            return f"{_label(batch)}: signed by {to_checksum_address(signer)}, not by the meter"
        return None


def _label(batch: Batch) -> str:
    return f"batch {batch.first_timestamp}..{batch.last_timestamp}"
