"""Oracle program mode (docs/programs.md): many households, one Merkle-sum report per period.

households: simulated members with signing meters; intake: reading and signature checks;
members: one member's result by the spec's rules; job: the period on Dask; archive: Parquet +
manifest; verify: recompute from the archive and build fraud-proof calldata.
"""
