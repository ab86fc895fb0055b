"""EIP-712 messages a meter signs under the Registry's domain (docs/interfaces.md).

- `ReadingBatch`: a batch of consecutive readings, the batch's last reading in clear (the contract
  reads it as a boundary register in O(1)) and the keccak256 of all its readings (which a Merkle
  leaf and a fraud proof build on).
- `MeterRegistration(uint256 projectId,address owner,string serial)`: the meter's consent to be
  registered for a project by its owner, so nobody registers a meter they do not hold.

Signing goes through eth_account's `encode_typed_data`, the reference encoder; `batch_digest` and
`registration_digest` recompute the same digests directly from keccak and `recover` uses coincurve,
which is much faster; the tests check that all of them agree with the contract.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from coincurve import PublicKey
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from jcredit.keccak import keccak256

DOMAIN_NAME = "SolarJCredit"
DOMAIN_VERSION = "1"

READING_BATCH_TYPE = [
    {"name": "projectId", "type": "uint256"},
    {"name": "meter", "type": "address"},
    {"name": "firstTimestamp", "type": "uint64"},
    {"name": "lastTimestamp", "type": "uint64"},
    {"name": "lastCumulativeWh", "type": "uint256"},
    {"name": "readingsHash", "type": "bytes32"},
]
METER_REGISTRATION_TYPE = [
    {"name": "projectId", "type": "uint256"},
    {"name": "owner", "type": "address"},
    {"name": "serial", "type": "string"},
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
METER_REGISTRATION_TYPEHASH = keccak256(
    b"MeterRegistration(uint256 projectId,address owner,string serial)"
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


def u256(value: int) -> bytes:
    return value.to_bytes(32, "big")


def address_word(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def domain_separator(chain_id: int, registry: str) -> bytes:
    return keccak256(
        DOMAIN_TYPEHASH
        + keccak256(DOMAIN_NAME.encode())
        + keccak256(DOMAIN_VERSION.encode())
        + u256(chain_id)
        + address_word(registry)
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


def _domain(chain_id: int, registry: str) -> dict:
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(registry),
    }


def typed_data(project_id: int, batch: Batch, chain_id: int, registry: str) -> dict:
    """The full EIP-712 message (for wallets and eth_account)."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, "ReadingBatch": READING_BATCH_TYPE},
        "primaryType": "ReadingBatch",
        "domain": _domain(chain_id, registry),
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


def registration_typed_data(
    project_id: int, owner: str, serial: str, chain_id: int, registry: str
) -> dict:
    """The full EIP-712 MeterRegistration message a meter signs to be registered."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, "MeterRegistration": METER_REGISTRATION_TYPE},
        "primaryType": "MeterRegistration",
        "domain": _domain(chain_id, registry),
        "message": {"projectId": project_id, "owner": to_checksum_address(owner), "serial": serial},
    }


def sign_registration(
    account: LocalAccount, project_id: int, owner: str, serial: str, chain_id: int, registry: str
) -> bytes:
    """The meter key's signature (r || s || v) of its registration for (project, owner, serial)."""
    message = encode_typed_data(
        full_message=registration_typed_data(project_id, owner, serial, chain_id, registry)
    )
    return bytes(account.sign_message(message).signature)


def registration_digest(separator: bytes, project_id: int, owner: str, serial: str) -> bytes:
    """The EIP-712 digest of a MeterRegistration (what `Registry.registration_digest` returns)."""
    struct_hash = keccak256(
        METER_REGISTRATION_TYPEHASH
        + u256(project_id)
        + address_word(owner)
        + keccak256(serial.encode())
    )
    return keccak256(b"\x19\x01" + separator + struct_hash)


def struct_prefix(project_id: int, meter: str) -> bytes:
    """The first words of a batch's struct hash input, shared by every batch of one meter."""
    return READING_BATCH_TYPEHASH + u256(project_id) + address_word(meter)


def batch_digest_from(separator: bytes, prefix: bytes, batch: Batch) -> bytes:
    """The EIP-712 digest of `batch`, given its meter's `struct_prefix` (built once per meter)."""
    struct_hash = keccak256(
        prefix
        + u256(batch.first_timestamp)
        + u256(batch.last_timestamp)
        + u256(batch.last_cumulative_wh)
        + batch.readings_hash
    )
    return keccak256(b"\x19\x01" + separator + struct_hash)


def batch_digest(separator: bytes, project_id: int, batch: Batch) -> bytes:
    """The EIP-712 digest the meter signed, computed directly (same result as encode_typed_data)."""
    return batch_digest_from(separator, struct_prefix(project_id, batch.meter), batch)


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
