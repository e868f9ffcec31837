"""The offline default sender: log the message and count it as delivered."""

from __future__ import annotations

import logging
import threading
from collections import deque

from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import OutgoingMessage

logger = logging.getLogger("roadside_console.integrations.recording")

KEPT_MESSAGES = 500


class RecordingSender:
    """Record messages of one channel in the log instead of sending them.

    Used for every channel that has no real adapter configured. With `redact_body` (production)
    the log shows only the body's length, since bodies may hold sign-in or reset links. The last
    few hundred messages are kept in `delivered` for tests and local debugging.
    """

    def __init__(self, channel: Channel, *, redact_body: bool = False) -> None:
        self.channel = channel
        self.redact_body = redact_body
        self.delivered: deque[OutgoingMessage] = deque(maxlen=KEPT_MESSAGES)
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str | None:
        """Log `message` as delivered; never fails."""
        logger.info(
            "outbox message recorded (no %s adapter configured)",
            self.channel.value,
            extra={
                "channel": self.channel.value,
                "message_id": str(message.id),
                "tenant_id": str(message.tenant_id),
                "topic": message.topic,
                "recipient": message.recipient,
                "subject": message.subject,
                "body": f"<{len(message.body)} characters>" if self.redact_body else message.body,
            },
        )
        with self._lock:
            self.delivered.append(message)
        return None
