"""Stripe events through the domain: claimed once, each type moves money and the ledger right."""

import logging
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlmodel import Session, select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger.service import reconcile_tenant
from roadside_console.domain.payments import checkout, webhooks
from roadside_console.domain.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    WebhookEvent,
    WebhookEventStatus,
)
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.models import PayoutKind, ProviderPayout
from roadside_console.domain.tenants.models import Tenant
from tests.factories import actor_of
from tests.payments import stripe_events as se
from tests.payments.support import earnings, make_world, payment_of


def _customer_actor(world):
    return actor_of(world.customer)


def _checkout(uow_factory, world, booking):
    with uow_factory() as uow:
        return checkout.start_card_checkout(
            uow,
            actor=_customer_actor(world),
            booking_id=booking.id,
            gateway=se.FakeCheckoutGateway(),
            success_url="https://console.test/ok",
            cancel_url="https://console.test/cancel",
        )


def _deliver(uow_factory, evt):
    return webhooks.handle_stripe_event(uow_factory, evt)


def _events(session, event_id):
    session.expire_all()
    return session.exec(select(WebhookEvent).where(WebhookEvent.event_id == event_id)).all()


def _complete(uow_factory, world, booking):
    with uow_factory() as uow:
        bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)


def test_a_paid_checkout_confirms_the_payment_for_the_amount_charged_and_reconciles(
    session, uow_factory
):
    # given a tier-2 customer's completed job with a card checkout started
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    _complete(uow_factory, world, booking)
    # when Stripe reports the session paid, $5 off with a promotion code
    evt = se.event(
        "checkout.session.completed",
        se.checkout_session(started, amount_total=9500, tenant_id=world.ids["tenant"]),
    )
    outcome = _deliver(uow_factory, evt)
    # then
    payment = payment_of(session, started.payment_id)
    assert outcome == "processed"
    assert payment.status is PaymentStatus.CONFIRMED and payment.amount_cents == 9500
    assert payment.stripe_payment_intent_id == "pi_test_1"
    assert len(earnings(session, booking)) == 1
    assert world.report(session).reconciled
    (row,) = _events(session, evt["id"])
    assert row.status is WebhookEventStatus.PROCESSED and row.tenant_id == world.ids["tenant"]


def test_a_completed_but_unpaid_checkout_leaves_the_payment_pending_until_funds_arrive(
    session, uow_factory
):
    # given
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    # when a bank debit completes the session but has not settled
    _deliver(
        uow_factory,
        se.event(
            "checkout.session.completed",
            se.checkout_session(started, payment_status="unpaid"),
        ),
    )
    pending = payment_of(session, started.payment_id)
    # then it stays pending; the later success confirms it
    assert pending.status is PaymentStatus.PENDING
    assert pending.stripe_payment_intent_id == "pi_test_1"
    _deliver(
        uow_factory,
        se.event("checkout.session.async_payment_succeeded", se.checkout_session(started)),
    )
    assert payment_of(session, started.payment_id).status is PaymentStatus.CONFIRMED


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("checkout.session.async_payment_failed", PaymentStatus.FAILED),
        ("checkout.session.expired", PaymentStatus.EXPIRED),
    ],
)
def test_a_failed_or_expired_checkout_closes_the_pending_payment(
    session, uow_factory, kind, status
):
    # given
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    # when
    _deliver(uow_factory, se.event(kind, se.checkout_session(started, payment_status="unpaid")))
    # then
    assert payment_of(session, started.payment_id).status is status
    assert world.report(session).reconciled


def test_a_replayed_event_is_a_no_op(session, uow_factory):
    # given a processed event
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    paid = se.event("checkout.session.completed", se.checkout_session(started))
    refunded = se.event(
        "charge.refunded", se.charge(amount=10000, amount_refunded=4000, refund_id="re_1")
    )
    _deliver(uow_factory, paid)
    _deliver(uow_factory, refunded)
    # when both are delivered again
    outcomes = [_deliver(uow_factory, paid), _deliver(uow_factory, refunded)]
    # then
    assert outcomes == ["duplicate", "duplicate"]
    assert payment_of(session, started.payment_id).refunded_cents == 4000
    assert len(_events(session, paid["id"])) == 1


