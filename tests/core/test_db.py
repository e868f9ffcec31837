"""Pooled PostgreSQL connections: pinged after sitting idle, replaced when the ping fails."""

import pytest
import sqlalchemy as sa

from roadside_console.domain.core import db


@pytest.mark.pg
def test_a_connection_cut_while_idle_is_replaced_before_use(pg_engine):
    # given a pooled connection whose server process was ended while it sat idle
    with pg_engine.connect() as other:
        with pg_engine.connect() as conn:
            old_pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            record = conn.connection._connection_record
        other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": old_pid})
    record.info["rs_checked_in_at"] -= db.PING_AFTER_IDLE_SECONDS + 1
    # when both pooled connections are used at once
    with pg_engine.connect() as first, pg_engine.connect() as second:
        pids = {c.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() for c in (first, second)}
    # then each request got a live connection, not an error
    assert old_pid not in pids and len(pids) == 2


@pytest.mark.pg
def test_a_connection_back_in_the_pool_a_moment_ago_is_not_pinged(pg_engine, monkeypatch):
    # given a connection just returned to the pool
    with pg_engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    pings: list[object] = []
    monkeypatch.setattr(pg_engine.dialect, "do_ping", pings.append)
    # when
    with pg_engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    # then
    assert pings == []
