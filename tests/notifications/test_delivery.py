"""The outbox row life cycle: claim under a lease, then sent, retried with backoff, or dead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from roadside_console.domain.notifications.delivery import (
    ERROR_MAX_CHARS,
    LEASE,
    MAX_ATTEMPTS,
    backoff_delay,
    claim_due_messages,
    mark_failed,
    mark_sent,
    release_claim,
)
from roadside_console.domain.notifications.models import Channel, OutboxMessage, OutboxStatus
from roadside_console.domain.notifications.outbox import queue_message
from tests.factories import make_tenant

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _queue(
    session: Session, *, at: datetime = NOW, recipient: str = "a@example.com"
) -> OutboxMessage:
    tenant = make_tenant(session)
    message = queue_message(
        session,
        tenant_id=tenant.id,
        channel=Channel.EMAIL,
        topic="test",
        recipient=recipient,
        subject="Hello",
        body="Body",
        now=at,
    )
    session.commit()
    return message


def _reload(session: Session, message: OutboxMessage) -> OutboxMessage:
    session.expire_all()
    row = session.get(OutboxMessage, message.id)
    assert row is not None
    return row


def _claim_one(session: Session, message: OutboxMessage, now: datetime) -> OutboxMessage:
    claimed = [
        m
        for m in claim_due_messages(session, now=now, limit=100, worker_id="w1")
        if m.id == message.id
    ]
    session.commit()
    assert len(claimed) == 1
    return claimed[0]


def test_a_claim_leases_a_due_row_and_counts_the_attempt(session):
    # given
    message = _queue(session)

    # when
    claimed = _claim_one(session, message, NOW)

    # then
    row = _reload(session, claimed)
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + LEASE
    assert row.status == OutboxStatus.PENDING


def test_a_leased_row_is_not_claimed_again_until_the_lease_runs_out(session):
    # given
    message = _queue(session)
    _claim_one(session, message, NOW)

    # when
    during_lease = claim_due_messages(session, now=NOW + LEASE / 2, limit=100, worker_id="w2")
    after_lease = claim_due_messages(session, now=NOW + LEASE, limit=100, worker_id="w2")

    # then
    assert message.id not in {m.id for m in during_lease}
    assert message.id in {m.id for m in after_lease}


def test_future_and_sent_rows_are_not_due(session):
    # given
    later = _queue(session, at=NOW + timedelta(minutes=5))
    sent = _queue(session)
    attempt = _claim_one(session, sent, NOW).attempts
    mark_sent(session, message_id=sent.id, attempt=attempt, now=NOW)
    session.commit()

    # when
    claimed = claim_due_messages(session, now=NOW + timedelta(minutes=2), limit=100, worker_id="w1")

    # then
    assert {later.id, sent.id}.isdisjoint({m.id for m in claimed})


def test_a_successful_delivery_marks_the_row_sent(session):
    # given
    message = _queue(session)
    attempt = _claim_one(session, message, NOW).attempts

    # when
    recorded = mark_sent(
        session, message_id=message.id, attempt=attempt, now=NOW + timedelta(seconds=1)
    )
    session.commit()

    # then
    row = _reload(session, message)
    assert recorded
    assert row.status == OutboxStatus.SENT
    assert row.sent_at == NOW + timedelta(seconds=1)


def test_a_failed_attempt_is_retried_later_with_exponential_backoff(session):
    # given
    message = _queue(session)
    attempt = _claim_one(session, message, NOW).attempts

    # when
    status = mark_failed(session, message_id=message.id, attempt=attempt, now=NOW, error="timeout")
    session.commit()

    # then
    row = _reload(session, message)
    assert status == OutboxStatus.FAILED
    assert row.status == OutboxStatus.FAILED
    assert row.last_error == "timeout"
    assert row.next_attempt_at == NOW + timedelta(seconds=20)


def test_the_backoff_doubles_from_ten_seconds_and_stops_at_one_hour():
    # given / when
    delays = [backoff_delay(n) for n in (0, 1, 2, 3, 8, 9, 30, 1000)]

    # then
    assert [d.total_seconds() for d in delays] == [10, 20, 40, 80, 2560, 3600, 3600, 3600]


def test_a_message_is_dead_once_its_last_attempt_fails(session):
    # given
    message = _queue(session)
    now = NOW

    # when
    statuses = []
    for _ in range(MAX_ATTEMPTS):
        attempt = _claim_one(session, message, now).attempts
        statuses.append(
            mark_failed(session, message_id=message.id, attempt=attempt, now=now, error="down")
        )
        session.commit()
        now = _reload(session, message).next_attempt_at

    # then
    row = _reload(session, message)
    assert statuses == [OutboxStatus.FAILED] * (MAX_ATTEMPTS - 1) + [OutboxStatus.DEAD]
    assert row.status == OutboxStatus.DEAD
    assert row.attempts == MAX_ATTEMPTS
    assert message.id not in {
        m.id
        for m in claim_due_messages(session, now=now + timedelta(days=1), limit=100, worker_id="w1")
    }


def test_a_permanent_failure_is_dead_at_once(session):
    # given
    message = _queue(session)
    attempt = _claim_one(session, message, NOW).attempts

    # when
    status = mark_failed(
        session, message_id=message.id, attempt=attempt, now=NOW, error="bad number", permanent=True
    )
    session.commit()

    # then
    assert status == OutboxStatus.DEAD
    assert _reload(session, message).status == OutboxStatus.DEAD


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_newer_attempt(session):
    # given: worker 1 claims, its lease runs out, worker 2 claims again and delivers
    message = _queue(session)
    first = _claim_one(session, message, NOW).attempts
    second = _claim_one(session, message, NOW + LEASE).attempts
    mark_sent(session, message_id=message.id, attempt=second, now=NOW + LEASE)
    session.commit()

    # when: worker 1 finally reports its failure
    status = mark_failed(
        session, message_id=message.id, attempt=first, now=NOW + LEASE, error="late"
    )
    session.commit()

    # then
    row = _reload(session, message)
    assert status is None
    assert row.status == OutboxStatus.SENT
    assert row.last_error is None


def test_a_row_whose_worker_died_during_the_last_attempt_becomes_dead(session):
    # given: the last attempt was claimed and never reported
    message = _queue(session)
    row = _reload(session, message)
    row.attempts = MAX_ATTEMPTS
    session.add(row)
    session.commit()

    # when
    claimed = claim_due_messages(session, now=NOW, limit=100, worker_id="w9")
    session.commit()

    # then
    row = _reload(session, message)
    assert message.id not in {m.id for m in claimed}
    assert row.status == OutboxStatus.DEAD
    assert "lost its lease" in (row.last_error or "")


def test_a_released_claim_is_due_again_without_using_up_an_attempt(session):
    # given
    message = _queue(session)
    attempt = _claim_one(session, message, NOW).attempts

    # when
    released = release_claim(
        session, message_id=message.id, attempt=attempt, now=NOW + timedelta(seconds=5)
    )
    session.commit()

    # then
    row = _reload(session, message)
    assert released
    assert row.attempts == 0
    assert row.next_attempt_at == NOW + timedelta(seconds=5)


def test_a_long_error_is_truncated_to_fit_the_column(session):
    # given
    message = _queue(session)
    attempt = _claim_one(session, message, NOW).attempts

    # when
    mark_failed(session, message_id=message.id, attempt=attempt, now=NOW, error="x" * 10_000)
    session.commit()

    # then
    error = _reload(session, message).last_error or ""
    assert len(error) == ERROR_MAX_CHARS
    assert error.endswith("…")
