import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.customers.queries import find_customer_by_phone
from tests.factories import actor_of, make_booking, make_tenant, make_user


@pytest.fixture()
def desk(session):
    tenant = make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    customer.phone = "+14045550188"
    session.add(customer)
    session.commit()
    make_booking(
        session,
        tenant,
        customer=customer,
        vehicle={"year": 2019, "make": "Honda", "model": "Civic", "color": "Blue"},
    )
    return tenant, dispatcher, customer


def test_a_caller_is_found_by_their_number_however_it_is_typed(uow_factory, desk):
    _, dispatcher, customer = desk
    with uow_factory() as uow:
        match = find_customer_by_phone(uow, actor=dispatcher, phone="(404) 555-0188")
    assert match is not None
    assert (match.customer_id, match.name, match.phone) == (
        customer.id,
        customer.name,
        "+14045550188",
    )
    assert match.bookings == 1
    assert match.last_vehicle["make"] == "Honda"


@pytest.mark.parametrize("phone", ["404 555 0199", "not a number", ""])
def test_an_unknown_or_junk_number_finds_nobody(uow_factory, desk, phone):
    _, dispatcher, _ = desk
    with uow_factory() as uow:
        assert find_customer_by_phone(uow, actor=dispatcher, phone=phone) is None


def test_a_customer_of_another_tenant_is_not_found(session, uow_factory, desk):
    other = make_tenant(session)
    outsider = actor_of(make_user(session, other, role=Role.DISPATCHER))
    with uow_factory() as uow:
        assert find_customer_by_phone(uow, actor=outsider, phone="+14045550188") is None


def test_finance_cannot_look_callers_up(session, uow_factory, desk):
    tenant, _, _ = desk
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    with uow_factory() as uow, pytest.raises(Forbidden):
        find_customer_by_phone(uow, actor=finance, phone="+14045550188")
