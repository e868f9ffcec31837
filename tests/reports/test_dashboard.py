from datetime import UTC, datetime, timedelta

import pytest

from roadside_console.domain.bookings.models import Booking, BookingMode, BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.domain.reports.dashboard import dashboard_kpis
from tests.factories import actor_of, make_service, make_tenant, make_user

# 2026-03-01 04:30 UTC is still 2026-02-28 23:30 in New York.
NOW = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)


def _booking(session, tenant, service, *, created_at, status=BookingStatus.PENDING):
    booking = Booking(
        tenant_id=tenant.id,
        reference=f"RS-{created_at:%H%M%S}{status.value[:2]}",
        service_id=service.id,
        status=status,
        address="x",
        lat=33.7,
        lng=-84.4,
        contact_name="C",
        contact_phone="+1404",
        estimated_price_cents=10000,
        created_at=created_at,
    )
    session.add(booking)
    session.flush()
    return booking


def test_kpis_count_the_local_day_and_month_and_only_this_tenant(session, uow_factory):
    # given a tenant in New York and a noisy neighbour tenant
    tenant, other = make_tenant(session), make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    service = make_service(session, tenant, slug="jump", name="Jump")
    other_service = make_service(session, other, slug="jump", name="Jump")
    today_local = _booking(session, tenant, service, created_at=NOW - timedelta(hours=2))
    _booking(
        session,
        tenant,
        service,
        created_at=NOW - timedelta(hours=30),
        status=BookingStatus.COMPLETED,
    )
    _booking(
        session,
        tenant,
        service,
        created_at=NOW - timedelta(hours=1),
        status=BookingStatus.DISPATCHED,
    )
    _booking(session, other, other_service, created_at=NOW - timedelta(hours=1))
    # money: 150.00 confirmed in February (local), 20.00 of it refunded; one in January; one pending
    session.add_all(
        [
            Payment(
                tenant_id=tenant.id,
                booking_id=today_local.id,
                method=PaymentMethod.CASH,
                status=PaymentStatus.PARTIALLY_REFUNDED,
                amount_cents=15000,
                refunded_cents=2000,
                confirmed_at=NOW - timedelta(hours=1),
            ),
            Payment(
                tenant_id=tenant.id,
                booking_id=today_local.id,
                method=PaymentMethod.CASH,
                status=PaymentStatus.CONFIRMED,
                amount_cents=9900,
                confirmed_at=datetime(2026, 2, 1, 3, 0, tzinfo=UTC),
            ),  # Jan 31 local
            Payment(
                tenant_id=tenant.id,
                booking_id=today_local.id,
                method=PaymentMethod.ZELLE,
                status=PaymentStatus.PENDING,
                amount_cents=5000,
            ),
        ]
    )
    session.add_all(
        [
            Provider(
                tenant_id=tenant.id,
                name="On",
                email="a@x",
                phone="1",
                status=ProviderStatus.ACTIVE,
                is_available=True,
            ),
            Provider(
                tenant_id=tenant.id,
                name="Off",
                email="b@x",
                phone="2",
                status=ProviderStatus.ACTIVE,
                is_available=False,
            ),
            Provider(
                tenant_id=tenant.id,
                name="Pending",
                email="c@x",
                phone="3",
                status=ProviderStatus.PENDING,
                is_available=True,
            ),
            Provider(
                tenant_id=other.id,
                name="Elsewhere",
                email="d@x",
                phone="4",
                status=ProviderStatus.ACTIVE,
                is_available=True,
            ),
        ]
    )
    session.commit()
    # when
    with uow_factory() as uow:
        kpis = dashboard_kpis(uow, actor=actor_of(admin), now=NOW)
    # then
    assert kpis.bookings_today == 2  # 23:30 and 22:30 local on Feb 28; not the one from Feb 27
    assert kpis.active_jobs == 2
    assert kpis.revenue_month_cents == 13000
    assert kpis.providers_online == 1


def test_customers_and_providers_cannot_read_the_dashboard(session, uow_factory):
    tenant = make_tenant(session)
    for role in (Role.CUSTOMER, Role.PROVIDER):
        user = make_user(session, tenant, role=role)
        with uow_factory() as uow, pytest.raises(Forbidden):
            dashboard_kpis(uow, actor=actor_of(user), now=NOW)


def test_time_to_dispatch_is_the_mean_for_todays_immediate_bookings(session, uow_factory):
    # given today's bookings: two immediate ones dispatched after 2 and 6 minutes, one still
    # searching, a scheduled one dispatched hours after its confirmation, and yesterday's
    tenant = make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    service = make_service(session, tenant, slug="jump", name="Jump")
    confirmed = NOW - timedelta(hours=1)

    def booked(minutes_to_dispatch, *, created_at=NOW - timedelta(hours=1), mode=None):
        booking = _booking(session, tenant, service, created_at=created_at)
        booking.confirmed_at = created_at
        if minutes_to_dispatch is not None:
            booking.dispatched_at = created_at + timedelta(minutes=minutes_to_dispatch)
        if mode is not None:
            booking.mode = mode
        session.add(booking)
        session.flush()

    with uow_factory() as uow:
        assert dashboard_kpis(uow, actor=actor_of(admin), now=NOW).avg_dispatch_seconds is None
    booked(2)
    booked(6, created_at=confirmed - timedelta(minutes=30))
    booked(None, created_at=confirmed + timedelta(minutes=20))
    booked(240, created_at=confirmed - timedelta(minutes=10), mode=BookingMode.SCHEDULED)
    booked(30, created_at=NOW - timedelta(days=1, hours=1, minutes=1))
    session.commit()
    # when
    with uow_factory() as uow:
        kpis = dashboard_kpis(uow, actor=actor_of(admin), now=NOW)
    # then only the two immediate, dispatched bookings of today count: (2 + 6) / 2 minutes
    assert kpis.avg_dispatch_seconds == 240
