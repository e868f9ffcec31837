"""One sender per channel: the real adapter when configured, else the recording default."""

from __future__ import annotations

import logging

from roadside_console.domain.core.settings import Settings
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import Sender
from roadside_console.integrations.email import email_sender
from roadside_console.integrations.push import push_sender
from roadside_console.integrations.sms import sms_sender
from roadside_console.integrations.webhook import webhook_sender

logger = logging.getLogger(__name__)


def build_senders(settings: Settings) -> dict[Channel, Sender]:
    """Return a sender for every channel, chosen from the settings."""
    senders: dict[Channel, Sender] = {
        Channel.EMAIL: email_sender(settings),
        Channel.SMS: sms_sender(settings),
        Channel.PUSH: push_sender(settings),
        Channel.WEBHOOK: webhook_sender(settings),
    }
    logger.info(
        "outbox senders ready",
        extra={"senders": {channel.value: type(s).__name__ for channel, s in senders.items()}},
    )
    return senders
