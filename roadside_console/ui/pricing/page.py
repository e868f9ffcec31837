"""Pricing desk: the service catalog, time blocks, storm mode and a price calculator.

Every price shown here comes from the domain's pricing rules; the page only parses what is
typed (dollars to cents, "1.25" to basis points) and says what a change will do before it is
made.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from roadside_console.domain.catalog.service import CatalogRow, list_catalog, update_service
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing.preview import calculate_price, preview_storm_change
from roadside_console.domain.pricing.rules import MAX_TOWING_MILES
from roadside_console.domain.pricing.schemas import TimeBlockInput, TimeBlockView
from roadside_console.domain.pricing.service import (
    activate_storm_mode,
    deactivate_storm_mode,
    list_time_blocks,
    save_time_block,
)
from roadside_console.domain.pricing.time_blocks import delete_time_block
from roadside_console.domain.tenants.service import get_tenant
from roadside_console.ui.components.common import empty_state, price_lines
from roadside_console.ui.components.formatting import local_time, parse_dollars
from roadside_console.ui.components.forms import (
    confirm_buttons,
    dialog_buttons,
    error_callout,
    keyed_error,
    labelled,
    labelled_input,
    notice_callout,
    section_card,
)
from roadside_console.ui.components.lists import list_table
from roadside_console.ui.pricing import forms
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

STORM_PRIORITY = 100
CALCULATOR_HOUR = 20  # the default question: "tonight at 20:00"
DOLLARS_HINT = "Enter dollars, like 125 or 125.50."


@dataclasses.dataclass(frozen=True, slots=True)
class PricingSetup:
    """Everything the page lists, read in one unit of work."""

    catalog: list[CatalogRow]
    blocks: list[TimeBlockView]
    timezone: str


def pricing_setup(uow: UnitOfWork, *, actor: Actor) -> PricingSetup:
    """Read the catalog, the time blocks and the tenant's time zone (manage_pricing only)."""
    return PricingSetup(
        catalog=list_catalog(uow, actor=actor),
        blocks=list_time_blocks(uow.session, actor=actor),
        timezone=get_tenant(uow.session, actor.tenant_id).timezone,
    )


@dataclasses.dataclass(frozen=True)
class ServiceLine:
    """A catalog row as the table shows it; `key` indexes the backend id list."""

    key: int
    name: str
    category: str
    base: str
    per_mile: str
    priced_by_mile: bool
    active: bool


@dataclasses.dataclass(frozen=True)
class BlockLine:
    """A time block or storm template as the table shows it."""

    key: int
    name: str
    hours: str
    multiplier: str
    priority: int
    active: bool
    is_storm: bool


@dataclasses.dataclass(frozen=True)
class Choice:
    """An option of a select: its value and its label."""

    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class ChangeLine:
    """One service's price before and after a storm-mode switch."""

    service: str
    before: str
    after: str
    change: str


@dataclasses.dataclass(frozen=True)
class PriceLineView:
    """A line of the calculator's breakdown."""

    label: str
    amount: str


