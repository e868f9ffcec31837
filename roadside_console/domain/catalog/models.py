"""The service catalog an operator sells (jump start, towing, diagnostics tiers, ...)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import TenantScoped, TimestampsMixin, enum_type


class ServiceCategory(StrEnum):
    """Broad kind of work; providers list the categories they do."""

    ROADSIDE = "roadside"
    DIAGNOSTICS = "diagnostics"


class SchedulingMode(StrEnum):
    """Whether a service can be booked for now, for later, or both."""

    IMMEDIATE = "immediate"
    SCHEDULED = "scheduled"
    BOTH = "both"


class Service(TenantScoped, TimestampsMixin, table=True):
    """One sellable service with its base price and mileage pricing."""

    __tablename__ = "services"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "slug", name="uq_services_tenant_slug"),
        sa.CheckConstraint("base_price_cents >= 0", name="ck_services_base_price"),
        sa.CheckConstraint("per_mile_cents >= 0", name="ck_services_per_mile"),
        sa.CheckConstraint("included_miles >= 0", name="ck_services_included_miles"),
    )

    name: str = Field(max_length=120)
    slug: str = Field(max_length=64)
    description: str = Field(default="", max_length=2000)
    category: ServiceCategory = Field(sa_type=enum_type(ServiceCategory))
    base_price_cents: int
    per_mile_cents: int = 0
    included_miles: int = 0
    platform_cut_bp: int | None = None
    scheduling_mode: SchedulingMode = Field(
        default=SchedulingMode.BOTH, sa_type=enum_type(SchedulingMode)
    )
    active: bool = True
    sort_order: int = 0
