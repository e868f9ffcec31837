"""Technicians and tow operators who do the work, their credentials and location trail."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import (
    CreatedMixin,
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
    tenant_fk,
)


class ProviderStatus(StrEnum):
    """Onboarding and standing of a provider."""

    PENDING = "pending"
    ACTIVE = "active"
    INACTIVE = "inactive"


class CommissionType(StrEnum):
    """How a provider is paid per job."""

    PERCENTAGE = "percentage"
    FLAT_PER_JOB = "flat_per_job"


class Provider(TenantScoped, TimestampsMixin, table=True):
    """A provider profile, linked to the user who signs in to the portal."""

    __tablename__ = "providers"
    __table_args__ = (
        sa.UniqueConstraint("user_id", name="uq_providers_user"),
        sa.CheckConstraint("commission_rate_bp BETWEEN 0 AND 10000", name="ck_providers_rate"),
        sa.Index("ix_providers_dispatchable", "tenant_id", "status", "is_available"),
        sa.Index("ix_providers_current_location", "tenant_id", "current_lat", "current_lng"),
        sa.Index("ix_providers_home_location", "tenant_id", "home_lat", "home_lng"),
    )

    # The three indexes above start with tenant_id; a fourth on it alone only slowed the
    # location fix's UPDATE (migration 0008).
    tenant_id: uuid.UUID = tenant_fk(index=False)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field(max_length=32)
    status: ProviderStatus = Field(
        default=ProviderStatus.PENDING, sa_type=enum_type(ProviderStatus)
    )
    commission_type: CommissionType = Field(
        default=CommissionType.PERCENTAGE, sa_type=enum_type(CommissionType)
    )
    commission_rate_bp: int = 7000
    flat_fee_cents: int | None = None
    home_address: str | None = Field(default=None, max_length=300)
    home_lat: float | None = None
    home_lng: float | None = None
    is_available: bool = False
    current_lat: float | None = None
    current_lng: float | None = None
    location_updated_at: datetime | None = None
    # The newest trail point kept for this provider: a fix decides whether it becomes a point
    # from these two columns under the row lock its UPDATE takes, without reading the trail.
    last_trail_point_id: uuid.UUID | None = None
    last_trail_point_at: datetime | None = None
    specialties: list[str] = json_field(default_factory=list)
    rating_total: int = 0
    review_count: int = 0
    referred_by_provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="SET NULL"
    )

    @property
    def average_rating(self) -> float | None:
        """Mean star rating, or None before the first review."""
        return self.rating_total / self.review_count if self.review_count else None


class CredentialKind(StrEnum):
    """Documents that qualify a provider for dispatch."""

    DRIVERS_LICENCE = "drivers_licence"
    INSURANCE = "insurance"
    TOW_OPERATOR_LICENCE = "tow_operator_licence"
    CERTIFICATION = "certification"


class ProviderCredential(TenantScoped, TimestampsMixin, table=True):
    """A licence or insurance policy with its expiry date (a dispatch gate)."""

    __tablename__ = "provider_credentials"

    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True, ondelete="CASCADE")
    kind: CredentialKind = Field(sa_type=enum_type(CredentialKind))
    number: str = Field(default="", max_length=80)
    issuer: str = Field(default="", max_length=120)
    expires_on: date
    verified_at: datetime | None = None


class ProviderLocation(TenantScoped, CreatedMixin, table=True):
    """One GPS fix from a provider's phone, kept for a bounded time for tracking and audits."""

    __tablename__ = "provider_locations"
    __table_args__ = (
        sa.Index("ix_provider_locations_provider_time", "provider_id", "recorded_at"),
    )

    # The trail is read by provider only; no index on tenant_id for every point (migration 0008).
    tenant_id: uuid.UUID = tenant_fk(index=False)
    provider_id: uuid.UUID = Field(foreign_key="providers.id", ondelete="CASCADE")
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", ondelete="SET NULL"
    )
    lat: float
    lng: float
    accuracy_m: float | None = None
    heading_deg: float | None = None
    recorded_at: datetime
