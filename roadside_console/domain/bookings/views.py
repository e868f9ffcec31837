"""Read models of one booking: as its people see it, a customer's own list, and tracking.

Each view decides who may see it: a booking the actor may not see is `booking_not_found`,
the same answer as for a booking that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from roadside_console.domain.bookings.models import (
    Booking,
    BookingEvent,
    BookingMode,
    BookingStatus,
)
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.bookings.service import get_booking, is_own_booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.core.geo import eta_minutes, great_circle_miles
from roadside_console.domain.core.secrets import token_digest
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.providers.models import Provider, ProviderLocation
from roadside_console.domain.tenants.models import Tenant

OWN_PAGE_MAX = 100
OWN_PAGE_DEFAULT = 20
LOCATION_SHOWN_WHILE = frozenset({BookingStatus.DISPATCHED, BookingStatus.IN_PROGRESS})


def vehicle_description(vehicle: dict[str, Any]) -> str:
    """Describe a vehicle as people say it: "2018 Honda Accord (silver)"."""
    label = " ".join(str(vehicle[k]) for k in ("year", "make", "model") if vehicle.get(k))
    return f"{label} ({vehicle['color']})".strip() if vehicle.get("color") else label


def first_name(name: str | None) -> str | None:
    """Return the first word of a name (all a customer is told about their provider)."""
    parts = (name or "").split()
    return parts[0] if parts else None


@dataclass(frozen=True, slots=True)
class BookingDetail:
    """One booking as staff, its customer or its provider see it."""

    id: uuid.UUID
    reference: str
    status: BookingStatus
    mode: BookingMode
    service_id: uuid.UUID
    service_name: str
    scheduled_at: datetime | None
    address: str
    lat: float
    lng: float
    destination_address: str | None
    location_notes: str | None
    contact_name: str
    contact_phone: str
    contact_email: str | None
    vehicle: dict[str, Any]
    towing_miles: int | None
    total_cents: int
    breakdown: list[dict[str, Any]]
    referral_credit_cents: int
    cancellation_fee_cents: int
    provider_first_name: str | None
    created_at: datetime
    updated_at: datetime


def booking_detail(uow: UnitOfWork, *, actor: Actor, booking_id: uuid.UUID) -> BookingDetail:
    """Show a booking to staff of its tenant, the customer who owns it, or its provider."""
    session = uow.session
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    if not (actor.can(Permission.VIEW_BOOKINGS) or is_own_booking(session, actor, booking)):
        raise NotFound("booking_not_found", "No such booking.")
    service = session.get(Service, booking.service_id)
    provider = session.get(Provider, booking.provider_id) if booking.provider_id else None
    return BookingDetail(
        id=booking.id,
        reference=booking.reference,
        status=booking.status,
        mode=booking.mode,
        service_id=booking.service_id,
        service_name=service.name if service else "",
        scheduled_at=booking.scheduled_at,
        address=booking.address,
        lat=booking.lat,
        lng=booking.lng,
        destination_address=booking.destination_address,
        location_notes=booking.location_notes,
        contact_name=booking.contact_name,
        contact_phone=booking.contact_phone,
        contact_email=booking.contact_email,
        vehicle=dict(booking.vehicle),
        towing_miles=booking.towing_miles,
        total_cents=charged_price_cents(booking),
        breakdown=list(booking.price_breakdown),
        referral_credit_cents=booking.referral_credit_cents,
        cancellation_fee_cents=booking.cancellation_fee_cents,
        provider_first_name=first_name(provider.name) if provider else None,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
    )


@dataclass(frozen=True, slots=True)
class OwnBookingRow:
    """One line of a customer's booking history."""

    id: uuid.UUID
    reference: str
    status: BookingStatus
    service_name: str
    scheduled_at: datetime | None
    address: str
    total_cents: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OwnBookingsPage:
    """Newest first; pass `next_cursor` back for the next page (None: this was the last)."""

    rows: list[OwnBookingRow]
    next_cursor: str | None


def list_own_bookings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    cursor: str | None = None,
    limit: int = OWN_PAGE_DEFAULT,
) -> OwnBookingsPage:
    """Return a page of the customer's (or account key's) bookings, newest first, by keyset.

    The cursor is opaque to clients: it encodes the (created_at, id) of the last row shown, so
    bookings made while paging never shift or repeat rows the way an offset would.
    """
    if not (actor.can(Permission.BOOK_SERVICES) or actor.can(Permission.BOOK_ON_ACCOUNT)):
        require(actor, Permission.BOOK_SERVICES)  # raises the usual Forbidden
    if not 1 <= limit <= OWN_PAGE_MAX:
        raise ValidationFailed(
            "invalid_limit", f"Ask for 1 to {OWN_PAGE_MAX} bookings per page.", field="limit"
        )
    owner = (
        Booking.b2b_account_id == actor.b2b_account_id
        if actor.b2b_account_id is not None
        else Booking.customer_id == actor.user_id
    )
    conditions = [Booking.tenant_id == actor.tenant_id, owner]
    if cursor:
        after_at, after_id = _decode_cursor(cursor)
        conditions.append(
            or_(
                col(Booking.created_at) < after_at,
                and_(col(Booking.created_at) == after_at, col(Booking.id) < after_id),
            )
        )
    rows = uow.session.exec(
        select(Booking, Service.name)
        .join(Service, col(Service.id) == col(Booking.service_id))
        .where(*conditions)
        .order_by(col(Booking.created_at).desc(), col(Booking.id).desc())
        .limit(limit + 1)
    ).all()
    page = [
        OwnBookingRow(
            id=booking.id,
            reference=booking.reference,
            status=booking.status,
            service_name=name,
            scheduled_at=booking.scheduled_at,
            address=booking.address,
            total_cents=charged_price_cents(booking),
            created_at=booking.created_at,
        )
        for booking, name in rows[:limit]
    ]
    more = len(rows) > limit
    return OwnBookingsPage(
        rows=page, next_cursor=_encode_cursor(page[-1].created_at, page[-1].id) if more else None
    )


