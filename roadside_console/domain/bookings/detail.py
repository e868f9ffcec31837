"""One booking as the console's detail page shows it: facts, price, history, money, next steps.

The actions a page may offer are decided here, from the lifecycle rules and the actor's
permissions, so the page only draws buttons and the use cases still check every click.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from roadside_console.domain.bookings import rules
from roadside_console.domain.bookings.models import BookingEvent, BookingStatus
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.bookings.service import get_booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.tenants.service import get_tenant

S = BookingStatus
MAX_EVENTS = 200
MANUAL_METHODS = (PaymentMethod.CASH, PaymentMethod.CASHAPP, PaymentMethod.ZELLE)
_OPEN_PAYMENT = (
    PaymentStatus.PENDING,
    PaymentStatus.CONFIRMED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.DISPUTED,
    PaymentStatus.REFUNDED,
)


@dataclass(frozen=True, slots=True)
class PriceLineView:
    """One line of the price breakdown."""

    label: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One booking event: what happened, who did it, and why."""

    created_at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    actor_name: str
    reason: str


@dataclass(frozen=True, slots=True)
class OpenOffer:
    """The pending offer, if the booking is waiting for a provider's answer."""

    offer_id: uuid.UUID
    provider_name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class BookingPaymentRow:
    """A payment on the booking."""

    payment_id: uuid.UUID
    method: str
    status: str
    amount_cents: int
    refunded_cents: int
    reference: str
    created_at: datetime
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class BookingDetail:
    """Everything the booking page shows, plus the actions this actor may take."""

    booking_id: uuid.UUID
    reference: str
    status: str
    mode: str
    service_name: str
    per_mile_service: bool
    created_at: datetime
    scheduled_at: datetime | None
    timezone: str
    contact_name: str
    contact_phone: str
    contact_email: str
    customer_name: str
    vehicle: dict[str, Any]
    address: str
    lat: float
    lng: float
    location_notes: str
    notes: str
    towing_miles: int | None
    lines: list[PriceLineView]
    total_cents: int
    provider_name: str
    needs_manual_dispatch: bool
    dispatch_attempts: int
    cancel_reason: str
    open_offer: OpenOffer | None
    timeline: list[TimelineEntry]
    payments: list[BookingPaymentRow]
    actions: frozenset[str]


def _actions(
    actor: Actor, status: BookingStatus, has_open_payment: bool, pending_payment: bool
) -> frozenset[str]:
    """Name the buttons the page may show; each use case checks again when clicked."""
    targets = rules.allowed_targets(status, actor.role)
    actions: set[str] = set()
    if status is S.PENDING and S.CONFIRMED in targets:
        actions.add("confirm")
    if S.CANCELLED in targets:
        actions.add("cancel")
    if actor.can(Permission.DISPATCH):
        if status is S.CONFIRMED:
            actions.add("dispatch")
        if status in (S.CONFIRMED, S.DISPATCHED):
            actions.add("assign")
    if actor.can(Permission.MANAGE_PAYMENTS):
        if not has_open_payment and status is not S.CANCELLED:
            actions.add("record_payment")
        if pending_payment:
            actions.add("confirm_payment")
        actions.add("refund")  # offered per refundable payment
    if actor.can(Permission.MANAGE_BOOKINGS) and status is not S.CANCELLED:
        actions.add("override_price")
    if actor.is_staff:
        actions.add("note")
    return frozenset(actions)


_LIFECYCLE = [S.PENDING, S.CONFIRMED, S.DISPATCHED, S.IN_PROGRESS, S.COMPLETED, S.CANCELLED]


def _event_order(event: BookingEvent) -> tuple[datetime, int, int]:
    """Oldest first; events of one transaction share an instant, so then creation, then lifecycle."""
    step = _LIFECYCLE.index(event.to_status) + 1 if event.to_status else 0
    return (as_utc(event.created_at), 0 if event.kind == "booking_created" else 1, step)


