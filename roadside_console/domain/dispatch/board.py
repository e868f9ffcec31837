"""The dispatch board: open bookings by urgency, and the providers who can take them.

Two page-sized reads, each one statement plus a count, both scoped to the actor's tenant.

Bookings: every pending, confirmed, dispatched or in-progress booking. ASAP bookings come before
scheduled ones; ASAP bookings wait since they were created (oldest first), scheduled ones are
ordered by the time they are due. Each row says whether it sits in the manual-dispatch queue and
when its pending offer lapses (an offer within `OFFER_EXPIRING_SOON` of lapsing, or past it and
not yet swept, is "expiring").

Providers: active providers on duty, and any provider with a job on the go (an offer or a job in
progress) even if they went off duty meanwhile. Each row has their active jobs, where they are
(the last fix if they ever sent one, else their home base) and how old that fix is; "online" is
the directory's meaning: on duty with a fix fresher than the tenant's `location_fresh_seconds`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func

from roadside_console.domain.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.dispatch.queries import ACTIVE_JOB_STATUSES, as_utc
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.domain.tenants.service import get_tenant, get_tenant_settings

PAGE_SIZE_MAX = 100
OFFER_EXPIRING_SOON = timedelta(seconds=20)
LIVE, HOME = "live", "home"
B = Booking
P = Provider
O = DispatchOffer  # noqa: E741


@dataclass(frozen=True, slots=True)
class BoardBooking:
    """An open booking as the board lists and maps it."""

    booking_id: uuid.UUID
    reference: str
    service_name: str
    status: str
    asap: bool
    scheduled_at: datetime | None
    waiting_since: datetime
    address: str
    lat: float
    lng: float
    contact_name: str
    provider_name: str
    needs_manual_dispatch: bool
    dispatch_attempts: int
    offer_expires_at: datetime | None
    offer_expiring: bool

    @property
    def can_dispatch_now(self) -> bool:
        """A confirmed booking without an open offer can be dispatched at once."""
        return self.status == BookingStatus.CONFIRMED.value and self.offer_expires_at is None


@dataclass(frozen=True, slots=True)
class BoardBookingsPage:
    """A page of open bookings, how many there are, and the tenant's business time zone."""

    rows: list[BoardBooking]
    total: int
    page: int
    page_size: int
    timezone: str


@dataclass(frozen=True, slots=True)
class BoardProvider:
    """A provider on duty or on a job: workload, position and how old that position is."""

    provider_id: uuid.UUID
    name: str
    phone: str
    available: bool
    online: bool
    active_jobs: int
    lat: float | None
    lng: float | None
    located_by: str
    """`live` (their last fix), `home` (no fix yet: their home base) or "" (nowhere known)."""
    location_age_seconds: int | None


@dataclass(frozen=True, slots=True)
class BoardProvidersPage:
    """A page of providers and how many there are."""

    rows: list[BoardProvider]
    total: int
    page: int
    page_size: int


def _page(page: int, page_size: int) -> tuple[int, int]:
    return max(1, page), max(1, min(page_size, PAGE_SIZE_MAX))


