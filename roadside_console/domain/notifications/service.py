"""Delivering the outbox: the port senders implement and the use case the worker runs.

Senders (SMTP, Twilio, recording defaults, ...) live in `roadside_console.integrations` and
implement `Sender`; the domain only knows this protocol, never smtplib or twilio.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.notifications.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    claim_due_messages,
    mark_failed,
    mark_sent,
    release_claim,
)
from roadside_console.domain.notifications.models import Channel, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]
Monotonic = Callable[[], float]

BATCH_SIZE = 20
# Start a send only while this much of the lease is left: a send that times out (adapters use
# timeouts well below this) still finishes before another worker may re-claim the row.
SEND_BUDGET = timedelta(seconds=25)


@dataclass(frozen=True)
class OutgoingMessage:
    """What a sender needs to deliver one outbox row (a snapshot, not the ORM row)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    channel: Channel
    topic: str
    recipient: str
    body: str
    subject: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    attempt: int = 1

    @classmethod
    def of(cls, row: OutboxMessage) -> OutgoingMessage:
        """Snapshot a claimed row."""
        return cls(
            id=row.id,
            tenant_id=row.tenant_id,
            channel=Channel(row.channel),
            topic=row.topic,
            recipient=row.recipient,
            body=row.body,
            subject=row.subject,
            payload=dict(row.payload or {}),
            attempt=row.attempts,
        )


class Sender(Protocol):
    """Deliver one message over one channel, or raise.

    Raise `PermanentDeliveryError` when retrying cannot help (e.g. an invalid phone number);
    any other exception is retried with backoff.
    """

    def send(self, message: OutgoingMessage) -> str | None:
        """Deliver `message`; return the provider's message id if it gives one."""
        ...


class PermanentDeliveryError(Exception):
    """A delivery failure that no retry can fix: the message goes straight to `dead`."""


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    released: int = 0
    lost: int = 0
    batch_size: int = BATCH_SIZE

    @property
    def has_more(self) -> bool:
        """Tell whether a full batch was claimed, so more rows are probably due already."""
        return self.claimed >= self.batch_size or self.released > 0


def deliver_due_messages(
    uow_factory: UowFactory,
    *,
    senders: Mapping[Channel, Sender],
    now: datetime,
    worker_id: str,
    batch_size: int = BATCH_SIZE,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
    monotonic: Monotonic = time.monotonic,
) -> DeliveryReport:
    """Claim a batch of due messages, deliver each outside any transaction, record outcomes.

    Times recorded after a send are `now` plus the time elapsed since the claim, so a run with
    a fixed `now` (tests, replays) stays deterministic while real runs record real times.
    """
    delivery = _DeliveryPass(
        uow_factory=uow_factory,
        senders=senders,
        now=now,
        worker_id=worker_id,
        max_attempts=max_attempts,
        monotonic=monotonic,
        started=monotonic(),
        report=DeliveryReport(batch_size=batch_size),
    )
    with uow_factory() as uow:
        rows = claim_due_messages(
            uow.session,
            now=now,
            limit=batch_size,
            worker_id=worker_id,
            lease=lease,
            max_attempts=max_attempts,
        )
        claimed = [OutgoingMessage.of(row) for row in rows]
        uow.commit()
    delivery.report.claimed = len(claimed)

    for index, message in enumerate(claimed):
        if lease - (delivery.clock() - now) < SEND_BUDGET:
            delivery.release(claimed[index:])
            break
        delivery.deliver(message)
    return delivery.report


@dataclass
class _DeliveryPass:
    uow_factory: UowFactory
    senders: Mapping[Channel, Sender]
    now: datetime
    worker_id: str
    max_attempts: int
    monotonic: Monotonic
    started: float
    report: DeliveryReport

    def clock(self) -> datetime:
        return self.now + timedelta(seconds=self.monotonic() - self.started)

    def deliver(self, message: OutgoingMessage) -> None:
        log_fields = {
            "worker_id": self.worker_id,
            "message_id": str(message.id),
            "tenant_id": str(message.tenant_id),
            "channel": message.channel.value,
            "topic": message.topic,
            "attempt": message.attempt,
        }
        error, permanent, provider_id = self._send(message)
        with self.uow_factory() as uow:
            if error is None:
                sent = mark_sent(
                    uow.session, message_id=message.id, attempt=message.attempt, now=self.clock()
                )
                status: OutboxStatus | None = OutboxStatus.SENT if sent else None
            else:
                status = mark_failed(
                    uow.session,
                    message_id=message.id,
                    attempt=message.attempt,
                    now=self.clock(),
                    error=error,
                    permanent=permanent,
                    max_attempts=self.max_attempts,
                )
            uow.commit()

        report = self.report
        if status is None:
            report.lost += 1
            logger.warning("outbox claim lost before the outcome was recorded", extra=log_fields)
        elif status is OutboxStatus.SENT:
            report.sent += 1
            logger.info("outbox message sent", extra={**log_fields, "provider_id": provider_id})
        elif status is OutboxStatus.DEAD:
            report.dead += 1
            logger.error("outbox message dead", extra={**log_fields, "error": error})
        else:
            report.retrying += 1
            logger.warning(
                "outbox message failed; will retry", extra={**log_fields, "error": error}
            )

    def _send(self, message: OutgoingMessage) -> tuple[str | None, bool, str | None]:
        """Return (error, permanent, provider id); error is None on success."""
        sender = self.senders.get(message.channel)
        if sender is None:
            return f"no sender configured for channel {message.channel.value!r}", False, None
        try:
            return None, False, sender.send(message)
        except PermanentDeliveryError as exc:
            return f"{type(exc).__name__}: {exc}", True, None
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}", False, None

    def release(self, messages: list[OutgoingMessage]) -> None:
        with self.uow_factory() as uow:
            for message in messages:
                self.report.released += release_claim(
                    uow.session, message_id=message.id, attempt=message.attempt, now=self.clock()
                )
            uow.commit()
        logger.warning(
            "outbox lease nearly used up; released the rest of the batch",
            extra={"worker_id": self.worker_id, "released": len(messages)},
        )
