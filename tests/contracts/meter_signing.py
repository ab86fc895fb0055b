"""Sign meter reading batches the way docs/interfaces.md specifies (EIP-712 via eth-account).

Independent of the contract: the digest comes from eth-account's encode_typed_data, so a test that
compares it with the contracts' `meter_signatures._reading_digest` cross-checks their EIP-712
encoding.
"""

from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

READING_BATCH_TYPES = {
    "ReadingBatch": [
        {"name": "projectId", "type": "uint256"},
        {"name": "meter", "type": "address"},
        {"name": "firstTimestamp", "type": "uint64"},
        {"name": "lastTimestamp", "type": "uint64"},
        {"name": "lastCumulativeWh", "type": "uint256"},
        {"name": "readingsHash", "type": "bytes32"},
    ]
}


METER_REGISTRATION_TYPES = {
    "MeterRegistration": [
        {"name": "projectId", "type": "uint256"},
        {"name": "owner", "type": "address"},
        {"name": "serial", "type": "string"},
    ]
}


@dataclass(frozen=True)
class Domain:
    """EIP-712 domain of a Registry deployment."""

    chain_id: int
    registry: str


def readings_hash(readings: list[tuple[int, int]]) -> bytes:
    """keccak256 of abi.encode(uint64 timestamp, uint256 cumulativeWh) per reading, in order."""
    return keccak(b"".join(ts.to_bytes(32, "big") + wh.to_bytes(32, "big") for ts, wh in readings))


def _domain_data(domain: "Domain") -> dict:
    return {
        "name": "SolarJCredit",
        "version": "1",
        "chainId": domain.chain_id,
        "verifyingContract": domain.registry,
    }


def typed_message(
    domain: Domain,
    project_id: int,
    meter: str,
    first_ts: int,
    last_ts: int,
    last_wh: int,
    rhash: bytes,
):
    """The SignableMessage of a ReadingBatch."""
    return encode_typed_data(
        domain_data=_domain_data(domain),
        message_types=READING_BATCH_TYPES,
        message_data={
            "projectId": project_id,
            "meter": meter,
            "firstTimestamp": first_ts,
            "lastTimestamp": last_ts,
            "lastCumulativeWh": last_wh,
            "readingsHash": rhash,
        },
    )


def eip712_digest(
    domain: Domain,
    project_id: int,
    meter: str,
    first_ts: int,
    last_ts: int,
    last_wh: int,
    rhash: bytes,
) -> bytes:
    """The 32-byte digest eth-account signs for a ReadingBatch."""
    msg = typed_message(domain, project_id, meter, first_ts, last_ts, last_wh, rhash)
    return keccak(b"\x19" + msg.version + msg.header + msg.body)


class Meter:
    """A simulated certified meter: a key that signs its reading batches."""

    def __init__(self, private_key: bytes) -> None:
        self.account = Account.from_key(private_key)
        self.address: str = self.account.address

    def sign_batch(
        self,
        domain: Domain,
        project_id: int,
        readings: list[tuple[int, int]],
        *,
        signed_project_id: int | None = None,
        signed_meter: str | None = None,
    ) -> tuple:
        """A SignedReading struct (as a tuple) for a batch of (timestamp, cumulative_wh) readings.

        signed_project_id / signed_meter sign for another project or meter than the struct claims,
        to build forged readings in tests.
        """
        first_ts, last_ts, last_wh = readings[0][0], readings[-1][0], readings[-1][1]
        rhash = readings_hash(readings)
        msg = typed_message(
            domain,
            project_id if signed_project_id is None else signed_project_id,
            self.address if signed_meter is None else signed_meter,
            first_ts,
            last_ts,
            last_wh,
            rhash,
        )
        signature = self.account.sign_message(msg).signature
        return (self.address, first_ts, last_ts, last_wh, rhash, bytes(signature))

    def sign_registration(self, domain: Domain, project_id: int, owner: str, serial: str) -> bytes:
        """The meter's EIP-712 consent to be registered for `project_id` by `owner`."""
        message = encode_typed_data(
            domain_data=_domain_data(domain),
            message_types=METER_REGISTRATION_TYPES,
            message_data={"projectId": project_id, "owner": owner, "serial": serial},
        )
        return bytes(self.account.sign_message(message).signature)

    def reading(self, domain: Domain, project_id: int, timestamp: int, cumulative_wh: int) -> tuple:
        """A SignedReading of a single reading (a batch of one)."""
        return self.sign_batch(domain, project_id, [(timestamp, cumulative_wh)])
