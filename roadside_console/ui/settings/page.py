"""Workspace settings: booking and pricing terms, dispatch, trust and referrals, one form each.

Staff may read every value; only admins see Save buttons, and each handler still goes through
the use case that owns the values (workspace, dispatch or trust), which refuses anyone else. A
refusal that names a field shows under that field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.dispatch.rules import WEIGHT_KEYS
from roadside_console.domain.dispatch.schemas import DispatchSettingsUpdate
from roadside_console.domain.dispatch.settings import update_dispatch_settings
from roadside_console.domain.tenants.settings_service import (
    WorkspaceSettingsUpdate,
    WorkspaceSettingsView,
    get_workspace_settings,
    update_workspace_settings,
)
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.forms import (
    error_callout,
    keyed_error,
    labelled_input,
    notice_callout,
    section_card,
)
from roadside_console.ui.settings import forms
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.run import run_use_case
from roadside_console.ui.shell.session import SessionState

T = TypeVar("T")
APPLIES_NOTE = (
    "Changes apply from now on, to new quotes and offers and to the next cancellation; prices "
    "already quoted or booked stay as they were."
)
READ_ONLY_NOTE = "Only an admin can change these settings; you can see them here."
# the trust use case names its own argument; the form knows the setting by its column
_FIELD_ALIASES = {"clean_payments": "trust_promotion_threshold"}
_EDITABLE = frozenset(key for keys in forms.SECTION_KEYS.values() for key in keys)


class SettingsState(SessionState):
    """The three forms' typed values, their errors and notices, and whether they are editable."""

    values: dict[str, str] = {}
    scarcity_enabled: bool = True
    errors: dict[str, str] = {}
    can_change: bool = False
    loaded: bool = False
    last_change: str = ""
    error: str = ""
    pricing_notice: str = ""
    pricing_error: str = ""
    dispatch_notice: str = ""
    dispatch_error: str = ""
    trust_notice: str = ""
    trust_error: str = ""
    saving: str = ""

    @rx.var
    def consumer_weights_total(self) -> str:
        """What the consumer weights typed so far add up to."""
        return _total(self.values, "weights")

    @rx.var
    def b2b_weights_total(self) -> str:
        """What the business-account weights typed so far add up to."""
        return _total(self.values, "b2b_weights")

    @rx.event
    async def load(self) -> None:
        """Read every setting into the forms."""
        self.errors, self.error = {}, ""
        self.pricing_notice = self.dispatch_notice = self.trust_notice = ""
        self.pricing_error = self.dispatch_error = self.trust_error = ""
        view, error = await self.run_as_user(get_workspace_settings)
        self.loaded = True
        if view is None:
            self.error = error
            return
        self.values = forms.form_values(view)
        self._show(view, tuple(forms.SECTION_KEYS))

    @rx.event
    def set_value(self, key: str, value: str) -> None:
        """Keep what is typed in one field and clear that field's error."""
        if key not in _EDITABLE:
            return
        self.values = {**self.values, key: value}
        parent = key.split(".")[0]
        self.errors = {k: v for k, v in self.errors.items() if k not in (key, parent)}

    @rx.event
    def set_scarcity_enabled(self, value: bool) -> None:
        """Switch the scarcity surcharge on or off (saved with the pricing form)."""
        self.scarcity_enabled = value

    @rx.event
    async def save_pricing(self) -> None:
        """Save the booking and pricing form through the workspace settings use case."""
        parsed, errors = forms.read_fields(
            (*forms.PRICING_FIELDS, *forms.SCARCITY_FIELDS), self.values
        )
        if not self._start("pricing", errors):
            return
        changes = WorkspaceSettingsUpdate(**parsed, scarcity_enabled=self.scarcity_enabled)
        view = await self._attempt("pricing", update_workspace_settings, changes=changes)
        if view is not None:
            self._show(view, ("pricing",))
            self.pricing_notice = (
                "Booking and pricing settings saved. New quotes use them from now on."
            )

    @rx.event
    async def save_dispatch(self) -> None:
        """Save the dispatch form through the dispatch settings use case."""
        parsed, errors = forms.read_fields(forms.DISPATCH_FIELDS, self.values)
        weights, weight_errors = forms.read_weights(self.values)
        if not self._start("dispatch", {**errors, **weight_errors}):
            return
        data = DispatchSettingsUpdate(**parsed, **weights)
        saved = await self._attempt("dispatch", update_dispatch_settings, data=data)
        if saved is not None:
            await self._refresh("dispatch")
            self.dispatch_notice = "Dispatch settings saved. New offers use them from now on."

    @rx.event
    async def save_trust(self) -> None:
        """Save the referral terms and the trust threshold together (all or nothing)."""
        parsed, errors = forms.read_fields(forms.TRUST_FIELDS, self.values)
        if not self._start("trust", errors):
            return
        changes = WorkspaceSettingsUpdate(**parsed)
        if await self._attempt("trust", update_workspace_settings, changes=changes) is None:
            return
        await self._refresh("trust")
        self.trust_notice = (
            "Trust and referral settings saved. They apply from the next payment, referral "
            "and invite."
        )

    def _start(self, section: str, errors: dict[str, str]) -> bool:
        """Clear the section's messages and show its format errors; tell whether to go on."""
        keys = forms.SECTION_KEYS[section]
        self.errors = {**{k: v for k, v in self.errors.items() if k not in keys}, **errors}
        setattr(self, f"{section}_notice", "")
        setattr(self, f"{section}_error", "")
        return not errors

    async def _attempt(self, section: str, fn: Callable[..., T], /, **kwargs: Any) -> T | None:
        """Run a use case as the signed-in user; put a refusal under its field or the form."""
        actor = await self.current_actor()
        if actor is None:
            setattr(self, f"{section}_error", "Your session has ended. Sign in again.")
            return None
        self.saving = section
        try:
            return await run_use_case(fn, actor=actor, **kwargs)
        except DomainError as refusal:
            key = _FIELD_ALIASES.get(refusal.field or "", refusal.field or "")
            if key in forms.SECTION_KEYS[section]:
                self.errors = {**self.errors, key: refusal.message}
            else:
                setattr(self, f"{section}_error", refusal.message)
            return None
        finally:
            self.saving = ""

    async def _refresh(self, section: str) -> None:
        view, error = await self.run_as_user(get_workspace_settings)
        if view is None:
            setattr(self, f"{section}_error", error)
            return
        self._show(view, (section,))

    def _show(self, view: WorkspaceSettingsView, sections: tuple[str, ...]) -> None:
        """Put the saved values of `sections` back into the forms, and the page's facts."""
        saved = forms.form_values(view)
        keys = {key for section in sections for key in forms.SECTION_KEYS[section]}
        self.values = {**self.values, **{k: v for k, v in saved.items() if k in keys}}
        if "pricing" in sections:
            self.scarcity_enabled = view.scarcity_enabled
        self.can_change = view.can_change
        when = local_time(view.updated_at, view.timezone, "%b %-d, %Y at %-I:%M %p")
        self.last_change = (
            f"Last changed by {view.updated_by_name or 'a former user'} on {when}."
            if view.updated_at
            else "Nobody has changed these settings yet: these are the defaults."
        )


