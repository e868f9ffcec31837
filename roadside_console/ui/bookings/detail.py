"""One booking for ops and finance: facts, price, history, why dispatch chose, and next steps.

Every button calls one use case as the signed-in user; the page shows the domain's answer
inline. The page re-reads the booking every few seconds so an offer made by the worker, or a
provider's answer, appears without a reload.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx

from roadside_console.domain.bookings.adjustments import add_internal_note, override_price
from roadside_console.domain.bookings.detail import BookingDetail, booking_detail
from roadside_console.domain.bookings.service import cancel_booking, confirm_booking
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.dispatch.candidates import ranked_candidates
from roadside_console.domain.dispatch.queries import explain_dispatch
from roadside_console.domain.dispatch.schemas import CandidateView, DispatchLogView
from roadside_console.domain.dispatch.service import assign_provider, dispatch_booking
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payments.service import (
    confirm_payment,
    record_payment,
    refund_payment,
)
from roadside_console.integrations.stripe_checkout import refund_gateway_from_settings
from roadside_console.ui.components.common import empty_state, not_found, price_lines, status_badge
from roadside_console.ui.components.formatting import (
    event_title,
    local_time,
    parse_dollars,
    status_label,
    vehicle_label,
)
from roadside_console.ui.components.forms import (
    confirm_buttons,
    dialog_input,
    error_callout,
    fact,
    field_error,
    labelled,
    labelled_input,
    notice_callout,
    section_card,
)
from roadside_console.ui.components.lists import compact_table
from roadside_console.ui.components.timers import countdown, poller
from roadside_console.ui.provider_portal.pages import maps_link
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

REFRESH_MS = 3000
MANUAL_METHODS = [
    (PaymentMethod.CASH.value, "Cash"),
    (PaymentMethod.CASHAPP.value, "CashApp"),
    (PaymentMethod.ZELLE.value, "Zelle"),
]
METHOD_LABELS = dict(MANUAL_METHODS) | {PaymentMethod.STRIPE.value: "Card (Stripe)"}
SUBSCORE_LABELS = {
    "eta": "ETA",
    "rating": "rating",
    "specialty": "specialty",
    "workload": "workload",
    "fairness": "fairness",
}


@dataclasses.dataclass(frozen=True)
class LineRow:
    """A price line."""

    label: str
    amount: str


@dataclasses.dataclass(frozen=True)
class TimelineRow:
    """A history entry."""

    when: str
    title: str
    who: str
    reason: str


@dataclasses.dataclass(frozen=True)
class CandidateRow:
    """A provider considered for the job, with the numbers behind the score."""

    provider_id: str
    rank: int
    name: str
    distance: str
    where: str
    eta: str
    score: str
    why: str


@dataclasses.dataclass(frozen=True)
class DispatchRow:
    """One dispatch decision."""

    when: str
    title: str
    reason: str
    outcome: str
    candidates: list[CandidateRow]


@dataclasses.dataclass(frozen=True)
class PaymentRow:
    """A payment on the booking."""

    payment_id: str
    method: str
    status: str
    amount: str
    reference: str
    when: str
    pending: bool
    refundable: bool = False
    remaining: str = ""
    manual: bool = True


REFUNDABLE_STATUSES = ("confirmed", "partially_refunded")


def candidate_row(candidate: CandidateView) -> CandidateRow:
    """Show a candidate's distance, ETA, score and subscores."""
    why = " · ".join(
        f"{SUBSCORE_LABELS.get(key, key)} {value:.0f}" for key, value in candidate.subscores.items()
    )
    where = "live location" if candidate.location == "current" else "home base"
    return CandidateRow(
        provider_id=candidate.provider_id,
        rank=candidate.rank,
        name=candidate.name,
        distance=f"{candidate.distance_miles:.1f} mi",
        where=where,
        eta=f"{candidate.eta_minutes} min",
        score=f"{candidate.score:.1f}",
        why=why,
    )


