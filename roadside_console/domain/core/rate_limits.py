"""Request counters per caller and time window, for API rate limits on PostgreSQL.

Used when no Redis is configured: one row per (bucket, caller, window) counted with a single
atomic upsert, so every app process shares the same count. The table is UNLOGGED on
PostgreSQL (see the migration): counters are worth nothing after a crash, and skipping the
write-ahead log keeps the per-request write cheap.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel, col

from roadside_console.domain.core.uow import UnitOfWork


class RateLimitCounter(SQLModel, table=True):
    """Requests one caller made in one window of one limit; gone after `expires_at`."""

    __tablename__ = "rate_limit_counters"

    key: str = Field(primary_key=True, max_length=255)
    hits: int = Field(default=0)
    expires_at: datetime = Field(index=True)


def count_hit(uow: UnitOfWork, *, key: str, expires_at: datetime) -> int:
    """Add one request to the counter `key` and return the new count, atomically."""
    dialect = sqlite if uow.session.get_bind().dialect.name == "sqlite" else postgresql
    table = RateLimitCounter.__table__  # type: ignore[attr-defined]
    statement = dialect.insert(table).values(key=key, hits=1, expires_at=expires_at)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key], set_={"hits": table.c.hits + 1}
    ).returning(table.c.hits)
    hits = uow.session.execute(statement).scalar_one()
    uow.commit()
    return int(hits)


def purge_expired_counters(uow: UnitOfWork, *, now: datetime) -> int:
    """Delete counters of windows that are over; return how many."""
    deleted = uow.session.execute(
        sa.delete(RateLimitCounter).where(col(RateLimitCounter.expires_at) < now)
    ).rowcount
    uow.commit()
    return deleted
