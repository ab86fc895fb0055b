"""Errors that stop a computation: the data or the tables cannot be used as given."""


class MethodologyError(ValueError):
    """Base class: the message names the input (file, meter, timestamp, line or year)."""


class ReadingsError(MethodologyError):
    """Unusable readings: malformed row, register going backwards, conflicting duplicate, ..."""


class FactorError(MethodologyError):
    """The emission factor table is malformed or has no factor for a fiscal year that is needed."""


class EligibilityError(MethodologyError):
    """A project breaks one of the scheme's eligibility rules."""


class SchemeError(MethodologyError):
    """The scheme-parameter table (crediting years, scheme end) is malformed or incomplete."""
