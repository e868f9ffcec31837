"""Revenue for a period: by local day, by service and by payment method, in integer cents.

Revenue is money received: payments confirmed in the period (on the tenant's wall clock),
less what has been refunded on them so far. That is the same rule as the dashboard's
"revenue this month", so the two always agree. Every figure is a SQL aggregate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import col

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.payments.models import Payment
from roadside_console.domain.reports.dashboard import REVENUE_STATUSES
from roadside_console.domain.reports.periods import (
    day_table,
    local_days,
    period_bounds,
)
from roadside_console.domain.tenants.service import get_tenant


@dataclass(frozen=True, slots=True)
class RevenueFigures:
    """Payments counted and their gross, refunded and net amounts."""

    payments: int
    gross_cents: int
    refunded_cents: int

    @property
    def net_cents(self) -> int:
        """Money kept: gross less refunds."""
        return self.gross_cents - self.refunded_cents


@dataclass(frozen=True, slots=True)
class RevenueDay:
    """One local day's revenue (days without payments are included, at zero)."""

    day: date
    figures: RevenueFigures


@dataclass(frozen=True, slots=True)
class RevenueGroup:
    """Revenue of one service or one payment method."""

    key: str
    label: str
    figures: RevenueFigures


@dataclass(frozen=True, slots=True)
class RevenueReport:
    """Everything the reports page shows for a period."""

    start: date
    end: date
    timezone: str
    total: RevenueFigures
    days: tuple[RevenueDay, ...]
    by_service: tuple[RevenueGroup, ...]
    by_method: tuple[RevenueGroup, ...]


METHOD_LABELS = {"cash": "Cash", "cashapp": "Cash App", "zelle": "Zelle", "stripe": "Card"}


def revenue_report(uow: UnitOfWork, *, actor: Actor, start: date, end: date) -> RevenueReport:
    """Return the tenant's revenue from `start` to `end` (inclusive local days)."""
    require(actor, Permission.VIEW_REPORTS)
    session = uow.session
    tz = get_tenant(session, actor.tenant_id).timezone
    days = local_days(start, end, tz)
    period_from, period_to = period_bounds(start, end, tz)
    counted = _counted_payments(actor.tenant_id, period_from, period_to).subquery("counted")
    table = day_table(days)
    day_rows = session.execute(
        sa.select(table.c.day, *_figures(counted))
        .select_from(table)
        .outerjoin(
            counted,
            sa.and_(
                counted.c.confirmed_at >= table.c.starts_at,
                counted.c.confirmed_at < table.c.ends_at,
            ),
        )
        .group_by(table.c.day)
        .order_by(table.c.day)
    ).all()
    service_rows = session.execute(
        sa.select(Service.id, Service.name, *_figures(counted))
        .select_from(counted)
        .join(Service, Service.id == counted.c.service_id)
        .group_by(col(Service.id), col(Service.name))
        .order_by(sa.desc(_net(counted)), col(Service.name))
    ).all()
    method_rows = session.execute(
        sa.select(counted.c.method, *_figures(counted))
        .group_by(counted.c.method)
        .order_by(sa.desc(_net(counted)), counted.c.method)
    ).all()
    by_day = tuple(RevenueDay(date.fromisoformat(r[0]), _as_figures(r[1:])) for r in day_rows)
    return RevenueReport(
        start=start,
        end=end,
        timezone=tz,
        total=RevenueFigures(
            payments=sum(d.figures.payments for d in by_day),
            gross_cents=sum(d.figures.gross_cents for d in by_day),
            refunded_cents=sum(d.figures.refunded_cents for d in by_day),
        ),
        days=by_day,
        by_service=tuple(RevenueGroup(str(r[0]), r[1], _as_figures(r[2:])) for r in service_rows),
        by_method=tuple(
            RevenueGroup(str(r[0]), METHOD_LABELS.get(str(r[0]), str(r[0])), _as_figures(r[1:]))
            for r in method_rows
        ),
    )


def _counted_payments(
    tenant_id: uuid.UUID, period_from: datetime, period_to: datetime
) -> sa.Select:
    return (
        sa.select(
            col(Payment.id).label("payment_id"),
            col(Payment.method).label("method"),
            col(Payment.amount_cents).label("amount_cents"),
            col(Payment.refunded_cents).label("refunded_cents"),
            col(Payment.confirmed_at).label("confirmed_at"),
            col(Booking.service_id).label("service_id"),
        )
        .join(Booking, Booking.id == Payment.booking_id)
        .where(
            Payment.tenant_id == tenant_id,
            Booking.tenant_id == tenant_id,
            col(Payment.status).in_(REVENUE_STATUSES),
            col(Payment.confirmed_at) >= period_from,
            col(Payment.confirmed_at) < period_to,
        )
    )


def _figures(counted: sa.Subquery) -> tuple[sa.ColumnElement, ...]:
    return (
        sa.func.count(counted.c.payment_id),
        sa.func.coalesce(sa.func.sum(counted.c.amount_cents), 0),
        sa.func.coalesce(sa.func.sum(counted.c.refunded_cents), 0),
    )


def _net(counted: sa.Subquery) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(counted.c.amount_cents - counted.c.refunded_cents), 0)


def _as_figures(values: tuple) -> RevenueFigures:
    payments, gross, refunded = values
    return RevenueFigures(int(payments), int(gross), int(refunded))
