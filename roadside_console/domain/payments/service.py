"""Payment use cases: record, confirm (idempotent), refund (guarded), disputes.

Every money change posts its ledger entries and audit rows in the same transaction. The Stripe
webhook handler (a later task) calls `confirm_payment`, `refund_payment` (with the processor's
refund id), `open_dispute` and `close_dispute` with `actor=None` and the tenant it learned from
the event; the Checkout flow calls `check_payment_method` before creating a session.
Locks are always taken in the same order: booking row, then payment row, then payout rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import case, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.payments import rules
from roadside_console.domain.payments.gateway import PaymentGateway
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus, Refund
from roadside_console.domain.payments.schemas import PaymentView, RefundView
from roadside_console.domain.payouts import service as payouts
from roadside_console.domain.referrals.service import return_spent_credit
from roadside_console.domain.trust import rules as trust_rules
from roadside_console.domain.trust.service import (
    allowed_payment_methods,
    credit_clean_payment,
    record_dispute,
)

OPEN_STATUSES = (
    PaymentStatus.PENDING,
    PaymentStatus.CONFIRMED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.DISPUTED,
    PaymentStatus.REFUNDED,
)
CONFIRMED_STATUSES = (
    PaymentStatus.CONFIRMED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.DISPUTED,
)


def _tenant_of(
    actor: Actor | None, tenant_id: uuid.UUID | None, permission: Permission
) -> uuid.UUID:
    """Staff need `permission` and act in their tenant; the system (webhooks) names the tenant."""
    if actor is not None:
        require(actor, permission)
        return actor.tenant_id
    if tenant_id is None:
        raise ValueError("a system call needs the tenant_id")
    return tenant_id


def _payment(
    session: Session, tenant_id: uuid.UUID, payment_id: uuid.UUID, *, lock: bool = False
) -> Payment:
    query = select(Payment).where(Payment.id == payment_id, Payment.tenant_id == tenant_id)
    if lock:
        query = query.with_for_update()
    payment = session.exec(query.execution_options(populate_existing=True)).first()
    if payment is None:
        raise NotFound("payment_not_found", "No such payment.")
    return payment


def _known_payment(session: Session, tenant_id: uuid.UUID, payment_id: uuid.UUID) -> Payment:
    """Return the payment as this session has it (the webhook just read it), else read it.

    For what never changes (booking, method) before the booking lock is taken; what can change
    is read again under the lock or returned by the guarded UPDATE.
    """
    loaded = session.identity_map.get(session.identity_key(Payment, payment_id))
    if isinstance(loaded, Payment) and loaded.tenant_id == tenant_id:
        return loaded
    return _payment(session, tenant_id, payment_id)


def _set_loaded(payment: Payment, values: dict[str, object]) -> None:
    """Put what an UPDATE just wrote onto the locked, loaded row without reading it again."""
    for key, value in values.items():
        set_committed_value(payment, key, value)


def _locked_booking(session: Session, tenant_id: uuid.UUID, booking_id: uuid.UUID) -> Booking:
    booking = payouts.lock_booking(session, tenant_id=tenant_id, booking_id=booking_id)
    if booking is None:
        raise NotFound("booking_not_found", "No such booking.")
    return booking


def _allowed_methods(session: Session, booking: Booking) -> list[PaymentMethod]:
    customer = session.get(User, booking.customer_id) if booking.customer_id else None
    if customer is None:
        return trust_rules.methods_for_tier(trust_rules.MIN_TIER)
    return allowed_payment_methods(customer)


def _refuse_method(
    session: Session, *, actor: Actor | None, booking: Booking, method: PaymentMethod
) -> list[PaymentMethod]:
    """Return the allowed methods; if `method` is not one, audit the attempt and say so."""
    allowed = _allowed_methods(session, booking)
    if method in allowed:
        return allowed
    record_audit(
        session,
        actor=actor,
        tenant_id=booking.tenant_id,
        action="payment.method_refused",
        target_type="booking",
        target_id=booking.id,
        changes={"method": method.value, "allowed": [m.value for m in allowed]},
    )
    return []


def _method_forbidden(session: Session, booking: Booking) -> Forbidden:
    allowed = _allowed_methods(session, booking)
    return Forbidden(
        "payment_method_not_allowed",
        f"Card payments are not available for this customer yet. "
        f"Pay with {rules.describe_methods(allowed)}.",
        field="method",
    )


def check_payment_method(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    tenant_id: uuid.UUID,
    booking_id: uuid.UUID,
    method: PaymentMethod,
) -> list[PaymentMethod]:
    """Ask the trust tier whether `method` may pay this booking; a refusal is audited.

    Returns the allowed methods; raises `Forbidden` naming them (after committing the audit
    entry) when `method` is not one of them. The Checkout flow calls this first.
    """
    session = uow.session
    booking = session.exec(
        select(Booking).where(Booking.id == booking_id, Booking.tenant_id == tenant_id)
    ).first()
    if booking is None:
        raise NotFound("booking_not_found", "No such booking.")
    allowed = _refuse_method(session, actor=actor, booking=booking, method=method)
    if not allowed:
        error = _method_forbidden(session, booking)
        uow.commit()
        raise error
    return allowed


def record_payment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    method: PaymentMethod,
    amount_cents: int | None = None,
    reference: str | None = None,
    now: datetime | None = None,
) -> PaymentView:
    """Record how a booking will be paid (pending until staff confirm the funds arrived).

    Staff with MANAGE_PAYMENTS record for any booking of their tenant, a customer for their own.
    The customer's trust tier decides the methods: a refused card is audited, then `Forbidden`.
    """
    now = now or utc_now()
    session = uow.session
    if actor.role is not Role.CUSTOMER:
        require(actor, Permission.MANAGE_PAYMENTS)
    booking = _locked_booking(session, actor.tenant_id, booking_id)
    if actor.role is Role.CUSTOMER and booking.customer_id != actor.user_id:
        raise NotFound("booking_not_found", "No such booking.")
    if booking.status is BookingStatus.CANCELLED:
        raise ValidationFailed(
            "booking_cancelled", "This booking was cancelled.", field="booking_id"
        )
    amount = rules.check_amount(
        charged_price_cents(booking) if amount_cents is None else amount_cents
    )
    if not _refuse_method(session, actor=actor, booking=booking, method=method):
        error = _method_forbidden(session, booking)
        uow.commit()
        raise error
    existing = session.exec(
        select(Payment.id).where(
            Payment.booking_id == booking.id, col(Payment.status).in_(OPEN_STATUSES)
        )
    ).first()
    if existing is not None:
        raise Conflict("payment_exists", "This booking already has a payment.")
    payment = Payment(
        tenant_id=booking.tenant_id,
        booking_id=booking.id,
        customer_id=booking.customer_id,
        method=method,
        amount_cents=amount,
        reference=(reference or "").strip() or None,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    session.flush()
    if actor.is_staff:
        record_audit(
            session,
            actor=actor,
            action="payment.recorded",
            target_type="payment",
            target_id=payment.id,
            changes={"method": method.value, "amount_cents": amount},
        )
    uow.commit()
    return PaymentView.of(payment)


def confirm_payment(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    payment_id: uuid.UUID,
    tenant_id: uuid.UUID | None = None,
    amount_cents: int | None = None,
    reference: str | None = None,
    now: datetime | None = None,
) -> PaymentView:
    """Confirm that the funds arrived; confirming again changes nothing and counts once.

    Staff confirm manual payments with the amount received and its reference (required for
    CashApp and Zelle); the webhook handler confirms card payments with `actor=None`. If the job
    is already completed, the provider's earning is created now.
    """
    tenant = _tenant_of(actor, tenant_id, Permission.MANAGE_PAYMENTS)
    confirm_payment_in(
        uow.session,
        actor=actor,
        tenant_id=tenant,
        payment_id=payment_id,
        amount_cents=amount_cents,
        reference=reference,
        now=now,
    )
    uow.commit()
    return PaymentView.of(_payment(uow.session, tenant, payment_id))


def confirm_payment_in(
    session: Session,
    *,
    actor: Actor | None,
    tenant_id: uuid.UUID,
    payment_id: uuid.UUID,
    amount_cents: int | None = None,
    reference: str | None = None,
    stripe_ids: dict[str, str] | None = None,
    now: datetime | None = None,
) -> bool:
    """Do the work of `confirm_payment` inside the caller's transaction; True if it changed.

    `stripe_ids` (the webhook's session, intent and charge ids) are written by the same UPDATE
    that confirms; when nothing changes they are not written (the caller writes them).
    """
    now = now or utc_now()
    payment = _known_payment(session, tenant_id, payment_id)
    booking = _locked_booking(session, tenant_id, payment.booking_id)
    if payment.status is not PaymentStatus.PENDING:
        return _already_confirmed(session, tenant_id, payment_id)
    amount = rules.check_amount(payment.amount_cents if amount_cents is None else amount_cents)
    ref = (reference or "").strip() or payment.reference
    if payment.method in (PaymentMethod.CASHAPP, PaymentMethod.ZELLE) and not ref:
        raise ValidationFailed(
            "reference_required", "Enter the transfer reference to confirm.", field="reference"
        )
    # A payment leaves PENDING once, so the UPDATE that moves it also marks it counted for
    # trust (when it has a customer): it counts once ever, however often it is confirmed.
    counts_for_trust = payment.customer_id is not None and not payment.counted_for_trust
    confirmed: dict[str, object] = {
        **(stripe_ids or {}),
        "status": PaymentStatus.CONFIRMED,
        "amount_cents": amount,
        "reference": ref,
        "confirmed_at": now,
        "confirmed_by_id": actor.user_id if actor else None,
        "updated_at": now,
        **({"counted_for_trust": True} if counts_for_trust else {}),
    }
    # The guarded UPDATE is the claim: of two confirmations racing, one changes the row.
    claimed = session.execute(
        update(Payment)
        .where(
            Payment.id == payment.id,  # type: ignore[arg-type]
            Payment.status == PaymentStatus.PENDING,  # type: ignore[arg-type]
        )
        .values(confirmed)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        return _already_confirmed(session, tenant_id, payment_id)
    _set_loaded(payment, confirmed)
    with ledger.posting_batch(session):
        ledger.post(
            session,
            tenant_id=tenant_id,
            kind="payment_confirmed",
            description=f"{rules.METHOD_LABELS[payment.method]} payment {ref or ''}".strip(),
            booking_id=booking.id,
            lines=[
                (ledger.clearing_account(payment.method), amount),
                (ledger.CUSTOMER_RECEIVABLE, -amount),
            ],
            now=now,
            prefetch=payouts.earning_accounts(booking),  # posted to next if the job is done
        )
        if counts_for_trust:
            credit_clean_payment(session, payment=payment)
        record_audit(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action="payment.confirmed",
            target_type="payment",
            target_id=payment.id,
            changes={"amount_cents": amount, "reference": ref, "method": payment.method.value},
        )
        payouts.create_earning_if_due(session, booking=booking, now=now)
    return True


def _already_confirmed(session: Session, tenant_id: uuid.UUID, payment_id: uuid.UUID) -> bool:
    """Answer a confirmation that changed nothing: False if confirmed before, else refuse.

    Read again under the booking lock: the status the caller saw may be stale.
    """
    payment = _payment(session, tenant_id, payment_id)
    if payment.status in CONFIRMED_STATUSES:
        return False
    raise Conflict(
        "payment_not_pending",
        f"This payment is {payment.status.value} and cannot be confirmed.",
    )


def refund_payment(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    payment_id: uuid.UUID,
    amount_cents: int,
    reason: str = "",
    method: PaymentMethod | None = None,
    reference: str | None = None,
    tenant_id: uuid.UUID | None = None,
    gateway: PaymentGateway | None = None,
    idempotency_key: str | None = None,
    gateway_refund_id: str | None = None,
    now: datetime | None = None,
) -> RefundView:
    """Give back part or all of a confirmed payment; never more than what remains.

    Manual refunds are recorded with their method and reference. Card refunds go through the
    gateway with an idempotency key, unless `gateway_refund_id` says the processor already
    refunded (the webhook path; a replay of the same refund id changes nothing). The provider's
    pending earning is reduced pro rata; a paid one gets a clawback for the next batch.
    """
    tenant = _tenant_of(actor, tenant_id, Permission.MANAGE_PAYMENTS)
    view = refund_payment_in(
        uow.session,
        actor=actor,
        tenant_id=tenant,
        payment_id=payment_id,
        amount_cents=amount_cents,
        reason=reason,
        method=method,
        reference=reference,
        gateway=gateway,
        idempotency_key=idempotency_key,
        gateway_refund_id=gateway_refund_id,
        now=now,
    )
    uow.commit()
    return view


def refund_payment_in(
    session: Session,
    *,
    actor: Actor | None,
    tenant_id: uuid.UUID,
    payment_id: uuid.UUID,
    amount_cents: int,
    reason: str = "",
    method: PaymentMethod | None = None,
    reference: str | None = None,
    gateway: PaymentGateway | None = None,
    idempotency_key: str | None = None,
    gateway_refund_id: str | None = None,
    allowed_statuses: tuple[PaymentStatus, ...] = rules.REFUNDABLE_STATUSES,
    now: datetime | None = None,
) -> RefundView:
    """Do the work of `refund_payment` inside the caller's transaction."""
    now = now or utc_now()
    amount = rules.check_amount(amount_cents)
    payment = _known_payment(session, tenant_id, payment_id)
    if gateway_refund_id is not None:
        done = session.exec(
            select(Refund).where(
                Refund.stripe_refund_id == gateway_refund_id, Refund.tenant_id == tenant_id
            )
        ).first()
        if done is not None:
            return RefundView.of(done, payment, provider_cents=0, platform_cents=0)
    card = payment.method is PaymentMethod.STRIPE
    refund_method = PaymentMethod.STRIPE if card else (method or payment.method)
    if not card and refund_method not in rules.MANUAL_METHODS:
        raise ValidationFailed(
            "invalid_refund_method",
            "Refund a manual payment by cash, CashApp or Zelle.",
            field="method",
        )
    ref = (reference or "").strip() or None
    if not card and ref is None:
        raise ValidationFailed(
            "reference_required", "Enter the reference of the money sent back.", field="reference"
        )
    booking = _locked_booking(session, tenant_id, payment.booking_id)
    refunded = Payment.refunded_cents + amount
    returned = session.scalars(
        update(Payment)
        .where(
            Payment.id == payment.id,  # type: ignore[arg-type]
            Payment.tenant_id == tenant_id,  # type: ignore[arg-type]
            col(Payment.status).in_(allowed_statuses),
            refunded <= Payment.amount_cents,
        )
        .values(
            refunded_cents=refunded,
            status=case(
                (refunded >= Payment.amount_cents, PaymentStatus.REFUNDED.value),
                else_=PaymentStatus.PARTIALLY_REFUNDED.value,
            ),
            updated_at=now,
        )
        .returning(Payment)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).first()
    if returned is None:
        payment = _payment(session, tenant_id, payment_id)
        if payment.status not in allowed_statuses:
            raise ValidationFailed(
                "payment_not_refundable",
                f"A {payment.status.value} payment cannot be refunded.",
                field="payment_id",
            )
        remaining = payment.amount_cents - payment.refunded_cents
        raise ValidationFailed(
            "refund_exceeds_refundable",
            f"At most {remaining} cents of this payment can still be refunded.",
            field="amount_cents",
        )
    payment = returned  # the row as the UPDATE left it
    if card and gateway_refund_id is None:
        if gateway is None:
            raise Conflict(
                "card_refunds_unavailable",
                "Card refunds go through Stripe, which is not configured: set STRIPE_SECRET_KEY.",
            )
        key = idempotency_key or f"refund-{payment.id}-{payment.refunded_cents}"
        gateway_refund_id = gateway.refund(
            payment=payment, amount_cents=amount, idempotency_key=key
        )
    refund = Refund(
        tenant_id=tenant_id,
        payment_id=payment.id,
        amount_cents=amount,
        method=refund_method,
        reference=ref or gateway_refund_id,
        reason=(reason or "").strip()[:500],
        stripe_refund_id=gateway_refund_id if card else None,
        created_by_id=actor.user_id if actor else None,
        created_at=now,
    )
    session.add(refund)
    shares, lines = payouts.apply_refund(session, payment=payment, refund_cents=amount, now=now)
    ledger.post(
        session,
        tenant_id=tenant_id,
        kind="refund",
        description=f"Refund of {amount} on booking {booking.reference}",
        booking_id=booking.id,
        lines=[(ledger.clearing_account(refund_method), -amount), *lines],
        now=now,
    )
    if payment.status is PaymentStatus.REFUNDED:  # a full refund gives back spent credit
        return_spent_credit(session, booking=booking, now=now)
    session.flush()
    record_audit(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action="payment.refunded",
        target_type="payment",
        target_id=payment.id,
        reason=refund.reason or None,
        changes={
            "amount_cents": amount,
            "method": refund_method.value,
            "reference": refund.reference,
            "provider_cents": shares.provider_cents,
            "platform_cents": shares.platform_cents,
            "status": payment.status.value,
        },
    )
    return RefundView.of(
        refund, payment, provider_cents=shares.provider_cents, platform_cents=shares.platform_cents
    )


def open_dispute(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    payment_id: uuid.UUID,
    tenant_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> PaymentView:
    """A chargeback was opened: mark the payment, hold its payouts, demote the customer."""
    tenant = _tenant_of(actor, tenant_id, Permission.MANAGE_PAYMENTS)
    session = uow.session
    payment = _payment(session, tenant, payment_id)
    booking = _locked_booking(session, tenant, payment.booking_id)
    payment = _payment(session, tenant, payment_id, lock=True)
    if payment.status is PaymentStatus.DISPUTED:
        return PaymentView.of(payment)
    if payment.status not in rules.REFUNDABLE_STATUSES:
        raise Conflict(
            "payment_not_disputable", f"A {payment.status.value} payment cannot be disputed."
        )
    payment.status = PaymentStatus.DISPUTED
    payment.updated_at = now or utc_now()
    session.add(payment)
    payouts.set_hold(session, booking=booking, hold=True, reason="payment disputed", now=now)
    if payment.customer_id is not None:
        record_dispute(session, tenant_id=tenant, customer_id=payment.customer_id)
    record_audit(
        session,
        actor=actor,
        tenant_id=tenant,
        action="payment.disputed",
        target_type="payment",
        target_id=payment.id,
    )
    uow.commit()
    return PaymentView.of(payment)


def close_dispute(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    payment_id: uuid.UUID,
    won: bool,
    tenant_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> PaymentView:
    """A chargeback closed: won releases the payouts; lost refunds the rest and claws back."""
    now = now or utc_now()
    tenant = _tenant_of(actor, tenant_id, Permission.MANAGE_PAYMENTS)
    session = uow.session
    payment = _payment(session, tenant, payment_id)
    booking = _locked_booking(session, tenant, payment.booking_id)
    payment = _payment(session, tenant, payment_id, lock=True)
    if payment.status is not PaymentStatus.DISPUTED:
        return PaymentView.of(payment)
    payouts.set_hold(session, booking=booking, hold=False, reason="dispute closed", now=now)
    remaining = payment.amount_cents - payment.refunded_cents
    if won or remaining == 0:
        payment.status = rules.status_after_refund(payment.amount_cents, payment.refunded_cents)
        session.add(payment)
        session.flush()
        payouts.create_earning_if_due(session, booking=booking, now=now)
    else:
        refund_payment_in(
            session,
            actor=actor,
            tenant_id=tenant,
            payment_id=payment.id,
            amount_cents=remaining,
            reason="dispute lost",
            gateway_refund_id=f"dispute_{payment.id}",
            allowed_statuses=(PaymentStatus.DISPUTED,),
            now=now,
        )
    record_audit(
        session,
        actor=actor,
        tenant_id=tenant,
        action="payment.dispute_closed",
        target_type="payment",
        target_id=payment.id,
        changes={"won": won},
    )
    uow.commit()
    return PaymentView.of(_payment(session, tenant, payment_id))
