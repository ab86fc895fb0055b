"""Errors of the meter-data side; each message names the input and the problem.

Refusals by the chain are `jcredit.errors.ChainError`: the SDK sends every transaction.
"""


class OracleError(Exception):
    """Base class: anything the operator has to act on."""


class DataError(OracleError):
    """Meter data or a site config that cannot be used as it is."""


class SignatureError(OracleError):
    """A reading the oracle needs is not covered by a valid meter signature."""
