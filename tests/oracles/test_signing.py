"""Meter batch signatures: EIP-712 encoding, recovery, and every reason to refuse readings."""

import numpy as np
import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data

from jcredit.eip712 import (
    Batch,
    batch_digest,
    domain_separator,
    readings_hash,
    recover,
    sign_batch,
    typed_data,
)
from jcredit.keccak import keccak256
from jcredit.types import VALIDATOR_ROLE, MeterKind, token_id
from oracles.signing import day_batches, jst_day, verify_meter

# Well-known devnet test keys (anvil's default mnemonic, accounts 0 and 1): never hold real value.
METER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a7d2603b6aa6c2fd9a8"
METER = Account.from_key(METER_KEY)
OTHER = Account.from_key(OTHER_KEY)
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN = 31337
PROJECT = 1
# 2025-04-01T00:30+09:00 = 2025-03-31T15:30Z
T0 = 1743435000


def _day(n_days: int = 2):
    ts = T0 + 1800 * np.arange(48 * n_days)
    wh = 1_000_000 + 250 * np.arange(48 * n_days)
    return ts, wh


def _signed(account=METER, project=PROJECT, chain=CHAIN, registry=REGISTRY, n_days=2):
    ts, wh = _day(n_days)
    batches = day_batches(METER.address, ts, wh)
    return ts, wh, [sign_batch(account, project, b, chain, registry) for b in batches]


def test_role_ids_and_token_id():
    # keccak256("VALIDATOR_ROLE"), as the contracts compute it.
    assert (
        VALIDATOR_ROLE.hex() == "21702c8af46127c7fa207f89d0b0a8441bb32959a0ac7df790e9ab1a25c98926"
    )
    assert token_id(3, 2025) == 3 * 65536 + 2025
    assert MeterKind.from_name("self_consumption") == 4
    with pytest.raises(ValueError, match="unknown meter kind 'import'"):
        MeterKind.from_name("import")


def test_readings_hash_is_keccak_of_64_bytes_per_reading():
    by_hand = b"".join(
        t.to_bytes(32, "big") + w.to_bytes(32, "big") for t, w in [(T0, 5), (T0 + 1800, 2**40)]
    )
    assert readings_hash([T0, T0 + 1800], [5, 2**40]) == keccak256(by_hand)


def test_fast_digest_equals_eth_account_encoding():
    batch = Batch(METER.address, T0, T0 + 1800, 77, keccak256(b"r"))
    reference = _hash_eip191_message(
        encode_typed_data(full_message=typed_data(PROJECT, batch, CHAIN, REGISTRY))
    )
    assert batch_digest(domain_separator(CHAIN, REGISTRY), PROJECT, batch) == reference


def test_recover_agrees_with_eth_account():
    batch = Batch(METER.address, T0, T0, 77, readings_hash([T0], [77]))
    signed = sign_batch(METER, PROJECT, batch, CHAIN, REGISTRY)
    message = encode_typed_data(full_message=typed_data(PROJECT, batch, CHAIN, REGISTRY))
    assert Account.recover_message(message, signature=signed.signature) == METER.address
    digest = batch_digest(domain_separator(CHAIN, REGISTRY), PROJECT, batch)
    assert recover(digest, signed.signature) == METER.address
    assert signed.signature[64] in (27, 28)


def test_jst_day_puts_midnight_in_the_day_before():
    midnight_apr2_jst = 1743519600  # 2025-04-02T00:00+09:00
    days = jst_day(
        np.array([midnight_apr2_jst - 1800, midnight_apr2_jst, midnight_apr2_jst + 1800])
    )
    assert days[0] == days[1] and days[2] == days[1] + 1


def test_day_batches_split_at_jst_midnight():
    ts, wh = _day(2)  # 96 readings from 00:30 on day 1 to 00:00 of day 3
    batches = day_batches(METER.address, ts, wh)
    assert [(b.first_timestamp, b.last_timestamp) for b in batches] == [
        (T0, T0 + 47 * 1800),
        (T0 + 48 * 1800, T0 + 95 * 1800),
    ]
    assert batches[1].last_cumulative_wh == 1_000_000 + 250 * 95


def _verify(ts, wh, batches, project=PROJECT, chain=CHAIN, registry=REGISTRY):
    separator = domain_separator(chain, registry)
    return verify_meter(project, separator, METER.address, ts, wh, batches)


def test_valid_batches_accept_every_reading():
    ts, wh, batches = _signed()
    result = _verify(ts, wh, batches)
    assert result.accepted.all() and not result.refusals
    assert len(result.valid_batches) == 2


def test_tampered_reading_refuses_its_whole_batch_only():
    ts, wh, batches = _signed()
    wh = wh.copy()
    wh[50] += 1
    result = _verify(ts, wh, batches)
    assert result.accepted[:48].all() and not result.accepted[48:].any()
    assert len(result.refusals) == 48
    assert "readings hash mismatch" in result.refusals[0].reason
    assert result.refusals[0].timestamp == T0 + 48 * 1800


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"account": OTHER}, f"signed by {OTHER.address}"),
        ({"project": 2}, "not by the meter"),
        ({"chain": 1}, "not by the meter"),
        ({"registry": "0x" + "ab" * 20}, "not by the meter"),
    ],
    ids=["other-key", "other-project", "other-chain", "other-registry"],
)
def test_signature_bound_to_key_project_chain_and_registry(kwargs, reason):
    ts, wh, batches = _signed(**kwargs)
    result = _verify(ts, wh, batches)
    assert not result.accepted.any()
    assert all(reason in r.reason for r in result.refusals)


