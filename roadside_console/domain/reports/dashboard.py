"""The numbers on the admin dashboard, computed in SQL for the actor's tenant.

The five figures are scalar subqueries of one SELECT, so the cards cost one round trip; each
subquery is a range or equality lookup on an index that leads with `tenant_id` (bookings by
created_at and by status, payments by confirmed_at), never a scan of the tenant's history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import col

from roadside_console.domain.bookings.models import ACTIVE_STATUSES, Booking, BookingMode
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.timezones import local_day_bounds, local_month_bounds
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.payments.models import Payment, PaymentStatus
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.domain.tenants.service import get_tenant

REVENUE_STATUSES = (
    PaymentStatus.CONFIRMED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.DISPUTED,
)

# A period's bound and the tenant: values, or bound parameters (the trends' statement is built once).
Bound = datetime | sa.ColumnElement[datetime]
TenantRef = uuid.UUID | sa.ColumnElement[uuid.UUID]


@dataclass(frozen=True, slots=True)
class DashboardKpis:
    """Headline figures for today and this month in the tenant's time zone."""

    bookings_today: int
    active_jobs: int
    revenue_month_cents: int
    providers_online: int
    timezone: str
    # Today's immediate bookings that reached a provider: mean seconds from confirmed to
    # dispatched. None when none has been dispatched yet today.
    avg_dispatch_seconds: int | None = None


def net_received_cents(
    tenant_id: TenantRef, starts_at: Bound, ends_at: Bound
) -> sa.ScalarSelect[int]:
    """Net money received in [starts_at, ends_at): confirmed payments less their refunds.

    The bounds may be values or columns (the trends correlate it with each day's bounds).
    """
    return (
        sa.select(func.coalesce(func.sum(Payment.amount_cents - Payment.refunded_cents), 0))
        .where(
            Payment.tenant_id == tenant_id,
            col(Payment.status).in_(REVENUE_STATUSES),
            col(Payment.confirmed_at) >= starts_at,
            col(Payment.confirmed_at) < ends_at,
        )
        .scalar_subquery()
    )


def bookings_created(
    tenant_id: TenantRef, starts_at: Bound, ends_at: Bound
) -> sa.ScalarSelect[int]:
    """Bookings created in [starts_at, ends_at), counted on the (tenant, created_at) index."""
    return (
        sa.select(func.count())
        .select_from(Booking)
        .where(
            Booking.tenant_id == tenant_id,
            col(Booking.created_at) >= starts_at,
            col(Booking.created_at) < ends_at,
        )
        .scalar_subquery()
    )


def seconds_between(
    dialect: str, start: sa.ColumnElement[datetime], end: sa.ColumnElement[datetime]
) -> sa.ColumnElement[float]:
    """The seconds from `start` to `end`, in the database (PostgreSQL or SQLite)."""
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def avg_dispatch_seconds(
    dialect: str, tenant_id: TenantRef, starts_at: Bound, ends_at: Bound
) -> sa.ScalarSelect[float | None]:
    """Mean time from confirmed to dispatched of immediate bookings created in the period.

    Scheduled bookings are left out: they are dispatched near their time on purpose. Counted
    on the (tenant, created_at) index like the day's bookings.
    """
    return (
        sa.select(
            func.avg(
                seconds_between(dialect, col(Booking.confirmed_at), col(Booking.dispatched_at))
            )
        )
        .where(
            Booking.tenant_id == tenant_id,
            col(Booking.created_at) >= starts_at,
            col(Booking.created_at) < ends_at,
            Booking.mode == BookingMode.IMMEDIATE,
            col(Booking.confirmed_at).is_not(None),
            col(Booking.dispatched_at).is_not(None),
        )
        .scalar_subquery()
    )


def dashboard_kpis(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None) -> DashboardKpis:
    """Headline figures: today's bookings, open jobs, month's net revenue, providers online.

    Also the mean time today's immediate bookings took to reach a provider.
    """
    require(actor, Permission.VIEW_DASHBOARD)
    now = now or utc_now()
    session = uow.session
    tenant = get_tenant(session, actor.tenant_id)
    day_start, day_end = local_day_bounds(now, tenant.timezone)
    month_start, month_end = local_month_bounds(now, tenant.timezone)
    tid = actor.tenant_id
    active_jobs = (
        sa.select(func.count())
        .select_from(Booking)
        .where(Booking.tenant_id == tid, col(Booking.status).in_(ACTIVE_STATUSES))
        .scalar_subquery()
    )
    providers_online = (
        sa.select(func.count())
        .select_from(Provider)
        .where(
            Provider.tenant_id == tid,
            Provider.status == ProviderStatus.ACTIVE,
            col(Provider.is_available),
        )
        .scalar_subquery()
    )
    row = session.execute(
        sa.select(
            bookings_created(tid, day_start, day_end),
            active_jobs,
            net_received_cents(tid, month_start, month_end),
            providers_online,
            avg_dispatch_seconds(session.get_bind().dialect.name, tid, day_start, day_end),
        )
    ).one()
    return DashboardKpis(
        bookings_today=int(row[0]),
        active_jobs=int(row[1]),
        revenue_month_cents=int(row[2]),
        providers_online=int(row[3]),
        timezone=tenant.timezone,
        avg_dispatch_seconds=None if row[4] is None else round(float(row[4])),
    )
