"""Customer area: my bookings, with tracking, cancelling (fee shown first) and reviews.

The booking wizard lives in `wizard.py`, referrals in `referrals.py`, tracking in `tracking.py`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import reflex as rx

from roadside_console.domain.bookings.service import cancel_booking, cancellation_terms
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.customers.self_service import (
    BookingHistory,
    customer_booking_history,
)
from roadside_console.domain.reviews.service import leave_review
from roadside_console.integrations.stripe_checkout import refund_gateway_from_settings
from roadside_console.ui.components.common import empty_state, status_badge
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.forms import (
    confirm_buttons,
    dialog_buttons,
    error_callout,
    notice_callout,
)
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import customer_page
from roadside_console.ui.shell.session import SessionState

CANCEL_REASON = "Cancelled online by the customer"
STAR_CHOICES = ("5", "4", "3", "2", "1")


def cancel_own_booking(
    uow: UnitOfWork, *, actor: Actor, booking_id: uuid.UUID, expected_fee_cents: int
) -> None:
    """Cancel at the fee the customer was shown; card payments are refunded at the processor."""
    cancel_booking(
        uow,
        actor=actor,
        booking_id=booking_id,
        reason=CANCEL_REASON,
        expected_fee_cents=expected_fee_cents,
        gateway=refund_gateway_from_settings(),
    )


@dataclass(frozen=True)
class BookingLine:
    """One of the customer's bookings as its card, table row and detail dialog show it."""

    booking_id: str
    reference: str
    service: str
    status: str
    address: str
    price: str
    date: str
    when: str
    track_path: str
    can_cancel: bool
    can_review: bool


def booking_lines(history: BookingHistory) -> list[BookingLine]:
    """Turn the history into table lines on the operator's clock."""
    tz = history.timezone
    return [
        BookingLine(
            booking_id=str(row.booking_id),
            reference=row.reference,
            service=row.service_name,
            status=row.status.value,
            address=row.address,
            price=format_cents(row.price_cents),
            date=local_time(row.created_at, tz, "%b %d, %Y"),
            when=local_time(row.scheduled_at, tz) if row.scheduled_at else "As soon as possible",
            track_path=routes.customer_track_path(str(row.booking_id)),
            can_cancel=row.can_cancel,
            can_review=row.can_review,
        )
        for row in history.rows
    ]


def parse_stars(text: str) -> int | None:
    """Return 1–5 stars from the picker, or None when nothing (valid) was picked."""
    return int(text) if text in STAR_CHOICES else None