class PricingState(SessionState):
    """Catalog and block tables, the open editor's fields, storm mode and the calculator."""

    timezone: str = "America/New_York"
    services: list[ServiceLine] = []
    blocks: list[BlockLine] = []
    loaded: bool = False
    error: str = ""
    notice: str = ""

    service_dialog_open: bool = False
    svc_key: int = -1
    svc_name: str = ""
    svc_base: str = ""
    svc_per_mile: str = ""
    svc_active: bool = True
    svc_reason: str = ""
    svc_errors: dict[str, str] = {}
    svc_error: str = ""

    block_dialog_open: bool = False
    blk_key: int = -1
    blk_name: str = ""
    blk_start: str = ""
    blk_end: str = ""
    blk_multiplier: str = ""
    blk_priority: str = "10"
    blk_active: bool = True
    blk_errors: dict[str, str] = {}
    blk_error: str = ""

    delete_dialog_open: bool = False
    delete_key: int = -1
    delete_name: str = ""

    storm_choice: str = ""
    storm_reason: str = ""
    storm_errors: dict[str, str] = {}
    storm_dialog_open: bool = False
    storm_turning_on: bool = True
    storm_title: str = ""
    storm_note: str = ""
    storm_changes: list[ChangeLine] = []
    storm_error: str = ""

    calc_service: str = ""
    calc_miles: str = ""
    calc_when: str = ""
    calc_errors: dict[str, str] = {}
    calc_error: str = ""
    calc_lines: list[PriceLineView] = []
    calc_total: str = ""
    calc_note: str = ""

    busy: bool = False
    _catalog: list[CatalogRow] = []
    _time_blocks: list[TimeBlockView] = []

    @rx.var
    def storm_templates(self) -> list[Choice]:
        """The storm templates storm mode can switch on."""
        return [Choice(str(b.key), f"{b.name} ×{b.multiplier}") for b in self.blocks if b.is_storm]

    @rx.var
    def storm_active_name(self) -> str:
        """The storm template in force, or "" when storm mode is off."""
        return next((b.name for b in self.blocks if b.is_storm and b.active), "")

    @rx.var
    def service_choices(self) -> list[Choice]:
        """The services the calculator can price (offered or not)."""
        return [
            Choice(str(s.key), s.name if s.active else f"{s.name} (not offered)")
            for s in self.services
        ]

    @rx.var
    def calc_per_mile(self) -> bool:
        """Whether the chosen calculator service charges by the mile."""
        return any(s.priced_by_mile for s in self.services if str(s.key) == self.calc_service)

    @rx.event
    async def load(self) -> None:
        """Read the catalog and blocks; start the calculator at tonight, 20:00."""
        self.notice = self.error = ""
        self.calc_lines, self.calc_total, self.calc_note, self.calc_errors = [], "", "", {}
        await self._fetch()
        now = utc_now().astimezone(ZoneInfo(self.timezone))
        tonight = now.replace(hour=CALCULATOR_HOUR, minute=0, second=0, microsecond=0)
        if tonight <= now:
            tonight += timedelta(days=1)
        self.calc_when = tonight.strftime("%Y-%m-%dT%H:%M")
        if not self.calc_service and self.services:
            self.calc_service = str(self.services[0].key)

    async def _fetch(self) -> None:
        setup, error = await self.run_as_user(pricing_setup)
        self.loaded = True
        if setup is None:
            self.error = error
            return
        self.timezone = setup.timezone
        self._catalog, self._time_blocks = setup.catalog, setup.blocks
        self.services = [
            ServiceLine(
                key=i,
                name=s.name,
                category=s.category.value.capitalize(),
                base=format_cents(s.base_price_cents),
                per_mile=format_cents(s.per_mile_cents) if s.per_mile_cents else "—",
                priced_by_mile=s.per_mile_cents > 0,
                active=s.active,
            )
            for i, s in enumerate(setup.catalog)
        ]
        self.blocks = [
            BlockLine(
                key=i,
                name=b.name,
                hours=forms.hours_label(b.start_hour, b.end_hour),
                multiplier=forms.multiplier_text(b.multiplier_bp),
                priority=b.priority,
                active=b.active,
                is_storm=b.is_storm,
            )
            for i, b in enumerate(setup.blocks)
        ]
        if self.storm_choice and not any(
            c.value == self.storm_choice for c in self.storm_templates
        ):
            self.storm_choice = ""

    # Catalog editing

    @rx.event
    def edit_service(self, key: int) -> None:
        """Open the editor on one service with its current terms."""
        if key not in range(len(self._catalog)):
            return
        row = self._catalog[key]
        self.svc_key, self.svc_name, self.svc_active = key, row.name, row.active
        self.svc_base = forms.dollars_text(row.base_price_cents)
        self.svc_per_mile = forms.dollars_text(row.per_mile_cents)
        self.svc_reason, self.svc_errors, self.svc_error = "", {}, ""
        self.service_dialog_open = True

    @rx.event
    def set_service_field(self, field: str, value: str) -> None:
        """Keep what is typed in the service editor and clear that field's error."""
        if field in ("name", "base", "per_mile", "reason"):
            setattr(self, f"svc_{field}", value)
            self.svc_errors = {k: v for k, v in self.svc_errors.items() if k != field}

    @rx.event
    def set_service_active(self, value: bool) -> None:
        """Offer the service or stop offering it (saved with the rest)."""
        self.svc_active = value

    @rx.event
    def set_service_dialog_open(self, value: bool) -> None:
        """Open or close the service editor."""
        self.service_dialog_open = value

    @rx.event
    async def save_service(self) -> None:
        """Check the typed prices, then save the service through the catalog use case."""
        base, per_mile = parse_dollars(self.svc_base), parse_dollars(self.svc_per_mile or "0")
        errors = {}
        if not self.svc_name.strip():
            errors["name"] = "Give the service a name."
        if base is None:
            errors["base"] = DOLLARS_HINT
        if per_mile is None:
            errors["per_mile"] = DOLLARS_HINT + " Use 0 when it is not priced by the mile."
        self.svc_errors = errors
        if errors or self.svc_key not in range(len(self._catalog)):
            return
        self.busy = True
        try:
            saved, self.svc_error = await self.run_as_user(
                update_service,
                service_id=self._catalog[self.svc_key].service_id,
                name=self.svc_name,
                base_price_cents=base,
                per_mile_cents=per_mile,
                active=self.svc_active,
                reason=self.svc_reason,
            )
        finally:
            self.busy = False
        if saved is None:
            return
        self.service_dialog_open = False
        offered = "offered" if saved.active else "not offered"
        self.notice = (
            f"Saved {saved.name}: {format_cents(saved.base_price_cents)} base, "
            f"{format_cents(saved.per_mile_cents)} per mile, {offered}. New estimates use it now."
        )
        await self._fetch()

    # Time blocks

    @rx.event
    def new_block(self) -> None:
        """Open an empty time-block editor."""
        self.blk_key, self.blk_name, self.blk_start, self.blk_end = -1, "", "", ""
        self.blk_multiplier, self.blk_priority, self.blk_active = "1.00", "10", True
        self.blk_errors, self.blk_error = {}, ""
        self.block_dialog_open = True

    @rx.event
    def edit_block(self, key: int) -> None:
        """Open the editor on one time block."""
        if key not in range(len(self._time_blocks)):
            return
        block = self._time_blocks[key]
        self.blk_key, self.blk_name = key, block.name
        self.blk_start, self.blk_end = str(block.start_hour), str(block.end_hour)
        self.blk_multiplier = forms.multiplier_text(block.multiplier_bp)
        self.blk_priority, self.blk_active = str(block.priority), block.active
        self.blk_errors, self.blk_error = {}, ""
        self.block_dialog_open = True

    @rx.event
    def set_block_field(self, field: str, value: str) -> None:
        """Keep what is typed in the block editor and clear that field's error."""
        if field in ("name", "start", "end", "multiplier", "priority"):
            setattr(self, f"blk_{field}", value)
            self.blk_errors = {k: v for k, v in self.blk_errors.items() if k != field}

    @rx.event
    def set_block_active(self, value: bool) -> None:
        """Switch the block on or off (saved with the rest)."""
        self.blk_active = value

    @rx.event
    def set_block_dialog_open(self, value: bool) -> None:
        """Open or close the block editor."""
        self.block_dialog_open = value

    @rx.event
    async def save_block(self) -> None:
        """Check the typed fields, then create or update the block through the pricing use case."""
        start = forms.parse_whole(self.blk_start, low=0, high=23)
        end = forms.parse_whole(self.blk_end, low=1, high=24)
        multiplier = forms.parse_multiplier(self.blk_multiplier)
        priority = forms.parse_whole(self.blk_priority, low=0, high=9999)
        errors = {}
        if not self.blk_name.strip():
            errors["name"] = "Give the time block a name."
        if start is None:
            errors["start"] = "A whole hour from 0 to 23."
        if end is None:
            errors["end"] = "A whole hour from 1 to 24 (24 is midnight)."
        if multiplier is None:
            errors["multiplier"] = "A multiplier like 1.25 (up to four decimals)."
        if priority is None:
            errors["priority"] = "A whole number, 0 or more."
        self.blk_errors = errors
        if errors:
            return
        block_id = (
            self._time_blocks[self.blk_key].id
            if self.blk_key in range(len(self._time_blocks))
            else None
        )
        data = TimeBlockInput(
            name=self.blk_name,
            start_hour=start,
            end_hour=end,
            multiplier_bp=multiplier,
            priority=priority,
            active=self.blk_active,
        )
        self.busy = True
        try:
            saved, self.blk_error = await self.run_as_user(
                save_time_block, data=data, block_id=block_id
            )
        finally:
            self.busy = False
        if saved is None:
            return
        self.block_dialog_open = False
        kind = "Storm template" if saved.is_storm else "Time block"
        self.notice = f"{kind} {saved.name} saved. New estimates use it now."
        await self._fetch()

    @rx.event
    def ask_delete_block(self, key: int) -> None:
        """Ask before deleting a block."""
        if key not in range(len(self._time_blocks)):
            return
        block = self._time_blocks[key]
        self.delete_key, self.delete_name, self.delete_dialog_open = key, block.name, True

    @rx.event
    def set_delete_dialog_open(self, value: bool) -> None:
        """Open or close the delete confirmation."""
        self.delete_dialog_open = value

    @rx.event
    async def delete_block(self) -> None:
        """Delete the block the confirmation names."""
        self.delete_dialog_open = False
        if self.delete_key not in range(len(self._time_blocks)):
            return
        deleted, self.error = await self.run_as_user(
            delete_time_block, block_id=self._time_blocks[self.delete_key].id
        )
        self.notice = f"Deleted {deleted.name}." if deleted else ""
        await self._fetch()

    # Storm mode

    @rx.event
    def set_storm_choice(self, value: str) -> None:
        """Choose the storm template to switch on."""
        self.storm_choice = value
        self.storm_errors = {k: v for k, v in self.storm_errors.items() if k != "template"}

    @rx.event
    def set_storm_reason(self, value: str) -> None:
        """Keep the reason typed for the storm-mode change."""
        self.storm_reason = value
        self.storm_errors = {k: v for k, v in self.storm_errors.items() if k != "reason"}

    @rx.event
    def set_storm_dialog_open(self, value: bool) -> None:
        """Open or close the storm confirmation."""
        self.storm_dialog_open = value

    @rx.event
    async def preview_storm_on(self) -> None:
        """Show what switching the chosen template on does to each price, before doing it."""
        errors = {}
        if not self.storm_choice:
            errors["template"] = "Choose a storm template."
        if not self.storm_reason.strip():
            errors["reason"] = "Say why storm mode is changing (it goes in the audit log)."
        self.storm_errors = errors
        if not errors:
            await self._preview_storm(self._block_id(self.storm_choice))

    @rx.event
    async def preview_storm_off(self) -> None:
        """Show what switching storm mode off does to each price, before doing it."""
        self.storm_errors = (
            {}
            if self.storm_reason.strip()
            else {"reason": "Say why storm mode is changing (it goes in the audit log)."}
        )
        if not self.storm_errors:
            await self._preview_storm(None)

    async def _preview_storm(self, template_id: uuid.UUID | None) -> None:
        preview, self.error = await self.run_as_user(preview_storm_change, template_id=template_id)
        if preview is None:
            return
        self.storm_turning_on = template_id is not None
        self.storm_title = (
            f"Switch on {preview.template_name} ×"
            f"{forms.multiplier_text(preview.multiplier_bp or 10000)}?"
            if preview.template_name
            else "Switch storm mode off?"
        )
        when = local_time(preview.at, preview.timezone, "%-I:%M %p")
        self.storm_note = (
            f"Prices for a request made now ({when}, {preview.timezone}), before mileage. "
            "Bookings already made keep their price."
        )
        self.storm_changes = [
            ChangeLine(
                service=c.service_name,
                before=format_cents(c.before_cents),
                after=format_cents(c.after_cents),
                change=_signed(c.after_cents - c.before_cents),
            )
            for c in preview.changes
        ]
        self.storm_error = ""
        self.storm_dialog_open = True

    @rx.event
    async def confirm_storm(self) -> None:
        """Make the storm-mode change the dialog showed."""
        self.busy = True
        try:
            if self.storm_turning_on:
                done, self.storm_error = await self.run_as_user(
                    activate_storm_mode,
                    template_id=self._block_id(self.storm_choice),
                    reason=self.storm_reason,
                )
                message = f"Storm mode on: {done.name}." if done else ""
            else:
                off, self.storm_error = await self.run_as_user(
                    deactivate_storm_mode, reason=self.storm_reason
                )
                message = "Storm mode off." if off is not None else ""
        finally:
            self.busy = False
        if not message:
            return
        self.storm_dialog_open, self.storm_reason = False, ""
        self.notice = message + " New estimates use it now."
        await self._fetch()

    def _block_id(self, key: str) -> uuid.UUID | None:
        index = int(key) if key.isdigit() else -1
        return self._time_blocks[index].id if index in range(len(self._time_blocks)) else None

    # Calculator

    @rx.event
    def set_calc_field(self, field: str, value: str) -> None:
        """Keep a calculator input and clear its error."""
        if field in ("service", "miles", "when"):
            setattr(self, f"calc_{field}", value)
            self.calc_errors = {k: v for k, v in self.calc_errors.items() if k != field}

    @rx.event
    async def calculate(self) -> None:
        """Price the chosen service, distance and time with the real rules."""
        index = int(self.calc_service) if self.calc_service.isdigit() else -1
        known = index in range(len(self._catalog))
        per_mile = known and self._catalog[index].per_mile_cents > 0
        at = forms.parse_local_datetime(self.calc_when, self.timezone)
        miles = (
            forms.parse_whole(self.calc_miles or "0", low=0, high=MAX_TOWING_MILES)
            if per_mile
            else None
        )
        errors = {}
        if not known:
            errors["service"] = "Choose a service."
        if at is None:
            errors["when"] = "Choose a date and time."
        if per_mile and miles is None:
            errors["miles"] = f"Whole miles from 0 to {MAX_TOWING_MILES}."
        self.calc_errors = errors
        if errors or at is None:
            return
        result, self.calc_error = await self.run_as_user(
            calculate_price,
            service_id=self._catalog[index].service_id,
            at=at.astimezone(ZoneInfo("UTC")),
            towing_miles=miles,
        )
        if result is None:
            self.calc_lines, self.calc_total = [], ""
            return
        self.calc_lines = [
            PriceLineView(line.label, format_cents(line.amount_cents))
            for line in result.breakdown.lines
        ]
        self.calc_total = format_cents(result.breakdown.total_cents)
        when = local_time(result.at, result.timezone, "%a %b %-d, %-I:%M %p")
        online = f"{result.providers_online} provider{'s' if result.providers_online != 1 else ''}"
        note = f"{result.service_name} at {when} ({result.timezone}), with {online} online now."
        if not result.service_active:
            note += " This service is not offered right now."
        self.calc_note = note


