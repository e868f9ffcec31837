"""Real adapters are used only when configured; otherwise every channel records."""

from __future__ import annotations

import logging
import uuid

from roadside_console.domain.core.settings import Settings
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import OutgoingMessage
from roadside_console.integrations.email import SmtpEmailSender
from roadside_console.integrations.recording import RecordingSender
from roadside_console.integrations.senders import build_senders
from roadside_console.integrations.sms import TwilioSmsSender


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_without_keys_every_channel_gets_the_recording_sender():
    # given
    settings = _settings()

    # when
    senders = build_senders(settings)

    # then
    assert set(senders) == set(Channel)
    assert all(isinstance(s, RecordingSender) for s in senders.values())


def test_configured_smtp_and_twilio_get_the_real_adapters():
    # given
    settings = _settings(
        smtp_host="mail.example.com",
        smtp_port=587,
        smtp_starttls=True,
        twilio_account_sid="AC" + "1" * 32,
        twilio_auth_token="token",
        twilio_from_number="+14045550100",
    )

    # when
    senders = build_senders(settings)

    # then
    email, sms = senders[Channel.EMAIL], senders[Channel.SMS]
    assert isinstance(email, SmtpEmailSender)
    assert (email.host, email.port, email.starttls) == ("mail.example.com", 587, True)
    assert isinstance(sms, TwilioSmsSender)
    assert isinstance(senders[Channel.PUSH], RecordingSender)
    assert isinstance(senders[Channel.WEBHOOK], RecordingSender)


def test_a_partial_twilio_configuration_still_records():
    # given
    settings = _settings(twilio_account_sid="AC" + "1" * 32)

    # when
    senders = build_senders(settings)

    # then
    assert isinstance(senders[Channel.SMS], RecordingSender)


def test_the_recording_sender_logs_the_message_and_counts_it_delivered(caplog):
    # given
    sender = RecordingSender(Channel.SMS)
    message = OutgoingMessage(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        channel=Channel.SMS,
        topic="t",
        recipient="+14045550123",
        body="Hello",
    )

    # when
    with caplog.at_level(logging.INFO, logger="roadside_console.integrations.recording"):
        sender.send(message)

    # then
    [record] = caplog.records
    assert record.recipient == "+14045550123"
    assert record.body == "Hello"
    assert list(sender.delivered) == [message]


def test_in_production_the_recording_sender_keeps_bodies_out_of_the_log(caplog):
    # given
    sender = RecordingSender(Channel.EMAIL, redact_body=True)
    message = OutgoingMessage(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        channel=Channel.EMAIL,
        topic="password_reset",
        recipient="a@example.com",
        body="https://example.com/reset/SECRET",
    )

    # when
    with caplog.at_level(logging.INFO, logger="roadside_console.integrations.recording"):
        sender.send(message)

    # then
    assert "SECRET" not in caplog.text
    assert "SECRET" not in str(caplog.records[0].__dict__)
