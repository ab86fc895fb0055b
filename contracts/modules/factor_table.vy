# pragma version ~=0.4.3
"""
@title Grid emission factors per Japanese fiscal year
@custom:contract-name factor_table
@license MIT
@notice The admin sets the grid CO2 emission factor (g-CO2 per MWh) of each
        fiscal year. Fiscal year N runs [N-04-01T00:00+09:00,
        (N+1)-04-01T00:00+09:00); the contract computes those bounds itself
        and refuses bounds that differ, so a wrong bound cannot shift a
        period into another vintage. While the system is being set up a
        factor takes effect at once; after launch a new or changed factor
        waits out `roles.ADMIN_DELAY` (anyone activates it then). The first
        non-void report that uses a year's factor locks it: a pending or
        finalized report is never judged against a different factor.
        Factors above 1 t-CO2/MWh are refused: no grid emits more than
        coal-only generation (about 0.95 t-CO2/MWh).
"""

from snekmate.auth import ownable
from . import constants
from . import roles
from . import jst_calendar

uses: ownable
uses: roles


struct EmissionFactor:
    factor_g_per_mwh: uint256
    starts_at: uint64
    ends_at: uint64
    locked: bool
    scheduled_factor_g_per_mwh: uint256
    scheduled_eta: uint64


# @notice Largest factor the admin may set, in g-CO2/MWh (1 t-CO2/MWh).
MAX_FACTOR_G_PER_MWH: public(constant(uint256)) = 10**6

_LOCKED_BIT: constant(uint256) = 1 << 255
_SCHEDULED_SHIFT: constant(uint256) = 64
_ETA_SHIFT: constant(uint256) = 128


# @dev Per fiscal year: factor (bits 0-63), scheduled factor (64-127) and its
#      eta (128-191), lock (bit 255); 0 = nothing set.
_factors: HashMap[uint16, uint256]


# @notice The factor of `fiscal_year` is now `factor_g_per_mwh`.
event EmissionFactorSet:
    fiscal_year: indexed(uint16)
    factor_g_per_mwh: uint256
    starts_at: uint64
    ends_at: uint64


# @notice The admin scheduled `factor_g_per_mwh` for `fiscal_year`; anyone
#         can activate it from `eta` on, unless a report locks the year first.
event EmissionFactorScheduled:
    fiscal_year: indexed(uint16)
    factor_g_per_mwh: uint256
    eta: uint64


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
    @notice Sets a fiscal year's factor (admin): at once before launch,
            otherwise scheduled for `ADMIN_DELAY` from now. Refused once a
            report locked the year.
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
        starts_at == jst_calendar._fiscal_year_start(fiscal_year)
        and ends_at == jst_calendar._fiscal_year_start(fiscal_year + 1)
    ), "registry: wrong fiscal bounds"
    packed: uint256 = self._factors[fiscal_year]
    assert packed & _LOCKED_BIT == 0, "registry: factor locked"
    if not roles.launched:
        self._factors[fiscal_year] = factor_g_per_mwh
        log EmissionFactorSet(
            fiscal_year=fiscal_year, factor_g_per_mwh=factor_g_per_mwh, starts_at=starts_at, ends_at=ends_at
        )
        return
    eta: uint64 = convert(block.timestamp, uint64) + roles.ADMIN_DELAY
    self._factors[fiscal_year] = (
        (packed & constants.MASK_64)
        | (factor_g_per_mwh << _SCHEDULED_SHIFT)
        | (convert(eta, uint256) << _ETA_SHIFT)
    )
    log EmissionFactorScheduled(fiscal_year=fiscal_year, factor_g_per_mwh=factor_g_per_mwh, eta=eta)


@external
def activate_emission_factor(fiscal_year: uint16):
    """
    @notice Makes a scheduled factor take effect once its delay has passed
            (anyone), unless a report locked the year in the meantime.
    @param fiscal_year The fiscal year.
    """
    packed: uint256 = self._factors[fiscal_year]
    eta: uint256 = (packed >> _ETA_SHIFT) & constants.MASK_64
    assert eta != 0, "registry: no factor scheduled"
    # A lock drops the scheduled change, so a locked factor has none.
    assert block.timestamp >= eta, "registry: factor not due"
    factor: uint256 = (packed >> _SCHEDULED_SHIFT) & constants.MASK_64
    self._factors[fiscal_year] = factor
    log EmissionFactorSet(
        fiscal_year=fiscal_year,
        factor_g_per_mwh=factor,
        starts_at=jst_calendar._fiscal_year_start(fiscal_year),
        ends_at=jst_calendar._fiscal_year_start(fiscal_year + 1),
    )


@external
@view
def emission_factors(fiscal_year: uint16) -> EmissionFactor:
    """
    @notice A fiscal year's factor, bounds, lock and scheduled change
            (factor 0 when unset, eta 0 when nothing is scheduled).
    @param fiscal_year The fiscal year.
    @return The factor record.
    """
    packed: uint256 = self._factors[fiscal_year]
    return EmissionFactor(
        factor_g_per_mwh=packed & constants.MASK_64,
        starts_at=jst_calendar._fiscal_year_start(fiscal_year),
        ends_at=jst_calendar._fiscal_year_start(fiscal_year + 1),
        locked=packed & _LOCKED_BIT != 0,
        scheduled_factor_g_per_mwh=(packed >> _SCHEDULED_SHIFT) & constants.MASK_64,
        scheduled_eta=convert((packed >> _ETA_SHIFT) & constants.MASK_64, uint64),
    )


@internal
@view
def _factor_of(fiscal_year: uint16) -> (uint256, bool):
    """
    @notice The year's factor in effect and whether it is locked.
    @param fiscal_year The fiscal year.
    @return uint256 The factor in g-CO2/MWh (0 when unset).
    @return bool True once a report used it.
    """
    packed: uint256 = self._factors[fiscal_year]
    return packed & constants.MASK_64, packed & _LOCKED_BIT != 0


@internal
def _lock(fiscal_year: uint16):
    """
    @notice Locks the year's factor (first non-void report using it) and
            drops a scheduled change.
    @param fiscal_year The fiscal year.
    """
    packed: uint256 = self._factors[fiscal_year]
    assert packed & constants.MASK_64 != 0, "registry: no emission factor"
    if packed & _LOCKED_BIT == 0:
        self._factors[fiscal_year] = (packed & constants.MASK_64) | _LOCKED_BIT
        log EmissionFactorLocked(fiscal_year=fiscal_year)