def _encode_cursor(created_at: datetime, booking_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), booking_id.hex]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, booking_id = json.loads(raw)
        at = datetime.fromisoformat(created_at)
        if at.tzinfo is None:
            raise ValueError("naive cursor time")
        return at, uuid.UUID(booking_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed(
            "invalid_cursor",
            "This cursor is not one we gave out; start again from the first page.",
            field="cursor",
        ) from None


@dataclass(frozen=True, slots=True)
class StatusStep:
    """When the booking reached a status."""

    status: BookingStatus
    at: datetime


@dataclass(frozen=True, slots=True)
class LastLocation:
    """Where the provider's phone last was."""

    lat: float
    lng: float
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class TrackingView:
    """What anyone holding the tracking link sees; location only while a provider is out."""

    reference: str
    status: BookingStatus
    service_name: str
    scheduled_at: datetime | None
    timeline: list[StatusStep]
    provider_first_name: str | None
    vehicle: str
    eta_minutes: int | None
    last_location: LastLocation | None
    time_zone: str = "UTC"
    """The operator's business time zone, for showing the times on their wall clock."""


def track_booking(uow: UnitOfWork, *, token: str, now: datetime | None = None) -> TrackingView:
    """Show a booking to whoever holds its tracking link, without signing in.

    The raw token is never stored, so it is looked up by digest. Location (and the ETA from it)
    is shown only while the booking is dispatched or in progress: once the job has ended, the
    provider's whereabouts are nobody's business. The ETA counts only while on the way.
    """
    now = now or utc_now()
    session = uow.session
    booking = (
        session.exec(
            select(Booking).where(Booking.tracking_token_hash == token_digest(token))
        ).first()
        if token
        else None
    )
    if booking is None:
        raise NotFound("tracking_not_found", "This tracking link is not valid.")
    return _tracking_view(session, booking)


def track_own_booking(uow: UnitOfWork, *, actor: Actor, booking_id: uuid.UUID) -> TrackingView:
    """Show a signed-in customer the tracking of one of their bookings.

    Only the digest of the texted link is stored, so the link cannot be shown again; the
    customer's account is the other way in. Someone else's booking is `booking_not_found`.
    """
    require(actor, Permission.BOOK_SERVICES)
    session = uow.session
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    if booking.customer_id != actor.user_id:
        raise NotFound("booking_not_found", "No such booking.")
    return _tracking_view(session, booking)


def _tracking_view(session: Session, booking: Booking) -> TrackingView:
    service = session.get(Service, booking.service_id)
    tenant = session.get(Tenant, booking.tenant_id)
    provider = session.get(Provider, booking.provider_id) if booking.provider_id else None
    location = (
        _last_location(session, booking, provider)
        if provider is not None and booking.status in LOCATION_SHOWN_WHILE
        else None
    )
    eta = None
    if location is not None and booking.status is BookingStatus.DISPATCHED:
        eta = eta_minutes(great_circle_miles(location.lat, location.lng, booking.lat, booking.lng))
    return TrackingView(
        reference=booking.reference,
        status=booking.status,
        service_name=service.name if service else "",
        scheduled_at=booking.scheduled_at,
        timeline=_timeline(session, booking),
        provider_first_name=first_name(provider.name) if provider else None,
        vehicle=vehicle_description(booking.vehicle),
        eta_minutes=eta,
        last_location=location,
        time_zone=tenant.timezone if tenant else "UTC",
    )


def _timeline(session: Session, booking: Booking) -> list[StatusStep]:
    events = session.exec(
        select(BookingEvent.to_status, BookingEvent.created_at)
        .where(
            BookingEvent.tenant_id == booking.tenant_id,
            BookingEvent.booking_id == booking.id,
            col(BookingEvent.to_status).is_not(None),
        )
        .order_by(col(BookingEvent.created_at), col(BookingEvent.id))
    ).all()
    steps: list[StatusStep] = []
    for status, at in events:
        if status is not None and (not steps or steps[-1].status is not status):
            steps.append(StatusStep(status=status, at=at))
    return steps


def _last_location(session: Session, booking: Booking, provider: Provider) -> LastLocation | None:
    """Return the newer of the provider's current position and their latest recorded fix."""
    fix = session.exec(
        select(ProviderLocation)
        .where(
            ProviderLocation.tenant_id == booking.tenant_id,
            ProviderLocation.provider_id == provider.id,
        )
        .order_by(col(ProviderLocation.recorded_at).desc())
        .limit(1)
    ).first()
    candidates = (
        [LastLocation(lat=fix.lat, lng=fix.lng, recorded_at=fix.recorded_at)] if fix else []
    )
    if (
        provider.current_lat is not None
        and provider.current_lng is not None
        and provider.location_updated_at is not None
    ):
        candidates.append(
            LastLocation(
                lat=provider.current_lat,
                lng=provider.current_lng,
                recorded_at=provider.location_updated_at,
            )
        )
    return max(candidates, key=lambda c: c.recorded_at, default=None)
