"""Keccak-256 (Ethereum's, not NIST SHA3-256).

safe-pysha3 is about five times faster per call than pycryptodome here, and the oracle hashes every
reading three times, so it is the hot path of the whole pipeline.
"""

from sha3 import keccak_256


def keccak256(data: bytes | bytearray | memoryview) -> bytes:
    return keccak_256(data).digest()
