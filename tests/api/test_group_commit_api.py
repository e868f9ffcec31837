"""Many requests at once on a real PostgreSQL pool: grouped writes answer each caller alone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from api.app import create_api
from api.deps import get_uow
from roadside_console.domain.bookings.models import Booking, BookingEvent
from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.core.idempotency import IdempotencyKey
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing.models import PriceQuote
from tests.api.conftest import client_for
from tests.conftest import alembic_config, create_postgres_database, drop_postgres_database
from tests.pricing.conftest import PricingWorld, add_pricing_world

pytestmark = [pytest.mark.anyio, pytest.mark.pg]


@pytest.fixture()
def committed(postgres_url: str) -> Iterator[tuple[Engine, PricingWorld]]:
    """A database of its own with committed data: concurrent requests need real transactions."""
    url = create_postgres_database()
    command.upgrade(alembic_config(url), "head")
    engine = create_db_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        world = add_pricing_world(session)
    yield engine, world
    engine.dispose()
    drop_postgres_database(url)


def _booking(world: PricingWorld, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "service_id": str(world.jump.id),
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": "Jordan Miles",
        "contact_phone": "(404) 555-0101",
    }
    body.update(overrides)
    return body


async def test_concurrent_estimates_bookings_and_a_refusal_each_get_their_own_answer(committed):
    # given the API on a real pool, a guest, and a quote that was already used
    engine, world = committed
    api = create_api()
    api.dependency_overrides[get_uow] = lambda: UnitOfWork(
        lambda: Session(engine, expire_on_commit=False)
    )
    guest = {"X-Workspace": world.tenant.slug}
    tow = {"service_id": str(world.towing.id), "towing_miles": 25, "lat": 33.76, "lng": -84.39}
    async with client_for(api) as client:
        used = (await client.post("/api/v1/estimates", json=tow, headers=guest)).json()["id"]
        on_quote = {**tow, "quote_id": used}
        first = await client.post(
            "/api/v1/bookings",
            json=_booking(world, **on_quote),
            headers=guest,
        )
        assert first.status_code == 201, first.text
        # when 30 estimates, 12 keyed bookings and a second booking on the used quote arrive at once
        estimates = [client.post("/api/v1/estimates", json=tow, headers=guest) for _ in range(30)]
        bookings = [
            client.post(
                "/api/v1/bookings",
                json=_booking(world, contact_name=f"Driver {i}"),
                headers={**guest, "Idempotency-Key": f"concurrent-{i}"},
            )
            for i in range(12)
        ]
        refused = client.post(
            "/api/v1/bookings",
            json=_booking(world, **on_quote),
            headers=guest,
        )
        answers = await asyncio.gather(*estimates, *bookings, refused)
        # and each booking is retried with its key
        replays = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/bookings",
                    json=_booking(world, contact_name=f"Driver {i}"),
                    headers={**guest, "Idempotency-Key": f"concurrent-{i}"},
                )
                for i in range(12)
            )
        )
        # then every estimate and booking got its own answer, and the refusal only its caller
        quoted, booked, refusal = answers[:30], answers[30:42], answers[42]
        assert [r.status_code for r in quoted + booked] == [201] * 42
        assert refusal.status_code == 409 and refusal.json()["code"] == "quote_used"
        quote_ids = {r.json()["id"] for r in quoted}
        assert len(quote_ids) == 30
        readable = await asyncio.gather(
            *(client.get(f"/api/v1/estimates/{q}", headers=guest) for q in list(quote_ids)[:5])
        )
        assert [r.status_code for r in readable] == [200] * 5
        # a retry replays the first answer: no second booking
        assert [r.json() for r in replays] == [r.json() for r in booked]
        assert all(r.headers["idempotent-replayed"] == "true" for r in replays)
    with Session(engine) as session:
        tenant = world.tenant.id
        stored_quotes = session.exec(
            select(func.count()).select_from(PriceQuote).where(PriceQuote.tenant_id == tenant)
        ).one()
        names = session.exec(select(Booking.contact_name).where(Booking.tenant_id == tenant)).all()
        events = session.exec(
            select(func.count()).select_from(BookingEvent).where(BookingEvent.tenant_id == tenant)
        ).one()
        keys = session.exec(select(IdempotencyKey.status_code)).all()
    assert stored_quotes == 31
    assert sorted(names) == sorted(["Jordan Miles"] + [f"Driver {i}" for i in range(12)])
    assert events == 13 * 2  # created and confirmed, for each booking
    assert sorted(keys) == [201] * 12


async def test_copies_of_one_keyed_booking_sent_at_once_make_one_booking(committed):
    # given the API on a real pool
    engine, world = committed
    api = create_api()
    api.dependency_overrides[get_uow] = lambda: UnitOfWork(
        lambda: Session(engine, expire_on_commit=False)
    )
    headers = {"X-Workspace": world.tenant.slug, "Idempotency-Key": "double-tap"}
    async with client_for(api) as client:
        # when a phone on a bad connection sends the same booking eight times at once
        answers = await asyncio.gather(
            *(
                client.post("/api/v1/bookings", json=_booking(world), headers=headers)
                for _ in range(8)
            )
        )
    # then every copy gets the one booking's answer, none a 409
    assert [r.status_code for r in answers] == [201] * 8
    assert len({r.json()["id"] for r in answers}) == 1
    with Session(engine) as session:
        count = session.exec(
            select(func.count()).select_from(Booking).where(Booking.tenant_id == world.tenant.id)
        ).one()
    assert count == 1
