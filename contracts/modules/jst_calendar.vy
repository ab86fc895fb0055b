# pragma version ~=0.4.3
"""
@title Japanese fiscal years in seconds since the epoch
@custom:contract-name jst_calendar
@license MIT
@notice Fiscal year N runs [N-04-01T00:00+09:00, (N+1)-04-01T00:00+09:00).
        Stateless: modules call it without `uses:`.
"""

_JST_OFFSET: constant(uint256) = 9 * 3600


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
