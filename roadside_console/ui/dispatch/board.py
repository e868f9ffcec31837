"""Dispatch board: open bookings by urgency, providers with their workload, both on a map.

The board re-reads both lists every 10 seconds while it is open (offer countdowns tick in the
browser in between). A confirmed booking without an open offer can be dispatched from its row;
everything else about a booking is on its own page.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import reflex as rx

from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.dispatch.board import (
    HOME,
    LIVE,
    BoardBooking,
    BoardProvider,
    board_bookings,
    board_providers,
)
from roadside_console.domain.dispatch.service import dispatch_booking
from roadside_console.ui.components.charts import EMPTY_FIGURE
from roadside_console.ui.components.common import empty_state, pages_for, status_badge
from roadside_console.ui.components.formatting import duration_text, local_time
from roadside_console.ui.components.forms import error_callout, notice_callout
from roadside_console.ui.components.timers import countdown, poller
from roadside_console.ui.dispatch.map import PLAIN, STREET, MapPoint, board_map
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

REFRESH_MS = 10_000
PAGE_SIZE = 50
MANUAL, EXPIRING = "manual", "expiring"


@dataclasses.dataclass(frozen=True)
class BoardLine:
    """An open booking as its row and its map point show it."""

    booking_id: str
    href: str
    reference: str
    service: str
    status: str
    when: str
    address: str
    contact: str
    provider: str
    flag: str
    deadline_ms: int
    dispatchable: bool
    lat: float
    lng: float


@dataclasses.dataclass(frozen=True)
class ProviderLine:
    """A provider as the workload list and the map show them."""

    href: str
    name: str
    phone: str
    workload: str
    busy: bool
    duty: str
    online: bool
    location: str
    placed: bool
    lat: float
    lng: float


def board_line(row: BoardBooking, *, now: datetime, tz: str) -> BoardLine:
    """Turn a board booking into its row: when it is wanted, its flag and its offer deadline."""
    if row.asap:
        waited = int((now - row.waiting_since).total_seconds())
        when = f"ASAP · waiting {duration_text(waited)}"
    else:
        when = f"Scheduled {local_time(row.scheduled_at, tz)}"
    flag = MANUAL if row.needs_manual_dispatch else EXPIRING if row.offer_expiring else ""
    return BoardLine(
        booking_id=str(row.booking_id),
        href=routes.booking_path(str(row.booking_id)),
        reference=row.reference,
        service=row.service_name,
        status=row.status,
        when=when,
        address=row.address,
        contact=row.contact_name,
        provider=row.provider_name,
        flag=flag,
        deadline_ms=int(row.offer_expires_at.timestamp() * 1000) if row.offer_expires_at else 0,
        dispatchable=row.can_dispatch_now,
        lat=row.lat,
        lng=row.lng,
    )


def provider_line(row: BoardProvider) -> ProviderLine:
    """Turn a board provider into its row: workload, duty and how fresh their position is."""
    if row.online:
        duty = "Online"
    elif row.available:
        duty = "On duty, no fresh location"
    else:
        duty = "Off duty, finishing a job"
    if row.located_by == LIVE and row.location_age_seconds is not None:
        location = f"Location {duration_text(row.location_age_seconds)} ago"
    elif row.located_by == HOME:
        location = "Never shared a location: home base shown"
    else:
        location = "No location known"
    jobs = row.active_jobs
    return ProviderLine(
        href=routes.provider_path(str(row.provider_id)),
        name=row.name,
        phone=row.phone,
        workload="Free" if jobs == 0 else f"{jobs} active job" + ("s" if jobs > 1 else ""),
        busy=jobs > 0,
        duty=duty,
        online=row.online,
        location=location,
        placed=row.lat is not None and row.lng is not None,
        lat=row.lat if row.lat is not None else 0.0,
        lng=row.lng if row.lng is not None else 0.0,
    )


def map_points(bookings: list[BoardLine], providers: list[ProviderLine]) -> list[MapPoint]:
    """Everything the board lists that has a position, grouped by what needs attention."""
    points = [
        MapPoint(
            lat=p.lat,
            lng=p.lng,
            label=f"{p.name}<br>{p.workload} · {p.duty}<br>{p.location}",
            group="provider_online" if p.online else "provider_offline",
        )
        for p in providers
        if p.placed
    ]
    points += [
        MapPoint(
            lat=b.lat,
            lng=b.lng,
            label=f"{b.reference} · {b.service}<br>{b.when}<br>{b.address}",
            group={MANUAL: "booking_manual", EXPIRING: "booking_expiring"}.get(b.flag, "booking"),
        )
        for b in bookings
    ]
    return points


def page_count(total: int) -> int:
    """Pages of `PAGE_SIZE` rows needed for `total` rows (at least one)."""
    return pages_for(total, PAGE_SIZE)


class DispatchBoardState(SessionState):
    """The board's two lists, their pages, the map view and the last action's answer.

    The map's figure is a plain var the handlers fill, not a computed var: every page's hydrate
    evaluates every state's computed vars, and building this figure was two thirds of that
    cost on every page, the dashboard included, where nobody looks at the map.
    """

    bookings: list[BoardLine] = []
    providers: list[ProviderLine] = []
    booking_total: int = 0
    provider_total: int = 0
    booking_page: int = 1
    provider_page: int = 1
    map_view: str = rx.LocalStorage(PLAIN, name="rs_dispatch_map_view")
    map_figure: dict[str, Any] = EMPTY_FIGURE  # Plotly's JSON of the figure, as Reflex sends it
    loaded: bool = False
    busy: bool = False
    error: str = ""
    notice: str = ""

    @rx.var
    def booking_pages(self) -> int:
        """Number of pages of open bookings."""
        return page_count(self.booking_total)

    @rx.var
    def provider_pages(self) -> int:
        """Number of pages of providers."""
        return page_count(self.provider_total)

    @rx.var
    def manual_count(self) -> int:
        """Bookings on this page waiting for a dispatcher."""
        return sum(1 for b in self.bookings if b.flag == MANUAL)

    def _draw_map(self) -> None:
        """Put the bookings and providers of the current pages on the map, in the chosen view."""
        figure = board_map(map_points(self.bookings, self.providers), self.map_view)
        self.map_figure = json.loads(pio.to_json(figure))

    @rx.event
    async def load(self) -> None:
        """Open the board at the first pages."""
        self.booking_page = self.provider_page = 1
        self.notice = ""
        await self._fetch()

    @rx.event
    async def refresh(self) -> None:
        """Re-read both lists (the poller calls this) unless an action is running."""
        if not self.busy:
            await self._fetch()

    async def _fetch(self) -> None:
        now = utc_now()
        bookings, error = await self.run_as_user(
            board_bookings, page=self.booking_page, page_size=PAGE_SIZE, now=now
        )
        providers, provider_error = await self.run_as_user(
            board_providers, page=self.provider_page, page_size=PAGE_SIZE, now=now
        )
        self.loaded = True
        self.error = error or provider_error
        if bookings is not None:
            self.bookings = [board_line(r, now=now, tz=bookings.timezone) for r in bookings.rows]
            self.booking_total = bookings.total
        if providers is not None:
            self.providers = [provider_line(r) for r in providers.rows]
            self.provider_total = providers.total
        self._draw_map()

    @rx.event
    async def dispatch_now(self, booking_id: str):
        """Run automatic dispatch for one confirmed booking and say what it did."""
        reference = next((b.reference for b in self.bookings if b.booking_id == booking_id), "")
        self.busy = True
        yield
        try:
            outcome, error = await self.run_as_user(
                dispatch_booking, booking_id=uuid.UUID(booking_id)
            )
            if outcome is None:
                self.error, self.notice = error, ""
            elif outcome.offered:
                self.error = ""
                self.notice = f"{reference} offered to a provider; the answer is due shortly."
            else:
                self.error = ""
                self.notice = f"{reference} went to the manual queue: {outcome.reason}"
            await self._fetch()
        finally:
            self.busy = False

    @rx.event
    def set_map_view(self, view: str | list[str]) -> None:
        """Switch between the plain plot and the street map (remembered in this browser)."""
        view = view if isinstance(view, str) else (view[0] if view else PLAIN)
        self.map_view = STREET if view == STREET else PLAIN
        self._draw_map()

    @rx.event
    async def bookings_page(self, step: int) -> None:
        """Move through the pages of open bookings."""
        self.booking_page = max(1, min(self.booking_page + step, self.booking_pages))
        await self._fetch()

    @rx.event
    async def providers_page(self, step: int) -> None:
        """Move through the pages of providers."""
        self.provider_page = max(1, min(self.provider_page + step, self.provider_pages))
        await self._fetch()


S = DispatchBoardState


def _messages() -> rx.Component:
    return rx.fragment(
        notice_callout(S.notice, id_="board-notice", width="100%"),
        error_callout(S.error, id_="board-error", width="100%"),
    )


def _summary() -> rx.Component:
    return rx.hstack(
        rx.badge(S.booking_total, " open bookings", size="2", variant="soft", id="open-count"),
        rx.cond(
            S.manual_count > 0,
            rx.badge(
                S.manual_count,
                " need manual dispatch",
                color_scheme="red",
                size="2",
                id="manual-count",
            ),
        ),
        rx.badge(S.provider_total, " providers on duty or on a job", size="2", variant="soft"),
        rx.spacer(),
        rx.text("Refreshes every 10 seconds", size="1", color_scheme="gray"),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _map_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Map", size="4"),
                rx.spacer(),
                rx.segmented_control.root(
                    rx.segmented_control.item("Plain", value=PLAIN),
                    rx.segmented_control.item("Street map", value=STREET),
                    value=S.map_view,
                    on_change=S.set_map_view,
                    id="map-view",
                ),
                width="100%",
                align="center",
            ),
            rx.plotly(
                data=S.map_figure.to(go.Figure),
                config={"displayModeBar": False, "responsive": True, "scrollZoom": True},
                use_resize_handler=True,
                width="100%",
                height="420px",
            ),
            rx.cond(
                S.map_view == STREET,
                rx.text(
                    "Street tiles load from openstreetmap.org. If the map stays blank (no "
                    "internet, or a browser without WebGL), switch to Plain: it shows the same "
                    "points without tiles.",
                    size="1",
                    color_scheme="gray",
                    id="map-notice",
                ),
                rx.text(
                    "Longitude across, latitude up, in proportion; no map tiles needed.",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="dispatch-map",
    )


def _flag(line: rx.Var) -> rx.Component:
    return rx.fragment(
        rx.cond(
            line.flag == MANUAL,
            rx.badge("Manual dispatch", color_scheme="red", variant="solid", size="1"),
        ),
        rx.cond(
            line.deadline_ms > 0,
            rx.hstack(
                rx.icon("timer", size=14),
                countdown(deadline_ms=line.deadline_ms, class_name="board-countdown"),
                rx.cond(line.flag == EXPIRING, rx.text("lapsing", size="1", weight="bold")),
                spacing="1",
                align="center",
                color=rx.cond(line.flag == EXPIRING, rx.color("amber", 11), rx.color("gray", 11)),
            ),
        ),
    )


def _booking_row(line: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(line.reference, href=line.href, weight="medium"),
                rx.text(line.service, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(status_badge(line.status), _flag(line), spacing="1", align="start")
        ),
        rx.table.cell(rx.text(line.when, size="2")),
        rx.table.cell(
            rx.vstack(
                rx.text(line.contact, size="2"),
                rx.text(line.address, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(rx.cond(line.provider != "", line.provider, "—"), size="2")),
        rx.table.cell(
            rx.cond(
                line.dispatchable,
                rx.button(
                    rx.icon("radio-tower", size=14),
                    "Dispatch now",
                    size="1",
                    on_click=S.dispatch_now(line.booking_id),
                    loading=S.busy,
                    class_name="board-dispatch-now",
                    white_space="nowrap",
                    id="dispatch-now-" + line.reference.to(str),
                ),
            )
        ),
        background=rx.match(
            line.flag,
            (MANUAL, rx.color("red", 3)),
            (EXPIRING, rx.color("amber", 3)),
            "transparent",
        ),
        class_name="board-booking",
        custom_attrs={"data-flag": line.flag},
    )


def _pager(page: rx.Var, pages: rx.Var, on_step: rx.EventHandler, id_: str) -> rx.Component:
    return rx.cond(
        pages > 1,
        rx.hstack(
            rx.button(
                "Previous", size="1", variant="soft", on_click=on_step(-1), disabled=page <= 1
            ),
            rx.text("Page ", page, " of ", pages, size="1"),
            rx.button(
                "Next", size="1", variant="soft", on_click=on_step(1), disabled=page >= pages
            ),
            align="center",
            id=id_,
        ),
    )


def _bookings_card() -> rx.Component:
    headers = ["Booking", "Status", "When", "Customer", "Provider", ""]
    return rx.card(
        rx.vstack(
            rx.heading("Open bookings", size="4"),
            rx.cond(
                S.loaded & (S.bookings.length() == 0),
                empty_state("No open bookings right now.", "circle-check"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.bookings, _booking_row)),
                    width="100%",
                    size="1",
                ),
            ),
            _pager(S.booking_page, S.booking_pages, S.bookings_page, "bookings-pager"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="board-bookings",
    )


def _provider_row(line: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(line.name, href=line.href, weight="medium"),
                rx.text(line.phone, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.badge(
                line.workload,
                color_scheme=rx.cond(line.busy, "blue", "green"),
                variant="soft",
            )
        ),
        rx.table.cell(
            rx.badge(line.duty, color_scheme=rx.cond(line.online, "green", "gray"), variant="soft")
        ),
        rx.table.cell(rx.text(line.location, size="2")),
        class_name="board-provider",
    )


def _providers_card() -> rx.Component:
    headers = ["Provider", "Workload", "Duty", "Last location"]
    return rx.card(
        rx.vstack(
            rx.heading("Providers", size="4"),
            rx.cond(
                S.loaded & (S.providers.length() == 0),
                empty_state("No provider is on duty.", "user-x"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.providers, _provider_row)),
                    width="100%",
                    size="1",
                ),
            ),
            _pager(S.provider_page, S.provider_pages, S.providers_page, "providers-pager"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="board-providers",
    )


@admin_page("Dispatch")
def dispatch_board_page() -> rx.Component:
    """Urgent bookings first, who can take them, and where everyone is."""
    return rx.vstack(
        poller(interval_ms=REFRESH_MS, on_tick=S.refresh),
        _messages(),
        _summary(),
        _bookings_card(),
        _map_card(),
        _providers_card(),
        spacing="4",
        width="100%",
        id="dispatch-board",
    )
