"""Customer payments, refunds and the record of processed payment-provider webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import (
    CreatedMixin,
    IdMixin,
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
)


class PaymentMethod(StrEnum):
    """How the customer pays; card goes through Stripe and needs trust tier 2."""

    CASH = "cash"
    CASHAPP = "cashapp"
    ZELLE = "zelle"
    STRIPE = "stripe"


class PaymentStatus(StrEnum):
    """Where a payment stands; confirmed means funds are actually in."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    DISPUTED = "disputed"
    FAILED = "failed"
    EXPIRED = "expired"


class Payment(TenantScoped, TimestampsMixin, table=True):
    """Money a customer owes or paid for a booking."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.Index("ix_payments_booking", "booking_id"),
        sa.Index("ix_payments_tenant_status", "tenant_id", "status"),
        sa.Index("ix_payments_tenant_confirmed", "tenant_id", "confirmed_at"),
        sa.CheckConstraint("amount_cents > 0", name="ck_payments_amount"),
        sa.CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents", name="ck_payments_refunded"
        ),
    )

    booking_id: uuid.UUID = Field(foreign_key="bookings.id", ondelete="CASCADE")
    customer_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    method: PaymentMethod = Field(sa_type=enum_type(PaymentMethod))
    status: PaymentStatus = Field(default=PaymentStatus.PENDING, sa_type=enum_type(PaymentStatus))
    amount_cents: int
    refunded_cents: int = 0
    reference: str | None = Field(default=None, max_length=120)
    stripe_checkout_session_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255, index=True)
    stripe_charge_id: str | None = Field(default=None, max_length=255, index=True)
    confirmed_at: datetime | None = None
    confirmed_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    counted_for_trust: bool = False


class Refund(TenantScoped, CreatedMixin, table=True):
    """Money given back on a payment, full or partial."""

    __tablename__ = "refunds"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="ck_refunds_amount"),)

    payment_id: uuid.UUID = Field(foreign_key="payments.id", index=True, ondelete="CASCADE")
    amount_cents: int
    method: PaymentMethod = Field(sa_type=enum_type(PaymentMethod))
    reference: str | None = Field(default=None, max_length=120)
    reason: str = Field(default="", max_length=500)
    stripe_refund_id: str | None = Field(default=None, max_length=255, unique=True)
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )


class WebhookEventStatus(StrEnum):
    """Processing state of a received webhook event."""

    CLAIMED = "claimed"
    PROCESSED = "processed"
    SKIPPED = "skipped"
    REFUSED = "refused"


class WebhookEvent(IdMixin, table=True):
    """A payment-provider event id, recorded once (with its handling) so replays are no-ops.

    `tenant_id` is nullable: events we do not act on name no tenant of ours. `reason` says why
    an event was refused for good (the domain error's code and message). Status "claimed" only
    appears on rows of the earlier two-step claim.
    """

    __tablename__ = "webhook_events"
    __table_args__ = (
        sa.UniqueConstraint("source", "event_id", name="uq_webhook_events_source_event"),
    )

    source: str = Field(default="stripe", max_length=32)
    event_id: str = Field(max_length=255)
    event_type: str = Field(max_length=120)
    tenant_id: uuid.UUID | None = Field(
        default=None, foreign_key="tenants.id", index=True, ondelete="CASCADE"
    )
    status: WebhookEventStatus = Field(
        default=WebhookEventStatus.CLAIMED, sa_type=enum_type(WebhookEventStatus)
    )
    payload: dict[str, Any] = json_field()
    received_at: datetime
    processed_at: datetime | None = None
    reason: str | None = Field(default=None, max_length=500)
