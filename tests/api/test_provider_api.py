import asyncio

import pytest
from sqlmodel import Session, func, select

from api.app import create_api
from api.deps import get_uow
from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import service as dispatch
from roadside_console.domain.identity.models import User
from roadside_console.domain.providers.models import ProviderLocation, ProviderStatus
from roadside_console.domain.tenants.models import Tenant
from tests.api.bearer import bearer
from tests.api.conftest import client_for
from tests.dispatch.support import confirmed_booking, make_world, provider_at, reload
from tests.factories import make_provider, make_tenant, make_user
from tests.providers.support import reloaded, trail_of

pytestmark = pytest.mark.anyio
S = BookingStatus
API = "/api/v1/provider"


def _provider_headers(session, uow_factory, provider):
    return bearer(uow_factory, session.get(User, provider.user_id))


def _dispatch(uow_factory, booking):
    with uow_factory() as uow:
        return dispatch.dispatch_booking(uow, actor=None, booking_id=booking.id)


async def test_a_provider_runs_a_whole_job_offer_accept_complete(session, uow_factory, client):
    # given a provider near a confirmed booking that the system offered to them
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Pat", miles_north=1)
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    headers = _provider_headers(session, uow_factory, provider)
    # when they list their offers
    offers = await client.get(f"{API}/offers", headers=headers)
    # then they see it, without the street address
    assert offers.status_code == 200
    [offer] = offers.json()
    assert (offer["booking_id"], offer["service_name"], offer["pickup_area"]) == (
        str(booking.id),
        "Towing",
        "Atlanta, GA 30313",
    )
    assert offer["estimated_earnings_cents"] == 7000
    # when they accept it
    accepted = await client.post(f"{API}/offers/{offer['offer_id']}/accept", headers=headers)
    jobs = await client.get(f"{API}/jobs", headers=headers)
    # then the job is theirs and in progress, with where to go
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    [job] = jobs.json()
    assert (job["status"], job["address"], job["next_statuses"]) == (
        "in_progress",
        booking.address,
        ["completed"],
    )
    # when they complete it
    done = await client.post(
        f"{API}/jobs/{booking.id}/status", json={"status": "completed"}, headers=headers
    )
    # then the booking is completed and the job no longer shows the customer's contact
    assert done.status_code == 200
    assert done.json() == {"booking_id": str(booking.id), "status": "completed"}
    assert reload(session, booking).status is S.COMPLETED
    [finished] = (await client.get(f"{API}/jobs", headers=headers)).json()
    assert (finished["status"], finished["contact_phone"]) == ("completed", None)
    assert (await client.get(f"{API}/offers", headers=headers)).json() == []


async def test_rejecting_an_offer_hands_the_job_to_the_next_provider(session, uow_factory, client):
    # given a job offered to the nearer of two providers
    world = make_world(session)
    near = provider_at(session, world.tenant, "Near", miles_north=1)
    far = provider_at(session, world.tenant, "Far", miles_north=4)
    booking = confirmed_booking(session, world)
    outcome = _dispatch(uow_factory, booking)
    # when the near one declines with a reason
    response = await client.post(
        f"{API}/offers/{outcome.offer_id}/reject",
        json={"reason": "Truck in the shop"},
        headers=_provider_headers(session, uow_factory, near),
    )
    # then the answer says it went on, and the far one has the offer
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["offered_to_next"]) == ("rejected", True)
    assert reload(session, booking).provider_id == far.id


async def test_accepting_an_offer_twice_is_a_409_problem(session, uow_factory, client):
    # given an accepted offer
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Pat", miles_north=1)
    outcome = _dispatch(uow_factory, confirmed_booking(session, world))
    headers = _provider_headers(session, uow_factory, provider)
    await client.post(f"{API}/offers/{outcome.offer_id}/accept", headers=headers)
    # when it is accepted again
    again = await client.post(f"{API}/offers/{outcome.offer_id}/accept", headers=headers)
    # then
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "offer_closed"