def test_uncovered_readings_are_refused():
    ts, wh, batches = _signed()
    result = _verify(ts, wh, batches[:1])
    assert result.accepted.sum() == 48
    assert {r.reason for r in result.refusals} == {"not covered by any signed batch"}


def test_malleable_and_malformed_signatures_are_refused():
    ts, wh, batches = _signed(n_days=1)
    sig = batches[0].signature
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s = (n - int.from_bytes(sig[32:64], "big")).to_bytes(32, "big")
    flipped = sig[:32] + high_s + bytes([55 - sig[64]])
    for bad in (flipped, sig[:64], sig[:64] + b"\x01"):
        forged = Batch(**{**batches[0].__dict__, "signature": bad})
        result = _verify(ts, wh, [forged])
        assert result.refusals[0].reason.endswith("malformed signature")


def test_wrong_clear_last_reading_is_refused():
    ts, wh, batches = _signed(n_days=1)
    lying = Batch(
        **{**batches[0].__dict__, "last_cumulative_wh": batches[0].last_cumulative_wh + 1}
    )
    resigned = sign_batch(METER, PROJECT, lying, CHAIN, REGISTRY)
    result = _verify(ts, wh, [resigned])
    assert "last reading differs" in result.refusals[0].reason


def test_batch_of_other_meter_and_empty_batch_are_refused():
    ts, wh, batches = _signed(n_days=1)
    other = Batch(**{**batches[0].__dict__, "meter": OTHER.address})
    empty = Batch(METER.address, T0 - 7200, T0 - 3600, 1, keccak256(b""), batches[0].signature)
    result = _verify(ts, wh, [other, empty])
    assert "is for meter" in result.refusals[0].reason
    assert not result.accepted.any()
    only_empty = _verify(ts, wh, [*batches, empty])
    assert only_empty.accepted.all()


def _reference_verify(ts, wh, batches, separator):
    """verify_meter written out plainly: per batch, slice, hash, digest and recover."""
    covered = np.zeros(len(ts), dtype=bool)
    reasons: dict[int, str] = {}
    valid = []
    for batch in batches:
        inside = [
            i for i in range(len(ts)) if batch.first_timestamp <= ts[i] <= batch.last_timestamp
        ]
        label = f"batch {batch.first_timestamp}..{batch.last_timestamp}"
        if batch.meter.lower() != METER.address.lower():
            problem = f"{label} is for meter {batch.meter}"
        elif not inside:
            problem = f"{label} covers no reading"
        elif readings_hash(ts[inside], wh[inside]) != batch.readings_hash:
            problem = (
                f"{label}: readings differ from what the meter signed (readings hash mismatch)"
            )
        elif (ts[inside[-1]], wh[inside[-1]]) != (batch.last_timestamp, batch.last_cumulative_wh):
            problem = f"{label}: last reading differs from the signed last reading"
        else:
            signer = recover(batch_digest(separator, PROJECT, batch), batch.signature)
            problem = (
                f"{label}: malformed signature"
                if signer is None
                else None
                if signer == METER.address
                else f"{label}: signed by {signer}, not by the meter"
            )
        if problem is None:
            covered[inside] = True
            valid.append(batch)
        for i in inside if problem else []:
            reasons.setdefault(i, problem)
    accepted = covered & ~np.isin(np.arange(len(ts)), list(reasons))
    refusals = [
        (int(ts[i]), reasons.get(i, "not covered by any signed batch"))
        for i in np.flatnonzero(~accepted)
    ]
    return accepted, valid, refusals


@pytest.mark.parametrize("seed", range(16))
def test_verify_meter_equals_the_plain_reference(seed):
    rng = np.random.default_rng(seed)
    ts, wh, batches = _signed(n_days=4)
    wh = wh.copy()
    for i in rng.choice(len(wh), int(rng.integers(0, 3)), replace=False):
        wh[i] += 1  # a tampered reading
    batches = [batches[i] for i in rng.permutation(len(batches))[: int(rng.integers(1, 5))]]
    mutations = [
        lambda b: b,
        lambda b: Batch(**{**b.__dict__, "meter": OTHER.address}),
        lambda b: Batch(**{**b.__dict__, "signature": b.signature[:64] + b"\x1c"}),
        lambda b: Batch(**{**b.__dict__, "signature": b.signature[:64] + b"\x00"}),
        lambda b: Batch(**{**b.__dict__, "first_timestamp": b.first_timestamp - 1800}),
        lambda b: Batch(**{**b.__dict__, "last_timestamp": b.last_timestamp + 10**6}),
        lambda b: Batch(**{**b.__dict__, "first_timestamp": 1, "last_timestamp": 2}),
    ]
    batches = [mutations[int(rng.integers(0, len(mutations)))](b) for b in batches]
    separator = domain_separator(CHAIN, REGISTRY)
    result = _verify(ts, wh, batches)
    accepted, valid, refusals = _reference_verify(ts, wh, batches, separator)
    assert (result.accepted == accepted).all()
    assert result.valid_batches == valid
    assert [(r.timestamp, r.reason) for r in result.refusals] == refusals
