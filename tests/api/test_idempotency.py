"""`Idempotency-Key` on the API's POSTs: a retry gets the first answer, the route runs once."""

import asyncio
import hashlib
import uuid

import anyio
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Response
from sqlmodel import Session

from api.app import create_api
from api.deps import get_uow
from api.v1.payments import get_checkout_gateway
from roadside_console.domain.core.idempotency import IdempotencyKey
from roadside_console.domain.core.uow import UnitOfWork
from tests.api.conftest import client_for
from tests.factories import PASSWORD, make_tenant, make_user
from tests.payments import stripe_events as se
from tests.payments.support import make_world

pytestmark = pytest.mark.anyio

ORDERS = "/api/v1/test-orders"
PROBLEM = "application/problem+json"


class OrdersRoute:
    """A tiny POST route added to one test's app: it counts its runs and can fail or wait."""

    def __init__(self, app: FastAPI) -> None:
        self.runs: list[dict] = []
        self.fail_next = 0
        self.entered = anyio.Event()
        self.release: anyio.Event | None = None

        @app.post(ORDERS, status_code=201)
        async def create_order(body: dict, response: Response) -> dict:
            self.runs.append(body)
            self.entered.set()
            if self.release is not None:
                await self.release.wait()
            if self.fail_next:
                self.fail_next -= 1
                raise RuntimeError("the order service broke")
            order_id = str(uuid.uuid4())
            response.headers["Location"] = f"{ORDERS}/{order_id}"
            return {"id": order_id, **body}


@pytest.fixture()
def orders(app):
    return OrdersRoute(app)


def _key(value: str = "order-1", **headers: str) -> dict[str, str]:
    return {"Idempotency-Key": value, **headers}


async def test_the_same_key_and_body_get_the_first_response_and_the_route_runs_once(client, orders):
    # when
    first = await client.post(ORDERS, json={"item": "tyre"}, headers=_key())
    second = await client.post(ORDERS, json={"item": "tyre"}, headers=_key())
    # then
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["content-type"] == "application/json"
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(orders.runs) == 1


async def test_the_same_key_with_a_different_body_is_refused_with_a_422_naming_the_header(
    client, orders
):
    # given
    await client.post(ORDERS, json={"item": "tyre"}, headers=_key())
    # when
    response = await client.post(ORDERS, json={"item": "battery"}, headers=_key())
    # then
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert len(orders.runs) == 1


@pytest.mark.parametrize("key", ["", "k" * 256], ids=["empty", "256-chars"])
async def test_an_empty_or_over_long_key_is_a_422_naming_the_header(client, orders, key):
    # when
    response = await client.post(ORDERS, json={"item": "tyre"}, headers=_key(key))
    # then
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "invalid_idempotency_key"
    assert response.json()["errors"] == [
        {"field": "Idempotency-Key", "message": response.json()["detail"]}
    ]
    assert orders.runs == []


async def test_two_callers_using_the_same_key_each_get_their_own_response(client, orders):
    # when
    alice = await client.post(ORDERS, json={}, headers=_key(Authorization="Bearer rsk_alice"))
    bob = await client.post(ORDERS, json={}, headers=_key(Authorization="Bearer rsk_bob"))
    # then
    assert alice.json()["id"] != bob.json()["id"]
    assert len(orders.runs) == 2


async def test_without_a_key_every_post_runs(client, orders):
    # when
    for _ in range(2):
        await client.post(ORDERS, json={"item": "tyre"})
    # then
    assert len(orders.runs) == 2


async def test_a_crashed_request_gives_the_key_back_so_the_retry_runs(client, orders):
    # given the first attempt breaks with a 500
    orders.fail_next = 1
    failed = await client.post(ORDERS, json={"item": "tyre"}, headers=_key())
    # when the client retries with the same key
    retried = await client.post(ORDERS, json={"item": "tyre"}, headers=_key())
    # then
    assert failed.status_code == 500
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert len(orders.runs) == 2


