"""One provider for ops: profile, approval, availability, commission, credentials, pay, reviews.

Every control calls one use case as the signed-in user and shows its answer inline; the
provider's id lives only on the server (from the URL), as do the ids of their credentials.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx

from roadside_console.domain.core.auth import Permission
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.providers.credentials import kind_label, save_credential
from roadside_console.domain.providers.directory import ProviderDetail, provider_detail
from roadside_console.domain.providers.management import (
    set_provider_availability,
    set_specialties,
    update_commission,
)
from roadside_console.domain.providers.models import CommissionType, CredentialKind
from roadside_console.domain.providers.onboarding import approve_provider, resend_provider_invite
from roadside_console.ui.components.common import empty_state, not_found
from roadside_console.ui.components.formatting import local_time, status_label
from roadside_console.ui.components.forms import (
    confirm_buttons,
    dialog_buttons,
    dialog_text_area,
    error_callout,
    fact,
    field_error,
    labelled,
    labelled_input,
    notice_callout,
    section_card,
)
from roadside_console.ui.components.lists import compact_table
from roadside_console.ui.pricing.forms import dollars_text
from roadside_console.ui.providers import forms
from roadside_console.ui.providers.page import INVITE_HOURS, provider_status_badge
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

PCT, FLAT = CommissionType.PERCENTAGE.value, CommissionType.FLAT_PER_JOB.value
KIND_OPTIONS = [(k.value, kind_label(k.value)) for k in CredentialKind]
NEW = -1
STATE_LABELS = {
    "valid": "Valid",
    "expiring": "Expires soon",
    "expired": "Expired",
    "replaced": "Replaced by a newer copy",
}


@dataclasses.dataclass(frozen=True)
class CredentialLine:
    """A credential as the table shows it; `key` indexes the server-side id list."""

    key: int
    kind: str
    number: str
    issuer: str
    expires: str
    state: str
    state_label: str
    note: str
    renewable: bool


@dataclasses.dataclass(frozen=True)
class ReviewLine:
    """A review of one job."""

    stars: str
    comment: str
    booking: str
    when: str


@dataclasses.dataclass(frozen=True)
class PayoutLine:
    """A payout line."""

    when: str
    kind: str
    booking: str
    status: str
    amount: str


def commission_label(detail: ProviderDetail) -> str:
    """Say how the provider is paid, e.g. "72.5 % of each job" or "$45.00 flat per job"."""
    if detail.commission_type == FLAT and detail.flat_fee_cents is not None:
        return f"{format_cents(detail.flat_fee_cents)} flat per job"
    return f"{forms.percent_text(detail.commission_rate_bp)} % of each job"


def credential_note(state: str, days_left: int, gating: bool) -> str:
    """Say what a credential's expiry means for the provider's work."""
    if state == "expired":
        return "Blocks dispatch until renewed." if gating else "Expired (informational)."
    if state == "expiring":
        return "Expires today." if days_left == 0 else f"Expires in {days_left} days."
    return ""


class ProviderDetailState(SessionState):
    """The provider on screen, the forms on the page and the last answer from the domain."""

    _provider_id: str = ""
    _credential_ids: list[str] = []
    loaded: bool = False
    missing: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False

    name: str = ""
    email: str = ""
    phone: str = ""
    status: str = ""
    available: bool = False
    online: bool = False
    last_fix: str = ""
    home_address: str = ""
    specialties: list[str] = []
    rating: str = ""
    jobs_this_month: int = 0
    joined: bool = False
    invite_expires: str = ""
    since: str = ""
    commission: str = ""
    can_change_commission: bool = False
    credentials: list[CredentialLine] = []
    blockers: list[str] = []
    reviews: list[ReviewLine] = []
    payouts: list[PayoutLine] = []

    commission_type: str = PCT
    commission_rate: str = ""
    commission_fee: str = ""
    commission_error: str = ""
    specialties_text: str = ""
    specialties_error: str = ""
    credential_open: bool = False
    credential_key: int = NEW
    credential_kind: str = CredentialKind.INSURANCE.value
    credential_number: str = ""
    credential_issuer: str = ""
    credential_expires: str = ""
    credential_error: str = ""
    approve_reason: str = ""

    @rx.var
    def title(self) -> str:
        """Heading of the page."""
        return self.name or "Provider"

    @rx.var
    def renewing(self) -> bool:
        """Whether the credential dialog renews an existing credential."""
        return self.credential_key != NEW

    @rx.event
    async def guard(self) -> rx.event.EventSpec | None:
        """Let in staff who manage providers."""
        return await self._guard(Permission.MANAGE_PROVIDERS)

    @rx.event
    async def load(self) -> None:
        """Open the provider named in the URL with every form cleared."""
        self._provider_id = str(self.router.page.params.get("provider_id", ""))
        self.notice = self.error = self.commission_error = self.specialties_error = ""
        self.approve_reason, self.credential_open = "", False
        self.loaded = self.missing = False
        self.name = ""
        await self._fetch(reset_forms=True)

    def _uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self._provider_id)
        except ValueError:
            return None

    async def _fetch(self, *, reset_forms: bool = False) -> None:
        provider_id = self._uuid()
        if provider_id is None:
            self.loaded = self.missing = True
            return
        detail, error = await self.run_as_user(provider_detail, provider_id=provider_id)
        self.loaded = True
        if detail is None:
            self.missing, self.error = True, error
            return
        self._show(detail)
        if reset_forms:
            self.commission_type = detail.commission_type
            self.commission_rate = forms.percent_text(detail.commission_rate_bp)
            fee = detail.flat_fee_cents
            self.commission_fee = dollars_text(fee) if fee is not None else ""
            self.specialties_text = ", ".join(detail.specialties)

    def _show(self, d: ProviderDetail) -> None:
        tz = d.timezone
        self.name, self.email, self.phone, self.status = d.name, d.email, d.phone, d.status
        self.available, self.online = d.available, d.online
        self.last_fix = local_time(d.location_updated_at, tz) or "No location yet"
        self.home_address = d.home_address or "Not given"
        self.specialties = d.specialties
        self.rating = forms.rating_text(d.rating, d.review_count)
        self.jobs_this_month = d.jobs_this_month
        self.joined = d.joined
        self.invite_expires = local_time(d.invite_expires_at, tz)
        self.since = local_time(d.created_at, tz, "%b %d, %Y")
        self.commission = commission_label(d)
        self.can_change_commission = d.can_change_commission
        self._credential_ids = [str(c.credential_id) for c in d.credentials]
        self.credentials = [
            CredentialLine(
                key=index,
                kind=kind_label(c.kind),
                number=c.number or "—",
                issuer=c.issuer or "—",
                expires=c.expires_on.strftime("%b %d, %Y"),
                state=c.state,
                state_label=STATE_LABELS.get(c.state, c.state),
                note=credential_note(c.state, c.days_left, c.gating),
                renewable=c.state != "replaced",
            )
            for index, c in enumerate(d.credentials)
        ]
        self.blockers = d.dispatch_blockers
        self.reviews = [
            ReviewLine(
                stars="★" * r.rating + "☆" * (5 - r.rating),
                comment=r.comment,
                booking=r.booking_reference,
                when=local_time(r.created_at, tz, "%b %d, %Y"),
            )
            for r in d.reviews
        ]
        self.payouts = [
            PayoutLine(
                when=local_time(p.created_at, tz, "%b %d, %Y"),
                kind=status_label(p.kind),
                booking=p.booking_reference or "—",
                status=(
                    f"Paid {local_time(p.paid_at, tz, '%b %d')}"
                    if p.paid_at
                    else status_label(p.status)
                ),
                amount=format_cents(p.amount_cents),
            )
            for p in d.payouts
        ]

    async def _run(self, fn: Callable[..., Any], success: str, **kwargs: Any) -> str:
        """Run one use case on this provider; show success, or return the domain's message."""
        provider_id = self._uuid()
        if provider_id is None:
            return "No such provider."
        self.busy = True
        try:
            _, error = await self.run_as_user(fn, provider_id=provider_id, **kwargs)
            if not error:
                self.notice, self.error = success, ""
            await self._fetch()
            return error
        finally:
            self.busy = False

    @rx.event
    async def set_available(self, value: bool) -> None:
        """Put the provider on or off duty for them."""
        self.notice = ""
        self.error = await self._run(
            set_provider_availability,
            f"{self.name} is now {'available' if value else 'off duty'}.",
            available=value,
        )

    @rx.event
    async def approve(self) -> None:
        """Approve a pending provider, with the optional reason typed in the dialog."""
        self.error = await self._run(
            approve_provider,
            f"{self.name} is approved and can go available.",
            reason=self.approve_reason.strip() or None,
        )
        self.approve_reason = ""

    @rx.event
    async def resend_invite(self) -> None:
        """Send a fresh invite link; earlier ones stop working."""
        self.error = await self._run(
            resend_provider_invite,
            f"Invite sent to {self.email}, link valid {INVITE_HOURS} h.",
        )

    @rx.event
    async def save_commission(self) -> None:
        """Save the commission terms typed in the form (percent or dollars, read exactly)."""
        terms, self.commission_error = forms.commission_terms(
            self.commission_type, self.commission_rate, self.commission_fee
        )
        if self.commission_error:
            return
        self.commission_error = await self._run(update_commission, "Commission saved.", **terms)
        if not self.commission_error:
            self.notice = f"Commission saved: {self.commission}."

    @rx.event
    async def save_specialties(self) -> None:
        """Save the comma-separated specialties."""
        self.specialties_error = await self._run(
            set_specialties,
            "Specialties saved.",
            specialties=forms.parse_specialties(self.specialties_text),
        )
        if not self.specialties_error:
            self.specialties_text = ", ".join(self.specialties)

    @rx.event
    def open_credential(self, key: int) -> None:
        """Open the credential dialog: a new one (-1) or a renewal of the row with `key`."""
        self.credential_key, self.credential_error = key, ""
        self.credential_number = self.credential_issuer = self.credential_expires = ""
        if 0 <= key < len(self.credentials):
            line = self.credentials[key]
            self.credential_number = "" if line.number == "—" else line.number
            self.credential_issuer = "" if line.issuer == "—" else line.issuer
        self.credential_open = True

    @rx.event
    async def save_credential_form(self) -> None:
        """Record or renew the credential typed in the dialog."""
        expires_on = forms.parse_date(self.credential_expires)
        if expires_on is None:
            self.credential_error = "Enter the expiry date shown on the document."
            return
        kwargs: dict[str, Any] = {
            "expires_on": expires_on,
            "number": self.credential_number,
            "issuer": self.credential_issuer,
        }
        if self.renewing:
            if not 0 <= self.credential_key < len(self._credential_ids):
                self.credential_error = "This credential is no longer on file; reload the page."
                return
            kwargs["credential_id"] = uuid.UUID(self._credential_ids[self.credential_key])
        else:
            kwargs["kind"] = CredentialKind(self.credential_kind)
        self.credential_error = await self._run(
            save_credential,
            "Credential renewed." if self.renewing else "Credential recorded.",
            **kwargs,
        )
        if not self.credential_error:
            self.credential_open = False

    @rx.event
    def set_credential_open(self, value: bool) -> None:
        """Close (or keep open) the credential dialog."""
        self.credential_open = value

    @rx.event
    def set_commission_type(self, value: str) -> None:
        """Choose percentage or flat fee."""
        self.commission_type, self.commission_error = value, ""

    @rx.event
    def set_commission_rate(self, value: str) -> None:
        """Keep the typed percentage."""
        self.commission_rate, self.commission_error = value, ""

    @rx.event
    def set_commission_fee(self, value: str) -> None:
        """Keep the typed flat fee."""
        self.commission_fee, self.commission_error = value, ""

    @rx.event
    def set_specialties_text(self, value: str) -> None:
        """Keep the typed specialties."""
        self.specialties_text, self.specialties_error = value, ""

    @rx.event
    def set_credential_kind(self, value: str) -> None:
        """Choose the kind of a new credential."""
        self.credential_kind, self.credential_error = value, ""

    @rx.event
    def set_credential_number(self, value: str) -> None:
        """Keep the typed document number."""
        self.credential_number, self.credential_error = value, ""

    @rx.event
    def set_credential_issuer(self, value: str) -> None:
        """Keep the typed issuer."""
        self.credential_issuer, self.credential_error = value, ""

    @rx.event
    def set_credential_expires(self, value: str) -> None:
        """Keep the chosen expiry date."""
        self.credential_expires, self.credential_error = value, ""

    @rx.event
    def set_approve_reason(self, value: str) -> None:
        """Keep the typed approval note."""
        self.approve_reason = value


