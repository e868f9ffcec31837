"""What providers earn: per-job payouts, clawbacks, bonuses, batches and commission rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import (
    CreatedMixin,
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
)


class PayoutKind(StrEnum):
    """Earning for a job, negative clawback after a refund, or a referral bonus."""

    EARNING = "earning"
    CLAWBACK = "clawback"
    BONUS = "bonus"


class PayoutStatus(StrEnum):
    """Pending until a batch pays it; held while a dispute is open."""

    PENDING = "pending"
    HELD = "held"
    PAID = "paid"
    CANCELLED = "cancelled"


class ProviderPayout(TenantScoped, CreatedMixin, table=True):
    """One line a provider is owed (or owes back); an earning exists once per booking."""

    __tablename__ = "provider_payouts"
    __table_args__ = (
        sa.Index("ix_provider_payouts_provider_status", "provider_id", "status"),
        sa.Index("ix_provider_payouts_tenant_status", "tenant_id", "status"),
        sa.Index(
            "uq_provider_payouts_earning_per_booking",
            "booking_id",
            unique=True,
            sqlite_where=sa.text("kind = 'earning'"),
            postgresql_where=sa.text("kind = 'earning'"),
        ),
    )

    provider_id: uuid.UUID = Field(foreign_key="providers.id", ondelete="CASCADE")
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", ondelete="SET NULL"
    )
    kind: PayoutKind = Field(default=PayoutKind.EARNING, sa_type=enum_type(PayoutKind))
    status: PayoutStatus = Field(default=PayoutStatus.PENDING, sa_type=enum_type(PayoutStatus))
    amount_cents: int
    gross_cents: int = 0
    platform_fee_cents: int = 0
    commission: dict[str, Any] = json_field()
    batch_id: uuid.UUID | None = Field(
        default=None, foreign_key="payout_batches.id", index=True, ondelete="SET NULL"
    )
    paid_at: datetime | None = None


class PayoutBatchStatus(StrEnum):
    """A batch is drafted, then completed in one transaction."""

    DRAFT = "draft"
    COMPLETED = "completed"


class PayoutBatch(TenantScoped, CreatedMixin, table=True):
    """One payout run by finance, exported as a bank-transfer file."""

    __tablename__ = "payout_batches"

    period_start: date | None = None
    period_end: date | None = None
    status: PayoutBatchStatus = Field(
        default=PayoutBatchStatus.DRAFT, sa_type=enum_type(PayoutBatchStatus)
    )
    total_cents: int = Field(default=0, sa_type=sa.BigInteger)
    provider_count: int = 0
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    completed_at: datetime | None = None


class CommissionScope(StrEnum):
    """How specific a commission rule is; the most specific match wins."""

    GLOBAL = "global"
    SERVICE = "service"
    PROVIDER = "provider"
    ACCOUNT = "account"


class CommissionRule(TenantScoped, TimestampsMixin, table=True):
    """A provider share (bp) or flat fee that applies at a scope."""

    __tablename__ = "commission_rules"
    __table_args__ = (
        sa.CheckConstraint(
            "provider_share_bp IS NULL OR provider_share_bp BETWEEN 0 AND 10000",
            name="ck_commission_rules_share",
        ),
    )

    scope: CommissionScope = Field(sa_type=enum_type(CommissionScope))
    service_id: uuid.UUID | None = Field(
        default=None, foreign_key="services.id", ondelete="CASCADE"
    )
    provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="CASCADE"
    )
    b2b_account_id: uuid.UUID | None = Field(
        default=None, foreign_key="b2b_accounts.id", ondelete="CASCADE"
    )
    provider_share_bp: int | None = None
    flat_fee_cents: int | None = None
    priority: int = 0
    active: bool = True
