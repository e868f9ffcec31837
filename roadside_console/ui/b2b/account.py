"""One business account: contact, contract terms, and its API keys (issue once, revoke).

A new key's raw value is shown once, right after it is issued, and is gone when the dialog
closes; the list shows keys by name and prefix only. Revoking asks first.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import reflex as rx

from roadside_console.domain.b2b.keys import issue_account_key, revoke_account_key
from roadside_console.domain.b2b.queries import AccountDetail, ContractTerms, account_detail
from roadside_console.domain.core.auth import Permission
from roadside_console.domain.core.money import format_cents
from roadside_console.ui.b2b.accounts import account_status_badge
from roadside_console.ui.components.common import empty_state
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.forms import (
    confirm_buttons,
    dialog_buttons,
    error_callout,
    fact,
    field_error,
    labelled_input,
    notice_callout,
    section_card,
)
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

DAY = "%b %d, %Y"


@dataclasses.dataclass(frozen=True)
class ContractLine:
    """A contract's terms in words."""

    name: str
    period: str
    discount: str
    prices: str
    active: bool


@dataclasses.dataclass(frozen=True)
class KeyLine:
    """An API key by name and prefix, with what happened to it."""

    key_id: str
    name: str
    prefix: str
    created: str
    last_used: str
    expires: str
    live: bool


def contract_line(contract: ContractTerms) -> ContractLine:
    """Say what a contract gives: its days, the discount and the fixed prices."""

    def day(value: date | None) -> str:
        return value.strftime(DAY) if value else "open-ended"

    discount = contract.discount_bp / 100
    return ContractLine(
        name=contract.name,
        period=f"{day(contract.starts_on)} – {day(contract.ends_on)}",
        discount=f"{discount:g} % off list prices" if contract.discount_bp else "List prices",
        prices=" · ".join(
            f"{price.service_name} {format_cents(price.price_cents)}" for price in contract.prices
        )
        or "No fixed prices",
        active=contract.active,
    )


def key_lines(detail: AccountDetail) -> list[KeyLine]:
    """Turn the account's keys into lines on the operator's clock."""
    tz = detail.timezone
    return [
        KeyLine(
            key_id=str(key.key_id),
            name=key.name,
            prefix=key.prefix,
            created=local_time(key.created_at, tz, DAY),
            last_used=local_time(key.last_used_at, tz) or "Never",
            expires=local_time(key.expires_at, tz, DAY) or "Never",
            live=key.revoked_at is None,
        )
        for key in detail.keys
    ]