def _signed(cents: int) -> str:
    if cents == 0:
        return "no change"
    return ("+" if cents > 0 else "") + format_cents(cents)


S = PricingState


def _field(
    label: str | rx.Var, form: str, field: str, set_field: Callable[[str, str], Any], **props: Any
) -> rx.Component:
    """A field of the service, time-block or calculator form, with its inline error.

    Each form keeps a field in `<form>_<field>`, its errors in `<form>_errors` by field name, and
    one `set_field(field, value)` handler; the input's id is `<form>-<field>`.
    """
    return labelled_input(
        label,
        f"{form}-{field.replace('_', '-')}",
        getattr(S, f"{form}_{field}"),
        lambda value: set_field(field, value),
        keyed_error(getattr(S, f"{form}_errors"), field),
        **props,
    )


def _active_badge(active: rx.Var) -> rx.Component:
    return rx.cond(
        active,
        rx.badge("On", color_scheme="green", variant="soft"),
        rx.badge("Off", color_scheme="gray", variant="soft"),
    )


def _service_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.name, weight="medium")),
        rx.table.cell(row.category),
        rx.table.cell(row.base, text_align="right"),
        rx.table.cell(row.per_mile, text_align="right"),
        rx.table.cell(
            rx.cond(
                row.active,
                rx.badge("Offered", color_scheme="green", variant="soft"),
                rx.badge("Not offered", color_scheme="gray", variant="soft"),
            )
        ),
        rx.table.cell(
            rx.button(
                rx.icon("pencil", size=14),
                "Edit",
                size="1",
                variant="soft",
                on_click=S.edit_service(row.key),
                aria_label="Edit " + row.name,
            ),
            text_align="right",
        ),
    )


