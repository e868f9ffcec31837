"""The delivery use case: claim a batch, send each message outside the transaction, record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from roadside_console.domain.notifications.delivery import MAX_ATTEMPTS
from roadside_console.domain.notifications.models import Channel, OutboxMessage, OutboxStatus
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.domain.notifications.service import (
    PermanentDeliveryError,
    deliver_due_messages,
)
from tests.factories import make_tenant
from tests.notifications.fakes import CollectingSender, FailingSender

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _queue(session, n: int = 1, *, channel: Channel = Channel.SMS) -> list[OutboxMessage]:
    tenant = make_tenant(session)
    messages = [
        queue_message(
            session,
            tenant_id=tenant.id,
            channel=channel,
            topic="booking_confirmed",
            recipient=f"+1404555{i:04d}",
            body=f"Your booking {i} is confirmed",
            now=NOW,
        )
        for i in range(n)
    ]
    session.commit()
    return messages


def _row(session, message: OutboxMessage) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message.id)


def test_due_messages_go_to_the_sender_of_their_channel_and_are_marked_sent(session, uow_factory):
    # given
    messages = _queue(session, 3)
    sms = CollectingSender()

    # when
    report = deliver_due_messages(uow_factory, senders={Channel.SMS: sms}, now=NOW, worker_id="w1")

    # then
    assert report.sent == report.claimed == 3
    assert [m.body for m in sms.sent] == [m.body for m in messages]
    assert {_row(session, m).status for m in messages} == {OutboxStatus.SENT}


def test_a_failing_sender_leaves_the_message_failed_with_backoff_and_the_error(
    session, uow_factory
):
    # given
    [message] = _queue(session)
    failing = FailingSender(ConnectionError("connection refused"))

    # when
    report = deliver_due_messages(
        uow_factory, senders={Channel.SMS: failing}, now=NOW, worker_id="w1"
    )

    # then
    row = _row(session, message)
    assert report.retrying == 1
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 1
    assert row.last_error == "ConnectionError: connection refused"
    assert NOW + timedelta(seconds=20) <= row.next_attempt_at < NOW + timedelta(seconds=25)


def test_a_message_that_keeps_failing_is_dead_after_the_last_attempt(session, uow_factory):
    # given
    [message] = _queue(session)
    failing = FailingSender(TimeoutError("smtp timed out"))
    now = NOW

    # when
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_due_messages(uow_factory, senders={Channel.SMS: failing}, now=now, worker_id="w1")
        now += timedelta(hours=2)

    # then
    row = _row(session, message)
    assert failing.calls == MAX_ATTEMPTS
    assert row.status == OutboxStatus.DEAD
    assert row.attempts == MAX_ATTEMPTS
    assert row.last_error == "TimeoutError: smtp timed out"


def test_a_permanent_error_makes_the_message_dead_without_retries(session, uow_factory):
    # given
    [message] = _queue(session)
    failing = FailingSender(PermanentDeliveryError("not a mobile number"))

    # when
    report = deliver_due_messages(
        uow_factory, senders={Channel.SMS: failing}, now=NOW, worker_id="w1"
    )

    # then
    assert report.dead == 1
    assert _row(session, message).status == OutboxStatus.DEAD


def test_a_channel_without_a_sender_is_a_retryable_failure(session, uow_factory):
    # given
    [message] = _queue(session, channel=Channel.WEBHOOK)

    # when
    deliver_due_messages(uow_factory, senders={}, now=NOW, worker_id="w1")

    # then
    row = _row(session, message)
    assert row.status == OutboxStatus.FAILED
    assert "no sender configured for channel 'webhook'" in (row.last_error or "")


def test_when_the_lease_is_nearly_used_up_the_rest_of_the_batch_is_given_back(session, uow_factory):
    # given: every send seems to take 20 seconds
    messages = _queue(session, 4)
    sms = CollectingSender()
    ticks = count(step=20)

    # when
    report = deliver_due_messages(
        uow_factory,
        senders={Channel.SMS: sms},
        now=NOW,
        worker_id="w1",
        monotonic=lambda: float(next(ticks)),
    )

    # then: sent while at least 25 s of the 60 s lease were left, the rest released untried
    rows = [_row(session, m) for m in messages]
    assert report.sent == len(sms.sent) >= 1
    assert report.released == len(messages) - report.sent
    assert report.has_more
    released = [r for r in rows if r.status == OutboxStatus.PENDING]
    assert released
    assert all(
        r.attempts == 0 and r.next_attempt_at <= NOW + timedelta(minutes=5) for r in released
    )
