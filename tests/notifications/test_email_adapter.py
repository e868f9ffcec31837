"""The SMTP adapter against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import uuid

import pytest

from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import OutgoingMessage, PermanentDeliveryError
from roadside_console.integrations.email import DEFAULT_SUBJECT, SmtpEmailSender


def _email(recipient: str = "driver@example.com", **kwargs) -> OutgoingMessage:
    return OutgoingMessage(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        channel=Channel.EMAIL,
        topic="password_reset",
        recipient=recipient,
        body=kwargs.pop("body", "Reset your password: https://example.com/r/abc"),
        **kwargs,
    )


def test_an_email_is_sent_with_its_subject_recipient_body_and_sender(smtp_sink):
    # given
    sender = SmtpEmailSender(
        host=smtp_sink.host, port=smtp_sink.port, from_address="Dispatch <dispatch@tow.example>"
    )
    message = _email(subject="Reset your password")

    # when
    message_id = sender.send(message)

    # then
    [received] = smtp_sink.received
    assert received.mail_from == "dispatch@tow.example"
    assert received.rcpt_tos == ["driver@example.com"]
    assert received.message["Subject"] == "Reset your password"
    assert received.message["To"] == "driver@example.com"
    assert received.message["Message-ID"] == message_id
    assert received.message["X-RoadSide-Outbox-Id"] == str(message.id)
    assert (
        received.message.get_content().strip() == "Reset your password: https://example.com/r/abc"
    )


def test_an_html_version_in_the_payload_becomes_an_alternative_part(smtp_sink):
    # given
    sender = SmtpEmailSender(host=smtp_sink.host, port=smtp_sink.port)

    # when
    sender.send(_email(payload={"html": "<p>Reset</p>"}))

    # then
    [received] = smtp_sink.received
    assert received.message["Subject"] == DEFAULT_SUBJECT
    html = received.message.get_body(preferencelist=("html",))
    assert html is not None and "<p>Reset</p>" in html.get_content()


def test_a_refused_recipient_is_a_permanent_failure(smtp_sink):
    # given
    smtp_sink.refuse.add("gone@example.com")
    sender = SmtpEmailSender(host=smtp_sink.host, port=smtp_sink.port)

    # when / then
    with pytest.raises(PermanentDeliveryError, match="recipient refused"):
        sender.send(_email("gone@example.com"))


@pytest.mark.parametrize("recipient", ["not-an-address", ""])
def test_a_recipient_that_is_no_email_address_is_a_permanent_failure(recipient):
    # given
    sender = SmtpEmailSender(host="127.0.0.1", port=1)

    # when / then
    with pytest.raises(PermanentDeliveryError):
        sender.send(_email(recipient))


def test_a_subject_with_a_line_break_cannot_inject_headers():
    # given
    sender = SmtpEmailSender(host="127.0.0.1", port=1)

    # when / then
    with pytest.raises(PermanentDeliveryError):
        sender.build(_email(subject="Hi\r\nBcc: victim@example.com"))


def test_an_unreachable_server_is_a_retryable_failure():
    # given
    from tests.notifications.fakes import free_port

    sender = SmtpEmailSender(host="127.0.0.1", port=free_port(), timeout=2)

    # when / then
    with pytest.raises(OSError):
        sender.send(_email())