S = ProviderDetailState


def _header() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), "All providers"),
            href=routes.ADMIN_PROVIDERS,
        ),
        rx.spacer(),
        provider_status_badge(S.status),
        rx.cond(S.online, rx.badge("Online", color_scheme="green", variant="soft")),
        width="100%",
        align="center",
        spacing="3",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        notice_callout(S.notice, id_="notice", width="100%"),
        error_callout(S.error, id_="error", width="100%"),
        rx.foreach(
            S.blockers,
            lambda b: rx.callout(
                rx.text("Not dispatched: ", b, ". Renew it below."),
                icon="shield-alert",
                color_scheme="red",
                width="100%",
            ),
        ),
    )


def _approve_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("badge-check"), "Approve", id="approve")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Approve ", S.name, "?"),
            rx.alert_dialog.description(
                "Approve only once you have checked their licence and insurance. They can then "
                "go available and receive job offers.",
                size="2",
            ),
            dialog_text_area(
                "Note (optional)",
                "approve-reason",
                S.approve_reason,
                S.set_approve_reason,
                "e.g. Licence and insurance checked in person",
            ),
            confirm_buttons(
                "Not yet",
                rx.alert_dialog.action(rx.button("Approve", on_click=S.approve)),
            ),
            max_width="28em",
        ),
    )


