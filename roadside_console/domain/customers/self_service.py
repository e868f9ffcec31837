"""What customers and guests see and do when they book online, and their own booking history.

The booking wizard needs, in one read: the operator's services, its clock and scheduling lead,
the payment methods the booker may use (a guest pays like a tier-1 customer), and for a
signed-in customer their contact details, credit and the vehicles we already know.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from roadside_console.domain.bookings import rules as booking_rules
from roadside_console.domain.bookings.creation import BookingCreate, BookingCreated, create_booking
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.catalog.public import ServiceView, list_active_services
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.errors import DomainError, Forbidden, NotFound
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.customers.models import Vehicle
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments import rules as payment_rules
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payments.service import record_payment
from roadside_console.domain.pricing.service import credit_balance
from roadside_console.domain.reviews.models import Review
from roadside_console.domain.tenants.models import Tenant
from roadside_console.domain.tenants.service import get_tenant, get_tenant_settings
from roadside_console.domain.tenants.workspaces import tenant_for_caller
from roadside_console.domain.trust import rules as trust_rules
from roadside_console.domain.trust.service import allowed_payment_methods

MAX_VEHICLES = 5
HISTORY_ROWS = 50
VEHICLE_KEYS = ("year", "make", "model", "color", "plate")


@dataclass(frozen=True, slots=True)
class BookingSetup:
    """Everything the booking wizard asks the server before the first step."""

    tenant_id: uuid.UUID
    tenant_name: str
    timezone: str
    min_schedule_lead_minutes: int
    services: list[ServiceView]
    payment_methods: list[PaymentMethod]
    credit_cents: int = 0
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    vehicles: list[dict[str, Any]] | None = None


def _setup(uow: UnitOfWork, tenant: Tenant, methods: list[PaymentMethod]) -> BookingSetup:
    return BookingSetup(
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        timezone=tenant.timezone,
        min_schedule_lead_minutes=get_tenant_settings(
            uow.session, tenant.id
        ).min_schedule_lead_minutes,
        services=list_active_services(uow, tenant_id=tenant.id),
        payment_methods=methods,
        vehicles=[],
    )


def guest_booking_setup(uow: UnitOfWork, *, workspace: str) -> BookingSetup:
    """Return the setup of the workspace a guest names; guests pay like a new customer."""
    tenant_id = tenant_for_caller(uow.session, actor=None, workspace=workspace)
    tenant = get_tenant(uow.session, tenant_id)
    return _setup(uow, tenant, trust_rules.methods_for_tier(trust_rules.MIN_TIER))


def customer_booking_setup(uow: UnitOfWork, *, actor: Actor) -> BookingSetup:
    """Return the signed-in customer's setup: their tier's methods, credit, contact, vehicles."""
    require(actor, Permission.BOOK_SERVICES)
    session = uow.session
    user = _own_user(uow, actor)
    setup = _setup(uow, get_tenant(session, actor.tenant_id), allowed_payment_methods(user))
    return replace(
        setup,
        credit_cents=credit_balance(session, tenant_id=actor.tenant_id, user_id=user.id),
        contact_name=user.name,
        contact_phone=user.phone or "",
        contact_email=user.email,
        vehicles=known_vehicles(uow, actor=actor),
    )


def known_vehicles(uow: UnitOfWork, *, actor: Actor) -> list[dict[str, Any]]:
    """Return up to five distinct vehicles of the customer: saved ones first, then recent ones.

    Vehicles are told apart by plate (or by description when there is none), so a car booked
    ten times is offered once.
    """
    require(actor, Permission.BOOK_SERVICES)
    session = uow.session
    saved = session.exec(
        select(Vehicle)
        .where(Vehicle.tenant_id == actor.tenant_id, Vehicle.owner_id == actor.user_id)
        .order_by(col(Vehicle.updated_at).desc(), col(Vehicle.id))
        .limit(MAX_VEHICLES)
    ).all()
    booked = session.exec(
        select(Booking.vehicle)
        .where(Booking.tenant_id == actor.tenant_id, Booking.customer_id == actor.user_id)
        .order_by(col(Booking.created_at).desc())
        .limit(HISTORY_ROWS)
    ).all()
    candidates: list[dict[str, Any]] = [
        {"year": v.year, "make": v.make, "model": v.model, "color": v.color, "plate": v.plate}
        for v in saved
    ]
    candidates += [dict(vehicle or {}) for vehicle in booked]
    seen: set[str] = set()
    vehicles: list[dict[str, Any]] = []
    for candidate in candidates:
        vehicle = {k: candidate[k] for k in VEHICLE_KEYS if candidate.get(k)}
        key = _vehicle_key(vehicle)
        if not key or key in seen:
            continue
        seen.add(key)
        vehicles.append(vehicle)
        if len(vehicles) == MAX_VEHICLES:
            break
    return vehicles


def _vehicle_key(vehicle: dict[str, Any]) -> str:
    plate = str(vehicle.get("plate") or "").replace(" ", "").upper()
    if plate:
        return f"plate:{plate}"
    return " ".join(str(vehicle.get(k) or "") for k in ("year", "make", "model")).strip().lower()


@dataclass(frozen=True, slots=True)
class OnlineBooking:
    """A booking made online, and whether the chosen payment method could be noted on it."""

    created: BookingCreated
    payment_note: str = ""


def book_online(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    actor: Actor | None,
    data: BookingCreate,
    method: PaymentMethod,
    now: datetime | None = None,
) -> OnlineBooking:
    """Create the booking, then note how it will be paid.

    A signed-in customer's cash, CashApp or Zelle choice becomes a pending payment that staff
    confirm when the money arrives; a card is paid at checkout right after (not here). A guest
    has no account a payment can belong to, so their choice travels in the booking's notes.
    The booking stands even when the payment cannot be noted; the caller shows why.
    """
    allowed = (
        trust_rules.methods_for_tier(trust_rules.MIN_TIER)
        if actor is None
        else allowed_payment_methods(_own_user(uow, actor))
    )
    if method not in allowed:
        raise _method_not_allowed(allowed)
    if actor is None:
        label = payment_rules.METHOD_LABELS[method]
        notes = f"Pays by {label}." + (f" {data.notes}" if data.notes else "")
        data = replace(data, notes=notes)
    created = create_booking(uow, tenant_id=tenant_id, actor=actor, data=data, now=now)
    if actor is None or method is PaymentMethod.STRIPE:
        return OnlineBooking(created)
    try:
        record_payment(uow, actor=actor, booking_id=created.booking_id, method=method, now=now)
    except DomainError as error:
        return OnlineBooking(created, payment_note=error.message)
    return OnlineBooking(created)


def _method_not_allowed(allowed: list[PaymentMethod]) -> Forbidden:
    return Forbidden(
        "payment_method_not_allowed",
        f"Pay with {payment_rules.describe_methods(allowed)}.",
        field="method",
    )


def _own_user(uow: UnitOfWork, actor: Actor) -> User:
    require(actor, Permission.BOOK_SERVICES)
    user = uow.session.exec(
        select(User).where(
            User.id == actor.user_id,
            User.tenant_id == actor.tenant_id,
            User.role == Role.CUSTOMER,
        )
    ).first()
    if user is None:
        raise NotFound("customer_not_found", "No such customer.")
    return user


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One of the customer's bookings with what they may still do about it."""

    booking_id: uuid.UUID
    reference: str
    service_name: str
    status: BookingStatus
    address: str
    price_cents: int
    created_at: datetime
    scheduled_at: datetime | None
    can_cancel: bool
    can_review: bool


