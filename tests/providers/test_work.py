"""The provider's offers and jobs, and moving a job on from the app."""

from datetime import timedelta

import pytest

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, InvalidTransition, NotFound
from roadside_console.domain.dispatch.models import OfferStatus
from roadside_console.domain.providers import queries, service
from tests.dispatch.support import (
    NOW,
    confirmed_booking,
    later,
    make_world,
    offers_of,
    provider_at,
    reload,
)
from tests.factories import actor_of, make_booking, make_user
from tests.providers.support import actor_for, offer

S = BookingStatus


def _offers(uow_factory, actor, now=NOW):
    with uow_factory() as uow:
        return queries.open_offers(uow, actor=actor, now=now)


def _jobs(uow_factory, actor, now=NOW):
    with uow_factory() as uow:
        return queries.provider_jobs(uow, actor=actor, now=now)


def _move(uow_factory, actor, booking, to_status, reason=None, now=NOW):
    with uow_factory() as uow:
        return service.change_job_status(
            uow, actor=actor, booking_id=booking.id, to_status=to_status, reason=reason, now=now
        )


# --- offers ---------------------------------------------------------------------------------


def test_an_open_offer_shows_the_service_area_distance_earnings_and_expiry(session, uow_factory):
    # given a provider 2 miles north of a $100 towing job offered to them
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Near", miles_north=2, commission_rate_bp=7000)
    booking = confirmed_booking(session, world)
    outcome = offer(uow_factory, booking)
    # when they list their offers
    [row] = _offers(uow_factory, actor_for(session, provider))
    # then they see what they need to decide, but not the street or the customer
    assert (row.offer_id, row.booking_id, row.reference) == (
        outcome.offer_id,
        booking.id,
        booking.reference,
    )
    assert row.service_name == "Towing"
    assert row.pickup_area == "Atlanta, GA 30313"
    assert row.distance_miles == pytest.approx(2.0, abs=0.1)
    assert row.estimated_earnings_cents == 7000
    assert row.expires_at == later(60)


def test_expired_answered_and_other_providers_offers_are_not_listed(session, uow_factory):
    # given an offer to one provider and another provider without any
    world = make_world(session)
    mine = provider_at(session, world.tenant, "Mine", miles_north=1)
    other = provider_at(session, world.tenant, "Other", miles_north=30)
    offer(uow_factory, confirmed_booking(session, world))
    # when / then: the other provider sees nothing, and mine sees nothing after expiry
    assert _offers(uow_factory, actor_for(session, other)) == []
    assert len(_offers(uow_factory, actor_for(session, mine), now=later(59))) == 1
    assert _offers(uow_factory, actor_for(session, mine), now=later(60)) == []


# --- jobs -----------------------------------------------------------------------------------


def test_jobs_list_work_in_progress_first_with_contact_then_recent_ones_without(
    session, uow_factory
):
    # given a provider with a job in progress, one done yesterday and one done 40 days ago
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Pat", miles_north=1)
    kw = {"service": world.service, "provider_id": provider.id}
    recent = make_booking(
        session, world.tenant, status=S.COMPLETED, completed_at=NOW - timedelta(days=1), **kw
    )
    make_booking(
        session, world.tenant, status=S.COMPLETED, completed_at=NOW - timedelta(days=40), **kw
    )
    active = make_booking(session, world.tenant, status=S.IN_PROGRESS, started_at=NOW, **kw)
    make_booking(session, world.tenant, status=S.IN_PROGRESS, service=world.service)
    # when they list their jobs
    rows = _jobs(uow_factory, actor_for(session, provider))
    # then the active job comes first with where to go and whom to call
    assert [r.booking_id for r in rows] == [active.id, recent.id]
    first, done = rows
    assert (first.status, first.address, first.contact_phone, first.next_statuses) == (
        "in_progress",
        active.address,
        active.contact_phone,
        ("completed",),
    )
    assert (done.status, done.address, done.contact_phone, done.next_statuses) == (
        "completed",
        None,
        None,
        (),
    )
    assert (done.pickup_area, done.price_cents) == ("Atlanta, GA 30313", 10000)


