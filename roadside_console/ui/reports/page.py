"""Reports (first cut): revenue by day, service and payment method, and CSV exports.

Figures are SQL aggregates in cents from `domain.reports`; this page only draws them. Exports
stream from SQL into a text buffer in a worker thread and go straight to the browser as a
download, never into the page state.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.reports.exports import export_bookings_csv, export_payments_csv
from roadside_console.domain.reports.periods import MAX_RANGE_DAYS
from roadside_console.domain.reports.revenue import RevenueGroup, revenue_report
from roadside_console.domain.tenants.service import get_tenant
from roadside_console.ui.components.charts import EMPTY_FIGURE, bar_figure, chart_card
from roadside_console.ui.components.common import empty_state, kpi_card
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

DEFAULT_DAYS = 30


def business_today(uow: UnitOfWork, *, actor: Actor) -> tuple[date, str]:
    """Return today's date on the tenant's clock and the time zone's name."""
    tz = get_tenant(uow.session, actor.tenant_id).timezone
    return utc_now().astimezone(ZoneInfo(tz)).date(), tz


def bookings_csv(uow: UnitOfWork, *, actor: Actor, start: date, end: date) -> tuple[str, int]:
    """Return the period's bookings CSV and how many rows it has."""
    out = io.StringIO()
    count = export_bookings_csv(uow, actor=actor, start=start, end=end, out=out)
    return out.getvalue(), count


def payments_csv(uow: UnitOfWork, *, actor: Actor, start: date, end: date) -> tuple[str, int]:
    """Return the period's payments CSV and how many rows it has."""
    out = io.StringIO()
    count = export_payments_csv(uow, actor=actor, start=start, end=end, out=out)
    return out.getvalue(), count


@dataclasses.dataclass(frozen=True)
class DayPoint:
    """One day of the chart (net in cents, drawn as dollars)."""

    day: str
    net_cents: int


@dataclasses.dataclass(frozen=True)
class GroupLine:
    """A service or method row of the table (and a bar of its chart)."""

    label: str
    payments: int
    gross: str
    refunded: str
    net: str
    net_cents: int


class ReportsState(SessionState):
    """The chosen period, its figures and the export in progress.

    The three charts are plain vars `_fetch` fills, not computed vars: every page's hydrate
    evaluates every state's computed vars, so each visit to any page built these figures.
    """

    start: str = ""
    end: str = ""
    timezone: str = ""
    date_errors: dict[str, str] = {}
    error: str = ""
    loaded: bool = False
    net: str = "—"
    gross: str = "—"
    refunded: str = "—"
    payments: str = "—"
    days: list[DayPoint] = []
    by_service: list[GroupLine] = []
    by_method: list[GroupLine] = []
    day_figure: dict[str, Any] = EMPTY_FIGURE
    service_figure: dict[str, Any] = EMPTY_FIGURE
    method_figure: dict[str, Any] = EMPTY_FIGURE
    exporting: str = ""
    export_note: str = ""

    @rx.event
    async def load(self) -> None:
        """Open on the last 30 days up to today (business time)."""
        self.error = self.export_note = ""
        self.date_errors = {}
        today, error = await self.run_as_user(business_today)
        if today is None:
            self.error, self.loaded = error, True
            return
        day, self.timezone = today
        self.start = (day - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        self.end = day.isoformat()
        await self._fetch()

    @rx.event
    def set_start(self, value: str) -> None:
        """Keep the typed start date."""
        self.start = value
        self.date_errors = {}

    @rx.event
    def set_end(self, value: str) -> None:
        """Keep the typed end date."""
        self.end = value
        self.date_errors = {}

    @rx.event
    async def apply(self) -> None:
        """Show the chosen period."""
        await self._fetch()

    def _period(self) -> tuple[date, date] | None:
        errors = {}
        start = _parse_date(self.start)
        end = _parse_date(self.end)
        if start is None:
            errors["start"] = "Choose a start date."
        if end is None:
            errors["end"] = "Choose an end date."
        if start and end and end < start:
            errors["end"] = "The end date is before the start date."
        elif start and end and (end - start).days + 1 > MAX_RANGE_DAYS:
            errors["end"] = f"Choose at most {MAX_RANGE_DAYS} days."
        self.date_errors = errors
        return None if errors or start is None or end is None else (start, end)

    async def _fetch(self) -> None:
        period = self._period()
        if period is None:
            return
        report, self.error = await self.run_as_user(revenue_report, start=period[0], end=period[1])
        self.loaded = True
        if report is None:
            return
        self.timezone = report.timezone
        total = report.total
        self.net, self.gross = format_cents(total.net_cents), format_cents(total.gross_cents)
        self.refunded, self.payments = format_cents(total.refunded_cents), f"{total.payments:,}"
        self.days = [DayPoint(d.day.strftime("%Y-%m-%d"), d.figures.net_cents) for d in report.days]
        self.by_service = [_line(g) for g in report.by_service]
        self.by_method = [_line(g) for g in report.by_method]
        self.day_figure = _money_figure([(d.day, d.net_cents) for d in self.days])
        self.service_figure = _money_figure([(g.label, g.net_cents) for g in self.by_service])
        self.method_figure = _money_figure([(g.label, g.net_cents) for g in self.by_method])

    @rx.event(background=True)
    async def export_bookings(self) -> AsyncIterator[rx.event.EventSpec]:
        """Download the period's bookings as CSV."""
        async for event in self._export("bookings", bookings_csv):
            yield event

    @rx.event(background=True)
    async def export_payments(self) -> AsyncIterator[rx.event.EventSpec]:
        """Download the period's payments as CSV."""
        async for event in self._export("payments", payments_csv):
            yield event

    async def _export(
        self, kind: str, build: Callable[..., tuple[str, int]]
    ) -> AsyncIterator[rx.event.EventSpec]:
        async with self:
            if self.exporting:
                return
            period = self._period()
            if period is None:
                return
            self.exporting, self.export_note, self.error = kind, f"Preparing the {kind} CSV…", ""
        try:
            result, error = await self.run_as_user(build, start=period[0], end=period[1])
            async with self:
                if result is None:
                    self.error, self.export_note = error, ""
                    return
                text, count = result
                self.export_note = f"Exported {count:,} {kind}."
            filename = f"{kind}-{period[0].isoformat()}-to-{period[1].isoformat()}.csv"
            yield rx.download(data=text, filename=filename, mime_type="text/csv")
        finally:
            async with self:
                self.exporting = ""


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _money_figure(bars: list[tuple[str, int]]) -> dict[str, Any]:
    return bar_figure([label for label, _ in bars], [cents for _, cents in bars], money=True)


def _line(group: RevenueGroup) -> GroupLine:
    f = group.figures
    return GroupLine(
        label=group.label,
        payments=f.payments,
        gross=format_cents(f.gross_cents),
        refunded=format_cents(f.refunded_cents),
        net=format_cents(f.net_cents),
        net_cents=f.net_cents,
    )


S = ReportsState


def _date_field(
    label: str, field_id: str, value: rx.Var, on_change: rx.EventHandler, key: str
) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", html_for=field_id, size="2", weight="medium"),
        rx.input(id=field_id, type="date", value=value, on_change=on_change),
        rx.cond(
            S.date_errors.contains(key),
            rx.text(S.date_errors[key], size="1", color_scheme="red", class_name="field-error"),
        ),
        spacing="1",
    )


