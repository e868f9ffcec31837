import uuid

import httpx
import pytest

from roadside_console.domain.core.auth import Role
from tests.factories import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.anyio


async def _new_token(client: httpx.AsyncClient, tenant, user, name: str = "CI") -> dict:
    response = await client.post(
        "/api/v1/auth/tokens",
        json={"workspace": tenant.slug, "email": user.email, "password": PASSWORD, "name": name},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_made_with_a_password_identifies_its_user_on_me(session, client):
    # given
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.DISPATCHER)
    # when
    response = await client.post(
        "/api/v1/auth/tokens",
        json={"workspace": tenant.slug, "email": user.email, "password": PASSWORD, "name": "CI"},
    )
    me = await client.get("/api/v1/me", headers=_bearer(response.json()["token"]))
    # then
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["name"] == "CI"
    assert uuid.UUID(response.json()["id"])
    assert me.status_code == 200
    assert me.json() == {
        "user_id": str(user.id),
        "tenant_id": str(tenant.id),
        "role": "dispatcher",
        "name": user.name,
    }


async def test_a_wrong_password_gets_a_generic_401_problem(session, client):
    # given
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    # when
    response = await client.post(
        "/api/v1/auth/tokens",
        json={"workspace": tenant.slug, "email": user.email, "password": "nope", "name": "CI"},
    )
    # then
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "Invalid email or password."
    assert response.json()["code"] == "invalid_credentials"


async def test_repeated_wrong_passwords_are_throttled_with_retry_after(session, client):
    # given ten failed attempts on one account
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    wrong = {"workspace": tenant.slug, "email": user.email, "password": "nope", "name": "CI"}
    for _ in range(10):
        assert (await client.post("/api/v1/auth/tokens", json=wrong)).status_code == 401
    # when even the right password is tried
    response = await client.post("/api/v1/auth/tokens", json={**wrong, "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert int(response.headers["retry-after"]) > 0


async def test_me_without_a_token_is_a_401_with_a_bearer_challenge(offline_client):
    # when
    response = await offline_client.get("/api/v1/me")
    # then
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "invalid_token"


async def test_a_revoked_token_stops_working(session, client):
    # given
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    issued = await _new_token(client, tenant, user)
    # when
    revoked = await client.delete(
        f"/api/v1/auth/tokens/{issued['id']}", headers=_bearer(issued["token"])
    )
    me = await client.get("/api/v1/me", headers=_bearer(issued["token"]))
    # then
    assert revoked.status_code == 204
    assert revoked.content == b""
    assert me.status_code == 401
    assert me.json()["detail"] == "Missing or invalid API token."


async def test_revoking_a_token_of_another_user_is_a_404_problem(session, client):
    # given two providers of one workspace
    tenant = make_tenant(session)
    mine = await _new_token(client, tenant, make_user(session, tenant, role=Role.PROVIDER))
    theirs = await _new_token(client, tenant, make_user(session, tenant, role=Role.PROVIDER))
    # when
    response = await client.delete(
        f"/api/v1/auth/tokens/{theirs['id']}", headers=_bearer(mine["token"])
    )
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "api_token_not_found"
