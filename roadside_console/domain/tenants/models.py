"""Tenants (operators sharing one deployment) and their business settings."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import IdMixin, TimestampsMixin, json_field, tenant_fk
from roadside_console.domain.dispatch.rules import DEFAULT_B2B_WEIGHTS, DEFAULT_WEIGHTS


class Tenant(IdMixin, TimestampsMixin, table=True):
    """An operator: every business row belongs to exactly one."""

    __tablename__ = "tenants"

    name: str = Field(max_length=200)
    slug: str = Field(max_length=64, unique=True)
    timezone: str = Field(default="America/New_York", max_length=64)
    currency: str = Field(default="USD", max_length=3)
    active: bool = True


class TenantSettings(IdMixin, TimestampsMixin, table=True):
    """Tunable business rules of one tenant (pricing, dispatch, trust, referrals).

    Typed columns rather than a JSON bag, so each value is validated and migrated like data.
    """

    __tablename__ = "tenant_settings"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", name="uq_tenant_settings_tenant"),
        sa.CheckConstraint("offer_timeout_seconds > 0", name="ck_settings_offer_timeout"),
        sa.CheckConstraint("max_dispatch_attempts > 0", name="ck_settings_attempts"),
        sa.CheckConstraint("max_concurrent_jobs > 0", name="ck_settings_concurrent"),
        sa.CheckConstraint("dispatch_radius_miles > 0", name="ck_settings_radius"),
        sa.CheckConstraint(
            "trust_promotion_threshold BETWEEN 1 AND 100", name="ck_settings_trust_threshold"
        ),
    )

    tenant_id: uuid.UUID = tenant_fk()
    cancellation_fee_cents: int = 2500
    price_cap_bp: int = 30000
    quote_ttl_minutes: int = 15
    min_schedule_lead_minutes: int = 120
    scarcity_enabled: bool = True
    scarcity_min_providers: int = 3
    scarcity_step_bp: int = 500
    scarcity_max_bp: int = 1500
    trust_promotion_threshold: int = 3
    dispatch_radius_miles: int = 50
    dispatch_expanded_radius_miles: int = 100
    offer_timeout_seconds: int = 60
    max_dispatch_attempts: int = 3
    max_concurrent_jobs: int = 3
    location_fresh_seconds: int = 300
    dispatch_weights: dict[str, int] = json_field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    b2b_dispatch_weights: dict[str, int] = json_field(
        default_factory=lambda: dict(DEFAULT_B2B_WEIGHTS)
    )
    default_provider_share_bp: int = 7000
    referral_reward_cents: int = 1000
    provider_referral_bonus_cents: int = 5000
    updated_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
