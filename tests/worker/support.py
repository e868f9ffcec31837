"""Helpers for worker tests: committed data on a real database, and a private event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.tenants.models import Tenant
from tests.factories import make_tenant

T = TypeVar("T")


@dataclass(frozen=True)
class CommittedDb:
    """Real commits on one backend, for code that opens its own sessions (like the worker)."""

    engine: Engine
    tenant: Tenant

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def uow_factory(self) -> Callable[[], UnitOfWork]:
        return lambda: UnitOfWork(session_factory=self.session)


def committed_db_on(engine: Engine) -> Iterator[CommittedDb]:
    """Yield a fresh committed tenant; delete it (and, by cascade, its rows) afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        tenant = make_tenant(session)
    try:
        yield CommittedDb(engine, tenant)
    finally:
        with Session(engine) as session:
            session.exec(sa.delete(Tenant).where(Tenant.id == tenant.id))
            session.commit()


def run_in_own_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on a fresh event loop in its own thread.

    The browser tests keep Playwright's loop running in the main thread for the whole session,
    so `asyncio.run` there would fail.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=60)
