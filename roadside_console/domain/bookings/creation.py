"""Creating a booking, in one transaction.

Who may book for whom, the price (locked by a quote or priced now), the tracking link, spent
referral credit, and the first history entries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings.models import (
    Booking,
    BookingEvent,
    BookingMode,
    BookingStatus,
)
from roadside_console.domain.bookings.references import new_booking_reference
from roadside_console.domain.bookings.service import apply_transition
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.core.phones import normalize_phone
from roadside_console.domain.core.secrets import new_token, token_digest
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.pricing.service import price_request, redeem_quote
from roadside_console.domain.referrals.credits import move_credit
from roadside_console.domain.referrals.models import CreditReason

MAX_REFERENCE_TRIES = 5


@dataclass(frozen=True, slots=True)
class BookingCreate:
    """What the caller asks for; `quote_id` locks the price of an earlier estimate."""

    service_id: uuid.UUID
    address: str
    lat: float
    lng: float
    contact_name: str
    contact_phone: str
    contact_email: str | None = None
    vehicle: dict[str, Any] = field(default_factory=dict)
    scheduled_at: datetime | None = None
    towing_miles: int | None = None
    destination_address: str | None = None
    destination_lat: float | None = None
    destination_lng: float | None = None
    location_notes: str | None = None
    notes: str | None = None
    quote_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    b2b_account_id: uuid.UUID | None = None
    use_referral_credit: bool = True


@dataclass(frozen=True, slots=True)
class BookingCreated:
    """The new booking as its creator sees it, with the one-time tracking token."""

    booking_id: uuid.UUID
    reference: str
    status: BookingStatus
    mode: BookingMode
    total_cents: int
    breakdown: list[dict[str, Any]]
    tracking_token: str


def create_booking(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    actor: Actor | None,
    data: BookingCreate,
    now: datetime | None = None,
) -> BookingCreated:
    """Create a booking for a guest (`actor=None`), a customer, or a caller on the phone (staff).

    With a quote id the booking pays exactly the quoted total; without one it is priced now.
    Immediate bookings are confirmed at once (the system confirms them, so dispatch can start);
    scheduled ones wait for staff to confirm. Nothing is written when anything is refused.
    """
    now = now or utc_now()
    session = uow.session
    data = _for_actor_account(actor, data)
    customer_id = _customer_for(session, tenant_id=tenant_id, actor=actor, data=data)
    phone = normalize_phone(data.contact_phone, field="contact_phone")
    _require_text(data.contact_name, "contact_name", "Enter the name of the person we help.")
    _require_text(data.address, "address", "Enter where the vehicle is.")

    request = QuoteRequest(
        service_id=data.service_id,
        towing_miles=data.towing_miles,
        scheduled_at=data.scheduled_at,
        lat=data.lat,
        lng=data.lng,
        b2b_account_id=data.b2b_account_id,
        use_referral_credit=data.use_referral_credit,
    )
    if data.quote_id is not None:
        quote = redeem_quote(
            session,
            tenant_id=tenant_id,
            quote_id=data.quote_id,
            request=request,
            now=now,
            customer_id=customer_id,
        )
        total, lines = quote.total_cents, list(quote.breakdown)
        credit = int(quote.request.get("referral_credit_cents", 0) or 0)
        miles = quote.request.get("towing_miles")
    else:
        priced = price_request(session, tenant_id=tenant_id, actor=actor, request=request, now=now)
        total, lines, credit = (
            priced.total_cents,
            priced.lines_as_dicts(),
            priced.referral_credit_cents,
        )
        miles = data.towing_miles if any(line["code"] == "mileage" for line in lines) else None

    tracking_token = new_token()
    booking = Booking(
        tenant_id=tenant_id,
        reference=_unused_reference(session, tenant_id),
        tracking_token_hash=token_digest(tracking_token),
        customer_id=customer_id,
        service_id=data.service_id,
        b2b_account_id=data.b2b_account_id,
        quote_id=data.quote_id,
        status=BookingStatus.PENDING,
        mode=BookingMode.SCHEDULED if data.scheduled_at else BookingMode.IMMEDIATE,
        vehicle=dict(data.vehicle),
        address=data.address.strip(),
        lat=data.lat,
        lng=data.lng,
        destination_address=(data.destination_address or "").strip() or None,
        destination_lat=data.destination_lat,
        destination_lng=data.destination_lng,
        location_notes=data.location_notes,
        contact_name=data.contact_name.strip(),
        contact_phone=phone,
        contact_email=(data.contact_email or "").strip().lower() or None,
        scheduled_at=data.scheduled_at,
        towing_miles=miles,
        estimated_price_cents=total,
        price_breakdown=lines,
        referral_credit_cents=credit,
        notes=data.notes,
        created_at=now,
        updated_at=now,
    )
    # Not flushed here: the rows below, and the confirmation of an immediate booking, go out
    # with the commit as one INSERT per table.
    session.add(booking)
    if credit and customer_id is not None:
        move_credit(
            session,
            tenant_id=tenant_id,
            user_id=customer_id,
            amount_cents=-credit,
            reason=CreditReason.SPENT,
            booking_id=booking.id,
            now=now,
        )
    session.add(
        BookingEvent(
            tenant_id=tenant_id,
            booking_id=booking.id,
            kind="booking_created",
            to_status=BookingStatus.PENDING,
            actor_id=actor.user_id if actor else None,
            actor_role=actor.role if actor else None,
            payload={
                "total_cents": total,
                "quote_id": str(data.quote_id) if data.quote_id else None,
                "mode": booking.mode.value,
            },
            created_at=now,
        )
    )
    if actor is not None and actor.is_staff:
        record_audit(
            session,
            actor=actor,
            action="booking.created",
            target_type="booking",
            target_id=booking.id,
            changes={"total_cents": total, "phone_booking": True},
        )
    link = f"{get_settings().public_base_url}/track/{tracking_token}"
    queue_message(
        session,
        tenant_id=tenant_id,
        channel=Channel.SMS,
        topic="booking.created",
        recipient=phone,
        body=f"We got your request {booking.reference}. Follow your technician here: {link}",
        payload={"booking_id": str(booking.id)},
        now=now,
    )
    if booking.mode is BookingMode.IMMEDIATE:
        apply_transition(
            session,
            actor=None,
            booking=booking,
            to_status=BookingStatus.CONFIRMED,
            reason="Immediate booking: confirmed automatically",
            now=now,
        )
    uow.commit()
    return BookingCreated(
        booking_id=booking.id,
        reference=booking.reference,
        status=booking.status,
        mode=booking.mode,
        total_cents=total,
        breakdown=lines,
        tracking_token=tracking_token,
    )


def _customer_for(
    session: Session, *, tenant_id: uuid.UUID, actor: Actor | None, data: BookingCreate
) -> uuid.UUID | None:
    """Decide whose booking this is: a guest's (None), the customer's, or one staff named."""
    if actor is None:
        if data.customer_id is not None or data.b2b_account_id is not None:
            raise Forbidden("forbidden", "Sign in to book for an account or a saved customer.")
        return None
    if actor.tenant_id != tenant_id:
        raise Forbidden("forbidden", "You do not have permission to do this.")
    if actor.role is Role.PARTNER:
        require(actor, Permission.BOOK_ON_ACCOUNT)
        if data.customer_id is not None:
            raise Forbidden("forbidden", "An account key books for its account, not a customer.")
        return None
    if actor.role is Role.CUSTOMER:
        if data.customer_id not in (None, actor.user_id):
            raise Forbidden("forbidden", "You can only book for yourself.")
        return actor.user_id
    if not actor.can(Permission.MANAGE_BOOKINGS):
        raise Forbidden("forbidden", "You do not have permission to create bookings.")
    if data.customer_id is None:
        return None
    customer = session.exec(
        select(User).where(
            User.id == data.customer_id, User.tenant_id == tenant_id, User.role == Role.CUSTOMER
        )
    ).first()
    if customer is None:
        raise NotFound("customer_not_found", "No such customer.", field="customer_id")
    return customer.id


def _for_actor_account(actor: Actor | None, data: BookingCreate) -> BookingCreate:
    """Book an account key's request on its own account (another account is refused)."""
    if actor is None or actor.b2b_account_id is None:
        return data
    if data.b2b_account_id not in (None, actor.b2b_account_id):
        raise Forbidden("b2b_booking_forbidden", "An account key can only book on its own account.")
    return replace(data, b2b_account_id=actor.b2b_account_id, use_referral_credit=False)


def _require_text(value: str | None, field_name: str, message: str) -> None:
    if not (value or "").strip():
        raise ValidationFailed(f"{field_name}_required", message, field=field_name)


def _unused_reference(session: Session, tenant_id: uuid.UUID) -> str:
    # Without autoflush: pending bookings (a group commit's batch) stay queued for one INSERT;
    # the unique (tenant, reference) index still refuses the one-in-a-billion clash with one of
    # them, which makes the batch run each booking alone, where this check sees the other.
    for _ in range(MAX_REFERENCE_TRIES):
        reference = new_booking_reference()
        with session.no_autoflush:
            taken = session.execute(
                _reference_taken(), {"ref_tenant_id": tenant_id, "ref_reference": reference}
            ).first()
        if taken is None:
            return reference
    raise RuntimeError("could not find an unused booking reference")  # 25^6 codes: never


@lru_cache(maxsize=1)
def _reference_taken() -> Any:
    """The reference check, built once (it runs for every booking)."""
    return select(Booking.id).where(
        col(Booking.tenant_id) == sa.bindparam("ref_tenant_id", type_=sa.Uuid),
        col(Booking.reference) == sa.bindparam("ref_reference", type_=sa.String),
    )