def test_staff_and_customers_have_no_provider_offers_or_jobs(session, uow_factory):
    # given a dispatcher and a customer
    world = make_world(session)
    customer = make_user(session, world.tenant, role=Role.CUSTOMER)
    # when / then
    for actor in (actor_of(world.dispatcher), actor_of(customer)):
        with pytest.raises(Forbidden):
            _offers(uow_factory, actor)
        with pytest.raises(Forbidden):
            _jobs(uow_factory, actor)


# --- status changes -------------------------------------------------------------------------


def test_starting_a_dispatched_job_accepts_its_offer_and_completing_finishes_it(
    session, uow_factory
):
    # given a job offered to a provider
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Pat", miles_north=1)
    booking = confirmed_booking(session, world)
    offer(uow_factory, booking)
    actor = actor_for(session, provider)
    # when they start it, then complete it
    started = _move(uow_factory, actor, booking, S.IN_PROGRESS, now=later(10))
    assert offers_of(session, booking)[0].status is OfferStatus.ACCEPTED
    assert reload(session, booking).status is S.IN_PROGRESS
    completed = _move(uow_factory, actor, booking, S.COMPLETED, now=later(900))
    # then the booking is done, with both times stamped
    assert (started, completed) == (S.IN_PROGRESS, S.COMPLETED)
    done = reload(session, booking)
    assert (done.status, done.started_at, done.completed_at) == (
        S.COMPLETED,
        later(10),
        later(900),
    )


def test_handing_a_job_back_rejects_the_offer_and_offers_it_to_the_next_provider(
    session, uow_factory
):
    # given a job offered to the nearer of two providers
    world = make_world(session)
    near = provider_at(session, world.tenant, "Near", miles_north=1)
    far = provider_at(session, world.tenant, "Far", miles_north=5)
    booking = confirmed_booking(session, world)
    offer(uow_factory, booking)
    # when the near one hands it back with a reason
    _move(uow_factory, actor_for(session, near), booking, S.CONFIRMED, reason="flat tyre")
    # then their offer is rejected and the far one has it now
    first, second = offers_of(session, booking)
    assert (first.provider_id, first.status) == (near.id, OfferStatus.REJECTED)
    assert (second.provider_id, second.status) == (far.id, OfferStatus.PENDING)
    assert reload(session, booking).provider_id == far.id


@pytest.mark.parametrize(
    ("status", "target", "error", "code"),
    [
        (S.IN_PROGRESS, S.CANCELLED, InvalidTransition, "invalid_transition"),
        (S.DISPATCHED, S.CANCELLED, Forbidden, "transition_forbidden"),
        (S.DISPATCHED, S.COMPLETED, InvalidTransition, "invalid_transition"),
        (S.COMPLETED, S.IN_PROGRESS, InvalidTransition, "invalid_transition"),
    ],
)
def test_changes_that_are_not_the_providers_to_make_are_refused(
    session, uow_factory, status, target, error, code
):
    # given a job of the provider in some state
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Pat", miles_north=1)
    booking = make_booking(
        session, world.tenant, service=world.service, status=status, provider_id=provider.id
    )
    # when they ask for a change the rules do not give them
    with pytest.raises(error) as refused:
        _move(uow_factory, actor_for(session, provider), booking, target)
    # then it is refused and the booking stays as it was
    assert refused.value.code == code
    assert reload(session, booking).status is status


def test_a_provider_cannot_move_another_providers_job(session, uow_factory):
    # given a job in progress for someone else
    world = make_world(session)
    mine = provider_at(session, world.tenant, "Me", miles_north=1)
    theirs = provider_at(session, world.tenant, "Them", miles_north=2)
    booking = make_booking(
        session, world.tenant, service=world.service, status=S.IN_PROGRESS, provider_id=theirs.id
    )
    # when / then it is simply not found
    with pytest.raises(NotFound):
        _move(uow_factory, actor_for(session, mine), booking, S.COMPLETED)
    assert reload(session, booking).status is S.IN_PROGRESS