def _service_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit service"),
            rx.dialog.description(
                "List prices apply to new estimates at once; bookings already made keep theirs.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                _field("Name", "svc", "name", S.set_service_field),
                rx.grid(
                    _field(
                        "Base price ($)",
                        "svc",
                        "base",
                        S.set_service_field,
                        input_mode="decimal",
                        placeholder="125.00",
                    ),
                    _field(
                        "Per-mile price ($)",
                        "svc",
                        "per_mile",
                        S.set_service_field,
                        input_mode="decimal",
                        placeholder="0.00",
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    rx.switch(
                        id="svc-active",
                        checked=S.svc_active,
                        on_change=S.set_service_active,
                    ),
                    rx.text("Offered to customers", as_="label", html_for="svc-active", size="2"),
                    align="center",
                    spacing="2",
                ),
                labelled_input(
                    "Reason (optional, for the audit log)",
                    "svc-reason",
                    S.svc_reason,
                    lambda v: S.set_service_field("reason", v),
                ),
                error_callout(S.svc_error, "svc-error", size="1"),
                dialog_buttons(
                    "Cancel",
                    rx.button("Save service", on_click=S.save_service, loading=S.busy),
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="1em",
            ),
            max_width="32em",
        ),
        open=S.service_dialog_open,
        on_open_change=S.set_service_dialog_open,
    )