def board_bookings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    page: int = 1,
    page_size: int = 50,
    now: datetime | None = None,
) -> BoardBookingsPage:
    """Return one page of the tenant's open bookings, ASAP first, the longest waiting first."""
    require(actor, Permission.DISPATCH)
    now = now or utc_now()
    page, page_size = _page(page, page_size)
    session = uow.session
    is_open = [B.tenant_id == actor.tenant_id, B.status.in_(sorted(ACTIVE_STATUSES))]  # type: ignore[attr-defined]
    offer_expiry = (
        sa.select(func.max(O.expires_at))
        .where(O.booking_id == B.id, O.status == OfferStatus.PENDING)
        .correlate(B)
        .scalar_subquery()
    )
    asap = B.scheduled_at.is_(None)  # type: ignore[union-attr]
    total = session.execute(sa.select(func.count()).select_from(B).where(*is_open)).scalar_one()
    rows = session.execute(
        sa.select(B, Service.name, P.name, offer_expiry.label("offer_expires_at"))
        .join(Service, Service.id == B.service_id)
        .outerjoin(P, P.id == B.provider_id)
        .where(*is_open)
        .order_by(
            sa.case((asap, 0), else_=1),
            func.coalesce(B.scheduled_at, B.created_at),
            B.created_at,
            B.id,
        )
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return BoardBookingsPage(
        rows=[
            _board_booking(booking, service_name, provider_name, as_utc(expires_at), now)
            for booking, service_name, provider_name, expires_at in rows
        ],
        total=int(total),
        page=page,
        page_size=page_size,
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )


def _board_booking(
    booking: Booking,
    service_name: str,
    provider_name: str | None,
    offer_expires_at: datetime | None,
    now: datetime,
) -> BoardBooking:
    return BoardBooking(
        booking_id=booking.id,
        reference=booking.reference,
        service_name=service_name,
        status=booking.status.value,
        asap=booking.scheduled_at is None,
        scheduled_at=as_utc(booking.scheduled_at),
        waiting_since=as_utc(booking.created_at),
        address=booking.address,
        lat=booking.lat,
        lng=booking.lng,
        contact_name=booking.contact_name,
        provider_name=provider_name or "",
        needs_manual_dispatch=booking.needs_manual_dispatch,
        dispatch_attempts=booking.dispatch_attempts,
        offer_expires_at=offer_expires_at,
        offer_expiring=offer_expires_at is not None
        and offer_expires_at - now <= OFFER_EXPIRING_SOON,
    )


def board_providers(
    uow: UnitOfWork,
    *,
    actor: Actor,
    page: int = 1,
    page_size: int = 50,
    now: datetime | None = None,
) -> BoardProvidersPage:
    """Return one page of providers on duty or on a job, the least busy first, then by name."""
    require(actor, Permission.DISPATCH)
    now = now or utc_now()
    page, page_size = _page(page, page_size)
    session = uow.session
    fresh_seconds = get_tenant_settings(session, actor.tenant_id).location_fresh_seconds
    active_jobs = (
        sa.select(func.count())
        .select_from(B)
        .where(B.provider_id == P.id, B.status.in_(ACTIVE_JOB_STATUSES))  # type: ignore[attr-defined]
        .correlate(P)
        .scalar_subquery()
    )
    on_a_job = sa.exists(
        sa.select(sa.literal(1))
        .select_from(B)
        .where(B.provider_id == P.id, B.status.in_(ACTIVE_JOB_STATUSES))  # type: ignore[attr-defined]
        .correlate(P)
    )
    shown = [
        P.tenant_id == actor.tenant_id,
        sa.or_(sa.and_(P.status == ProviderStatus.ACTIVE, P.is_available.is_(True)), on_a_job),  # type: ignore[attr-defined]
    ]
    total = session.execute(sa.select(func.count()).select_from(P).where(*shown)).scalar_one()
    rows = session.execute(
        sa.select(P, active_jobs.label("active_jobs"))
        .where(*shown)
        .order_by(active_jobs, func.lower(P.name), P.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    fresh_since = now - timedelta(seconds=fresh_seconds)
    return BoardProvidersPage(
        rows=[_board_provider(provider, int(jobs), fresh_since, now) for provider, jobs in rows],
        total=int(total),
        page=page,
        page_size=page_size,
    )


def _board_provider(
    provider: Provider, active_jobs: int, fresh_since: datetime, now: datetime
) -> BoardProvider:
    fixed_at = as_utc(provider.location_updated_at)
    has_fix = (
        fixed_at is not None
        and provider.current_lat is not None
        and provider.current_lng is not None
    )
    if has_fix:
        lat, lng, located_by = provider.current_lat, provider.current_lng, LIVE
    elif provider.home_lat is not None and provider.home_lng is not None:
        lat, lng, located_by = provider.home_lat, provider.home_lng, HOME
    else:
        lat, lng, located_by = None, None, ""
    return BoardProvider(
        provider_id=provider.id,
        name=provider.name,
        phone=provider.phone,
        available=provider.is_available,
        online=provider.is_available and has_fix and fixed_at >= fresh_since,
        active_jobs=active_jobs,
        lat=lat,
        lng=lng,
        located_by=located_by,
        location_age_seconds=max(0, int((now - fixed_at).total_seconds())) if has_fix else None,
    )
