"""Customers desk: find a customer by name, email, phone or plate (searched and paged in SQL)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from roadside_console.domain.customers.queries import CustomerRow, search_customers
from roadside_console.ui.components.common import (
    PageTurner,
    empty_state,
    pager,
    pages_for,
    rows_shown,
)
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.components.lists import filter_bar, filter_select, list_table, search_form
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 25
ANY = "any"
TIER_OPTIONS = [("1", "Tier 1 (cash, CashApp, Zelle)"), ("2", "Tier 2 (also card)")]


@dataclasses.dataclass(frozen=True)
class CustomerLine:
    """A customer as the table shows it."""

    href: str
    name: str
    email: str
    phone: str
    tier: int
    clean_payments: int
    bookings: int
    last_booking: str
    active: bool


def customer_line(row: CustomerRow, tz: str) -> CustomerLine:
    """Turn a search row into what the table shows."""
    return CustomerLine(
        href=routes.customer_path(str(row.customer_id)),
        name=row.name,
        email=row.email,
        phone=row.phone or "—",
        tier=row.trust_tier,
        clean_payments=row.clean_payments,
        bookings=row.bookings,
        last_booking=local_time(row.last_booking_at, tz, "%b %d, %Y") or "Never",
        active=row.is_active,
    )


def tier_badge(tier: rx.Var | int) -> rx.Component:
    """Tier 1 or tier 2, coloured."""
    return rx.badge("Tier ", tier, color_scheme=rx.cond(tier == 2, "green", "gray"), variant="soft")


class CustomersState(PageTurner, SessionState):
    """The search, the tier filter and the current page of customers."""

    rows: list[CustomerLine] = []
    total: int = 0
    page: int = 1
    search: str = ""
    tier: str = ANY
    loaded: bool = False
    error: str = ""

    @rx.var
    def page_count(self) -> int:
        """Number of pages for the current search."""
        return pages_for(self.total, PAGE_SIZE)

    @rx.var
    def summary(self) -> str:
        """Say which rows are shown, e.g. "1–25 of 310 customers"."""
        return rows_shown(self.page, PAGE_SIZE, self.total, "customers", "No customers match")

    @rx.event
    async def load(self) -> None:
        """Open the first page with the search kept from the last visit."""
        self.page = 1
        await self._fetch()

    async def _fetch(self) -> None:
        result, self.error = await self.run_as_user(
            search_customers,
            search=self.search,
            tier=None if self.tier == ANY else int(self.tier),
            page=self.page,
            page_size=PAGE_SIZE,
        )
        self.loaded = True
        if result is not None:
            self.total = result.total
            self.rows = [customer_line(row, result.timezone) for row in result.rows]

    @rx.event
    async def apply_search(self, form: dict[str, str]) -> None:
        """Search name, email, phone or plate and go back to the first page."""
        self.search, self.page = form.get("search", "").strip(), 1
        await self._fetch()

    @rx.event
    async def set_tier_filter(self, value: str) -> None:
        """Filter by trust tier and go back to the first page."""
        self.tier, self.page = value, 1
        await self._fetch()


S = CustomersState


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.link(row.name, href=row.href, weight="medium"),
                rx.cond(~row.active, rx.badge("Inactive", color_scheme="gray", variant="soft")),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row.email, size="2"),
                rx.text(row.phone, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(tier_badge(row.tier)),
        rx.table.cell(row.clean_payments, text_align="right"),
        rx.table.cell(row.bookings, text_align="right"),
        rx.table.cell(row.last_booking),
    )


@admin_page("Customers")
def customers_page() -> rx.Component:
    """Search bar with the tier filter, the table and the pager."""
    headers = ["Name", "Contact", "Trust", "Clean payments", "Bookings", "Last booking"]
    return rx.vstack(
        filter_bar(
            search_form(
                "Name, email, phone or plate",
                S.search,
                "Search customers",
                S.apply_search,
                width="20em",
            ),
            filter_select(
                "Trust tier",
                [(ANY, "Any tier"), *TIER_OPTIONS],
                S.tier,
                S.set_tier_filter,
                min_width="14em",
            ),
        ),
        error_callout(S.error, id_="error"),
        list_table(
            S.rows,
            _row,
            headers,
            "customers-table",
            S.loaded,
            empty_state("No customers match this search.", "users"),
        ),
        pager(S, S.summary),
        spacing="4",
        width="100%",
    )
