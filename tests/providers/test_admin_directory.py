"""The providers list staff search and page in SQL, and one provider's file."""

from datetime import UTC, date, datetime, timedelta

import pytest

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.providers import directory, onboarding
from roadside_console.domain.providers.models import (
    CredentialKind,
    ProviderCredential,
    ProviderStatus,
)
from roadside_console.domain.reviews.models import Review
from tests.factories import actor_of, make_booking, make_provider, make_tenant, make_user

NOW = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 15)


@pytest.fixture()
def desk(session):
    tenant = make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    return tenant, dispatcher


def _provider(session, tenant, name, **values):
    provider = make_provider(session, tenant, **values)
    provider.name = name
    session.add(provider)
    session.commit()
    return provider


def _list(uow_factory, actor, **filters):
    with uow_factory() as uow:
        return directory.list_providers(uow, actor=actor, now=NOW, **filters)


def _credential(session, provider, kind, expires_on):
    session.add(
        ProviderCredential(
            tenant_id=provider.tenant_id, provider_id=provider.id, kind=kind, expires_on=expires_on
        )
    )
    session.commit()


def test_the_list_is_ordered_by_name_and_paged_with_the_total(session, uow_factory, desk):
    tenant, dispatcher = desk
    for name in ["Cora", "alma", "Bea", "Dina", "Eve"]:
        _provider(session, tenant, name)
    first = _list(uow_factory, dispatcher, page=1, page_size=2)
    last = _list(uow_factory, dispatcher, page=3, page_size=2)
    assert [r.name for r in first.rows] == ["alma", "Bea"]
    assert [r.name for r in last.rows] == ["Eve"]
    assert (first.total, last.total) == (5, 5)


def test_staff_find_a_provider_by_name_email_or_phone_however_it_is_typed(
    session, uow_factory, desk
):
    tenant, dispatcher = desk
    lena = _provider(session, tenant, "Lena Ortiz", phone="+14045550142")
    _provider(session, tenant, "Marcus Hill", phone="+14045550999")
    for term in ["ortiz", lena.email.split("@")[0].upper(), "(404) 555-0142"]:
        found = _list(uow_factory, dispatcher, search=term)
        assert [r.name for r in found.rows] == ["Lena Ortiz"], term
    assert _list(uow_factory, dispatcher, search="nobody").total == 0


def test_the_status_and_duty_filters_narrow_the_list(session, uow_factory, desk):
    tenant, dispatcher = desk
    fresh, stale = NOW - timedelta(seconds=60), NOW - timedelta(minutes=10)
    _provider(session, tenant, "Online", is_available=True, location_updated_at=fresh)
    _provider(session, tenant, "Quiet", is_available=True, location_updated_at=stale)
    _provider(session, tenant, "Off duty", is_available=False, location_updated_at=fresh)
    _provider(session, tenant, "New", status=ProviderStatus.PENDING, is_available=False)
    pending = _list(uow_factory, dispatcher, status="pending")
    available = _list(uow_factory, dispatcher, duty="available")
    online = _list(uow_factory, dispatcher, duty="online")
    assert [r.name for r in pending.rows] == ["New"]
    assert [r.name for r in available.rows] == ["Online", "Quiet"]
    assert [r.name for r in online.rows] == ["Online"]
    for bad in ({"status": "sleeping"}, {"duty": "asleep"}):
        with pytest.raises(ValidationFailed):
            _list(uow_factory, dispatcher, **bad)


def test_a_row_shows_online_rating_jobs_this_month_and_credential_warnings(
    session, uow_factory, desk
):
    # given a provider on duty with a fresh fix, two reviews, jobs this month and last month,
    # insurance expiring in 10 days and a licence renewed after an expired copy
    tenant, dispatcher = desk
    lena = _provider(
        session,
        tenant,
        "Lena",
        location_updated_at=NOW - timedelta(seconds=30),
        rating_total=9,
        review_count=2,
    )
    for completed_at in [
        NOW - timedelta(days=2),
        NOW - timedelta(days=10),
        NOW - timedelta(days=20),
    ]:
        make_booking(
            session,
            tenant,
            provider_id=lena.id,
            status=BookingStatus.COMPLETED,
            completed_at=completed_at,
        )
    make_booking(session, tenant, provider_id=lena.id, status=BookingStatus.IN_PROGRESS)
    _credential(session, lena, CredentialKind.INSURANCE, TODAY + timedelta(days=10))
    _credential(session, lena, CredentialKind.DRIVERS_LICENCE, TODAY - timedelta(days=3))
    _credential(session, lena, CredentialKind.DRIVERS_LICENCE, TODAY + timedelta(days=300))
    # and one whose fix is stale, with an expired licence and no reviews
    stale = _provider(session, tenant, "Zed", location_updated_at=NOW - timedelta(hours=1))
    _credential(session, stale, CredentialKind.DRIVERS_LICENCE, TODAY - timedelta(days=1))
    # when staff list them
    rows = {r.name: r for r in _list(uow_factory, dispatcher).rows}
    # then
    lena_row, zed_row = rows["Lena"], rows["Zed"]
    assert (lena_row.online, lena_row.rating, lena_row.review_count) == (True, 4.5, 2)
    assert lena_row.jobs_this_month == 2  # Dec 13 and Dec 5; Nov 25 is last month
    assert (lena_row.credentials_expired, lena_row.credentials_expiring) == (False, True)
    assert (zed_row.online, zed_row.rating, zed_row.jobs_this_month) == (False, None, 0)
    assert (zed_row.credentials_expired, zed_row.credentials_expiring) == (True, False)


