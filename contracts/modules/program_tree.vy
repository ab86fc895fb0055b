# pragma version ~=0.4.3
"""
@title Program-type projects: enrollment leaves, member results, Merkle-sum trees
@custom:contract-name program_tree
@license MIT
@notice The data a program report commits and how it is hashed. Stateless:
        `Programs`, `MemberProofs` and `ProgramProofs` call it without
        `uses:`; `jcredit/program_tree.py` is its Python twin, byte for byte.

        Enrollment tree: one `EnrolledMeter` leaf per meter, sorted by meter
        address (strictly ascending, so a meter enrolled twice shows as two
        adjacent leaves out of order). Positional binary tree of depth
        `_depth(count)`: leaf i at index i, missing leaves are zero, an inner
        node is keccak256(left ++ right), a leaf is keccak256(abi_encode(leaf))
        (288 bytes, so never mistaken for a 64-byte inner node).

        Sum tree: one `MemberResult` leaf per member, sorted by member id
        (strictly ascending), positional, depth `_depth(count)` but at least 1.
        An inner node is a `SumNode` (each child's hash and the sum of credited
        grams under it), hashed as keccak256(abi_encode(node)) (128 bytes); a
        leaf is keccak256(abi_encode(result)) (longer: never 128 bytes, since it
        holds dynamic arrays); an empty subtree is hash zero with sum zero. The
        report commits the root node's hash; the contract recomputes the total
        from the root node's two sums. A path is the list of `SumNode`s from the
        root down to the leaf's parent; position bit `depth - 1 - k` picks the
        child at level k (1 = right).
"""


# @notice Meter signatures of program members sign `ReadingBatch` with
#         projectId = PROGRAM_PROJECT_BASE + program id: single-site project
#         ids are below 2**64, so no batch serves both.
PROGRAM_PROJECT_BASE: constant(uint256) = 2**128
# @notice Deepest tree accepted: 2**24 (16.7 million) leaves.
MAX_TREE_DEPTH: constant(uint256) = 24
# @notice Most meters of one member: {generation, export},
#         {self-consumption} or {generation, self-consumption}.
MAX_MEMBER_METERS: constant(uint256) = 3


# @notice One enrolled meter, as the validator approved it.
struct EnrolledMeter:
    meter: address
    member_id: uint256
    kind: uint256
    interval_seconds: uint256
    capacity_w: uint256
    crediting_start: uint64
    crediting_end: uint64
    certification_expiry: uint64
    consent_hash: bytes32


# @notice A meter-signed batch (the fields of `meter_signatures.SignedReading`).
struct Boundary:
    meter: address
    first_timestamp: uint64
    last_timestamp: uint64
    last_cumulative_wh: uint256
    readings_hash: bytes32
    signature: Bytes[65]


# @notice One meter of a member in a report: its enrollment leaf's index and
#         the signed batches whose last readings are its start and end.
struct MeterBoundary:
    enrollment_index: uint256
    start: Boundary
    end: Boundary


# @notice A member's result for one report period (a sum-tree leaf).
#         `credited_g` is what the sum tree counts: 0 when `valid` is false.
#         `ytd_credited_g` is the member's credited grams in the fiscal year
#         up to and including this report (for the per-member cap).
struct MemberResult:
    member_id: uint256
    meters: DynArray[MeterBoundary, MAX_MEMBER_METERS]
    self_consumed_wh: uint256
    reduction_g: uint256
    credited_g: uint256
    ytd_credited_g: uint256
    valid: bool
    reason: uint256


# @notice An inner node of the sum tree.
struct SumNode:
    left: bytes32
    left_sum: uint256
    right: bytes32
    right_sum: uint256


@internal
@pure
def _depth(count: uint256) -> uint256:
    """
    @notice Depth of a positional tree holding `count` leaves (0 for one).
    @param count Number of leaves (> 0).
    @return uint256 The smallest d with 2**d >= count.
    """
    depth: uint256 = 0
    for _: uint256 in range(MAX_TREE_DEPTH + 1):
        if 1 << depth >= count:
            return depth
        depth += 1
    raise "program_tree: too many leaves"


@internal
@pure
def _enrollment_leaf_hash(leaf: EnrolledMeter) -> bytes32:
    """
    @notice Hash of an enrollment leaf.
    @param leaf The enrolled meter.
    @return bytes32 keccak256(abi_encode(leaf)).
    """
    return keccak256(abi_encode(leaf))


@internal
@pure
def _enrollment_root(leaf_hash: bytes32, index: uint256, siblings: DynArray[bytes32, MAX_TREE_DEPTH]) -> bytes32:
    """
    @notice Root reached from a leaf at `index` with its siblings (bottom up).
    @param leaf_hash The leaf's hash.
    @param index The leaf's position.
    @param siblings Sibling hashes from the leaf's level up.
    @return bytes32 The root.
    """
    node: bytes32 = leaf_hash
    position: uint256 = index
    for sibling: bytes32 in siblings:
        if position & 1 == 0:
            node = keccak256(concat(node, sibling))
        else:
            node = keccak256(concat(sibling, node))
        position >>= 1
    assert position == 0, "program_tree: index beyond the tree"
    return node


@internal
@pure
def _member_leaf_hash(result: MemberResult) -> bytes32:
    """
    @notice Hash of a member result leaf.
    @param result The member's result.
    @return bytes32 keccak256(abi_encode(result)).
    """
    return keccak256(abi_encode(result))


@internal
@pure
def _node_hash(node: SumNode) -> bytes32:
    """
    @notice Hash of a sum-tree inner node.
    @param node The node.
    @return bytes32 keccak256(abi_encode(left, left_sum, right, right_sum)).
    """
    return keccak256(abi_encode(node.left, node.left_sum, node.right, node.right_sum))


@internal
@pure
def _child(node: SumNode, right: bool) -> (bytes32, uint256):
    """
    @notice One child of a node: its hash and its claimed sum.
    @param node The node.
    @param right True for the right child.
    @return bytes32 The child's hash.
    @return uint256 The child's claimed sum.
    """
    if right:
        return node.right, node.right_sum
    return node.left, node.left_sum


@internal
@pure
def _leaf_at(
    root: bytes32, depth: uint256, position: uint256, path: DynArray[SumNode, MAX_TREE_DEPTH]
) -> (bytes32, uint256):
    """
    @notice Follows a full path from the root to position `position`;
            reverts unless every node hashes to its parent's child.
    @param root The committed sum root.
    @param depth The tree's depth.
    @param position The leaf's position (< 2**depth).
    @param path The inner nodes from the root to the leaf's parent.
    @return bytes32 The leaf hash the tree holds there.
    @return uint256 The sum its parent claims for it.
    """
    assert len(path) == depth and depth != 0, "program_tree: path length"
    assert position < 1 << depth, "program_tree: position beyond the tree"
    expected: bytes32 = root
    child_hash: bytes32 = empty(bytes32)
    child_sum: uint256 = 0
    level: uint256 = 0
    for node: SumNode in path:
        assert self._node_hash(node) == expected, "program_tree: path does not match the root"
        child_hash, child_sum = self._child(node, (position >> (depth - 1 - level)) & 1 == 1)
        expected = child_hash
        level += 1
    return child_hash, child_sum
