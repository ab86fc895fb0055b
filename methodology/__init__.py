"""EN-R-002 (solar self-consumption) as code: readings, periods, factors, reductions, credits."""

from methodology.compute import PeriodResult, Result, compute, compute_periods
from methodology.errors import EligibilityError, FactorError, MethodologyError, ReadingsError
from methodology.factors import FactorTable, load_factors
from methodology.readings import load_readings

__all__ = [
    "EligibilityError",
    "FactorError",
    "FactorTable",
    "MethodologyError",
    "PeriodResult",
    "ReadingsError",
    "Result",
    "compute",
    "compute_periods",
    "load_factors",
    "load_readings",
]
