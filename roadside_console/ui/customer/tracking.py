"""A signed-in customer follows one of their bookings from My bookings (no texted link needed).

Same card as the public tracking page, refreshed every 15 seconds while the page is visible.
"""

from __future__ import annotations

import uuid

import reflex as rx

from roadside_console.domain.bookings.views import track_own_booking
from roadside_console.ui.components.timers import poller
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import customer_page
from roadside_console.ui.shell.session import SessionState
from roadside_console.ui.tracking.page import (
    REFRESH_MS,
    TrackingCard,
    tracking_card,
    tracking_card_view,
)


class OwnTrackingState(SessionState):
    """The tracking card of one of the customer's bookings."""

    card: TrackingCard | None = None
    error: str = ""
    _booking: str = ""

    @rx.event
    async def load(self) -> None:
        """Read the booking from the address and show it."""
        self._booking = str(self.router.page.params.get("booking_id", ""))
        self.card = None
        await self.refresh()

    @rx.event
    async def refresh(self) -> None:
        """Ask for the latest status and ETA (the poller calls this)."""
        try:
            booking_id = uuid.UUID(self._booking)
        except ValueError:
            self.card, self.error = None, "No such booking."
            return
        view, self.error = await self.run_as_user(track_own_booking, booking_id=booking_id)
        self.card = tracking_card(view) if view is not None else None


@customer_page("Track your booking")
def own_tracking_page() -> rx.Component:
    """Status timeline and ETA of one booking, updating without a reload."""
    return rx.fragment(
        rx.cond(
            OwnTrackingState.error != "",
            rx.callout(OwnTrackingState.error, icon="triangle-alert", color_scheme="red"),
            rx.cond(
                OwnTrackingState.card,
                tracking_card_view(OwnTrackingState.card),
                rx.center(rx.spinner(size="3")),
            ),
        ),
        rx.link("Back to my bookings", href=routes.CUSTOMER_HOME),
        poller(interval_ms=REFRESH_MS, on_tick=OwnTrackingState.refresh),
    )
