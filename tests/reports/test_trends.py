"""Dashboard charts: bookings and net revenue for each of the last 30 local days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.payments.models import PaymentStatus
from roadside_console.domain.reports.trends import dashboard_trends
from tests.factories import actor_of, make_service, make_tenant, make_user
from tests.reports.support import booking_at, paid

# 2026-03-01 04:30 UTC is still Saturday 28 February, 23:30, in New York.
NOW = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)


def test_trends_cover_thirty_local_days_ending_today_with_exact_cents(session, uow_factory):
    # given
    tenant, other = make_tenant(session), make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    service = make_service(session, tenant)
    today = booking_at(session, tenant, service, NOW - timedelta(hours=1))  # Feb 28 22:30
    booking_at(session, tenant, service, NOW - timedelta(hours=2))  # Feb 28 21:30
    first = booking_at(session, tenant, service, datetime(2026, 1, 30, 5, 30, tzinfo=UTC))
    booking_at(session, tenant, service, datetime(2026, 1, 30, 4, 30, tzinfo=UTC))  # Jan 29: out
    booking_at(session, other, make_service(session, other), NOW - timedelta(hours=1))
    paid(session, today, 12345, NOW - timedelta(minutes=5))
    paid(
        session,
        first,
        10000,
        datetime(2026, 1, 30, 5, 30, tzinfo=UTC),
        status=PaymentStatus.PARTIALLY_REFUNDED,
        refunded_cents=1,
    )
    paid(session, today, 999, NOW + timedelta(hours=1))  # tomorrow, local

    # when
    with uow_factory() as uow:
        trends = dashboard_trends(uow, actor=dispatcher, now=NOW)

    # then
    assert len(trends.days) == 30
    assert (trends.days[0].day, trends.days[-1].day) == (date(2026, 1, 30), date(2026, 2, 28))
    assert (trends.days[-1].bookings, trends.days[-1].net_revenue_cents) == (2, 12345)
    assert (trends.days[0].bookings, trends.days[0].net_revenue_cents) == (1, 9999)
    assert sum(d.bookings for d in trends.days) == 3
    assert sum(d.net_revenue_cents for d in trends.days) == 12345 + 9999


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.CUSTOMER])
def test_providers_and_customers_see_no_trends(session, uow_factory, role):
    tenant = make_tenant(session)
    user = actor_of(make_user(session, tenant, role=role))
    with uow_factory() as uow, pytest.raises(Forbidden):
        dashboard_trends(uow, actor=user, now=NOW)
