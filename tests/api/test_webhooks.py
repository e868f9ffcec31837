"""The Stripe webhook endpoint and the payment routes, through the ASGI app."""

import uuid

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from api.v1.payments import get_checkout_gateway
from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.payments import checkout
from roadside_console.domain.payments.models import (
    PaymentStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from tests.factories import PASSWORD, actor_of
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


def _completed_card_job(session, uow_factory, world):
    """A completed job whose card checkout was started (the payment is pending)."""
    booking = world.booking(session)
    with uow_factory() as uow:
        started = checkout.start_card_checkout(
            uow,
            actor=actor_of(world.customer),
            booking_id=booking.id,
            gateway=se.FakeCheckoutGateway(),
            success_url="https://console.test/ok",
            cancel_url="https://console.test/cancel",
        )
    with uow_factory() as uow:
        bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)
    return started


def _row(session, evt):
    session.expire_all()
    return session.exec(select(WebhookEvent).where(WebhookEvent.event_id == evt["id"])).first()


async def test_a_refund_the_core_refuses_for_good_answers_200_so_stripe_stops_retrying(
    session, uow_factory, client, webhook_secret
):
    # given a confirmed card payment with an open chargeback
    world = make_world(session, tier=2)
    started = _completed_card_job(session, uow_factory, world)
    paid = await _post(client, se.event("checkout.session.completed", se.checkout_session(started)))
    disputed = await _post(client, se.event("charge.dispute.created", se.dispute()))
    assert [paid.json()["outcome"], disputed.json()["outcome"]] == ["processed", "processed"]
    evt = se.event(
        "charge.refunded", se.charge(amount=10000, amount_refunded=10000, refund_id="re_x")
    )
    # when Stripe reports a refund of the disputed payment
    response = await _post(client, evt)
    # then it is received and refused, with the reason kept for ops; the payment is untouched
    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "refused"}
    row = _row(session, evt)
    assert row.status is WebhookEventStatus.REFUSED
    assert row.reason == "payment_not_refundable: A disputed payment cannot be refunded."
    payment = payment_of(session, started.payment_id)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.DISPUTED, 0)
    # and Stripe's redelivery is a no-op
    replay = await _post(client, evt)
    assert (replay.status_code, replay.json()["outcome"]) == (200, "duplicate")


async def test_a_database_fault_answers_500_and_leaves_the_event_unclaimed_for_stripes_retry(
    session, uow_factory, client, webhook_secret
):
    # given a completed card job and a database that fails while posting the ledger
    world = make_world(session, tier=2)
    started = _completed_card_job(session, uow_factory, world)
    evt = se.event("checkout.session.completed", se.checkout_session(started))
    connection = session.connection()

    def fail_ledger_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO LEDGER_ENTRIES"):
            raise sa.exc.OperationalError(statement, parameters, Exception("connection lost"))

    sa.event.listen(connection, "before_cursor_execute", fail_ledger_writes)
    # when Stripe delivers the event
    try:
        failed = await _post(client, evt)
    finally:
        sa.event.remove(connection, "before_cursor_execute", fail_ledger_writes)
    # then it is a server error, nothing was kept, and the payment still waits
    assert failed.status_code == 500
    assert failed.json()["code"] == "internal_error"
    assert _row(session, evt) is None
    assert payment_of(session, started.payment_id).status is PaymentStatus.PENDING
    # and Stripe's retry, once the database is back, is handled in full
    retried = await _post(client, evt)
    assert (retried.status_code, retried.json()["outcome"]) == (200, "processed")
    assert payment_of(session, started.payment_id).status is PaymentStatus.CONFIRMED
    assert _row(session, evt).status is WebhookEventStatus.PROCESSED
    assert world.report(session).reconciled
