"""Errors the oracle raises; each message names the input and the problem."""


class OracleError(Exception):
    """Base class: anything the operator has to act on."""


class DataError(OracleError):
    """Meter data or a site config that cannot be used as it is."""


class SignatureError(OracleError):
    """A reading the oracle needs is not covered by a valid meter signature."""


class ChainError(OracleError):
    """The chain refused a call (revert) or could not be reached after retries."""
