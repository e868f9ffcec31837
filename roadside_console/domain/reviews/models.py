"""Customer reviews of completed jobs (one per booking, 1–5 stars)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.tables import TenantScoped, TimestampsMixin


class Review(TenantScoped, TimestampsMixin, table=True):
    """A customer's rating of the provider who did the job."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.UniqueConstraint("booking_id", name="uq_reviews_booking"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
    )

    booking_id: uuid.UUID = Field(foreign_key="bookings.id", ondelete="CASCADE")
    provider_id: uuid.UUID = Field(foreign_key="providers.id", index=True, ondelete="CASCADE")
    customer_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    rating: int
    comment: str | None = Field(default=None, max_length=2000)
