from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notifications.fakes import FakeTwilio, SmtpSink


@pytest.fixture()
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on a free local port."""
    sink = SmtpSink()
    controller = sink.start()
    yield sink
    controller.stop()


@pytest.fixture()
def fake_twilio() -> Iterator[FakeTwilio]:
    """A local stand-in for api.twilio.com."""
    fake = FakeTwilio()
    fake.start()
    yield fake
    fake.stop()
