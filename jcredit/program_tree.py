"""Program-type projects: enrollment leaves, member results and the Merkle-sum tree.

The Python twin of `contracts/modules/program_tree.vy`, byte for byte (docs/programs.md):

- Enrollment tree: one `EnrolledMeter` leaf per meter, strictly ascending by meter address, in a
  positional binary tree (leaf i at index i, missing leaves are zero). A leaf hashes as
  keccak256(abi.encode(leaf)) (288 bytes), an inner node as keccak256(left ++ right) (64 bytes).
- Sum tree: one `MemberResult` leaf per member, strictly ascending by member id, positional,
  depth at least 1. An inner node is a `SumNode` (each child's hash and the credited grams under
  it), hashed as keccak256(abi.encode(left, left_sum, right, right_sum)); an empty subtree is hash
  zero, sum zero.
  A path is the list of `SumNode`s from the root down to the leaf's parent.

Sorting is what makes absence and duplicates provable: two adjacent leaves out of order are a
fraud proof by themselves.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from eth_abi import encode

from jcredit.eip712 import Batch
from jcredit.keccak import keccak256

# Meter signatures of program members sign ReadingBatch with projectId = PROGRAM_PROJECT_BASE +
# program id; single-site project ids are below 2**64, so no batch serves both.
PROGRAM_PROJECT_BASE = 2**128
MAX_TREE_DEPTH = 24
MAX_MEMBER_METERS = 3
ZERO_HASH = bytes(32)

ENROLLED_METER_TYPE = "(address,uint256,uint256,uint256,uint256,uint64,uint64,uint64,bytes32)"
BOUNDARY_TYPE = "(address,uint64,uint64,uint256,bytes32,bytes)"
METER_BOUNDARY_TYPE = f"(uint256,{BOUNDARY_TYPE},{BOUNDARY_TYPE})"
MEMBER_RESULT_TYPE = (
    f"(uint256,{METER_BOUNDARY_TYPE}[],uint256,uint256,uint256,uint256,bool,uint256)"
)


def program_project_id(program_id: int) -> int:
    """The projectId a member's meter signs its ReadingBatch with."""
    return PROGRAM_PROJECT_BASE + program_id


@dataclass(frozen=True)
class EnrolledMeter:
    """One enrolled meter, as the validator approves it."""

    meter: str
    member_id: int
    kind: int
    interval_seconds: int
    capacity_w: int
    crediting_start: int
    crediting_end: int
    certification_expiry: int
    consent_hash: bytes

    def as_tuple(self) -> tuple:
        return (
            self.meter,
            self.member_id,
            self.kind,
            self.interval_seconds,
            self.capacity_w,
            self.crediting_start,
            self.crediting_end,
            self.certification_expiry,
            self.consent_hash,
        )

    def leaf_hash(self) -> bytes:
        return keccak256(encode([ENROLLED_METER_TYPE], [self.as_tuple()]))


@dataclass(frozen=True)
class MeterBoundary:
    """One meter of a member in a report: its enrollment index and its start and end batches."""

    enrollment_index: int
    start: Batch
    end: Batch

    def as_tuple(self) -> tuple:
        return (self.enrollment_index, self.start.as_signed_reading(), self.end.as_signed_reading())


@dataclass(frozen=True)
class MemberResult:
    """A member's result for one period: a sum-tree leaf. `credited_g` is 0 when not valid."""

    member_id: int
    meters: tuple[MeterBoundary, ...]
    self_consumed_wh: int
    reduction_g: int
    credited_g: int
    ytd_credited_g: int
    valid: bool
    reason: int

    def as_tuple(self) -> tuple:
        return (
            self.member_id,
            [m.as_tuple() for m in self.meters],
            self.self_consumed_wh,
            self.reduction_g,
            self.credited_g,
            self.ytd_credited_g,
            self.valid,
            self.reason,
        )

    def encode(self) -> bytes:
        return encode([MEMBER_RESULT_TYPE], [self.as_tuple()])

    def leaf_hash(self) -> bytes:
        return keccak256(self.encode())


@dataclass(frozen=True)
class SumNode:
    left: bytes
    left_sum: int
    right: bytes
    right_sum: int

    def as_tuple(self) -> tuple:
        return (self.left, self.left_sum, self.right, self.right_sum)

    def hash(self) -> bytes:
        return keccak256(
            self.left
            + self.left_sum.to_bytes(32, "big")
            + self.right
            + self.right_sum.to_bytes(32, "big")
        )

    @property
    def total(self) -> int:
        return self.left_sum + self.right_sum


def depth_for(count: int, minimum: int = 0) -> int:
    """Smallest d >= minimum with 2**d >= count."""
    if count < 1:
        raise ValueError(f"program_tree: a tree needs at least one leaf, got {count}")
    depth = max(minimum, (count - 1).bit_length())
    if depth > MAX_TREE_DEPTH:
        raise ValueError(f"program_tree: {count} leaves exceed 2**{MAX_TREE_DEPTH}")
    return depth


