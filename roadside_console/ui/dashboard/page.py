"""Admin dashboard: headline numbers, the last 30 days as charts, and the manual-dispatch queue."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime

import reflex as rx

from roadside_console.domain.core.auth import ROLE_PERMISSIONS, Permission, Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.dispatch.queries import manual_dispatch_queue
from roadside_console.domain.reports.dashboard import dashboard_kpis
from roadside_console.domain.reports.trends import TREND_DAYS, dashboard_trends
from roadside_console.ui.components.charts import day_bar_chart, day_chart_card
from roadside_console.ui.components.common import empty_state, kpi_card
from roadside_console.ui.components.formatting import duration_text, local_time
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.routes import booking_path
from roadside_console.ui.shell.session import SessionState

QUEUE_LIMIT = 10
DISPATCH_ROLES = [r.value for r in Role if Permission.DISPATCH in ROLE_PERMISSIONS[r]]


@dataclasses.dataclass(frozen=True)
class TrendPoint:
    """One day of the charts (a row of the Recharts data)."""

    day: str
    bookings: int
    net_cents: int


@dataclasses.dataclass(frozen=True)
class QueueLine:
    """A booking waiting for a dispatcher, as the dashboard lists it."""

    link: str
    reference: str
    service: str
    contact: str
    address: str
    waiting: str
    since: str
    reason: str


def waiting_for(since: datetime, now: datetime) -> str:
    """Say how long something has waited: "4 min", "2 h 05 min", "3 d"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d"


class DashboardState(SessionState):
    """The KPI figures, the chart points and the queue, already formatted for display.

    The charts are drawn in the browser from the points (`day_bar_chart`): there is no figure
    var, so neither this handler nor any page's hydrate builds a chart object.
    """

    bookings_today: str = "—"
    active_jobs: str = "—"
    revenue_month: str = "—"
    providers_online: str = "—"
    time_to_dispatch: str = "—"
    trend: list[TrendPoint] = []
    queue: list[QueueLine] = []
    queue_loaded: bool = False
    error: str = ""

    @rx.var
    def can_dispatch(self) -> bool:
        """Whether the signed-in role works the dispatch queue (the list only; the query checks)."""
        return self.user_role in DISPATCH_ROLES

    @rx.event
    async def load(self) -> AsyncIterator[None]:
        """Send the KPI cards first, then the last 30 days and, for dispatchers, the queue."""
        kpis, self.error = await self.run_as_user(dashboard_kpis)
        if kpis is None:
            return
        self.bookings_today = str(kpis.bookings_today)
        self.active_jobs = str(kpis.active_jobs)
        self.revenue_month = format_cents(kpis.revenue_month_cents)
        self.providers_online = str(kpis.providers_online)
        seconds = kpis.avg_dispatch_seconds
        self.time_to_dispatch = "—" if seconds is None else duration_text(seconds)
        yield  # the cards render while the charts' query runs
        trends, error = await self.run_as_user(dashboard_trends)
        self.error = self.error or error
        if trends is not None:
            self.trend = [
                TrendPoint(d.day.strftime("%b %d"), d.bookings, d.net_revenue_cents)
                for d in trends.days
            ]
        if self.can_dispatch:
            await self._fetch_queue(kpis.timezone)

    async def _fetch_queue(self, tz: str) -> None:
        rows, error = await self.run_as_user(manual_dispatch_queue, limit=QUEUE_LIMIT)
        self.queue_loaded = True
        if rows is None:
            self.error = self.error or error
            return
        now = utc_now()
        self.queue = [
            QueueLine(
                link=booking_path(str(r.booking_id)),
                reference=r.reference,
                service=r.service_name,
                contact=r.contact_name,
                address=r.address,
                waiting=waiting_for(r.waiting_since, now),
                since=local_time(r.waiting_since, tz),
                reason=r.reason or f"{r.attempts} dispatch attempts",
            )
            for r in rows
        ]


S = DashboardState


def _queue_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.reference, href=row.link, weight="medium")),
        rx.table.cell(row.service),
        rx.table.cell(
            rx.vstack(
                rx.text(row.contact, size="2"),
                rx.text(row.address, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row.waiting, size="2", weight="medium"),
                rx.text("since ", row.since, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(row.reason, size="2")),
    )


def _manual_queue() -> rx.Component:
    headers = ["Booking", "Service", "Customer", "Waiting", "Why"]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("siren", size=18, color=rx.color("red", 9)),
                rx.heading("Needs manual dispatch", size="4"),
                rx.badge(S.queue.length(), color_scheme="red", variant="soft"),
                align="center",
                spacing="2",
            ),
            rx.text(
                f"Bookings automatic dispatch gave up on, longest waiting first (up to "
                f"{QUEUE_LIMIT}). Open one to assign a provider.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                S.queue.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.queue, _queue_row)),
                    width="100%",
                    size="1",
                    id="manual-queue",
                ),
                rx.cond(
                    S.queue_loaded,
                    empty_state("Nothing is waiting: automatic dispatch has it covered.", "check"),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="manual-queue-card",
    )


@admin_page("Dashboard")
def dashboard_page() -> rx.Component:
    """KPI cards, the manual-dispatch queue for dispatchers, then the 30-day charts."""
    return rx.vstack(
        rx.cond(
            S.error != "",
            rx.callout(S.error, icon="triangle-alert", color_scheme="red", id="error"),
        ),
        rx.grid(
            kpi_card("Bookings today", S.bookings_today, "calendar-check", "kpi-bookings-today"),
            kpi_card("Active jobs", S.active_jobs, "wrench", "kpi-active-jobs"),
            kpi_card("Revenue this month", S.revenue_month, "dollar-sign", "kpi-revenue-month"),
            kpi_card("Providers online", S.providers_online, "radio", "kpi-providers-online"),
            # Today's immediate bookings: mean time from confirmed to a provider.
            kpi_card("Time to dispatch", S.time_to_dispatch, "timer", "kpi-time-to-dispatch"),
            columns=rx.breakpoints(initial="1", sm="2", lg="5"),
            spacing="4",
            width="100%",
        ),
        rx.cond(S.can_dispatch, _manual_queue()),
        rx.grid(
            day_chart_card(
                f"Bookings per day (last {TREND_DAYS} days)",
                day_bar_chart(S.trend, "bookings"),
                "chart-bookings",
            ),
            day_chart_card(
                f"Net revenue per day (last {TREND_DAYS} days)",
                day_bar_chart(S.trend, "net_cents", money=True),
                "chart-revenue",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )
