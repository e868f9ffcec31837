from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from roadside_console.domain.bookings.models import Booking, BookingMode, BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.pricing.service import activate_storm_mode
from tests.factories import PASSWORD, make_booking, make_provider, make_tenant, make_user
from tests.pricing.conftest import add_pricing_world

pytestmark = pytest.mark.anyio

S = BookingStatus
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


async def _bearer(client: httpx.AsyncClient, tenant, user) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/tokens",
        json={"workspace": tenant.slug, "email": user.email, "password": PASSWORD, "name": "app"},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _booking_body(service_id, **overrides) -> dict:
    body = {
        "service_id": str(service_id),
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": "Jordan Miles",
        "contact_phone": "(404) 555-0101",
        "vehicle": {"year": 2018, "make": "Honda", "model": "Accord"},
    }
    body.update(overrides)
    return body


async def test_a_guest_prices_and_books_with_the_quote_and_the_price_holds_after_storm_mode(
    session, uow_factory, client
):
    # given a guest's estimate for a 25-mile tow
    world = add_pricing_world(session)
    guest = {"X-Workspace": world.tenant.slug}
    tow = {"service_id": str(world.towing.id), "towing_miles": 25, "lat": 33.76, "lng": -84.39}
    estimate = await client.post("/api/v1/estimates", json=tow, headers=guest)
    assert estimate.status_code == 201, estimate.text
    quote = estimate.json()
    assert estimate.headers["location"] == f"/api/v1/estimates/{quote['id']}"
    assert sum(line["amount_cents"] for line in quote["breakdown"]) == quote["total_cents"]
    # when storm mode starts, and the guest then books with the quote
    with uow_factory() as uow:
        activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="ice on I-285"
        )
    booked = await client.post(
        "/api/v1/bookings",
        json=_booking_body(
            world.towing.id, quote_id=quote["id"], towing_miles=25, lat=33.76, lng=-84.39
        ),
        headers=guest,
    )
    stormy = await client.post("/api/v1/estimates", json=tow, headers=guest)
    # then the booking pays exactly the quoted total while a new estimate costs more
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert booked.headers["location"] == f"/api/v1/bookings/{body['id']}"
    assert body["total_cents"] == quote["total_cents"]
    assert body["breakdown"] == quote["breakdown"]
    assert body["status"] == "confirmed"
    assert stormy.json()["total_cents"] > quote["total_cents"]
    # and the guest can follow it with the tracking link, no sign-in needed
    tracking = await client.get(body["tracking_url"])
    assert tracking.status_code == 200
    assert tracking.json()["reference"] == body["reference"]
    # while the quote cannot pay for a second booking
    again = await client.post(
        "/api/v1/bookings",
        json=_booking_body(
            world.towing.id, quote_id=quote["id"], towing_miles=25, lat=33.76, lng=-84.39
        ),
        headers=guest,
    )
    assert again.status_code == 409 and again.json()["code"] == "quote_used"


async def test_a_guest_must_say_which_workspace_they_book_with(session, client):
    # given
    world = add_pricing_world(session)
    body = _booking_body(world.jump.id)
    # when
    anonymous = await client.post("/api/v1/bookings", json=body)
    unknown = await client.post("/api/v1/bookings", json=body, headers={"X-Workspace": "nope"})
    # then
    assert anonymous.status_code == 422
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert anonymous.json()["code"] == "workspace_required"
    assert anonymous.json()["errors"] == [
        {"field": "workspace", "message": anonymous.json()["detail"]}
    ]
    assert unknown.status_code == 404 and unknown.json()["code"] == "workspace_not_found"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": 200}, "lat"),
        ({"contact_phone": None}, "contact_phone"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"service_id": "not-a-uuid"}, "service_id"),
        ({"scheduled_at": "2026-07-01T10:00:00"}, "scheduled_at"),
        ({"vehicle": {"year": 1200}}, "vehicle.year"),
    ],
)
async def test_bad_booking_input_is_a_422_problem_naming_the_field(session, client, change, field):
    # given
    world = add_pricing_world(session)
    body = {k: v for k, v in {**_booking_body(world.jump.id), **change}.items() if v is not None}
    # when
    response = await client.post(
        "/api/v1/bookings", json=body, headers={"X-Workspace": world.tenant.slug}
    )
    # then
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_a_customer_books_with_a_token_and_it_is_theirs(session, client):
    # given
    world = add_pricing_world(session)
    customer = make_user(session, world.tenant, role=Role.CUSTOMER)
    headers = await _bearer(client, world.tenant, customer)
    # when
    booked = await client.post(
        "/api/v1/bookings", json=_booking_body(world.jump.id), headers=headers
    )
    shown = await client.get(booked.headers["location"], headers=headers)
    # then
    assert booked.status_code == 201, booked.text
    assert shown.status_code == 200
    assert shown.json()["reference"] == booked.json()["reference"]
    assert shown.json()["vehicle"] == {"year": 2018, "make": "Honda", "model": "Accord"}


