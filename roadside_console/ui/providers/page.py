"""Providers desk: search, filter and page the tenant's providers in SQL; invite a new one."""

from __future__ import annotations

import dataclasses

import reflex as rx

from roadside_console.domain.identity.models import TokenPurpose
from roadside_console.domain.identity.service import TOKEN_TTL
from roadside_console.domain.providers.directory import (
    AVAILABLE,
    ONLINE,
    ProviderListRow,
    list_providers,
)
from roadside_console.domain.providers.models import ProviderStatus
from roadside_console.domain.providers.onboarding import invite_provider
from roadside_console.ui.components.common import (
    PageTurner,
    empty_state,
    pager,
    pages_for,
    rows_shown,
)
from roadside_console.ui.components.forms import (
    dialog_buttons,
    error_callout,
    labelled_input,
    notice_callout,
)
from roadside_console.ui.components.lists import filter_bar, filter_select, list_table, search_form
from roadside_console.ui.providers.forms import rating_text
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 25
ANY = "any"
INVITE_HOURS = int(TOKEN_TTL[TokenPurpose.PROVIDER_INVITE].total_seconds() // 3600)
STATUS_OPTIONS = [(s.value, s.value.capitalize()) for s in ProviderStatus]
DUTY_OPTIONS = [(AVAILABLE, "Available"), (ONLINE, "Online now")]


@dataclasses.dataclass(frozen=True)
class ProviderLine:
    """A provider as the table shows it."""

    href: str
    name: str
    email: str
    phone: str
    status: str
    duty: str
    online: bool
    rating: str
    jobs: int
    credentials: str


def provider_line(row: ProviderListRow) -> ProviderLine:
    """Turn a list row into what the table shows."""
    if row.credentials_expired:
        credentials = "expired"
    elif row.credentials_expiring:
        credentials = "expiring"
    else:
        credentials = ""
    return ProviderLine(
        href=routes.provider_path(str(row.provider_id)),
        name=row.name,
        email=row.email,
        phone=row.phone,
        status=row.status,
        duty="Available" if row.available else "Off duty",
        online=row.online,
        rating=rating_text(row.rating, row.review_count),
        jobs=row.jobs_this_month,
        credentials=credentials,
    )


class ProvidersState(PageTurner, SessionState):
    """Filters, the current page of providers, and the invite form."""

    rows: list[ProviderLine] = []
    total: int = 0
    page: int = 1
    status: str = ANY
    duty: str = ANY
    search: str = ""
    loaded: bool = False
    error: str = ""
    notice: str = ""
    invite_open: bool = False
    invite_name: str = ""
    invite_email: str = ""
    invite_phone: str = ""
    invite_error: str = ""
    busy: bool = False

    @rx.var
    def page_count(self) -> int:
        """Number of pages for the current filters."""
        return pages_for(self.total, PAGE_SIZE)

    @rx.var
    def summary(self) -> str:
        """Say which rows are shown, e.g. "26–50 of 112 providers"."""
        return rows_shown(self.page, PAGE_SIZE, self.total, "providers", "No providers match")

    @rx.event
    async def load(self) -> None:
        """Open the first page with the filters kept from the last visit."""
        self.page, self.notice = 1, ""
        await self._fetch()

    async def _fetch(self) -> None:
        result, self.error = await self.run_as_user(
            list_providers,
            search=self.search,
            status="" if self.status == ANY else self.status,
            duty="" if self.duty == ANY else self.duty,
            page=self.page,
            page_size=PAGE_SIZE,
        )
        self.loaded = True
        if result is not None:
            self.total = result.total
            self.rows = [provider_line(row) for row in result.rows]

    @rx.event
    async def apply_search(self, form: dict[str, str]) -> None:
        """Search name, email or phone and go back to the first page."""
        self.search, self.page = form.get("search", "").strip(), 1
        await self._fetch()

    @rx.event
    async def set_status_filter(self, value: str) -> None:
        """Filter by status and go back to the first page."""
        self.status, self.page = value, 1
        await self._fetch()

    @rx.event
    async def set_duty_filter(self, value: str) -> None:
        """Show everyone, only providers on duty, or only those online now."""
        self.duty, self.page = value, 1
        await self._fetch()

    @rx.event
    def set_invite_open(self, value: bool) -> None:
        """Open or close the invite dialog (it opens empty)."""
        self.invite_open = value
        if value:
            self.invite_name = self.invite_email = self.invite_phone = self.invite_error = ""

    @rx.event
    def set_invite_name(self, value: str) -> None:
        """Keep the typed name."""
        self.invite_name, self.invite_error = value, ""

    @rx.event
    def set_invite_email(self, value: str) -> None:
        """Keep the typed email."""
        self.invite_email, self.invite_error = value, ""

    @rx.event
    def set_invite_phone(self, value: str) -> None:
        """Keep the typed phone."""
        self.invite_phone, self.invite_error = value, ""

    @rx.event
    async def send_invite(self) -> None:
        """Invite the provider by email; the answer says where it went and for how long."""
        missing = [
            label
            for label, value in (
                ("name", self.invite_name),
                ("email", self.invite_email),
                ("phone", self.invite_phone),
            )
            if not value.strip()
        ]
        if missing:
            self.invite_error = f"Enter the provider's {', '.join(missing)}."
            return
        self.busy = True
        try:
            invite, self.invite_error = await self.run_as_user(
                invite_provider,
                name=self.invite_name,
                email=self.invite_email,
                phone=self.invite_phone,
            )
        finally:
            self.busy = False
        if invite is None:
            return
        self.invite_open = False
        self.notice = f"Invite sent to {invite.email}, link valid {INVITE_HOURS} h."
        self.status, self.search, self.page = ANY, "", 1
        await self._fetch()


S = ProvidersState


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("user-plus", size=16), "Invite provider")),
        rx.dialog.content(
            rx.dialog.title("Invite a provider"),
            rx.dialog.description(
                f"They get an email with a link to set a password, valid {INVITE_HOURS} hours. "
                "They can take jobs once you approve them.",
                size="2",
            ),
            rx.vstack(
                labelled_input("Full name", "invite-name", S.invite_name, S.set_invite_name),
                labelled_input(
                    "Email",
                    "invite-email",
                    S.invite_email,
                    S.set_invite_email,
                    type="email",
                    placeholder="name@example.com",
                ),
                labelled_input(
                    "Mobile phone",
                    "invite-phone",
                    S.invite_phone,
                    S.set_invite_phone,
                    type="tel",
                    placeholder="(404) 555-0142",
                ),
                rx.cond(
                    S.invite_error != "",
                    rx.text(S.invite_error, color_scheme="red", size="2", id="invite-error"),
                ),
                spacing="3",
                width="100%",
                margin_top="1em",
            ),
            dialog_buttons(
                "Cancel",
                rx.button("Send invite", on_click=S.send_invite, loading=S.busy, id="send-invite"),
                margin_top="1em",
            ),
            max_width="28em",
        ),
        open=S.invite_open,
        on_open_change=S.set_invite_open,
    )