def _total(values: dict[str, str], kind: str) -> str:
    parts = [forms.parse_percent(values.get(forms.weight_key(kind, f), "")) for f in WEIGHT_KEYS]
    if any(p is None for p in parts):
        return "—"
    return f"{forms.show_value(forms.Kind.PERCENT, sum(p or 0 for p in parts))} %"


S = SettingsState


def _dom_id(key: str) -> str:
    return "set-" + key.replace(".", "-").replace("_", "-")


def _field(spec: forms.Field) -> rx.Component:
    dom_id = _dom_id(spec.key)
    return labelled_input(
        spec.label,
        dom_id,
        S.values[spec.key],
        lambda v: S.set_value(spec.key, v),
        rx.text(spec.hint, size="1", color_scheme="gray", id=f"{dom_id}-hint"),
        keyed_error(S.errors, spec.key, f"{dom_id}-error"),
        read_only=~S.can_change,
        input_mode="numeric" if spec.kind is forms.Kind.WHOLE else "decimal",
        placeholder=spec.placeholder,
        aria_describedby=f"{dom_id}-hint",
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(
        *children,
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def _save_row(section: str, label: str, handler: rx.EventHandler, when: str) -> rx.Component:
    return rx.vstack(
        notice_callout(getattr(S, f"{section}_notice"), id_=f"{section}-notice", size="1"),
        error_callout(getattr(S, f"{section}_error"), f"{section}-error", size="1"),
        rx.cond(
            S.can_change,
            rx.hstack(
                rx.button(
                    rx.icon("save", size=16),
                    label,
                    on_click=handler,
                    loading=S.saving == section,
                    id=f"save-{section}",
                ),
                rx.text(when, size="1", color_scheme="gray"),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _pricing_form() -> rx.Component:
    return section_card(
        "Bookings & pricing",
        _grid(*[_field(spec) for spec in forms.PRICING_FIELDS]),
        rx.separator(),
        rx.hstack(
            rx.cond(
                S.can_change,
                rx.switch(
                    id="set-scarcity-enabled",
                    checked=S.scarcity_enabled,
                    on_change=S.set_scarcity_enabled,
                ),
                # a disabled switch reads as "off" in dark mode: say it in words instead
                rx.badge(
                    rx.cond(S.scarcity_enabled, "On", "Off"),
                    color_scheme=rx.cond(S.scarcity_enabled, "green", "gray"),
                    variant="soft",
                    id="scarcity-state",
                ),
            ),
            rx.el.label(
                "Scarcity surcharge: charge more when few providers are online",
                html_for="set-scarcity-enabled",
                class_name="field-label",
            ),
            align="center",
            spacing="2",
        ),
        rx.grid(
            *[_field(spec) for spec in forms.SCARCITY_FIELDS],
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
            opacity=rx.cond(S.scarcity_enabled, "1", "0.6"),
        ),
        _save_row(
            "pricing",
            "Save booking and pricing",
            S.save_pricing,
            "New quotes use these at once and the next cancellation charges the new fee; "
            "prices already quoted or booked stay.",
        ),
        description="What a booking costs to cancel, how far prices may rise and how long a "
        "quote holds.",
        id="pricing-settings",
    )


def _weight_input(kind: str, factor: str, column: str) -> rx.Component:
    key = forms.weight_key(kind, factor)
    dom_id = _dom_id(key)
    return rx.vstack(
        rx.input(
            id=dom_id,
            value=S.values[key],
            on_change=lambda v: S.set_value(key, v),
            read_only=~S.can_change,
            input_mode="decimal",
            aria_label=f"{forms.WEIGHT_LABELS[factor]} weight for {column} (%)",
            width="6em",
        ),
        keyed_error(S.errors, key, f"{dom_id}-error"),
        spacing="1",
    )


def _weights() -> rx.Component:
    header = ["Score factor", "Consumer bookings (%)", "Business accounts (%)"]
    return rx.vstack(
        rx.text("Score weights", class_name="field-label"),
        rx.text(
            "How much each factor counts when dispatch ranks providers; each column must add "
            "up to 100 %.",
            size="1",
            color_scheme="gray",
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in header])),
            rx.table.body(
                *[
                    rx.table.row(
                        rx.table.row_header_cell(
                            forms.WEIGHT_LABELS[factor], vertical_align="middle"
                        ),
                        rx.table.cell(_weight_input("weights", factor, "consumer bookings")),
                        rx.table.cell(_weight_input("b2b_weights", factor, "business accounts")),
                    )
                    for factor in WEIGHT_KEYS
                ],
                rx.table.row(
                    rx.table.row_header_cell(
                        rx.text("Total", weight="bold"), vertical_align="middle"
                    ),
                    rx.table.cell(S.consumer_weights_total, id="weights-total"),
                    rx.table.cell(S.b2b_weights_total, id="b2b-weights-total"),
                ),
            ),
            variant="surface",
            size="1",
            id="weights-table",
        ),
        keyed_error(S.errors, "weights", "set-weights-error"),
        keyed_error(S.errors, "b2b_weights", "set-b2b-weights-error"),
        spacing="2",
        width="100%",
    )


def _dispatch_form() -> rx.Component:
    return section_card(
        "Dispatch",
        _grid(*[_field(spec) for spec in forms.DISPATCH_FIELDS]),
        _weights(),
        _save_row(
            "dispatch",
            "Save dispatch",
            S.save_dispatch,
            "The next offer uses these; an offer already out keeps its deadline.",
        ),
        description="Who is offered a job, for how long, and how providers are ranked.",
        id="dispatch-settings",
    )


def _trust_form() -> rx.Component:
    return section_card(
        "Trust & referrals",
        _grid(*[_field(spec) for spec in forms.TRUST_FIELDS]),
        _save_row(
            "trust",
            "Save trust and referrals",
            S.save_trust,
            "Applies from the next confirmed payment, completed referral and provider invite.",
        ),
        description="When customers may pay by card, what referrals earn and what new "
        "providers are paid.",
        id="trust-settings",
    )


@admin_page("Settings")
def settings_page() -> rx.Component:
    """The notes that apply to every form, then one form per section."""
    return rx.vstack(
        error_callout(S.error, "error", size="1"),
        rx.cond(
            S.loaded & (S.error == ""),
            rx.vstack(
                rx.callout(APPLIES_NOTE, icon="info", color_scheme="blue", size="1", id="note"),
                rx.cond(
                    ~S.can_change,
                    rx.callout(
                        READ_ONLY_NOTE, icon="lock", color_scheme="gray", size="1", id="read-only"
                    ),
                ),
                rx.text(S.last_change, size="1", color_scheme="gray", id="last-change"),
                _pricing_form(),
                _dispatch_form(),
                _trust_form(),
                spacing="4",
                width="100%",
                max_width="60em",
            ),
            rx.cond(~S.loaded, rx.center(rx.spinner(size="3"), width="100%", padding="3em")),
        ),
        spacing="4",
        width="100%",
    )
