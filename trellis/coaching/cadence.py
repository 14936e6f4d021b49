"""Expanding a session schedule into dates, in the relationship's local time.

Sessions keep their wall-clock time across a daylight-saving change (a 3:30 pm
meeting stays at 3:30 pm), so the rule is stepped in local time and each
occurrence is given its zone afterwards.
"""

import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule


def expand(
    first_start: datetime.datetime,
    *,
    tz: str,
    interval_weeks: int,
    until: datetime.date,
    skip_dates=(),
) -> list[datetime.datetime]:
    """Every start from ``first_start`` each ``interval_weeks`` weeks up to ``until``, minus skipped dates."""
    zone = ZoneInfo(tz)
    local = first_start.astimezone(zone).replace(tzinfo=None)
    end = datetime.datetime.combine(until, datetime.time.max)
    skipped = {d if isinstance(d, datetime.date) else datetime.date.fromisoformat(d) for d in skip_dates}
    starts = rrule(WEEKLY, interval=interval_weeks, dtstart=local, until=end)
    return [start.replace(tzinfo=zone) for start in starts if start.date() not in skipped]


def until_utc(until: datetime.date, tz: str) -> datetime.datetime:
    """The end of ``until`` in local time, in UTC (RFC 5545 wants UNTIL in UTC when DTSTART has a zone)."""
    end = datetime.datetime.combine(until, datetime.time(23, 59, 59), tzinfo=ZoneInfo(tz))
    return end.astimezone(datetime.UTC)