def _onboarding() -> rx.Component:
    return rx.cond(
        S.status == "pending",
        rx.callout(
            rx.vstack(
                rx.cond(
                    S.joined,
                    rx.text("Joined and waiting for approval."),
                    rx.text(
                        "Invited, not joined yet.",
                        rx.cond(
                            S.invite_expires != "",
                            " The current link works until " + S.invite_expires.to(str) + ".",
                            " No link is open.",
                        ),
                    ),
                ),
                rx.hstack(
                    _approve_dialog(),
                    rx.cond(
                        ~S.joined,
                        rx.button(
                            rx.icon("mail"),
                            "Resend invite",
                            variant="soft",
                            on_click=S.resend_invite,
                            loading=S.busy,
                            id="resend-invite",
                        ),
                    ),
                    spacing="3",
                ),
                spacing="2",
            ),
            icon="user-round-check",
            color_scheme="amber",
            width="100%",
            id="onboarding",
        ),
    )


def _profile() -> rx.Component:
    return section_card(
        "Profile",
        rx.grid(
            fact("Email", rx.link(S.email, href="mailto:" + S.email)),
            fact("Phone", rx.link(S.phone, href="tel:" + S.phone)),
            fact("Home base", S.home_address),
            fact("Rating", S.rating),
            fact("Jobs completed this month", S.jobs_this_month),
            fact("Last location", S.last_fix),
            fact("On the books since", S.since),
            columns=rx.breakpoints(initial="1", sm="2", xl="3"),
            spacing="4",
            width="100%",
        ),
        rx.separator(),
        rx.hstack(
            rx.switch(
                checked=S.available,
                on_change=S.set_available,
                disabled=S.busy | ((S.status != "active") & ~S.available),
                id="availability",
            ),
            rx.text(
                rx.cond(S.available, "Available for offers", "Off duty"),
                as_="label",
                html_for="availability",
                size="2",
                weight="medium",
            ),
            rx.cond(
                S.status != "active",
                rx.text("Only an active provider can go available.", size="1", color_scheme="gray"),
            ),
            align="center",
            spacing="3",
        ),
    )


