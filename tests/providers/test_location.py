from datetime import timedelta

import pytest
import sqlalchemy as sa

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.providers import service
from roadside_console.domain.providers.models import ProviderLocation
from roadside_console.worker import jobs
from tests.dispatch.support import NOW, later
from tests.factories import actor_of, make_booking, make_provider, make_tenant, make_user
from tests.providers.support import actor_for, reloaded, trail_of

S = BookingStatus


def _post(uow_factory, actor, *, at=NOW, lat=33.76, lng=-84.39, accuracy_m=8.0, heading_deg=90.0):
    with uow_factory() as uow:
        return service.record_location(
            uow,
            actor=actor,
            lat=lat,
            lng=lng,
            accuracy_m=accuracy_m,
            heading_deg=heading_deg,
            now=at,
        )


def test_a_first_fix_moves_the_provider_and_starts_the_trail(session, uow_factory):
    # given a provider who never posted a location
    provider = make_provider(session, make_tenant(session))
    # when their phone posts a fix
    result = _post(uow_factory, actor_for(session, provider), accuracy_m=12.5, heading_deg=270)
    # then the current position moved and one point with its readings is stored
    assert (result.provider_id, result.stored, result.booking_id) == (provider.id, True, None)
    fresh = reloaded(session, provider)
    assert (fresh.current_lat, fresh.current_lng, fresh.location_updated_at) == (
        33.76,
        -84.39,
        NOW,
    )
    [point] = trail_of(session, provider)
    assert (point.lat, point.lng, point.accuracy_m, point.heading_deg, point.recorded_at) == (
        33.76,
        -84.39,
        12.5,
        270,
        NOW,
    )
    assert point.tenant_id == provider.tenant_id


def test_posts_within_five_seconds_move_the_provider_but_store_one_point(session, uow_factory):
    # given a provider whose phone posts every second
    provider = make_provider(session, make_tenant(session))
    actor = actor_for(session, provider)
    # when it posts at 0, 1, 2, 4.9, 5 and 7 seconds
    stored = [
        _post(uow_factory, actor, at=later(s), lng=-84.39 + s / 1000).stored
        for s in (0, 1, 2, 4.9, 5, 7)
    ]
    # then points are kept at 0 and 5 s only, and the current position is the latest fix
    assert stored == [True, False, False, False, True, False]
    assert [p.recorded_at for p in trail_of(session, provider)] == [NOW, later(5)]
    fresh = reloaded(session, provider)
    assert (fresh.current_lng, fresh.location_updated_at) == (pytest.approx(-84.383), later(7))


def test_a_fix_never_reads_the_trail_and_only_a_due_one_writes_to_it(session, uow_factory):
    # given a provider with a point kept a second ago (the trail's size must not matter)
    provider = make_provider(session, make_tenant(session))
    actor = actor_for(session, provider)
    _post(uow_factory, actor, at=NOW)
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "SAVEPOINT" not in statement.upper():  # the test's own rolled-back transaction
            seen.append(" ".join(statement.split()[:3]).upper())

    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        # when the phone posts within the window, then once a point is due
        _post(uow_factory, actor, at=later(1))
        within = list(seen)
        _post(uow_factory, actor, at=later(6))
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    # then the first is the position's UPDATE alone, the due one adds the point's INSERT
    assert within == ["UPDATE PROVIDERS SET"]
    assert seen[len(within) :] == ["UPDATE PROVIDERS SET", "INSERT INTO PROVIDER_LOCATIONS"]


def test_each_provider_has_their_own_five_second_window(session, uow_factory):
    # given two providers of one tenant
    tenant = make_tenant(session)
    first, second = make_provider(session, tenant), make_provider(session, tenant)
    # when both post within the same second
    a = _post(uow_factory, actor_for(session, first), at=NOW)
    b = _post(uow_factory, actor_for(session, second), at=later(0.5))
    # then each keeps a point
    assert (a.stored, b.stored) == (True, True)
    assert len(trail_of(session, first)) == len(trail_of(session, second)) == 1


def test_a_point_belongs_to_the_job_in_progress_not_to_a_mere_offer(session, uow_factory):
    # given a provider with a job in progress and another booking only offered to them
    tenant = make_tenant(session)
    provider = make_provider(session, tenant)
    job = make_booking(
        session, tenant, status=S.IN_PROGRESS, provider_id=provider.id, started_at=NOW
    )
    make_booking(session, tenant, status=S.DISPATCHED, provider_id=provider.id)
    # when they post a fix
    result = _post(uow_factory, actor_for(session, provider))
    # then the point is tied to the job in progress
    assert result.booking_id == job.id
    assert [p.booking_id for p in trail_of(session, provider)] == [job.id]


