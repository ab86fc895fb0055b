"""Merkle commitment: one leaf per signed batch, OpenZeppelin StandardMerkleTree roots and proofs,
checked by snekmate."""

import json
from pathlib import Path

import boa
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcredit.eip712 import Batch, readings_hash
from jcredit.keccak import keccak256
from jcredit.merkle import MerkleTree, leaf_hash, leaf_hashes, merkle_root, verify_proof
from oracles.signing import day_batches

FIXTURES = Path(__file__).parent.parent / "fixtures"
# Generated with the @openzeppelin/merkle-tree npm package by tests/fixtures/oz_merkle_vectors.js.
OZ = json.loads((FIXTURES / "oz_merkle_vectors.json").read_text())["cases"]


def _batch(value: list[str]) -> Batch:
    meter, first, last, wh, hashed = value
    return Batch(meter, int(first), int(last), int(wh), bytes.fromhex(hashed[2:]))


@pytest.mark.parametrize("case", OZ, ids=lambda c: f"{len(c['values'])}-leaves")
def test_root_and_proofs_match_openzeppelin(case):
    batches = [_batch(v) for v in case["values"]]
    assert "0x" + merkle_root(batches).hex() == case["root"]
    tree = MerkleTree.from_leaves(leaf_hashes(batches))
    for entry in case["proofs"]:
        leaf = leaf_hash(_batch(entry["value"]))
        assert "0x" + leaf.hex() == entry["leaf"]
        assert ["0x" + p.hex() for p in tree.proof(leaf)] == entry["proof"]


def test_leaf_is_double_keccak_of_abi_encoding():
    meter = "0x00000000000000000000000000000000000000aA"
    hashed = bytes(range(32))
    encoded = (
        bytes(12)
        + bytes.fromhex(meter[2:])
        + (7).to_bytes(32, "big")
        + (8).to_bytes(32, "big")
        + (9).to_bytes(32, "big")
        + hashed
    )
    assert leaf_hash(Batch(meter, 7, 8, 9, hashed)) == keccak256(keccak256(encoded))


def test_leaf_refuses_a_readings_hash_that_is_not_32_bytes():
    with pytest.raises(ValueError, match="31-byte readings hash"):
        leaf_hash(Batch("0x" + "11" * 20, 1, 2, 3, bytes(31)))


def test_empty_period_has_no_root():
    with pytest.raises(ValueError, match="no signed batches"):
        MerkleTree.from_leaves([])


def test_proof_of_unknown_leaf_is_refused():
    tree = MerkleTree.from_leaves([keccak256(b"a"), keccak256(b"b")])
    with pytest.raises(ValueError, match="not in the tree"):
        tree.proof(keccak256(b"c"))


@pytest.fixture(scope="module")
def checker():
    return boa.load(str(Path(__file__).parent / "merkle_check.vy"))


def _day_batches(wh: list[int]) -> tuple[list[Batch], np.ndarray, np.ndarray]:
    """Half-hourly readings of one meter from 2025-04-01 00:30 JST, cut into JST-day batches."""
    ts = 1743433200 + np.arange(1, len(wh) + 1) * 1800
    values = np.array(wh, dtype=np.int64)
    return day_batches("0x" + "ab" * 20, ts, values), ts, values


@given(
    wh=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=200),
    pick=st.integers(0, 199),
)
def test_snekmate_verifies_a_reading_through_its_batch(checker, wh, pick):
    batches, ts, values = _day_batches(wh)
    tree = MerkleTree.from_leaves(leaf_hashes(batches))
    # Reading i is proven by its batch's Merkle proof plus the batch's readings hashing to the
    # readingsHash inside the leaf.
    i = pick % len(wh)
    batch = next(b for b in batches if b.first_timestamp <= ts[i] <= b.last_timestamp)
    rows = (ts >= batch.first_timestamp) & (ts <= batch.last_timestamp)
    assert readings_hash(ts[rows], values[rows]) == batch.readings_hash
    leaf = leaf_hash(batch)
    proof = tree.proof(leaf)
    assert verify_proof(proof, tree.root, leaf)
    assert checker.verify(proof, tree.root, leaf)
    # A reading changed by 1 Wh changes the batch's readings hash, so its leaf no longer verifies.
    forged_values = values.copy()
    forged_values[i] = (int(values[i]) + 1) % 2**63
    forged_hash = readings_hash(ts[rows], forged_values[rows])
    assert forged_hash != batch.readings_hash
    forged = leaf_hash(
        Batch(
            batch.meter,
            batch.first_timestamp,
            batch.last_timestamp,
            batch.last_cumulative_wh,
            forged_hash,
        )
    )
    assert not checker.verify(proof, tree.root, forged)
    assert not verify_proof(proof, tree.root, forged)


def _reference_tree(leaves: list[bytes]) -> list[bytes]:
    """OpenZeppelin's layout written out node by node: the straightforward form of from_leaves."""
    ordered = sorted(leaves)
    nodes = [b""] * (2 * len(ordered) - 1)
    for i, leaf in enumerate(ordered):
        nodes[len(nodes) - 1 - i] = leaf
    for i in range(len(nodes) - len(ordered) - 1, -1, -1):
        a, b = sorted([nodes[2 * i + 1], nodes[2 * i + 2]])
        nodes[i] = keccak256(a + b)
    return nodes


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 257])
def test_fast_tree_equals_the_reference(size):
    rng = np.random.default_rng(size)
    leaves = [rng.bytes(32) for _ in range(size)]
    tree = MerkleTree.from_leaves(leaves)
    assert tree.nodes == _reference_tree(leaves)
    for leaf in leaves:
        assert verify_proof(tree.proof(leaf), tree.root, leaf)