def test_an_unknown_event_type_is_recorded_as_skipped(session, uow_factory):
    # given
    evt = se.event("customer.created", {"id": "cus_1", "object": "customer"})
    # when
    outcome = _deliver(uow_factory, evt)
    # then
    (row,) = _events(session, evt["id"])
    assert outcome == "skipped" and row.status is WebhookEventStatus.SKIPPED
    assert _deliver(uow_factory, evt) == "duplicate"


def test_an_event_for_a_payment_we_do_not_know_is_skipped(session, uow_factory):
    # when
    evt = se.event("charge.refunded", se.charge(intent="pi_elsewhere", amount=1, amount_refunded=1))
    outcome = _deliver(uow_factory, evt)
    # then
    assert outcome == "skipped"
    assert _events(session, evt["id"])[0].status is WebhookEventStatus.SKIPPED


def test_a_partial_then_a_full_refund_at_stripe_are_recorded_as_the_differences(
    session, uow_factory
):
    # given a confirmed card payment on a completed job
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    _complete(uow_factory, world, booking)
    _deliver(uow_factory, se.event("checkout.session.completed", se.checkout_session(started)))
    # when Stripe refunds $30, then the rest
    _deliver(
        uow_factory,
        se.event(
            "charge.refunded", se.charge(amount=10000, amount_refunded=3000, refund_id="re_a")
        ),
    )
    partial = payment_of(session, started.payment_id)
    assert (partial.status, partial.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 3000)
    _deliver(
        uow_factory,
        se.event(
            "charge.refunded", se.charge(amount=10000, amount_refunded=10000, refund_id="re_b")
        ),
    )
    # then
    full = payment_of(session, started.payment_id)
    assert (full.status, full.refunded_cents) == (PaymentStatus.REFUNDED, 10000)
    assert full.stripe_charge_id == "ch_test_1"
    refunds = session.exec(select(Refund).where(Refund.payment_id == full.id)).all()
    assert sorted((r.amount_cents, r.stripe_refund_id) for r in refunds) == [
        (3000, "re_a"),
        (7000, "re_b"),
    ]
    assert world.report(session).reconciled


def test_a_lost_dispute_refunds_the_rest_claws_back_and_demotes_the_customer(session, uow_factory):
    # given a paid-out card job
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    _complete(uow_factory, world, booking)
    _deliver(uow_factory, se.event("checkout.session.completed", se.checkout_session(started)))
    with uow_factory() as uow:
        run_payout_batch(uow, actor=world.finance)
    # when the chargeback opens, then is lost
    _deliver(uow_factory, se.event("charge.dispute.created", se.dispute()))
    disputed = payment_of(session, started.payment_id)
    customer = session.get(User, world.ids["customer"])
    assert disputed.status is PaymentStatus.DISPUTED and customer.trust_tier == 1
    _deliver(uow_factory, se.event("charge.dispute.closed", se.dispute(status="lost")))
    # then
    lost = payment_of(session, started.payment_id)
    assert (lost.status, lost.refunded_cents) == (PaymentStatus.REFUNDED, 10000)
    clawbacks = session.exec(
        select(ProviderPayout).where(
            ProviderPayout.booking_id == booking.id, ProviderPayout.kind == PayoutKind.CLAWBACK
        )
    ).all()
    assert len(clawbacks) == 1 and clawbacks[0].amount_cents < 0
    assert world.report(session).reconciled


def test_a_won_dispute_restores_the_payment(session, uow_factory):
    # given
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    _deliver(uow_factory, se.event("checkout.session.completed", se.checkout_session(started)))
    _deliver(uow_factory, se.event("charge.dispute.created", se.dispute()))
    # when
    _deliver(uow_factory, se.event("charge.dispute.closed", se.dispute(status="won")))
    # then
    assert payment_of(session, started.payment_id).status is PaymentStatus.CONFIRMED
    assert world.report(session).reconciled


