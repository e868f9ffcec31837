"""Database engine and sessions: one engine per process, built from `DATABASE_URL`.

SQLite is the zero-setup default (WAL, foreign keys on, a busy timeout so the embedded worker
and the web process can share the file); PostgreSQL is the system of record.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

from roadside_console.domain.core.settings import get_settings


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """Build an engine with the pragmas and pool settings each backend needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # As many kept connections as AnyIO runs sync routes at once (40 threads): with fewer, every
    # request beyond the pool opened a connection and closed it again on return.
    kwargs.setdefault("pool_size", 40)
    kwargs.setdefault("max_overflow", 10)
    ping_when_idle = "pool_pre_ping" not in kwargs
    engine = create_engine(url, **kwargs)
    if ping_when_idle:
        _ping_idle_connections(engine)
    return engine


PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection on checkout only when it sat unused for a few seconds.

    `pool_pre_ping` pings on every checkout: one more round trip for every transaction, a
    third of a short request's statements. A connection that went back to the pool moments ago
    is as alive as a ping would show; one that sat idle (where a server restart or an idle
    timeout would have cut it) is pinged, and a dead one is replaced before use, as before.
    """

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["rs_checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _back(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["rs_checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get("rs_checked_in_at", 0.0)
        if idle < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool throws this connection away and checks out (or opens) another one.
            raise DisconnectionError("pooled connection failed its ping") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so SAVEPOINTs work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a transaction that reads and then writes can never
    # fail half-way because another writer committed in between (SQLITE_BUSY_SNAPSHOT).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database.

    Every table is mapped first: a session that flushes a row whose foreign key points at a
    table no module has imported yet fails, and the worker or the API alone may not import it.
    """
    from roadside_console.domain import models  # noqa: F401

    return create_db_engine(get_settings().database_url)


def new_session() -> Session:
    """Open a session on the process-wide engine; objects stay readable after commit."""
    return Session(get_engine(), expire_on_commit=False)