@dataclass(frozen=True, slots=True)
class BookingHistory:
    """The customer's latest bookings, and the operator's clock to show their times on."""

    rows: list[HistoryRow]
    timezone: str


def customer_booking_history(uow: UnitOfWork, *, actor: Actor) -> BookingHistory:
    """Return the signed-in customer's latest bookings, newest first, with their actions.

    Cancelling is offered while the booking rules let a customer cancel; reviewing once a job is
    completed by a provider and not reviewed yet.
    """
    require(actor, Permission.BOOK_SERVICES)
    session = uow.session
    rows = session.exec(
        select(Booking, Service.name, Review.id)
        .join(Service, col(Service.id) == col(Booking.service_id))
        .outerjoin(Review, col(Review.booking_id) == col(Booking.id))
        .where(Booking.tenant_id == actor.tenant_id, Booking.customer_id == actor.user_id)
        .order_by(col(Booking.created_at).desc(), col(Booking.id).desc())
        .limit(HISTORY_ROWS)
    ).all()
    return BookingHistory(
        rows=[
            HistoryRow(
                booking_id=booking.id,
                reference=booking.reference,
                service_name=name,
                status=booking.status,
                address=booking.address,
                price_cents=charged_price_cents(booking),
                created_at=booking.created_at,
                scheduled_at=booking.scheduled_at,
                can_cancel=BookingStatus.CANCELLED
                in booking_rules.allowed_targets(booking.status, Role.CUSTOMER),
                can_review=booking.status is BookingStatus.COMPLETED
                and booking.provider_id is not None
                and review_id is None,
            )
            for booking, name, review_id in rows
        ],
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )
