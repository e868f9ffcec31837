"""Provider portal (phone first): today's jobs; earnings and profile are still to come."""

from __future__ import annotations

import reflex as rx

from roadside_console.domain.bookings.queries import provider_active_jobs
from roadside_console.domain.core.money import format_cents
from roadside_console.ui.components.common import empty_state, placeholder_notice, status_badge
from roadside_console.ui.shell.layout import provider_page
from roadside_console.ui.shell.session import SessionState


class ProviderJobsState(SessionState):
    """The provider's open jobs as display rows."""

    jobs: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> None:
        """Fetch the jobs assigned to the signed-in provider."""
        rows, self.error = await self.run_as_user(provider_active_jobs)
        if rows is None:
            return
        self.jobs = [
            {
                "id": row.booking_id,
                "reference": row.reference,
                "service": row.service_name,
                "status": row.status,
                "address": row.address,
                "customer": row.contact_name,
                "phone": row.contact_phone,
                "vehicle": row.vehicle,
                "price": format_cents(row.price_cents),
                "maps": "https://www.google.com/maps/dir/?api=1&destination="
                + row.address.replace(" ", "+"),
            }
            for row in rows
        ]
        self.loaded = True


def _job_card(job: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(job["service"], size="4"),
                rx.spacer(),
                status_badge(job["status"]),
                width="100%",
                align="center",
            ),
            rx.text(job["customer"], " · ", job["vehicle"], size="2"),
            rx.text(job["address"], size="2", color_scheme="gray"),
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("navigation"), "Navigate", size="3", width="100%"),
                    href=job["maps"],
                    is_external=True,
                    flex="1",
                ),
                rx.link(
                    rx.button(rx.icon("phone"), "Call", size="3", variant="soft", width="100%"),
                    href="tel:" + job["phone"].to(str),
                    flex="1",
                ),
                width="100%",
            ),
            rx.text(job["reference"], " · ", job["price"], size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="job-card",
    )


@provider_page("My jobs")
def provider_jobs_page() -> rx.Component:
    """Open jobs with one-thumb navigate and call buttons."""
    return rx.vstack(
        rx.cond(ProviderJobsState.error != "", rx.callout(ProviderJobsState.error)),
        rx.cond(
            ProviderJobsState.jobs.length() > 0,
            rx.foreach(ProviderJobsState.jobs, _job_card),
            rx.cond(ProviderJobsState.loaded, empty_state("No open jobs right now.", "coffee")),
        ),
        placeholder_notice(
            "Offers, status changes and location sharing",
            "Accepting offers with a countdown, start and complete buttons and live location "
            "sharing are coming to this screen; dispatch already offers jobs behind the scenes.",
        ),
        spacing="3",
        width="100%",
        id="provider-jobs",
    )


@provider_page("Earnings")
def provider_earnings_page() -> rx.Component:
    """Placeholder until payouts are built."""
    return placeholder_notice("Earnings", "Today, this week and this month, with payout history.")


@provider_page("Profile")
def provider_profile_page() -> rx.Component:
    """Placeholder until provider self-service is built."""
    return rx.vstack(
        rx.text("Signed in as ", rx.text.strong(SessionState.user_name)),
        placeholder_notice("Profile", "Availability switch, specialties and credentials."),
        rx.button("Sign out", variant="soft", on_click=SessionState.sign_out, size="3"),
        spacing="3",
    )
