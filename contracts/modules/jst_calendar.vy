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


@internal
@pure
def _add_years(ts: uint64, years: uint256) -> uint64:
    """
    @notice The same JST calendar date and time `years` later; 29 February
            becomes 28 February in a year without one (the earlier
            candidate, the conservative side for a maximum length). The
            same rule as `methodology.fiscal.add_years`, by the civil-from-
            days and days-from-civil algorithms (proleptic Gregorian).
    @param ts Seconds since epoch.
    @param years Whole years to add.
    @return uint64 The shifted time, seconds since epoch.
    """
    local: uint256 = convert(ts, uint256) + _JST_OFFSET
    second_of_day: uint256 = local % 86400
    # civil from days, with March-based years (so 29 February is a year's last day).
    z: uint256 = local // 86400 + 719468
    era: uint256 = z // 146097
    day_of_era: uint256 = z - era * 146097
    year_of_era: uint256 = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year: uint256 = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index: uint256 = (5 * day_of_year + 2) // 153
    day: uint256 = day_of_year - (153 * month_index + 2) // 5 + 1
    # The March-based year of the shifted date is just `years` later.
    year: uint256 = year_of_era + era * 400 + years
    if month_index == 11 and day == 29:
        # 29 February: keep it only if the shifted (calendar) year is a leap year.
        calendar_year: uint256 = year + 1
        leap: bool = calendar_year % 4 == 0 and (calendar_year % 100 != 0 or calendar_year % 400 == 0)
        if not leap:
            day = 28
    # days from civil, on the same March-based year.
    era = year // 400
    year_of_era = year - era * 400
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + (153 * month_index + 2) // 5 + day - 1
    days: uint256 = era * 146097 + day_of_era - 719468
    return convert(days * 86400 + second_of_day - _JST_OFFSET, uint64)