def _catalog() -> rx.Component:
    headers = ["Service", "Category", "Base price", "Per mile", "Status", ""]
    return section_card(
        "Service catalog",
        list_table(
            S.services,
            _service_row,
            headers,
            "catalog-table",
            S.loaded,
            empty_state("No services yet.", "tags"),
        ),
        _service_dialog(),
        description="What each service costs before time blocks, storm mode and scarcity.",
        id="catalog",
    )


def _block_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(row.name, weight="medium"),
                rx.cond(row.is_storm, rx.badge("Storm", color_scheme="orange", variant="soft")),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(row.hours),
        rx.table.cell("×", row.multiplier),
        rx.table.cell(row.priority),
        rx.table.cell(_active_badge(row.active)),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    rx.icon("pencil", size=14),
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=S.edit_block(row.key),
                    aria_label="Edit " + row.name,
                ),
                rx.button(
                    rx.icon("trash-2", size=14),
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_delete_block(row.key),
                    aria_label="Delete " + row.name,
                ),
                spacing="2",
                justify="end",
            ),
        ),
    )


def _block_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.blk_key >= 0, "Edit time block", "New time block")),
            rx.dialog.description(
                "Hours are on the business clock (" + S.timezone + "). An end before the start "
                "runs overnight; 0 to 24 is the whole day.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                _field("Name", "blk", "name", S.set_block_field, placeholder="After-Hours"),
                rx.grid(
                    _field(
                        "Start hour",
                        "blk",
                        "start",
                        S.set_block_field,
                        input_mode="numeric",
                        placeholder="18",
                    ),
                    _field(
                        "End hour",
                        "blk",
                        "end",
                        S.set_block_field,
                        input_mode="numeric",
                        placeholder="6",
                    ),
                    _field(
                        "Multiplier",
                        "blk",
                        "multiplier",
                        S.set_block_field,
                        input_mode="decimal",
                        placeholder="1.25",
                    ),
                    _field("Priority", "blk", "priority", S.set_block_field, input_mode="numeric"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    f"The highest priority wins where blocks overlap. {STORM_PRIORITY} or more "
                    "makes a storm template, switched on with storm mode below.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.hstack(
                    rx.switch(id="blk-active", checked=S.blk_active, on_change=S.set_block_active),
                    rx.text("Active", as_="label", html_for="blk-active", size="2"),
                    align="center",
                    spacing="2",
                ),
                error_callout(S.blk_error, "blk-error", size="1"),
                dialog_buttons(
                    "Cancel",
                    rx.button("Save time block", on_click=S.save_block, loading=S.busy),
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="1em",
            ),
            max_width="32em",
        ),
        open=S.block_dialog_open,
        on_open_change=S.set_block_dialog_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", S.delete_name, "?"),
            rx.alert_dialog.description(
                "New estimates stop using it at once. Bookings and estimates already given keep "
                "their price. The deletion is recorded in the audit log.",
                size="2",
            ),
            confirm_buttons(
                "Keep it",
                rx.alert_dialog.action(
                    rx.button("Delete", color_scheme="red", on_click=S.delete_block)
                ),
            ),
            max_width="28em",
        ),
        open=S.delete_dialog_open,
        on_open_change=S.set_delete_dialog_open,
    )