async def test_a_customer_lists_their_bookings_across_pages_and_never_sees_anothers(
    session, client
):
    # given seven bookings of mine and three of another customer's
    tenant = make_tenant(session)
    me = make_user(session, tenant, role=Role.CUSTOMER)
    other = make_user(session, tenant, role=Role.CUSTOMER)
    mine = {
        str(make_booking(session, tenant, customer=me, created_at=T0 + timedelta(minutes=i)).id)
        for i in range(7)
    }
    for i in range(3):
        make_booking(session, tenant, customer=other, created_at=T0 + timedelta(minutes=i))
    headers = await _bearer(client, tenant, me)
    # when I follow the cursor three at a time
    seen: list[dict] = []
    params: dict[str, object] = {"limit": 3}
    for _ in range(10):
        page = await client.get("/api/v1/bookings", params=params, headers=headers)
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        if page.json()["next_cursor"] is None:
            break
        params = {"limit": 3, "cursor": page.json()["next_cursor"]}
    # then I see each of mine once, newest first, and none of theirs
    assert len(seen) == 7 and {row["id"] for row in seen} == mine
    created = [datetime.fromisoformat(row["created_at"]) for row in seen]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 101}, "query.limit"), ({"cursor": "bogus"}, "cursor")]
)
async def test_more_than_a_hundred_a_page_or_a_made_up_cursor_is_a_422(
    session, client, params, field
):
    tenant = make_tenant(session)
    headers = await _bearer(client, tenant, make_user(session, tenant, role=Role.CUSTOMER))
    response = await client.get("/api/v1/bookings", params=params, headers=headers)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_another_customers_booking_is_a_404_like_an_unknown_one(session, client):
    tenant = make_tenant(session)
    booking = make_booking(session, tenant)
    stranger = await _bearer(client, tenant, make_user(session, tenant, role=Role.CUSTOMER))
    response = await client.get(f"/api/v1/bookings/{booking.id}", headers=stranger)
    assert response.status_code == 404 and response.json()["code"] == "booking_not_found"