def test_the_detail_shows_credentials_with_warnings_reviews_and_payouts(session, uow_factory, desk):
    # given a provider with credentials, a review and two payouts
    tenant, dispatcher = desk
    lena = _provider(session, tenant, "Lena", rating_total=4, review_count=1)
    _credential(session, lena, CredentialKind.INSURANCE, TODAY - timedelta(days=40))
    _credential(session, lena, CredentialKind.INSURANCE, TODAY + timedelta(days=12))
    _credential(session, lena, CredentialKind.DRIVERS_LICENCE, TODAY - timedelta(days=1))
    job = make_booking(session, tenant, provider_id=lena.id, status=BookingStatus.COMPLETED)
    session.add(
        Review(
            tenant_id=tenant.id, booking_id=job.id, provider_id=lena.id, rating=4, comment="Quick"
        )
    )
    session.add_all(
        [
            ProviderPayout(
                tenant_id=tenant.id,
                provider_id=lena.id,
                booking_id=job.id,
                amount_cents=7000,
                status=PayoutStatus.PAID,
                paid_at=NOW - timedelta(days=1),
                created_at=NOW - timedelta(days=3),
            ),
            ProviderPayout(
                tenant_id=tenant.id,
                provider_id=lena.id,
                booking_id=job.id,
                amount_cents=-1500,
                kind=PayoutKind.CLAWBACK,
                created_at=NOW - timedelta(days=1),
            ),
        ]
    )
    session.commit()
    # when staff open the provider
    with uow_factory() as uow:
        detail = directory.provider_detail(uow, actor=dispatcher, provider_id=lena.id, now=NOW)
    # then credentials carry their state (the superseded copy is marked replaced)
    states = sorted((c.kind, c.state, c.days_left) for c in detail.credentials)
    assert states == [
        ("drivers_licence", "expired", -1),
        ("insurance", "expiring", 12),
        ("insurance", "replaced", -40),
    ]
    assert detail.dispatch_blockers == [
        f"Drivers licence expired on {(TODAY - timedelta(days=1)).isoformat()}"
    ]
    assert [(r.rating, r.comment, r.booking_reference) for r in detail.reviews] == [
        (4, "Quick", job.reference)
    ]
    assert [(p.kind, p.amount_cents) for p in detail.payouts] == [
        ("clawback", -1500),
        ("earning", 7000),
    ]
    assert detail.joined is True and detail.invite_expires_at is None
    assert detail.can_change_commission is False  # a dispatcher sees commission read-only


def test_a_pending_provider_who_has_not_joined_shows_when_their_link_expires(
    session, uow_factory, desk
):
    _, dispatcher = desk
    with uow_factory() as uow:
        invite = onboarding.invite_provider(
            uow,
            actor=dispatcher,
            name="Nia Brooks",
            email="nia@example.com",
            phone="404 555 0177",
            now=NOW,
        )
    with uow_factory() as uow:
        detail = directory.provider_detail(
            uow, actor=dispatcher, provider_id=invite.provider_id, now=NOW
        )
    assert (detail.status, detail.joined) == ("pending", False)
    assert detail.invite_expires_at == invite.expires_at == NOW + timedelta(hours=72)


def test_providers_of_another_workspace_are_neither_listed_nor_opened(session, uow_factory, desk):
    tenant, _ = desk
    theirs = _provider(session, tenant, "Lena")
    outsider = actor_of(make_user(session, make_tenant(session), role=Role.ADMIN))
    assert _list(uow_factory, outsider).total == 0
    with uow_factory() as uow, pytest.raises(NotFound):
        directory.provider_detail(uow, actor=outsider, provider_id=theirs.id, now=NOW)


def test_finance_cannot_browse_providers(session, uow_factory, desk):
    tenant, _ = desk
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    with pytest.raises(Forbidden):
        _list(uow_factory, finance)
