import csv
import io

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.export import export_batch_csv, transfer_reference
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from tests.payments.support import make_world


def _job(session, uow_factory, world, price=10000):
    booking = world.booking(session, price=price)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    with uow_factory() as uow:
        bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)
    return booking, view.payment_id


def _payouts(session, world):
    session.expire_all()
    return list(
        session.exec(
            select(ProviderPayout)
            .where(ProviderPayout.provider_id == world.provider.id)
            .order_by(ProviderPayout.created_at)
        )
    )


def test_a_batch_pays_every_pending_payout_in_one_go_and_audits_each_provider(session, uow_factory):
    # given two completed, paid jobs
    world = make_world(session)
    _job(session, uow_factory, world, 10000)
    _job(session, uow_factory, world, 20000)
    # when
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    # then
    assert (result.total_cents, result.provider_count, result.payout_count) == (21000, 1, 2)
    assert {p.status for p in _payouts(session, world)} == {PayoutStatus.PAID}
    assert session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "payout.paid", AuditEntry.target_id == str(world.provider.id)
        )
    ).one()
    assert world.report(session).reconciled


def test_a_refund_after_the_payout_was_paid_is_clawed_back_in_the_next_batch(session, uow_factory):
    # given a $100 job paid out ($70) and a new $50 job pending ($35)
    world = make_world(session)
    _, first_payment = _job(session, uow_factory, world, 10000)
    with uow_factory() as uow:
        run_payout_batch(uow, actor=world.finance)
    _job(session, uow_factory, world, 5000)
    # when half of the first job is refunded
    with uow_factory() as uow:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=first_payment, amount_cents=5000, reference="R-1"
        )
    # then a clawback of $35 waits, and the next batch nets it against the new earning
    clawback = [p for p in _payouts(session, world) if p.kind is PayoutKind.CLAWBACK]
    assert [(c.amount_cents, c.status) for c in clawback] == [(-3500, PayoutStatus.PENDING)]
    assert world.report(session).reconciled
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    assert result.total_cents == 0 and result.paid == {} and result.carried_forward == {}
    assert all(p.status is PayoutStatus.PAID for p in _payouts(session, world))
    assert world.report(session).reconciled


def test_a_provider_whose_net_is_negative_carries_the_remainder_forward(session, uow_factory):
    # given a paid-out $100 job fully refunded (clawback $70) and a new $50 job ($35)
    world = make_world(session)
    _, first_payment = _job(session, uow_factory, world, 10000)
    with uow_factory() as uow:
        run_payout_batch(uow, actor=world.finance)
    with uow_factory() as uow:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=first_payment, amount_cents=10000, reference="R-1"
        )
    _job(session, uow_factory, world, 5000)
    # when
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    # then nothing is sent and −$35 waits for the next batch
    assert result.total_cents == 0 and result.carried_forward == {world.provider.id: -3500}
    pending = [p for p in _payouts(session, world) if p.status is PayoutStatus.PENDING]
    assert [(p.kind, p.amount_cents) for p in pending] == [(PayoutKind.CLAWBACK, -3500)]
    assert world.report(session).reconciled
    # and the next earning pays only what exceeds it
    _job(session, uow_factory, world, 10000)
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    assert result.paid == {world.provider.id: 3500}
    assert world.report(session).reconciled


def test_the_bank_transfer_csv_lists_provider_amount_and_reference(session, uow_factory):
    # given
    world = make_world(session)
    _job(session, uow_factory, world, 12345)
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    # when
    with uow_factory() as uow:
        text = export_batch_csv(uow, actor=world.finance, batch_id=result.batch_id)
    # then
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["provider_id", "provider_name", "provider_email", "amount", "reference"],
        [
            str(world.provider.id),
            world.provider.name,
            world.provider.email,
            "86.42",
            transfer_reference(result.batch_id, world.provider.id),
        ],
    ]


def test_a_batch_with_nothing_pending_is_refused(session, uow_factory):
    world = make_world(session)
    with uow_factory() as uow, pytest.raises(ValidationFailed) as refused:
        run_payout_batch(uow, actor=world.finance)
    assert refused.value.code == "nothing_to_pay"


def test_a_dispatcher_cannot_run_a_batch(session, uow_factory):
    from roadside_console.domain.core.auth import Role
    from roadside_console.domain.core.errors import Forbidden
    from tests.factories import actor_of, make_user

    world = make_world(session)
    dispatcher = actor_of(make_user(session, world.tenant, role=Role.DISPATCHER))
    with uow_factory() as uow, pytest.raises(Forbidden):
        run_payout_batch(uow, actor=dispatcher)
