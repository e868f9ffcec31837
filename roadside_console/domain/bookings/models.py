"""Bookings (the job a customer asked for) and their append-only event history."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.tables import (
    CreatedMixin,
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
)


class BookingStatus(StrEnum):
    """Lifecycle: pending → confirmed → dispatched → in_progress → completed; or cancelled."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = frozenset(
    {
        BookingStatus.PENDING,
        BookingStatus.CONFIRMED,
        BookingStatus.DISPATCHED,
        BookingStatus.IN_PROGRESS,
    }
)


class BookingMode(StrEnum):
    """Dispatch now, or at a scheduled time at least two hours ahead."""

    IMMEDIATE = "immediate"
    SCHEDULED = "scheduled"


class Booking(TenantScoped, TimestampsMixin, table=True):
    """One job: what, where, for whom, at what price, done by whom."""

    __tablename__ = "bookings"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "reference", name="uq_bookings_tenant_reference"),
        sa.Index("ix_bookings_tenant_status", "tenant_id", "status"),
        sa.Index("ix_bookings_tenant_created", "tenant_id", "created_at"),
        sa.Index("ix_bookings_provider_status", "provider_id", "status"),
        sa.Index("ix_bookings_customer", "customer_id", "created_at"),
        # The bookings table's `%term%` search (PostgreSQL only, migration 0007).
        *(
            sa.Index(
                f"ix_bookings_{name}_trgm",
                sa.func.lower(sa.text(name)).label(name),
                postgresql_using="gin",
                postgresql_ops={name: "gin_trgm_ops"},
            ).ddl_if(dialect="postgresql")
            for name in ("reference", "contact_name", "contact_phone")
        ),
        sa.CheckConstraint("estimated_price_cents >= 0", name="ck_bookings_estimate"),
        sa.CheckConstraint("towing_miles IS NULL OR towing_miles >= 0", name="ck_bookings_miles"),
    )

    reference: str = Field(max_length=16)
    tracking_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    customer_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    service_id: uuid.UUID = Field(foreign_key="services.id", ondelete="RESTRICT")
    provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="SET NULL"
    )
    b2b_account_id: uuid.UUID | None = Field(
        default=None, foreign_key="b2b_accounts.id", index=True, ondelete="SET NULL"
    )
    vehicle_id: uuid.UUID | None = Field(
        default=None, foreign_key="vehicles.id", ondelete="SET NULL"
    )
    quote_id: uuid.UUID | None = Field(
        default=None, foreign_key="price_quotes.id", ondelete="SET NULL"
    )
    status: BookingStatus = Field(default=BookingStatus.PENDING, sa_type=enum_type(BookingStatus))
    mode: BookingMode = Field(default=BookingMode.IMMEDIATE, sa_type=enum_type(BookingMode))
    vehicle: dict[str, Any] = json_field()
    address: str = Field(max_length=300)
    lat: float
    lng: float
    destination_address: str | None = Field(default=None, max_length=300)
    destination_lat: float | None = None
    destination_lng: float | None = None
    location_notes: str | None = Field(default=None, max_length=500)
    contact_name: str = Field(max_length=200)
    contact_phone: str = Field(max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)
    scheduled_at: datetime | None = None
    towing_miles: int | None = None
    estimated_price_cents: int
    final_price_cents: int | None = None
    price_breakdown: list[dict[str, Any]] = json_field(default_factory=list)
    referral_credit_cents: int = 0
    price_override_cents: int | None = None
    price_override_reason: str | None = Field(default=None, max_length=500)
    cancellation_fee_cents: int = 0
    cancel_reason: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=2000)
    needs_manual_dispatch: bool = False
    dispatch_attempts: int = 0
    confirmed_at: datetime | None = None
    dispatched_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None


class BookingEvent(TenantScoped, CreatedMixin, table=True):
    """Something that happened to a booking; rows are only ever appended."""

    __tablename__ = "booking_events"
    __table_args__ = (sa.Index("ix_booking_events_booking_time", "booking_id", "created_at"),)

    booking_id: uuid.UUID = Field(foreign_key="bookings.id", ondelete="CASCADE")
    kind: str = Field(max_length=48)
    from_status: BookingStatus | None = Field(default=None, sa_type=enum_type(BookingStatus))
    to_status: BookingStatus | None = Field(default=None, sa_type=enum_type(BookingStatus))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_role: Role | None = Field(default=None, sa_type=enum_type(Role))
    reason: str | None = Field(default=None, max_length=500)
    payload: dict[str, Any] = json_field()
