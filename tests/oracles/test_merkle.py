"""Merkle commitment: OpenZeppelin StandardMerkleTree roots and proofs, checked by snekmate."""

import json
from pathlib import Path

import boa
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracles.keccak import keccak256
from oracles.merkle import MerkleTree, leaf_hash, leaf_hashes, merkle_root, verify_proof

FIXTURES = Path(__file__).parent.parent / "fixtures"
# Generated once with the @openzeppelin/merkle-tree npm package (see the file's "source" field).
OZ = json.loads((FIXTURES / "oz_merkle_vectors.json").read_text())["cases"]


def _columns(values):
    return (
        [v[0] for v in values],
        np.array([int(v[1]) for v in values]),
        np.array([int(v[2]) for v in values]),
    )


@pytest.mark.parametrize("case", OZ, ids=lambda c: f"{len(c['values'])}-leaves")
def test_root_and_proofs_match_openzeppelin(case):
    meters, ts, wh = _columns(case["values"])
    assert "0x" + merkle_root(meters, ts, wh).hex() == case["root"]
    tree = MerkleTree.from_leaves(leaf_hashes(meters, ts, wh))
    for entry in case["proofs"]:
        leaf = leaf_hash(entry["value"][0], int(entry["value"][1]), int(entry["value"][2]))
        assert "0x" + leaf.hex() == entry["leaf"]
        assert ["0x" + p.hex() for p in tree.proof(leaf)] == entry["proof"]


def test_leaf_is_double_keccak_of_abi_encoding():
    meter = "0x00000000000000000000000000000000000000aA"
    encoded = (
        bytes(12) + bytes.fromhex(meter[2:]) + (7).to_bytes(32, "big") + (9).to_bytes(32, "big")
    )
    assert leaf_hash(meter, 7, 9) == keccak256(keccak256(encoded))


def test_empty_period_has_no_root():
    with pytest.raises(ValueError, match="no readings"):
        MerkleTree.from_leaves([])


def test_proof_of_unknown_leaf_is_refused():
    tree = MerkleTree.from_leaves([keccak256(b"a"), keccak256(b"b")])
    with pytest.raises(ValueError, match="not in the tree"):
        tree.proof(keccak256(b"c"))


@pytest.fixture(scope="module")
def checker():
    return boa.load(str(Path(__file__).parent / "merkle_check.vy"))


@given(
    wh=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=40, unique=True),
    pick=st.integers(0, 39),
)
def test_snekmate_verifies_every_proof(checker, wh, pick):
    meters = ["0x" + f"{i % 3 + 1:040x}" for i in range(len(wh))]
    ts = np.arange(1, len(wh) + 1) * 1800
    values = np.array(wh, dtype=np.int64)
    tree = MerkleTree.from_leaves(leaf_hashes(meters, ts, values))
    i = pick % len(wh)
    leaf = leaf_hash(meters[i], int(ts[i]), int(values[i]))
    proof = tree.proof(leaf)
    assert verify_proof(proof, tree.root, leaf)
    assert checker.verify(proof, tree.root, leaf)
    # A reading changed by 1 Wh must not verify against the committed root.
    forged = leaf_hash(meters[i], int(ts[i]), int(values[i]) + 1)
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


def _reference_leaf(meter: str, timestamp: int, wh: int) -> bytes:
    encoded = (
        bytes(12)
        + bytes.fromhex(meter[2:])
        + timestamp.to_bytes(32, "big")
        + wh.to_bytes(32, "big")
    )
    return keccak256(keccak256(encoded))


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 257])
def test_fast_tree_and_leaves_equal_the_reference(size):
    rng = np.random.default_rng(size)
    meters = ["0x" + rng.bytes(20).hex() for _ in range(3)]
    column = [meters[i] for i in rng.integers(0, 3, size)]
    ts = rng.integers(0, 2**63 - 1, size)
    # Registers that end in zero bytes too: the encoded row must keep its trailing zeros.
    wh = rng.integers(0, 2**40, size) * np.where(rng.random(size) < 0.3, 1 << 16, 1)
    leaves = leaf_hashes(column, ts, wh)
    assert leaves == [
        _reference_leaf(m, int(t), int(w)) for m, t, w in zip(column, ts, wh, strict=True)
    ]
    tree = MerkleTree.from_leaves(leaves)
    assert tree.nodes == _reference_tree(leaves)
    assert merkle_root(column, ts, wh) == _reference_tree(leaves)[0]
