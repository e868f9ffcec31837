"""What happens to a booking's money when the booking is cancelled.

A cancelled booking must not keep the customer's money beyond the cancellation fee, and an
unpaid payment on it must not be confirmed later. `settle_cancelled_booking` runs inside the
cancellation's own transaction, so the booking is never cancelled with its money left behind
(or refunded without being cancelled):

- a pending payment (recorded but not confirmed, or a card checkout not yet paid) expires;
- a card payment is refunded through the gateway, all but the fee, under an idempotency key;
- a cash, CashApp or Zelle payment needs a person to hand the money back, so staff cancelling
  such a booking give the reference of that return (and may name another manual method);
  a customer cannot cancel it themselves and is asked to call;
- a disputed payment blocks the cancellation until the dispute closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.errors import Conflict, ValidationFailed
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.payments import rules
from roadside_console.domain.payments.gateway import PaymentGateway
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.payments.service import refund_payment_in


@dataclass(frozen=True, slots=True)
class CancellationSettlement:
    """Money moved by a cancellation: refunded to the customer, kept as the fee, expired."""

    refunded_cents: int = 0
    kept_fee_cents: int = 0
    expired_payments: int = 0


def settle_cancelled_booking(
    session: Session,
    *,
    actor: Actor | None,
    booking: Booking,
    fee_cents: int,
    refund_method: PaymentMethod | None = None,
    refund_reference: str | None = None,
    gateway: PaymentGateway | None = None,
    now: datetime,
) -> CancellationSettlement:
    """Refund what was paid beyond `fee_cents` and expire unpaid payments; does not commit.

    Raises before anything is refunded when a payment is disputed, when a manual payment has
    no return reference (field `refund_reference`), or when a customer would need cash back.
    """
    payments = session.exec(
        select(Payment)
        .where(Payment.tenant_id == booking.tenant_id, Payment.booking_id == booking.id)
        .order_by(col(Payment.created_at))
        .with_for_update()
    ).all()
    if any(p.status is PaymentStatus.DISPUTED for p in payments):
        raise Conflict(
            "payment_disputed",
            "This booking's payment is disputed. Cancel it after the dispute is closed.",
        )
    paid = [p for p in payments if p.status in rules.REFUNDABLE_STATUSES]
    _check_manual_returns(actor, paid, fee_cents, refund_reference)
    fee_left = fee_cents
    refunded = 0
    for payment in paid:
        remaining = payment.amount_cents - payment.refunded_cents
        kept = min(fee_left, remaining)
        fee_left -= kept
        amount = remaining - kept
        if amount <= 0:
            continue
        refund_payment_in(
            session,
            actor=actor,
            tenant_id=booking.tenant_id,
            payment_id=payment.id,
            amount_cents=amount,
            reason=f"Booking {booking.reference} cancelled",
            method=refund_method,
            reference=refund_reference,
            gateway=gateway,
            idempotency_key=f"cancel-{booking.id}-{payment.id}",
            now=now,
        )
        refunded += amount
    expired = _expire_pending(session, actor=actor, booking=booking, payments=payments, now=now)
    return CancellationSettlement(refunded, fee_cents - fee_left, expired)


def _check_manual_returns(
    actor: Actor | None, paid: list[Payment], fee_cents: int, reference: str | None
) -> None:
    """Refuse early, with the amount owed, when manual money must be handed back by a person."""
    owed = sum(p.amount_cents - p.refunded_cents for p in paid if p.method in rules.MANUAL_METHODS)
    owed -= min(fee_cents, owed)
    if owed <= 0:
        return
    label = rules.METHOD_LABELS[next(p.method for p in paid if p.method in rules.MANUAL_METHODS)]
    if actor is None or not actor.is_staff:
        raise Conflict(
            "cancellation_needs_staff",
            f"This booking was paid by {label}. Call us to cancel it and get "
            f"{format_cents(owed)} back.",
        )
    if not (reference or "").strip():
        raise ValidationFailed(
            "refund_reference_required",
            f"This booking was paid by {label}: {format_cents(owed)} goes back to the customer. "
            "Enter the reference of that return to cancel.",
            field="refund_reference",
        )


def _expire_pending(
    session: Session,
    *,
    actor: Actor | None,
    booking: Booking,
    payments: list[Payment],
    now: datetime,
) -> int:
    pending = [p for p in payments if p.status is PaymentStatus.PENDING]
    if not pending:
        return 0
    session.execute(
        update(Payment)
        .where(
            col(Payment.id).in_([p.id for p in pending]),
            Payment.status == PaymentStatus.PENDING,  # type: ignore[arg-type]
        )
        .values(status=PaymentStatus.EXPIRED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    for payment in pending:
        session.refresh(payment)
        record_audit(
            session,
            actor=actor,
            tenant_id=booking.tenant_id,
            action="payment.expired",
            target_type="payment",
            target_id=payment.id,
            reason=f"Booking {booking.reference} cancelled",
            changes={"amount_cents": payment.amount_cents, "method": payment.method.value},
        )
    return len(pending)
