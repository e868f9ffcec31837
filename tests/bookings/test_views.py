from datetime import UTC, datetime, timedelta

import pytest

from roadside_console.domain.bookings import service
from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.views import booking_detail, list_own_bookings, track_booking
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.core.secrets import token_digest
from roadside_console.domain.providers.models import ProviderLocation
from tests.factories import actor_of, make_booking, make_provider, make_tenant, make_user

S = BookingStatus
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


# --- one booking, by who may see it ---


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.FINANCE])
def test_staff_of_the_tenant_see_any_booking(session, uow_factory, role):
    tenant = make_tenant(session)
    booking = make_booking(session, tenant, vehicle={"make": "Ford"})
    staff = make_user(session, tenant, role=role)
    with uow_factory() as uow:
        detail = booking_detail(uow, actor=actor_of(staff), booking_id=booking.id)
    assert (detail.id, detail.reference, detail.vehicle) == (
        booking.id,
        booking.reference,
        {"make": "Ford"},
    )
    assert detail.service_name == "Jump Start" and detail.total_cents == 10000


def test_the_owner_and_the_assigned_provider_see_it_and_others_get_not_found(session, uow_factory):
    # given a booking dispatched to Sam
    tenant = make_tenant(session)
    owner = make_user(session, tenant, role=Role.CUSTOMER)
    sam_user = make_user(session, tenant, role=Role.PROVIDER)
    sam = make_provider(session, tenant, user=sam_user, name="Sam Ortiz")
    booking = make_booking(session, tenant, customer=owner, status=S.DISPATCHED, provider_id=sam.id)
    outsiders = [
        make_user(session, tenant, role=Role.CUSTOMER),
        make_provider(session, tenant).user_id,
        make_user(session, make_tenant(session), role=Role.ADMIN),
    ]
    # when / then the owner and Sam see it, with only Sam's first name
    for insider in (owner, sam_user):
        with uow_factory() as uow:
            detail = booking_detail(uow, actor=actor_of(insider), booking_id=booking.id)
        assert detail.provider_first_name == "Sam"
    # and everyone else gets the answer an unknown id gets
    from roadside_console.domain.identity.models import User

    for outsider in outsiders:
        user = outsider if isinstance(outsider, User) else session.get(User, outsider)
        with uow_factory() as uow, pytest.raises(NotFound) as caught:
            booking_detail(uow, actor=actor_of(user), booking_id=booking.id)
        assert caught.value.code == "booking_not_found"


# --- a customer's own list ---


def test_a_customer_pages_through_their_own_bookings_newest_first_by_cursor(session, uow_factory):
    # given five bookings of mine (two made in the same instant) and some of someone else
    tenant = make_tenant(session)
    me = make_user(session, tenant, role=Role.CUSTOMER)
    other = make_user(session, tenant, role=Role.CUSTOMER)
    times = [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=1), T0 + timedelta(hours=1)]
    mine = [make_booking(session, tenant, customer=me, created_at=at) for at in [*times, T0]]
    for at in times:
        make_booking(session, tenant, customer=other, created_at=at)
    # when I read two at a time, following the cursor
    seen, cursor, pages = [], None, 0
    while True:
        with uow_factory() as uow:
            page = list_own_bookings(uow, actor=actor_of(me), cursor=cursor, limit=2)
        seen += page.rows
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    # then I see each of mine exactly once, newest first, and none of theirs
    assert pages == 3
    assert sorted(r.id for r in seen) == sorted(b.id for b in mine)
    keys = [(r.created_at, r.id) for r in seen]
    assert keys == sorted(keys, reverse=True)


def test_an_empty_history_is_one_page_without_a_cursor(session, uow_factory):
    tenant = make_tenant(session)
    me = make_user(session, tenant, role=Role.CUSTOMER)
    with uow_factory() as uow:
        page = list_own_bookings(uow, actor=actor_of(me))
    assert (page.rows, page.next_cursor) == ([], None)


