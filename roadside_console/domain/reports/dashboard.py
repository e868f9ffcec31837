"""The numbers on the admin dashboard, computed in SQL for the actor's tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from roadside_console.domain.bookings.models import ACTIVE_STATUSES, Booking
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


@dataclass(frozen=True, slots=True)
class DashboardKpis:
    """Headline figures for today and this month in the tenant's time zone."""

    bookings_today: int
    active_jobs: int
    revenue_month_cents: int
    providers_online: int


def dashboard_kpis(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None) -> DashboardKpis:
    """Count today's bookings, open jobs, this month's net revenue and providers online."""
    require(actor, Permission.VIEW_DASHBOARD)
    now = now or utc_now()
    session = uow.session
    tenant = get_tenant(session, actor.tenant_id)
    day_start, day_end = local_day_bounds(now, tenant.timezone)
    month_start, month_end = local_month_bounds(now, tenant.timezone)
    tid = actor.tenant_id

    bookings_today = session.exec(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.tenant_id == tid, Booking.created_at >= day_start, Booking.created_at < day_end
        )
    ).one()
    active_jobs = session.exec(
        select(func.count())
        .select_from(Booking)
        .where(Booking.tenant_id == tid, col(Booking.status).in_(ACTIVE_STATUSES))
    ).one()
    revenue = session.exec(
        select(func.coalesce(func.sum(Payment.amount_cents - Payment.refunded_cents), 0)).where(
            Payment.tenant_id == tid,
            col(Payment.status).in_(REVENUE_STATUSES),
            col(Payment.confirmed_at) >= month_start,
            col(Payment.confirmed_at) < month_end,
        )
    ).one()
    providers_online = session.exec(
        select(func.count())
        .select_from(Provider)
        .where(
            Provider.tenant_id == tid,
            Provider.status == ProviderStatus.ACTIVE,
            Provider.is_available,
        )
    ).one()
    return DashboardKpis(
        bookings_today=int(bookings_today),
        active_jobs=int(active_jobs),
        revenue_month_cents=int(revenue),
        providers_online=int(providers_online),
    )