def _time_blocks() -> rx.Component:
    headers = ["Name", "Hours", "Multiplier", "Priority", "Active", ""]
    return section_card(
        "Time blocks",
        rx.hstack(
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=16), "Add time block", variant="soft", on_click=S.new_block
            ),
            width="100%",
        ),
        list_table(
            S.blocks,
            _block_row,
            headers,
            "blocks-table",
            S.loaded,
            empty_state("No time blocks: every hour is priced at ×1.00.", "clock"),
        ),
        _block_dialog(),
        _delete_dialog(),
        description="Multipliers by hour of the day. Storm templates sit on top of the time block.",
        id="time-blocks",
    )


def _storm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.storm_title),
            rx.alert_dialog.description(S.storm_note, size="2"),
            rx.cond(
                S.storm_changes.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Service"),
                            rx.table.column_header_cell("Now", text_align="right"),
                            rx.table.column_header_cell("After", text_align="right"),
                            rx.table.column_header_cell("Change", text_align="right"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.storm_changes,
                            lambda c: rx.table.row(
                                rx.table.cell(c.service),
                                rx.table.cell(c.before, text_align="right"),
                                rx.table.cell(rx.text(c.after, weight="bold"), text_align="right"),
                                rx.table.cell(c.change, text_align="right"),
                            ),
                        )
                    ),
                    width="100%",
                    size="1",
                    margin_top="1em",
                    id="storm-changes",
                ),
                rx.text("No service is offered right now.", size="2", color_scheme="gray"),
            ),
            error_callout(S.storm_error, "storm-error", size="1"),
            confirm_buttons(
                "Not now",
                rx.button(
                    rx.cond(S.storm_turning_on, "Switch storm mode on", "Switch storm mode off"),
                    color_scheme=rx.cond(S.storm_turning_on, "orange", "gray"),
                    on_click=S.confirm_storm,
                    loading=S.busy,
                    id="confirm-storm",
                ),
            ),
            max_width="36em",
        ),
        open=S.storm_dialog_open,
        on_open_change=S.set_storm_dialog_open,
    )


