import pytest

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.dispatch.candidates import ranked_candidates
from roadside_console.domain.dispatch.portal import provider_board
from roadside_console.domain.dispatch.service import accept_offer, dispatch_booking
from roadside_console.domain.identity.models import User
from tests.dispatch.support import NOW, confirmed_booking, later, make_world, provider_at
from tests.factories import actor_of, make_user


def _actor(session, provider):
    return actor_of(session.get(User, provider.user_id))


def test_candidates_are_ranked_like_automatic_dispatch_without_offering(session, uow_factory):
    # given a near and a far provider and a confirmed booking
    world = make_world(session)
    near = provider_at(session, world.tenant, "Near", miles_north=2)
    far = provider_at(session, world.tenant, "Far", miles_north=30)
    booking = confirmed_booking(session, world)
    # when
    with uow_factory() as uow:
        ranked = ranked_candidates(
            uow, actor=actor_of(world.dispatcher), booking_id=booking.id, now=NOW
        )
    # then the near one is first, with its numbers, and nothing was offered
    assert [c.provider_id for c in ranked] == [str(near.id), str(far.id)]
    assert ranked[0].rank == 1
    assert ranked[0].distance_miles == pytest.approx(2, abs=0.1)
    assert set(ranked[0].subscores) == {"eta", "rating", "specialty", "workload", "fairness"}
    session.expire_all()
    assert session.get(type(booking), booking.id).status is BookingStatus.CONFIRMED


def test_a_provider_already_offered_the_booking_is_not_a_candidate_again(session, uow_factory):
    world = make_world(session)
    first = provider_at(session, world.tenant, "First", miles_north=1)
    second = provider_at(session, world.tenant, "Second", miles_north=3)
    booking = confirmed_booking(session, world)
    with uow_factory() as uow:
        dispatch_booking(uow, actor=None, booking_id=booking.id, now=NOW)
    with uow_factory() as uow:
        ranked = ranked_candidates(
            uow, actor=actor_of(world.dispatcher), booking_id=booking.id, now=NOW
        )
    assert [c.provider_id for c in ranked] == [str(second.id)]
    assert str(first.id) not in {c.provider_id for c in ranked}


def test_only_dispatchers_and_admins_see_candidates(session, uow_factory):
    world = make_world(session)
    booking = confirmed_booking(session, world)
    finance = actor_of(make_user(session, world.tenant, role=Role.FINANCE))
    with uow_factory() as uow, pytest.raises(Forbidden):
        ranked_candidates(uow, actor=finance, booking_id=booking.id, now=NOW)


def test_the_provider_sees_the_open_offer_with_its_deadline_then_the_job(session, uow_factory):
    # given a booking offered to the only provider
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Solo", miles_north=1)
    booking = confirmed_booking(session, world, vehicle={"make": "Ford", "model": "F-150"})
    with uow_factory() as uow:
        outcome = dispatch_booking(uow, actor=None, booking_id=booking.id, now=NOW)
    me = _actor(session, provider)
    # when the provider looks
    with uow_factory() as uow:
        board = provider_board(uow, actor=me, now=later(10))
    # then the offer shows with where to go and when it lapses
    [offer] = board.offers
    assert offer.offer_id == outcome.offer_id
    assert offer.expires_at == outcome.expires_at
    assert (offer.job.reference, offer.job.lat, offer.job.lng) == (
        booking.reference,
        booking.lat,
        booking.lng,
    )
    assert offer.job.vehicle == "Ford F-150"
    assert board.jobs == []
    # when they accept, it becomes their job in progress
    with uow_factory() as uow:
        accept_offer(uow, actor=me, offer_id=outcome.offer_id, now=later(20))
    with uow_factory() as uow:
        board = provider_board(uow, actor=me, now=later(30))
    assert board.offers == []
    assert [(j.booking_id, j.status) for j in board.jobs] == [(booking.id, "in_progress")]


def test_an_offer_past_its_deadline_is_not_shown(session, uow_factory):
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Slow", miles_north=1)
    booking = confirmed_booking(session, world)
    with uow_factory() as uow:
        dispatch_booking(uow, actor=None, booking_id=booking.id, now=NOW)
    with uow_factory() as uow:
        board = provider_board(uow, actor=_actor(session, provider), now=later(3600))
    assert board.offers == []


def test_a_provider_never_sees_another_providers_offer(session, uow_factory):
    world = make_world(session)
    provider_at(session, world.tenant, "Chosen", miles_north=1)
    other = provider_at(session, world.tenant, "Other", miles_north=40)
    booking = confirmed_booking(session, world)
    with uow_factory() as uow:
        dispatch_booking(uow, actor=None, booking_id=booking.id, now=NOW)
    with uow_factory() as uow:
        board = provider_board(uow, actor=_actor(session, other), now=later(5))
    assert board.offers == []
    assert board.jobs == []
