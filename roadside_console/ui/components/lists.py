"""List pieces: the search box, the filter selects and the tables that give way to a notice.

The bookings, customers, providers, trust-tier, payments, audit and pricing lists all filter and
show their rows this way, and the detail pages' sections use the compact table; one definition
keeps the search field's name, the filters' labels and the tables' look the same on each, and
the browser tests find them by those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx


def search_form(
    placeholder: str,
    default_value: rx.Var,
    aria_label: str,
    on_submit: Any,
    width: str = "18em",
) -> rx.Component:
    """A search box with its Search button, so every list searches on Enter or a click alike.

    The box is named `search`: the page's handler reads `form["search"]` on submit.
    """
    return rx.form(
        rx.hstack(
            rx.input(
                name="search",
                placeholder=placeholder,
                default_value=default_value,
                aria_label=aria_label,
                width=width,
            ),
            rx.button(rx.icon("search", size=16), "Search", type="submit", variant="soft"),
        ),
        on_submit=on_submit,
    )


def filter_select(
    aria_label: str,
    options: Sequence[tuple[str, str]],
    value: rx.Var,
    on_change: Any,
    min_width: str = "10em",
    trigger_id: str | None = None,
) -> rx.Component:
    """A filter drop-down of `(value, label)` options, named for screen readers by `aria_label`.

    Filters sit in a bar with no visible label, so the name is the trigger's `aria-label`.
    """
    return rx.select.root(
        rx.select.trigger(aria_label=aria_label, min_width=min_width, id=trigger_id),
        rx.select.content(*[rx.select.item(label, value=option) for option, label in options]),
        value=value,
        on_change=on_change,
    )


def filter_bar(*children: rx.Component) -> rx.Component:
    """The row of search box and filters over a list, wrapping onto a second line when narrow."""
    return rx.hstack(*children, spacing="3", width="100%", wrap="wrap", align="center")


def list_table(
    rows: rx.Var,
    row: Callable[[rx.Var], rx.Component],
    headers: Sequence[str | rx.Component],
    table_id: str,
    loaded: rx.Var,
    empty: rx.Component,
) -> rx.Component:
    """The rows in a full-width table, or once loaded with none, `empty` (nothing before that).

    A header is a column title, or a ready header cell where a column needs its own alignment.
    """
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.table.root(
            _header(headers),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
            variant="surface",
            id=table_id,
        ),
        rx.cond(loaded, empty),
    )


def compact_table(
    rows: rx.Var,
    row: Callable[[rx.Var], rx.Component],
    headers: Sequence[str | rx.Component],
    table_id: str,
    empty: rx.Component,
) -> rx.Component:
    """A detail page's small table of `rows` inside its section card, or `empty` with none.

    The detail pages load their sections with the page, so there is no loading state to wait for.
    """
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.table.root(
            _header(headers),
            rx.table.body(rx.foreach(rows, row)),
            size="1",
            width="100%",
            id=table_id,
        ),
        empty,
    )


def _header(headers: Sequence[str | rx.Component]) -> rx.Component:
    """A table's header row: a column title, or a ready header cell for its own alignment."""
    return rx.table.header(
        rx.table.row(
            *[rx.table.column_header_cell(h) if isinstance(h, str) else h for h in headers]
        )
    )
