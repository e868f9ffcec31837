"""Staff adjustments to a booking: a price override with its reason, and internal notes.

Both are part of the booking's history: each appends a booking event (the timeline shows it),
and the override is audited. An override changes what the job costs (`charged_price_cents`)
and so what the provider earns; once the earning exists, money has been split on the old
price and the right tool is a refund, not a new price.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.bookings.service import get_booking
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, ValidationFailed
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.payments.models import Payment, PaymentStatus
from roadside_console.domain.payouts.service import earning_for

MAX_OVERRIDE_CENTS = 10_000_00
MAX_NOTE_LENGTH = 2000


def _locked(session: Session, actor: Actor, booking_id: uuid.UUID) -> Booking:
    get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)  # 404 first
    return session.exec(
        select(Booking)
        .where(Booking.id == booking_id, Booking.tenant_id == actor.tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def override_price(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    amount_cents: int,
    reason: str,
    now: datetime | None = None,
) -> int:
    """Set what the job costs, with a reason; returns the previous charged price in cents.

    Refused on a cancelled booking, once a card or manual payment is confirmed for another
    amount (the customer paid that), and once the provider's earning exists.
    """
    require(actor, Permission.MANAGE_BOOKINGS)
    now = now or utc_now()
    why = " ".join((reason or "").split())
    if not why:
        raise ValidationFailed("reason_required", "Say why the price changes.", field="reason")
    if not 0 <= amount_cents <= MAX_OVERRIDE_CENTS:
        raise ValidationFailed(
            "invalid_amount",
            f"Enter a price from $0.00 to {format_cents(MAX_OVERRIDE_CENTS)}.",
            field="amount_cents",
        )
    session = uow.session
    booking = _locked(session, actor, booking_id)
    if booking.status is BookingStatus.CANCELLED:
        raise Conflict("booking_cancelled", "This booking was cancelled; its price is final.")
    if earning_for(session, booking.id) is not None:
        raise Conflict(
            "booking_already_settled",
            "The provider has already been credited for this job. Refund instead.",
        )
    paid = session.exec(
        select(Payment).where(
            Payment.booking_id == booking.id,
            Payment.status == PaymentStatus.CONFIRMED,
        )
    ).first()
    if paid is not None and paid.amount_cents != amount_cents:
        raise Conflict(
            "booking_already_paid",
            f"{format_cents(paid.amount_cents)} was already paid for this job. "
            "Refund the difference instead.",
        )
    before = charged_price_cents(booking)
    booking.price_override_cents = amount_cents
    booking.price_override_reason = why[:500]
    booking.updated_at = now
    session.add(booking)
    changes = {"from_cents": before, "to_cents": amount_cents}
    session.add(
        BookingEvent(
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            kind="price_overridden",
            actor_id=actor.user_id,
            actor_role=actor.role,
            reason=why[:500],
            payload=changes,
            created_at=now,
        )
    )
    record_audit(
        session,
        actor=actor,
        action="booking.price_overridden",
        target_type="booking",
        target_id=booking.id,
        reason=why,
        changes=changes,
    )
    uow.commit()
    return before


def add_internal_note(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    text: str,
    now: datetime | None = None,
) -> None:
    """Add a note for the team to the booking's timeline (customers never see notes)."""
    require(actor, Permission.VIEW_BOOKINGS)
    if not actor.is_staff:
        require(actor, Permission.MANAGE_BOOKINGS)  # raises: staff only
    note = (text or "").strip()
    if not note:
        raise ValidationFailed("note_required", "Write the note first.", field="text")
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationFailed(
            "note_too_long", f"Keep notes under {MAX_NOTE_LENGTH} characters.", field="text"
        )
    now = now or utc_now()
    booking = get_booking(uow.session, tenant_id=actor.tenant_id, booking_id=booking_id)
    uow.session.add(
        BookingEvent(
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            kind="note_added",
            actor_id=actor.user_id,
            actor_role=actor.role,
            reason=note[:500],  # what the timeline shows; the whole note is in the payload
            payload={"text": note, "author": actor.name},
            created_at=now,
        )
    )
    uow.commit()
