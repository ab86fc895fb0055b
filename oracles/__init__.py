"""Oracle: meter adapters, signed readings, archive, Merkle commitment and report submission."""
