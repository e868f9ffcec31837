"""Email: any SMTP server when `SMTP_HOST` is set, else the recording default."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from roadside_console.domain.core.settings import Settings
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import OutgoingMessage, PermanentDeliveryError
from roadside_console.integrations.recording import RecordingSender

__all__ = ["DEFAULT_SUBJECT", "RecordingSender", "SmtpEmailSender"]

DEFAULT_SUBJECT = "A message from RoadSide Console"
IMPLICIT_TLS_PORT = 465


class SmtpEmailSender:
    """Send each message over SMTP (one connection per message, STARTTLS and login optional).

    Port 465 uses implicit TLS; otherwise `starttls` upgrades the plain connection. A refused
    recipient or a message that cannot be built (e.g. a header with a line break) fails
    permanently; connection and server errors are retried by the outbox.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        from_address: str = "RoadSide Console <no-reply@localhost>",
        timeout: float = 15.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.from_address = from_address
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpEmailSender:
        """Build the sender from `SMTP_*` settings (the caller checks `smtp_host` is set)."""
        if not settings.smtp_host:
            raise ValueError("SMTP_HOST is not set")
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            from_address=settings.smtp_from,
        )

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """Turn an outbox message into a MIME email (plain text, HTML alternative if given)."""
        if "@" not in parseaddr(message.recipient)[1]:
            raise PermanentDeliveryError(f"not an email address: {message.recipient!r}")
        domain = parseaddr(self.from_address)[1].rpartition("@")[2] or "localhost"
        email = EmailMessage()
        try:
            email["From"] = self.from_address
            email["To"] = message.recipient
            email["Subject"] = message.subject or DEFAULT_SUBJECT
            email["Date"] = formatdate(localtime=False)
            email["Message-ID"] = make_msgid(idstring=message.id.hex, domain=domain)
            email["X-RoadSide-Outbox-Id"] = str(message.id)
            email.set_content(message.body)
            html = message.payload.get("html")
            if isinstance(html, str) and html:
                email.add_alternative(html, subtype="html")
        except ValueError as exc:
            raise PermanentDeliveryError(f"cannot build the email: {exc}") from exc
        return email

    def send(self, message: OutgoingMessage) -> str | None:
        """Deliver one email; return its Message-ID."""
        email = self.build(message)
        try:
            with self._connect() as smtp:
                if self.starttls and self.port != IMPLICIT_TLS_PORT:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"recipient refused: {exc.recipients}") from exc
        return str(email["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        if self.port == IMPLICIT_TLS_PORT:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def email_sender(settings: Settings) -> SmtpEmailSender | RecordingSender:
    """Pick SMTP when `SMTP_HOST` is set, else record."""
    if settings.smtp_host:
        return SmtpEmailSender.from_settings(settings)
    return RecordingSender(Channel.EMAIL, redact_body=settings.is_production)
