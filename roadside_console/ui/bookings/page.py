"""Ops bookings table: filtered and paged in SQL, so it stays fast at any size."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import reflex as rx

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.queries import BookingFilters, list_bookings, service_options
from roadside_console.domain.core.auth import ROLE_PERMISSIONS, Permission, Role
from roadside_console.domain.core.money import format_cents
from roadside_console.ui.components.common import (
    PageTurner,
    empty_state,
    pager,
    pages_for,
    rows_shown,
    status_badge,
)
from roadside_console.ui.components.formatting import status_label
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.components.lists import filter_bar, filter_select, list_table, search_form
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 25
BOOKING_ROLES = [r.value for r in Role if ROLE_PERMISSIONS[r] >= {Permission.MANAGE_BOOKINGS}]
STATUS_OPTIONS = [(status.value, status_label(status.value)) for status in BookingStatus]
ANY = "any"


class BookingsState(PageTurner, SessionState):
    """Filters, the current page of display rows and the match count."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    status: str = ANY
    service_id: str = ANY
    search: str = ""
    services: list[list[str]] = []
    loaded: bool = False
    error: str = ""

    @rx.var
    def can_book(self) -> bool:
        """Whether the signed-in role may take phone bookings (the button only; the use case checks)."""
        return self.user_role in BOOKING_ROLES

    @rx.var
    def page_count(self) -> int:
        """Number of pages for the current filters."""
        return pages_for(self.total, PAGE_SIZE)

    @rx.var
    def summary(self) -> str:
        """Say which rows are shown, e.g. "41–65 of 1,204 bookings"."""
        return rows_shown(self.page, PAGE_SIZE, self.total, "bookings", "No bookings match")

    @rx.event
    async def load(self) -> None:
        """Load the filter options and the first page."""
        options, self.error = await self.run_as_user(service_options)
        self.services = [[service_id, name] for service_id, name in options or []]
        self.page = 1
        await self._fetch()

    async def _fetch(self) -> None:
        filters = BookingFilters(
            status="" if self.status == ANY else self.status,
            service_id="" if self.service_id == ANY else self.service_id,
            search=self.search,
        )
        result, self.error = await self.run_as_user(
            list_bookings, filters=filters, page=self.page, page_size=PAGE_SIZE
        )
        self.loaded = True
        if result is None:
            return
        self.total = result.total
        tz = ZoneInfo(result.timezone)
        self.rows = [
            {
                "id": row.booking_id,
                "reference": row.reference,
                "created": row.created_at.astimezone(tz).strftime("%b %d, %-I:%M %p"),
                "service": row.service_name,
                "status": row.status,
                "customer": row.customer,
                "phone": row.phone,
                "provider": row.provider or "—",
                "price": format_cents(row.price_cents),
            }
            for row in result.rows
        ]

    @rx.event
    async def set_status_filter(self, value: str) -> None:
        """Filter by status and go back to the first page."""
        self.status, self.page = value, 1
        await self._fetch()

    @rx.event
    async def set_service_filter(self, value: str) -> None:
        """Filter by service and go back to the first page."""
        self.service_id, self.page = value, 1
        await self._fetch()

    @rx.event
    async def apply_search(self, form: dict[str, str]) -> None:
        """Search reference, customer name or phone."""
        self.search, self.page = form.get("search", "").strip(), 1
        await self._fetch()


def _filters() -> rx.Component:
    return filter_bar(
        search_form(
            "Reference, name or phone",
            BookingsState.search,
            "Search bookings",
            BookingsState.apply_search,
        ),
        filter_select(
            "Status",
            [(ANY, "Any status"), *STATUS_OPTIONS],
            BookingsState.status,
            BookingsState.set_status_filter,
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Service", min_width="12em"),
            rx.select.content(
                rx.select.item("Any service", value=ANY),
                rx.foreach(BookingsState.services, lambda s: rx.select.item(s[1], value=s[0])),
            ),
            value=BookingsState.service_id,
            on_change=BookingsState.set_service_filter,
        ),
        rx.spacer(),
        rx.cond(
            BookingsState.can_book,
            rx.link(
                rx.button(rx.icon("phone-call", size=16), "New phone booking"),
                href=routes.ADMIN_NEW_BOOKING,
            ),
        ),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row["reference"],
                href=routes.ADMIN_BOOKINGS + "/" + row["id"].to(str),
                weight="medium",
            )
        ),
        rx.table.cell(row["created"]),
        rx.table.cell(row["service"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(
            rx.vstack(
                rx.text(row["customer"]),
                rx.text(row["phone"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(row["provider"]),
        rx.table.cell(row["price"], text_align="right"),
    )


@admin_page("Bookings")
def bookings_page() -> rx.Component:
    """Filter bar, table and pager."""
    headers = ["Reference", "Created", "Service", "Status", "Customer", "Provider", "Price"]
    return rx.vstack(
        _filters(),
        error_callout(BookingsState.error),
        list_table(
            BookingsState.rows,
            _row,
            headers,
            "bookings-table",
            BookingsState.loaded,
            empty_state("No bookings match these filters."),
        ),
        pager(BookingsState, BookingsState.summary, summary_id="bookings-summary"),
        spacing="4",
        width="100%",
    )
