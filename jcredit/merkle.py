"""Merkle commitment of a period's signed meter batches, OpenZeppelin StandardMerkleTree compatible.

One leaf per signed `ReadingBatch` (docs/interfaces.md):
leaf = keccak256(keccak256(abi.encode(address meter, uint64 firstTimestamp, uint64 lastTimestamp,
uint256 lastCumulativeWh, bytes32 readingsHash))). The batch's readingsHash already commits to each
of its readings, so a reading is proven by its batch's Merkle proof plus the batch's readings
hashing to readingsHash; a leaf per reading would cost three keccak permutations per reading for
no extra assurance. Leaves are sorted by hash and laid out as OpenZeppelin's array tree (leaf i at
index len-1-i), and an internal node hashes its sorted pair. So a root built here equals
`StandardMerkleTree.of(values, ["address", "uint64", "uint64", "uint256", "bytes32"]).root`, and
its proofs verify with snekmate's `merkle_proof_verification._verify` on chain.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sha3 import keccak_256

from jcredit.eip712 import Batch
from jcredit.keccak import keccak256


def encode_leaf(batch: Batch) -> bytes:
    """abi.encode(address, uint64, uint64, uint256, bytes32) of the batch (160 bytes)."""
    return (
        bytes(12)
        + bytes.fromhex(batch.meter[2:])
        + batch.first_timestamp.to_bytes(32, "big")
        + batch.last_timestamp.to_bytes(32, "big")
        + batch.last_cumulative_wh.to_bytes(32, "big")
        + batch.readings_hash
    )


def leaf_hash(batch: Batch) -> bytes:
    """The batch's leaf: reuses its signature-checked readingsHash, no reading is rehashed."""
    if len(batch.readings_hash) != 32:
        raise ValueError(
            f"merkle: batch {batch.meter} {batch.first_timestamp}..{batch.last_timestamp} has a "
            f"{len(batch.readings_hash)}-byte readings hash, not 32"
        )
    return keccak_256(keccak_256(encode_leaf(batch)).digest()).digest()


def leaf_hashes(batches: Sequence[Batch]) -> list[bytes]:
    return [leaf_hash(b) for b in batches]


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak256(a + b if a < b else b + a)


@dataclass(frozen=True)
class MerkleTree:
    """OpenZeppelin-layout tree: `nodes[0]` is the root, leaf i of the sorted leaves at len-1-i."""

    nodes: list[bytes]
    leaf_count: int

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes]) -> "MerkleTree":
        if not leaves:
            raise ValueError("merkle: a period with no signed batches has no root")
        ordered = sorted(leaves)
        size = 2 * len(ordered) - 1
        nodes: list[bytes] = [b""] * size
        nodes[size - len(ordered) :] = ordered[::-1]
        k = keccak_256
        # Node i hashes nodes 2i+1 and 2i+2. Every node of [lo, hi] with 2*lo + 1 > hi has both
        # children above hi, so the range is hashed in one list comprehension instead of a loop
        # over indices; ranges run from the last internal node down to the root.
        hi = size - len(ordered) - 1
        while hi >= 0:
            lo = (hi + 1) // 2
            lefts = nodes[2 * lo + 1 : 2 * hi + 2 : 2]
            rights = nodes[2 * lo + 2 : 2 * hi + 3 : 2]
            nodes[lo : hi + 1] = [
                k(a + b if a < b else b + a).digest() for a, b in zip(lefts, rights, strict=True)
            ]
            hi = lo - 1
        return cls(nodes=nodes, leaf_count=len(ordered))

    @property
    def root(self) -> bytes:
        return self.nodes[0]

    def proof(self, leaf: bytes) -> list[bytes]:
        """Sibling hashes from the leaf up to the root."""
        try:
            index = self.nodes.index(leaf, len(self.nodes) - self.leaf_count)
        except ValueError:
            raise ValueError(f"merkle: leaf 0x{leaf.hex()} is not in the tree") from None
        path = []
        while index > 0:
            path.append(self.nodes[index + 1 if index % 2 == 1 else index - 1])
            index = (index - 1) // 2
        return path


def merkle_root(batches: Sequence[Batch]) -> bytes:
    """Root over a period's signed batches (one leaf each)."""
    return MerkleTree.from_leaves(leaf_hashes(batches)).root


def verify_proof(proof: Sequence[bytes], root: bytes, leaf: bytes) -> bool:
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root
