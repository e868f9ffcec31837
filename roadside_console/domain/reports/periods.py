"""Report periods: local calendar days in the tenant's time zone, as a table SQL can join.

Reports count days on the operator's wall clock, and a day is not always 24 hours (DST). The
UTC bounds of each local day are computed here with zoneinfo and sent as a VALUES list, so
both SQLite and PostgreSQL group by local day with plain range joins and no SQL time-zone
functions (SQLite has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import UTCDateTime

from roadside_console.domain.core.errors import ValidationFailed

MAX_RANGE_DAYS = 366


@dataclass(frozen=True, slots=True)
class LocalDay:
    """One calendar day on the tenant's wall clock and its UTC bounds [starts_at, ends_at)."""

    day: date
    starts_at: datetime
    ends_at: datetime


def local_midnight(day: date, tz_name: str) -> datetime:
    """Return the UTC instant at which `day` begins in the time zone."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def check_range(start: date, end: date) -> None:
    """Refuse an empty or over-long period (end is inclusive)."""
    if end < start:
        raise ValidationFailed(
            "invalid_date_range", "The end date is before the start date.", field="end"
        )
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(
            "date_range_too_long",
            f"Choose at most {MAX_RANGE_DAYS} days.",
            field="end",
        )


def local_days(start: date, end: date, tz_name: str) -> list[LocalDay]:
    """Return every local day from `start` to `end` inclusive with its UTC bounds."""
    check_range(start, end)
    count = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(count)]
    return [
        LocalDay(d, local_midnight(d, tz_name), local_midnight(d + timedelta(days=1), tz_name))
        for d in days
    ]


def period_bounds(start: date, end: date, tz_name: str) -> tuple[datetime, datetime]:
    """Return the UTC bounds [from, to) of the local days `start`..`end` inclusive."""
    check_range(start, end)
    return local_midnight(start, tz_name), local_midnight(end + timedelta(days=1), tz_name)


def day_table(days: list[LocalDay], name: str = "report_days") -> sa.CTE:
    """Return the days as a VALUES table (day 'YYYY-MM-DD', starts_at, ends_at) to join on.

    A CTE, because SQLite does not accept column names on a VALUES alias in FROM.
    """
    return (
        sa.values(
            sa.column("day", sa.String(10)),
            sa.column("starts_at", UTCDateTime()),
            sa.column("ends_at", UTCDateTime()),
            name=name,
        )
        .data([(d.day.isoformat(), d.starts_at, d.ends_at) for d in days])
        .cte(name)
    )
