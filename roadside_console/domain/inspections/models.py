"""What providers notice on a vehicle (observations) and formal inspection reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field

from roadside_console.domain.core.tables import (
    CreatedMixin,
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
)


class Severity(StrEnum):
    """How urgent an observation is."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class FollowUpStatus(StrEnum):
    """Sales follow-up on an observation."""

    OPEN = "open"
    CONTACTED = "contacted"
    SCHEDULED = "scheduled"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Observation(TenantScoped, TimestampsMixin, table=True):
    """Something a provider saw on the vehicle (worn tyres, battery corrosion, ...)."""

    __tablename__ = "observations"

    booking_id: uuid.UUID = Field(foreign_key="bookings.id", index=True, ondelete="CASCADE")
    provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="SET NULL"
    )
    vehicle_id: uuid.UUID | None = Field(
        default=None, foreign_key="vehicles.id", ondelete="SET NULL"
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    severity: Severity = Field(default=Severity.INFO, sa_type=enum_type(Severity))
    follow_up_status: FollowUpStatus = Field(
        default=FollowUpStatus.OPEN, sa_type=enum_type(FollowUpStatus)
    )


class InspectionReport(TenantScoped, CreatedMixin, table=True):
    """A checklist-based inspection (diagnostics jobs), rendered to PDF for the customer."""

    __tablename__ = "inspection_reports"

    booking_id: uuid.UUID = Field(foreign_key="bookings.id", index=True, ondelete="CASCADE")
    provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="SET NULL"
    )
    vehicle_id: uuid.UUID | None = Field(
        default=None, foreign_key="vehicles.id", ondelete="SET NULL"
    )
    summary: str = Field(default="", max_length=4000)
    items: list[dict[str, Any]] = json_field(default_factory=list)
    sent_at: datetime | None = None
