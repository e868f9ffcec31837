"""Provider portal (phone first): offers with a live countdown, the job on the go, and its steps.

The screen polls for new offers every few seconds while it is open; the countdown ticks in the
browser. Accepting an offer starts the job (the lifecycle has no separate "start" step), so an
active job shows navigate, call and complete. The duty panel below them (`location`) switches
availability and location sharing.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import reflex as rx

from roadside_console.domain.bookings.service import complete_booking
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.dispatch.portal import PortalJob, provider_board
from roadside_console.domain.dispatch.service import accept_offer, reject_offer
from roadside_console.ui.components.common import empty_state, status_badge
from roadside_console.ui.components.forms import confirm_buttons, error_callout, notice_callout
from roadside_console.ui.components.timers import countdown, poller
from roadside_console.ui.provider_portal.location import duty_panel
from roadside_console.ui.shell.layout import provider_page
from roadside_console.ui.shell.session import SessionState

POLL_MS = 4000


def maps_link(lat: float, lng: float) -> str:
    """Return a Google Maps directions link to a point (opens the app on phones)."""
    return f"https://www.google.com/maps/dir/?api=1&destination={lat:.6f},{lng:.6f}"


@dataclasses.dataclass(frozen=True)
class JobCard:
    """A job as its card shows it."""

    booking_id: str
    reference: str
    service: str
    status: str
    address: str
    notes: str
    customer: str
    phone: str
    vehicle: str
    price: str
    maps: str


@dataclasses.dataclass(frozen=True)
class OfferCard:
    """An open offer: the job, and when it lapses (Unix milliseconds)."""

    offer_id: str
    deadline_ms: int
    job: JobCard


def job_card(job: PortalJob) -> JobCard:
    """Turn a portal job into its display fields."""
    vehicle = job.vehicle or "Vehicle not given"
    if job.towing_miles:
        vehicle = f"{vehicle} · tow {job.towing_miles} mi"
    return JobCard(
        booking_id=str(job.booking_id),
        reference=job.reference,
        service=job.service_name,
        status=job.status,
        address=job.address,
        notes=job.location_notes,
        customer=job.contact_name,
        phone=job.contact_phone,
        vehicle=vehicle,
        price=format_cents(job.price_cents),
        maps=maps_link(job.lat, job.lng),
    )


class ProviderJobsState(SessionState):
    """The provider's open offers and jobs in progress, as display cards."""

    offers: list[OfferCard] = []
    jobs: list[JobCard] = []
    loaded: bool = False
    busy: bool = False
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self) -> None:
        """Fetch offers and jobs when the page opens."""
        self.notice = ""
        await self._fetch()

    @rx.event
    async def refresh(self) -> None:
        """Poll for new offers (and offers that lapsed) without touching messages."""
        if not self.busy:
            await self._fetch()

    async def _fetch(self) -> None:
        board, error = await self.run_as_user(provider_board)
        self.loaded = True
        if board is None:
            self.error = error
            return
        self.error = ""
        self.offers = [
            OfferCard(
                offer_id=str(offer.offer_id),
                deadline_ms=int(offer.expires_at.timestamp() * 1000),
                job=job_card(offer.job),
            )
            for offer in board.offers
        ]
        self.jobs = [job_card(job) for job in board.jobs]

    async def _act(
        self, fn: Callable[..., Any], success: str, **kwargs: Any
    ) -> AsyncIterator[None]:
        self.busy = True
        yield
        try:
            result, error = await self.run_as_user(fn, **kwargs)
            self.error, self.notice = (error, "") if result is None else ("", success)
            await self._fetch()
        finally:
            self.busy = False

    @rx.event
    async def accept(self, offer_id: str):
        """Take the job: it starts at once and shows with navigate and call."""
        async for update in self._act(
            accept_offer, "Job accepted. Drive safely.", offer_id=uuid.UUID(offer_id)
        ):
            yield update

    @rx.event
    async def decline(self, offer_id: str):
        """Hand the offer back; dispatch offers it to the next provider."""
        async for update in self._act(
            reject_offer, "Offer declined.", offer_id=uuid.UUID(offer_id)
        ):
            yield update

    @rx.event
    async def complete(self, booking_id: str):
        """Mark the job done."""
        async for update in self._act(
            complete_booking, "Job completed. Thank you!", booking_id=uuid.UUID(booking_id)
        ):
            yield update


