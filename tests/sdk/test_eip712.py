"""EIP-712 MeterRegistration: the fast digest, eth_account's reference encoding and recovery agree
(the contract's own digest is compared in test_registry_client.py)."""

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data

from jcredit.eip712 import (
    domain_separator,
    recover,
    registration_digest,
    registration_typed_data,
    sign_registration,
)

# A test-only meter key and the first contract address of a fresh devnet: never real.
METER = Account.from_key((4242).to_bytes(32, "big"))
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
CHAIN = 31337


def test_registration_digest__equals_eth_accounts_encoding():
    message = encode_typed_data(
        full_message=registration_typed_data(1, OWNER, "PV-0001", CHAIN, REGISTRY)
    )
    expected = _hash_eip191_message(message)
    assert registration_digest(domain_separator(CHAIN, REGISTRY), 1, OWNER, "PV-0001") == expected


def test_sign_registration__recovers_to_the_meter_only_for_what_it_signed():
    signature = sign_registration(METER, 1, OWNER, "PV-0001", CHAIN, REGISTRY)
    assert len(signature) == 65 and signature[64] in (27, 28)
    separator = domain_separator(CHAIN, REGISTRY)
    assert recover(registration_digest(separator, 1, OWNER, "PV-0001"), signature) == METER.address
    for other in (
        registration_digest(separator, 2, OWNER, "PV-0001"),
        registration_digest(separator, 1, REGISTRY, "PV-0001"),
        registration_digest(separator, 1, OWNER, "PV-0002"),
        registration_digest(domain_separator(1, REGISTRY), 1, OWNER, "PV-0001"),
    ):
        assert recover(other, signature) != METER.address


def test_registration_typed_data__names_the_message_fields():
    data = registration_typed_data(1, OWNER.lower(), "浜松-1", CHAIN, REGISTRY)
    assert data["primaryType"] == "MeterRegistration"
    assert [field["name"] for field in data["types"]["MeterRegistration"]] == [
        "projectId",
        "owner",
        "serial",
    ]
    assert data["message"] == {"projectId": 1, "owner": OWNER, "serial": "浜松-1"}
