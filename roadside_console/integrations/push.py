"""Web push: recording only for now.

A real Web Push (VAPID) adapter will implement the same `Sender` protocol once VAPID keys are
part of the settings; until then push messages are logged and counted as delivered.
"""

from __future__ import annotations

from roadside_console.domain.core.settings import Settings
from roadside_console.domain.notifications.models import Channel
from roadside_console.integrations.recording import RecordingSender

__all__ = ["push_sender"]


def push_sender(settings: Settings) -> RecordingSender:
    """Return the recording default (no real push adapter yet)."""
    return RecordingSender(Channel.PUSH, redact_body=settings.is_production)
