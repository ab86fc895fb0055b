"""Adapters: each turns one kind of meter data into readings of DESIGN section 5."""
