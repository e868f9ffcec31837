"""Trust tiers (admins): the clean payments that earn card payments, and customers by tier.

The customers page answers "who is this caller"; this page answers "who may pay by card, and
when do they earn it", so it lists one tier at a time with promote/demote on each row. Both
change a tier through the same use case and the same confirmation.
"""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from roadside_console.domain.customers.queries import search_customers
from roadside_console.domain.trust.queries import trust_overview
from roadside_console.domain.trust.service import set_promotion_threshold, set_trust_tier
from roadside_console.ui.components.common import (
    PageTurner,
    empty_state,
    kpi_card,
    pager,
    pages_for,
    rows_shown,
)
from roadside_console.ui.components.forms import error_callout, notice_callout
from roadside_console.ui.components.lists import filter_select, list_table, search_form
from roadside_console.ui.customers.page import TIER_OPTIONS
from roadside_console.ui.customers.tiers import (
    REASON_REQUIRED,
    tier_change_dialog,
    tier_change_words,
)
from roadside_console.ui.pricing.forms import parse_whole
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 25


@dataclasses.dataclass(frozen=True)
class TierLine:
    """A customer in the tier list; `key` indexes the server-side id list."""

    key: int
    href: str
    name: str
    email: str
    clean_payments: int
    bookings: int
    action: str


class TrustState(PageTurner, SessionState):
    """The threshold form, the tier counts, one tier's customers and the change dialog."""

    _customer_ids: list[str] = []
    _customer_tiers: list[int] = []
    threshold: int = 0
    threshold_text: str = ""
    threshold_error: str = ""
    tier_one: int = 0
    tier_two: int = 0
    rows: list[TierLine] = []
    total: int = 0
    page: int = 1
    tier: str = "1"
    search: str = ""
    loaded: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False
    change_open: bool = False
    change_name: str = ""
    change_verb: str = ""
    change_target: int = 0
    change_reason: str = ""
    change_error: str = ""
    _change_key: int = -1

    @rx.var
    def page_count(self) -> int:
        """Number of pages of the tier shown."""
        return pages_for(self.total, PAGE_SIZE)

    @rx.var
    def summary(self) -> str:
        """Say which rows are shown."""
        return rows_shown(
            self.page,
            PAGE_SIZE,
            self.total,
            f"customers in tier {self.tier}",
            "No customers in this tier match",
        )

    @rx.event
    async def load(self) -> None:
        """Read the policy and the first page of the tier shown."""
        self.page, self.notice, self.threshold_error, self.change_open = 1, "", "", False
        await self._fetch_overview()
        self.threshold_text = str(self.threshold) if self.threshold else ""
        await self._fetch()

    async def _fetch_overview(self) -> None:
        overview, self.error = await self.run_as_user(trust_overview)
        if overview is not None:
            self.threshold = overview.promotion_threshold
            self.tier_one, self.tier_two = overview.tier_one, overview.tier_two

    async def _fetch(self) -> None:
        result, error = await self.run_as_user(
            search_customers,
            search=self.search,
            tier=int(self.tier),
            page=self.page,
            page_size=PAGE_SIZE,
        )
        self.loaded = True
        if result is None:
            self.error = error
            return
        self.total = result.total
        self._customer_ids = [str(r.customer_id) for r in result.rows]
        self._customer_tiers = [r.trust_tier for r in result.rows]
        self.rows = [
            TierLine(
                key=index,
                href=routes.customer_path(str(r.customer_id)),
                name=r.name,
                email=r.email,
                clean_payments=r.clean_payments,
                bookings=r.bookings,
                action=tier_change_words(r.trust_tier)[1],
            )
            for index, r in enumerate(result.rows)
        ]

    @rx.event
    async def save_threshold(self) -> None:
        """Change how many clean payments earn tier 2."""
        value = parse_whole(self.threshold_text, low=1, high=100)
        if value is None:
            self.threshold_error = "Enter a whole number from 1 to 100."
            return
        self.busy = True
        try:
            saved, self.threshold_error = await self.run_as_user(
                set_promotion_threshold, clean_payments=value
            )
        finally:
            self.busy = False
        if saved is not None:
            self.notice = f"Customers now earn card payments after {saved} clean payments."
            await self._fetch_overview()

    @rx.event
    def set_threshold_text(self, value: str) -> None:
        """Keep the typed threshold."""
        self.threshold_text, self.threshold_error = value, ""

    @rx.event
    async def set_tier_filter(self, value: str) -> None:
        """Show the customers of the chosen tier."""
        self.tier, self.page = value, 1
        await self._fetch()

    @rx.event
    async def apply_search(self, form: dict[str, str]) -> None:
        """Search the tier by name, email, phone or plate."""
        self.search, self.page = form.get("search", "").strip(), 1
        await self._fetch()

    @rx.event
    def open_change(self, key: int) -> None:
        """Ask for the reason before promoting or demoting the row's customer."""
        if not 0 <= key < len(self._customer_ids):
            return
        self._change_key = key
        self.change_target, self.change_verb = tier_change_words(self._customer_tiers[key])
        self.change_name = self.rows[key].name
        self.change_reason = self.change_error = ""
        self.change_open = True

    @rx.event
    def set_change_open(self, value: bool) -> None:
        """Close (or keep open) the change dialog."""
        self.change_open = value

    @rx.event
    def set_change_reason(self, value: str) -> None:
        """Keep the typed reason."""
        self.change_reason, self.change_error = value, ""

    @rx.event
    async def change_tier(self) -> None:
        """Move the chosen customer to the other tier, with the reason."""
        if not 0 <= self._change_key < len(self._customer_ids):
            self.change_error = "That customer is no longer listed; reload the page."
            return
        if not self.change_reason.strip():
            self.change_error = REASON_REQUIRED
            return
        self.busy = True
        try:
            _, self.change_error = await self.run_as_user(
                set_trust_tier,
                customer_id=uuid.UUID(self._customer_ids[self._change_key]),
                tier=self.change_target,
                reason=self.change_reason.strip(),
            )
        finally:
            self.busy = False
        if self.change_error:
            return
        self.change_open = False
        self.notice = f"{self.change_name} is now tier {self.change_target}."
        await self._fetch_overview()
        await self._fetch()


