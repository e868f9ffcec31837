"""Booking lifecycle use cases: every status change is a guarded update plus its history.

`apply_transition` does the work inside a caller's transaction (dispatch uses it too); the
named use cases (`confirm_booking`, `cancel_booking`, ...) wrap it and commit once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings import rules
from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.core.auth import Actor, Permission, Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, DomainError, NotFound
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.domain.payments.cancellation import settle_cancelled_booking
from roadside_console.domain.payments.gateway import PaymentGateway
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payouts.service import create_earning_if_due
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.referrals.service import return_spent_credit
from roadside_console.domain.tenants.service import get_tenant_settings

S = BookingStatus
_TIMESTAMP_OF: dict[BookingStatus, str] = {
    S.CONFIRMED: "confirmed_at",
    S.DISPATCHED: "dispatched_at",
    S.IN_PROGRESS: "started_at",
    S.COMPLETED: "completed_at",
    S.CANCELLED: "cancelled_at",
}
_CUSTOMER_TEXTS: dict[BookingStatus, str] = {
    S.CONFIRMED: "Your {service} booking {ref} is confirmed. We are finding a technician.",
    S.DISPATCHED: "A technician has been assigned to {ref} and will be on the way shortly.",
    S.IN_PROGRESS: "Your technician is on the job for {ref}.",
    S.COMPLETED: "Job {ref} is complete. Thank you for choosing us!",
    S.CANCELLED: "Booking {ref} was cancelled.",
}


@dataclass(frozen=True, slots=True)
class TransitionResult:
    """What changed, for the caller to show."""

    booking_id: uuid.UUID
    from_status: BookingStatus
    to_status: BookingStatus
    fee_cents: int = 0


@dataclass(frozen=True, slots=True)
class CancellationTerms:
    """What cancelling would cost right now, shown before the customer confirms."""

    allowed: bool
    fee_cents: int
    fee_label: str


def get_booking(session: Session, *, tenant_id: uuid.UUID, booking_id: uuid.UUID) -> Booking:
    """Load a booking of this tenant, or raise `NotFound` (same answer for other tenants')."""
    booking = session.exec(
        select(Booking).where(Booking.id == booking_id, Booking.tenant_id == tenant_id)
    ).first()
    if booking is None:
        raise NotFound("booking_not_found", "No such booking.")
    return booking


def is_own_booking(session: Session, actor: Actor | None, booking: Booking) -> bool:
    """Tell whether a customer (or an account key) owns the booking or its provider is assigned."""
    if actor is None:
        return False
    if actor.role is Role.CUSTOMER:
        return booking.customer_id == actor.user_id
    if actor.role is Role.PARTNER:  # a business account's key: the account's bookings
        return actor.b2b_account_id is not None and booking.b2b_account_id == actor.b2b_account_id
    if actor.role is Role.PROVIDER and booking.provider_id is not None:
        provider = session.get(Provider, booking.provider_id)
        return provider is not None and provider.user_id == actor.user_id
    return False


def _visible_booking(session: Session, actor: Actor, booking_id: uuid.UUID) -> Booking:
    """Load a booking the actor may see; someone else's answers like an unknown one (404)."""
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    if not (actor.can(Permission.VIEW_BOOKINGS) or is_own_booking(session, actor, booking)):
        raise NotFound("booking_not_found", "No such booking.")
    return booking


def apply_transition(
    session: Session,
    *,
    actor: Actor | None,
    booking: Booking,
    to_status: BookingStatus,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
    event_kind: str = "status_changed",
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> TransitionResult:
    """Check, then move `booking` to `to_status` only if it is still in the state we read.

    Raises `Conflict` when someone else changed the booking first; nothing is written then.
    Does not commit: the calling use case does, once.
    """
    now = now or utc_now()
    from_status = booking.status
    role = actor.role if actor else None
    rules.check_transition(
        role=role,
        from_status=from_status,
        to_status=to_status,
        is_own=is_own_booking(session, actor, booking),
        reason=reason,
    )
    values: dict[str, Any] = {"status": to_status, "updated_at": now, **(changes or {})}
    if to_status in _TIMESTAMP_OF:
        values[_TIMESTAMP_OF[to_status]] = now
    fee = 0
    if to_status is S.CANCELLED:
        settings = get_tenant_settings(session, booking.tenant_id)
        fee = rules.cancellation_fee_cents(from_status, role, settings.cancellation_fee_cents)
        values["cancellation_fee_cents"] = fee
        values["cancel_reason"] = (reason or "").strip() or None
    if from_status is S.DISPATCHED and to_status is S.CONFIRMED:
        values["provider_id"] = None  # the provider handed the job back: offer it to someone else

    if booking in session.new:
        # Not written yet (a booking confirmed as it is created): nobody else can have changed
        # it, so the new state goes into its INSERT instead of a guarded UPDATE.
        for key, value in values.items():
            setattr(booking, key, value)
    else:
        _guarded_update(session, booking, from_status, values)
    if to_status is S.CANCELLED:  # a cancelled booking gives back the credit it spent
        return_spent_credit(session, booking=booking, now=now)
    session.add(
        BookingEvent(
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            kind=event_kind,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.user_id if actor else None,
            actor_role=role,
            reason=(reason or "").strip() or None,
            payload={**(payload or {}), **({"fee_cents": fee} if fee else {})},
            created_at=now,
        )
    )
    if actor is not None and actor.is_staff:
        record_audit(
            session,
            actor=actor,
            action=f"booking.{to_status.value}",
            target_type="booking",
            target_id=booking.id,
            reason=reason,
            changes={"from": from_status.value, "to": to_status.value, **(payload or {})},
        )
    _notify_customer(session, booking, to_status, now)
    return TransitionResult(booking.id, from_status, to_status, fee)


def _guarded_update(
    session: Session, booking: Booking, from_status: BookingStatus, values: dict[str, Any]
) -> None:
    result = session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,  # type: ignore[arg-type]
            Booking.tenant_id == booking.tenant_id,  # type: ignore[arg-type]
            Booking.status == from_status,  # type: ignore[arg-type]
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "booking_changed",
            "Someone else changed this booking a moment ago. Reload it and try again.",
        )
    for key, value in values.items():
        # Already written by the guarded UPDATE: mark as loaded, not dirty (no second UPDATE).
        set_committed_value(booking, key, value)


def _notify_customer(
    session: Session, booking: Booking, to_status: BookingStatus, now: datetime
) -> None:
    template = _CUSTOMER_TEXTS.get(to_status)
    if template is None or not booking.contact_phone:
        return
    queue_message(
        session,
        tenant_id=booking.tenant_id,
        channel=Channel.SMS,
        topic=f"booking.{to_status.value}",
        recipient=booking.contact_phone,
        body=template.format(ref=booking.reference, service="service"),
        payload={"booking_id": str(booking.id)},
        now=now,
    )


def _transition(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    tenant_id: uuid.UUID,
    booking_id: uuid.UUID,
    to_status: BookingStatus,
    expected_status: BookingStatus | None,
    reason: str | None,
    now: datetime | None,
) -> TransitionResult:
    booking = get_booking(uow.session, tenant_id=tenant_id, booking_id=booking_id)
    if expected_status is not None and booking.status is not expected_status:
        raise Conflict(
            "booking_changed",
            f"This booking is now {booking.status.value}. Reload it and try again.",
        )
    result = apply_transition(
        uow.session, actor=actor, booking=booking, to_status=to_status, reason=reason, now=now
    )
    uow.commit()
    return result


def confirm_booking(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    reason: str | None = None,
    now: datetime | None = None,
) -> TransitionResult:
    """Staff accept a pending booking into the dispatch queue."""
    return _transition(
        uow,
        actor=actor,
        tenant_id=actor.tenant_id,
        booking_id=booking_id,
        to_status=S.CONFIRMED,
        expected_status=S.PENDING,
        reason=reason,
        now=now,
    )


def complete_booking(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    reason: str | None = None,
    now: datetime | None = None,
) -> TransitionResult:
    """The provider (or staff on their behalf, with a reason) marks the job done.

    If the job is already paid, the provider's earning is created in the same transaction.
    """
    booking = get_booking(uow.session, tenant_id=actor.tenant_id, booking_id=booking_id)
    if booking.status is not S.IN_PROGRESS:
        raise Conflict(
            "booking_changed",
            f"This booking is now {booking.status.value}. Reload it and try again.",
        )
    result = apply_transition(
        uow.session, actor=actor, booking=booking, to_status=S.COMPLETED, reason=reason, now=now
    )
    create_earning_if_due(uow.session, booking=booking, now=now)
    uow.commit()
    return result


def cancellation_terms(
    uow: UnitOfWork, *, actor: Actor, booking_id: uuid.UUID
) -> CancellationTerms:
    """Say whether the actor may cancel now and what it would cost, before they confirm."""
    session = uow.session
    booking = _visible_booking(session, actor, booking_id)
    try:
        rules.check_transition(
            role=actor.role,
            from_status=booking.status,
            to_status=S.CANCELLED,
            is_own=is_own_booking(session, actor, booking),
            reason="preview",
        )
    except DomainError:
        return CancellationTerms(False, 0, "")
    settings = get_tenant_settings(session, actor.tenant_id)
    fee = rules.cancellation_fee_cents(booking.status, actor.role, settings.cancellation_fee_cents)
    label = f"Cancelling now costs {format_cents(fee)}." if fee else "Cancelling now is free."
    return CancellationTerms(True, fee, label)


def cancel_booking(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    reason: str | None = None,
    expected_fee_cents: int | None = None,
    refund_method: PaymentMethod | None = None,
    refund_reference: str | None = None,
    gateway: PaymentGateway | None = None,
    now: datetime | None = None,
) -> TransitionResult:
    """Cancel before completion; a customer cancelling a dispatched job pays the tenant's fee.

    `expected_fee_cents` is the fee the customer was shown; if it changed meanwhile (the
    booking was dispatched in between), nothing happens and they are asked to confirm again.
    What was paid beyond the fee goes back in the same transaction (card payments through
    `gateway`; cash, CashApp and Zelle need the `refund_reference` of the money handed back),
    and unpaid payments expire: see `payments.cancellation`.
    """
    booking = _visible_booking(uow.session, actor, booking_id)
    # Who may cancel comes before the fee: "confirm at $0.00" means nothing to a caller
    # who may not cancel at all.
    rules.check_transition(
        role=actor.role,
        from_status=booking.status,
        to_status=S.CANCELLED,
        is_own=is_own_booking(uow.session, actor, booking),
        reason=reason,
    )
    if expected_fee_cents is not None:
        settings = get_tenant_settings(uow.session, actor.tenant_id)
        fee = rules.cancellation_fee_cents(
            booking.status, actor.role, settings.cancellation_fee_cents
        )
        if fee != expected_fee_cents:
            raise Conflict(
                "cancellation_fee_changed",
                f"Cancelling now costs {format_cents(fee)}. Please confirm again.",
            )
    now = now or utc_now()
    result = apply_transition(
        uow.session, actor=actor, booking=booking, to_status=S.CANCELLED, reason=reason, now=now
    )
    settle_cancelled_booking(
        uow.session,
        actor=actor,
        booking=booking,
        fee_cents=result.fee_cents,
        refund_method=refund_method,
        refund_reference=refund_reference,
        gateway=gateway,
        now=now,
    )
    uow.commit()
    return result