def dispatch_row(log: DispatchLogView, tz: str) -> DispatchRow:
    """Show one dispatch decision: who decided, who got it, why, and how it ended."""
    who = "Automatic" if log.algorithm == "auto" else f"By hand ({log.actor_name or 'staff'})"
    title = f"Attempt {log.attempt} · {who}"
    if log.provider_name:
        outcome = f"Offered to {log.provider_name}"
        if log.offer_status:
            outcome += f" · offer {log.offer_status}"
    else:
        outcome = "No offer made"
    return DispatchRow(
        when=local_time(log.created_at, tz),
        title=title,
        reason=log.reason,
        outcome=outcome,
        candidates=[candidate_row(c) for c in log.candidates],
    )


class BookingDetailState(SessionState):
    """The booking on screen, its action forms and the last answer from the domain."""

    booking_id: str = ""
    loaded: bool = False
    missing: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False

    reference: str = ""
    status: str = ""
    service: str = ""
    when: str = ""
    created: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    customer_name: str = ""
    vehicle: str = ""
    address: str = ""
    maps: str = ""
    location_notes: str = ""
    notes: str = ""
    towing: str = ""
    lines: list[LineRow] = []
    total: str = ""
    provider_name: str = ""
    offer_provider: str = ""
    offer_deadline_ms: int = 0
    needs_manual: bool = False
    cancel_reason_shown: str = ""
    timeline: list[TimelineRow] = []
    dispatch: list[DispatchRow] = []
    candidates: list[CandidateRow] = []
    payments: list[PaymentRow] = []
    actions: list[str] = []

    cancel_reason: str = ""
    cancel_error: str = ""
    assign_reason: str = ""
    assign_error: str = ""
    pay_method: str = PaymentMethod.CASH.value
    pay_amount: str = ""
    pay_reference: str = ""
    pay_error: str = ""
    confirm_reference: str = ""
    cancel_refund_reference: str = ""
    refund_amount: str = ""
    refund_reference: str = ""
    refund_reason: str = ""
    refund_error: str = ""
    override_amount: str = ""
    override_reason: str = ""
    override_error: str = ""
    note_text: str = ""
    note_error: str = ""

    @rx.var
    def title(self) -> str:
        """Heading of the page."""
        return f"Booking {self.reference}" if self.reference else "Booking"

    @rx.event
    async def load(self) -> None:
        """Open the booking named in the URL and clear the forms."""
        self.booking_id = str(self.router.page.params.get("booking_id", ""))
        self.notice = self.error = self.cancel_error = self.assign_error = self.pay_error = ""
        self.cancel_reason = self.assign_reason = self.pay_reference = self.confirm_reference = ""
        self.pay_method = PaymentMethod.CASH.value
        self.loaded = self.missing = False
        self.reference = ""
        await self._fetch(with_candidates=True)
        self.pay_amount = self.total.lstrip("$")

    @rx.event
    async def refresh(self) -> None:
        """Re-read the booking (the poller calls this) unless an action is running."""
        if not self.busy and self.loaded and not self.missing:
            await self._fetch(with_candidates=False)

    def _uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.booking_id)
        except ValueError:
            return None

    async def _fetch(self, *, with_candidates: bool) -> None:
        booking_id = self._uuid()
        if booking_id is None:
            self.loaded, self.missing = True, True
            return
        detail, error = await self.run_as_user(booking_detail, booking_id=booking_id)
        self.loaded = True
        if detail is None:
            self.missing, self.error = True, error
            return
        changed = (detail.status, detail.provider_name) != (self.status, self.provider_name)
        self._show(detail)
        logs, _ = await self.run_as_user(explain_dispatch, booking_id=booking_id)
        self.dispatch = [dispatch_row(log, detail.timezone) for log in reversed(logs or [])]
        if with_candidates or changed:
            await self._fetch_candidates(booking_id)

    async def _fetch_candidates(self, booking_id: uuid.UUID) -> None:
        if "assign" not in self.actions:
            self.candidates = []
            return
        ranked, _ = await self.run_as_user(ranked_candidates, booking_id=booking_id)
        self.candidates = [candidate_row(c) for c in ranked or []]

    def _show(self, d: BookingDetail) -> None:
        tz = d.timezone
        self.reference, self.status, self.service = d.reference, d.status, d.service_name
        self.when = (
            f"Scheduled for {local_time(d.scheduled_at, tz)}"
            if d.scheduled_at
            else "As soon as possible"
        )
        self.created = local_time(d.created_at, tz)
        self.contact_name, self.contact_phone = d.contact_name, d.contact_phone
        self.contact_email, self.customer_name = d.contact_email, d.customer_name
        self.vehicle = vehicle_label(d.vehicle) or "Not given"
        self.address, self.maps = d.address, maps_link(d.lat, d.lng)
        self.location_notes, self.notes = d.location_notes, d.notes
        self.towing = f"{d.towing_miles} mi" if d.towing_miles is not None else ""
        self.lines = [LineRow(line.label, format_cents(line.amount_cents)) for line in d.lines]
        self.total = format_cents(d.total_cents)
        self.provider_name = d.provider_name
        self.offer_provider = d.open_offer.provider_name if d.open_offer else ""
        self.offer_deadline_ms = (
            int(d.open_offer.expires_at.timestamp() * 1000) if d.open_offer else 0
        )
        self.needs_manual = d.needs_manual_dispatch
        self.cancel_reason_shown = d.cancel_reason
        self.timeline = [
            TimelineRow(
                when=local_time(e.created_at, tz),
                title=event_title(e.kind, e.from_status, e.to_status),
                who=e.actor_name,
                reason=e.reason,
            )
            for e in d.timeline
        ]
        self.payments = [
            PaymentRow(
                payment_id=str(p.payment_id),
                method=METHOD_LABELS.get(p.method, p.method),
                status=status_label(p.status),
                amount=format_cents(p.amount_cents),
                reference=p.reference or "—",
                when=local_time(p.created_at, tz),
                pending=p.status == "pending",
                refundable=p.status in REFUNDABLE_STATUSES and p.amount_cents > p.refunded_cents,
                remaining=f"{(p.amount_cents - p.refunded_cents) / 100:.2f}",
                manual=p.method != PaymentMethod.STRIPE.value,
            )
            for p in d.payments
        ]
        self.actions = sorted(d.actions)

    async def _run(self, fn: Callable[..., Any], success: str, **kwargs: Any) -> str:
        """Run one use case on this booking; show success or return the domain's message."""
        self.busy = True
        try:
            result, error = await self.run_as_user(fn, **kwargs)
            if result is not None:
                self.notice, self.error = success, ""
            await self._fetch(with_candidates=True)
            return error
        finally:
            self.busy = False

    @rx.event
    async def confirm(self) -> None:
        """Accept a pending booking into the dispatch queue."""
        booking_id = self._uuid()
        if booking_id is not None:
            self.error = await self._run(
                confirm_booking, "Booking confirmed.", booking_id=booking_id
            )

    @rx.event
    async def cancel(self) -> None:
        """Cancel with the reason the dispatcher typed."""
        booking_id = self._uuid()
        if booking_id is None:
            return
        if not self.cancel_reason.strip():
            self.cancel_error = "Give a reason for cancelling."
            return
        self.cancel_error = await self._run(
            cancel_booking,
            "Booking cancelled. Anything paid beyond the fee was refunded.",
            booking_id=booking_id,
            reason=self.cancel_reason.strip(),
            refund_reference=self.cancel_refund_reference.strip() or None,
            gateway=refund_gateway_from_settings(),
        )

    @rx.event
    async def dispatch_now(self) -> None:
        """Run automatic dispatch now instead of waiting for the worker's next pass."""
        booking_id = self._uuid()
        if booking_id is not None:
            self.error = await self._run(
                dispatch_booking, "Dispatch ran: see the log below.", booking_id=booking_id
            )

    @rx.event
    async def assign(self, provider_id: str) -> None:
        """Offer the job to the chosen provider, with the dispatcher's reason."""
        booking_id = self._uuid()
        if booking_id is None:
            return
        if not self.assign_reason.strip():
            self.assign_error = "Give a reason for choosing this provider by hand."
            return
        self.assign_error = await self._run(
            assign_provider,
            "Offer sent to the chosen provider.",
            booking_id=booking_id,
            provider_id=uuid.UUID(provider_id),
            reason=self.assign_reason.strip(),
        )
        if not self.assign_error:
            self.assign_reason = ""

    @rx.event
    async def record(self) -> None:
        """Record a cash, CashApp or Zelle payment (pending until finance confirms it)."""
        booking_id = self._uuid()
        if booking_id is None:
            return
        amount = parse_dollars(self.pay_amount)
        if amount is None or amount <= 0:
            self.pay_error = "Enter the amount in dollars, e.g. 125.00."
            return
        self.pay_error = await self._run(
            record_payment,
            "Payment recorded; it waits for confirmation.",
            booking_id=booking_id,
            method=PaymentMethod(self.pay_method),
            amount_cents=amount,
            reference=self.pay_reference.strip() or None,
        )

    @rx.event
    async def confirm_paid(self, payment_id: str) -> None:
        """Finance confirms the money arrived."""
        self.error = await self._run(
            confirm_payment,
            "Payment confirmed.",
            payment_id=uuid.UUID(payment_id),
            reference=self.confirm_reference.strip() or None,
        )
        if not self.error:
            self.confirm_reference = ""

    @rx.event
    def start_refund(self, remaining: str) -> None:
        """Open the refund dialog with the whole remaining amount proposed."""
        self.refund_amount, self.refund_reference, self.refund_reason = remaining, "", ""
        self.refund_error = ""

    @rx.event
    async def refund(self, payment_id: str) -> None:
        """Refund all or part of a payment (card at Stripe; manual with its reference)."""
        amount = parse_dollars(self.refund_amount)
        if amount is None or amount <= 0:
            self.refund_error = "Enter the amount to refund in dollars, e.g. 40.00."
            return
        if not self.refund_reason.strip():
            self.refund_error = "Say why the money goes back."
            return
        self.refund_error = await self._run(
            refund_payment,
            f"Refunded {format_cents(amount)}.",
            payment_id=uuid.UUID(payment_id),
            amount_cents=amount,
            reason=self.refund_reason.strip(),
            reference=self.refund_reference.strip() or None,
            gateway=refund_gateway_from_settings(),
        )

    @rx.event
    async def override(self) -> None:
        """Set a new price for the job, with the reason."""
        booking_id = self._uuid()
        amount = parse_dollars(self.override_amount)
        if booking_id is None:
            return
        if amount is None:
            self.override_error = "Enter the new price in dollars, e.g. 110.00."
            return
        self.override_error = await self._run(
            override_price,
            f"Price set to {format_cents(amount)}.",
            booking_id=booking_id,
            amount_cents=amount,
            reason=self.override_reason,
        )
        if not self.override_error:
            self.override_amount = self.override_reason = ""

    @rx.event
    async def add_note(self) -> None:
        """Put a note for the team on the booking's history."""
        booking_id = self._uuid()
        if booking_id is None:
            return
        if not self.note_text.strip():
            self.note_error = "Write the note first."
            return
        self.note_error = await self._run(
            add_internal_note, "Note added.", booking_id=booking_id, text=self.note_text
        )
        if not self.note_error:
            self.note_text = ""

    @rx.event
    def set_cancel_refund_reference(self, value: str) -> None:
        """Keep the reference of money handed back on cancelling."""
        self.cancel_refund_reference, self.cancel_error = value, ""

    @rx.event
    def set_refund_amount(self, value: str) -> None:
        """Keep the typed refund amount."""
        self.refund_amount, self.refund_error = value, ""

    @rx.event
    def set_refund_reference(self, value: str) -> None:
        """Keep the typed refund reference."""
        self.refund_reference, self.refund_error = value, ""

    @rx.event
    def set_refund_reason(self, value: str) -> None:
        """Keep the typed refund reason."""
        self.refund_reason, self.refund_error = value, ""

    @rx.event
    def set_override_amount(self, value: str) -> None:
        """Keep the typed new price."""
        self.override_amount, self.override_error = value, ""

    @rx.event
    def set_override_reason(self, value: str) -> None:
        """Keep the typed reason for the new price."""
        self.override_reason, self.override_error = value, ""

    @rx.event
    def set_note_text(self, value: str) -> None:
        """Keep the note being written."""
        self.note_text, self.note_error = value, ""

    @rx.event
    def set_cancel_reason(self, value: str) -> None:
        """Keep the typed cancellation reason."""
        self.cancel_reason, self.cancel_error = value, ""

    @rx.event
    def set_assign_reason(self, value: str) -> None:
        """Keep the typed assignment reason."""
        self.assign_reason, self.assign_error = value, ""

    @rx.event
    def set_pay_method(self, value: str) -> None:
        """Choose the payment method."""
        self.pay_method, self.pay_error = value, ""

    @rx.event
    def set_pay_amount(self, value: str) -> None:
        """Keep the typed amount."""
        self.pay_amount, self.pay_error = value, ""

    @rx.event
    def set_pay_reference(self, value: str) -> None:
        """Keep the typed transfer reference."""
        self.pay_reference, self.pay_error = value, ""

    @rx.event
    def set_confirm_reference(self, value: str) -> None:
        """Keep the reference typed when confirming."""
        self.confirm_reference = value