def _storm_mode() -> rx.Component:
    return section_card(
        "Storm mode",
        rx.cond(
            S.storm_active_name != "",
            rx.callout(
                rx.text(rx.text.strong("Storm mode is on: "), S.storm_active_name),
                icon="cloud-lightning",
                color_scheme="orange",
                id="storm-status",
            ),
            rx.callout("Storm mode is off.", icon="sun", color_scheme="gray", id="storm-status"),
        ),
        rx.cond(
            S.storm_templates.length() > 0,
            rx.vstack(
                labelled(
                    "Storm template",
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="Choose a template", id="storm-template", width="100%"
                        ),
                        rx.select.content(
                            rx.foreach(
                                S.storm_templates, lambda c: rx.select.item(c.label, value=c.value)
                            )
                        ),
                        value=S.storm_choice,
                        on_change=S.set_storm_choice,
                    ),
                    keyed_error(S.storm_errors, "template"),
                    for_id="storm-template",
                ),
                labelled_input(
                    "Reason (goes in the audit log)",
                    "storm-reason",
                    S.storm_reason,
                    S.set_storm_reason,
                    keyed_error(S.storm_errors, "reason"),
                    placeholder="e.g. Ice on I-285",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("cloud-lightning", size=16),
                        "Switch on…",
                        color_scheme="orange",
                        on_click=S.preview_storm_on,
                        id="storm-on",
                    ),
                    rx.cond(
                        S.storm_active_name != "",
                        rx.button(
                            "Switch off…",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.preview_storm_off,
                            id="storm-off",
                        ),
                    ),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.loaded,
                rx.text(
                    f"No storm templates yet: add a time block with priority {STORM_PRIORITY} "
                    "or more.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
        ),
        _storm_dialog(),
        description="One storm template at a time multiplies every price on top of the time block.",
        id="storm-mode",
    )


