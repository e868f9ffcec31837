"""The dispatch board lists open bookings by urgency and the providers who can take them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.dispatch import service
from roadside_console.domain.dispatch.board import board_bookings, board_providers
from roadside_console.domain.providers.models import ProviderStatus
from tests.dispatch.support import NOW, confirmed_booking, later, make_world, provider_at
from tests.factories import actor_of, make_booking, make_user

S = BookingStatus


def _bookings(uow_factory, actor, **kwargs):
    with uow_factory() as uow:
        return board_bookings(uow, actor=actor, **kwargs)


def _providers(uow_factory, actor, **kwargs):
    with uow_factory() as uow:
        return board_providers(uow, actor=actor, **kwargs)


def _booking(session, world, status, minutes_ago, **overrides):
    return make_booking(
        session,
        world.tenant,
        service=world.service,
        status=status,
        created_at=NOW - timedelta(minutes=minutes_ago),
        **overrides,
    )


def test_asap_bookings_come_first_the_longest_waiting_first_then_scheduled_by_due_time(
    session, uow_factory
):
    # given open bookings of every kind, and some that are closed
    world = make_world(session)
    fresh = _booking(session, world, S.PENDING, 2)
    old = _booking(session, world, S.IN_PROGRESS, 40)
    middle = _booking(session, world, S.CONFIRMED, 15)
    late = _booking(session, world, S.CONFIRMED, 90, scheduled_at=NOW + timedelta(hours=5))
    soon = _booking(session, world, S.CONFIRMED, 1, scheduled_at=NOW + timedelta(hours=3))
    _booking(session, world, S.COMPLETED, 120)
    _booking(session, world, S.CANCELLED, 130)
    # when the dispatcher opens the board
    board = _bookings(uow_factory, actor_of(world.dispatcher), now=NOW)
    # then ASAP jobs lead, oldest first, then scheduled ones by when they are due
    assert [r.reference for r in board.rows] == [
        b.reference for b in (old, middle, fresh, soon, late)
    ]
    assert board.total == 5
    assert [r.asap for r in board.rows] == [True, True, True, False, False]
    assert board.rows[3].scheduled_at == NOW + timedelta(hours=3)
    assert board.timezone == "America/New_York"


def test_a_booking_in_the_manual_queue_and_an_offer_about_to_lapse_are_flagged(
    session, uow_factory
):
    # given one booking offered to a provider, one given up on, one simply confirmed
    world = make_world(session)
    provider_at(session, world.tenant, "Near", miles_north=2)
    offered = confirmed_booking(session, world, created_at=NOW - timedelta(minutes=3))
    with uow_factory() as uow:
        outcome = service.dispatch_booking(uow, actor=None, booking_id=offered.id, now=NOW)
    manual = confirmed_booking(
        session,
        world,
        needs_manual_dispatch=True,
        dispatch_attempts=3,
        created_at=NOW - timedelta(minutes=2),
    )
    waiting = confirmed_booking(session, world, created_at=NOW - timedelta(minutes=1))
    actor = actor_of(world.dispatcher)
    # when the board is read 10 s and then 45 s into the 60-second offer
    early = {r.booking_id: r for r in _bookings(uow_factory, actor, now=later(10)).rows}
    late = {r.booking_id: r for r in _bookings(uow_factory, actor, now=later(45)).rows}
    # then the offer shows its deadline, and is flagged only when it is about to lapse
    assert early[offered.id].status == "dispatched"
    assert early[offered.id].provider_name == "Near"
    assert early[offered.id].offer_expires_at == outcome.expires_at
    assert (early[offered.id].offer_expiring, late[offered.id].offer_expiring) == (False, True)
    # and the manual queue is flagged; only confirmed bookings without an offer dispatch now
    assert (early[manual.id].needs_manual_dispatch, early[manual.id].dispatch_attempts) == (
        True,
        3,
    )
    assert early[waiting.id].needs_manual_dispatch is False
    assert [early[b.id].can_dispatch_now for b in (offered, manual, waiting)] == [
        False,
        True,
        True,
    ]


def test_the_board_pages_in_sql_and_never_shows_another_tenants_bookings(session, uow_factory):
    # given three open bookings here and one at another operator
    world = make_world(session)
    other = make_world(session)
    first = _booking(session, world, S.PENDING, 30)
    second = _booking(session, world, S.PENDING, 20)
    _booking(session, world, S.PENDING, 10)
    _booking(session, other, S.PENDING, 60)
    actor = actor_of(world.dispatcher)
    # when the board is read two at a time
    page_one = _bookings(uow_factory, actor, page_size=2, now=NOW)
    page_two = _bookings(uow_factory, actor, page=2, page_size=2, now=NOW)
    # then
    assert [r.booking_id for r in page_one.rows] == [first.id, second.id]
    assert len(page_two.rows) == 1
    assert page_one.total == page_two.total == 3


def test_providers_on_duty_or_on_a_job_are_listed_with_workload_and_location_age(
    session, uow_factory
):
    # given providers: idle with a fresh fix, busy off duty, on duty without a fix,
    # off duty and idle, and pending approval
    world = make_world(session)
    idle = provider_at(
        session,
        world.tenant,
        "Ada",
        miles_north=1,
        current_lat=33.80,
        current_lng=-84.40,
        location_updated_at=NOW - timedelta(seconds=40),
    )
    busy = provider_at(
        session,
        world.tenant,
        "Bo",
        miles_north=2,
        is_available=False,
        current_lat=33.70,
        current_lng=-84.30,
        location_updated_at=NOW - timedelta(minutes=20),
    )
    _booking(session, world, S.IN_PROGRESS, 30, provider_id=busy.id)
    _booking(session, world, S.COMPLETED, 90, provider_id=idle.id)
    homebound = provider_at(session, world.tenant, "Cy", miles_north=3)
    provider_at(session, world.tenant, "Dee", miles_north=4, is_available=False)
    provider_at(session, world.tenant, "Eve", miles_north=5, status=ProviderStatus.PENDING)
    # when
    page = _providers(uow_factory, actor_of(world.dispatcher), now=NOW)
    # then the idle ones come first by name, the busy one last, with what they are doing
    assert [r.name for r in page.rows] == ["Ada", "Cy", "Bo"]
    assert page.total == 3
    ada, cy, bo = page.rows
    assert (ada.active_jobs, ada.online, ada.located_by, ada.location_age_seconds) == (
        0,
        True,
        "live",
        40,
    )
    assert (ada.lat, ada.lng) == (33.80, -84.40)
    assert (bo.active_jobs, bo.available, bo.online, bo.location_age_seconds) == (
        1,
        False,
        False,
        1200,
    )
    assert (cy.located_by, cy.location_age_seconds, cy.online) == ("home", None, False)
    assert (cy.lat, cy.lng) == (homebound.home_lat, homebound.home_lng)


def test_providers_page_in_sql_and_stay_inside_the_tenant(session, uow_factory):
    world = make_world(session)
    other = make_world(session)
    for name in ("Ann", "Ben", "Cat"):
        provider_at(session, world.tenant, name, miles_north=1)
    provider_at(session, other.tenant, "Zed", miles_north=1)
    actor = actor_of(world.dispatcher)
    second = _providers(uow_factory, actor, page=2, page_size=2, now=NOW)
    assert [r.name for r in second.rows] == ["Cat"]
    assert second.total == 3


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PROVIDER, Role.CUSTOMER])
def test_only_dispatching_staff_may_read_the_board(session, uow_factory, role):
    world = make_world(session)
    actor = actor_of(make_user(session, world.tenant, role=role))
    with pytest.raises(Forbidden):
        _bookings(uow_factory, actor)
    with pytest.raises(Forbidden):
        _providers(uow_factory, actor)


def test_an_admin_reads_the_board_too(session, uow_factory):
    world = make_world(session)
    _booking(session, world, S.PENDING, 5)
    assert _bookings(uow_factory, actor_of(world.admin), now=NOW).total == 1