S = BookingDetailState


def _can(action: str) -> rx.Var:
    return S.actions.contains(action)


def _header() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), "All bookings"), href=routes.ADMIN_BOOKINGS
        ),
        rx.spacer(),
        rx.text(S.service, " · ", S.when, size="2", color_scheme="gray"),
        status_badge(S.status),
        width="100%",
        align="center",
        spacing="3",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        notice_callout(S.notice, id_="notice", width="100%"),
        error_callout(S.error, id_="error", width="100%"),
    )


def _offer_banner() -> rx.Component:
    return rx.fragment(
        rx.cond(
            S.offer_provider != "",
            rx.callout(
                rx.hstack(
                    rx.text("Offered to ", rx.text.strong(S.offer_provider), " · answer due in"),
                    countdown(deadline_ms=S.offer_deadline_ms),
                    spacing="1",
                    align="center",
                ),
                icon="radio-tower",
                color_scheme="violet",
                width="100%",
                id="open-offer",
            ),
        ),
        rx.cond(
            S.needs_manual,
            rx.callout(
                "Automatic dispatch gave up on this booking: assign a provider by hand.",
                icon="hand",
                color_scheme="amber",
                width="100%",
            ),
        ),
    )


def _actions_bar() -> rx.Component:
    return rx.hstack(
        rx.cond(
            _can("confirm"),
            rx.button(rx.icon("check"), "Confirm booking", on_click=S.confirm, loading=S.busy),
        ),
        rx.cond(
            _can("dispatch"),
            rx.button(
                rx.icon("radio-tower"),
                "Dispatch now",
                on_click=S.dispatch_now,
                loading=S.busy,
                id="dispatch-now",
            ),
        ),
        rx.cond(_can("cancel"), _cancel_dialog()),
        spacing="3",
        wrap="wrap",
    )


