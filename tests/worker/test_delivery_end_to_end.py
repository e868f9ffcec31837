"""The worker delivers committed outbox rows through real adapters, exactly once per success."""

from __future__ import annotations

from datetime import timedelta

from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.notifications.models import Channel, OutboxMessage, OutboxStatus
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.integrations.email import SmtpEmailSender
from roadside_console.worker.jobs import EVERY_POLL, DeliverOutbox, Job
from roadside_console.worker.runner import Scheduler, run_once
from tests.notifications.fakes import CollectingSender, FailingSender


def _queue(db, *, channel=Channel.EMAIL, recipient="driver@example.com", now=None) -> OutboxMessage:
    with db.uow_factory()() as uow:
        message = queue_message(
            uow.session,
            tenant_id=db.tenant.id,
            channel=channel,
            topic="booking_confirmed",
            recipient=recipient,
            subject="Booking confirmed",
            body="A tow truck is on its way.",
            now=now,
        )
        uow.commit()
    return message


def _row(db, message: OutboxMessage) -> OutboxMessage:
    with db.session() as session:
        return session.get(OutboxMessage, message.id)


def _scheduler(db, senders) -> Scheduler:
    job = Job("deliver_outbox", EVERY_POLL, DeliverOutbox(senders, worker_id="test-worker"))
    return Scheduler([job], uow_factory=db.uow_factory())


def test_an_email_queued_in_a_use_case_reaches_a_real_smtp_server(committed_db, smtp_sink):
    # given
    recipient = f"driver-{committed_db.tenant.slug}@example.com"
    message = _queue(committed_db, recipient=recipient)
    smtp = SmtpEmailSender(host=smtp_sink.host, port=smtp_sink.port)

    # when
    report = run_once(scheduler=_scheduler(committed_db, {Channel.EMAIL: smtp}))

    # then
    assert report.ok
    [email] = smtp_sink.to(recipient)
    assert email["Subject"] == "Booking confirmed"
    assert email["To"] == recipient
    assert email.get_content().strip() == "A tow truck is on its way."
    row = _row(committed_db, message)
    assert row.status == OutboxStatus.SENT
    assert row.sent_at is not None


def test_a_message_is_not_delivered_twice_across_two_passes(committed_db):
    # given
    message = _queue(committed_db, channel=Channel.SMS, recipient="+14045550123")
    sms = CollectingSender()
    scheduler = _scheduler(committed_db, {Channel.SMS: sms})

    # when
    first = run_once(scheduler=scheduler)
    second = run_once(utc_now() + timedelta(hours=2), scheduler=scheduler)

    # then
    assert first.ok and second.ok
    assert [m.id for m in sms.sent].count(message.id) == 1
    assert _row(committed_db, message).attempts == 1


def test_a_failed_delivery_is_retried_by_a_later_pass_once_its_backoff_is_over(committed_db):
    # given
    message = _queue(committed_db, channel=Channel.SMS, recipient="+14045550124")
    now = utc_now()
    run_once(now, scheduler=_scheduler(committed_db, {Channel.SMS: FailingSender(OSError("down"))}))
    sms = CollectingSender()
    scheduler = _scheduler(committed_db, {Channel.SMS: sms})

    # when
    run_once(now + timedelta(seconds=5), scheduler=scheduler)
    sent_too_early = [m.id for m in sms.sent]
    run_once(now + timedelta(seconds=30), scheduler=scheduler)

    # then
    assert message.id not in sent_too_early
    assert [m.id for m in sms.sent] == [message.id]
    row = _row(committed_db, message)
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 2
