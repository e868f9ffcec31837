"""A provider sees what they earned today, this week and this month on the operator's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, NotFound
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.earnings import local_week_bounds, provider_earnings
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from tests.factories import actor_of, make_provider, make_user
from tests.payments.support import make_world

# Wednesday 11 March 2026, 13:00 in New York (daylight time began on Sunday the 8th).
NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
K, St = PayoutKind, PayoutStatus


def _line(session, world, cents, at, *, kind=K.EARNING, status=St.PENDING, provider=None, **more):
    payout = ProviderPayout(
        tenant_id=world.tenant.id,
        provider_id=(provider or world.provider).id,
        kind=kind,
        status=status,
        amount_cents=cents,
        created_at=at,
        **more,
    )
    session.add(payout)
    session.commit()
    return payout


def _earnings(uow_factory, actor, **kwargs):
    with uow_factory() as uow:
        return provider_earnings(uow, actor=actor, **kwargs)


def test_the_week_starts_on_monday_at_local_midnight():
    start, end = local_week_bounds(NOW, "America/New_York")
    assert (start, end) == (
        datetime(2026, 3, 9, 4, 0, tzinfo=UTC),
        datetime(2026, 3, 16, 4, 0, tzinfo=UTC),
    )


def test_periods_follow_the_business_clock_and_net_clawbacks_to_the_cent(session, uow_factory):
    # given lines either side of the local day, week and month boundaries
    world = make_world(session)
    job = world.booking(session, price=10000)
    _line(session, world, 7000, NOW - timedelta(hours=1), booking_id=job.id)
    _line(session, world, -2100, NOW - timedelta(minutes=30), kind=K.CLAWBACK)
    _line(session, world, 500, NOW - timedelta(minutes=10), kind=K.BONUS)
    _line(session, world, 1111, NOW - timedelta(minutes=5), status=St.CANCELLED)
    # 23:30 on Tuesday in New York, although already Wednesday in UTC
    _line(session, world, 5000, datetime(2026, 3, 11, 3, 30, tzinfo=UTC), status=St.PAID)
    # 01:00 on Monday, and 23:00 on the Sunday before (the previous week)
    _line(session, world, 3333, datetime(2026, 3, 9, 5, 0, tzinfo=UTC), status=St.PAID)
    _line(session, world, 4444, datetime(2026, 3, 9, 3, 0, tzinfo=UTC), status=St.HELD)
    # 23:59 on the last day of February in New York
    _line(session, world, 9999, datetime(2026, 3, 1, 4, 59, tzinfo=UTC), status=St.PAID)
    # another provider's earning today
    other = make_provider(session, world.tenant, name="Someone Else")
    _line(session, world, 8888, NOW - timedelta(hours=2), provider=other)
    # when
    view = _earnings(uow_factory, world.provider_actor, now=NOW)
    # then each period is its own sum, pending (incl. held) and paid adding up to the net
    periods = [view.today, view.week, view.month]
    assert [(p.net_cents, p.pending_cents, p.paid_cents, p.jobs) for p in periods] == [
        (5400, 5400, 0, 1),
        (13733, 5400, 8333, 3),
        (18177, 9844, 8333, 4),
    ]
    assert view.timezone == "America/New_York"
    # and the history lists every own line, newest first, with its booking
    assert view.total_lines == 8
    assert [line.amount_cents for line in view.lines] == [
        1111,
        500,
        -2100,
        7000,
        5000,
        3333,
        4444,
        9999,
    ]
    cancelled, _, clawback, earning = view.lines[:4]
    assert (cancelled.status, clawback.kind) == ("cancelled", "clawback")
    assert (earning.booking_reference, earning.service_name) == (job.reference, "Jump Start")
    assert clawback.booking_reference == ""


def test_history_is_paged_newest_first(session, uow_factory):
    world = make_world(session)
    for minutes in (1, 2, 3):
        _line(session, world, 1000 * minutes, NOW - timedelta(minutes=minutes))
    second = _earnings(uow_factory, world.provider_actor, page=2, page_size=2, now=NOW)
    assert [line.amount_cents for line in second.lines] == [3000]
    assert (second.total_lines, second.page, second.page_size) == (3, 2, 2)


def test_a_paid_job_refunded_after_payout_shows_as_paid_and_clawed_back(session, uow_factory):
    # given a $100 cash job at 70 %, paid out, then refunded in full
    world = make_world(session)
    booking = world.booking(session, price=10000)
    with uow_factory() as uow:
        recorded = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=recorded.payment_id)
    with uow_factory() as uow:
        bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)
    with uow_factory() as uow:
        run_payout_batch(uow, actor=world.finance)
    with uow_factory() as uow:
        payments.refund_payment(
            uow,
            actor=world.finance,
            payment_id=recorded.payment_id,
            amount_cents=10000,
            reason="No-show",
            reference="R-9",
        )
    # when
    view = _earnings(uow_factory, world.provider_actor)
    # then the month nets to nothing: $70 paid, $70 owed back
    month = view.month
    assert (month.net_cents, month.pending_cents, month.paid_cents, month.jobs) == (
        0,
        -7000,
        7000,
        1,
    )
    assert [(line.kind, line.status, line.amount_cents) for line in view.lines] == [
        ("clawback", "pending", -7000),
        ("earning", "paid", 7000),
    ]
    assert view.lines[1].paid_at is not None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE, Role.CUSTOMER])
def test_only_a_provider_reads_their_own_earnings(session, uow_factory, role):
    world = make_world(session)
    with pytest.raises(Forbidden):
        _earnings(uow_factory, actor_of(make_user(session, world.tenant, role=role)))


def test_a_provider_login_without_a_profile_is_told_so(session, uow_factory):
    world = make_world(session)
    stray = actor_of(make_user(session, world.tenant, role=Role.PROVIDER))
    with pytest.raises(NotFound):
        _earnings(uow_factory, stray)
