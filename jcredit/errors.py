"""Errors the SDK raises; each message names the input and the problem, ready to show a user."""


class JCreditError(Exception):
    """Base class: something the caller has to act on (wrong input, missing deployment, refusal)."""


class DeploymentError(JCreditError):
    """No usable deployment of the contracts on this network (no file, or not on this chain)."""


class ChainError(JCreditError):
    """The chain refused a transaction (its revert reason is in the message) or could not be
    reached after retries."""


class NotFoundError(JCreditError):
    """An id the caller named (project, meter, retirement, report) does not exist on chain."""


class InputError(JCreditError, ValueError):
    """A value the caller gave is refused before anything is sent (the message names it)."""
