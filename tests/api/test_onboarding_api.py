"""Provider onboarding through the API: invite, join by the emailed link, approve."""

import re
import uuid

import pytest
from sqlmodel import select

from roadside_console.domain.core.auth import Role
from roadside_console.domain.notifications.models import OutboxMessage
from roadside_console.domain.providers.models import Provider, ProviderStatus
from tests.factories import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.anyio


async def _bearer(client, tenant, user):
    response = await client.post(
        "/api/v1/auth/tokens",
        json={"workspace": tenant.slug, "email": user.email, "password": PASSWORD, "name": "t"},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _token_from_outbox(session, email):
    message = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.recipient == email, OutboxMessage.topic == "providers.invite"
        )
    ).one()
    return re.search(r"token=(\S+)", message.body).group(1)


async def test_a_dispatcher_invites_and_an_admin_approves_a_provider_who_joined(session, client):
    # given a dispatcher and an admin
    tenant = make_tenant(session)
    dispatcher = await _bearer(client, tenant, make_user(session, tenant, role=Role.DISPATCHER))
    admin = await _bearer(client, tenant, make_user(session, tenant, role=Role.ADMIN))
    # when the dispatcher invites a technician, who joins with the emailed link
    invited = await client.post(
        "/api/v1/providers/invites",
        json={"name": "Marcus Hill", "email": "marcus@example.com", "phone": "404 555 0142"},
        headers=dispatcher,
    )
    token = _token_from_outbox(session, "marcus@example.com")
    joined = await client.post(
        "/api/v1/providers/join", json={"token": token, "password": "tow-truck-at-dawn"}
    )
    approved = await client.post(
        f"/api/v1/providers/{invited.json()['provider_id']}/approve",
        json={"reason": "Licence and insurance checked"},
        headers=admin,
    )
    # then the provider can sign in and is active
    assert invited.status_code == 201, invited.text
    assert joined.status_code == 201 and joined.json()["workspace"] == tenant.slug
    assert approved.status_code == 204
    signed_in = await client.post(
        "/api/v1/auth/tokens",
        json={
            "workspace": tenant.slug,
            "email": "marcus@example.com",
            "password": "tow-truck-at-dawn",
            "name": "phone",
        },
    )
    assert signed_in.status_code == 201
    session.expire_all()
    provider = session.get(Provider, uuid.UUID(invited.json()["provider_id"]))
    assert provider.status is ProviderStatus.ACTIVE


async def test_a_customer_cannot_invite_providers(session, client):
    tenant = make_tenant(session)
    customer = await _bearer(client, tenant, make_user(session, tenant, role=Role.CUSTOMER))
    response = await client.post(
        "/api/v1/providers/invites",
        json={"name": "X", "email": "x@example.com", "phone": "4045550100"},
        headers=customer,
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_bad_join_link_or_short_password_names_the_field(session, client):
    bad_token = await client.post(
        "/api/v1/providers/join", json={"token": "nope", "password": "long-enough-pass"}
    )
    assert bad_token.status_code == 422
    assert bad_token.json()["errors"][0]["field"] == "token"
    short = await client.post("/api/v1/providers/join", json={"token": "nope", "password": "x"})
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "password"
