from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payouts.batches import pay_pending, run_payout_batch
from roadside_console.domain.payouts.export import transfer_reference
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.payouts.queries import (
    outstanding_clawbacks,
    payout_batch,
    payout_batch_history,
    pending_payouts_by_provider,
)
from tests.factories import actor_of, make_provider, make_user
from tests.payments.support import make_world


def _paid_job(session, uow_factory, world, price=10000, provider=None):
    booking = world.booking(
        session, price=price, **({"provider_id": provider.id} if provider else {})
    )
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    with uow_factory() as uow:
        bookings.complete_booking(
            uow,
            actor=world.admin if provider else world.provider_actor,
            booking_id=booking.id,
            reason="Provider phoned it in" if provider else None,
        )
    return booking, view.payment_id


def test_pending_payouts_are_grouped_per_provider_with_clawbacks_netted(session, uow_factory):
    # given a paid-out $100 job refunded in full (a $70 clawback), then two new $100 jobs
    world = make_world(session)
    _, refunded = _paid_job(session, uow_factory, world)
    with uow_factory() as uow:
        run_payout_batch(uow, actor=world.finance)
    with uow_factory() as uow:
        payments.refund_payment(
            uow,
            actor=world.finance,
            payment_id=refunded,
            amount_cents=10000,
            reason="No-show",
            reference="R-1",
        )
    _paid_job(session, uow_factory, world)
    _paid_job(session, uow_factory, world)
    # when
    with uow_factory() as uow:
        page = pending_payouts_by_provider(uow, actor=world.finance)
    # then the provider is owed $140 less the $70 clawback
    [row] = page.rows
    assert row.provider_id == world.provider.id
    assert (row.lines, row.earned_cents, row.clawback_cents, row.net_cents) == (
        3,
        14000,
        -7000,
        7000,
    )
    assert (page.pending_net_cents, page.clawback_cents, page.total_providers) == (7000, -7000, 1)
    assert page.timezone == "America/New_York"


def test_the_provider_owed_most_comes_first_and_pages_are_cut_in_sql(session, uow_factory):
    # given a second provider with a bigger job
    world = make_world(session)
    big = make_provider(session, world.tenant, name="Zed Big")
    _paid_job(session, uow_factory, world, 10000)
    _paid_job(session, uow_factory, world, 50000, provider=big)
    # when
    with uow_factory() as uow:
        first = pending_payouts_by_provider(uow, actor=world.finance, page=1, page_size=1)
    with uow_factory() as uow:
        second = pending_payouts_by_provider(uow, actor=world.finance, page=2, page_size=1)
    # then
    assert [r.provider_name for r in first.rows] == ["Zed Big"]
    assert [r.provider_id for r in second.rows] == [world.provider.id]
    assert first.total_providers == second.total_providers == 2


def test_held_payouts_show_but_are_not_counted_as_payable(session, uow_factory):
    # given a paid job whose earning is held (an open dispute)
    world = make_world(session)
    booking, _ = _paid_job(session, uow_factory, world)
    earning = session.exec(
        select(ProviderPayout).where(ProviderPayout.booking_id == booking.id)
    ).one()
    earning.status = PayoutStatus.HELD
    session.add(earning)
    session.commit()
    # when
    with uow_factory() as uow:
        page = pending_payouts_by_provider(uow, actor=world.finance)
    # then
    [row] = page.rows
    assert (row.held_cents, row.net_cents, page.pending_net_cents) == (7000, 0, 0)


def test_outstanding_clawbacks_list_the_booking_they_came_from(session, uow_factory):
    # given a paid-out job refunded in full afterwards
    world = make_world(session)
    booking, payment_id = _paid_job(session, uow_factory, world)
    with uow_factory() as uow:
        run_payout_batch(uow, actor=world.finance)
    with uow_factory() as uow:
        payments.refund_payment(
            uow,
            actor=world.finance,
            payment_id=payment_id,
            amount_cents=10000,
            reason="No-show",
            reference="R-2",
        )
    # when
    with uow_factory() as uow:
        clawbacks = outstanding_clawbacks(uow, actor=world.finance)
    # then
    [clawback] = clawbacks
    assert clawback.booking_reference == booking.reference
    assert clawback.amount_cents == -7000


def test_a_batch_view_lists_each_provider_paid_with_the_bank_reference(session, uow_factory):
    # given a batch that paid one provider
    world = make_world(session)
    _paid_job(session, uow_factory, world, 20000)
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    # when
    with uow_factory() as uow:
        view = payout_batch(uow, actor=world.finance, batch_id=result.batch_id)
    # then
    [line] = view.lines
    assert (line.provider_name, line.net_cents) == (world.provider.name, 14000)
    assert line.transfer_reference == transfer_reference(result.batch_id, world.provider.id)
    assert view.total_cents == 14000
    assert session.exec(
        select(ProviderPayout).where(
            ProviderPayout.batch_id == result.batch_id, ProviderPayout.kind == PayoutKind.EARNING
        )
    ).all()


def test_a_dispatcher_may_not_read_payouts(session, uow_factory):
    world = make_world(session)
    dispatcher = actor_of(make_user(session, world.tenant, role=Role.DISPATCHER))
    with uow_factory() as uow, pytest.raises(Forbidden):
        pending_payouts_by_provider(uow, actor=dispatcher)


def test_another_tenants_payouts_are_not_listed(session, uow_factory):
    world = make_world(session)
    other = make_world(session)
    _paid_job(session, uow_factory, other)
    with uow_factory() as uow:
        page = pending_payouts_by_provider(uow, actor=world.finance)
    assert page.rows == []
    assert page.total_providers == 0


def test_the_batch_history_lists_newest_first_with_who_ran_each(session, uow_factory):
    # given a batch run by finance yesterday and a scheduled one (no person) today
    world = make_world(session)
    now = datetime.now(UTC)
    _paid_job(session, uow_factory, world, 20000)
    with uow_factory() as uow:
        first = run_payout_batch(uow, actor=world.finance, now=now - timedelta(days=1))
    _paid_job(session, uow_factory, world)
    with uow_factory() as uow:
        second = pay_pending(uow.session, tenant_id=world.tenant.id, actor=None, now=now)
        uow.commit()
    # when
    with uow_factory() as uow:
        history = payout_batch_history(uow, actor=world.finance)
    # then
    assert [row.batch_id for row in history.rows] == [second.batch_id, first.batch_id]
    finance = session.get(User, world.finance.user_id)
    assert [row.run_by for row in history.rows] == ["", finance.name]
    assert [row.total_cents for row in history.rows] == [7000, 14000]
    assert [row.provider_count for row in history.rows] == [1, 1]
    assert history.total == 2


def test_the_batch_history_is_paged_and_kept_to_finance_of_the_tenant(session, uow_factory):
    # given three batches in one tenant and one in another
    world = make_world(session)
    other = make_world(session)
    for _ in range(3):
        _paid_job(session, uow_factory, world)
        with uow_factory() as uow:
            run_payout_batch(uow, actor=world.finance)
    _paid_job(session, uow_factory, other)
    with uow_factory() as uow:
        run_payout_batch(uow, actor=other.finance)
    dispatcher = actor_of(make_user(session, world.tenant, role=Role.DISPATCHER))
    # when
    with uow_factory() as uow:
        second_page = payout_batch_history(uow, actor=world.finance, page=2, page_size=2)
    # then
    assert (second_page.total, len(second_page.rows)) == (3, 1)
    with uow_factory() as uow, pytest.raises(Forbidden):
        payout_batch_history(uow, actor=dispatcher)