@pytest.mark.parametrize(
    ("cursor", "limit", "field"),
    [("not-a-cursor", 10, "cursor"), ("WyJ4IiwgInkiXQ", 10, "cursor"), (None, 101, "limit")],
)
def test_a_made_up_cursor_or_a_page_over_a_hundred_is_a_clear_error(
    session, uow_factory, cursor, limit, field
):
    tenant = make_tenant(session)
    me = make_user(session, tenant, role=Role.CUSTOMER)
    with uow_factory() as uow, pytest.raises(ValidationFailed) as caught:
        list_own_bookings(uow, actor=actor_of(me), cursor=cursor, limit=limit)
    assert caught.value.field == field


def test_only_customers_have_an_own_booking_list(session, uow_factory):
    tenant = make_tenant(session)
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    with uow_factory() as uow, pytest.raises(Forbidden):
        list_own_bookings(uow, actor=actor_of(dispatcher))


# --- tracking by link ---


def _advance(uow_factory, booking, to_status, actor=None, **changes):
    with uow_factory() as uow:
        fresh = service.get_booking(uow.session, tenant_id=booking.tenant_id, booking_id=booking.id)
        service.apply_transition(
            uow.session, actor=actor, booking=fresh, to_status=to_status, changes=changes, now=None
        )
        uow.commit()


def test_the_tracking_link_shows_where_the_provider_is_while_on_the_way_then_stops(
    session, uow_factory
):
    # given a booking on a link, dispatched to Sam who is about 7 miles away
    tenant = make_tenant(session)
    sam_user = make_user(session, tenant, role=Role.PROVIDER)
    sam = make_provider(session, tenant, user=sam_user, name="Sam Ortiz")
    booking = make_booking(
        session,
        tenant,
        tracking_token_hash=token_digest("secret-link"),
        vehicle={"year": 2018, "make": "Honda", "model": "Accord", "color": "silver"},
    )
    session.add(
        ProviderLocation(
            tenant_id=tenant.id,
            provider_id=sam.id,
            booking_id=booking.id,
            lat=33.8628,
            lng=-84.3927,
            recorded_at=T0,
        )
    )
    session.commit()
    _advance(uow_factory, booking, S.CONFIRMED)
    _advance(uow_factory, booking, S.DISPATCHED, provider_id=sam.id)
    # when anyone with the link looks
    with uow_factory() as uow:
        on_the_way = track_booking(uow, token="secret-link")
    # then they see Sam, the car, the last fix and an ETA
    assert on_the_way.status is S.DISPATCHED
    assert on_the_way.provider_first_name == "Sam"
    assert on_the_way.vehicle == "2018 Honda Accord (silver)"
    assert on_the_way.last_location is not None
    assert (on_the_way.last_location.lat, on_the_way.last_location.lng) == (33.8628, -84.3927)
    assert 10 <= on_the_way.eta_minutes <= 14  # ~6.9 miles at 35 mph
    assert [step.status for step in on_the_way.timeline] == [S.CONFIRMED, S.DISPATCHED]
    # when the job starts, the location stays but the ETA goes; once done, both go
    _advance(uow_factory, booking, S.IN_PROGRESS, actor=actor_of(sam_user))
    with uow_factory() as uow:
        on_site = track_booking(uow, token="secret-link")
    assert on_site.last_location is not None and on_site.eta_minutes is None
    with uow_factory() as uow:
        service.complete_booking(uow, actor=actor_of(sam_user), booking_id=booking.id)
    with uow_factory() as uow:
        done = track_booking(uow, token="secret-link")
    assert done.status is S.COMPLETED
    assert (done.last_location, done.eta_minutes) == (None, None)
    assert done.timeline[-1].status is S.COMPLETED
    assert done.provider_first_name == "Sam"


@pytest.mark.parametrize("token", ["", "guessed-token"])
def test_an_unknown_tracking_link_is_not_found(session, uow_factory, token):
    make_booking(session, make_tenant(session), tracking_token_hash=token_digest("real"))
    with uow_factory() as uow, pytest.raises(NotFound) as caught:
        track_booking(uow, token=token)
    assert caught.value.code == "tracking_not_found"
