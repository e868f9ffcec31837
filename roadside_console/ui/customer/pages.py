"""Customer area: booking history; the booking wizard arrives with the console issue."""

from __future__ import annotations

import reflex as rx

from roadside_console.domain.bookings.queries import customer_recent_bookings
from roadside_console.domain.core.money import format_cents
from roadside_console.ui.components.common import empty_state, placeholder_notice, status_badge
from roadside_console.ui.shell.layout import customer_page
from roadside_console.ui.shell.session import SessionState


class MyBookingsState(SessionState):
    """The customer's bookings as display rows."""

    bookings: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> None:
        """Fetch the signed-in customer's bookings."""
        rows, self.error = await self.run_as_user(customer_recent_bookings)
        if rows is None:
            return
        self.bookings = [
            {
                "reference": row.reference,
                "service": row.service_name,
                "status": row.status,
                "address": row.address,
                "price": format_cents(row.price_cents),
                "date": row.created_at.strftime("%b %d, %Y"),
            }
            for row in rows
        ]
        self.loaded = True


def _booking_row(booking: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(booking["date"]),
        rx.table.cell(booking["service"]),
        rx.table.cell(status_badge(booking["status"])),
        rx.table.cell(booking["price"], text_align="right"),
        rx.table.cell(booking["reference"]),
    )


@customer_page("My bookings")
def my_bookings_page() -> rx.Component:
    """A table of the customer's bookings."""
    return rx.fragment(
        rx.cond(
            MyBookingsState.error != "",
            rx.callout(MyBookingsState.error, icon="triangle-alert", color_scheme="red"),
        ),
        _bookings_table(),
    )


def _bookings_table() -> rx.Component:
    return rx.cond(
        MyBookingsState.bookings.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Date", "Service", "Status", "Price", "Reference")
                    ]
                )
            ),
            rx.table.body(rx.foreach(MyBookingsState.bookings, _booking_row)),
            width="100%",
            id="my-bookings",
        ),
        rx.cond(MyBookingsState.loaded, empty_state("You have no bookings yet.")),
    )


@customer_page("Book a service")
def book_page() -> rx.Component:
    """Placeholder for the four-step booking wizard."""
    return placeholder_notice(
        "Online booking",
        "Choose a service, your location and vehicle, a time, and a payment method, with the "
        "price shown before you commit.",
    )