S = TrustState


def _threshold_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Card payments after", size="4"),
            rx.text(
                "Tier 1 customers move to tier 2 (card payments allowed) automatically after "
                "this many confirmed payments without a dispute. A dispute demotes one tier.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.vstack(
                    rx.text(
                        "Clean payments (1–100)",
                        as_="label",
                        html_for="threshold",
                        size="2",
                        weight="medium",
                    ),
                    rx.input(
                        id="threshold",
                        value=S.threshold_text,
                        on_change=S.set_threshold_text,
                        input_mode="numeric",
                        width="8em",
                    ),
                    spacing="1",
                ),
                rx.button("Save", on_click=S.save_threshold, loading=S.busy, id="save-threshold"),
                align="end",
                spacing="3",
            ),
            rx.cond(
                S.threshold_error != "",
                rx.text(S.threshold_error, color_scheme="red", size="2", id="threshold-error"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.name, href=row.href, weight="medium")),
        rx.table.cell(row.email),
        rx.table.cell(row.clean_payments, text_align="right"),
        rx.table.cell(row.bookings, text_align="right"),
        rx.table.cell(
            rx.button(
                row.action,
                " to tier ",
                rx.cond(row.action == "Promote", "2", "1"),
                size="1",
                variant="soft",
                on_click=S.open_change(row.key),
            )
        ),
    )


@admin_page("Trust tiers")
def trust_page() -> rx.Component:
    """The policy with the tier counts, then one tier's customers with promote/demote."""
    return rx.vstack(
        rx.grid(
            _threshold_card(),
            kpi_card("Tier 1 customers", S.tier_one.to_string(), "shield", "kpi-tier-one"),
            kpi_card("Tier 2 customers", S.tier_two.to_string(), "shield-check", "kpi-tier-two"),
            columns=rx.breakpoints(initial="1", md="2fr 1fr 1fr"),
            spacing="4",
            width="100%",
        ),
        notice_callout(S.notice, id_="notice"),
        error_callout(S.error, id_="error"),
        rx.hstack(
            filter_select("Trust tier", TIER_OPTIONS, S.tier, S.set_tier_filter, min_width="14em"),
            search_form(
                "Name, email, phone or plate", S.search, "Search this tier", S.apply_search
            ),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        list_table(
            S.rows,
            _row,
            ["Name", "Email", "Clean payments", "Bookings", ""],
            "tier-table",
            S.loaded,
            empty_state("No customers in this tier match.", "users"),
        ),
        pager(S, S.summary),
        tier_change_dialog(
            open_=S.change_open,
            on_open_change=S.set_change_open,
            customer=S.change_name,
            verb=S.change_verb,
            target_tier=S.change_target,
            reason=S.change_reason,
            on_reason=S.set_change_reason,
            error=S.change_error,
            on_confirm=S.change_tier,
            busy=S.busy,
        ),
        spacing="4",
        width="100%",
    )
