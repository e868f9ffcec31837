import pytest
from sqlmodel import select

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.identity.models import User
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.reviews import service
from roadside_console.domain.reviews.models import Review
from roadside_console.domain.tenants.models import Tenant
from tests.dispatch.support import NOW
from tests.factories import actor_of, make_booking, make_provider, make_tenant, make_user

S = BookingStatus


def _job(session, *, status=S.COMPLETED):
    tenant = make_tenant(session)
    provider = make_provider(session, tenant)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(
        session, tenant, customer=customer, status=status, provider_id=provider.id
    )
    return booking, provider, customer


def _review(uow_factory, actor, booking, stars=5, comment=None):
    with uow_factory() as uow:
        return service.leave_review(
            uow, actor=actor, booking_id=booking.id, stars=stars, comment=comment, now=NOW
        )


def _provider(session, provider) -> Provider:
    session.expire_all()
    return session.exec(select(Provider).where(Provider.id == provider.id)).one()


def test_the_customer_reviews_a_completed_job_and_the_providers_rating_moves(session, uow_factory):
    # given a provider rated 4 stars once, and a completed job of theirs
    booking, provider, customer = _job(session)
    provider.rating_total, provider.review_count = 4, 1
    session.add(provider)
    session.commit()
    # when the customer gives it 5 stars with a comment
    view = _review(uow_factory, actor_of(customer), booking, stars=5, comment="  Quick, kind.  ")
    # then the review is kept and the provider averages 4.5 over two reviews
    assert (view.booking_id, view.provider_id, view.stars, view.comment) == (
        booking.id,
        provider.id,
        5,
        "Quick, kind.",
    )
    review = session.exec(select(Review).where(Review.booking_id == booking.id)).one()
    assert (review.rating, review.customer_id, review.comment) == (5, customer.id, "Quick, kind.")
    fresh = _provider(session, provider)
    assert (fresh.rating_total, fresh.review_count, fresh.average_rating) == (9, 2, 4.5)


def test_a_second_review_of_the_same_job_is_a_conflict_and_counts_nothing(session, uow_factory):
    # given a job the customer already reviewed
    booking, provider, customer = _job(session)
    _review(uow_factory, actor_of(customer), booking, stars=2)
    # when they review it again
    with pytest.raises(Conflict) as refused:
        _review(uow_factory, actor_of(customer), booking, stars=5)
    # then it is refused and the rating still counts the first one only
    assert refused.value.code == "review_exists"
    fresh = _provider(session, provider)
    assert (fresh.rating_total, fresh.review_count) == (2, 1)


@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_stars_outside_one_to_five_are_refused_with_the_field(session, uow_factory, stars):
    # given a completed job
    booking, provider, customer = _job(session)
    # when the customer gives an impossible rating
    with pytest.raises(ValidationFailed) as refused:
        _review(uow_factory, actor_of(customer), booking, stars=stars)
    # then it names the field and nothing is stored
    assert (refused.value.code, refused.value.field) == ("invalid_stars", "stars")
    assert _provider(session, provider).review_count == 0


def test_a_comment_longer_than_2000_characters_is_refused(session, uow_factory):
    # given a completed job
    booking, _, customer = _job(session)
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        _review(uow_factory, actor_of(customer), booking, comment="x" * 2001)
    assert refused.value.field == "comment"


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.CANCELLED])
def test_a_job_that_is_not_completed_cannot_be_reviewed(session, uow_factory, status):
    # given a job in progress or cancelled
    booking, _, customer = _job(session, status=status)
    # when / then
    with pytest.raises(Conflict) as refused:
        _review(uow_factory, actor_of(customer), booking)
    assert refused.value.code == "booking_not_completed"


def test_only_the_bookings_customer_may_review_it(session, uow_factory):
    # given a completed job, another customer of the tenant, and its provider
    booking, provider, _ = _job(session)
    stranger = make_user(session, session.get(Tenant, booking.tenant_id), role=Role.CUSTOMER)
    provider_user = session.get(User, provider.user_id)
    # when / then: the stranger does not even learn it exists; the provider may not review
    with pytest.raises(NotFound):
        _review(uow_factory, actor_of(stranger), booking)
    with pytest.raises(Forbidden):
        _review(uow_factory, actor_of(provider_user), booking)
    assert _provider(session, provider).review_count == 0
