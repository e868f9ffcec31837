"""Double-entry ledger: every money event posts entries that sum to zero."""

from __future__ import annotations

import uuid
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import CreatedMixin, TenantScoped, enum_type


class AccountKind(StrEnum):
    """Accounting nature of a ledger account (sign convention: debit positive)."""

    ASSET = "asset"
    LIABILITY = "liability"
    REVENUE = "revenue"
    EXPENSE = "expense"


class LedgerAccount(TenantScoped, CreatedMixin, table=True):
    """An account in a tenant's books, e.g. `provider_payable:<provider id>`."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "code", name="uq_ledger_accounts_code"),)

    code: str = Field(max_length=80)
    name: str = Field(max_length=200)
    kind: AccountKind = Field(sa_type=enum_type(AccountKind))
    provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="SET NULL"
    )


class LedgerTransaction(TenantScoped, CreatedMixin, table=True):
    """A group of entries posted together for one money event."""

    __tablename__ = "ledger_transactions"

    kind: str = Field(max_length=48)
    description: str = Field(default="", max_length=300)
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", index=True, ondelete="SET NULL"
    )


class LedgerEntry(TenantScoped, CreatedMixin, table=True):
    """One signed amount on one account (debit > 0, credit < 0)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        sa.Index("ix_ledger_entries_account", "account_id"),
        sa.Index("ix_ledger_entries_transaction", "transaction_id"),
    )

    transaction_id: uuid.UUID = Field(foreign_key="ledger_transactions.id", ondelete="CASCADE")
    account_id: uuid.UUID = Field(foreign_key="ledger_accounts.id", ondelete="RESTRICT")
    amount_cents: int = Field(sa_type=sa.BigInteger)  # batch settlements can pass $21M
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", ondelete="SET NULL"
    )
