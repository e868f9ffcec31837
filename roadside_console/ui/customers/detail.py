"""One customer for ops: contact, trust tier (admins promote or demote), referral, credit, bookings.

The customer's id lives only on the server (from the URL). Dispatchers see the trust tier;
only a role that manages trust gets the promote/demote button, and the use case checks again.
"""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from roadside_console.domain.core.auth import Permission
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.customers.queries import (
    CUSTOMER_BOOKINGS_PAGE,
    CustomerDetail,
    customer_detail,
)
from roadside_console.domain.trust.service import set_trust_tier
from roadside_console.ui.components.common import empty_state, not_found, pages_for, status_badge
from roadside_console.ui.components.formatting import local_time, vehicle_label
from roadside_console.ui.components.forms import error_callout, fact, notice_callout, section_card
from roadside_console.ui.components.lists import compact_table
from roadside_console.ui.customers.page import tier_badge
from roadside_console.ui.customers.tiers import (
    REASON_REQUIRED,
    tier_change_dialog,
    tier_change_words,
)
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState


@dataclasses.dataclass(frozen=True)
class CustomerBookingLine:
    """One of the customer's bookings, linking to its page."""

    href: str
    reference: str
    created: str
    service: str
    status: str
    price: str
    vehicle: str


class CustomerDetailState(SessionState):
    """The customer on screen, their bookings page and the tier-change dialog."""

    _customer_id: str = ""
    loaded: bool = False
    missing: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False

    name: str = ""
    email: str = ""
    phone: str = ""
    active: bool = True
    since: str = ""
    tier: int = 1
    clean_payments: int = 0
    threshold: int = 0
    referral_code: str = ""
    referred_by: str = ""
    credit: str = ""
    vehicles: list[str] = []
    bookings: list[CustomerBookingLine] = []
    bookings_total: int = 0
    bookings_page: int = 1
    can_change_tier: bool = False

    tier_open: bool = False
    tier_reason: str = ""
    tier_error: str = ""

    @rx.var
    def title(self) -> str:
        """Heading of the page."""
        return self.name or "Customer"

    @rx.var
    def bookings_pages(self) -> int:
        """Number of pages of bookings."""
        return pages_for(self.bookings_total, CUSTOMER_BOOKINGS_PAGE)

    @rx.var
    def target_tier(self) -> int:
        """The tier the promote/demote button moves the customer to."""
        return tier_change_words(self.tier)[0]

    @rx.var
    def tier_verb(self) -> str:
        """The button's verb: promote a tier-1 customer, demote a tier-2 one."""
        return tier_change_words(self.tier)[1]

    @rx.var
    def trust_progress(self) -> str:
        """Say how far a tier-1 customer is from card payments."""
        if self.tier >= 2:
            return "May pay by card."
        left = max(0, self.threshold - self.clean_payments)
        return f"{left} more clean payment{'s' if left != 1 else ''} to earn card payments."

    @rx.event
    async def guard(self) -> rx.event.EventSpec | None:
        """Let in staff who manage customers."""
        return await self._guard(Permission.MANAGE_CUSTOMERS)

    @rx.event
    async def load(self) -> None:
        """Open the customer named in the URL at their newest bookings."""
        self._customer_id = str(self.router.page.params.get("customer_id", ""))
        self.notice = self.error = self.tier_error = self.tier_reason = ""
        self.tier_open, self.loaded, self.missing = False, False, False
        self.name, self.bookings_page = "", 1
        await self._fetch()

    def _uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self._customer_id)
        except ValueError:
            return None

    async def _fetch(self) -> None:
        customer_id = self._uuid()
        if customer_id is None:
            self.loaded = self.missing = True
            return
        detail, error = await self.run_as_user(
            customer_detail, customer_id=customer_id, bookings_page=self.bookings_page
        )
        self.loaded = True
        if detail is None:
            self.missing, self.error = True, error
            return
        self._show(detail)

    def _show(self, d: CustomerDetail) -> None:
        tz = d.timezone
        self.name, self.email, self.phone, self.active = d.name, d.email, d.phone, d.is_active
        self.since = local_time(d.created_at, tz, "%b %d, %Y")
        self.tier, self.clean_payments, self.threshold = (
            d.trust_tier,
            d.clean_payments,
            d.promotion_threshold,
        )
        self.referral_code, self.referred_by = d.referral_code, d.referred_by
        self.credit = format_cents(d.credit_cents)
        self.vehicles = [vehicle_label(v) or "Vehicle without details" for v in d.vehicles]
        self.bookings = [
            CustomerBookingLine(
                href=routes.booking_path(str(b.booking_id)),
                reference=b.reference,
                created=local_time(b.created_at, tz),
                service=b.service_name,
                status=b.status,
                price=format_cents(b.price_cents),
                vehicle=vehicle_label(b.vehicle) or "—",
            )
            for b in d.bookings
        ]
        self.bookings_total, self.bookings_page = d.bookings_total, d.bookings_page
        self.can_change_tier = d.can_change_tier

    @rx.event
    async def next_page(self) -> None:
        """Show older bookings."""
        if self.bookings_page < self.bookings_pages:
            self.bookings_page += 1
            await self._fetch()

    @rx.event
    async def previous_page(self) -> None:
        """Show newer bookings."""
        if self.bookings_page > 1:
            self.bookings_page -= 1
            await self._fetch()

    @rx.event
    def set_tier_open(self, value: bool) -> None:
        """Open the tier dialog empty, or close it."""
        self.tier_open = value
        if value:
            self.tier_reason = self.tier_error = ""

    @rx.event
    def set_tier_reason(self, value: str) -> None:
        """Keep the typed reason."""
        self.tier_reason, self.tier_error = value, ""

    @rx.event
    async def change_tier(self) -> None:
        """Promote or demote the customer with the typed reason."""
        customer_id = self._uuid()
        if customer_id is None:
            return
        if not self.tier_reason.strip():
            self.tier_error = REASON_REQUIRED
            return
        target, verb = tier_change_words(self.tier)
        self.busy = True
        try:
            _, self.tier_error = await self.run_as_user(
                set_trust_tier,
                customer_id=customer_id,
                tier=target,
                reason=self.tier_reason.strip(),
            )
        finally:
            self.busy = False
        if self.tier_error:
            return
        self.tier_open = False
        self.notice = f"{self.name} is now tier {target} ({verb.lower()}d)."
        await self._fetch()