async def test_cancelling_shows_the_fee_first_and_refuses_a_stale_one(session, client):
    # given a job a provider is driving to
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    provider = make_provider(session, tenant)
    booking = make_booking(
        session, tenant, customer=customer, status=S.DISPATCHED, provider_id=provider.id
    )
    headers = await _bearer(client, tenant, customer)
    # when the customer asks the terms
    terms = await client.get(f"/api/v1/bookings/{booking.id}/cancellation", headers=headers)
    # then the fee is shown
    assert terms.json() == {
        "booking_id": str(booking.id),
        "allowed": True,
        "fee_cents": 2500,
        "fee_label": "Cancelling now costs $25.00.",
    }
    # when they cancel with the free cancellation they saw earlier, it is refused
    stale = await client.post(
        f"/api/v1/bookings/{booking.id}/cancel", json={"expected_fee_cents": 0}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "cancellation_fee_changed"
    # and with the fee they were shown, it is cancelled
    done = await client.post(
        f"/api/v1/bookings/{booking.id}/cancel",
        json={"expected_fee_cents": 2500, "reason": "car started"},
        headers=headers,
    )
    assert done.status_code == 200
    assert done.json() == {"booking_id": str(booking.id), "status": "cancelled", "fee_cents": 2500}


async def test_cancel_needs_the_fee_the_caller_was_shown(session, client):
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(session, tenant, customer=customer)
    headers = await _bearer(client, tenant, customer)
    response = await client.post(f"/api/v1/bookings/{booking.id}/cancel", json={}, headers=headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["expected_fee_cents"]


async def test_a_customer_reschedules_until_a_provider_is_sent(session, client):
    # given a scheduled booking three days ahead, and one already dispatched
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    scheduled = make_booking(
        session,
        tenant,
        customer=customer,
        status=S.CONFIRMED,
        mode=BookingMode.SCHEDULED,
        scheduled_at=later,
    )
    dispatched = make_booking(
        session,
        tenant,
        customer=customer,
        status=S.DISPATCHED,
        mode=BookingMode.SCHEDULED,
        scheduled_at=later,
        provider_id=make_provider(session, tenant).id,
    )
    headers = await _bearer(client, tenant, customer)
    new_time = (later + timedelta(days=1)).isoformat()
    # when
    moved = await client.post(
        f"/api/v1/bookings/{scheduled.id}/reschedule",
        json={"scheduled_at": new_time},
        headers=headers,
    )
    refused = await client.post(
        f"/api/v1/bookings/{dispatched.id}/reschedule",
        json={"scheduled_at": new_time},
        headers=headers,
    )
    naive = await client.post(
        f"/api/v1/bookings/{scheduled.id}/reschedule",
        json={"scheduled_at": "2030-01-01T10:00:00"},
        headers=headers,
    )
    too_far = await client.post(
        f"/api/v1/bookings/{scheduled.id}/reschedule",
        json={"scheduled_at": (later + timedelta(days=120)).isoformat()},
        headers=headers,
    )
    # then
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["scheduled_at"]) == later + timedelta(days=1)
    assert moved.json()["total_cents"] == scheduled.estimated_price_cents
    assert refused.status_code == 409 and refused.json()["code"] == "reschedule_closed"
    assert naive.status_code == 422
    assert [e["field"] for e in naive.json()["errors"]] == ["scheduled_at"]
    assert too_far.status_code == 422 and too_far.json()["code"] == "schedule_too_far"
    assert too_far.json()["errors"][0]["field"] == "scheduled_at"


async def test_a_keyed_booking_replays_its_answer_and_a_refusal_is_kept_for_its_key(
    session, client
):
    # given a guest, an estimate, and a booking that used it
    world = add_pricing_world(session)
    guest = {"X-Workspace": world.tenant.slug}
    tow = {"service_id": str(world.towing.id), "towing_miles": 25, "lat": 33.76, "lng": -84.39}
    quote = (await client.post("/api/v1/estimates", json=tow, headers=guest)).json()["id"]
    body = _booking_body(world.towing.id, quote_id=quote, towing_miles=25, lat=33.76, lng=-84.39)
    first = await client.post(
        "/api/v1/bookings", json=body, headers={**guest, "Idempotency-Key": "book-1"}
    )
    # when the same request is retried with its key, and the quote is used again with another
    retry = await client.post(
        "/api/v1/bookings", json=body, headers={**guest, "Idempotency-Key": "book-1"}
    )
    refused = await client.post(
        "/api/v1/bookings", json=body, headers={**guest, "Idempotency-Key": "book-2"}
    )
    refused_again = await client.post(
        "/api/v1/bookings", json=body, headers={**guest, "Idempotency-Key": "book-2"}
    )
    other_body = await client.post(
        "/api/v1/bookings",
        json={**body, "contact_name": "Someone Else"},
        headers={**guest, "Idempotency-Key": "book-1"},
    )
    # then the retry is the first answer, not a second booking
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == first.headers["location"]
    # the refusal is the key's answer too
    assert refused.status_code == 409 and refused.json()["code"] == "quote_used"
    assert refused_again.status_code == 409
    assert refused_again.json() == refused.json()
    assert refused_again.headers["idempotent-replayed"] == "true"
    # and the key cannot be reused for another request
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    assert _count_bookings(session, world.tenant) == 1


def _count_bookings(session, tenant) -> int:
    return session.exec(
        select(func.count()).select_from(Booking).where(Booking.tenant_id == tenant.id)
    ).one()
