"""Provider earnings (phone first): today, this week, this month, and every line behind them."""

from __future__ import annotations

import dataclasses

import reflex as rx

from roadside_console.domain.core.money import format_cents
from roadside_console.domain.payouts.earnings import EarningLine, PeriodEarnings, provider_earnings
from roadside_console.ui.components.common import PageTurner, empty_state, pages_for
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.shell.layout import provider_page
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 20
KIND_LABELS = {"earning": "Job", "clawback": "Refund clawback", "bonus": "Bonus"}
STATUS_LABELS = {"pending": "Pending", "held": "Held", "paid": "Paid", "cancelled": "Cancelled"}
STATUS_COLOURS = {"pending": "amber", "held": "orange", "paid": "green", "cancelled": "gray"}


@dataclasses.dataclass(frozen=True)
class PeriodCard:
    """One period's figures as its card shows them."""

    label: str
    net: str
    pending: str
    paid: str
    jobs: str


@dataclasses.dataclass(frozen=True)
class HistoryRow:
    """One earnings line as the history shows it."""

    title: str
    detail: str
    amount: str
    status: str
    colour: str
    when: str


def period_card(label: str, period: PeriodEarnings) -> PeriodCard:
    """Show a period: the net in large, then what is still pending and what was paid."""
    jobs = period.jobs
    return PeriodCard(
        label=label,
        net=format_cents(period.net_cents),
        pending=format_cents(period.pending_cents),
        paid=format_cents(period.paid_cents),
        jobs=f"{jobs} job" + ("" if jobs == 1 else "s"),
    )


def history_row(line: EarningLine, tz: str) -> HistoryRow:
    """Show a line: the booking and service, the signed amount, its status and when."""
    kind = KIND_LABELS.get(line.kind, line.kind.capitalize())
    title = f"{line.booking_reference} · {line.service_name}" if line.booking_reference else kind
    detail = kind if line.booking_reference else "Not tied to a booking"
    when = local_time(line.created_at, tz)
    if line.status == "paid" and line.paid_at is not None:
        when = f"{when} · paid {local_time(line.paid_at, tz, '%b %d')}"
    return HistoryRow(
        title=title,
        detail=detail,
        amount=format_cents(line.amount_cents),
        status=STATUS_LABELS.get(line.status, line.status.capitalize()),
        colour=STATUS_COLOURS.get(line.status, "gray"),
        when=when,
    )


class EarningsState(PageTurner, SessionState):
    """The three period cards and one page of history, formatted for display."""

    periods: list[PeriodCard] = []
    history: list[HistoryRow] = []
    page: int = 1
    total: int = 0
    loaded: bool = False
    error: str = ""

    @rx.var
    def page_count(self) -> int:
        """Pages of history."""
        return pages_for(self.total, PAGE_SIZE)

    @rx.event
    async def load(self) -> None:
        """Open at the newest lines."""
        self.page = 1
        await self._fetch()

    async def _fetch(self) -> None:
        view, self.error = await self.run_as_user(
            provider_earnings, page=self.page, page_size=PAGE_SIZE
        )
        self.loaded = True
        if view is None:
            return
        self.periods = [
            period_card("Today", view.today),
            period_card("This week", view.week),
            period_card("This month", view.month),
        ]
        self.history = [history_row(line, view.timezone) for line in view.lines]
        self.total = view.total_lines


E = EarningsState


def _period(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(card.label, size="2", weight="medium", color_scheme="gray"),
                rx.spacer(),
                rx.text(card.jobs, size="1", color_scheme="gray"),
                width="100%",
            ),
            rx.heading(card.net, size="7"),
            rx.text("Pending ", card.pending, " · paid ", card.paid, size="1", color_scheme="gray"),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="earnings-period",
    )


def _line(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.title, size="2", weight="medium"),
            rx.text(row.detail, " · ", row.when, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.vstack(
            rx.text(row.amount, size="3", weight="bold"),
            rx.badge(row.status, color_scheme=row.colour, variant="soft", size="1"),
            spacing="1",
            align="end",
        ),
        width="100%",
        padding_y="0.6em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="earnings-line",
    )


@provider_page("Earnings")
def provider_earnings_page() -> rx.Component:
    """Three period cards, then the history with paging; money is what the provider keeps."""
    return rx.vstack(
        error_callout(E.error, width="100%"),
        rx.foreach(E.periods, _period),
        rx.text(
            "Net of refund clawbacks. Pending includes lines held while a payment is disputed.",
            size="1",
            color_scheme="gray",
        ),
        rx.heading("History", size="4", margin_top="0.5em"),
        rx.cond(
            E.loaded & (E.history.length() == 0),
            empty_state("No earnings yet. Completed, paid jobs appear here.", "wallet"),
            rx.vstack(rx.foreach(E.history, _line), spacing="0", width="100%"),
        ),
        rx.cond(
            E.page_count > 1,
            rx.hstack(
                rx.button(
                    "Newer",
                    size="3",
                    variant="soft",
                    on_click=E.previous_page,
                    disabled=E.page <= 1,
                ),
                rx.text("Page ", E.page, " of ", E.page_count, size="2"),
                rx.button(
                    "Older",
                    size="3",
                    variant="soft",
                    on_click=E.next_page,
                    disabled=E.page >= E.page_count,
                ),
                justify="between",
                align="center",
                width="100%",
                id="earnings-pager",
            ),
        ),
        spacing="3",
        width="100%",
        id="provider-earnings",
    )
