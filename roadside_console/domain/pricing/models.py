"""Time blocks (incl. storm templates) and stored price quotes (the price lock)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import (
    CreatedMixin,
    TenantScoped,
    TimestampsMixin,
    json_field,
)

STORM_PRIORITY_FLOOR = 100


class TimeBlock(TenantScoped, TimestampsMixin, table=True):
    """A multiplier for an hour range in the tenant's time zone; priority ≥ 100 is storm mode."""

    __tablename__ = "time_blocks"
    __table_args__ = (
        sa.CheckConstraint("start_hour BETWEEN 0 AND 23", name="ck_time_blocks_start"),
        sa.CheckConstraint("end_hour BETWEEN 0 AND 24", name="ck_time_blocks_end"),
        sa.CheckConstraint("multiplier_bp > 0", name="ck_time_blocks_multiplier"),
        sa.Index("ix_time_blocks_tenant_active", "tenant_id", "active"),
    )

    name: str = Field(max_length=80)
    start_hour: int
    end_hour: int
    multiplier_bp: int = 10000
    priority: int = 0
    active: bool = True


class PriceQuote(TenantScoped, CreatedMixin, table=True):
    """An estimate with an id: a booking made with it pays exactly `total_cents` until expiry."""

    __tablename__ = "price_quotes"

    service_id: uuid.UUID = Field(foreign_key="services.id", ondelete="CASCADE")
    customer_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    b2b_account_id: uuid.UUID | None = Field(
        default=None, foreign_key="b2b_accounts.id", ondelete="SET NULL"
    )
    request: dict[str, Any] = json_field()
    breakdown: list[dict[str, Any]] = json_field(default_factory=list)
    total_cents: int
    expires_at: datetime
    used_at: datetime | None = None