def _filters() -> rx.Component:
    return filter_bar(
        search_form("Name, email or phone", S.search, "Search providers", S.apply_search),
        filter_select(
            "Status", [(ANY, "Any status"), *STATUS_OPTIONS], S.status, S.set_status_filter
        ),
        filter_select(
            "Duty",
            [(ANY, "On or off duty"), *DUTY_OPTIONS],
            S.duty,
            S.set_duty_filter,
            trigger_id="duty-filter",
        ),
        rx.spacer(),
        _invite_dialog(),
    )


def provider_status_badge(status: rx.Var | str) -> rx.Component:
    """Colour-coded provider status."""
    return rx.badge(
        rx.match(
            status,
            ("pending", "Pending approval"),
            ("active", "Active"),
            ("inactive", "Inactive"),
            status,
        ),
        color_scheme=rx.match(
            status, ("pending", "amber"), ("active", "green"), ("inactive", "gray"), "gray"
        ),
        variant="soft",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.name, href=row.href, weight="medium")),
        rx.table.cell(
            rx.vstack(
                rx.text(row.email, size="2"),
                rx.text(row.phone, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(provider_status_badge(row.status)),
        rx.table.cell(
            rx.hstack(
                rx.text(row.duty, size="2"),
                rx.cond(row.online, rx.badge("Online", color_scheme="green", variant="soft")),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(row.rating),
        rx.table.cell(row.jobs, text_align="right"),
        rx.table.cell(
            rx.match(
                row.credentials,
                ("expired", rx.badge("Expired", color_scheme="red", variant="soft")),
                ("expiring", rx.badge("Expiring soon", color_scheme="amber", variant="soft")),
                rx.text("OK", size="2", color_scheme="gray"),
            )
        ),
    )


@admin_page("Providers")
def providers_page() -> rx.Component:
    """Filter bar with the invite button, the table and the pager."""
    headers = ["Name", "Contact", "Status", "Duty", "Rating", "Jobs this month", "Credentials"]
    return rx.vstack(
        _filters(),
        notice_callout(S.notice, id_="notice"),
        error_callout(S.error, id_="error"),
        list_table(
            S.rows,
            _row,
            headers,
            "providers-table",
            S.loaded,
            empty_state("No providers match. Invite one to get started.", "hard-hat"),
        ),
        pager(S, S.summary, summary_id="providers-summary"),
        spacing="4",
        width="100%",
    )
