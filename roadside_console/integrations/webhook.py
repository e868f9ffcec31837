"""Outbound webhooks: recording only for now.

A signed httpx adapter (per-endpoint secret, HMAC header, timeouts) will implement the same
`Sender` protocol when B2B webhook endpoints are configurable; until then webhook messages are
logged and counted as delivered.
"""

from __future__ import annotations

from roadside_console.domain.core.settings import Settings
from roadside_console.domain.notifications.models import Channel
from roadside_console.integrations.recording import RecordingSender

__all__ = ["webhook_sender"]


def webhook_sender(settings: Settings) -> RecordingSender:
    """Return the recording default (no real webhook adapter yet)."""
    return RecordingSender(Channel.WEBHOOK, redact_body=settings.is_production)
