"""The dashboard's charts: bookings and net revenue per local day over the last weeks.

One SELECT with two scalar subqueries per day, each a range lookup on the (tenant_id,
created_at) or (tenant_id, confirmed_at) index between that day's UTC bounds: 30 days read
about a month of index entries once. A range join of a VALUES table of days against the month's
rows instead compared every row with every day (240,000 pairs on 100,000 bookings, about 110 ms
each for bookings and for payments on PostgreSQL) and joined payments to all bookings for
nothing. The statement has bound parameters only (the day edges and the tenant), so SQLAlchemy
compiles it once per process rather than once per call (a literal VALUES list took 40 ms to
compile each time).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.reports.dashboard import bookings_created, net_received_cents
from roadside_console.domain.reports.periods import local_days
from roadside_console.domain.tenants.service import get_tenant

TREND_DAYS = 30


@dataclass(frozen=True, slots=True)
class TrendDay:
    """One local day: bookings created and net revenue received."""

    day: date
    bookings: int
    net_revenue_cents: int


@dataclass(frozen=True, slots=True)
class DashboardTrends:
    """The last `TREND_DAYS` local days up to and including today, oldest first."""

    timezone: str
    days: tuple[TrendDay, ...]


def dashboard_trends(
    uow: UnitOfWork, *, actor: Actor, now: datetime | None = None, days: int = TREND_DAYS
) -> DashboardTrends:
    """Count bookings created and sum net revenue per local day, today included."""
    require(actor, Permission.VIEW_DASHBOARD)
    session = uow.session
    tz = get_tenant(session, actor.tenant_id).timezone
    today = (now or utc_now()).astimezone(ZoneInfo(tz)).date()
    window = local_days(today - timedelta(days=days - 1), today, tz)
    edges = {f"edge_{i}": d.starts_at for i, d in enumerate(window)}
    edges[f"edge_{len(window)}"] = window[-1].ends_at
    row = session.execute(
        _per_day_query(len(window)), {"tenant_id": actor.tenant_id, **edges}
    ).one()
    counts, nets = row[: len(window)], row[len(window) :]
    return DashboardTrends(
        timezone=tz,
        days=tuple(
            TrendDay(d.day, int(count), int(net))
            for d, count, net in zip(window, counts, nets, strict=True)
        ),
    )


@functools.cache
def _per_day_query(days: int) -> sa.Select:
    """Bookings created per day, then net revenue per day, for `days` consecutive local days.

    Day i runs from edge i to edge i + 1 (local midnights in UTC, so a DST day is 23 or 25 h).
    """
    tenant = sa.bindparam("tenant_id", type_=col(Booking.tenant_id).type)
    edges = [sa.bindparam(f"edge_{i}", type_=col(Booking.created_at).type) for i in range(days + 1)]
    spans = list(itertools.pairwise(edges))
    return sa.select(
        *(bookings_created(tenant, start, end) for start, end in spans),
        *(net_received_cents(tenant, start, end) for start, end in spans),
    )
