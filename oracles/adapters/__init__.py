"""Adapters: each turns one kind of meter data into readings of the common format
(docs/interfaces.md, "Readings CSV")."""
