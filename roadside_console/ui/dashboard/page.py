"""Admin dashboard: today's and this month's headline numbers from the database."""

from __future__ import annotations

import reflex as rx

from roadside_console.domain.core.money import format_cents
from roadside_console.domain.reports.dashboard import dashboard_kpis
from roadside_console.ui.components.common import kpi_card, placeholder_notice
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState


class DashboardState(SessionState):
    """The KPI figures, already formatted for display."""

    bookings_today: str = "—"
    active_jobs: str = "—"
    revenue_month: str = "—"
    providers_online: str = "—"
    error: str = ""

    @rx.event
    async def load(self) -> None:
        """Fetch the KPIs for the signed-in user's tenant."""
        kpis, self.error = await self.run_as_user(dashboard_kpis)
        if kpis is None:
            return
        self.bookings_today = str(kpis.bookings_today)
        self.active_jobs = str(kpis.active_jobs)
        self.revenue_month = format_cents(kpis.revenue_month_cents)
        self.providers_online = str(kpis.providers_online)


@admin_page("Dashboard")
def dashboard_page() -> rx.Component:
    """KPI cards; charts and queues arrive with the console issue."""
    return rx.vstack(
        rx.cond(DashboardState.error != "", rx.callout(DashboardState.error, color_scheme="red")),
        rx.grid(
            kpi_card(
                "Bookings today",
                DashboardState.bookings_today,
                "calendar-check",
                "kpi-bookings-today",
            ),
            kpi_card("Active jobs", DashboardState.active_jobs, "wrench", "kpi-active-jobs"),
            kpi_card(
                "Revenue this month",
                DashboardState.revenue_month,
                "dollar-sign",
                "kpi-revenue-month",
            ),
            kpi_card(
                "Providers online", DashboardState.providers_online, "radio", "kpi-providers-online"
            ),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        placeholder_notice(
            "Charts and the manual-dispatch queue",
            "Bookings-per-day and revenue charts, average time to dispatch, and alerts will "
            "appear here.",
        ),
        spacing="5",
        width="100%",
    )