def _commission() -> rx.Component:
    return section_card(
        "Commission",
        rx.text("Paid ", rx.text.strong(S.commission, id="commission-now"), size="2"),
        rx.cond(
            S.can_change_commission,
            rx.vstack(
                rx.radio_group.root(
                    rx.hstack(
                        rx.text(
                            rx.hstack(rx.radio_group.item(value=PCT), "Share of each job (%)"),
                            as_="label",
                            size="2",
                        ),
                        rx.text(
                            rx.hstack(rx.radio_group.item(value=FLAT), "Flat fee per job ($)"),
                            as_="label",
                            size="2",
                        ),
                        spacing="4",
                    ),
                    value=S.commission_type,
                    on_change=S.set_commission_type,
                    aria_label="Commission type",
                ),
                rx.hstack(
                    rx.cond(
                        S.commission_type == PCT,
                        labelled_input(
                            "Provider's share (%)",
                            "commission-rate",
                            S.commission_rate,
                            S.set_commission_rate,
                            input_mode="decimal",
                            placeholder="70",
                            width="8em",
                        ),
                        labelled_input(
                            "Flat fee per job ($)",
                            "commission-fee",
                            S.commission_fee,
                            S.set_commission_fee,
                            input_mode="decimal",
                            placeholder="45.00",
                            width="8em",
                        ),
                    ),
                    rx.button(
                        "Save commission",
                        on_click=S.save_commission,
                        loading=S.busy,
                        id="save-commission",
                    ),
                    align="end",
                    spacing="3",
                ),
                field_error(S.commission_error, "commission-error"),
                spacing="3",
                width="100%",
            ),
            rx.text("Only an admin can change commission.", size="1", color_scheme="gray"),
        ),
    )