async def test_a_status_the_rules_do_not_give_a_provider_is_refused_with_the_field(
    session, uow_factory, client
):
    # given a job in progress
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Pat", miles_north=1)
    booking = confirmed_booking(session, world)
    outcome = _dispatch(uow_factory, booking)
    headers = _provider_headers(session, uow_factory, provider)
    await client.post(f"{API}/offers/{outcome.offer_id}/accept", headers=headers)
    # when the provider tries to send it back to pending
    response = await client.post(
        f"{API}/jobs/{booking.id}/status", json={"status": "pending"}, headers=headers
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert [e["field"] for e in response.json()["errors"]] == ["status"]
    assert "cannot become pending" in response.json()["detail"]
    assert reload(session, booking).status is S.IN_PROGRESS


async def test_location_posts_within_five_seconds_store_one_point_but_move_the_provider(
    session, uow_factory, client
):
    # given a provider
    provider = make_provider(session, make_tenant(session))
    headers = _provider_headers(session, uow_factory, provider)
    # when their phone posts twice in quick succession
    first = await client.post(
        f"{API}/location",
        json={"lat": 33.75, "lng": -84.39, "accuracy_m": 10, "heading_deg": 45},
        headers=headers,
    )
    second = await client.post(
        f"{API}/location", json={"lat": 33.76, "lng": -84.38}, headers=headers
    )
    # then one point is kept, and the current position is the second fix
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["stored"], second.json()["stored"]) == (True, False)
    [point] = trail_of(session, provider)
    assert (point.lat, point.lng, point.accuracy_m, point.heading_deg) == (33.75, -84.39, 10, 45)
    fresh = reloaded(session, provider)
    assert (fresh.current_lat, fresh.current_lng) == (33.76, -84.38)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lat": 95, "lng": -84.39}, "lat"),
        ({"lat": 33.75, "lng": 200}, "lng"),
        ({"lat": 33.75, "lng": -84.39, "heading_deg": 400}, "heading_deg"),
        ({"lng": -84.39}, "lat"),
    ],
)
async def test_an_impossible_fix_is_a_422_naming_the_field(
    session, uow_factory, client, body, field
):
    # given a provider
    provider = make_provider(session, make_tenant(session))
    # when a broken fix is posted
    response = await client.post(
        f"{API}/location", json=body, headers=_provider_headers(session, uow_factory, provider)
    )
    # then
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert trail_of(session, provider) == []


async def test_a_pending_provider_cannot_go_available_but_an_active_one_can(
    session, uow_factory, client
):
    # given a pending and an active provider, both off duty
    tenant = make_tenant(session)
    pending = make_provider(session, tenant, status=ProviderStatus.PENDING, is_available=False)
    active = make_provider(session, tenant, is_available=False)
    # when both go available
    refused = await client.put(
        f"{API}/availability",
        json={"available": True},
        headers=_provider_headers(session, uow_factory, pending),
    )
    accepted = await client.put(
        f"{API}/availability",
        json={"available": True},
        headers=_provider_headers(session, uow_factory, active),
    )
    # then the pending one gets a 409 on the field and the active one is on duty
    assert refused.status_code == 409
    assert refused.json()["code"] == "provider_not_active"
    assert [e["field"] for e in refused.json()["errors"]] == ["available"]
    assert accepted.status_code == 200
    assert accepted.json() == {"available": True, "status": "active"}


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.DISPATCHER])
async def test_customers_and_staff_get_403_on_every_provider_route(
    session, uow_factory, client, role
):
    # given a customer or a dispatcher with a token
    tenant = make_tenant(session)
    headers = bearer(uow_factory, make_user(session, tenant, role=role))
    some_id = "00000000-0000-4000-8000-000000000000"
    calls = [
        client.get(f"{API}/offers", headers=headers),
        client.post(f"{API}/offers/{some_id}/accept", headers=headers),
        client.post(f"{API}/offers/{some_id}/reject", headers=headers),
        client.get(f"{API}/jobs", headers=headers),
        client.post(f"{API}/jobs/{some_id}/status", json={"status": "completed"}, headers=headers),
        client.post(f"{API}/location", json={"lat": 33.7, "lng": -84.3}, headers=headers),
        client.put(f"{API}/availability", json={"available": True}, headers=headers),
    ]
    # when they call each provider route
    responses = [await call for call in calls]
    # then every one is a 403 problem
    assert [r.status_code for r in responses] == [403] * len(calls)
    assert {r.json()["code"] for r in responses} == {"forbidden"}


async def test_provider_routes_need_a_token(client):
    # when / then
    response = await client.get(f"{API}/offers")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


@pytest.mark.pg
async def test_concurrent_location_posts_on_postgresql_store_exactly_one_point(pg_engine):
    # given a committed provider and the API on PostgreSQL without a shared transaction
    def new_uow() -> UnitOfWork:
        return UnitOfWork(lambda: Session(pg_engine, expire_on_commit=False))

    with Session(pg_engine, expire_on_commit=False) as s:
        tenant = make_tenant(s)
        provider = make_provider(s, tenant)
        user = s.get(User, provider.user_id)
    api = create_api()
    api.dependency_overrides[get_uow] = new_uow
    try:
        headers = bearer(new_uow, user)
        async with client_for(api) as http:
            # when eight fixes arrive at once
            responses = await asyncio.gather(
                *(
                    http.post(
                        f"{API}/location",
                        json={"lat": 33.75, "lng": -84.39 + i / 1000},
                        headers=headers,
                    )
                    for i in range(8)
                )
            )
        # then all are taken, one is stored
        assert [r.status_code for r in responses] == [200] * 8
        assert [r.json()["stored"] for r in responses].count(True) == 1
        with Session(pg_engine) as check:
            points = check.exec(
                select(func.count()).where(ProviderLocation.provider_id == provider.id)
            ).one()
        assert points == 1
    finally:
        with Session(pg_engine) as s:
            s.delete(s.get(Tenant, tenant.id))
            s.commit()
