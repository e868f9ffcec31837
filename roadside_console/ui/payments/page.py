"""Payments desk: cash, CashApp and Zelle payments waiting for finance to confirm them."""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from roadside_console.domain.core.money import format_cents
from roadside_console.domain.payments.queries import payments_awaiting_confirmation
from roadside_console.domain.payments.service import confirm_payment
from roadside_console.ui.bookings.detail import METHOD_LABELS
from roadside_console.ui.components.common import (
    PageTurner,
    empty_state,
    pager,
    pages_for,
    status_badge,
)
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.forms import (
    confirm_buttons,
    dialog_input,
    error_callout,
    notice_callout,
)
from roadside_console.ui.components.lists import list_table
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.routes import booking_path
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 25


@dataclasses.dataclass(frozen=True)
class AwaitingRow:
    """A waiting payment as the table shows it."""

    payment_id: str
    booking_link: str
    booking_reference: str
    booking_status: str
    service: str
    customer: str
    method: str
    amount: str
    reference: str
    recorded: str


class PaymentsState(PageTurner, SessionState):
    """The current page of waiting payments and the reference typed to confirm one."""

    rows: list[AwaitingRow] = []
    total: int = 0
    total_amount: str = ""
    page: int = 1
    loaded: bool = False
    busy: bool = False
    error: str = ""
    notice: str = ""
    confirm_reference: str = ""

    @rx.var
    def page_count(self) -> int:
        """Number of pages."""
        return pages_for(self.total, PAGE_SIZE)

    @rx.event
    async def load(self) -> None:
        """Open the first page."""
        self.page, self.notice, self.error = 1, "", ""
        await self._fetch()

    async def _fetch(self) -> None:
        result, error = await self.run_as_user(
            payments_awaiting_confirmation, page=self.page, page_size=PAGE_SIZE
        )
        self.loaded = True
        if result is None:
            self.error = error
            return
        self.total, self.total_amount = result.total, format_cents(result.total_cents)
        self.rows = [
            AwaitingRow(
                payment_id=str(r.payment_id),
                booking_link=booking_path(str(r.booking_id)),
                booking_reference=r.booking_reference,
                booking_status=r.booking_status,
                service=r.service_name,
                customer=r.contact_name,
                method=METHOD_LABELS.get(r.method, r.method),
                amount=format_cents(r.amount_cents),
                reference=r.reference or "—",
                recorded=local_time(r.recorded_at, result.timezone),
            )
            for r in result.rows
        ]

    @rx.event
    def set_confirm_reference(self, value: str) -> None:
        """Keep the reference typed in the confirmation dialog."""
        self.confirm_reference = value

    @rx.event
    async def confirm(self, payment_id: str) -> None:
        """Confirm one payment (the funds arrived); the list then drops it."""
        self.busy = True
        try:
            result, self.error = await self.run_as_user(
                confirm_payment,
                payment_id=uuid.UUID(payment_id),
                reference=self.confirm_reference.strip() or None,
            )
            if result is not None:
                self.notice = f"Confirmed {format_cents(result.amount_cents)}."
                self.confirm_reference = ""
            await self._fetch()
        finally:
            self.busy = False


def _confirm_dialog(row: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Confirm", size="1", disabled=PaymentsState.busy)),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Confirm ", row.amount, " by ", row.method, "?"),
            rx.alert_dialog.description(
                "For booking ",
                row.booking_reference,
                ". Confirm only once the money is in.",
                size="2",
            ),
            dialog_input(
                "Transfer reference (needed for CashApp and Zelle)",
                "confirm-reference",
                PaymentsState.confirm_reference,
                PaymentsState.set_confirm_reference,
                placeholder=row.reference,
            ),
            confirm_buttons(
                "Not yet",
                rx.alert_dialog.action(
                    rx.button("Confirm payment", on_click=PaymentsState.confirm(row.payment_id))
                ),
            ),
            max_width="28em",
        ),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.recorded),
        rx.table.cell(rx.link(row.booking_reference, href=row.booking_link, weight="medium")),
        rx.table.cell(row.service),
        rx.table.cell(status_badge(row.booking_status)),
        rx.table.cell(row.customer),
        rx.table.cell(row.method),
        rx.table.cell(row.reference),
        rx.table.cell(row.amount, text_align="right"),
        rx.table.cell(_confirm_dialog(row)),
    )


@admin_page("Payments")
def payments_page() -> rx.Component:
    """Manual payments waiting for confirmation, oldest first."""
    headers = ["Recorded", "Booking", "Service", "Job", "Customer", "Method", "Reference"]
    return rx.vstack(
        rx.text(
            "Cash, CashApp and Zelle payments recorded on bookings. Confirm each once the money "
            "is in: the provider's earning for a completed job is created then.",
            size="2",
            color_scheme="gray",
        ),
        notice_callout(PaymentsState.notice, id_="notice"),
        error_callout(PaymentsState.error, id_="error"),
        list_table(
            PaymentsState.rows,
            _row,
            [
                *headers,
                rx.table.column_header_cell("Amount", text_align="right"),
                rx.table.column_header_cell(""),
            ],
            "payments-table",
            PaymentsState.loaded,
            empty_state("No payments are waiting for confirmation.", "circle-check"),
        ),
        pager(
            PaymentsState,
            PaymentsState.total,
            " waiting · ",
            PaymentsState.total_amount,
            summary_id="payments-summary",
        ),
        spacing="4",
        width="100%",
    )
