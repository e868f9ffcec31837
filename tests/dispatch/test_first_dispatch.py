from datetime import UTC, datetime, timedelta

from sqlmodel import select

from roadside_console.domain.bookings.creation import BookingCreate, create_booking
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.dispatch.first_dispatch import run_first_dispatch
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from tests.pricing.conftest import add_pricing_world

NOON = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)


def _book(uow_factory, world, **overrides):
    values = {
        "service_id": world.jump.id,
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": "Jordan Miles",
        "contact_phone": "+14045550101",
    }
    values.update(overrides)
    with uow_factory() as uow:
        return create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=world.customer,
            data=BookingCreate(**values),
            now=NOON,
        )


def test_an_immediate_booking_is_offered_to_a_provider_on_the_next_worker_pass(
    session, uow_factory
):
    # given a customer who just booked a jump start, and three providers online
    world = add_pricing_world(session)
    created = _book(uow_factory, world)
    # when the worker runs
    report = run_first_dispatch(uow_factory, NOON + timedelta(seconds=2))
    # then the booking is dispatched with a pending 60-second offer
    assert report.offered == 1
    session.expire_all()
    booking = session.get(Booking, created.booking_id)
    assert booking.status is BookingStatus.DISPATCHED and booking.provider_id is not None
    offer = session.exec(select(DispatchOffer).where(DispatchOffer.booking_id == booking.id)).one()
    assert offer.status is OfferStatus.PENDING
    assert offer.expires_at == NOON + timedelta(seconds=62)


def test_a_scheduled_booking_is_offered_45_minutes_before_its_time(session, uow_factory):
    world = add_pricing_world(session)
    at = NOON + timedelta(hours=3)
    created = _book(uow_factory, world, scheduled_at=at)
    with uow_factory() as uow:
        from roadside_console.domain.bookings.service import confirm_booking

        confirm_booking(uow, actor=world.dispatcher, booking_id=created.booking_id, now=NOON)
    assert run_first_dispatch(uow_factory, NOON).offered == 0
    assert run_first_dispatch(uow_factory, at - timedelta(minutes=46)).offered == 0
    assert run_first_dispatch(uow_factory, at - timedelta(minutes=45)).offered == 1
