"""Trees as someone committed them, right or wrong.

`jcredit.program_tree.EnrollmentTree` and `SumTree` refuse leaves out of order, which is right for
an honest oracle. A verifier must also rebuild what a cheater (or a careless manager) committed:
an enrollment with a meter twice, results with a member twice, inner sums that do not add up.
These twins hash exactly like the SDK's (the tests check it on ordered leaves) but keep whatever
they are given; `ClaimedTree` can also hold stored inner nodes as they were published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jcredit.program_tree import (
    ZERO_HASH,
    EnrolledMeter,
    EnrollmentTree,
    MemberResult,
    SumNode,
    SumTree,
)


class EnrollmentView(EnrollmentTree):
    """A positional enrollment tree over leaves in the order given (duplicates kept)."""

    def __init__(self, leaves: Sequence[EnrolledMeter]) -> None:
        super().__init__(list(leaves), strict=False)

    def first_disorder(self) -> int | None:
        """The first index i with leaves i, i+1 not strictly ascending by meter (kind 7)."""
        for i, (a, b) in enumerate(zip(self.leaves, self.leaves[1:], strict=False)):
            if int(a.meter, 16) >= int(b.meter, 16):
                return i
        return None

    def shared_meters(self) -> dict[str, list[int]]:
        """Meters (lower case) enrolled more than once, with the members they are enrolled for."""
        members: dict[str, list[int]] = {}
        for leaf in self.leaves:
            members.setdefault(leaf.meter.lower(), []).append(leaf.member_id)
        return {meter: ids for meter, ids in members.items() if len(ids) > 1}


@dataclass
class ClaimedTree:
    """A sum tree as committed: leaves and inner nodes (nodes[0] = parents of the leaves,
    nodes[-1] = [root], as `SumTree.nodes`)."""

    leaves: list[MemberResult]
    depth: int
    nodes: list[list[SumNode]]

    @classmethod
    def from_sum_tree(cls, tree: SumTree) -> ClaimedTree:
        return cls(list(tree.leaves), tree.depth, [list(level) for level in tree.nodes])

    @classmethod
    def build(cls, leaves: Sequence[MemberResult]) -> ClaimedTree:
        """Hashes and sums as `SumTree` computes them, without its order check."""
        return cls.from_sum_tree(SumTree(list(leaves), strict=False))

    def rehash_from(self, height: int, index: int) -> None:
        """After changing nodes[height][index], recompute the nodes above it (a cheat's tree)."""
        while height + 1 < len(self.nodes):
            node = self.nodes[height][index]
            parent_index = index >> 1
            parent = self.nodes[height + 1][parent_index]
            hash_, total = _summary(node)
            if index & 1:
                parent = SumNode(parent.left, parent.left_sum, hash_, total)
            else:
                parent = SumNode(hash_, total, parent.right, parent.right_sum)
            self.nodes[height + 1][parent_index] = parent
            height, index = height + 1, parent_index

    @property
    def root_node(self) -> SumNode:
        return self.nodes[-1][0]

    @property
    def root(self) -> bytes:
        return self.root_node.hash()

    @property
    def total(self) -> int:
        return self.root_node.total

    def path(self, position: int) -> list[SumNode]:
        """The inner nodes from the root down to the leaf's parent."""
        return [self.nodes[h][position >> (h + 1)] for h in range(self.depth - 1, -1, -1)]

    def position_of(self, member_id: int) -> int:
        for position, leaf in enumerate(self.leaves):
            if leaf.member_id == member_id:
                return position
        raise ValueError(f"member {member_id} is not in this report")


def _summary(node: SumNode) -> tuple[bytes, int]:
    """(hash, sum) of a node as its parent holds it: an all-empty subtree is (0, 0)."""
    if node.left == node.right == ZERO_HASH and node.total == 0:
        return ZERO_HASH, 0
    return node.hash(), node.total
