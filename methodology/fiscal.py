"""Time arithmetic in JST: Japanese fiscal years (April to March) and calendar-month periods.

All timestamps are integer seconds since the epoch (UTC); JST is only used to find boundaries.
"""

from datetime import datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


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
