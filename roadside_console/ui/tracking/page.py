"""Live arrival tracking from the link in the customer's text message (no sign-in needed).

A stranded driver opens it on their phone: where the booking stands, who is coming, how far
away they are. The page asks the server again every 15 seconds while it is visible; the
location disappears once the job has ended (the domain decides that).
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.views import TrackingView, track_booking
from roadside_console.domain.core.errors import DomainError
from roadside_console.ui.components.common import status_badge
from roadside_console.ui.components.formatting import local_time, status_label
from roadside_console.ui.components.timers import poller
from roadside_console.ui.shell.run import run_use_case

REFRESH_MS = 15_000
MAP_LINK = "https://www.google.com/maps/search/?api=1&query={lat},{lng}"
_HEADLINES: dict[BookingStatus, str] = {
    BookingStatus.PENDING: "We have your request",
    BookingStatus.CONFIRMED: "Finding you a technician",
    BookingStatus.DISPATCHED: "Your technician is on the way",
    BookingStatus.IN_PROGRESS: "Your technician is with you",
    BookingStatus.COMPLETED: "Job done",
    BookingStatus.CANCELLED: "This booking was cancelled",
}


@dataclass(frozen=True, slots=True)
class TrackingCard:
    """What the tracking page shows, already formatted for reading."""

    reference: str
    status: str
    headline: str
    service: str
    when: str
    technician: str
    vehicle: str
    eta: str
    location_note: str
    map_url: str
    steps: list[dict[str, str]]


def tracking_card(view: TrackingView) -> TrackingCard:
    """Turn the domain's tracking view into display text on the operator's wall clock."""
    tz = view.time_zone
    location = view.last_location
    eta = ""
    if view.eta_minutes is not None:
        eta = (
            "Arriving in about a minute"
            if view.eta_minutes <= 1
            else (f"Arriving in about {view.eta_minutes} minutes")
        )
    return TrackingCard(
        reference=view.reference,
        status=view.status.value,
        headline=_HEADLINES.get(view.status, status_label(view.status.value)),
        service=view.service_name,
        when=f"Scheduled for {local_time(view.scheduled_at, tz)}" if view.scheduled_at else "",
        technician=view.provider_first_name or "",
        vehicle=view.vehicle,
        eta=eta,
        location_note=(
            f"Last seen at {local_time(location.recorded_at, tz, '%-I:%M %p')}" if location else ""
        ),
        map_url=MAP_LINK.format(lat=location.lat, lng=location.lng) if location else "",
        steps=[
            {"status": status_label(step.status.value), "at": local_time(step.at, tz)}
            for step in view.timeline
        ],
    )


class TrackingState(rx.State):
    """The tracking card of the booking behind the link; the token stays on the server."""

    card: TrackingCard | None = None
    error: str = ""
    _token: str = ""

    @rx.event
    async def load(self) -> None:
        """Read the token from the link and show the booking."""
        self._token = str(self.router.page.params.get("token", ""))
        await self.refresh()

    @rx.event
    async def refresh(self) -> None:
        """Ask for the latest status (the poller calls this every 15 seconds)."""
        try:
            view = await run_use_case(track_booking, token=self._token)
        except DomainError as error:
            self.card, self.error = None, error.message
            return
        self.card, self.error = tracking_card(view), ""


def _step(step: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("circle-check", size=16, color=rx.color("green", 9)),
        rx.text(step["status"], weight="medium"),
        rx.spacer(),
        rx.text(step["at"], color_scheme="gray", size="2"),
        width="100%",
        align="center",
    )


def tracking_card_view(card: rx.Var) -> rx.Component:
    """Render a `TrackingCard` var: headline, technician and ETA, map link, progress steps.

    Shared by the public page behind the texted link and the customer's own tracking page.
    """
    return rx.vstack(
        rx.hstack(
            rx.heading(card.headline, size="6", id="tracking-headline"),
            rx.spacer(),
            status_badge(card.status),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.text(card.service, " · ", card.reference, color_scheme="gray"),
        rx.cond(card.when != "", rx.text(card.when)),
        rx.cond(
            card.technician != "",
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.icon("user-round", size=20),
                        rx.text("Your technician: ", rx.el.strong(card.technician)),
                        align="center",
                    ),
                    rx.cond(
                        card.eta != "",
                        rx.text(card.eta, size="5", weight="bold", id="tracking-eta"),
                    ),
                    rx.cond(
                        card.map_url != "",
                        rx.link(
                            rx.hstack(rx.icon("map-pin", size=16), rx.text("See on the map")),
                            href=card.map_url,
                            is_external=True,
                            id="tracking-map",
                        ),
                    ),
                    rx.cond(
                        card.location_note != "",
                        rx.text(card.location_note, size="2", color_scheme="gray"),
                    ),
                    spacing="2",
                ),
                width="100%",
            ),
        ),
        rx.cond(card.vehicle != "", rx.text("Your vehicle: ", card.vehicle, size="2")),
        rx.heading("Progress", size="3", margin_top="0.5em"),
        rx.vstack(rx.foreach(card.steps, _step), width="100%", spacing="2", id="tracking-steps"),
        spacing="3",
        width="100%",
        aria_live="polite",
    )


def tracking_page() -> rx.Component:
    """The public tracking page behind /track/<token>, made for a phone."""
    return rx.box(
        rx.hstack(
            rx.icon("truck", size=24, color=rx.color("orange", 9)),
            rx.heading("RoadSide help", size="4"),
            align="center",
            padding="1em",
            class_name="topbar",
        ),
        rx.box(
            rx.cond(
                TrackingState.error != "",
                rx.callout(TrackingState.error, icon="triangle-alert", color_scheme="red"),
                rx.cond(
                    TrackingState.card,
                    tracking_card_view(TrackingState.card),
                    rx.center(rx.spinner(size="3")),
                ),
            ),
            poller(interval_ms=REFRESH_MS, on_tick=TrackingState.refresh),
            padding="1.25em",
            max_width="36em",
            margin_x="auto",
        ),
    )
