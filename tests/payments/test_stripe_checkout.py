"""The Stripe adapter against a local fake of the Stripe API, and the checkout use case."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlmodel import select

from roadside_console.domain.core.settings import Settings
from roadside_console.domain.payments import checkout
from roadside_console.domain.payments.gateway import OfflineGateway
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.integrations.stripe_checkout import (
    InvalidWebhook,
    StripeGateway,
    gateway_from_settings,
    refund_gateway_from_settings,
    verify_event,
)
from tests.factories import actor_of
from tests.payments import stripe_events as se
from tests.payments.support import make_world


class FakeStripe(BaseHTTPRequestHandler):
    """`POST /v1/checkout/sessions` and `POST /v1/refunds`, honouring idempotency keys."""

    calls: list[tuple[str, dict[str, str], dict[str, list[str]]]] = []
    by_key: dict[str, dict] = {}

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        key = self.headers.get("Idempotency-Key", "")
        type(self).calls.append((self.path, dict(self.headers), form))
        if self.path == "/v1/checkout/sessions":
            body = {
                "id": f"cs_test_{len(self.by_key) + 1}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{len(self.by_key) + 1}",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"][0]),
                "metadata": {},
            }
        elif self.path == "/v1/refunds":
            body = {"id": f"re_test_{len(self.by_key) + 1}", "object": "refund"}
        else:
            self.send_error(404)
            return
        body = type(self).by_key.setdefault(key, body)
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_stripe() -> Iterator[str]:
    FakeStripe.calls, FakeStripe.by_key = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_adapter_creates_a_checkout_session_through_the_official_sdk(fake_stripe):
    # given
    gateway = StripeGateway("sk_test_123", api_base=fake_stripe)
    request = checkout.CheckoutRequest(
        amount_cents=12500,
        currency="usd",
        description="Roadside assistance RS-1",
        success_url="https://console.test/ok",
        cancel_url="https://console.test/cancel",
        client_reference_id="pay-1",
        idempotency_key="checkout-pay-1-12500",
        metadata={"booking_id": "b-1", "tenant_id": "t-1", "payment_id": "pay-1"},
    )
    # when asked twice with the same key
    first = gateway.create_checkout_session(request)
    again = gateway.create_checkout_session(request)
    # then
    assert first == again
    assert first.session_id == "cs_test_1" and first.url.startswith("https://checkout.stripe")
    path, headers, form = FakeStripe.calls[0]
    assert path == "/v1/checkout/sessions"
    assert headers["Idempotency-Key"] == "checkout-pay-1-12500"
    assert headers["Authorization"] == "Bearer sk_test_123"
    assert form["mode"] == ["payment"]
    assert form["metadata[booking_id]"] == ["b-1"] and form["metadata[tenant_id]"] == ["t-1"]
    assert form["payment_intent_data[metadata][payment_id]"] == ["pay-1"]
    assert form["line_items[0][price_data][unit_amount]"] == ["12500"]


def test_the_adapter_refunds_a_card_payment_under_an_idempotency_key(fake_stripe):
    # given
    gateway = StripeGateway("sk_test_123", api_base=fake_stripe)
    payment = Payment(
        tenant_id=None,  # type: ignore[arg-type]
        booking_id=None,  # type: ignore[arg-type]
        method=PaymentMethod.STRIPE,
        amount_cents=5000,
        stripe_payment_intent_id="pi_1",
    )
    # when
    refund_id = gateway.refund(payment=payment, amount_cents=2000, idempotency_key="refund-1")
    # then
    path, headers, form = FakeStripe.calls[0]
    assert refund_id == "re_test_1" and path == "/v1/refunds"
    assert headers["Idempotency-Key"] == "refund-1"
    assert form == {"amount": ["2000"], "payment_intent": ["pi_1"]}


def test_a_tier_2_customer_starts_a_checkout_for_the_booking_price_against_stripe(
    session, uow_factory, fake_stripe
):
    # given
    world = make_world(session, tier=2)
    booking = world.booking(session, price=8800)
    gateway = StripeGateway("sk_test_123", api_base=fake_stripe)

    def start():
        with uow_factory() as uow:
            return checkout.start_card_checkout(
                uow,
                actor=actor_of(world.customer),
                booking_id=booking.id,
                gateway=gateway,
                success_url="https://console.test/ok",
                cancel_url="https://console.test/cancel",
            )

    # when the customer clicks twice
    first, second = start(), start()
    # then one pending card payment, one session
    assert first == second
    payments = session.exec(select(Payment).where(Payment.booking_id == booking.id)).all()
    assert len(payments) == 1
    assert payments[0].status is PaymentStatus.PENDING
    assert payments[0].method is PaymentMethod.STRIPE and payments[0].amount_cents == 8800
    assert payments[0].stripe_checkout_session_id == first.checkout_session_id
    assert {call[1]["Idempotency-Key"] for call in FakeStripe.calls} == {
        f"checkout-{first.payment_id}-8800"
    }
    assert FakeStripe.calls[0][2]["metadata[booking_id]"] == [str(booking.id)]


def test_gateway_from_settings_needs_a_secret_key():
    assert gateway_from_settings(Settings(stripe_secret_key=None)) is None
    assert isinstance(gateway_from_settings(Settings(stripe_secret_key="sk_test_1")), StripeGateway)


def test_card_refunds_go_offline_only_outside_production():
    # with a key they go to Stripe; without one, offline in the demo, and nowhere in production
    keyed = Settings(stripe_secret_key="sk_test_1", stripe_webhook_secret="whsec_1")
    assert isinstance(refund_gateway_from_settings(keyed), StripeGateway)
    assert isinstance(
        refund_gateway_from_settings(Settings(stripe_secret_key=None)), OfflineGateway
    )
    production = Settings(roadside_env="production", secret_key="s" * 48, stripe_secret_key=None)
    assert refund_gateway_from_settings(production) is None


def test_verify_event_accepts_a_payload_signed_with_stripes_scheme_and_refuses_others():
    # given
    payload = se.body(se.event("charge.refunded", {"id": "ch_1", "object": "charge"}))
    # then
    assert verify_event(payload, se.sign(payload), se.WEBHOOK_SECRET)["type"] == "charge.refunded"
    with pytest.raises(InvalidWebhook):
        verify_event(payload, None, se.WEBHOOK_SECRET)
    with pytest.raises(InvalidWebhook):
        verify_event(payload, se.sign(payload, timestamp=1), se.WEBHOOK_SECRET)
    with pytest.raises(InvalidWebhook):
        verify_event(b"not json", se.sign(b"not json"), se.WEBHOOK_SECRET)