class MyBookingsState(SessionState):
    """The customer's bookings, and the cancel and review dialogs."""

    bookings: list[BookingLine] = []
    loaded: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False
    cancel_open: bool = False
    cancel_reference: str = ""
    cancel_label: str = ""
    cancel_allowed: bool = False
    cancel_error: str = ""
    review_open: bool = False
    review_reference: str = ""
    review_stars: str = ""
    review_comment: str = ""
    review_error: str = ""
    view_open: bool = False
    viewing: BookingLine | None = None
    _cancel_id: str = ""
    _cancel_fee: int = 0
    _review_id: str = ""

    @rx.event
    async def load(self) -> None:
        """Fetch the signed-in customer's bookings."""
        history, self.error = await self.run_as_user(customer_booking_history)
        if history is None:
            return
        self.bookings = booking_lines(history)
        self.loaded = True

    @rx.event
    def ask_view(self, booking_id: str) -> None:
        """Show one booking's details (the address does not fit a phone card)."""
        self.viewing = next((b for b in self.bookings if b.booking_id == booking_id), None)
        self.view_open = self.viewing is not None

    @rx.event
    def set_view_open(self, is_open: bool) -> None:
        """Open or close the details dialog."""
        self.view_open = is_open

    def _reference(self, booking_id: str) -> str:
        return next((b.reference for b in self.bookings if b.booking_id == booking_id), "")

    async def _fetch_terms(self) -> None:
        terms, error = await self.run_as_user(
            cancellation_terms, booking_id=uuid.UUID(self._cancel_id)
        )
        if terms is None:
            self.cancel_allowed, self.cancel_label = False, error
            return
        self.cancel_allowed, self._cancel_fee = terms.allowed, terms.fee_cents
        self.cancel_label = (
            terms.fee_label
            if terms.allowed
            else ("This booking can no longer be cancelled online.")
        )

    @rx.event
    async def ask_cancel(self, booking_id: str) -> None:
        """Show what cancelling costs right now, before the customer confirms."""
        self._cancel_id, self.cancel_reference = booking_id, self._reference(booking_id)
        self.cancel_error, self.notice = "", ""
        await self._fetch_terms()
        self.cancel_open = True

    @rx.event
    async def confirm_cancel(self) -> None:
        """Cancel at the fee shown; if it changed, show the new fee and ask again."""
        self.busy = True
        try:
            _, self.cancel_error = await self.run_as_user(
                cancel_own_booking,
                booking_id=uuid.UUID(self._cancel_id),
                expected_fee_cents=self._cancel_fee,
            )
        finally:
            self.busy = False
        if self.cancel_error:
            await self._fetch_terms()
            return
        self.cancel_open = False
        self.notice = f"Booking {self.cancel_reference} is cancelled."
        await self.load()

    @rx.event
    def set_cancel_open(self, is_open: bool) -> None:
        """Open or close the cancel dialog (Escape and the Keep button close it)."""
        self.cancel_open = is_open

    @rx.event
    def ask_review(self, booking_id: str) -> None:
        """Open the review dialog for a completed job."""
        self._review_id, self.review_reference = booking_id, self._reference(booking_id)
        self.review_stars, self.review_comment, self.review_error = "", "", ""
        self.notice, self.review_open = "", True

    @rx.event
    def set_review_open(self, is_open: bool) -> None:
        """Open or close the review dialog."""
        self.review_open = is_open

    @rx.event
    def set_review_stars(self, value: str) -> None:
        """Keep the picked stars."""
        self.review_stars, self.review_error = value, ""

    @rx.event
    def set_review_comment(self, value: str) -> None:
        """Keep the typed comment."""
        self.review_comment = value

    @rx.event
    async def submit_review(self) -> None:
        """Send the stars and comment; the job then leaves the list of reviewable ones."""
        stars = parse_stars(self.review_stars)
        if stars is None:
            self.review_error = "Choose from 1 to 5 stars."
            return
        self.busy = True
        try:
            _, self.review_error = await self.run_as_user(
                leave_review,
                booking_id=uuid.UUID(self._review_id),
                stars=stars,
                comment=self.review_comment,
            )
        finally:
            self.busy = False
        if self.review_error:
            return
        self.review_open = False
        self.notice = f"Thank you for reviewing {self.review_reference}."
        await self.load()


S = MyBookingsState


def _actions(
    booking: rx.Var, prefix: str = "", size: str = "1", wrap: str = "wrap"
) -> rx.Component:
    """View, Track, Cancel and Review; `prefix` keeps the ids unique between cards and table."""
    return rx.hstack(
        rx.button(
            "View",
            size=size,
            variant="soft",
            color_scheme="gray",
            on_click=S.ask_view(booking.booking_id),
            id=prefix + "view-" + booking.reference,
        ),
        rx.link(
            "Track",
            href=booking.track_path,
            id=prefix + "track-" + booking.reference,
            size="2",
        ),
        rx.cond(
            booking.can_cancel,
            rx.button(
                "Cancel",
                size=size,
                variant="soft",
                color_scheme="red",
                on_click=S.ask_cancel(booking.booking_id),
                id=prefix + "cancel-" + booking.reference,
            ),
        ),
        rx.cond(
            booking.can_review,
            rx.button(
                "Review",
                size=size,
                variant="soft",
                on_click=S.ask_review(booking.booking_id),
                id=prefix + "review-" + booking.reference,
            ),
        ),
        spacing="3",
        align="center",
        wrap=wrap,
    )


def _booking_row(booking: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(booking.date), rx.text(booking.reference, size="1", color_scheme="gray")
            ),
            white_space="nowrap",
        ),
        rx.table.cell(rx.vstack(rx.text(booking.service), rx.text(booking.when, size="1"))),
        rx.table.cell(status_badge(booking.status)),
        rx.table.cell(booking.price, text_align="right"),
        rx.table.cell(_actions(booking, wrap="nowrap")),
        id="booking-" + booking.reference,
    )


