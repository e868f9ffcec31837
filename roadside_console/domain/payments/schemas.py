"""What payment use cases return: small frozen views, never ORM rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus, Refund


@dataclass(frozen=True, slots=True)
class PaymentView:
    """A payment as staff and customers see it."""

    payment_id: uuid.UUID
    booking_id: uuid.UUID
    method: PaymentMethod
    status: PaymentStatus
    amount_cents: int
    refunded_cents: int
    reference: str | None
    confirmed_at: datetime | None

    @property
    def refundable_cents(self) -> int:
        """What can still be refunded."""
        return self.amount_cents - self.refunded_cents

    @classmethod
    def of(cls, payment: Payment) -> PaymentView:
        """Build the view of a payment row."""
        return cls(
            payment_id=payment.id,
            booking_id=payment.booking_id,
            method=payment.method,
            status=payment.status,
            amount_cents=payment.amount_cents,
            refunded_cents=payment.refunded_cents,
            reference=payment.reference,
            confirmed_at=payment.confirmed_at,
        )


@dataclass(frozen=True, slots=True)
class RefundView:
    """One refund and where it left the payment."""

    refund_id: uuid.UUID
    payment_id: uuid.UUID
    amount_cents: int
    method: PaymentMethod
    reference: str | None
    provider_cents: int
    platform_cents: int
    payment_status: PaymentStatus
    payment_refunded_cents: int

    @classmethod
    def of(
        cls, refund: Refund, payment: Payment, *, provider_cents: int, platform_cents: int
    ) -> RefundView:
        """Build the view of a refund row."""
        return cls(
            refund_id=refund.id,
            payment_id=payment.id,
            amount_cents=refund.amount_cents,
            method=refund.method,
            reference=refund.reference,
            provider_cents=provider_cents,
            platform_cents=platform_cents,
            payment_status=payment.status,
            payment_refunded_cents=payment.refunded_cents,
        )
