"""Races on committed data: one quote pays for one booking; one storm template stays on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.core.errors import Conflict
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.models import PriceQuote, TimeBlock
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.tenants.models import Tenant
from tests.pricing.builders import at_local_hour
from tests.pricing.conftest import PricingWorld, add_pricing_world

NOW = at_local_hour(10)


@dataclass(frozen=True)
class Committed:
    engine: Engine
    world: PricingWorld

    def uow(self) -> UnitOfWork:
        return UnitOfWork(session_factory=lambda: Session(self.engine, expire_on_commit=False))


def committed_world(engine: Engine) -> Iterator[Committed]:
    with Session(engine, expire_on_commit=False) as session:
        world = add_pricing_world(session)
    try:
        yield Committed(engine, world)
    finally:
        with Session(engine) as session:
            session.exec(sa.delete(Tenant).where(Tenant.id == world.tenant.id))
            session.commit()


@pytest.fixture()
def pg_world(pg_engine: Engine) -> Iterator[Committed]:
    yield from committed_world(pg_engine)


@pytest.fixture()
def sqlite_world(sqlite_url: str) -> Iterator[Committed]:
    engine = create_db_engine(sqlite_url)
    yield from committed_world(engine)
    engine.dispose()


BACKENDS = [pytest.param("pg_world", marks=pytest.mark.pg, id="postgres"), "sqlite_world"]


def race(workers: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in threads that start together; return results or raised errors."""
    start = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_bookings_racing_for_one_quote_leave_exactly_one_winner(request, backend):
    # given
    db: Committed = request.getfixturevalue(backend)
    quote_request = QuoteRequest(service_id=db.world.jump.id)
    with db.uow() as uow:
        view = pricing.create_quote(
            uow, tenant_id=db.world.tenant.id, actor_or_none=None, request=quote_request, now=NOW
        )

    def book(_: int) -> str:
        with db.uow() as uow:
            pricing.redeem_quote(
                uow.session,
                tenant_id=db.world.tenant.id,
                quote_id=view.id,
                request=quote_request,
                now=NOW,
            )
            time.sleep(0.1)  # hold the row while the other booking tries
            uow.commit()
        return "booked"

    # when
    results = race(2, book)

    # then
    assert sorted(map(str, results)) == [
        "This estimate was already used for a booking.",
        "booked",
    ]
    assert [type(r) for r in results if r != "booked"] == [Conflict]
    with Session(db.engine) as session:
        assert session.get(PriceQuote, view.id).used_at is not None


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_admins_switching_storm_mode_at_once_leave_one_template_on(request, backend):
    # given
    db: Committed = request.getfixturevalue(backend)
    templates = [db.world.ice_storm.id, db.world.game_day.id]

    def activate(index: int) -> str:
        with db.uow() as uow:
            return pricing.activate_storm_mode(
                uow, actor=db.world.admin, template_id=templates[index], reason="Weather"
            ).name

    # when
    results = race(2, activate)

    # then
    assert sorted(results) == ["Game Day", "Ice Storm"]
    with Session(db.engine) as session:
        active = session.exec(
            select(TimeBlock.name).where(
                TimeBlock.tenant_id == db.world.tenant.id,
                TimeBlock.priority >= 100,
                TimeBlock.active,
            )
        ).all()
    assert len(active) == 1
