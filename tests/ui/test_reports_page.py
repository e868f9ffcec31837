"""The reports page builds, its charts draw cents as dollars, and its exports hand back CSV."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import plotly.graph_objects as go
import plotly.io as pio

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.ui.components.charts import bar_figure
from roadside_console.ui.reports.page import ReportsState, bookings_csv, payments_csv, reports_page
from tests.factories import actor_of, make_service, make_tenant, make_user
from tests.reports.support import booking_at, paid
from tests.ui.support import run_handler, signed_in_state


def test_the_reports_page_builds_its_component_tree():
    rendered = str(reports_page().render())
    for element in ("export-bookings", "export-payments", "chart-by-day", "report-start"):
        assert element in rendered


def test_a_money_chart_draws_cents_as_dollars_and_leaves_the_theme_to_the_page():
    figure = bar_figure(["2026-03-07", "2026-03-08"], [17375, 5], money=True)
    # the plain dict is a valid figure: Plotly's own validation accepts it unchanged
    as_json = json.loads(pio.to_json(go.Figure(figure)))
    assert as_json["data"][0]["y"] == [173.75, 0.05]
    assert as_json["layout"]["yaxis"]["tickprefix"] == "$"
    assert len(json.dumps(figure)) < 2000  # no bundled template in the page state


def test_the_report_charts_are_filled_by_the_load_not_computed_on_every_hydrate(
    session, uow_factory, monkeypatch
):
    # given a payment today and the finance desk on the reports page
    tenant = make_tenant(session)
    finance = make_user(session, tenant, role=Role.FINANCE)
    now = utc_now()
    booking = booking_at(session, tenant, make_service(session, tenant), now)
    paid(session, booking, 12345, now)
    reports = signed_in_state(ReportsState, finance, tenant, uow_factory, monkeypatch)
    # then no chart is a computed var, so another page's hydrate builds none of them
    assert not {"day_figure", "service_figure", "method_figure"} & set(ReportsState.computed_vars)
    assert reports.day_figure["data"] == []
    # when the page loads
    run_handler(reports.load())
    # then the day chart has a bar per day of the period, today's worth $123.45
    [bars] = reports.day_figure["data"]
    assert len(bars["x"]) == 30 and bars["y"][-1] == 123.45
    assert [b["y"] for b in reports.method_figure["data"]] == [[123.45]]


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
