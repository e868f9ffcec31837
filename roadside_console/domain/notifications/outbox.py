"""Queueing notifications in the use case's own transaction (the transactional outbox).

Nothing is sent here: the worker delivers committed rows, so a rolled-back use case never
texts anyone, and a crash after commit never loses a message.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.notifications.models import Channel, OutboxMessage


def queue_message(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    channel: Channel,
    topic: str,
    recipient: str,
    body: str,
    subject: str | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Add an outbox row that the worker will deliver after commit."""
    message = OutboxMessage(
        tenant_id=tenant_id,
        channel=channel,
        topic=topic,
        recipient=recipient,
        subject=subject,
        body=body,
        payload=payload or {},
        next_attempt_at=now or utc_now(),
    )
    session.add(message)
    return message