def test_a_failed_card_attempt_is_audited_and_the_checkout_stays_open(session, uow_factory):
    # given
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    intent = {
        "id": "pi_test_9",
        "object": "payment_intent",
        "metadata": {"payment_id": str(started.payment_id), "tenant_id": str(world.ids["tenant"])},
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
    }
    # when
    _deliver(uow_factory, se.event("payment_intent.payment_failed", intent))
    # then
    assert payment_of(session, started.payment_id).status is PaymentStatus.PENDING
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.action == "payment.attempt_failed")
    ).one()
    assert audit.changes["code"] == "card_declined"


def test_a_handler_failure_releases_the_claim_so_the_retry_is_handled(
    session, uow_factory, monkeypatch
):
    # given a handler that breaks once
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    evt = se.event("checkout.session.completed", se.checkout_session(started))
    real = webhooks.HANDLERS["checkout.session.completed"]

    def broken(uow, payment, obj, now):
        real(uow, payment, obj, now)
        raise RuntimeError("database went away")

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", broken)
    # when
    with pytest.raises(RuntimeError):
        _deliver(uow_factory, evt)
    # then nothing stuck: no claim left, payment still pending, and the retry confirms it
    assert _events(session, evt["id"]) == []
    assert payment_of(session, started.payment_id).status is PaymentStatus.PENDING
    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", real)
    assert _deliver(uow_factory, evt) == "processed"
    assert payment_of(session, started.payment_id).status is PaymentStatus.CONFIRMED


def _confirmed_card_payment(session, uow_factory, world):
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    _complete(uow_factory, world, booking)
    _deliver(uow_factory, se.event("checkout.session.completed", se.checkout_session(started)))
    return started


def test_a_refund_of_a_disputed_payment_is_refused_for_good_with_its_reason_kept_and_logged(
    session, uow_factory, caplog
):
    # given a confirmed card payment under an open chargeback
    world = make_world(session, tier=2)
    started = _confirmed_card_payment(session, uow_factory, world)
    _deliver(uow_factory, se.event("charge.dispute.created", se.dispute()))
    caplog.set_level(logging.WARNING, logger=webhooks.__name__)
    evt = se.event(
        "charge.refunded", se.charge(amount=10000, amount_refunded=3000, refund_id="re_d")
    )
    # when Stripe reports a refund of it
    outcome = _deliver(uow_factory, evt)
    # then the event is answered, kept as refused with the reason, and nothing moved
    assert outcome == "refused"
    (row,) = _events(session, evt["id"])
    assert row.status is WebhookEventStatus.REFUSED and row.tenant_id == world.ids["tenant"]
    assert row.reason == "payment_not_refundable: A disputed payment cannot be refunded."
    payment = payment_of(session, started.payment_id)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.DISPUTED, 0)
    assert session.exec(select(Refund).where(Refund.payment_id == payment.id)).all() == []
    assert world.report(session).reconciled
    (warning,) = [r for r in caplog.records if r.name == webhooks.__name__]
    assert warning.levelno == logging.WARNING and evt["id"] in warning.getMessage()
    assert "payment_not_refundable" in warning.getMessage()
    # and a redelivery changes nothing
    assert _deliver(uow_factory, evt) == "duplicate"


def test_a_refund_above_what_remains_is_refused_for_good(session, uow_factory):
    # given a confirmed $100 card payment with $40 refunded
    world = make_world(session, tier=2)
    started = _confirmed_card_payment(session, uow_factory, world)
    _deliver(
        uow_factory,
        se.event(
            "charge.refunded", se.charge(amount=10000, amount_refunded=4000, refund_id="re_1")
        ),
    )
    # when Stripe reports $120 refunded in all
    evt = se.event(
        "charge.refunded", se.charge(amount=10000, amount_refunded=12000, refund_id="re_2")
    )
    outcome = _deliver(uow_factory, evt)
    # then
    assert outcome == "refused"
    (row,) = _events(session, evt["id"])
    assert row.status is WebhookEventStatus.REFUSED
    assert row.reason == (
        "refund_exceeds_refundable: At most 6000 cents of this payment can still be refunded."
    )
    payment = payment_of(session, started.payment_id)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 4000)
    assert world.report(session).reconciled


