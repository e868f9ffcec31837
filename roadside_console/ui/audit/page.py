"""Audit log: who did what to which record, when and why; filtered and paged on the server."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import reflex as rx

from roadside_console.domain.audit.queries import (
    MAX_PAGE_SIZE,
    AuditFilters,
    AuditRow,
    audit_filter_options,
    list_audit_entries,
)
from roadside_console.ui.components.common import empty_state
from roadside_console.ui.components.formatting import local_time, status_label
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.components.lists import list_table
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.routes import booking_path
from roadside_console.ui.shell.session import SessionState

ANY = "any"
SYSTEM = "system"


@dataclasses.dataclass(frozen=True)
class Choice:
    """An option of a filter select."""

    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class AuditLine:
    """One entry as the table shows it."""

    when: str
    actor: str
    role: str
    action: str
    target: str
    target_link: str
    reason: str
    changes: str


class AuditState(SessionState):
    """Filters, the page of entries shown and the cursors to move between pages."""

    actor: str = ANY
    action: str = ANY
    target_type: str = ANY
    target_id: str = ""
    start: str = ""
    end: str = ""
    actors: list[Choice] = []
    actions: list[str] = []
    target_types: list[str] = []
    rows: list[AuditLine] = []
    page: int = 1
    has_next: bool = False
    loaded: bool = False
    error: str = ""
    filter_errors: dict[str, str] = {}
    _actor_ids: list[str] = []
    _cursors: list[str] = []  # the cursor that opened each page shown so far ("" for the first)
    _next_cursor: str = ""

    @rx.event
    async def load(self) -> None:
        """Offer the filter choices and show the newest entries."""
        options, self.error = await self.run_as_user(audit_filter_options)
        if options is not None:
            self._actor_ids = [str(user_id) for user_id, _ in options.actors]
            self.actors = [Choice(str(i), name) for i, (_, name) in enumerate(options.actors)]
            self.actions = list(options.actions)
            self.target_types = list(options.target_types)
        await self._first_page()

    @rx.event
    async def set_filter(self, field: str, value: str) -> None:
        """Change a select filter and go back to the newest entries."""
        if field in ("actor", "action", "target_type"):
            setattr(self, field, value)
            await self._first_page()

    @rx.event
    def set_date(self, field: str, value: str) -> None:
        """Keep a typed date (applied with the Apply button)."""
        if field in ("start", "end"):
            setattr(self, field, value)
            self.filter_errors = {}

    @rx.event
    def set_target_id(self, value: str) -> None:
        """Keep the typed target id (applied with the Apply button)."""
        self.target_id = value

    @rx.event
    async def apply(self) -> None:
        """Apply the typed filters."""
        await self._first_page()

    @rx.event
    async def clear(self) -> None:
        """Drop every filter."""
        self.actor = self.action = self.target_type = ANY
        self.target_id = self.start = self.end = ""
        self.filter_errors = {}
        await self._first_page()

    @rx.event
    async def next_page(self) -> None:
        """Show older entries."""
        if self.has_next and self._next_cursor:
            await self._show(self._next_cursor, self.page + 1)

    @rx.event
    async def previous_page(self) -> None:
        """Show newer entries."""
        if self.page > 1:
            await self._show(self._cursors[self.page - 2], self.page - 1)

    async def _first_page(self) -> None:
        await self._show("", 1)

    def _filters(self) -> AuditFilters | None:
        start, end = _parse_date(self.start), _parse_date(self.end)
        errors = {}
        if self.start.strip() and start is None:
            errors["start"] = "Choose a valid date."
        if self.end.strip() and end is None:
            errors["end"] = "Choose a valid date."
        if start and end and end < start:
            errors["end"] = "The end date is before the start date."
        self.filter_errors = errors
        if errors:
            return None
        index = int(self.actor) if self.actor.isdigit() else -1
        return AuditFilters(
            actor_id=(
                uuid.UUID(self._actor_ids[index]) if index in range(len(self._actor_ids)) else None
            ),
            system_only=self.actor == SYSTEM,
            action="" if self.action == ANY else self.action,
            target_type="" if self.target_type == ANY else self.target_type,
            target_id=self.target_id.strip(),
            start=start,
            end=end,
        )

    async def _show(self, cursor: str, page: int) -> None:
        filters = self._filters()
        if filters is None:
            return
        result, self.error = await self.run_as_user(
            list_audit_entries, filters=filters, after=cursor or None, page_size=MAX_PAGE_SIZE
        )
        self.loaded = True
        if result is None:
            return
        self._cursors = [*self._cursors[: page - 1], cursor]
        self.page = page
        self._next_cursor = result.next_cursor or ""
        self.has_next = result.next_cursor is not None
        self.rows = [audit_line(row, result.timezone) for row in result.rows]


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def audit_line(row: AuditRow, tz: str) -> AuditLine:
    """Show an entry on the business clock, with a link when the target is a booking."""
    target = status_label(row.target_type)
    if row.target_id:
        target = f"{target} {row.target_id[:8]}"
    return AuditLine(
        when=local_time(row.created_at, tz, "%b %d, %Y %-I:%M:%S %p"),
        actor=row.actor_name,
        role=status_label(row.actor_role),
        action=row.action,
        target=target,
        target_link=booking_path(row.target_id)
        if row.target_type == "booking" and row.target_id
        else "",
        reason=row.reason or "—",
        changes=" · ".join(f"{key}: {value}" for key, value in row.changes) or "—",
    )


S = AuditState


def _select(label: str, field: str, value: rx.Var, *items: rx.Component) -> rx.Component:
    control_id = f"audit-{field.replace('_', '-')}"
    return rx.vstack(
        rx.text(label, as_="label", html_for=control_id, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(id=control_id, min_width="11em"),
            rx.select.content(*items),
            value=value,
            on_change=lambda v: S.set_filter(field, v),
        ),
        spacing="1",
    )


def _date(label: str, field: str, value: rx.Var) -> rx.Component:
    control_id = f"audit-{field}"
    return rx.vstack(
        rx.text(label, as_="label", html_for=control_id, size="2", weight="medium"),
        rx.input(id=control_id, type="date", value=value, on_change=lambda v: S.set_date(field, v)),
        rx.cond(
            S.filter_errors.contains(field),
            rx.text(S.filter_errors[field], size="1", color_scheme="red", class_name="field-error"),
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        _select(
            "Who",
            "actor",
            S.actor,
            rx.select.item("Anyone", value=ANY),
            rx.select.item("System (automatic)", value=SYSTEM),
            rx.foreach(S.actors, lambda c: rx.select.item(c.label, value=c.value)),
        ),
        _select(
            "Action",
            "action",
            S.action,
            rx.select.item("Any action", value=ANY),
            rx.foreach(S.actions, lambda a: rx.select.item(a, value=a)),
        ),
        _select(
            "Target",
            "target_type",
            S.target_type,
            rx.select.item("Any target", value=ANY),
            rx.foreach(S.target_types, lambda t: rx.select.item(t, value=t)),
        ),
        rx.vstack(
            rx.text(
                "Target id", as_="label", html_for="audit-target-id", size="2", weight="medium"
            ),
            rx.input(
                id="audit-target-id",
                value=S.target_id,
                on_change=S.set_target_id,
                placeholder="Exact id",
                width="16em",
            ),
            spacing="1",
        ),
        _date("From", "start", S.start),
        _date("To", "end", S.end),
        rx.button(rx.icon("filter", size=16), "Apply", on_click=S.apply, id="audit-apply"),
        rx.button("Clear", variant="soft", color_scheme="gray", on_click=S.clear),
        spacing="3",
        align="end",
        wrap="wrap",
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.when, size="2", white_space="nowrap")),
        rx.table.cell(
            rx.vstack(
                rx.text(row.actor, size="2", weight="medium", white_space="nowrap"),
                rx.text(row.role, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.code(row.action, size="1")),
        rx.table.cell(
            rx.cond(
                row.target_link != "",
                rx.link(row.target, href=row.target_link, size="2"),
                rx.text(row.target, size="2"),
            )
        ),
        rx.table.cell(rx.text(row.reason, size="2"), min_width="10em"),
        rx.table.cell(rx.text(row.changes, size="1", color_scheme="gray")),
    )


@admin_page("Audit log")
def audit_page() -> rx.Component:
    """Filters, the newest matching entries, and paging."""
    headers = ["When", "Who", "Action", "Target", "Reason", "Changes"]
    return rx.vstack(
        _filters(),
        error_callout(S.error, id_="error"),
        list_table(
            S.rows,
            _row,
            headers,
            "audit-table",
            S.loaded,
            empty_state("No audit entries match these filters.", "scroll-text"),
        ),
        rx.hstack(
            rx.text(f"Newest first, up to {MAX_PAGE_SIZE} a page.", size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button(
                rx.icon("chevron-left", size=16),
                "Newer",
                variant="soft",
                on_click=S.previous_page,
                disabled=S.page <= 1,
            ),
            rx.text("Page ", S.page, size="2"),
            rx.button(
                "Older",
                rx.icon("chevron-right", size=16),
                variant="soft",
                on_click=S.next_page,
                disabled=~S.has_next,
            ),
            width="100%",
            align="center",
        ),
        spacing="4",
        width="100%",
    )
