from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.notifications.fakes import SmtpSink
from tests.worker.support import CommittedDb, committed_db_on


@pytest.fixture()
def committed_db(engine: Engine) -> Iterator[CommittedDb]:
    """A committed tenant on each backend in turn, cleaned up after the test."""
    yield from committed_db_on(engine)


@pytest.fixture()
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on a free local port."""
    sink = SmtpSink()
    controller = sink.start()
    yield sink
    controller.stop()
