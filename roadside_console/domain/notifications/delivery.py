"""Outbox row life cycle for the worker: claim due rows under a lease, then record the outcome.

Delivery is split into short transactions so no transaction stays open during network I/O:

1. `claim_due_messages` takes due rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent
   workers never take the same row), pushes their `next_attempt_at` one lease ahead and counts
   the attempt; the caller commits at once.
2. The caller delivers outside any transaction.
3. `mark_sent` / `mark_failed` / `release_claim` record the outcome in a second short
   transaction. Each only touches the row if `attempts` still equals the claimed attempt: the
   attempt number is the lease's fencing token, so a worker whose lease ran out (and whose row
   another worker re-claimed) cannot overwrite the newer attempt's result.

Delivery is at-least-once: a worker that dies after sending but before recording re-sends the
message once the lease expires.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from roadside_console.domain.notifications.models import OutboxMessage, OutboxStatus

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_CAP = timedelta(hours=1)
ERROR_MAX_CHARS = 2000
DUE_STATUSES = (OutboxStatus.PENDING, OutboxStatus.FAILED)
LEASE_LOST_ERROR = "no outcome recorded for the last attempt (the worker lost its lease)"


def backoff_delay(attempts: int) -> timedelta:
    """Wait `2**attempts * 10 s`, at most one hour, before the next attempt."""
    if attempts >= 20:  # 2**20 * 10 s is far past the cap; avoid huge intermediate numbers
        return BACKOFF_CAP
    return min(BACKOFF_BASE * (2**attempts), BACKOFF_CAP)


def truncate_error(error: str) -> str:
    """Keep an error message within the `last_error` column."""
    error = error.strip() or "unknown error"
    if len(error) <= ERROR_MAX_CHARS:
        return error
    return error[: ERROR_MAX_CHARS - 1] + "…"


def claim_due_messages(
    session: Session,
    *,
    now: datetime,
    limit: int,
    worker_id: str,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[OutboxMessage]:
    """Lease up to `limit` due rows to this worker; the caller commits right away.

    Due rows are `pending` or `failed` with `next_attempt_at <= now`, oldest first. A due row
    that already used its last attempt (its worker died holding the lease) becomes `dead`
    instead of being claimed. The returned rows carry the incremented `attempts`, which is the
    token to pass to `mark_sent` / `mark_failed` / `release_claim`. `worker_id` names the
    claimer in logs and errors only (the table has no column for it).
    """
    if limit <= 0:
        return []
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_(DUE_STATUSES),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.created_at))
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Rows another worker is claiming right now are skipped, not waited for.
        query = query.with_for_update(skip_locked=True)
    # On SQLite the claim transaction starts with BEGIN IMMEDIATE (see core.db): one writer at a
    # time, so a plain select followed by the update below is already exclusive.
    rows = list(session.exec(query).all())

    claimed: list[OutboxMessage] = []
    for message in rows:
        if message.attempts >= max_attempts:
            message.status = OutboxStatus.DEAD
            message.last_error = truncate_error(f"{LEASE_LOST_ERROR}; last claimed by {worker_id}")
            continue
        message.attempts += 1
        message.next_attempt_at = now + lease
        claimed.append(message)
    session.flush()
    return claimed


def _still_claimed(message_id: uuid.UUID, attempt: int) -> list[sa.ColumnElement[bool]]:
    return [
        OutboxMessage.id == message_id,
        OutboxMessage.attempts == attempt,
        col(OutboxMessage.status).in_(DUE_STATUSES),
    ]


def mark_sent(session: Session, *, message_id: uuid.UUID, attempt: int, now: datetime) -> bool:
    """Record a successful delivery; return False if the claim was lost meanwhile."""
    result = session.exec(
        sa.update(OutboxMessage)
        .where(*_still_claimed(message_id, attempt))
        .values(status=OutboxStatus.SENT, sent_at=now, last_error=None)
    )
    return result.rowcount == 1


def mark_failed(
    session: Session,
    *,
    message_id: uuid.UUID,
    attempt: int,
    now: datetime,
    error: str,
    permanent: bool = False,
    max_attempts: int = MAX_ATTEMPTS,
) -> OutboxStatus | None:
    """Record a failed attempt: retry later with backoff, or `dead` when no retry is left.

    Returns the new status, or None if the claim was lost meanwhile (nothing is changed).
    """
    dead = permanent or attempt >= max_attempts
    status = OutboxStatus.DEAD if dead else OutboxStatus.FAILED
    values: dict[str, object] = {"status": status, "last_error": truncate_error(error)}
    if not dead:
        values["next_attempt_at"] = now + backoff_delay(attempt)
    result = session.exec(
        sa.update(OutboxMessage).where(*_still_claimed(message_id, attempt)).values(**values)
    )
    return status if result.rowcount == 1 else None


def release_claim(session: Session, *, message_id: uuid.UUID, attempt: int, now: datetime) -> bool:
    """Give a claimed row back untried (e.g. the lease is about to run out or the worker stops).

    The attempt is not counted and the row is due again at once.
    """
    result = session.exec(
        sa.update(OutboxMessage)
        .where(*_still_claimed(message_id, attempt))
        .values(attempts=attempt - 1, next_attempt_at=now)
    )
    return result.rowcount == 1
