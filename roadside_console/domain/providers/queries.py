"""What the provider app lists: open offers (to decide on) and jobs (active and recent).

An offer shows what a provider needs to say yes or no, the service, the pickup area (not the
street), the distance from where they are and what they would earn, and never the customer's
contact; those come with the job once it is theirs and in progress.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from roadside_console.domain.bookings import rules as booking_rules
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.geo import great_circle_miles
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.payouts.service import commission_for
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.providers.rules import pickup_area
from roadside_console.domain.providers.schemas import JobRow, OpenOfferRow
from roadside_console.domain.providers.service import provider_of

S = BookingStatus
B = Booking
RECENT_JOBS = timedelta(days=30)
ACTIVE = (S.DISPATCHED, S.IN_PROGRESS)
FINISHED = (S.COMPLETED, S.CANCELLED)


def open_offers(
    uow: UnitOfWork, *, actor: Actor, now: datetime | None = None
) -> list[OpenOfferRow]:
    """List the provider's pending, unexpired offers, the soonest to expire first."""
    require(actor, Permission.PROVIDER_PORTAL)
    now = now or utc_now()
    session = uow.session
    provider = provider_of(session, actor)
    rows = session.execute(
        sa.select(DispatchOffer, B, Service.name)
        .join(B, B.id == DispatchOffer.booking_id)
        .join(Service, Service.id == B.service_id)
        .where(
            DispatchOffer.tenant_id == actor.tenant_id,
            DispatchOffer.provider_id == provider.id,
            DispatchOffer.status == OfferStatus.PENDING,
            DispatchOffer.expires_at > now,
            B.status == S.DISPATCHED,
            B.provider_id == provider.id,
        )
        .order_by(DispatchOffer.expires_at, DispatchOffer.id)
    ).all()
    return [
        OpenOfferRow(
            offer_id=offer.id,
            booking_id=booking.id,
            reference=booking.reference,
            service_name=service_name,
            pickup_area=pickup_area(booking.address),
            distance_miles=_distance_miles(provider, booking),
            estimated_earnings_cents=_earnings_cents(session, provider, booking),
            expires_at=as_utc(offer.expires_at),
            towing_miles=booking.towing_miles,
        )
        for offer, booking, service_name in rows
    ]


def provider_jobs(
    uow: UnitOfWork, *, actor: Actor, now: datetime | None = None, limit: int = 50
) -> list[JobRow]:
    """List the provider's jobs on the go, then those finished in the last 30 days."""
    require(actor, Permission.PROVIDER_PORTAL)
    now = now or utc_now()
    session = uow.session
    provider = provider_of(session, actor)
    finished_at = sa.func.coalesce(B.completed_at, B.cancelled_at)
    is_active = B.status.in_(ACTIVE)  # type: ignore[attr-defined]
    rows = session.execute(
        sa.select(B, Service.name)
        .join(Service, Service.id == B.service_id)
        .where(
            B.tenant_id == actor.tenant_id,
            B.provider_id == provider.id,
            sa.or_(
                is_active,
                sa.and_(B.status.in_(FINISHED), finished_at >= now - RECENT_JOBS),  # type: ignore[attr-defined]
            ),
        )
        .order_by(sa.case((is_active, 0), else_=1), finished_at.desc(), B.updated_at.desc())
        .limit(limit)
    ).all()
    return [_job_row(booking, service_name) for booking, service_name in rows]


def _job_row(booking: Booking, service_name: str) -> JobRow:
    on_site = booking.status is S.IN_PROGRESS
    return JobRow(
        booking_id=booking.id,
        reference=booking.reference,
        status=booking.status.value,
        service_name=service_name,
        pickup_area=pickup_area(booking.address),
        price_cents=_price_cents(booking),
        updated_at=as_utc(booking.updated_at),
        address=booking.address if on_site else None,
        contact_name=booking.contact_name if on_site else None,
        contact_phone=booking.contact_phone if on_site else None,
        lat=booking.lat if on_site else None,
        lng=booking.lng if on_site else None,
        next_statuses=tuple(
            s.value for s in booking_rules.allowed_targets(booking.status, Role.PROVIDER)
        ),
    )


def _price_cents(booking: Booking) -> int:
    if booking.price_override_cents is not None:
        return booking.price_override_cents
    if booking.final_price_cents is not None:
        return booking.final_price_cents
    return booking.estimated_price_cents


def _distance_miles(provider: Provider, booking: Booking) -> float | None:
    """Miles from the provider's last fix (else their home base) to the pickup, if known."""
    lat, lng = provider.current_lat, provider.current_lng
    if lat is None or lng is None:
        lat, lng = provider.home_lat, provider.home_lng
    if lat is None or lng is None:
        return None
    return round(great_circle_miles(lat, lng, booking.lat, booking.lng), 1)


def _earnings_cents(session: Session, provider: Provider, booking: Booking) -> int | None:
    """The provider's share of the job's current price, by the same rules as their payout."""
    price = _price_cents(booking)
    if price <= 0:
        return None
    return commission_for(
        session, booking=booking, provider=provider, price_cents=price
    ).provider_cents