def _specialties() -> rx.Component:
    return section_card(
        "Specialties",
        rx.cond(
            S.specialties.length() > 0,
            rx.hstack(
                rx.foreach(S.specialties, lambda s: rx.badge(s, variant="soft")),
                wrap="wrap",
                spacing="2",
            ),
            rx.text("None: this provider is offered no jobs.", size="2", color_scheme="red"),
        ),
        rx.hstack(
            labelled_input(
                "Services offered (comma-separated categories or service slugs)",
                "specialties",
                S.specialties_text,
                S.set_specialties_text,
                placeholder="roadside, towing",
                width="24em",
            ),
            rx.button("Save specialties", variant="soft", on_click=S.save_specialties),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        field_error(S.specialties_error, "specialties-error"),
    )


def _credential_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.renewing, "Renew credential", "Add a credential")),
            rx.dialog.description(
                "Enter what the document shows; it counts as checked by you today.", size="2"
            ),
            rx.vstack(
                rx.cond(
                    ~S.renewing,
                    labelled(
                        "Kind",
                        rx.select.root(
                            rx.select.trigger(id="credential-kind", width="100%"),
                            rx.select.content(
                                *[rx.select.item(label, value=v) for v, label in KIND_OPTIONS]
                            ),
                            value=S.credential_kind,
                            on_change=S.set_credential_kind,
                        ),
                        for_id="credential-kind",
                    ),
                ),
                labelled(
                    "Expires on",
                    rx.input(
                        id="credential-expires",
                        type="date",
                        value=S.credential_expires,
                        on_change=S.set_credential_expires,
                    ),
                    for_id="credential-expires",
                ),
                labelled_input(
                    "Number", "credential-number", S.credential_number, S.set_credential_number
                ),
                labelled_input(
                    "Issuer",
                    "credential-issuer",
                    S.credential_issuer,
                    S.set_credential_issuer,
                    placeholder="e.g. Georgia DDS",
                ),
                field_error(S.credential_error, "credential-error"),
                spacing="3",
                width="100%",
                margin_top="1em",
            ),
            dialog_buttons(
                "Cancel",
                rx.button(
                    "Save credential",
                    on_click=S.save_credential_form,
                    loading=S.busy,
                    id="save-credential",
                ),
                margin_top="1em",
            ),
            max_width="28em",
        ),
        open=S.credential_open,
        on_open_change=S.set_credential_open,
    )


