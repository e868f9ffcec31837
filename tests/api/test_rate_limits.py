"""Rate limits: per caller and bucket, shared through Redis or PostgreSQL, never switched off."""

import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import redis
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import Session

from api.app import create_api
from api.rate_limits import (
    CounterStore,
    Limit,
    MemoryStore,
    PostgresStore,
    RateLimitPolicy,
    RedisStore,
    classify,
    client_address,
    parse_networks,
)
from roadside_console.domain.core.rate_limits import RateLimitCounter
from roadside_console.domain.core.uow import UnitOfWork
from tests.api.conftest import client_for

pytestmark = pytest.mark.anyio

REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"
PING = "/api/v1/test-ping"
PROBLEM = "application/problem+json"
# Hour-long windows: a test's few requests practically never straddle a window boundary.
HOUR = 3600
TIGHT = RateLimitPolicy(
    standard=Limit(3, HOUR), strict=Limit(2, HOUR), auth=Limit(2, HOUR), webhooks=Limit(5, HOUR)
)


def _limited_app(store: CounterStore, **options) -> FastAPI:
    api = create_api(rate_limits=options.pop("policy", TIGHT), rate_limit_store=store, **options)

    @api.get(PING)
    def ping() -> dict:
        return {"pong": True}

    @api.post("/api/v1/payments/test-intents")
    def create_intent() -> dict:
        return {"intent": "created"}

    return api


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture()
def redis_prefix() -> str:
    if not _redis_up():
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    prefix = f"test:ratelimit:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


@pytest.fixture(params=["memory", "redis"])
async def store(request) -> AsyncIterator[CounterStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    shared = RedisStore(REDIS_URL, prefix=request.getfixturevalue("redis_prefix"))
    yield shared
    await shared.aclose()


async def test_a_caller_over_the_limit_gets_a_429_problem_with_retry_after(store):
    # given a limit of 3 requests an hour
    async with client_for(_limited_app(store)) as client:
        # when
        allowed = [await client.get(PING) for _ in range(3)]
        refused = await client.get(PING)
    # then
    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.headers["ratelimit-remaining"] for r in allowed] == ["2", "1", "0"]
    assert allowed[0].headers["ratelimit-limit"] == "3"
    assert allowed[0].headers["ratelimit-policy"] == "3;w=3600"
    assert 1 <= int(allowed[0].headers["ratelimit-reset"]) <= HOUR
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) == int(refused.headers["ratelimit-reset"]) >= 1
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["x-request-id"]


async def test_each_bearer_credential_has_its_own_count(store):
    # given one caller who used up their limit
    async with client_for(_limited_app(store)) as client:
        for _ in range(4):
            await client.get(PING, headers={"Authorization": "Bearer rsk_alice"})
        # when another caller from the same address calls
        bob = await client.get(PING, headers={"Authorization": "Bearer rsk_bob"})
    # then
    assert bob.status_code == 200
    assert bob.headers["ratelimit-remaining"] == "2"


async def test_strict_calls_have_their_own_tighter_limit(store):
    # given
    async with client_for(_limited_app(store)) as client:
        # when
        intents = [await client.post("/api/v1/payments/test-intents") for _ in range(3)]
        ping = await client.get(PING)
    # then
    assert [r.status_code for r in intents] == [200, 200, 429]
    assert intents[0].headers["ratelimit-limit"] == "2"
    assert ping.status_code == 200


async def test_the_health_probe_is_never_limited(offline_app):
    # given an app that allows one standard request an hour
    api = create_api(rate_limits=RateLimitPolicy(standard=Limit(1, HOUR)))
    api.dependency_overrides = offline_app.dependency_overrides
    async with client_for(api) as client:
        # when the load balancer probes five times
        probes = [await client.get("/api/v1/health") for _ in range(5)]
    # then none is refused (the database is down here, so each says 503 itself)
    assert all(r.status_code != 429 for r in probes)
    assert "ratelimit-limit" not in probes[0].headers


async def test_two_app_processes_share_the_count_through_redis(redis_prefix):
    # given two app instances (two workers) on one Redis
    stores = [RedisStore(REDIS_URL, prefix=redis_prefix) for _ in range(2)]
    first, second = (client_for(_limited_app(s)) for s in stores)
    async with first, second:
        # when the caller alternates between them
        responses = [await (first, second)[i % 2].get(PING) for i in range(4)]
    for shared in stores:
        await shared.aclose()
    # then the fourth request is refused although each worker saw only two
    assert [r.status_code for r in responses] == [200, 200, 200, 429]


