"""The dashboard's charts: bookings and net revenue per local day over the last weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.reports.periods import day_table, local_days
from roadside_console.domain.reports.revenue import net_revenue_by_day
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
    table = day_table(window)
    created = (
        sa.select(col(Booking.id).label("booking_id"), col(Booking.created_at).label("created_at"))
        .where(
            Booking.tenant_id == actor.tenant_id,
            col(Booking.created_at) >= window[0].starts_at,
            col(Booking.created_at) < window[-1].ends_at,
        )
        .subquery("created")
    )
    counts = dict(
        session.execute(
            sa.select(table.c.day, sa.func.count(created.c.booking_id))
            .select_from(table)
            .outerjoin(
                created,
                sa.and_(
                    created.c.created_at >= table.c.starts_at,
                    created.c.created_at < table.c.ends_at,
                ),
            )
            .group_by(table.c.day)
        ).all()
    )
    revenue = net_revenue_by_day(session, tenant_id=actor.tenant_id, days=window)
    return DashboardTrends(
        timezone=tz,
        days=tuple(
            TrendDay(
                day=d.day,
                bookings=int(counts.get(d.day.isoformat(), 0)),
                net_revenue_cents=revenue.get(d.day, 0),
            )
            for d in window
        ),
    )