def _cancel_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(rx.icon("x"), "Cancel booking", color_scheme="red", variant="soft")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel booking ", S.reference, "?"),
            rx.alert_dialog.description(
                "The customer is told by text. This cannot be undone.", size="2"
            ),
            rx.vstack(
                rx.el.label(
                    "Reason", html_for="cancel-reason", class_name="field-label", margin_bottom="0"
                ),
                rx.text_area(
                    id="cancel-reason",
                    value=S.cancel_reason,
                    on_change=S.set_cancel_reason,
                    placeholder="e.g. Customer found help elsewhere",
                    width="100%",
                ),
                rx.el.label(
                    "If it was paid by cash, CashApp or Zelle: reference of the money returned",
                    html_for="cancel-refund-reference",
                    class_name="field-label",
                    margin_bottom="0",
                    margin_top="0.5em",
                ),
                rx.input(
                    id="cancel-refund-reference",
                    value=S.cancel_refund_reference,
                    on_change=S.set_cancel_refund_reference,
                    placeholder="e.g. Zelle transfer id (card payments refund automatically)",
                    width="100%",
                ),
                field_error(S.cancel_error, "cancel-error"),
                spacing="1",
                width="100%",
                margin_top="1em",
            ),
            confirm_buttons(
                "Keep booking",
                rx.button("Cancel booking", color_scheme="red", on_click=S.cancel, loading=S.busy),
            ),
            max_width="28em",
        ),
    )


