import pytest

from roadside_console.domain.core.auth import Role
from tests.factories import PASSWORD, make_service, make_tenant, make_user

pytestmark = pytest.mark.anyio


async def test_a_guest_sees_the_active_services_of_the_workspace_they_name(session, client):
    # given two active services, one withdrawn, and another operator's
    tenant = make_tenant(session)
    make_service(session, tenant, name="Towing", sort_order=1, per_mile_cents=300)
    make_service(session, tenant, name="Jump Start", sort_order=0)
    make_service(session, tenant, name="Winch Out", active=False)
    make_service(session, make_tenant(session), name="Lockout")
    # when
    response = await client.get("/api/v1/catalog/services", headers={"X-Workspace": tenant.slug})
    # then
    assert response.status_code == 200
    items = response.json()["items"]
    assert [s["name"] for s in items] == ["Jump Start", "Towing"]
    assert items[1]["per_mile_cents"] == 300 and items[1]["base_price_cents"] == 10000


async def test_a_token_of_one_workspace_cannot_ask_another(session, client):
    # given a customer of one workspace
    mine, theirs = make_tenant(session), make_tenant(session)
    customer = make_user(session, mine, role=Role.CUSTOMER)
    token = (
        await client.post(
            "/api/v1/auth/tokens",
            json={
                "workspace": mine.slug,
                "email": customer.email,
                "password": PASSWORD,
                "name": "a",
            },
        )
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    # when
    own = await client.get("/api/v1/catalog/services", headers=headers)
    other = await client.get(
        "/api/v1/catalog/services", headers={**headers, "X-Workspace": theirs.slug}
    )
    # then
    assert own.status_code == 200
    assert other.status_code == 422 and other.json()["code"] == "workspace_mismatch"


async def test_a_bad_token_is_a_401_even_where_guests_are_welcome(session, client):
    tenant = make_tenant(session)
    response = await client.get(
        "/api/v1/catalog/services",
        headers={"X-Workspace": tenant.slug, "Authorization": "Bearer rsk_nope"},
    )
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


async def test_an_estimate_can_be_read_back_by_its_location(session, client):
    tenant = make_tenant(session)
    service = make_service(session, tenant)
    guest = {"X-Workspace": tenant.slug}
    created = await client.post(
        "/api/v1/estimates", json={"service_id": str(service.id)}, headers=guest
    )
    shown = await client.get(created.headers["location"], headers=guest)
    assert created.status_code == 201
    assert shown.status_code == 200 and shown.json() == created.json()


async def test_an_estimate_with_bad_miles_or_an_unknown_service_names_the_field(session, client):
    tenant = make_tenant(session)
    guest = {"X-Workspace": tenant.slug}
    unknown = "3f6c1a2b-8d4e-4f5a-9b6c-7d8e9f0a1b2c"
    negative = await client.post(
        "/api/v1/estimates", json={"service_id": unknown, "towing_miles": -1}, headers=guest
    )
    missing = await client.post("/api/v1/estimates", json={"service_id": unknown}, headers=guest)
    assert negative.status_code == 422
    assert [e["field"] for e in negative.json()["errors"]] == ["towing_miles"]
    assert missing.status_code == 404 and missing.json()["code"] == "service_not_found"
    assert [e["field"] for e in missing.json()["errors"]] == ["service_id"]