def _state_badge(line: rx.Var) -> rx.Component:
    return rx.badge(
        line.state_label,
        color_scheme=rx.match(
            line.state, ("expired", "red"), ("expiring", "amber"), ("valid", "green"), "gray"
        ),
        variant="soft",
    )


def _credentials() -> rx.Component:
    return section_card(
        "Credentials",
        rx.text(
            "An expired driver's licence, insurance or tow operator licence keeps the provider "
            "out of dispatch. Renewals are due within 30 days of the date shown.",
            size="2",
            color_scheme="gray",
        ),
        compact_table(
            S.credentials,
            lambda c: rx.table.row(
                rx.table.cell(rx.text(c.kind, weight="medium")),
                rx.table.cell(c.number),
                rx.table.cell(c.issuer),
                rx.table.cell(c.expires),
                rx.table.cell(
                    _state_badge(c),
                    rx.cond(c.note != "", rx.text(c.note, size="1")),
                ),
                rx.table.cell(
                    rx.cond(
                        c.renewable,
                        rx.button(
                            "Renew",
                            size="1",
                            variant="soft",
                            on_click=S.open_credential(c.key),
                        ),
                    )
                ),
            ),
            ["Kind", "Number", "Issuer", "Expires", "State", ""],
            "credentials-table",
            rx.text("No licence or insurance on file yet.", size="2", color_scheme="amber"),
        ),
        rx.button(
            rx.icon("plus", size=16),
            "Add credential",
            variant="soft",
            on_click=S.open_credential(NEW),
            id="add-credential",
        ),
        _credential_dialog(),
        id="credentials",
    )


def _reviews() -> rx.Component:
    return section_card(
        "Recent reviews",
        rx.cond(
            S.reviews.length() > 0,
            rx.foreach(
                S.reviews,
                lambda r: rx.vstack(
                    rx.hstack(
                        rx.text(r.stars, color=rx.color("amber", 9)),
                        rx.text(r.booking, " · ", r.when, size="1", color_scheme="gray"),
                        spacing="2",
                        align="center",
                    ),
                    rx.cond(r.comment != "", rx.text(r.comment, size="2")),
                    spacing="1",
                    width="100%",
                ),
            ),
            empty_state("No reviews yet.", "star"),
        ),
    )


def _payouts() -> rx.Component:
    return section_card(
        "Payout history",
        compact_table(
            S.payouts,
            lambda p: rx.table.row(
                rx.table.cell(p.when),
                rx.table.cell(p.kind),
                rx.table.cell(p.booking),
                rx.table.cell(p.status),
                rx.table.cell(p.amount, text_align="right"),
            ),
            ["Created", "Kind", "Booking", "Status", "Amount"],
            "payouts-table",
            empty_state("Nothing earned yet.", "wallet"),
        ),
    )


@admin_page(ProviderDetailState.title)
def provider_detail_page() -> rx.Component:
    """Profile, onboarding, commission and specialties on the left; credentials and money right."""
    return rx.cond(
        S.missing,
        not_found(S.error, "No such provider.", "Back to all providers", routes.ADMIN_PROVIDERS),
        rx.cond(
            S.name != "",
            rx.vstack(
                _header(),
                _messages(),
                _onboarding(),
                rx.grid(
                    rx.vstack(_profile(), _commission(), _specialties(), spacing="4", width="100%"),
                    rx.vstack(_credentials(), _payouts(), _reviews(), spacing="4", width="100%"),
                    columns=rx.breakpoints(initial="1", lg="1fr 1fr"),
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="3em", width="100%"),
        ),
    )
