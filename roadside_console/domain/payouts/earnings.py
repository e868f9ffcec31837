"""What a provider has earned: today, this week and this month, and the lines behind it.

Periods are calendar periods on the operator's business clock (weeks start on Monday). A line
counts in the period it was created in: an earning when the job was earned, a clawback when the
refund took it back, so a period's figure is what was earned in it net of what was clawed back
in it. Cancelled lines count nowhere. `pending` is what is not paid out yet (pending or held
in a dispute), `paid` what a payout batch has paid; together they make the net.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import func

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.timezones import local_day_bounds, local_month_bounds
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.providers.service import provider_of
from roadside_console.domain.tenants.service import get_tenant

PAGE_SIZE_MAX = 50
PP = ProviderPayout
UNPAID = (PayoutStatus.PENDING, PayoutStatus.HELD)


@dataclass(frozen=True, slots=True)
class PeriodEarnings:
    """One period's net earnings, split into not yet paid and paid, and the jobs earned."""

    net_cents: int
    pending_cents: int
    paid_cents: int
    jobs: int


@dataclass(frozen=True, slots=True)
class EarningLine:
    """One line of the provider's earnings history."""

    payout_id: uuid.UUID
    kind: str
    status: str
    amount_cents: int
    booking_reference: str
    service_name: str
    created_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class EarningsView:
    """The provider's earnings screen: three periods and one page of history."""

    today: PeriodEarnings
    week: PeriodEarnings
    month: PeriodEarnings
    lines: list[EarningLine]
    total_lines: int
    page: int
    page_size: int
    timezone: str


def local_week_bounds(now: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """Return the UTC start and end of the local Monday-to-Sunday week containing `now`."""
    tz = ZoneInfo(tz_name)
    day = now.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _period_sums(start: datetime, end: datetime) -> list[sa.ColumnElement[int]]:
    inside = sa.and_(PP.created_at >= start, PP.created_at < end)  # type: ignore[operator]

    def total(condition: sa.ColumnElement[bool], value: object) -> sa.ColumnElement[int]:
        return func.coalesce(func.sum(sa.case((sa.and_(inside, condition), value), else_=0)), 0)

    return [
        total(PP.status.in_(UNPAID), PP.amount_cents),  # type: ignore[attr-defined]
        total(PP.status == PayoutStatus.PAID, PP.amount_cents),  # type: ignore[arg-type]
        total(PP.kind == PayoutKind.EARNING, 1),  # type: ignore[arg-type]
    ]


def provider_earnings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    page: int = 1,
    page_size: int = 20,
    now: datetime | None = None,
) -> EarningsView:
    """Return the signed-in provider's earnings today, this week and this month, and history."""
    require(actor, Permission.PROVIDER_PORTAL)
    now = now or utc_now()
    page, page_size = max(1, page), max(1, min(page_size, PAGE_SIZE_MAX))
    session = uow.session
    provider = provider_of(session, actor)
    tz = get_tenant(session, actor.tenant_id).timezone
    periods = [local_day_bounds(now, tz), local_week_bounds(now, tz), local_month_bounds(now, tz)]
    mine = [
        PP.tenant_id == actor.tenant_id,
        PP.provider_id == provider.id,
        PP.status != PayoutStatus.CANCELLED,
    ]
    sums = session.execute(
        sa.select(*[s for start, end in periods for s in _period_sums(start, end)]).where(
            *mine,
            PP.created_at >= min(start for start, _ in periods),  # type: ignore[operator]
            PP.created_at < max(end for _, end in periods),  # type: ignore[operator]
        )
    ).one()
    today, week, month = (
        PeriodEarnings(
            net_cents=int(sums[i]) + int(sums[i + 1]),
            pending_cents=int(sums[i]),
            paid_cents=int(sums[i + 1]),
            jobs=int(sums[i + 2]),
        )
        for i in (0, 3, 6)
    )
    history = [PP.tenant_id == actor.tenant_id, PP.provider_id == provider.id]
    total = session.execute(sa.select(func.count()).select_from(PP).where(*history)).scalar_one()
    rows = session.execute(
        sa.select(PP, Booking.reference, Service.name)
        .outerjoin(Booking, Booking.id == PP.booking_id)
        .outerjoin(Service, Service.id == Booking.service_id)
        .where(*history)
        .order_by(PP.created_at.desc(), PP.id)  # type: ignore[attr-defined]
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return EarningsView(
        today=today,
        week=week,
        month=month,
        lines=[
            EarningLine(
                payout_id=payout.id,
                kind=payout.kind.value,
                status=payout.status.value,
                amount_cents=payout.amount_cents,
                booking_reference=reference or "",
                service_name=service_name or "",
                created_at=as_utc(payout.created_at),
                paid_at=as_utc(payout.paid_at),
            )
            for payout, reference, service_name in rows
        ],
        total_lines=int(total),
        page=page,
        page_size=page_size,
        timezone=tz,
    )
