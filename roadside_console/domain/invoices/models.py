"""Invoices to B2B accounts, with one line per booking or charge."""

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
)


class InvoiceStatus(StrEnum):
    """Draft until issued; then paid or void."""

    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    VOID = "void"


class Invoice(TenantScoped, TimestampsMixin, table=True):
    """A bill for an account and period; totals equal the sum of its lines."""

    __tablename__ = "invoices"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "number", name="uq_invoices_number"),
        sa.Index("ix_invoices_account_period", "account_id", "period_start"),
    )

    account_id: uuid.UUID = Field(foreign_key="b2b_accounts.id", ondelete="RESTRICT")
    number: str = Field(max_length=32)
    period_start: date
    period_end: date
    status: InvoiceStatus = Field(default=InvoiceStatus.DRAFT, sa_type=enum_type(InvoiceStatus))
    subtotal_cents: int = 0
    total_cents: int = 0
    issued_at: datetime | None = None
    due_on: date | None = None
    paid_at: datetime | None = None


class InvoiceLineItem(TenantScoped, CreatedMixin, table=True):
    """One charge on an invoice."""

    __tablename__ = "invoice_line_items"

    invoice_id: uuid.UUID = Field(foreign_key="invoices.id", index=True, ondelete="CASCADE")
    booking_id: uuid.UUID | None = Field(
        default=None, foreign_key="bookings.id", ondelete="SET NULL"
    )
    description: str = Field(max_length=300)
    quantity: int = 1
    unit_price_cents: int
    amount_cents: int
