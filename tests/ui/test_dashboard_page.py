"""The dashboard builds with its charts and queue, and says plainly how long a booking waited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roadside_console.ui.dashboard.page import DISPATCH_ROLES, dashboard_page, waiting_for

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
