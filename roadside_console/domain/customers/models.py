"""Customers' vehicles (a customer is a `User` with the customer role)."""

from __future__ import annotations

import uuid

from sqlmodel import Field

from roadside_console.domain.core.tables import TenantScoped, TimestampsMixin


class Vehicle(TenantScoped, TimestampsMixin, table=True):
    """A car or truck we serve, owned by a customer or a B2B fleet."""

    __tablename__ = "vehicles"

    owner_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    b2b_account_id: uuid.UUID | None = Field(
        default=None, foreign_key="b2b_accounts.id", index=True, ondelete="SET NULL"
    )
    year: int | None = None
    make: str = Field(default="", max_length=60)
    model: str = Field(default="", max_length=60)
    color: str = Field(default="", max_length=30)
    plate: str = Field(default="", max_length=16, index=True)
    vin: str = Field(default="", max_length=17)

    @property
    def label(self) -> str:
        """Human description, e.g. "2019 Honda Civic (Blue)"."""
        base = " ".join(str(p) for p in (self.year, self.make, self.model) if p)
        return f"{base} ({self.color})" if self.color else base
