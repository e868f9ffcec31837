from datetime import UTC, datetime

import pytest

from roadside_console.domain.bookings import service
from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.secrets import token_digest
from tests.factories import actor_of, make_booking, make_provider, make_tenant, make_user

pytestmark = pytest.mark.anyio

S = BookingStatus


def _advance(uow_factory, booking, to_status, actor=None, **changes):
    with uow_factory() as uow:
        fresh = service.get_booking(uow.session, tenant_id=booking.tenant_id, booking_id=booking.id)
        service.apply_transition(
            uow.session, actor=actor, booking=fresh, to_status=to_status, changes=changes
        )
        uow.commit()


async def test_tracking_shows_the_location_while_in_progress_and_hides_it_after_completion(
    session, uow_factory, client
):
    # given a job Sam has started, with his phone's position known
    tenant = make_tenant(session)
    sam_user = make_user(session, tenant, role=Role.PROVIDER)
    sam = make_provider(
        session,
        tenant,
        user=sam_user,
        name="Sam Ortiz",
        current_lat=33.7630,
        current_lng=-84.3930,
        location_updated_at=datetime.now(UTC),
    )
    booking = make_booking(
        session,
        tenant,
        tracking_token_hash=token_digest("link-token"),
        vehicle={"year": 2018, "make": "Honda", "model": "Accord"},
    )
    _advance(uow_factory, booking, S.CONFIRMED)
    _advance(uow_factory, booking, S.DISPATCHED, provider_id=sam.id)
    _advance(uow_factory, booking, S.IN_PROGRESS, actor=actor_of(sam_user))
    # when anyone with the link looks, signed in or not
    working = await client.get("/api/v1/tracking/link-token")
    # then they see the job, Sam's first name, the car and where Sam is
    assert working.status_code == 200
    assert working.headers["cache-control"] == "no-store"
    body = working.json()
    assert body["status"] == "in_progress"
    assert body["provider_first_name"] == "Sam"
    assert body["vehicle"] == "2018 Honda Accord"
    assert (body["last_location"]["lat"], body["last_location"]["lng"]) == (33.7630, -84.3930)
    assert [step["status"] for step in body["timeline"]] == [
        "confirmed",
        "dispatched",
        "in_progress",
    ]
    # when the job is completed
    with uow_factory() as uow:
        service.complete_booking(uow, actor=actor_of(sam_user), booking_id=booking.id)
    done = (await client.get("/api/v1/tracking/link-token")).json()
    # then the status shows, but no longer where Sam is
    assert done["status"] == "completed"
    assert done["last_location"] is None and done["eta_minutes"] is None


async def test_an_unknown_tracking_token_is_a_404_problem(session, client):
    make_booking(session, make_tenant(session), tracking_token_hash=token_digest("real-token"))
    response = await client.get("/api/v1/tracking/guessed-token")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "tracking_not_found"
