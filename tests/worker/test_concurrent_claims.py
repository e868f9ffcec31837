"""Several workers claiming at once never take the same outbox row."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.notifications.delivery import claim_due_messages
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.outbox import queue_message
from tests.worker.support import CommittedDb, committed_db_on

ROWS = 200
WORKERS = 2


def _claim_all(db: CommittedDb, worker_id: str, start: threading.Barrier, now) -> list:
    """Claim batches until nothing is due; hold each claim open briefly to force overlap."""
    claimed = []
    start.wait()
    while True:
        with db.session() as session:
            batch = claim_due_messages(session, now=now, limit=10, worker_id=worker_id)
            time.sleep(0.01)
            session.commit()
        if not batch:
            return claimed
        claimed.extend(m.id for m in batch)


@pytest.fixture()
def pg_db(pg_engine: Engine) -> Iterator[CommittedDb]:
    yield from committed_db_on(pg_engine)


@pytest.fixture()
def sqlite_db(sqlite_url: str) -> Iterator[CommittedDb]:
    engine = create_db_engine(sqlite_url)
    yield from committed_db_on(engine)
    engine.dispose()


@pytest.mark.parametrize(
    "db_fixture", [pytest.param("pg_db", marks=pytest.mark.pg, id="postgres"), "sqlite_db"]
)
def test_two_concurrent_claimers_never_claim_the_same_row(request, db_fixture):
    # given
    db: CommittedDb = request.getfixturevalue(db_fixture)
    now = utc_now()
    with db.session() as session:
        ids = {
            queue_message(
                session,
                tenant_id=db.tenant.id,
                channel=Channel.SMS,
                topic="load",
                recipient=f"+1404555{i:04d}",
                body="x",
                now=now,
            ).id
            for i in range(ROWS)
        }
        session.commit()
    start = threading.Barrier(WORKERS)
    results: dict[str, list] = {}

    def work(name: str) -> None:
        results[name] = _claim_all(db, name, start, now)

    # when
    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    mine = [[i for i in claimed if i in ids] for claimed in results.values()]
    assert len(mine) == WORKERS
    assert all(len(claimed) == len(set(claimed)) for claimed in mine)
    first, second = (set(claimed) for claimed in mine)
    assert first | second == ids
    assert first & second == set()
    if db_fixture == "pg_db":
        # SKIP LOCKED lets both proceed side by side (SQLite serialises writers, so one may win all)
        assert first and second
