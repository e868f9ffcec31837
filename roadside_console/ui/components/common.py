"""Small building blocks shared by the console pages."""

from __future__ import annotations

import reflex as rx


def kpi_card(label: str, value: rx.Var | str, icon: str, testid: str) -> rx.Component:
    """A headline number with its label."""
    return rx.card(
        rx.hstack(
            rx.center(rx.icon(icon, size=22), class_name="kpi-icon"),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray", weight="medium"),
                rx.heading(value, size="7", id=testid, white_space="nowrap"),
                spacing="1",
            ),
            spacing="4",
            align="center",
        ),
        size="2",
        width="100%",
    )


def placeholder_notice(area: str, what: str) -> rx.Component:
    """Say honestly that a page is not built yet, and what it will do."""
    return rx.callout(
        rx.text(
            rx.text.strong(f"Not built yet: {area}. "),
            what,
        ),
        icon="construction",
        color_scheme="amber",
        id="placeholder-notice",
        width="100%",
    )


def empty_state(message: str, icon: str = "inbox") -> rx.Component:
    """A friendly message where a list has no rows."""
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=32, color=rx.color("gray", 9)),
            rx.text(message, color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        padding="2em",
        width="100%",
    )


def status_badge(status: rx.Var | str) -> rx.Component:
    """Colour-coded booking status."""
    return rx.badge(
        rx.match(
            status,
            ("in_progress", "In progress"),
            ("pending", "Pending"),
            ("confirmed", "Confirmed"),
            ("dispatched", "Dispatched"),
            ("completed", "Completed"),
            ("cancelled", "Cancelled"),
            status,
        ),
        color_scheme=rx.match(
            status,
            ("pending", "amber"),
            ("confirmed", "blue"),
            ("dispatched", "violet"),
            ("in_progress", "cyan"),
            ("completed", "green"),
            ("cancelled", "gray"),
            "gray",
        ),
        variant="soft",
        size="2",
    )


def pages_for(total: int, page_size: int) -> int:
    """Pages of `page_size` rows needed for `total` rows: at least one, so a pager never says 0."""
    return max(1, -(-total // page_size))


def rows_shown(page: int, page_size: int, total: int, rows: str, none: str) -> str:
    """Say which rows a page of a list shows, e.g. "41–65 of 1,204 bookings" (`none` for none).

    The list pages word their pager's summary alike; only the name of the rows differs.
    """
    if total == 0:
        return none
    first = (page - 1) * page_size + 1
    last = min(page * page_size, total)
    return f"{first}–{last} of {total:,} {rows}"


class PageTurner(rx.State, mixin=True):
    """The Previous / Next handlers `pager` calls, for a list state that loads a page at a time.

    The list state keeps `page`, has a `page_count` var and an async `_fetch()` that loads the
    rows of `page`; a turn never goes past either end.
    """

    @rx.event
    async def next_page(self) -> None:
        """Show the next page."""
        if self.page < self.page_count:  # type: ignore[attr-defined]
            self.page += 1  # type: ignore[attr-defined]
            await self._fetch()  # type: ignore[attr-defined]

    @rx.event
    async def previous_page(self) -> None:
        """Show the previous page."""
        if self.page > 1:  # type: ignore[attr-defined]
            self.page -= 1  # type: ignore[attr-defined]
            await self._fetch()  # type: ignore[attr-defined]


def pager(
    state: type[rx.State], *summary: rx.Var | str, summary_id: str | None = None
) -> rx.Component:
    """A summary line with Previous / Next buttons for a page state.

    The state has `page`, `page_count` and the `previous_page` / `next_page` handlers; the
    buttons are disabled at either end.
    """
    return rx.hstack(
        rx.text(*summary, size="2", color_scheme="gray", id=summary_id),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            variant="soft",
            on_click=state.previous_page,  # type: ignore[attr-defined]
            disabled=state.page <= 1,  # type: ignore[attr-defined]
        ),
        rx.text("Page ", state.page, " of ", state.page_count, size="2"),  # type: ignore[attr-defined]
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            on_click=state.next_page,  # type: ignore[attr-defined]
            disabled=state.page >= state.page_count,  # type: ignore[attr-defined]
        ),
        width="100%",
        align="center",
    )


def not_found(error: rx.Var, message: str, back_label: str, back_href: str) -> rx.Component:
    """What a detail page shows for an id it cannot open: the error (or `message`) and a way back."""
    return rx.vstack(
        rx.callout(
            rx.cond(error != "", error, message),
            icon="search-x",
            color_scheme="gray",
        ),
        rx.link(back_label, href=back_href),
        spacing="3",
    )


def price_lines(lines: rx.Var, total: rx.Var, total_id: str) -> list[rx.Component]:
    """A price's lines (each with a `label` and an `amount`), a rule, then the bold total.

    The booking page's price and the pricing calculator's quote read the same way.
    """
    return [
        rx.foreach(
            lines,
            lambda line: rx.hstack(
                rx.text(line.label, size="2"),
                rx.spacer(),
                rx.text(line.amount, size="2"),
                width="100%",
            ),
        ),
        rx.separator(),
        rx.hstack(
            rx.text("Total", weight="bold"),
            rx.spacer(),
            rx.text(total, weight="bold", id=total_id),
            width="100%",
        ),
    ]
