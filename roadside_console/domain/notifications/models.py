"""The outbox (messages to deliver after commit) and web-push subscriptions."""

from __future__ import annotations

import uuid
from datetime import datetime
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


class Channel(StrEnum):
    """Where an outbox message goes."""

    SMS = "sms"
    EMAIL = "email"
    PUSH = "push"
    WEBHOOK = "webhook"


class OutboxStatus(StrEnum):
    """Delivery state; `dead` after the last retry failed."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class OutboxMessage(TenantScoped, CreatedMixin, table=True):
    """A notification written in the use case's transaction and delivered by the worker."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    channel: Channel = Field(sa_type=enum_type(Channel))
    topic: str = Field(max_length=80)
    recipient: str = Field(max_length=500)
    subject: str | None = Field(default=None, max_length=300)
    body: str = Field(default="", max_length=10000)
    payload: dict[str, Any] = json_field()
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=enum_type(OutboxStatus))
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = Field(default=None, max_length=2000)
    sent_at: datetime | None = None


class PushSubscription(TenantScoped, TimestampsMixin, table=True):
    """A browser's Web Push endpoint for a user."""

    __tablename__ = "push_subscriptions"

    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    user_agent: str | None = Field(default=None, max_length=400)