def _summary() -> rx.Component:
    return section_card(
        "Job",
        rx.grid(
            fact("Caller", S.contact_name),
            fact("Phone", rx.link(S.contact_phone, href="tel:" + S.contact_phone)),
            fact("Email", rx.cond(S.contact_email != "", S.contact_email, "—")),
            fact(
                "Customer account",
                rx.cond(S.customer_name != "", S.customer_name, "Guest (no account)"),
            ),
            fact("Vehicle", S.vehicle),
            fact("Provider", rx.cond(S.provider_name != "", S.provider_name, "Not assigned")),
            fact("Created", S.created),
            rx.cond(S.towing != "", fact("Towing distance", S.towing)),
            columns=rx.breakpoints(initial="1", sm="2", xl="3"),
            spacing="4",
            width="100%",
        ),
        rx.hstack(
            rx.icon("map-pin", size=16),
            rx.link(S.address, href=S.maps, is_external=True),
            align="center",
            spacing="2",
        ),
        rx.cond(S.location_notes != "", rx.text(S.location_notes, size="2", color_scheme="gray")),
        rx.cond(S.notes != "", rx.text("Notes: ", S.notes, size="2")),
        rx.cond(
            S.cancel_reason_shown != "",
            rx.text("Cancelled: ", S.cancel_reason_shown, size="2", color_scheme="red"),
        ),
    )