def _confirm(
    trigger: rx.Component, title: str, body: str, action: str, on_confirm: rx.EventSpec
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(body),
            confirm_buttons(
                "Not now",
                rx.alert_dialog.action(rx.button(action, on_click=on_confirm)),
            ),
            max_width="22em",
        ),
    )


def _job_lines(job: rx.Var) -> list[rx.Component]:
    return [
        rx.text(job.customer, " · ", job.vehicle, size="2"),
        rx.text(job.address, size="2", color_scheme="gray"),
        rx.cond(job.notes != "", rx.text(job.notes, size="1", color_scheme="gray")),
    ]


def _offer_card(offer: rx.Var) -> rx.Component:
    job = offer.job
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge("New offer", color_scheme="orange", variant="solid", size="2"),
                rx.spacer(),
                rx.hstack(
                    rx.icon("timer", size=16),
                    countdown(deadline_ms=offer.deadline_ms, class_name="offer-countdown"),
                    align="center",
                    spacing="1",
                ),
                width="100%",
                align="center",
            ),
            rx.heading(job.service, size="5"),
            *_job_lines(job),
            rx.text(job.reference, " · ", job.price, size="1", color_scheme="gray"),
            rx.grid(
                _confirm(
                    rx.button(
                        "Decline",
                        size="3",
                        variant="soft",
                        color_scheme="gray",
                        width="100%",
                        disabled=ProviderJobsState.busy,
                    ),
                    "Decline this job?",
                    "It goes to the next provider straight away.",
                    "Decline",
                    ProviderJobsState.decline(offer.offer_id),
                ),
                rx.button(
                    rx.icon("check"),
                    "Accept",
                    size="3",
                    width="100%",
                    on_click=ProviderJobsState.accept(offer.offer_id),
                    loading=ProviderJobsState.busy,
                ),
                columns="1fr 2fr",
                width="100%",
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="offer-card",
    )


def _job_card(job: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(job.service, size="4"),
                rx.spacer(),
                status_badge(job.status),
                width="100%",
                align="center",
            ),
            *_job_lines(job),
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("navigation"), "Navigate", size="3", width="100%"),
                    href=job.maps,
                    is_external=True,
                    flex="1",
                ),
                rx.link(
                    rx.button(rx.icon("phone"), "Call", size="3", variant="soft", width="100%"),
                    href="tel:" + job.phone.to(str),
                    flex="1",
                ),
                width="100%",
            ),
            _confirm(
                rx.button(
                    rx.icon("circle-check"),
                    "Complete job",
                    size="3",
                    color_scheme="green",
                    width="100%",
                    disabled=ProviderJobsState.busy,
                ),
                "Is the job done?",
                "The customer is told the job is complete.",
                "Complete",
                ProviderJobsState.complete(job.booking_id),
            ),
            rx.text(job.reference, " · ", job.price, size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="job-card",
    )


@provider_page("My jobs")
def provider_jobs_page() -> rx.Component:
    """Offers first (they expire), the jobs on the go, then duty; one-thumb buttons throughout."""
    return rx.vstack(
        poller(interval_ms=POLL_MS, on_tick=ProviderJobsState.refresh),
        error_callout(ProviderJobsState.error, width="100%"),
        notice_callout(ProviderJobsState.notice, id_="portal-notice", width="100%"),
        rx.foreach(ProviderJobsState.offers, _offer_card),
        rx.foreach(ProviderJobsState.jobs, _job_card),
        rx.cond(
            ProviderJobsState.loaded
            & (ProviderJobsState.offers.length() == 0)
            & (ProviderJobsState.jobs.length() == 0),
            empty_state("No offers or open jobs. New offers appear here on their own.", "coffee"),
        ),
        duty_panel(
            on_a_job=(ProviderJobsState.offers.length() > 0) | (ProviderJobsState.jobs.length() > 0)
        ),
        spacing="3",
        width="100%",
        id="provider-jobs",
    )
