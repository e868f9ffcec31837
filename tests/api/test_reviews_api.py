import pytest
from sqlmodel import select

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.identity.models import User
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.tenants.models import Tenant
from tests.api.bearer import bearer
from tests.factories import make_booking, make_provider, make_tenant, make_user

pytestmark = pytest.mark.anyio
S = BookingStatus


def _completed_job(session, status=S.COMPLETED):
    tenant = make_tenant(session)
    provider = make_provider(session, tenant)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(
        session, tenant, customer=customer, status=status, provider_id=provider.id
    )
    return booking, provider, customer


def _rating(session, provider):
    session.expire_all()
    fresh = session.exec(select(Provider).where(Provider.id == provider.id)).one()
    return fresh.rating_total, fresh.review_count


async def test_the_customer_reviews_a_completed_booking_once(session, uow_factory, client):
    # given a completed booking and its customer's token
    booking, provider, customer = _completed_job(session)
    headers = bearer(uow_factory, customer)
    url = f"/api/v1/bookings/{booking.id}/review"
    # when they review it, then try again
    first = await client.post(url, json={"stars": 4, "comment": "Friendly"}, headers=headers)
    second = await client.post(url, json={"stars": 1}, headers=headers)
    # then the first is stored and counted, the second is a 409 problem
    assert first.status_code == 201
    assert (first.json()["booking_id"], first.json()["stars"], first.json()["comment"]) == (
        str(booking.id),
        4,
        "Friendly",
    )
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["code"] == "review_exists"
    assert _rating(session, provider) == (4, 1)


@pytest.mark.parametrize("stars", [0, 6])
async def test_stars_outside_one_to_five_are_a_422_naming_the_field(
    session, uow_factory, client, stars
):
    # given a completed booking
    booking, provider, customer = _completed_job(session)
    # when the customer sends an impossible rating
    response = await client.post(
        f"/api/v1/bookings/{booking.id}/review",
        json={"stars": stars},
        headers=bearer(uow_factory, customer),
    )
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_stars"
    assert response.json()["errors"] == [
        {"field": "stars", "message": "Give between 1 and 5 stars (whole stars)."}
    ]
    assert _rating(session, provider) == (0, 0)


async def test_stars_that_are_not_a_number_are_a_422_naming_the_field(session, uow_factory, client):
    # given a completed booking
    booking, _, customer = _completed_job(session)
    # when
    response = await client.post(
        f"/api/v1/bookings/{booking.id}/review",
        json={"stars": "five"},
        headers=bearer(uow_factory, customer),
    )
    # then
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["stars"]


async def test_a_booking_in_progress_cannot_be_reviewed_yet(session, uow_factory, client):
    # given a job still in progress
    booking, _, customer = _completed_job(session, status=S.IN_PROGRESS)
    # when
    response = await client.post(
        f"/api/v1/bookings/{booking.id}/review",
        json={"stars": 5},
        headers=bearer(uow_factory, customer),
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "booking_not_completed"


async def test_someone_elses_booking_is_a_404_and_a_provider_gets_a_403(
    session, uow_factory, client
):
    # given a completed booking, another customer and the job's provider
    booking, provider, _ = _completed_job(session)
    stranger = make_user(session, session.get(Tenant, booking.tenant_id), role=Role.CUSTOMER)
    url = f"/api/v1/bookings/{booking.id}/review"
    # when each tries to review it
    by_stranger = await client.post(url, json={"stars": 1}, headers=bearer(uow_factory, stranger))
    by_provider = await client.post(
        url, json={"stars": 5}, headers=bearer(uow_factory, session.get(User, provider.user_id))
    )
    # then
    assert (by_stranger.status_code, by_stranger.json()["code"]) == (404, "booking_not_found")
    assert (by_provider.status_code, by_provider.json()["code"]) == (403, "forbidden")
    assert _rating(session, provider) == (0, 0)
