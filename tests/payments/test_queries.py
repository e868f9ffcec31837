import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payments.queries import payments_awaiting_confirmation
from tests.factories import actor_of, make_user
from tests.payments.support import make_world


def _recorded(uow_factory, world, booking, method=PaymentMethod.CASH, reference=None):
    with uow_factory() as uow:
        return payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=method, reference=reference
        )


def test_manual_payments_wait_oldest_first_with_their_booking(session, uow_factory):
    # given a cash and a Zelle payment recorded on two jobs
    world = make_world(session)
    first = world.booking(session, price=12000)
    second = world.booking(session, price=8000)
    _recorded(uow_factory, world, first)
    _recorded(uow_factory, world, second, PaymentMethod.ZELLE, "ZL-77")
    # when
    with uow_factory() as uow:
        page = payments_awaiting_confirmation(uow, actor=world.finance)
    # then
    assert [r.booking_reference for r in page.rows] == [first.reference, second.reference]
    assert [r.method for r in page.rows] == ["cash", "zelle"]
    assert page.rows[1].reference == "ZL-77"
    assert (page.total, page.total_cents) == (2, 20000)


def test_a_confirmed_payment_leaves_the_list(session, uow_factory):
    world = make_world(session)
    view = _recorded(uow_factory, world, world.booking(session))
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    with uow_factory() as uow:
        page = payments_awaiting_confirmation(uow, actor=world.finance)
    assert page.rows == []
    assert page.total == 0


def test_pages_are_cut_in_sql(session, uow_factory):
    world = make_world(session)
    for _ in range(3):
        _recorded(uow_factory, world, world.booking(session))
    with uow_factory() as uow:
        page = payments_awaiting_confirmation(uow, actor=world.finance, page=2, page_size=2)
    assert len(page.rows) == 1
    assert page.total == 3


def test_another_tenants_payments_are_not_listed(session, uow_factory):
    world = make_world(session)
    other = make_world(session)
    _recorded(uow_factory, other, other.booking(session))
    with uow_factory() as uow:
        page = payments_awaiting_confirmation(uow, actor=world.finance)
    assert page.total == 0


def test_a_dispatcher_may_not_see_the_payments_desk(session, uow_factory):
    world = make_world(session)
    dispatcher = actor_of(make_user(session, world.tenant, role=Role.DISPATCHER))
    with uow_factory() as uow, pytest.raises(Forbidden):
        payments_awaiting_confirmation(uow, actor=dispatcher)