def booking_detail(uow: UnitOfWork, *, actor: Actor, booking_id: uuid.UUID) -> BookingDetail:
    """Return one booking of the actor's tenant with its history, payments and next steps."""
    require(actor, Permission.VIEW_BOOKINGS)
    session = uow.session
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    service = session.get(Service, booking.service_id)
    provider = session.get(Provider, booking.provider_id) if booking.provider_id else None
    customer = session.get(User, booking.customer_id) if booking.customer_id else None
    author = sa.orm.aliased(User)
    events = session.exec(
        select(BookingEvent, author.name)
        .outerjoin(author, author.id == BookingEvent.actor_id)
        .where(BookingEvent.booking_id == booking.id, BookingEvent.tenant_id == actor.tenant_id)
        .order_by(col(BookingEvent.created_at), col(BookingEvent.id))
        .limit(MAX_EVENTS)
    ).all()
    offer = session.exec(
        select(DispatchOffer.id, DispatchOffer.expires_at, Provider.name)
        .join(Provider, Provider.id == DispatchOffer.provider_id)
        .where(
            DispatchOffer.booking_id == booking.id,
            DispatchOffer.tenant_id == actor.tenant_id,
            DispatchOffer.status == OfferStatus.PENDING,
        )
        .order_by(col(DispatchOffer.created_at).desc())
    ).first()
    payments = session.exec(
        select(Payment)
        .where(Payment.booking_id == booking.id, Payment.tenant_id == actor.tenant_id)
        .order_by(col(Payment.created_at))
    ).all()
    events = sorted(events, key=lambda row: _event_order(row[0]))
    has_open = any(p.status in _OPEN_PAYMENT for p in payments)
    pending_manual = any(
        p.status is PaymentStatus.PENDING and p.method in MANUAL_METHODS for p in payments
    )
    return BookingDetail(
        booking_id=booking.id,
        reference=booking.reference,
        status=booking.status.value,
        mode=booking.mode.value,
        service_name=service.name if service else "",
        per_mile_service=bool(service and service.per_mile_cents > 0),
        created_at=as_utc(booking.created_at),
        scheduled_at=as_utc(booking.scheduled_at),
        timezone=get_tenant(session, actor.tenant_id).timezone,
        contact_name=booking.contact_name,
        contact_phone=booking.contact_phone,
        contact_email=booking.contact_email or "",
        customer_name=customer.name if customer else "",
        vehicle=dict(booking.vehicle or {}),
        address=booking.address,
        lat=booking.lat,
        lng=booking.lng,
        location_notes=booking.location_notes or "",
        notes=booking.notes or "",
        towing_miles=booking.towing_miles,
        lines=[
            PriceLineView(label=str(line.get("label", "")), amount_cents=int(line["amount_cents"]))
            for line in booking.price_breakdown or []
        ],
        total_cents=charged_price_cents(booking),
        provider_name=provider.name if provider else "",
        needs_manual_dispatch=booking.needs_manual_dispatch,
        dispatch_attempts=booking.dispatch_attempts,
        cancel_reason=booking.cancel_reason or "",
        open_offer=OpenOffer(offer_id=offer[0], provider_name=offer[2], expires_at=as_utc(offer[1]))
        if offer is not None
        else None,
        timeline=[
            TimelineEntry(
                created_at=as_utc(event.created_at),
                kind=event.kind,
                from_status=event.from_status.value if event.from_status else None,
                to_status=event.to_status.value if event.to_status else None,
                actor_name=name or ("System" if event.actor_id is None else ""),
                reason=event.reason or "",
            )
            for event, name in events
        ],
        payments=[
            BookingPaymentRow(
                payment_id=p.id,
                method=p.method.value,
                status=p.status.value,
                amount_cents=p.amount_cents,
                refunded_cents=p.refunded_cents,
                reference=p.reference or "",
                created_at=as_utc(p.created_at),
                confirmed_at=as_utc(p.confirmed_at),
            )
            for p in payments
        ],
        actions=_actions(actor, booking.status, has_open, pending_manual),
    )