def _price() -> rx.Component:
    return section_card(
        "Price",
        *price_lines(S.lines, S.total, "booking-total"),
        rx.cond(_can("override_price"), _override_form()),
    )


def _timeline() -> rx.Component:
    return section_card(
        "History",
        rx.foreach(
            S.timeline,
            lambda e: rx.hstack(
                rx.box(class_name="timeline-dot"),
                rx.vstack(
                    rx.text(e.title, size="2", weight="medium"),
                    rx.text(
                        e.when,
                        rx.cond(e.who != "", " · " + e.who.to(str), ""),
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.cond(e.reason != "", rx.text(e.reason, size="1")),
                    spacing="0",
                ),
                align="start",
                spacing="3",
            ),
        ),
        rx.cond(_can("note"), _note_form()),
        id="timeline",
    )


def _candidate_table(rows: rx.Var, with_assign: bool) -> rx.Component:
    headers = ["#", "Provider and subscores", "Distance", "ETA", "Score"]
    if with_assign:
        headers.append("")
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(
            rx.foreach(
                rows,
                lambda c: rx.table.row(
                    rx.table.cell(c.rank),
                    rx.table.cell(
                        rx.text(c.name, weight="medium"),
                        rx.text(c.why, size="1", color_scheme="gray"),
                        min_width="16em",
                    ),
                    rx.table.cell(
                        rx.text(c.distance, white_space="nowrap"),
                        rx.text(c.where, size="1", color_scheme="gray"),
                    ),
                    rx.table.cell(rx.text(c.eta, white_space="nowrap")),
                    rx.table.cell(rx.text(c.score, weight="bold")),
                    *(
                        [
                            rx.table.cell(
                                rx.button(
                                    "Assign",
                                    size="1",
                                    variant="soft",
                                    on_click=S.assign(c.provider_id),
                                    disabled=S.busy,
                                )
                            )
                        ]
                        if with_assign
                        else []
                    ),
                ),
            )
        ),
        size="1",
        width="100%",
    )


