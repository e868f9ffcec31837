"""Calendar boundaries in a tenant's business time zone (reports count local days)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_day_bounds(now: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """Return the UTC start and end of the local calendar day containing `now`."""
    tz = ZoneInfo(tz_name)
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_month_bounds(now: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """Return the UTC start and end of the local calendar month containing `now`."""
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz)
    start = datetime(local.year, local.month, 1, tzinfo=tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    end = datetime(year, month, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)