class B2BAccountState(SessionState):
    """The account named in the URL, the new-key dialog and the revoke dialog."""

    name: str = ""
    contact: str = ""
    billing_email: str = ""
    phone: str = ""
    terms: str = ""
    status: str = ""
    contracts: list[ContractLine] = []
    keys: list[KeyLine] = []
    loaded: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False
    key_open: bool = False
    key_name: str = ""
    key_error: str = ""
    new_key: str = ""
    revoke_open: bool = False
    revoke_name: str = ""
    revoke_error: str = ""
    _account_id: str = ""
    _revoke_id: str = ""

    @rx.event
    async def guard(self) -> rx.event.EventSpec | None:
        """Let in staff who manage business accounts."""
        return await self._guard(Permission.MANAGE_B2B)

    @rx.event
    async def load(self) -> None:
        """Open the account named in the URL."""
        self._account_id = str(self.router.page.params.get("account_id", ""))
        self.notice, self.loaded = "", False
        await self._fetch()

    def _account_uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self._account_id)
        except ValueError:
            return None

    async def _fetch(self) -> None:
        account_id = self._account_uuid()
        if account_id is None:
            self.error, self.loaded = "No such business account.", True
            return
        detail, self.error = await self.run_as_user(account_detail, account_id=account_id)
        self.loaded = True
        if detail is None:
            return
        self.name, self.contact, self.phone = detail.name, detail.contact_name, detail.phone
        self.billing_email, self.status = detail.billing_email, detail.status
        self.terms = f"Net {detail.payment_terms_days} days"
        self.contracts = [contract_line(c) for c in detail.contracts]
        self.keys = key_lines(detail)

    @rx.event
    def open_new_key(self) -> None:
        """Open the new-key dialog empty."""
        self.key_name, self.key_error, self.new_key = "", "", ""
        self.notice, self.key_open = "", True

    @rx.event
    def set_key_open(self, is_open: bool) -> None:
        """Close the dialog (Escape, Done); the raw key is forgotten with it."""
        self.key_open = is_open
        if not is_open:
            self.new_key = ""

    @rx.event
    def set_key_name(self, value: str) -> None:
        """Keep the typed key name."""
        self.key_name, self.key_error = value, ""

    @rx.event
    async def create_key(self) -> None:
        """Issue a key for this account and show its raw value this once."""
        account_id = self._account_uuid()
        if account_id is None or self.busy:
            return
        self.busy = True
        try:
            issued, self.key_error = await self.run_as_user(
                issue_account_key, account_id=account_id, name=self.key_name
            )
        finally:
            self.busy = False
        if issued is None:
            return
        self.new_key = issued.token
        await self._fetch()

    @rx.event
    def ask_revoke(self, key_id: str) -> None:
        """Ask before revoking one of this account's live keys."""
        line = next((k for k in self.keys if k.key_id == key_id and k.live), None)
        if line is None:
            return
        self._revoke_id, self.revoke_name = line.key_id, line.name
        self.revoke_error, self.notice, self.revoke_open = "", "", True

    @rx.event
    def set_revoke_open(self, is_open: bool) -> None:
        """Open or close the revoke dialog."""
        self.revoke_open = is_open

    @rx.event
    async def confirm_revoke(self) -> None:
        """Revoke the key asked about; systems using it are refused from now on."""
        account_id = self._account_uuid()
        if account_id is None or not any(k.key_id == self._revoke_id for k in self.keys):
            return  # only a key listed on this account, never an id from elsewhere
        self.busy = True
        try:
            _, self.revoke_error = await self.run_as_user(
                revoke_account_key,
                account_id=account_id,
                key_id=uuid.UUID(self._revoke_id),
            )
        finally:
            self.busy = False
        if self.revoke_error:
            return
        self.revoke_open = False
        self.notice = f"The key “{self.revoke_name}” is revoked."
        await self._fetch()


S = B2BAccountState


def _header() -> rx.Component:
    return rx.hstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=16), "All accounts"), href=routes.ADMIN_B2B),
        rx.spacer(),
        rx.cond(S.status != "", account_status_badge(S.status)),
        width="100%",
        align="center",
    )


def _contact() -> rx.Component:
    return section_card(
        "Contact and billing",
        rx.grid(
            fact("Contact", rx.cond(S.contact != "", S.contact, "—")),
            fact("Billing email", rx.link(S.billing_email, href="mailto:" + S.billing_email)),
            fact("Phone", rx.cond(S.phone != "", rx.link(S.phone, href="tel:" + S.phone), "—")),
            fact("Payment terms", S.terms),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="4",
            width="100%",
        ),
    )


def _contract(contract: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(contract.name, weight="medium"),
            rx.badge(
                rx.cond(contract.active, "In force", "Ended"),
                color_scheme=rx.cond(contract.active, "green", "gray"),
                variant="soft",
            ),
            align="center",
        ),
        rx.text(contract.period, " · ", contract.discount, size="2", color_scheme="gray"),
        rx.text("Fixed prices: ", contract.prices, size="2"),
        spacing="1",
        width="100%",
        padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="contract-terms",
    )


def _contracts() -> rx.Component:
    return section_card(
        "Contract terms",
        rx.cond(
            S.contracts.length() > 0,
            rx.vstack(rx.foreach(S.contracts, _contract), spacing="0", width="100%"),
            rx.text("No contract: this account books at list prices.", size="2"),
        ),
        description="Bookings on the account are priced by the contract in force.",
        id="contracts",
    )


