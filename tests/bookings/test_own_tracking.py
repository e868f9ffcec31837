"""A signed-in customer follows their own booking without the texted link."""

import uuid

import pytest

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.views import track_own_booking
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import NotFound
from tests.factories import actor_of, make_booking, make_tenant, make_user


def test_the_customer_sees_the_status_of_their_own_booking(session, uow_factory):
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(session, tenant, customer=customer, status=BookingStatus.CONFIRMED)
    with uow_factory() as uow:
        view = track_own_booking(uow, actor=actor_of(customer), booking_id=booking.id)
    assert (view.reference, view.status, view.time_zone) == (
        booking.reference,
        BookingStatus.CONFIRMED,
        "America/New_York",
    )


@pytest.mark.parametrize("whose", ["another customer's", "unknown"])
def test_anyone_elses_booking_is_not_found(session, uow_factory, whose):
    tenant = make_tenant(session)
    booking = make_booking(session, tenant)
    stranger = actor_of(make_user(session, tenant, role=Role.CUSTOMER))
    booking_id = booking.id if whose == "another customer's" else uuid.uuid4()
    with uow_factory() as uow, pytest.raises(NotFound) as caught:
        track_own_booking(uow, actor=stranger, booking_id=booking_id)
    assert caught.value.code == "booking_not_found"
