"""The dashboard builds, sends its cards before its charts, and says how long a booking waited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.ui.dashboard.page import (
    DISPATCH_ROLES,
    DashboardState,
    dashboard_page,
    waiting_for,
)
from tests.factories import make_service, make_tenant, make_user
from tests.reports.support import booking_at, paid
from tests.ui.support import signed_in_state

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_dashboard_builds_with_kpis_charts_and_the_manual_queue():
    rendered = str(dashboard_page().render())
    for element in ("kpi-bookings-today", "chart-bookings", "chart-revenue", "manual-queue-card"):
        assert element in rendered


def test_only_roles_that_dispatch_get_the_manual_queue():
    assert sorted(DISPATCH_ROLES) == ["admin", "dispatcher"]


@pytest.mark.parametrize(
    ("waited", "text"),
    [
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=4), "4 min"),
        (timedelta(hours=2, minutes=5), "2 h 05 min"),
        (timedelta(days=3, hours=1), "3 d"),
        (timedelta(minutes=-3), "0 min"),  # a clock a little ahead never shows a negative wait
    ],
)
def test_waiting_time_reads_in_minutes_hours_or_days(waited, text):
    assert waiting_for(NOW - waited, NOW) == text


def _steps(state: DashboardState) -> list[tuple[str, int, str]]:
    """Run the dashboard's load and record (bookings today, days charted, revenue) at each step."""

    async def drain() -> list[tuple[str, int, str]]:
        seen = []
        async for _ in state.load():
            seen.append((state.bookings_today, len(state.trend), state.revenue_month))
        seen.append((state.bookings_today, len(state.trend), state.revenue_month))
        return seen

    return asyncio.run(drain())


def test_the_cards_go_out_before_the_charts_and_the_charts_hold_thirty_days(
    session, uow_factory, monkeypatch
):
    # given an admin's workspace with a booking and $123.45 received today
    tenant = make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    booking = booking_at(session, tenant, make_service(session, tenant), utc_now())
    paid(session, booking, 12345, utc_now())
    state = signed_in_state(DashboardState, admin, tenant, uow_factory, monkeypatch)
    state.user_role = Role.ADMIN.value  # the page guard sets it before load runs
    # when the page loads
    steps = _steps(state)
    # then the first update carries the cards and no chart yet, the last one both charts
    assert steps[0] == ("1", 0, "$123.45")
    assert steps[-1] == ("1", 30, "$123.45")
    assert (state.trend[-1].bookings, state.trend[-1].net_cents) == (1, 12345)
    assert state.trend[-1].day == datetime.now(UTC).astimezone(ZoneInfo(tenant.timezone)).strftime(
        "%b %d"
    )
    assert state.queue_loaded and state.queue == [] and state.error == ""


def test_finance_sees_the_numbers_but_no_dispatch_queue(session, uow_factory, monkeypatch):
    tenant = make_tenant(session)
    finance = make_user(session, tenant, role=Role.FINANCE)
    state = signed_in_state(DashboardState, finance, tenant, uow_factory, monkeypatch)
    state.user_role = Role.FINANCE.value
    steps = _steps(state)
    assert steps[-1] == ("0", 30, "$0.00")
    assert not state.queue_loaded and state.error == ""


def test_a_provider_gets_the_refusal_and_no_numbers(session, uow_factory, monkeypatch):
    tenant = make_tenant(session)
    provider = make_user(session, tenant, role=Role.PROVIDER)
    state = signed_in_state(DashboardState, provider, tenant, uow_factory, monkeypatch)
    assert _steps(state) == [("—", 0, "—")]
    assert state.error == "You do not have permission to do this."