def _period_bar() -> rx.Component:
    return rx.hstack(
        _date_field("From", "report-start", S.start, S.set_start, "start"),
        _date_field("To", "report-end", S.end, S.set_end, "end"),
        rx.button(rx.icon("refresh-cw", size=16), "Show", on_click=S.apply, id="report-apply"),
        rx.spacer(),
        rx.button(
            rx.icon("download", size=16),
            "Bookings CSV",
            variant="soft",
            on_click=S.export_bookings,
            loading=S.exporting == "bookings",
            disabled=S.exporting != "",
            id="export-bookings",
        ),
        rx.button(
            rx.icon("download", size=16),
            "Payments CSV",
            variant="soft",
            on_click=S.export_payments,
            loading=S.exporting == "payments",
            disabled=S.exporting != "",
            id="export-payments",
        ),
        align="end",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def _group_table(title: str, rows: rx.Var, table_id: str) -> rx.Component:
    headers = [title, "Payments", "Gross", "Refunded", "Net"]
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(h, text_align="right" if i else "left")
                    for i, h in enumerate(headers)
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                rows,
                lambda r: rx.table.row(
                    rx.table.cell(r.label),
                    rx.table.cell(r.payments, text_align="right"),
                    rx.table.cell(r.gross, text_align="right"),
                    rx.table.cell(r.refunded, text_align="right"),
                    rx.table.cell(rx.text(r.net, weight="bold"), text_align="right"),
                ),
            )
        ),
        width="100%",
        size="1",
        variant="surface",
        id=table_id,
    )


@admin_page("Reports")
def reports_page() -> rx.Component:
    """Period and exports, totals, the three charts and the table behind them."""
    return rx.vstack(
        _period_bar(),
        error_callout(S.error, id_="error"),
        rx.cond(
            S.export_note != "",
            rx.text(S.export_note, size="2", color_scheme="gray", id="export-note"),
        ),
        rx.grid(
            kpi_card("Net revenue", S.net, "dollar-sign", "kpi-net"),
            kpi_card("Payments received", S.gross, "wallet", "kpi-gross"),
            kpi_card("Refunded", S.refunded, "undo-2", "kpi-refunded"),
            kpi_card("Payments", S.payments, "receipt", "kpi-payments"),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        rx.text(
            "Net revenue is payments confirmed in the period, less what has been refunded on "
            "them. Days are business days in ",
            S.timezone,
            ".",
            size="1",
            color_scheme="gray",
        ),
        chart_card("Net revenue by day", S.day_figure, "chart-by-day"),
        rx.cond(
            S.by_service.length() > 0,
            rx.vstack(
                rx.grid(
                    chart_card("By service", S.service_figure, "chart-by-service"),
                    chart_card("By payment method", S.method_figure, "chart-by-method"),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
                rx.grid(
                    _group_table("Service", S.by_service, "table-by-service"),
                    _group_table("Method", S.by_method, "table-by-method"),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                S.loaded, empty_state("No payments were received in this period.", "chart-column")
            ),
        ),
        spacing="4",
        width="100%",
    )
