"""The reports page builds, its charts draw cents as dollars, and its exports hand back CSV."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import plotly.io as pio

from roadside_console.domain.core.auth import Role
from roadside_console.ui.components.charts import bar_chart
from roadside_console.ui.reports.page import bookings_csv, payments_csv, reports_page
from tests.factories import actor_of, make_service, make_tenant, make_user
from tests.reports.support import booking_at, paid


def test_the_reports_page_builds_its_component_tree():
    rendered = str(reports_page().render())
    for element in ("export-bookings", "export-payments", "chart-by-day", "report-start"):
        assert element in rendered


def test_a_money_chart_draws_cents_as_dollars_and_leaves_the_theme_to_the_page():
    figure = bar_chart(["2026-03-07", "2026-03-08"], [17375, 5], money=True)
    as_json = json.loads(pio.to_json(figure))
    assert as_json["data"][0]["y"] == [173.75, 0.05]
    assert as_json["layout"]["yaxis"]["tickprefix"] == "$"
    assert len(pio.to_json(figure)) < 2000  # no bundled template in the page state


def test_the_exports_hand_back_the_csv_text_and_its_row_count(session, uow_factory):
    # given
    tenant = make_tenant(session)
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    at = datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
    booking = booking_at(session, tenant, make_service(session, tenant), at, reference="RS-ONE")
    paid(session, booking, 12345, at)

    # when
    with uow_factory() as uow:
        bookings, booked = bookings_csv(
            uow, actor=finance, start=date(2026, 3, 8), end=date(2026, 3, 8)
        )
    with uow_factory() as uow:
        payments, count = payments_csv(
            uow, actor=finance, start=date(2026, 3, 8), end=date(2026, 3, 8)
        )

    # then
    assert booked == 1 and "RS-ONE" in bookings.splitlines()[1]
    assert count == 1 and ",123.45,0.00,123.45," in payments.splitlines()[1]
