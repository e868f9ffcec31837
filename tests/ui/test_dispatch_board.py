"""The dispatch board builds, says how urgent each booking is, and maps the same points offline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import reflex as rx

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.dispatch.board import BoardBooking, BoardProvider
from roadside_console.ui.components.formatting import duration_text
from roadside_console.ui.dispatch.board import (
    DispatchBoardState,
    board_line,
    dispatch_board_page,
    map_points,
    page_count,
    provider_line,
)
from roadside_console.ui.dispatch.map import PLAIN, STREET, MapPoint, board_map, street_zoom
from tests.dispatch.support import confirmed_booking, make_world, provider_at
from tests.factories import make_user
from tests.ui.support import run_handler, signed_in_state

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TZ = "America/New_York"


def _booking(**overrides):
    values = {
        "booking_id": uuid.uuid4(),
        "reference": "RS-ABC123",
        "service_name": "Towing",
        "status": "confirmed",
        "asap": True,
        "scheduled_at": None,
        "waiting_since": NOW - timedelta(minutes=12),
        "address": "265 Park Ave W NW, Atlanta",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": "Renee Alvarez",
        "provider_name": "",
        "needs_manual_dispatch": False,
        "dispatch_attempts": 0,
        "offer_expires_at": None,
        "offer_expiring": False,
    }
    values.update(overrides)
    return BoardBooking(**values)


def _provider(**overrides):
    values = {
        "provider_id": uuid.uuid4(),
        "name": "Ada",
        "phone": "+14045550123",
        "available": True,
        "online": True,
        "active_jobs": 0,
        "lat": 33.80,
        "lng": -84.40,
        "located_by": "live",
        "location_age_seconds": 40,
    }
    values.update(overrides)
    return BoardProvider(**values)


def test_the_board_builds_with_its_lists_map_and_actions():
    rendered = str(dispatch_board_page().render())
    for element in (
        "dispatch-board",
        "board-bookings",
        "board-providers",
        "dispatch-map",
        "map-view",
        "board-dispatch-now",
    ):
        assert element in rendered


def test_an_asap_booking_says_how_long_it_waited_and_links_to_its_page():
    row = _booking()
    line = board_line(row, now=NOW, tz=TZ)
    assert line.href == f"/admin/bookings/{row.booking_id}"
    assert (line.when, line.flag, line.deadline_ms, line.dispatchable) == (
        "ASAP · waiting 12 min",
        "",
        0,
        True,
    )


def test_a_scheduled_booking_shows_its_time_on_the_operators_clock():
    line = board_line(
        _booking(asap=False, scheduled_at=datetime(2026, 3, 10, 20, 30, tzinfo=UTC)),
        now=NOW,
        tz=TZ,
    )
    assert line.when == "Scheduled Mar 10, 4:30 PM"


def test_the_manual_queue_outranks_a_lapsing_offer_and_an_offer_blocks_dispatch_now():
    deadline = NOW + timedelta(seconds=15)
    lapsing = board_line(
        _booking(status="dispatched", offer_expires_at=deadline, offer_expiring=True),
        now=NOW,
        tz=TZ,
    )
    manual = board_line(_booking(needs_manual_dispatch=True), now=NOW, tz=TZ)
    assert (lapsing.flag, lapsing.dispatchable) == ("expiring", False)
    assert lapsing.deadline_ms == int(deadline.timestamp() * 1000)
    assert (manual.flag, manual.dispatchable) == ("manual", True)


def test_a_provider_row_says_what_they_are_doing_and_how_fresh_their_location_is():
    free = provider_line(_provider())
    busy = provider_line(
        _provider(available=False, online=False, active_jobs=2, location_age_seconds=1500)
    )
    homebound = provider_line(_provider(online=False, located_by="home", location_age_seconds=None))
    nowhere = provider_line(_provider(online=False, located_by="", lat=None, lng=None))
    assert (free.workload, free.duty, free.location) == ("Free", "Online", "Location 40 s ago")
    assert (busy.workload, busy.duty, busy.location) == (
        "2 active jobs",
        "Off duty, finishing a job",
        "Location 25 min ago",
    )
    assert (homebound.duty, homebound.location) == (
        "On duty, no fresh location",
        "Never shared a location: home base shown",
    )
    assert (nowhere.placed, nowhere.location) == (False, "No location known")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-5, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (7300, "2 h"), (90000, "1 d")],
)
def test_durations_read_in_the_largest_sensible_unit(seconds, text):
    assert duration_text(seconds) == text


def test_the_map_groups_points_by_what_needs_attention_and_skips_unplaced_providers():
    bookings = [
        board_line(_booking(needs_manual_dispatch=True), now=NOW, tz=TZ),
        board_line(_booking(offer_expires_at=NOW, offer_expiring=True), now=NOW, tz=TZ),
        board_line(_booking(), now=NOW, tz=TZ),
    ]
    providers = [
        provider_line(_provider()),
        provider_line(_provider(online=False)),
        provider_line(_provider(lat=None, lng=None, located_by="")),
    ]
    groups = [p.group for p in map_points(bookings, providers)]
    assert groups == [
        "provider_online",
        "provider_offline",
        "booking_manual",
        "booking_expiring",
        "booking",
    ]


def test_the_plain_view_draws_the_same_points_without_tiles_and_the_street_view_uses_osm():
    points = [
        MapPoint(33.76, -84.39, "RS-1", "booking"),
        MapPoint(33.80, -84.40, "Ada", "provider_online"),
    ]
    plain = board_map(points, PLAIN)
    street = board_map(points, STREET)
    assert [t.type for t in plain.data] == ["scatter", "scatter"]
    assert [t.type for t in street.data] == ["scattermap", "scattermap"]
    assert street.layout.map.style == "open-street-map"
    # the plain plot carries the same coordinates: longitude across, latitude up
    plain_points = sorted((y, x) for t in plain.data for x, y in zip(t.x, t.y, strict=True))
    street_points = sorted((y, x) for t in street.data for x, y in zip(t.lon, t.lat, strict=True))
    assert plain_points == street_points == [(33.76, -84.39), (33.80, -84.40)]
    assert plain.layout.yaxis.scaleanchor == "x"
    assert board_map(points, "anything else").data[0].type == "scatter"


def test_the_street_map_zooms_out_for_a_wider_spread():
    city = [MapPoint(33.70, -84.40, "", "booking"), MapPoint(33.80, -84.30, "", "booking")]
    state = [MapPoint(31.0, -85.0, "", "booking"), MapPoint(35.0, -82.0, "", "booking")]
    assert street_zoom(city) > street_zoom(state)
    assert street_zoom(city[:1]) == 12.0


def test_pages_round_up_and_never_drop_below_one():
    assert [page_count(n) for n in (0, 1, 50, 51)] == [1, 1, 1, 2]


# --- the handlers, as a signed-in dispatcher -----------------------------------------------


def test_dispatch_now_from_the_board_offers_the_job_and_says_so(session, uow_factory, monkeypatch):
    # given a confirmed booking and a provider nearby
    world = make_world(session)
    provider_at(session, world.tenant, "Near", miles_north=2)
    booking = confirmed_booking(session, world, confirmed_at=utc_now())
    board = signed_in_state(
        DispatchBoardState, world.dispatcher, world.tenant, uow_factory, monkeypatch
    )
    run_handler(board.load())
    [line] = board.bookings
    assert (line.reference, line.dispatchable) == (booking.reference, True)
    assert [p.name for p in board.providers] == ["Near"]
    # when the dispatcher presses Dispatch now
    run_handler(board.dispatch_now(line.booking_id))
    # then the offer went out and the refreshed row shows its countdown instead of the button
    assert board.notice.startswith(f"{booking.reference} offered to a provider")
    [line] = board.bookings
    assert (line.status, line.dispatchable, line.provider) == ("dispatched", False, "Near")
    assert line.deadline_ms > 0
    assert board.providers[0].workload == "1 active job"
    assert not board.busy


def test_dispatch_now_without_anyone_nearby_says_it_went_to_the_manual_queue(
    session, uow_factory, monkeypatch
):
    world = make_world(session)
    confirmed_booking(session, world, confirmed_at=utc_now())
    board = signed_in_state(
        DispatchBoardState, world.dispatcher, world.tenant, uow_factory, monkeypatch
    )
    run_handler(board.load())
    run_handler(board.dispatch_now(board.bookings[0].booking_id))
    assert "went to the manual queue: No eligible provider" in board.notice
    assert board.bookings[0].flag == "manual"
    assert board.manual_count == 1


def test_finance_staff_get_the_domains_refusal_not_the_board(session, uow_factory, monkeypatch):
    world = make_world(session)
    finance = make_user(session, world.tenant, role=Role.FINANCE)
    board = signed_in_state(DispatchBoardState, finance, world.tenant, uow_factory, monkeypatch)
    run_handler(board.load())
    assert board.error == "You do not have permission to do this."
    assert board.bookings == []


def test_the_board_map_starts_plain_and_switches_to_street_tiles_on_request():
    # given a board showing one booking
    root = rx.State(_reflex_internal_init=True)
    board = root.get_substate(DispatchBoardState.get_full_name().split(".")[1:])
    board.bookings = [board_line(_booking(), now=NOW, tz=TZ)]
    # then it starts on the plain plot, which needs no tiles
    assert board.map_view == PLAIN
    # when the dispatcher picks the street map, and later something unknown
    board.set_map_view(STREET)
    street = [t["type"] for t in board.map_figure["data"]]
    board.set_map_view(["satellite"])
    # then
    assert street == ["scattermap"]
    assert board.map_view == PLAIN
    assert [t["type"] for t in board.map_figure["data"]] == ["scatter"]


def test_the_board_map_is_drawn_by_its_own_handlers_not_by_every_pages_hydrate(
    session, uow_factory, monkeypatch
):
    # given a confirmed booking on the board's first page
    world = make_world(session)
    confirmed_booking(session, world, confirmed_at=utc_now())
    board = signed_in_state(
        DispatchBoardState, world.dispatcher, world.tenant, uow_factory, monkeypatch
    )
    # then the figure is no computed var, so another page's hydrate does not build it
    assert "map_figure" not in DispatchBoardState.computed_vars
    assert board.map_figure == {"data": [], "layout": {}}
    # when the board loads
    run_handler(board.load())
    # then its booking is on the plain plot
    [trace] = board.map_figure["data"]
    assert trace["type"] == "scatter"
    assert trace["text"][0].startswith(board.bookings[0].reference)
