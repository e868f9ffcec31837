"""Business customers (fleets, motor clubs, dealers) and their negotiated contracts."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import (
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
)


class AccountStatus(StrEnum):
    """Whether an account may book."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class B2BAccount(TenantScoped, TimestampsMixin, table=True):
    """A company that books on account and is invoiced monthly."""

    __tablename__ = "b2b_accounts"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_b2b_accounts_name"),)

    name: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=200)
    billing_email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    payment_terms_days: int = 30
    status: AccountStatus = Field(default=AccountStatus.ACTIVE, sa_type=enum_type(AccountStatus))


class B2BContract(TenantScoped, TimestampsMixin, table=True):
    """Prices an account pays: fixed prices per service and/or a percentage discount."""

    __tablename__ = "b2b_contracts"
    __table_args__ = (
        sa.CheckConstraint("discount_bp BETWEEN 0 AND 10000", name="ck_b2b_contracts_discount"),
    )

    account_id: uuid.UUID = Field(foreign_key="b2b_accounts.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date | None = None
    discount_bp: int = 0
    service_prices: dict[str, int] = json_field()
    active: bool = True
