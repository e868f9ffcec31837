"""Security headers on every API answer, HSTS in production only, and CORS once mounted."""

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.app import create_api
from tests.api.conftest import client_for

pytestmark = pytest.mark.anyio

BASELINE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _crashing(api: FastAPI) -> FastAPI:
    @api.get("/api/v1/test-crash")
    def crash() -> None:
        raise RuntimeError("boom")

    return api


async def test_api_answers_carry_the_security_headers_errors_and_crashes_included(
    offline_client, offline_app
):
    # given
    _crashing(offline_app)
    # when
    unauthenticated = await offline_client.get("/api/v1/me")
    unknown = await offline_client.get("/api/v1/nothing-here")
    crashed = await offline_client.get("/api/v1/test-crash")
    # then
    for response in (unauthenticated, unknown, crashed):
        assert {k: response.headers.get(k) for k in BASELINE} == BASELINE
        assert "strict-transport-security" not in response.headers
    assert crashed.status_code == 500
    assert "ratelimit-remaining" in unauthenticated.headers["access-control-expose-headers"].lower()


async def test_production_adds_strict_transport_security(monkeypatch):
    # given
    monkeypatch.setenv("ROADSIDE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("HSTS_MAX_AGE_SECONDS", "86400")
    api = create_api(rate_limits=False)
    # when
    async with client_for(api) as client:
        response = await client.get("/api/v1/nothing-here")
    # then
    assert response.headers["strict-transport-security"] == "max-age=86400; includeSubDomains"


async def test_the_headers_can_be_replaced_or_turned_off():
    # given
    custom = create_api(security_headers={"X-Frame-Options": "SAMEORIGIN"})
    bare = create_api(security_headers=False)
    # when
    async with client_for(custom) as c1, client_for(bare) as c2:
        replaced = await c1.get("/api/v1/nothing-here")
        none = await c2.get("/api/v1/nothing-here")
    # then
    assert replaced.headers["x-frame-options"] == "SAMEORIGIN"
    assert "x-content-type-options" not in replaced.headers
    assert not any(k in none.headers for k in BASELINE)


async def test_console_pages_behind_the_api_do_not_get_the_api_headers():
    # given the console mounted the way Reflex mounts it
    api = create_api()
    api.mount("", Starlette(routes=[Route("/{p:path}", lambda r: PlainTextResponse("page"))]))
    # when
    async with client_for(api) as client:
        page = await client.get("/admin/bookings")
    # then
    assert page.text == "page"
    assert "x-frame-options" not in page.headers


async def test_once_reflex_mounts_the_api_cors_preflights_to_api_routes_are_answered():
    # given the API wrapped the way `rx.App(api_transformer=create_api())` wraps it
    from reflex.app import App

    api = create_api()
    App._add_cors(api)
    # when a browser on another origin asks before calling the API
    async with client_for(api) as client:
        preflight = await client.options(
            "/api/v1/me",
            headers={
                "Origin": "https://console.example.com",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
    # then CORS_ALLOWED_ORIGINS (any origin outside production) lets it through
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://console.example.com"
