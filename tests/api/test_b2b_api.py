"""A partner's system: finance issues an account key, the partner prices, books and tracks."""

import pytest

from roadside_console.domain.core.auth import Role
from tests.api.test_bookings_api import _bearer, _booking_body
from tests.factories import make_user
from tests.pricing.conftest import add_pricing_world
from tests.pricing.test_quotes import add_account

pytestmark = pytest.mark.anyio


async def _account_key(client, world, account, finance_headers):
    response = await client.post(
        f"/api/v1/b2b/accounts/{account.id}/keys",
        json={"name": "Fleet dispatch system"},
        headers=finance_headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return {"Authorization": f"Bearer {response.json()['key']}"}


async def test_a_partner_books_on_its_contract_and_sees_only_its_accounts_bookings(session, client):
    # given two fleets, each with a key; Peachtree's contract fixes towing at $110
    world = add_pricing_world(session)
    finance = await _bearer(
        client, world.tenant, make_user(session, world.tenant, role=Role.FINANCE)
    )
    peachtree = add_account(session, world, service_prices={str(world.towing.id): 11000})
    other = add_account(session, world)
    partner = await _account_key(client, world, peachtree, finance)
    stranger = await _account_key(client, world, other, finance)
    # when Peachtree's system prices and books a 25-mile tow
    estimate = await client.post(
        "/api/v1/estimates",
        json={"service_id": str(world.towing.id), "towing_miles": 25},
        headers=partner,
    )
    booked = await client.post(
        "/api/v1/bookings",
        json=_booking_body(world.towing.id, quote_id=estimate.json()["id"], towing_miles=25),
        headers=partner,
    )
    # then it pays the contract price, lists it as its own, and the other fleet cannot see it
    assert estimate.status_code == 201, estimate.text
    assert estimate.json()["total_cents"] == 15500
    assert booked.status_code == 201, booked.text
    assert booked.json()["total_cents"] == 15500
    mine = await client.get("/api/v1/bookings", headers=partner)
    assert [b["id"] for b in mine.json()["items"]] == [booked.json()["id"]]
    theirs = await client.get("/api/v1/bookings", headers=stranger)
    assert theirs.json()["items"] == []
    peek = await client.get(booked.headers["location"], headers=stranger)
    assert peek.status_code == 404


async def test_a_partner_key_cannot_use_staff_routes_and_a_dispatcher_cannot_issue_keys(
    session, client
):
    world = add_pricing_world(session)
    account = add_account(session, world)
    dispatcher = await _bearer(
        client, world.tenant, make_user(session, world.tenant, role=Role.DISPATCHER)
    )
    refused = await client.post(
        f"/api/v1/b2b/accounts/{account.id}/keys", json={"name": "x"}, headers=dispatcher
    )
    assert refused.status_code == 403
    admin = await _bearer(client, world.tenant, make_user(session, world.tenant, role=Role.ADMIN))
    partner = await _account_key(client, world, account, admin)
    invite = await client.post(
        "/api/v1/providers/invites",
        json={"name": "X", "email": "x@example.com", "phone": "4045550100"},
        headers=partner,
    )
    assert invite.status_code == 403