S = CustomerDetailState


def _trust() -> rx.Component:
    return section_card(
        "Trust and referrals",
        rx.hstack(
            tier_badge(S.tier),
            rx.text(S.trust_progress, size="2"),
            rx.spacer(),
            rx.cond(
                S.can_change_tier,
                rx.button(
                    rx.cond(S.tier >= 2, rx.icon("arrow-down"), rx.icon("arrow-up")),
                    S.tier_verb,
                    " to tier ",
                    S.target_tier,
                    variant="soft",
                    on_click=S.set_tier_open(True),
                    id="change-tier",
                ),
            ),
            width="100%",
            align="center",
            spacing="3",
        ),
        rx.grid(
            fact("Clean payments", S.clean_payments, " (tier 2 at ", S.threshold, ")"),
            fact(
                "Referral code",
                rx.cond(S.referral_code != "", rx.code(S.referral_code), "Not issued yet"),
            ),
            fact("Referred by", rx.cond(S.referred_by != "", S.referred_by, "—")),
            fact("Credit balance", rx.text.strong(S.credit, id="credit-balance")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        tier_change_dialog(
            open_=S.tier_open,
            on_open_change=S.set_tier_open,
            customer=S.name,
            verb=S.tier_verb,
            target_tier=S.target_tier,
            reason=S.tier_reason,
            on_reason=S.set_tier_reason,
            error=S.tier_error,
            on_confirm=S.change_tier,
            busy=S.busy,
        ),
        id="trust",
    )


def _contact() -> rx.Component:
    return section_card(
        "Contact",
        rx.grid(
            fact("Email", rx.link(S.email, href="mailto:" + S.email)),
            fact(
                "Phone",
                rx.cond(S.phone != "", rx.link(S.phone, href="tel:" + S.phone), "Not given"),
            ),
            fact("Customer since", S.since),
            fact("Account", rx.cond(S.active, "Active", "Deactivated")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        rx.text("Vehicles on file", size="1", color_scheme="gray", weight="medium"),
        rx.cond(
            S.vehicles.length() > 0,
            rx.vstack(rx.foreach(S.vehicles, lambda v: rx.text(v, size="2")), spacing="1"),
            rx.text("None saved.", size="2", color_scheme="gray"),
        ),
    )


def _bookings() -> rx.Component:
    headers = ["Reference", "Created", "Service", "Vehicle", "Status", "Price"]
    return section_card(
        "Bookings",
        compact_table(
            S.bookings,
            lambda b: rx.table.row(
                rx.table.cell(rx.link(b.reference, href=b.href, weight="medium")),
                rx.table.cell(b.created),
                rx.table.cell(b.service),
                rx.table.cell(b.vehicle),
                rx.table.cell(status_badge(b.status)),
                rx.table.cell(b.price, text_align="right"),
            ),
            headers,
            "customer-bookings",
            empty_state("No bookings yet.", "clipboard-list"),
        ),
        rx.cond(
            S.bookings_pages > 1,
            rx.hstack(
                rx.text(S.bookings_total, " bookings", size="2", color_scheme="gray"),
                rx.spacer(),
                rx.button(
                    "Newer",
                    variant="soft",
                    on_click=S.previous_page,
                    disabled=S.bookings_page <= 1,
                ),
                rx.text("Page ", S.bookings_page, " of ", S.bookings_pages, size="2"),
                rx.button(
                    "Older",
                    variant="soft",
                    on_click=S.next_page,
                    disabled=S.bookings_page >= S.bookings_pages,
                ),
                width="100%",
                align="center",
            ),
        ),
    )


@admin_page(CustomerDetailState.title)
def customer_detail_page() -> rx.Component:
    """Contact and trust side by side, then the customer's bookings."""
    return rx.cond(
        S.missing,
        not_found(S.error, "No such customer.", "Back to all customers", routes.ADMIN_CUSTOMERS),
        rx.cond(
            S.name != "",
            rx.vstack(
                rx.link(
                    rx.hstack(rx.icon("arrow-left", size=16), "All customers"),
                    href=routes.ADMIN_CUSTOMERS,
                ),
                notice_callout(S.notice, id_="notice", width="100%"),
                error_callout(S.error, id_="error", width="100%"),
                rx.grid(
                    _contact(),
                    _trust(),
                    columns=rx.breakpoints(initial="1", lg="1fr 1fr"),
                    spacing="4",
                    width="100%",
                ),
                _bookings(),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="3em", width="100%"),
        ),
    )
