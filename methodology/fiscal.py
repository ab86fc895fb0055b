"""Time arithmetic in JST: Japanese fiscal years (April to March) and calendar-month periods.

All timestamps are integer seconds since the epoch (UTC); JST is only used to find boundaries and
to show times to people. This module is the one home of the time zone: everything else imports it.
"""

from datetime import datetime, timedelta, timezone

JST_OFFSET_S = 9 * 3600  # Japan has no daylight saving time: JST is always UTC+09:00
JST = timezone(timedelta(seconds=JST_OFFSET_S), "JST")
DAY_S = 86400


def _jst(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=JST)


def _ts(year: int, month: int) -> int:
    return int(datetime(year, month, 1, tzinfo=JST).timestamp())


def fiscal_year(ts: int) -> int:
    """Fiscal year N is [N-04-01T00:00+09:00, (N+1)-04-01T00:00+09:00)."""
    moment = _jst(ts)
    return moment.year if moment.month >= 4 else moment.year - 1


def fiscal_year_bounds(fy: int) -> tuple[int, int]:
    """(start_ts, end_ts) of fiscal year `fy`, end exclusive."""
    return _ts(fy, 4), _ts(fy + 1, 4)


def month_start(ts: int) -> int:
    """The JST month boundary at or before `ts`."""
    moment = _jst(ts)
    return _ts(moment.year, moment.month)


def next_month_boundary(ts: int) -> int:
    """The first JST month boundary strictly after `ts`."""
    moment = _jst(ts)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return _ts(year, month)


def month_periods(start_ts: int, end_ts: int) -> list[tuple[int, int]]:
    """The complete periods [start, end) from `start_ts` up to `end_ts`.

    The first period runs from `start_ts` (which may fall inside a month) to the next JST month
    boundary; each later period is one calendar month. Only periods ending at or before `end_ts` are
    returned, so a month still in progress is left out. Periods never cross a fiscal-year boundary
    because fiscal years start on a month boundary.
    """
    periods: list[tuple[int, int]] = []
    start = start_ts
    end = next_month_boundary(start)
    while end <= end_ts:
        periods.append((start, end))
        start, end = end, next_month_boundary(end)
    return periods


def to_iso(ts: int) -> str:
    """ISO 8601 in JST, e.g. 2025-04-01T00:00:00+09:00."""
    return _jst(ts).isoformat()


def parse_time(value: str) -> int:
    """`YYYY-MM-DD` (midnight JST) or ISO 8601 with a UTC offset -> seconds since the epoch.

    Raises ValueError naming the value: a time without an offset is ambiguous, so only a bare date
    is read as JST.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or ISO 8601 time") from None
    if parsed.tzinfo is None:
        if len(value) != 10:
            raise ValueError(f"{value!r} needs a UTC offset, e.g. {value}+09:00")
        parsed = parsed.replace(tzinfo=JST)
    return int(parsed.timestamp())


def add_years(ts: int, years: int) -> int:
    """The same JST calendar date and time `years` later (earlier if negative).

    29 February becomes 28 February in a year without one: the earlier candidate, which is the
    conservative side both for a maximum length and for an earliest allowed start.
    """
    moment = _jst(ts)
    try:
        shifted = moment.replace(year=moment.year + years)
    except ValueError:
        shifted = moment.replace(year=moment.year + years, day=28)
    return int(shifted.timestamp())


def last_ended_fiscal_year(ts: int) -> int:
    """The latest fiscal year that has ended by `ts` (FY2025 during FY2026)."""
    return fiscal_year(ts) - 1