def _booking_card(booking: rx.Var) -> rx.Component:
    """One booking on a phone: what and when on top, the price beside, the actions below."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(booking.status),
                rx.spacer(),
                rx.text(booking.price, size="4", weight="bold"),
                align="center",
                width="100%",
            ),
            rx.vstack(
                rx.text(booking.service, size="3", weight="medium"),
                rx.text(booking.when, size="2", color_scheme="gray"),
                rx.text(
                    "Booked ", booking.date, " · ", booking.reference, size="1", color_scheme="gray"
                ),
                spacing="1",
                width="100%",
            ),
            _actions(booking, prefix="card-", size="2"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="booking-card-" + booking.reference,
        class_name="booking-card",
    )


def _bookings_list() -> rx.Component:
    """Cards on a phone, the table from tablet width up (the other one is display: none)."""
    return rx.cond(
        S.bookings.length() > 0,
        rx.fragment(
            rx.vstack(
                rx.foreach(S.bookings, _booking_card),
                spacing="3",
                width="100%",
                display=rx.breakpoints(initial="flex", sm="none"),
                id="my-booking-cards",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h, text_align=align)
                            for h, align in (
                                ("Booked", "left"),
                                ("Service", "left"),
                                ("Status", "left"),
                                ("Price", "right"),
                                ("", "left"),
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.bookings, _booking_row)),
                width="100%",
                display=rx.breakpoints(initial="none", sm="table"),
                id="my-bookings",
            ),
        ),
        rx.cond(
            S.loaded,
            rx.vstack(
                empty_state("You have no bookings yet."),
                rx.link("Book a service", href=routes.CUSTOMER_BOOK),
                align="center",
                width="100%",
            ),
        ),
    )


def _detail(label: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", min_width="6em"),
        rx.text(value, size="2", id=id_),
        align="start",
        width="100%",
    )


def _view_dialog() -> rx.Component:
    viewing = S.viewing
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                viewing,
                rx.vstack(
                    rx.dialog.title("Booking ", viewing.reference),
                    rx.dialog.description(
                        rx.hstack(status_badge(viewing.status), rx.text(viewing.service))
                    ),
                    _detail("When", viewing.when, "view-when"),
                    _detail("Where", viewing.address, "view-address"),
                    _detail("Price", viewing.price, "view-price"),
                    _detail("Booked", viewing.date, "view-date"),
                    rx.hstack(
                        rx.link("Track this booking", href=viewing.track_path),
                        rx.spacer(),
                        rx.dialog.close(
                            rx.button("Close", variant="soft", color_scheme="gray", id="view-close")
                        ),
                        align="center",
                        width="100%",
                        margin_top="0.5em",
                    ),
                    spacing="3",
                    width="100%",
                    id="booking-view",
                ),
            ),
        ),
        open=S.view_open,
        on_open_change=S.set_view_open,
    )


def _cancel_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel booking ", S.cancel_reference, "?"),
            rx.alert_dialog.description(S.cancel_label, id="cancel-terms"),
            error_callout(S.cancel_error, id_="cancel-error", margin_top="1em", role="alert"),
            confirm_buttons(
                "Keep booking",
                rx.cond(
                    S.cancel_allowed,
                    rx.button(
                        "Cancel booking",
                        color_scheme="red",
                        on_click=S.confirm_cancel,
                        loading=S.busy,
                        id="cancel-confirm",
                    ),
                ),
                keep_id="cancel-keep",
            ),
        ),
        open=S.cancel_open,
        on_open_change=S.set_cancel_open,
    )


def _review_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("How did it go?"),
            rx.dialog.description("Rate the technician who did job ", S.review_reference, "."),
            rx.vstack(
                rx.el.label("Stars", html_for="review-stars", class_name="field-label"),
                rx.radio_group.root(
                    rx.hstack(
                        *[
                            rx.el.label(
                                rx.hstack(
                                    rx.radio_group.item(value=n, id=f"stars-{n}"),
                                    rx.text("★" * int(n), aria_label=f"{n} stars"),
                                    align="center",
                                    spacing="1",
                                )
                            )
                            for n in STAR_CHOICES
                        ],
                        spacing="3",
                        wrap="wrap",
                    ),
                    value=S.review_stars,
                    on_change=S.set_review_stars,
                    aria_label="Stars",
                    id="review-stars",
                ),
                rx.el.label("Comment (optional)", html_for="review-comment"),
                rx.text_area(
                    id="review-comment",
                    value=S.review_comment,
                    on_change=S.set_review_comment,
                    max_length=2000,
                    width="100%",
                ),
                rx.cond(
                    S.review_error != "",
                    rx.text(S.review_error, color_scheme="red", size="2", id="review-error"),
                ),
                dialog_buttons(
                    "Not now",
                    rx.button(
                        "Send review", on_click=S.submit_review, loading=S.busy, id="review-send"
                    ),
                    width="100%",
                ),
                spacing="3",
                margin_top="1em",
                width="100%",
            ),
        ),
        open=S.review_open,
        on_open_change=S.set_review_open,
    )


@customer_page("My bookings")
def my_bookings_page() -> rx.Component:
    """The customer's bookings with View, Track, Cancel and Review: cards on a phone."""
    return rx.fragment(
        error_callout(S.error),
        notice_callout(S.notice, id_="bookings-notice"),
        _bookings_list(),
        _view_dialog(),
        _cancel_dialog(),
        _review_dialog(),
    )
