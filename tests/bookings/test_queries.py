from datetime import UTC, datetime, timedelta

import pytest

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.queries import BookingFilters, list_bookings
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, ValidationFailed
from tests.factories import actor_of, make_booking, make_service, make_tenant, make_user

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture()
def desk(session):
    tenant = make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    tow = make_service(session, tenant, name="Towing")
    jump = make_service(session, tenant, name="Jump Start")
    for i in range(30):
        make_booking(
            session,
            tenant,
            service=tow if i % 3 == 0 else jump,
            status=BookingStatus.COMPLETED if i % 2 else BookingStatus.PENDING,
            contact_name="Tasha Reed" if i == 7 else f"Caller {i}",
            created_at=T0 + timedelta(minutes=i),
        )
    other = make_tenant(session)
    make_booking(session, other, contact_name="Tasha Reed")
    return dispatcher, tow


def test_the_newest_bookings_come_first_a_page_at_a_time(uow_factory, desk):
    dispatcher, _ = desk
    with uow_factory() as uow:
        first = list_bookings(uow, actor=dispatcher, filters=BookingFilters(), page_size=25)
    with uow_factory() as uow:
        second = list_bookings(
            uow, actor=dispatcher, filters=BookingFilters(), page=2, page_size=25
        )
    assert first.total == 30
    assert [r.customer for r in first.rows[:2]] == ["Caller 29", "Caller 28"]
    assert len(first.rows) == 25 and len(second.rows) == 5
    assert not {r.booking_id for r in first.rows} & {r.booking_id for r in second.rows}


def test_filters_combine_status_service_and_search_within_the_tenant(uow_factory, desk):
    dispatcher, tow = desk
    with uow_factory() as uow:
        towing_done = list_bookings(
            uow,
            actor=dispatcher,
            filters=BookingFilters(status="completed", service_id=str(tow.id)),
        )
    assert towing_done.total == 5  # i in 3, 9, 15, 21, 27
    with uow_factory() as uow:
        found = list_bookings(uow, actor=dispatcher, filters=BookingFilters(search="TASHA"))
    assert [r.customer for r in found.rows] == ["Tasha Reed"]


def test_an_unknown_status_filter_is_a_clear_error(uow_factory, desk):
    dispatcher, _ = desk
    with uow_factory() as uow, pytest.raises(ValidationFailed):
        list_bookings(uow, actor=dispatcher, filters=BookingFilters(status="lost"))


def test_customers_cannot_list_the_operators_bookings(session, uow_factory):
    tenant = make_tenant(session)
    customer = actor_of(make_user(session, tenant, role=Role.CUSTOMER))
    with uow_factory() as uow, pytest.raises(Forbidden):
        list_bookings(uow, actor=customer, filters=BookingFilters())
