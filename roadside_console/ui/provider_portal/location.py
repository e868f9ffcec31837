"""The provider's duty panel: the availability switch and sharing their location while on a job.

Availability goes through `set_availability`, whose message explains why a provider who is not
active yet may not go available. Sharing is the provider's choice, remembered in their browser;
while it is on and they have a job (offered or in progress), the browser sends a fix every
30 seconds to `record_location`. A refused permission or a phone without GPS shows a message
and never blocks the rest of the page.
"""

from __future__ import annotations

import math
from typing import Any

import reflex as rx

from roadside_console.domain.providers.profile import my_profile
from roadside_console.domain.providers.service import record_location, set_availability
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.geolocation import geolocation
from roadside_console.ui.shell.session import SessionState

SHARE_EVERY_MS = 30_000
ON = "on"
LOCATION_PROBLEMS = {
    "denied": (
        "Location is blocked for this site. Allow location for it in your browser or phone "
        "settings, then switch sharing off and on again."
    ),
    "unavailable": "Your phone cannot find its position right now; we keep trying.",
    "timeout": "Finding your position is taking long; we keep trying.",
    "unsupported": (
        "This browser cannot share its location (it needs location support and a secure "
        "https:// page)."
    ),
}


def location_problem(code: str) -> str:
    """Say what went wrong with the browser's location, and what to do about it."""
    return LOCATION_PROBLEMS.get(code, LOCATION_PROBLEMS["unavailable"])


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def fix_values(fix: dict[str, Any]) -> dict[str, float | None] | None:
    """Read a browser fix into `record_location`'s arguments; None without a position."""
    lat, lng = _number(fix.get("lat")), _number(fix.get("lng"))
    if lat is None or lng is None:
        return None
    return {
        "lat": lat,
        "lng": lng,
        "accuracy_m": _number(fix.get("accuracy")),
        "heading_deg": _number(fix.get("heading")),
    }


class DutyState(SessionState):
    """On or off duty, whether the provider shares their location, and the last fix sent."""

    available: bool = False
    provider_status: str = ""
    duty_loaded: bool = False
    duty_busy: bool = False
    duty_message: str = ""
    share_choice: str = rx.LocalStorage("", name="rs_share_location")
    last_sent: str = ""
    location_error: str = ""
    timezone: str = "UTC"

    @rx.var
    def sharing(self) -> bool:
        """Whether the provider chose to share their location on this phone."""
        return self.share_choice == ON

    @rx.event
    async def load(self) -> None:
        """Read the provider's duty and status when the jobs page opens."""
        self.duty_message = self.location_error = ""
        profile, error = await self.run_as_user(my_profile)
        self.duty_loaded = True
        if profile is None:
            self.duty_message = error
            return
        self.available, self.provider_status = profile.available, profile.status
        self.timezone = profile.timezone

    @rx.event
    async def set_available(self, value: bool) -> None:
        """Go on or off duty; a provider who may not go available is told why."""
        self.duty_busy = True
        try:
            result, error = await self.run_as_user(set_availability, available=bool(value))
            if result is None:
                self.duty_message = error
                return
            self.available, self.provider_status = result.available, result.status
            self.duty_message = ""
        finally:
            self.duty_busy = False

    @rx.event
    def set_sharing(self, value: bool) -> None:
        """Switch location sharing on or off on this phone."""
        self.share_choice = ON if value else ""
        self.location_error = ""

    @rx.event
    async def send_fix(self, fix: dict[str, Any]) -> None:
        """Store the browser's latest position (the geolocation watcher calls this)."""
        values = fix_values(fix)
        if values is None or not self.sharing:
            return
        recorded, error = await self.run_as_user(record_location, **values)
        if recorded is None:
            self.location_error = error
            return
        self.location_error = ""
        self.last_sent = local_time(recorded.recorded_at, self.timezone, "%-I:%M:%S %p")

    @rx.event
    def location_failed(self, code: str) -> None:
        """Show why the browser gives no position."""
        self.location_error = location_problem(code)


D = DutyState


def duty_panel(on_a_job: rx.Var[bool]) -> rx.Component:
    """Availability and location-sharing switches; the watcher runs only while on a job."""
    return rx.card(
        rx.vstack(
            geolocation(
                enabled=D.sharing & on_a_job,
                interval_ms=SHARE_EVERY_MS,
                on_fix=D.send_fix,
                on_error=D.location_failed,
            ),
            rx.hstack(
                rx.vstack(
                    rx.el.label(
                        "Available for new jobs",
                        html_for="availability-switch",
                        class_name="field-label",
                        margin_bottom="0",
                    ),
                    rx.text(
                        rx.cond(D.available, "You receive offers.", "You receive no offers."),
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.switch(
                    id="availability-switch",
                    checked=D.available,
                    on_change=D.set_available,
                    disabled=D.duty_busy | ~D.duty_loaded,
                    size="3",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                D.duty_message != "",
                rx.callout(
                    D.duty_message,
                    icon="info",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                    id="availability-message",
                ),
            ),
            rx.separator(),
            rx.hstack(
                rx.vstack(
                    rx.el.label(
                        "Share my location",
                        html_for="share-location-switch",
                        class_name="field-label",
                        margin_bottom="0",
                    ),
                    rx.text(
                        rx.cond(
                            D.sharing,
                            rx.cond(
                                on_a_job,
                                rx.cond(
                                    D.last_sent != "",
                                    "Sent every 30 s · last at " + D.last_sent,
                                    "Finding your position…",
                                ),
                                "Sent every 30 s while you have a job.",
                            ),
                            "Off: the customer and dispatch do not see where you are.",
                        ),
                        size="1",
                        color_scheme="gray",
                        id="location-status",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.switch(
                    id="share-location-switch",
                    checked=D.sharing,
                    on_change=D.set_sharing,
                    size="3",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                D.sharing & (D.location_error != ""),
                rx.callout(
                    D.location_error,
                    icon="map-pin-off",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    id="location-error",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="duty-panel",
    )