@pytest.mark.pg
async def test_two_app_processes_share_the_count_through_postgresql(pg_engine):
    # given two app instances counting in PostgreSQL, and a caller unique to this test
    def uow_factory() -> UnitOfWork:
        return UnitOfWork(lambda: Session(pg_engine, expire_on_commit=False))

    apps = [_limited_app(PostgresStore(uow_factory)) for _ in range(2)]
    caller = {"Authorization": f"Bearer rsk_{uuid.uuid4().hex}"}
    try:
        async with client_for(apps[0]) as first, client_for(apps[1]) as second:
            # when
            responses = [await (first, second)[i % 2].get(PING, headers=caller) for i in range(4)]
        # then
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert [r.headers["ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    finally:
        with Session(pg_engine) as session:
            session.execute(sa.delete(RateLimitCounter))
            session.commit()


async def test_when_redis_is_down_limits_still_apply_per_process_and_it_is_logged_once(caplog):
    # given a Redis URL on a closed port
    down = RedisStore(CLOSED_PORT_URL)
    caplog.set_level(logging.WARNING, logger="api.rate_limits")
    async with client_for(_limited_app(down)) as client:
        # when
        responses = [await client.get(PING) for _ in range(5)]
    await down.aclose()
    # then
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    warnings = [r for r in caplog.records if r.name == "api.rate_limits"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()


async def test_limits_can_be_turned_off_for_load_tests():
    # given
    api = create_api(rate_limits=False)

    @api.get(PING)
    def ping() -> dict:
        return {}

    async with client_for(api) as client:
        # when
        responses = [await client.get(PING) for _ in range(150)]
    # then
    assert {r.status_code for r in responses} == {200}
    assert "ratelimit-limit" not in responses[0].headers


async def test_rate_limits_enabled_in_the_settings_apply_the_standard_limits(monkeypatch):
    # given
    monkeypatch.setenv("RATE_LIMITS_ENABLED", "true")
    api = create_api()

    @api.get(PING)
    def ping() -> dict:
        return {}

    async with client_for(api) as client:
        # when
        response = await client.get(PING)
    # then
    assert response.headers["ratelimit-limit"] == "100"
    assert response.headers["ratelimit-policy"] == "100;w=60"


async def test_a_forwarded_address_counts_only_behind_a_trusted_proxy():
    # given a caller who sends a different X-Forwarded-For each time
    def spoofing(api: FastAPI) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=api, client=("10.0.0.5", 4000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    untrusted = _limited_app(MemoryStore())
    trusted = _limited_app(MemoryStore(), trusted_proxies=["10.0.0.0/8"])
    # when
    async with spoofing(untrusted) as direct, spoofing(trusted) as proxied:
        direct_codes = [
            (await direct.get(PING, headers={"X-Forwarded-For": f"203.0.113.{i}"})).status_code
            for i in range(4)
        ]
        proxied_codes = [
            (await proxied.get(PING, headers={"X-Forwarded-For": f"203.0.113.{i}"})).status_code
            for i in range(4)
        ]
    # then the header is ignored from the open internet and trusted from our proxy
    assert direct_codes == [200, 200, 200, 429]
    assert proxied_codes == [200, 200, 200, 200]


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client can only prepend
        ("203.0.113.7, 10.0.0.9", "203.0.113.7"),  # a second proxy of ours in the chain
        ("not-an-ip, 203.0.113.7", "203.0.113.7"),
        ("", "10.0.0.5"),
    ],
)
def test_the_client_address_is_the_nearest_hop_that_is_not_our_proxy(forwarded, expected):
    scope = {
        "type": "http",
        "client": ("10.0.0.5", 4000),
        "headers": [(b"x-forwarded-for", forwarded.encode())] if forwarded else [],
    }
    assert client_address(scope, parse_networks(["10.0.0.0/8"])) == expected


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("POST", "/api/v1/estimates", "strict"),
        ("POST", "/api/v1/bookings", "strict"),
        ("POST", f"/api/v1/bookings/{uuid.uuid4()}/checkout", "strict"),
        ("POST", "/api/v1/payments", "strict"),
        ("POST", "/api/v1/payments/abc/refunds", "strict"),
        ("GET", "/api/v1/bookings", "standard"),
        ("POST", f"/api/v1/bookings/{uuid.uuid4()}/cancel", "standard"),
        ("GET", "/api/v1/me", "standard"),
        ("POST", "/api/v1/auth/tokens", "auth"),
        ("DELETE", "/api/v1/auth/tokens/1", "auth"),
        ("POST", "/api/v1/webhooks/stripe", "webhooks"),
        ("GET", "/api/v1/health", None),
        ("GET", "/admin/bookings", None),
    ],
)
def test_each_request_falls_in_one_bucket_by_method_and_path(method, path, bucket):
    assert classify(method, path) == bucket