@dataclass
class EnrollmentTree:
    """Positional Merkle tree of enrollment leaves (must already be sorted by meter address)."""

    leaves: list[EnrolledMeter]
    # False keeps leaves out of order (a verifier rebuilding what a careless manager committed).
    strict: bool = True
    levels: list[list[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.strict:
            check_enrollment_order(self.leaves)
        depth = depth_for(len(self.leaves))
        level = [leaf.leaf_hash() for leaf in self.leaves]
        level += [ZERO_HASH] * ((1 << depth) - len(level))
        self.levels = [level]
        while len(level) > 1:
            level = [keccak256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
            self.levels.append(level)

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    @property
    def count(self) -> int:
        return len(self.leaves)

    def index_of(self, meter: str) -> int:
        """The index of `meter`'s leaf (ValueError naming the meter when it is not enrolled)."""
        for index, leaf in enumerate(self.leaves):
            if leaf.meter.lower() == meter.lower():
                return index
        raise ValueError(f"program_tree: meter {meter} is not enrolled")

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes from the leaf's level up."""
        siblings = []
        for level in self.levels[:-1]:
            siblings.append(level[index ^ 1])
            index >>= 1
        return siblings


def enrollment_root_from(leaf_hash: bytes, index: int, siblings: Sequence[bytes]) -> bytes:
    """The root a leaf and its siblings lead to (as the contract computes it)."""
    node = leaf_hash
    for sibling in siblings:
        node = keccak256(node + sibling) if index & 1 == 0 else keccak256(sibling + node)
        index >>= 1
    if index != 0:
        raise ValueError("program_tree: index beyond the tree")
    return node


def check_enrollment_order(leaves: Sequence[EnrolledMeter]) -> None:
    """Raises ValueError naming the pair when leaves are not strictly ascending by meter."""
    for a, b in itertools.pairwise(leaves):
        if int(a.meter, 16) >= int(b.meter, 16):
            raise ValueError(
                f"program_tree: enrollment leaves out of order or duplicated: {a.meter} "
                f"(member {a.member_id}) then {b.meter} (member {b.member_id})"
            )


@dataclass
class SumTree:
    """Merkle-sum tree of member results (must already be sorted by member id)."""

    leaves: list[MemberResult]
    # False keeps results out of order (a verifier rebuilding what a cheat committed).
    strict: bool = True
    depth: int = 0
    # levels[0] = leaves' (hash, sum); levels[-1] = [(root_hash, total)]
    levels: list[list[tuple[bytes, int]]] = field(default_factory=list)
    nodes: list[list[SumNode]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.strict:
            check_member_order(self.leaves)
        self.depth = depth_for(len(self.leaves), minimum=1)
        level = [(leaf.leaf_hash(), leaf.credited_g) for leaf in self.leaves]
        level += [(ZERO_HASH, 0)] * ((1 << self.depth) - len(level))
        self.levels = [level]
        self.nodes = []
        while len(level) > 1:
            nodes = [
                SumNode(level[i][0], level[i][1], level[i + 1][0], level[i + 1][1])
                for i in range(0, len(level), 2)
            ]
            self.nodes.append(nodes)
            level = [
                (ZERO_HASH, 0)
                if n.left == n.right == ZERO_HASH and n.total == 0
                else (n.hash(), n.total)
                for n in nodes
            ]
            self.levels.append(level)

    @property
    def root_node(self) -> SumNode:
        return self.nodes[-1][0]

    @property
    def root(self) -> bytes:
        return self.root_node.hash()

    @property
    def total(self) -> int:
        return self.root_node.total

    @property
    def count(self) -> int:
        return len(self.leaves)

    def position_of(self, member_id: int) -> int:
        for position, leaf in enumerate(self.leaves):
            if leaf.member_id == member_id:
                return position
        raise ValueError(f"program_tree: member {member_id} is not in this report")

    def path(self, position: int) -> list[SumNode]:
        """The inner nodes from the root down to the leaf's parent."""
        if not 0 <= position < 1 << self.depth:
            raise ValueError(f"program_tree: position {position} is beyond the tree")
        path = []
        for level in range(self.depth - 1, -1, -1):
            path.append(self.nodes[level][position >> (level + 1)])
        return path


def leaf_at(root: bytes, depth: int, position: int, path: Sequence[SumNode]) -> tuple[bytes, int]:
    """Follows a full path as the contract does: (leaf hash, the sum its parent claims)."""
    if len(path) != depth or depth == 0:
        raise ValueError("program_tree: path length")
    if position >= 1 << depth:
        raise ValueError("program_tree: position beyond the tree")
    expected = root
    child: tuple[bytes, int] = (ZERO_HASH, 0)
    for level, node in enumerate(path):
        if node.hash() != expected:
            raise ValueError("program_tree: path does not match the root")
        right = (position >> (depth - 1 - level)) & 1 == 1
        child = (node.right, node.right_sum) if right else (node.left, node.left_sum)
        expected = child[0]
    return child


def check_member_order(leaves: Sequence[MemberResult]) -> None:
    """Raises ValueError naming the pair when results are not strictly ascending by member id."""
    for a, b in itertools.pairwise(leaves):
        if a.member_id >= b.member_id:
            raise ValueError(
                f"program_tree: member results out of order or duplicated: member {a.member_id} "
                f"then member {b.member_id}"
            )
