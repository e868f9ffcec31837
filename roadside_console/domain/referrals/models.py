"""Referrals between customers (and between providers) and the credits they earn."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import CreatedMixin, TenantScoped, enum_type


class ReferralKind(StrEnum):
    """Who referred whom."""

    CUSTOMER = "customer"
    PROVIDER = "provider"


class ReferralStatus(StrEnum):
    """A referral pays out once, after the referee's first completed, paid job."""

    PENDING = "pending"
    REWARDED = "rewarded"
    VOID = "void"


class Referral(TenantScoped, CreatedMixin, table=True):
    """A code applied by a referee; each person can be referred once."""

    __tablename__ = "referrals"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "referee_id", name="uq_referrals_referee"),
        sa.Index("ix_referrals_referrer", "referrer_id", "created_at"),
    )

    kind: ReferralKind = Field(sa_type=enum_type(ReferralKind))
    referrer_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    referee_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    code: str = Field(max_length=16)
    status: ReferralStatus = Field(
        default=ReferralStatus.PENDING, sa_type=enum_type(ReferralStatus)
    )
    rewarded_at: datetime | None = None


class CreditReason(StrEnum):
    """Why a customer's credit balance moved."""

    REFERRAL_REWARD = "referral_reward"
    SPENT = "spent"
    RETURNED = "returned"
    ADJUSTMENT = "adjustment"


class CreditEntry(TenantScoped, CreatedMixin, table=True):
    """A signed change to a customer's credit balance; the balance is their sum."""

    __tablename__ = "credit_entries"
    __table_args__ = (sa.Index("ix_credit_entries_user", "user_id", "created_at"),)

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    amount_cents: int
    reason: CreditReason = Field(sa_type=enum_type(CreditReason))
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", ondelete="SET NULL"
    )
    referral_id: uuid.UUID | None = Field(
        default=None, foreign_key="referrals.id", ondelete="SET NULL"
    )
