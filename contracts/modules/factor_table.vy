# pragma version ~=0.4.3
"""
@title Grid emission factors per Japanese fiscal year
@custom:contract-name factor_table
@license MIT
@notice The admin sets the grid CO2 emission factor (g-CO2 per MWh) of each
        fiscal year. Fiscal year N runs [N-04-01T00:00+09:00,
        (N+1)-04-01T00:00+09:00); the contract computes those bounds itself
        and refuses bounds that differ, so a wrong bound cannot shift a
        period into another vintage. The first non-void report submitted
        with a year's factor locks it: a pending or finalized report can
        never be judged against a different factor.
"""

from snekmate.auth import ownable
from . import constants

uses: ownable


struct EmissionFactor:
    factor_g_per_mwh: uint256
    starts_at: uint64
    ends_at: uint64
    locked: bool


_LOCKED_BIT: constant(uint256) = 1 << 255
# Factors must stay far below this so reduction arithmetic cannot overflow.
# It is also the mask of the factor's 64 bits in `_factors`.
MAX_FACTOR_G_PER_MWH: constant(uint256) = constants.MASK_64
_JST_OFFSET: constant(uint256) = 9 * 3600


# @dev Per fiscal year: factor (bits 0-63) and the lock (bit 255); 0 = unset.
_factors: HashMap[uint16, uint256]


# @notice The admin set the factor of `fiscal_year`.
event EmissionFactorSet:
    fiscal_year: indexed(uint16)
    factor_g_per_mwh: uint256
    starts_at: uint64
    ends_at: uint64


# @notice A report used the factor of `fiscal_year`; it cannot change again.
event EmissionFactorLocked:
    fiscal_year: indexed(uint16)


@deploy
def __init__():
    """
    @notice Nothing to set: factors come from the data table via the admin.
    """
    pass


@external
def set_emission_factor(fiscal_year: uint16, factor_g_per_mwh: uint256, starts_at: uint64, ends_at: uint64):
    """
    @notice Sets (or, until locked, replaces) a fiscal year's factor (admin).
    @param fiscal_year N for the year starting N-04-01 JST (>= 1970).
    @param factor_g_per_mwh g-CO2 per MWh (0.000434 t-CO2/kWh is 434000).
    @param starts_at Must equal N-04-01T00:00+09:00 in seconds.
    @param ends_at Must equal (N+1)-04-01T00:00+09:00 in seconds.
    """
    ownable._check_owner()
    assert factor_g_per_mwh != 0, "registry: zero factor"
    assert factor_g_per_mwh <= MAX_FACTOR_G_PER_MWH, "registry: factor too large"
    # `_fiscal_year_start` refuses years before 1970 ("registry: fiscal year < 1970").
    assert (
        starts_at == self._fiscal_year_start(fiscal_year)
        and ends_at == self._fiscal_year_start(fiscal_year + 1)
    ), "registry: wrong fiscal bounds"
    assert self._factors[fiscal_year] & _LOCKED_BIT == 0, "registry: factor locked"
    self._factors[fiscal_year] = factor_g_per_mwh
    log EmissionFactorSet(
        fiscal_year=fiscal_year, factor_g_per_mwh=factor_g_per_mwh, starts_at=starts_at, ends_at=ends_at
    )


@external
@view
def emission_factors(fiscal_year: uint16) -> EmissionFactor:
    """
    @notice A fiscal year's factor, bounds and lock (factor 0 when unset).
    @param fiscal_year The fiscal year.
    @return (factor_g_per_mwh, starts_at, ends_at, locked).
    """
    packed: uint256 = self._factors[fiscal_year]
    return EmissionFactor(
        factor_g_per_mwh=packed & MAX_FACTOR_G_PER_MWH,
        starts_at=self._fiscal_year_start(fiscal_year),
        ends_at=self._fiscal_year_start(fiscal_year + 1),
        locked=packed & _LOCKED_BIT != 0,
    )


@internal
def _use(fiscal_year: uint16) -> uint256:
    """
    @notice The year's factor for a non-void report; locks it on first use.
            Reverts if the year has no factor.
    @param fiscal_year The report's fiscal year.
    @return uint256 The factor in g-CO2/MWh.
    """
    packed: uint256 = self._factors[fiscal_year]
    assert packed != 0, "registry: no emission factor"
    if packed & _LOCKED_BIT == 0:
        self._factors[fiscal_year] = packed | _LOCKED_BIT
        log EmissionFactorLocked(fiscal_year=fiscal_year)
    return packed & MAX_FACTOR_G_PER_MWH


@internal
@pure
def _fiscal_year_start(fiscal_year: uint16) -> uint64:
    """
    @notice N-04-01T00:00+09:00 in seconds since epoch, by the days-from-civil
            algorithm (proleptic Gregorian; April is past February so the
            year is not shifted). Reverts for years before 1970.
    @param fiscal_year N, the fiscal year.
    @return uint64 The first second of fiscal year N.
    """
    year: uint256 = convert(fiscal_year, uint256)
    assert year >= 1970, "registry: fiscal year < 1970"
    era: uint256 = year // 400
    year_of_era: uint256 = year - era * 400
    # Day of the March-based year for April 1st: (153 * 1 + 2) // 5 = 31.
    day_of_era: uint256 = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + 31
    days: uint256 = era * 146097 + day_of_era - 719468
    return convert(days * 86400 - _JST_OFFSET, uint64)
