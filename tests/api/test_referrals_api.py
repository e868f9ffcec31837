import pytest

from roadside_console.domain.core.auth import Role
from tests.api.bearer import bearer
from tests.factories import make_tenant, make_user
from tests.referrals.support import customer_with_code, grant_credit

pytestmark = pytest.mark.anyio


async def test_anyone_can_check_a_code_and_learns_only_whether_it_is_valid(
    session, uow_factory, client
):
    # given a customer's code in a workspace
    tenant = make_tenant(session)
    _, code = customer_with_code(session, uow_factory, tenant)
    # when a visitor without a token checks it, typed loosely
    response = await client.get(
        f"/api/v1/referrals/codes/{code[:4].lower()}-{code[4:]}",
        params={"workspace": tenant.slug},
    )
    # then the answer is yes, and says nothing about the referrer
    assert response.status_code == 200
    assert response.json() == {"code": code, "valid": True}


@pytest.mark.parametrize("case", ["unknown code", "other workspace", "no such workspace"])
async def test_every_wrong_check_gets_the_same_plain_no(session, uow_factory, client, case):
    # given a code in one workspace
    tenant, other = make_tenant(session), make_tenant(session)
    _, code = customer_with_code(session, uow_factory, tenant)
    asked = {
        "unknown code": ("AAAAAAAA", tenant.slug),
        "other workspace": (code, other.slug),
        "no such workspace": (code, "no-such-workspace"),
    }[case]
    # when
    response = await client.get(
        f"/api/v1/referrals/codes/{asked[0]}", params={"workspace": asked[1]}
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"code": asked[0], "valid": False}


async def test_checking_a_code_needs_the_workspace(client):
    # when
    response = await client.get("/api/v1/referrals/codes/AAAAAAAA")
    # then
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.workspace"]


async def test_a_new_customer_applies_a_code_once(session, uow_factory, client):
    # given a referrer's code and a new customer
    tenant = make_tenant(session)
    _, code = customer_with_code(session, uow_factory, tenant)
    headers = bearer(uow_factory, make_user(session, tenant, role=Role.CUSTOMER))
    # when they apply it, then apply it again
    first = await client.post("/api/v1/referrals/apply", json={"code": code}, headers=headers)
    second = await client.post("/api/v1/referrals/apply", json={"code": code}, headers=headers)
    # then the referral is pending its first paid job, and a second one is a 409 on the field
    assert first.status_code == 201
    assert (first.json()["code"], first.json()["status"]) == (code, "pending")
    assert "referrer_id" not in first.json()
    assert second.status_code == 409
    assert second.json()["code"] == "referral_already_applied"
    assert [e["field"] for e in second.json()["errors"]] == ["code"]


async def test_an_unknown_code_is_a_422_naming_the_field(session, uow_factory, client):
    # given a new customer
    tenant = make_tenant(session)
    headers = bearer(uow_factory, make_user(session, tenant, role=Role.CUSTOMER))
    # when
    response = await client.post(
        "/api/v1/referrals/apply", json={"code": "AAAAAAAA"}, headers=headers
    )
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "referral_code_unknown"
    assert [e["field"] for e in response.json()["errors"]] == ["code"]


async def test_a_customer_sees_their_credit_balance(session, uow_factory, client):
    # given a customer with $15 of credit
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    grant_credit(session, tenant.id, customer.id, 1500)
    # when
    response = await client.get("/api/v1/referrals/balance", headers=bearer(uow_factory, customer))
    # then
    assert response.status_code == 200
    assert response.json() == {"customer_id": str(customer.id), "balance_cents": 1500}


async def test_a_provider_has_no_customer_balance(session, uow_factory, client):
    # given a provider
    provider = make_user(session, make_tenant(session), role=Role.PROVIDER)
    # when
    response = await client.get("/api/v1/referrals/balance", headers=bearer(uow_factory, provider))
    # then
    assert response.status_code == 403
