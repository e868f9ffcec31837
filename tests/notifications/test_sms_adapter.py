"""The Twilio adapter makes a real HTTP request, to a local stand-in for api.twilio.com."""

from __future__ import annotations

import uuid

import pytest
from twilio.base.exceptions import TwilioRestException

from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import OutgoingMessage, PermanentDeliveryError
from roadside_console.integrations.sms import TwilioSmsSender

ACCOUNT_SID = "AC" + "1" * 32


def _sms(recipient: str = "+14045550123") -> OutgoingMessage:
    return OutgoingMessage(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        channel=Channel.SMS,
        topic="provider_en_route",
        recipient=recipient,
        body="Your provider is 10 minutes away.",
    )


def _sender(fake_twilio, from_number: str = "+14045550100") -> TwilioSmsSender:
    return TwilioSmsSender(
        account_sid=ACCOUNT_SID,
        auth_token="token",
        from_number=from_number,
        api_base_url=fake_twilio.base_url,
    )


def test_a_text_is_posted_to_twilio_with_from_to_and_body(fake_twilio):
    # given
    sender = _sender(fake_twilio)

    # when
    sid = sender.send(_sms())

    # then
    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["user"] == ACCOUNT_SID
    assert request["form"] == {
        "From": "+14045550100",
        "To": "+14045550123",
        "Body": "Your provider is 10 minutes away.",
    }
    assert sid is not None and sid.startswith("SM")


def test_a_messaging_service_sid_is_sent_as_such(fake_twilio):
    # given
    sender = _sender(fake_twilio, from_number="MG" + "2" * 32)

    # when
    sender.send(_sms())

    # then
    [request] = fake_twilio.requests
    assert request["form"]["MessagingServiceSid"] == "MG" + "2" * 32
    assert "From" not in request["form"]


def test_an_invalid_number_is_a_permanent_failure(fake_twilio):
    # given
    fake_twilio.status = 400
    fake_twilio.error = {"code": 21211, "message": "The 'To' number is not a valid phone number."}
    sender = _sender(fake_twilio)

    # when / then
    with pytest.raises(PermanentDeliveryError, match="21211"):
        sender.send(_sms("+1555"))


def test_a_twilio_outage_is_retryable(fake_twilio):
    # given
    fake_twilio.status = 503
    fake_twilio.error = {"code": 20500, "message": "Internal Server Error"}
    sender = _sender(fake_twilio)

    # when / then
    with pytest.raises(TwilioRestException):
        sender.send(_sms())