def _assign() -> rx.Component:
    return rx.cond(
        _can("assign"),
        section_card(
            "Assign by hand",
            rx.text(
                "Eligible providers right now, ranked the way automatic dispatch ranks them.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.el.label(
                    "Reason", html_for="assign-reason", class_name="field-label", margin_bottom="0"
                ),
                rx.input(
                    id="assign-reason",
                    value=S.assign_reason,
                    on_change=S.set_assign_reason,
                    placeholder="e.g. Customer asked for Lena",
                    width="100%",
                ),
                field_error(S.assign_error, "assign-error"),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                S.candidates.length() > 0,
                _candidate_table(S.candidates, with_assign=True),
                empty_state("No eligible provider within the expanded radius.", "user-x"),
            ),
            id="assign",
        ),
    )


def _dispatch_log() -> rx.Component:
    return section_card(
        "Dispatch log (latest first)",
        rx.cond(
            S.dispatch.length() > 0,
            rx.foreach(
                S.dispatch,
                lambda d: rx.vstack(
                    rx.hstack(
                        rx.text(d.title, weight="medium", size="2"),
                        rx.spacer(),
                        rx.text(d.when, size="1", color_scheme="gray"),
                        width="100%",
                    ),
                    rx.text(d.outcome, size="2"),
                    rx.text("Why: ", d.reason, size="2", color_scheme="gray"),
                    rx.cond(
                        d.candidates.length() > 0, _candidate_table(d.candidates, with_assign=False)
                    ),
                    spacing="2",
                    width="100%",
                    class_name="dispatch-entry",
                ),
            ),
            empty_state("Not dispatched yet.", "radio-tower"),
        ),
        id="dispatch-log",
    )


def _confirm_payment_dialog(p: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Confirm payment", size="1", disabled=S.busy, white_space="nowrap")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Confirm ", p.amount, " by ", p.method, "?"),
            rx.alert_dialog.description(
                "Confirm only once the money is in hand or in the account.", size="2"
            ),
            dialog_input(
                "Transfer reference (CashApp and Zelle)",
                "confirm-reference",
                S.confirm_reference,
                S.set_confirm_reference,
                placeholder=p.reference,
            ),
            confirm_buttons(
                "Not yet",
                rx.alert_dialog.action(
                    rx.button("Confirm payment", on_click=S.confirm_paid(p.payment_id))
                ),
            ),
            max_width="28em",
        ),
    )


def _refund_dialog(p: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                "Refund",
                size="1",
                variant="soft",
                color_scheme="red",
                disabled=S.busy,
                on_click=S.start_refund(p.remaining),
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Refund part or all of ", p.amount, " (", p.method, ")"),
            rx.alert_dialog.description(
                rx.cond(
                    p.manual,
                    "Hand the money back first, then record it here with its reference.",
                    "The card is refunded at Stripe at once.",
                ),
                " The provider's share is reduced (or clawed back if already paid).",
                size="2",
            ),
            rx.vstack(
                labelled_input(
                    "Amount to refund ($)",
                    "refund-amount",
                    S.refund_amount,
                    S.set_refund_amount,
                    input_mode="decimal",
                    width="10em",
                ),
                rx.cond(
                    p.manual,
                    labelled_input(
                        "Reference of the money returned",
                        "refund-reference",
                        S.refund_reference,
                        S.set_refund_reference,
                    ),
                ),
                labelled_input(
                    "Reason",
                    "refund-reason",
                    S.refund_reason,
                    S.set_refund_reason,
                    placeholder="e.g. Arrived late; goodwill",
                ),
                field_error(S.refund_error, "refund-error"),
                spacing="2",
                width="100%",
                margin_top="1em",
            ),
            confirm_buttons(
                "Keep it",
                rx.button(
                    "Refund now",
                    color_scheme="red",
                    on_click=S.refund(p.payment_id),
                    loading=S.busy,
                    id="refund-confirm",
                ),
            ),
            max_width="30em",
        ),
    )


def _override_form() -> rx.Component:
    return rx.vstack(
        rx.heading("Change the price", size="2"),
        rx.hstack(
            labelled_input(
                "New price ($)",
                "override-amount",
                S.override_amount,
                S.set_override_amount,
                input_mode="decimal",
                width="8em",
            ),
            labelled_input(
                "Reason",
                "override-reason",
                S.override_reason,
                S.set_override_reason,
                placeholder="e.g. Quoted $110 on the phone",
            ),
            rx.button("Set price", on_click=S.override, loading=S.busy, id="override-price"),
            align="end",
            spacing="2",
            width="100%",
        ),
        field_error(S.override_error, "override-error"),
        spacing="2",
        width="100%",
        padding_top="0.5em",
    )


