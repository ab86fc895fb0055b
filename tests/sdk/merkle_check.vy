# pragma version ~=0.4.3
"""Test-only contract: verifies oracle Merkle proofs with snekmate's module, as the chain would."""

from snekmate.utils import merkle_proof_verification as mpv


@external
@pure
def verify(proof: DynArray[bytes32, 255], root: bytes32, leaf: bytes32) -> bool:
    return mpv._verify(proof, root, leaf)
