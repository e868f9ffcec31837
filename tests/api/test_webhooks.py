"""The Stripe webhook endpoint and the payment routes, through the ASGI app."""

import uuid

import pytest
from sqlmodel import func, select

from api.v1.payments import get_checkout_gateway
from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.payments.models import PaymentStatus, WebhookEvent
from tests.factories import PASSWORD
from tests.payments import stripe_events as se
from tests.payments.support import make_world, payment_of

pytestmark = pytest.mark.anyio

URL = "/api/v1/webhooks/stripe"


@pytest.fixture()
def webhook_secret(monkeypatch):
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", se.WEBHOOK_SECRET)
    return se.WEBHOOK_SECRET


@pytest.fixture()
def gateway(app):
    fake = se.FakeCheckoutGateway()
    app.dependency_overrides[get_checkout_gateway] = lambda: fake
    return fake


def _event_count(session):
    return session.exec(select(func.count()).select_from(WebhookEvent)).one()


async def _bearer(client, world, user):
    response = await client.post(
        "/api/v1/auth/tokens",
        json={
            "workspace": world.tenant.slug,
            "email": user.email,
            "password": PASSWORD,
            "name": "test",
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _post(client, evt, *, signature=None, secret=se.WEBHOOK_SECRET):
    payload = se.body(evt)
    headers = {"Content-Type": "application/json"}
    header = se.sign(payload, secret) if signature is None else signature
    if header:
        headers["Stripe-Signature"] = header
    return await client.post(URL, content=payload, headers=headers)


@pytest.mark.parametrize(
    ("signature", "secret"),
    [("", se.WEBHOOK_SECRET), (None, "whsec_someone_else"), ("t=1,v1=deadbeef", se.WEBHOOK_SECRET)],
    ids=["missing", "wrong-secret", "stale-and-bad"],
)
async def test_a_webhook_without_a_valid_signature_is_refused_and_nothing_is_written(
    session, client, webhook_secret, signature, secret
):
    # given
    before = _event_count(session)
    evt = se.event("customer.created", {"id": "cus_1", "object": "customer"})
    # when
    response = await _post(client, evt, signature=signature, secret=secret)
    # then
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_signature"
    assert _event_count(session) == before


async def test_a_tampered_body_is_refused(session, client, webhook_secret):
    # given a signature for another body
    evt = se.event("customer.created", {"id": "cus_1", "object": "customer"})
    signature = se.sign(b'{"id": "evt_other"}')
    # when
    response = await _post(client, evt, signature=signature)
    # then
    assert response.status_code == 400


async def test_webhooks_answer_503_until_the_secret_is_configured(session, client, monkeypatch):
    # given
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "")
    # when
    response = await _post(client, se.event("customer.created", {"id": "cus_1"}))
    # then
    assert response.status_code == 503
    assert response.json()["code"] == "stripe_webhooks_not_configured"


async def test_an_unknown_event_type_answers_200_and_is_recorded_as_skipped(
    session, client, webhook_secret
):
    # given
    evt = se.event("customer.created", {"id": "cus_1", "object": "customer"})
    # when
    response = await _post(client, evt)
    # then
    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "skipped"}
    row = session.exec(select(WebhookEvent).where(WebhookEvent.event_id == evt["id"])).one()
    assert row.status.value == "skipped"


async def test_a_signed_paid_checkout_confirms_the_payment_and_a_replay_is_a_200_no_op(
    session, client, webhook_secret, gateway
):
    # given a tier-2 customer who started a card checkout through the API
    world = make_world(session, tier=2)
    booking = world.booking(session)
    headers = await _bearer(client, world, world.customer)
    started = await client.post(f"/api/v1/bookings/{booking.id}/checkout", headers=headers)
    assert started.status_code == 201, started.text
    view = started.json()
    assert view["url"].startswith("https://checkout.test/")
    (request,) = gateway.requests
    assert request.metadata["booking_id"] == str(booking.id)
    assert request.metadata["tenant_id"] == str(world.ids["tenant"])
    assert request.idempotency_key and request.amount_cents == 10000
    session_obj = {
        "id": view["checkout_session_id"],
        "object": "checkout.session",
        "amount_total": 10000,
        "payment_status": "paid",
        "payment_intent": "pi_api_1",
        "metadata": dict(request.metadata),
    }
    evt = se.event("checkout.session.completed", session_obj)
    # when the event arrives, then again
    first = await _post(client, evt)
    replay = await _post(client, evt)
    # then
    assert (first.status_code, first.json()["outcome"]) == (200, "processed")
    assert (replay.status_code, replay.json()["outcome"]) == (200, "duplicate")
    assert payment_of(session, uuid.UUID(view["payment_id"])).status is PaymentStatus.CONFIRMED
    assert world.report(session).reconciled


async def test_a_tier_1_customer_cannot_start_a_card_checkout_and_the_attempt_is_audited(
    session, client, gateway
):
    # given
    world = make_world(session, tier=1)
    booking = world.booking(session)
    headers = await _bearer(client, world, world.customer)
    # when
    methods = await client.get(
        "/api/v1/payments/methods", params={"booking_id": str(booking.id)}, headers=headers
    )
    response = await client.post(f"/api/v1/bookings/{booking.id}/checkout", headers=headers)
    # then
    assert methods.json()["methods"] == ["cash", "cashapp", "zelle"]
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payment_method_not_allowed"
    assert "cash, CashApp or Zelle" in response.json()["detail"]
    assert gateway.requests == []
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "payment.method_refused", AuditEntry.target_id == str(booking.id)
        )
    ).one()
    assert audit.changes["method"] == "stripe"


async def test_a_tier_2_customer_sees_card_among_the_methods(session, client):
    # given
    world = make_world(session, tier=2)
    booking = world.booking(session)
    headers = await _bearer(client, world, world.customer)
    # when
    response = await client.get(
        "/api/v1/payments/methods", params={"booking_id": str(booking.id)}, headers=headers
    )
    # then
    assert response.status_code == 200
    assert response.json()["methods"] == ["cash", "cashapp", "zelle", "stripe"]


async def test_checkout_answers_503_when_stripe_is_not_configured(session, client, monkeypatch):
    # given
    monkeypatch.setenv("STRIPE_SECRET_KEY", "")
    world = make_world(session, tier=2)
    booking = world.booking(session)
    headers = await _bearer(client, world, world.customer)
    # when
    response = await client.post(f"/api/v1/bookings/{booking.id}/checkout", headers=headers)
    # then
    assert response.status_code == 503
    assert response.json()["code"] == "card_payments_not_configured"
