"""Races on PostgreSQL with committed data: two refunds, and "completed" against "paid"."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlmodel import Session, select

from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger.service import reconcile_tenant
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import Payment, PaymentMethod, Refund
from roadside_console.domain.payouts.models import PayoutKind, ProviderPayout
from roadside_console.domain.tenants.models import Tenant
from tests.payments.support import make_world


def _uow(engine):
    return UnitOfWork(lambda: Session(engine, expire_on_commit=False))


def _cleanup(engine, tenant_id):
    with Session(engine) as session:
        session.delete(session.get(Tenant, tenant_id))
        session.commit()


def test_two_refunds_racing_on_postgresql_cannot_exceed_the_amount_paid(pg_engine):
    # given a committed, confirmed $100 payment
    with Session(pg_engine, expire_on_commit=False) as session:
        world = make_world(session)
        booking = world.booking(session)
    with _uow(pg_engine) as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )
    with _uow(pg_engine) as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    barrier = Barrier(2)

    def refund(reference):
        with _uow(pg_engine) as uow:
            uow.session.get(Payment, view.payment_id)  # both read "nothing refunded yet"
            barrier.wait()
            try:
                payments.refund_payment(
                    uow,
                    actor=world.finance,
                    payment_id=view.payment_id,
                    amount_cents=6000,
                    reference=reference,
                )
                return "refunded"
            except ValidationFailed as refused:
                return refused.code

    try:
        # when two $60 refunds race
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(refund, ["R-1", "R-2"]))
        # then one wins and the payment never goes past its amount
        assert outcomes == ["refund_exceeds_refundable", "refunded"]
        with Session(pg_engine) as session:
            assert session.get(Payment, view.payment_id).refunded_cents == 6000
            refunds = session.exec(select(Refund).where(Refund.payment_id == view.payment_id))
            assert len(refunds.all()) == 1
            assert reconcile_tenant(session, tenant_id=world.ids["tenant"]).reconciled
    finally:
        _cleanup(pg_engine, world.ids["tenant"])


def test_completing_and_confirming_at_once_on_postgresql_creates_the_payout_once(pg_engine):
    # given an in-progress job with a recorded payment
    with Session(pg_engine, expire_on_commit=False) as session:
        world = make_world(session)
        booking = world.booking(session)
    with _uow(pg_engine) as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )
    barrier = Barrier(2)

    def act(which):
        with _uow(pg_engine) as uow:
            barrier.wait()
            if which == "complete":
                bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)
            else:
                payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)

    try:
        # when the provider completes while finance confirms
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(act, ["complete", "confirm"]))
        # then exactly one earning exists, whichever came last
        with Session(pg_engine) as session:
            earnings = session.exec(
                select(ProviderPayout).where(
                    ProviderPayout.booking_id == booking.id,
                    ProviderPayout.kind == PayoutKind.EARNING,
                )
            ).all()
            assert len(earnings) == 1
            assert reconcile_tenant(session, tenant_id=world.ids["tenant"]).reconciled
    finally:
        _cleanup(pg_engine, world.ids["tenant"])


def test_two_payments_of_one_customer_confirmed_at_once_on_postgresql_both_count_for_trust(
    pg_engine,
):
    # given one customer with a recorded payment on each of two jobs
    with Session(pg_engine, expire_on_commit=False) as session:
        world = make_world(session)
        jobs = [world.booking(session), world.booking(session)]
    views = []
    for job in jobs:
        with _uow(pg_engine) as uow:
            views.append(
                payments.record_payment(
                    uow, actor=world.finance, booking_id=job.id, method=PaymentMethod.CASH
                )
            )
    barrier = Barrier(2)

    def confirm(view):
        with _uow(pg_engine) as uow:
            customer = uow.session.get(User, world.ids["customer"])
            assert customer.clean_payment_count == 0  # both have read "no clean payment yet"
            barrier.wait()
            payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)

    try:
        # when both are confirmed at the same moment
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(confirm, views))
        # then both count
        with Session(pg_engine) as session:
            assert session.get(User, world.ids["customer"]).clean_payment_count == 2
    finally:
        _cleanup(pg_engine, world.ids["tenant"])