def _key_row(key: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(key.name, weight="medium")),
        rx.table.cell(rx.code(key.prefix)),
        rx.table.cell(key.created),
        rx.table.cell(key.last_used),
        rx.table.cell(key.expires),
        rx.table.cell(
            rx.cond(
                key.live,
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_revoke(key.key_id),
                    aria_label="Revoke the key " + key.name,
                    id="revoke-" + key.prefix,
                ),
                rx.badge("Revoked", color_scheme="gray", variant="soft"),
            ),
            text_align="right",
        ),
        id="key-" + key.prefix,
    )


def _keys() -> rx.Component:
    headers = ["Name", "Prefix", "Created", "Last used", "Expires", ""]
    return section_card(
        "API keys",
        rx.cond(
            S.keys.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.keys, _key_row)),
                    width="100%",
                    size="1",
                    id="keys-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.cond(S.loaded, empty_state("No API keys yet.", "key-round")),
        ),
        rx.hstack(
            rx.button(
                rx.icon("key-round", size=16),
                "New API key",
                on_click=S.open_new_key,
                disabled=S.status != "active",
                id="new-key",
            ),
            rx.cond(
                S.status == "suspended",
                rx.text("Reactivate the account to issue keys.", size="2", color_scheme="gray"),
            ),
            align="center",
            spacing="3",
        ),
        description="The account's own systems book with these; each acts for this account only.",
        id="api-keys",
    )


def _new_key_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New API key for ", S.name),
            rx.cond(
                S.new_key != "",
                rx.vstack(
                    rx.callout(
                        "Copy the key now: it is shown only this once and cannot be read again.",
                        icon="triangle-alert",
                        color_scheme="amber",
                        size="1",
                    ),
                    rx.code(S.new_key, id="new-key-value", word_break="break-all", size="2"),
                    rx.hstack(
                        rx.button(
                            rx.icon("copy", size=14),
                            "Copy",
                            variant="soft",
                            on_click=rx.set_clipboard(S.new_key),
                            id="copy-key",
                        ),
                        rx.dialog.close(rx.button("Done", id="key-done")),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.vstack(
                    rx.dialog.description(
                        "Name the system that will use it, so you know which key to revoke later.",
                        size="2",
                    ),
                    labelled_input(
                        "Key name",
                        "key-name",
                        S.key_name,
                        S.set_key_name,
                        field_error(S.key_error, "key-error"),
                        placeholder="e.g. Fleet dispatch system",
                        max_length=120,
                    ),
                    dialog_buttons(
                        "Cancel",
                        rx.button(
                            "Create key", on_click=S.create_key, loading=S.busy, id="key-create"
                        ),
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            max_width="34em",
        ),
        open=S.key_open,
        on_open_change=S.set_key_open,
    )


def _revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke the key “", S.revoke_name, "”?"),
            rx.alert_dialog.description(
                "Systems using it are refused at once. This cannot be undone; issue a new key "
                "to connect again.",
                size="2",
            ),
            error_callout(S.revoke_error, id_="revoke-error", margin_top="1em", role="alert"),
            confirm_buttons(
                "Keep it",
                rx.button(
                    "Revoke key",
                    color_scheme="red",
                    on_click=S.confirm_revoke,
                    loading=S.busy,
                    id="revoke-confirm",
                ),
                keep_id="revoke-keep",
            ),
            max_width="28em",
        ),
        open=S.revoke_open,
        on_open_change=S.set_revoke_open,
    )


@admin_page(rx.cond(B2BAccountState.name != "", B2BAccountState.name, "Business account"))
def b2b_account_page() -> rx.Component:
    """Contact, contract terms and API keys of one business account."""
    return rx.vstack(
        _header(),
        error_callout(S.error, id_="error", width="100%"),
        notice_callout(S.notice, id_="notice", width="100%"),
        rx.cond(
            S.name != "",
            rx.fragment(_contact(), _contracts(), _keys()),
            rx.cond(~S.loaded, rx.center(rx.spinner(size="3"), width="100%")),
        ),
        _new_key_dialog(),
        _revoke_dialog(),
        spacing="4",
        width="100%",
    )