def _calculator() -> rx.Component:
    return section_card(
        "Price calculator",
        rx.grid(
            labelled(
                "Service",
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Choose a service", id="calc-service", width="100%"
                    ),
                    rx.select.content(
                        rx.foreach(
                            S.service_choices, lambda c: rx.select.item(c.label, value=c.value)
                        )
                    ),
                    value=S.calc_service,
                    on_change=lambda v: S.set_calc_field("service", v),
                ),
                keyed_error(S.calc_errors, "service"),
                for_id="calc-service",
            ),
            rx.cond(
                S.calc_per_mile,
                _field(
                    "Towing distance (miles)",
                    "calc",
                    "miles",
                    S.set_calc_field,
                    input_mode="numeric",
                    placeholder="25",
                ),
            ),
            _field(
                "When (" + S.timezone + " time)",
                "calc",
                "when",
                S.set_calc_field,
                type="datetime-local",
            ),
            # beside storm mode (lg and up) the card is half as wide: one field a row there
            columns=rx.breakpoints(initial="1", md="3", lg="1", xl="3"),
            spacing="3",
            width="100%",
        ),
        rx.button(rx.icon("calculator", size=16), "Calculate", on_click=S.calculate, id="calc-go"),
        error_callout(S.calc_error, "calc-error", size="1"),
        rx.cond(
            S.calc_total != "",
            rx.vstack(
                *price_lines(S.calc_lines, S.calc_total, "calc-total"),
                rx.text(S.calc_note, size="1", color_scheme="gray"),
                spacing="2",
                width="100%",
                max_width="32em",
                id="calc-result",
            ),
        ),
        description="What a customer would be quoted, line by line, by the same rules as real estimates.",
        id="calculator",
    )


@admin_page("Pricing")
def pricing_page() -> rx.Component:
    """Messages, then the catalog, time blocks, storm mode and the calculator."""
    return rx.vstack(
        notice_callout(S.notice, id_="notice"),
        error_callout(S.error, "error", size="1"),
        _catalog(),
        _time_blocks(),
        rx.grid(
            _storm_mode(),
            _calculator(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
