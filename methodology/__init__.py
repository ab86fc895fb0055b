"""EN-R-002 (solar self-consumption) as code: readings, periods, factors, reductions, credits."""

from methodology.compute import PeriodResult, Result, compute, compute_periods
from methodology.eligibility import CreditingPeriod, crediting_period
from methodology.errors import (
    EligibilityError,
    FactorError,
    MethodologyError,
    ReadingsError,
    SchemeError,
)
from methodology.factors import FactorTable, load_factors
from methodology.readings import load_readings
from methodology.scheme import SchemeParameters, load_scheme

__all__ = [
    "CreditingPeriod",
    "EligibilityError",
    "FactorError",
    "FactorTable",
    "MethodologyError",
    "PeriodResult",
    "ReadingsError",
    "Result",
    "SchemeError",
    "SchemeParameters",
    "compute",
    "compute_periods",
    "crediting_period",
    "load_factors",
    "load_readings",
    "load_scheme",
]