def test_a_refund_that_overtakes_the_payments_confirmation_is_left_for_stripe_to_retry(
    session, uow_factory
):
    # given a card checkout whose completion Stripe has not delivered yet
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    charge = se.charge(amount=10000, amount_refunded=2500, refund_id="re_early")
    # the charge carries the payment intent's metadata, set when the checkout was created
    charge["metadata"] = {
        "payment_id": str(started.payment_id),
        "tenant_id": str(world.ids["tenant"]),
    }
    refunded = se.event("charge.refunded", charge)
    # when the refund arrives first
    with pytest.raises(ValidationFailed) as refused:
        _deliver(uow_factory, refunded)
    # then it is an error with no claim kept, so Stripe's retry after the confirmation applies it
    assert refused.value.code == "payment_not_refundable"
    assert _events(session, refunded["id"]) == []
    _deliver(uow_factory, se.event("checkout.session.completed", se.checkout_session(started)))
    assert _deliver(uow_factory, refunded) == "processed"
    payment = payment_of(session, started.payment_id)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 2500)
    assert world.report(session).reconciled


def test_a_paid_checkout_for_an_expired_payment_is_refused_for_good(session, uow_factory):
    # given a checkout that expired
    world = make_world(session, tier=2)
    booking = world.booking(session)
    started = _checkout(uow_factory, world, booking)
    _deliver(
        uow_factory,
        se.event("checkout.session.expired", se.checkout_session(started, payment_status="unpaid")),
    )
    # when a completion for it arrives anyway
    evt = se.event("checkout.session.completed", se.checkout_session(started))
    outcome = _deliver(uow_factory, evt)
    # then
    assert outcome == "refused"
    (row,) = _events(session, evt["id"])
    assert row.reason.startswith("payment_not_pending: ")
    assert payment_of(session, started.payment_id).status is PaymentStatus.EXPIRED


def _pg_uow(engine):
    return UnitOfWork(lambda: Session(engine, expire_on_commit=False))


def test_the_same_event_delivered_10_times_in_parallel_on_postgresql_is_processed_once(
    pg_engine,
):
    # given a committed pending card payment on a completed job
    with Session(pg_engine, expire_on_commit=False) as session:
        world = make_world(session, tier=2)
        booking = world.booking(session)
    started = _checkout(lambda: _pg_uow(pg_engine), world, booking)
    _complete(lambda: _pg_uow(pg_engine), world, booking)
    evt = se.event("checkout.session.completed", se.checkout_session(started))
    barrier = Barrier(10)

    def deliver(_):
        barrier.wait()
        return webhooks.handle_stripe_event(lambda: _pg_uow(pg_engine), dict(evt))

    try:
        # when
        with ThreadPoolExecutor(10) as pool:
            outcomes = sorted(pool.map(deliver, range(10)))
        # then
        assert outcomes == ["duplicate"] * 9 + ["processed"]
        with Session(pg_engine) as session:
            payment = session.get(Payment, started.payment_id)
            assert payment.status is PaymentStatus.CONFIRMED
            rows = session.exec(select(WebhookEvent).where(WebhookEvent.event_id == evt["id"]))
            assert [r.status for r in rows] == [WebhookEventStatus.PROCESSED]
            payouts = session.exec(
                select(ProviderPayout).where(ProviderPayout.booking_id == booking.id)
            ).all()
            assert len(payouts) == 1
            assert reconcile_tenant(session, tenant_id=world.ids["tenant"]).reconciled
    finally:
        with Session(pg_engine) as session:
            session.execute(
                WebhookEvent.__table__.delete().where(
                    WebhookEvent.__table__.c.event_id == evt["id"]
                )
            )
            session.delete(session.get(Tenant, world.ids["tenant"]))
            session.commit()