async def test_a_duplicate_sent_while_the_first_is_running_gets_a_409_problem(client, orders):
    # given a first request that is still running
    orders.release = anyio.Event()
    first = asyncio.create_task(client.post(ORDERS, json={"item": "tyre"}, headers=_key()))
    await orders.entered.wait()
    # when
    duplicate = await client.post(ORDERS, json={"item": "tyre"}, headers=_key())
    orders.release.set()
    finished = await first
    # then
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == PROBLEM
    assert duplicate.json()["code"] == "idempotency_key_in_progress"
    assert duplicate.json()["detail"].startswith("A request with this key is still in progress")
    assert finished.status_code == 201
    assert len(orders.runs) == 1


async def test_sign_in_ignores_the_key_and_issues_a_new_token_each_time(session, client):
    # given
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    body = {"workspace": tenant.slug, "email": user.email, "password": PASSWORD, "name": "CI"}
    # when
    first = await client.post("/api/v1/auth/tokens", json=body, headers=_key())
    second = await client.post("/api/v1/auth/tokens", json=body, headers=_key())
    # then
    assert first.status_code == second.status_code == 201
    assert first.json()["token"] != second.json()["token"]


async def test_a_double_submitted_card_checkout_starts_one_stripe_session(session, app, client):
    # given a tier-2 customer with a token, and a fake Stripe
    gateway = se.FakeCheckoutGateway()
    app.dependency_overrides[get_checkout_gateway] = lambda: gateway
    world = make_world(session, tier=2)
    booking = world.booking(session)
    signed_in = await client.post(
        "/api/v1/auth/tokens",
        json={
            "workspace": world.tenant.slug,
            "email": world.customer.email,
            "password": PASSWORD,
            "name": "app",
        },
    )
    auth = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    url = f"/api/v1/bookings/{booking.id}/checkout"
    # when the app sends the same checkout twice (a retry after a timeout)
    first = await client.post(url, headers=_key("pay-1", **auth))
    second = await client.post(url, headers=_key("pay-1", **auth))
    # then
    assert first.status_code == second.status_code == 201, first.text
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len(gateway.requests) == 1


@pytest.mark.pg
async def test_ten_parallel_requests_with_one_key_run_the_route_once_on_postgresql(pg_engine):
    # given an app on committed PostgreSQL transactions and a slow route
    api = create_api()
    api.dependency_overrides[get_uow] = lambda: UnitOfWork(
        lambda: Session(pg_engine, expire_on_commit=False)
    )
    orders = OrdersRoute(api)
    orders.release = anyio.Event()
    caller = f"Bearer rsk_{uuid.uuid4().hex}"
    headers = _key(Authorization=caller)
    try:
        async with client_for(api) as client:
            # when ten copies arrive at once
            sends = [client.post(ORDERS, json={"item": "tyre"}, headers=headers) for _ in range(10)]
            tasks = [asyncio.create_task(send) for send in sends]
            await orders.entered.wait()
            await asyncio.sleep(0.3)  # let the other nine reach their claim
            orders.release.set()
            responses = await asyncio.gather(*tasks)
            replay = await client.post(ORDERS, json={"item": "tyre"}, headers=headers)
        # then the route ran once; the others were told it was in progress (or got its answer)
        statuses = sorted(r.status_code for r in responses)
        assert len(orders.runs) == 1
        assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
        created = next(r for r in responses if r.status_code == 201)
        assert replay.status_code == 201 and replay.content == created.content
    finally:
        with Session(pg_engine) as session:
            scope = hashlib.sha256(caller.encode()).hexdigest()
            session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.scope == scope))
            session.commit()


async def test_an_oversized_body_with_a_key_is_a_413_and_leaves_the_key_unused(uow_factory):
    # given an app that takes bodies up to 100 bytes
    api = create_api(max_body_bytes=100)
    api.dependency_overrides[get_uow] = uow_factory
    orders = OrdersRoute(api)
    async with client_for(api) as client:
        # when
        too_big = await client.post(ORDERS, json={"note": "x" * 200}, headers=_key())
        small = await client.post(ORDERS, json={"note": "x"}, headers=_key())
    # then
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "request_too_large"
    assert small.status_code == 201
    assert len(orders.runs) == 1