def _note_form() -> rx.Component:
    return rx.vstack(
        labelled(
            "Note for the team",
            rx.text_area(
                id="note-text",
                value=S.note_text,
                on_change=S.set_note_text,
                placeholder="e.g. Gate code 4512; customer waits in the lobby",
                width="100%",
            ),
            for_id="note-text",
        ),
        rx.button("Add note", on_click=S.add_note, loading=S.busy, size="2", id="add-note"),
        field_error(S.note_error, "note-error"),
        spacing="2",
        width="100%",
        align="start",
    )


def _record_form() -> rx.Component:
    return rx.vstack(
        rx.heading("Record a payment", size="3"),
        rx.hstack(
            rx.vstack(
                rx.el.label("Method", class_name="field-label", margin_bottom="0"),
                rx.select.root(
                    rx.select.trigger(aria_label="Payment method", min_width="9em"),
                    rx.select.content(
                        *[rx.select.item(label, value=value) for value, label in MANUAL_METHODS]
                    ),
                    value=S.pay_method,
                    on_change=S.set_pay_method,
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label(
                    "Amount ($)", html_for="pay-amount", class_name="field-label", margin_bottom="0"
                ),
                rx.input(
                    id="pay-amount",
                    value=S.pay_amount,
                    on_change=S.set_pay_amount,
                    input_mode="decimal",
                    width="8em",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label(
                    "Reference",
                    html_for="pay-reference",
                    class_name="field-label",
                    margin_bottom="0",
                ),
                rx.input(
                    id="pay-reference",
                    value=S.pay_reference,
                    on_change=S.set_pay_reference,
                    placeholder="Receipt or transfer id",
                    width="14em",
                ),
                spacing="1",
            ),
            rx.button("Record payment", on_click=S.record, loading=S.busy, id="record-payment"),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        field_error(S.pay_error, "pay-error"),
        spacing="2",
        width="100%",
    )


def _payments() -> rx.Component:
    return section_card(
        "Payments",
        compact_table(
            S.payments,
            lambda p: rx.table.row(
                rx.table.cell(p.when),
                rx.table.cell(p.method),
                rx.table.cell(p.amount),
                rx.table.cell(p.reference),
                rx.table.cell(rx.badge(p.status, variant="soft")),
                rx.table.cell(
                    rx.cond(
                        p.pending & _can("confirm_payment"),
                        _confirm_payment_dialog(p),
                    ),
                    rx.cond(p.refundable & _can("refund"), _refund_dialog(p)),
                ),
            ),
            ["Recorded", "Method", "Amount", "Reference", "Status", ""],
            "payments-table",
            rx.text("No payment recorded yet.", size="2", color_scheme="gray"),
        ),
        rx.cond(_can("record_payment"), _record_form()),
        id="payments",
    )


@admin_page(BookingDetailState.title)
def booking_detail_page() -> rx.Component:
    """The booking's facts and actions on the left, its history and money on the right."""
    return rx.cond(
        S.missing,
        not_found(S.error, "No such booking.", "Back to all bookings", routes.ADMIN_BOOKINGS),
        rx.cond(
            S.reference != "",
            rx.vstack(
                poller(interval_ms=REFRESH_MS, on_tick=S.refresh),
                _header(),
                _messages(),
                _offer_banner(),
                _actions_bar(),
                rx.grid(
                    rx.vstack(
                        _summary(),
                        _dispatch_log(),
                        _assign(),
                        _payments(),
                        spacing="4",
                        width="100%",
                    ),
                    rx.vstack(_price(), _timeline(), spacing="4", width="100%"),
                    columns=rx.breakpoints(initial="1", lg="3fr 2fr"),
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="3em", width="100%"),
        ),
    )