@pytest.mark.parametrize(
    ("fix", "field"),
    [
        ({"lat": 91.0}, "lat"),
        ({"lat": float("nan")}, "lat"),
        ({"lng": -180.5}, "lng"),
        ({"lat": None}, "lat"),
        ({"accuracy_m": -1.0}, "accuracy_m"),
        ({"heading_deg": 360.0}, "heading_deg"),
    ],
)
def test_an_impossible_fix_is_refused_with_its_field_and_changes_nothing(
    session, uow_factory, fix, field
):
    # given a provider
    provider = make_provider(session, make_tenant(session))
    # when a broken fix is posted
    with pytest.raises(ValidationFailed) as refused:
        _post(uow_factory, actor_for(session, provider), **fix)
    # then it names the field, and neither the position nor the trail moved
    assert refused.value.field == field
    assert reloaded(session, provider).location_updated_at is None
    assert trail_of(session, provider) == []


def test_only_a_provider_with_a_profile_can_post_a_location(session, uow_factory):
    # given a customer and a provider login without a provider profile
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    no_profile = make_user(session, tenant, role=Role.PROVIDER)
    # when each posts a fix / then the customer is forbidden and the other is not found
    with pytest.raises(Forbidden):
        _post(uow_factory, actor_of(customer))
    with pytest.raises(NotFound) as missing:
        _post(uow_factory, actor_of(no_profile))
    assert missing.value.code == "provider_not_found"


# --- retention ------------------------------------------------------------------------------


def _point(session, provider, age: timedelta) -> ProviderLocation:
    row = ProviderLocation(
        tenant_id=provider.tenant_id,
        provider_id=provider.id,
        lat=33.76,
        lng=-84.39,
        recorded_at=NOW - age,
    )
    session.add(row)
    session.commit()
    return row


def test_points_older_than_the_retention_are_purged_and_newer_ones_kept(session, uow_factory):
    # given points of two tenants' providers, 8 days, 7 days less a minute and 1 hour old
    providers = [make_provider(session, make_tenant(session)) for _ in range(2)]
    for provider in providers:
        for age in (timedelta(days=8), timedelta(days=7, minutes=-1), timedelta(hours=1)):
            _point(session, provider, age)
    # when the worker's purge runs with the default retention of 7 days
    report = service.run_location_purge(uow_factory, NOW)
    # then only the 8-day-old points are gone, in every tenant
    assert (report.deleted, report.next_provider_id) == (2, None)
    for provider in providers:
        assert [p.recorded_at for p in trail_of(session, provider)] == [
            NOW - timedelta(days=7, minutes=-1),
            NOW - timedelta(hours=1),
        ]


def test_the_retention_is_a_setting(session, uow_factory, monkeypatch):
    # given a deployment that keeps points for one day
    monkeypatch.setenv("LOCATION_RETENTION_DAYS", "1")
    provider = make_provider(session, make_tenant(session))
    _point(session, provider, timedelta(days=2))
    _point(session, provider, timedelta(hours=2))
    # when the purge runs
    report = service.run_location_purge(uow_factory, NOW)
    # then the two-day-old point is gone
    assert report.deleted == 1
    assert [p.recorded_at for p in trail_of(session, provider)] == [NOW - timedelta(hours=2)]


def test_the_purge_goes_through_the_providers_in_chunks(session, uow_factory):
    # given three providers with an old point each
    tenant = make_tenant(session)
    providers = [make_provider(session, tenant) for _ in range(3)]
    for provider in providers:
        _point(session, provider, timedelta(days=10))
    # when one chunk of two providers is purged, then the rest from where it stopped
    with uow_factory() as uow:
        first = service.purge_old_locations(uow, now=NOW, providers=2)
    with uow_factory() as uow:
        rest = service.purge_old_locations(
            uow, now=NOW, providers=2, after_provider_id=first.next_provider_id
        )
    # then the first chunk says where to go on, and the second finishes
    assert first.deleted == 2 and first.next_provider_id is not None
    assert (rest.deleted, rest.next_provider_id) == (1, None)
    assert all(trail_of(session, provider) == [] for provider in providers)


def test_the_worker_job_walks_every_chunk_in_one_run(session, uow_factory):
    # given five providers with old points
    tenant = make_tenant(session)
    providers = [make_provider(session, tenant) for _ in range(5)]
    for provider in providers:
        _point(session, provider, timedelta(days=9))
    # when the job runs in chunks of two providers
    report = service.run_location_purge(uow_factory, NOW, providers=2)
    # then every old point is gone
    assert report.deleted == 5
    assert all(trail_of(session, provider) == [] for provider in providers)


def test_the_worker_purges_old_points_every_hour():
    # given / when
    by_name = {job.name: job for job in jobs.registry}
    # then
    assert by_name["purge_provider_locations"].interval_seconds == 3600
