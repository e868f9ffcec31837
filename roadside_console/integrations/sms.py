"""SMS: Twilio when configured, else the recording default.

Twilio is used when `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN` and `TWILIO_FROM_NUMBER` are all set.
"""

from __future__ import annotations

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from roadside_console.domain.core.settings import Settings
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import OutgoingMessage, PermanentDeliveryError
from roadside_console.integrations.recording import RecordingSender

__all__ = ["RecordingSender", "TwilioSmsSender", "sms_sender", "twilio_configured"]

# Twilio answers 400 for a bad or unreachable number; retrying cannot help. Other statuses
# (401 bad credentials, 429 rate limit, 5xx) are worth retrying once the cause is fixed.
PERMANENT_STATUS = 400


def twilio_configured(settings: Settings) -> bool:
    """Tell whether all three Twilio settings are present."""
    return bool(
        settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
    )


class TwilioSmsSender:
    """Send texts through Twilio's Messages API.

    `from_number` may be an E.164 number or a Messaging Service SID (`MG...`). `api_base_url`
    points the SDK at another host (tests use a local server).
    """

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        timeout: float = 15.0,
        api_base_url: str | None = None,
        client: Client | None = None,
    ) -> None:
        self.from_number = from_number
        self.client = client or Client(
            account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout)
        )
        if api_base_url:
            self.client.api.base_url = api_base_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioSmsSender:
        """Build the sender from `TWILIO_*` settings."""
        if not twilio_configured(settings):
            raise ValueError(
                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required"
            )
        return cls(
            account_sid=settings.twilio_account_sid or "",
            auth_token=settings.twilio_auth_token or "",
            from_number=settings.twilio_from_number or "",
        )

    def send(self, message: OutgoingMessage) -> str | None:
        """Create one Twilio message; return its SID."""
        sender = (
            {"messaging_service_sid": self.from_number}
            if self.from_number.startswith("MG")
            else {"from_": self.from_number}
        )
        try:
            created = self.client.messages.create(to=message.recipient, body=message.body, **sender)
        except TwilioRestException as exc:
            if exc.status == PERMANENT_STATUS:
                raise PermanentDeliveryError(f"Twilio {exc.code}: {exc.msg}") from exc
            raise
        return created.sid


def sms_sender(settings: Settings) -> TwilioSmsSender | RecordingSender:
    """Pick Twilio when configured, else record."""
    if twilio_configured(settings):
        return TwilioSmsSender.from_settings(settings)
    return RecordingSender(Channel.SMS, redact_body=settings.is_production)
