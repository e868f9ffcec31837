"""Mobile-service variant: quotes sent to customers, message threads and media."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field

from roadside_console.domain.core.tables import (
    CreatedMixin,
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
)


class ServiceQuoteStatus(StrEnum):
    """A quote the operator writes for custom work (detailing, repairs)."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class ServiceQuote(TenantScoped, TimestampsMixin, table=True):
    """A written quote with line items that a customer can accept into a booking."""

    __tablename__ = "service_quotes"

    customer_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", ondelete="SET NULL"
    )
    status: ServiceQuoteStatus = Field(
        default=ServiceQuoteStatus.DRAFT, sa_type=enum_type(ServiceQuoteStatus)
    )
    items: list[dict[str, Any]] = json_field(default_factory=list)
    total_cents: int = 0
    valid_until: datetime | None = None


class MessageDirection(StrEnum):
    """Inbound from the customer or outbound from the operator."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Message(TenantScoped, CreatedMixin, table=True):
    """One message in a customer conversation (SMS, email or in-app)."""

    __tablename__ = "messages"

    customer_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", index=True, ondelete="SET NULL"
    )
    direction: MessageDirection = Field(sa_type=enum_type(MessageDirection))
    channel: str = Field(max_length=16)
    body: str = Field(max_length=4000)
    external_id: str | None = Field(default=None, max_length=120)
    author_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class Media(TenantScoped, CreatedMixin, table=True):
    """A photo or document attached to a booking (before/after shots, damage, receipts)."""

    __tablename__ = "media"

    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", index=True, ondelete="CASCADE"
    )
    uploaded_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    kind: str = Field(max_length=16)
    storage_key: str = Field(max_length=500)
    content_type: str = Field(max_length=100)
    size_bytes: int
