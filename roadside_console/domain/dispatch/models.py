"""Dispatch decisions (with every candidate and score) and the expiring offers they make."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import (
    CreatedMixin,
    TenantScoped,
    enum_type,
    json_field,
)


class DispatchAlgorithm(StrEnum):
    """Whether the system or a dispatcher chose."""

    AUTO = "auto"
    MANUAL = "manual"


class DispatchLog(TenantScoped, CreatedMixin, table=True):
    """Why a provider was chosen: candidates with distance, subscores and score, and the winner."""

    __tablename__ = "dispatch_logs"
    __table_args__ = (sa.Index("ix_dispatch_logs_booking", "booking_id", "created_at"),)

    booking_id: uuid.UUID = Field(foreign_key="bookings.id", ondelete="CASCADE")
    algorithm: DispatchAlgorithm = Field(sa_type=enum_type(DispatchAlgorithm))
    attempt: int = 1
    assigned_provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="SET NULL"
    )
    distance_m: int | None = None
    candidates: list[dict[str, Any]] = json_field(default_factory=list)
    reason: str = Field(default="", max_length=500)
    eligibility_overridden: bool = False
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class OfferStatus(StrEnum):
    """Life of one offer to one provider."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class DispatchOffer(TenantScoped, CreatedMixin, table=True):
    """A job offered to one provider until `expires_at`; a provider is offered a booking once."""

    __tablename__ = "dispatch_offers"
    __table_args__ = (
        sa.UniqueConstraint(
            "booking_id", "provider_id", name="uq_dispatch_offers_booking_provider"
        ),
        sa.Index("ix_dispatch_offers_status_expiry", "status", "expires_at"),
        sa.Index("ix_dispatch_offers_provider_status", "provider_id", "status"),
    )

    booking_id: uuid.UUID = Field(foreign_key="bookings.id", ondelete="CASCADE")
    provider_id: uuid.UUID = Field(foreign_key="providers.id", ondelete="CASCADE")
    dispatch_log_id: uuid.UUID | None = Field(
        default=None, foreign_key="dispatch_logs.id", ondelete="SET NULL"
    )
    attempt: int = 1
    status: OfferStatus = Field(default=OfferStatus.PENDING, sa_type=enum_type(OfferStatus))
    expires_at: datetime
    responded_at: datetime | None = None
