"""Card payments through a hosted checkout page (Stripe Checkout), for trusted customers only.

`start_card_checkout` records a pending card payment and commits it before asking the gateway
for a session, so the idempotency key (the payment id and amount) is stable: a double click or a
retry after a timeout reuses the same pending payment and gets the same session back from Stripe,
never a second charge. The webhook handler (`webhooks.py`) confirms the payment later.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments import rules
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.payments.service import OPEN_STATUSES, check_payment_method
from roadside_console.domain.tenants.models import Tenant
from roadside_console.domain.trust.rules import MIN_TIER, methods_for_tier
from roadside_console.domain.trust.service import allowed_payment_methods


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """What the gateway needs to open a checkout page for one booking."""

    amount_cents: int
    currency: str
    description: str
    success_url: str
    cancel_url: str
    client_reference_id: str
    idempotency_key: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    customer_email: str | None = None


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    """The gateway's session: its id and the page the customer is sent to."""

    session_id: str
    url: str


class CheckoutGateway(Protocol):
    """Open hosted checkout pages at the card processor."""

    def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        """Create (or, for a known idempotency key, return) a checkout session."""
        ...


class CardPaymentsUnavailable(DomainError):
    """No card processor is configured, so a card checkout cannot start (503)."""

    status = 503
    title = "Service unavailable"


@dataclass(frozen=True, slots=True)
class CheckoutView:
    """A started card checkout: where to send the customer."""

    payment_id: uuid.UUID
    booking_id: uuid.UUID
    amount_cents: int
    checkout_session_id: str
    url: str


def _booking_for(session: Session, actor: Actor, booking_id: uuid.UUID) -> Booking:
    """Load a booking the actor may pay or view payment options for (customers: their own)."""
    if actor.role is not Role.CUSTOMER:
        require(actor, Permission.MANAGE_PAYMENTS)
    booking = session.exec(
        select(Booking).where(Booking.id == booking_id, Booking.tenant_id == actor.tenant_id)
    ).first()
    if booking is None or (actor.role is Role.CUSTOMER and booking.customer_id != actor.user_id):
        raise NotFound("booking_not_found", "No such booking.")
    return booking


def payment_methods_for(
    uow: UnitOfWork, *, actor: Actor, booking_id: uuid.UUID
) -> list[PaymentMethod]:
    """List the methods this booking's customer may pay with (their trust tier decides)."""
    session = uow.session
    booking = _booking_for(session, actor, booking_id)
    customer = session.get(User, booking.customer_id) if booking.customer_id else None
    if customer is None:
        return methods_for_tier(MIN_TIER)
    return allowed_payment_methods(customer)


def _pending_card_payment(
    session: Session, booking: Booking, amount: int, now: datetime
) -> Payment:
    open_payment = session.exec(
        select(Payment)
        .where(Payment.booking_id == booking.id, col(Payment.status).in_(OPEN_STATUSES))
        .with_for_update()
    ).first()
    if open_payment is not None:
        if open_payment.method is not PaymentMethod.STRIPE:
            raise Conflict("payment_exists", "This booking already has a payment.")
        if open_payment.status is not PaymentStatus.PENDING:
            raise Conflict("booking_already_paid", "This booking is already paid.")
        open_payment.amount_cents = amount
        open_payment.updated_at = now
        session.add(open_payment)
        return open_payment
    payment = Payment(
        tenant_id=booking.tenant_id,
        booking_id=booking.id,
        customer_id=booking.customer_id,
        method=PaymentMethod.STRIPE,
        amount_cents=amount,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    return payment


def start_card_checkout(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    gateway: CheckoutGateway | None,
    success_url: str,
    cancel_url: str,
    now: datetime | None = None,
) -> CheckoutView:
    """Open a card checkout for a booking's price; only tier-2 customers may pay by card.

    A refused tier is audited and raises `Forbidden` naming the allowed methods, whether or not
    a card processor is configured (`gateway` is None without one: then an allowed customer gets
    `CardPaymentsUnavailable`). The pending payment is committed first; the session id is stored
    in a second short transaction.
    """
    now = now or utc_now()
    session = uow.session
    booking = _booking_for(session, actor, booking_id)
    check_payment_method(
        uow,
        actor=actor,
        tenant_id=actor.tenant_id,
        booking_id=booking.id,
        method=PaymentMethod.STRIPE,
    )
    if gateway is None:
        raise CardPaymentsUnavailable(
            "card_payments_not_configured",
            "Card payments are not set up for this workspace. Pay by cash, CashApp or Zelle.",
        )
    booking = session.exec(select(Booking).where(Booking.id == booking.id).with_for_update()).one()
    if booking.status is BookingStatus.CANCELLED:
        raise ValidationFailed(
            "booking_cancelled", "This booking was cancelled.", field="booking_id"
        )
    amount = rules.check_amount(charged_price_cents(booking))
    payment = _pending_card_payment(session, booking, amount, now)
    session.flush()
    tenant = session.get(Tenant, booking.tenant_id)
    customer = session.get(User, booking.customer_id) if booking.customer_id else None
    payment_id, tenant_id, reference = payment.id, booking.tenant_id, booking.reference
    currency = (tenant.currency if tenant else "USD").lower()
    uow.commit()
    metadata = {
        "booking_id": str(booking_id),
        "tenant_id": str(tenant_id),
        "payment_id": str(payment_id),
        "booking_reference": reference,
    }
    created = gateway.create_checkout_session(
        CheckoutRequest(
            amount_cents=amount,
            currency=currency,
            description=f"Roadside assistance {reference}",
            success_url=success_url,
            cancel_url=cancel_url,
            client_reference_id=str(payment_id),
            idempotency_key=f"checkout-{payment_id}-{amount}",
            metadata=metadata,
            customer_email=customer.email if customer else None,
        )
    )
    stored = session.exec(select(Payment).where(Payment.id == payment_id).with_for_update()).one()
    stored.stripe_checkout_session_id = created.session_id
    stored.updated_at = now
    session.add(stored)
    uow.commit()
    return CheckoutView(
        payment_id=payment_id,
        booking_id=booking_id,
        amount_cents=amount,
        checkout_session_id=created.session_id,
        url=created.url,
    )
