"""Payouts desk: what each provider is owed, clawbacks, running a batch, and past batches."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import reflex as rx

from roadside_console.domain.core.money import format_cents
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.export import export_batch_csv
from roadside_console.domain.payouts.queries import (
    BatchHistoryPage,
    ClawbackRow,
    PendingPayoutsPage,
    outstanding_clawbacks,
    payout_batch,
    payout_batch_history,
    pending_payouts_by_provider,
)
from roadside_console.ui.components.common import PageTurner, empty_state, kpi_card, pages_for
from roadside_console.ui.components.formatting import local_time
from roadside_console.ui.components.forms import confirm_buttons, error_callout
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 10


@dataclasses.dataclass(frozen=True)
class OwedRow:
    """A provider's unpaid lines."""

    provider: str
    lines: int
    earned: str
    clawbacks: str
    held: str
    net: str


@dataclasses.dataclass(frozen=True)
class ClawbackLine:
    """A pending clawback."""

    provider: str
    booking: str
    amount: str
    when: str


@dataclasses.dataclass(frozen=True)
class PaidLine:
    """What one provider got in the batch."""

    provider: str
    amount: str
    reference: str


@dataclasses.dataclass(frozen=True)
class PastBatch:
    """One past batch in the history, with what the CSV button needs."""

    batch_id: str
    reference: str
    when: str
    run_by: str
    period: str
    providers: int
    total: str


def batch_reference(batch_id: uuid.UUID | str) -> str:
    """Return the short name a batch goes by on the page and in its CSV file name."""
    return str(batch_id)[:8].upper()


def batch_period(start: date | None, end: date | None) -> str:
    """Say which local days a batch paid for; most batches pay everything pending."""
    if start is None and end is None:
        return "Everything pending"
    return f"{start.strftime('%b %d') if start else '…'} – {end.strftime('%b %d') if end else '…'}"


def past_batches(history: BatchHistoryPage) -> list[PastBatch]:
    """Turn a page of batches into history lines on the operator's clock."""
    return [
        PastBatch(
            batch_id=str(row.batch_id),
            reference=batch_reference(row.batch_id),
            when=local_time(row.created_at, history.timezone),
            run_by=row.run_by or "Scheduled run",
            period=batch_period(row.period_start, row.period_end),
            providers=row.provider_count,
            total=format_cents(row.total_cents),
        )
        for row in history.rows
    ]


class PayoutsState(PageTurner, SessionState):
    """Pending payouts, clawbacks, and the batch run from this page (with its progress)."""

    owed: list[OwedRow] = []
    providers: int = 0
    pending_net: str = "—"
    clawback_total: str = "—"
    clawbacks: list[ClawbackLine] = []
    page: int = 1
    loaded: bool = False
    error: str = ""
    running: bool = False
    progress: int = 0
    progress_text: str = ""
    batch_title: str = ""
    batch_total: str = ""
    batch_lines: list[PaidLine] = []
    history: list[PastBatch] = []
    history_page: int = 1
    history_total: int = 0
    _batch_id: str = ""

    @rx.var
    def page_count(self) -> int:
        """Number of pages of providers."""
        return pages_for(self.providers, PAGE_SIZE)

    @rx.var
    def history_page_count(self) -> int:
        """Number of pages of past batches."""
        return pages_for(self.history_total, HISTORY_PAGE_SIZE)

    @rx.event
    async def load(self) -> None:
        """Open the page with nothing run yet."""
        self.page, self.error, self.progress_text = 1, "", ""
        self.batch_title, self.batch_lines, self._batch_id = "", [], ""
        self.history_page = 1
        await self._fetch()
        await self._fetch_history()

    async def _fetch_history(self) -> None:
        history, error = await self.run_as_user(
            payout_batch_history, page=self.history_page, page_size=HISTORY_PAGE_SIZE
        )
        if history is None:
            self.error = self.error or error
            return
        self.history, self.history_total = past_batches(history), history.total

    async def _fetch(self) -> None:
        self._show(*await self._read())

    async def _read(self) -> tuple[PendingPayoutsPage | None, list[ClawbackRow], str]:
        pending, error = await self.run_as_user(
            pending_payouts_by_provider, page=self.page, page_size=PAGE_SIZE
        )
        clawbacks, _ = await self.run_as_user(outstanding_clawbacks)
        return pending, clawbacks or [], error

    def _show(
        self, pending: PendingPayoutsPage | None, clawbacks: list[ClawbackRow], error: str
    ) -> None:
        self.loaded = True
        if pending is None:
            self.error = error
            return
        tz = pending.timezone
        self.providers = pending.total_providers
        self.pending_net = format_cents(pending.pending_net_cents)
        self.clawback_total = format_cents(pending.clawback_cents)
        self.owed = [
            OwedRow(
                provider=r.provider_name,
                lines=r.lines,
                earned=format_cents(r.earned_cents),
                clawbacks=format_cents(r.clawback_cents) if r.clawback_cents else "—",
                held=format_cents(r.held_cents) if r.held_cents else "—",
                net=format_cents(r.net_cents),
            )
            for r in pending.rows
        ]
        self.clawbacks = [
            ClawbackLine(
                provider=c.provider_name,
                booking=c.booking_reference,
                amount=format_cents(c.amount_cents),
                when=local_time(c.created_at, tz, "%b %d"),
            )
            for c in clawbacks
        ]

    @rx.event(background=True)
    async def run_batch(self) -> None:
        """Pay everything pending in one batch; the page shows each step as it happens."""
        async with self:
            if self.running:
                return
            self.running, self.error = True, ""
            self.progress, self.progress_text = 20, "Checking what is pending…"
        try:
            async with self:
                self.progress, self.progress_text = 50, "Paying providers (one transaction)…"
            result, error = await self.run_as_user(run_payout_batch)
            if result is None:
                async with self:
                    self.error, self.progress_text = error, ""
                return
            async with self:
                self.progress, self.progress_text = 80, "Preparing the transfer file…"
            view, _ = await self.run_as_user(payout_batch, batch_id=result.batch_id)
            page = await self._read()
            async with self:
                self._batch_id = str(result.batch_id)
                self.batch_total = format_cents(result.total_cents)
                if view is not None:
                    when = local_time(view.created_at, view.timezone)
                    self.batch_title = f"Batch {batch_reference(self._batch_id)} · {when}"
                    self.batch_lines = [
                        PaidLine(
                            line.provider_name,
                            format_cents(line.net_cents),
                            line.transfer_reference,
                        )
                        for line in view.lines
                    ]
                self.progress = 100
                self.progress_text = (
                    f"Paid {result.provider_count} providers "
                    f"{format_cents(result.total_cents)} in total."
                )
                self._show(*page)
                self.history_page = 1
                await self._fetch_history()
        finally:
            async with self:
                self.running = False

    async def _csv_of(self, batch_id: str) -> rx.event.EventSpec | None:
        try:
            parsed = uuid.UUID(batch_id)
        except ValueError:
            self.error = "No such payout batch."
            return None
        csv, self.error = await self.run_as_user(export_batch_csv, batch_id=parsed)
        if csv is None:
            return None
        return rx.download(
            data=csv, filename=f"payout-batch-{batch_id[:8]}.csv", mime_type="text/csv"
        )

    @rx.event
    async def download_csv(self) -> rx.event.EventSpec | None:
        """Download the bank-transfer CSV of the batch just run."""
        if not self._batch_id:
            return None
        return await self._csv_of(self._batch_id)

    @rx.event
    async def download_past_csv(self, batch_id: str) -> rx.event.EventSpec | None:
        """Download a past batch's CSV again (the export checks the role and the tenant)."""
        return await self._csv_of(batch_id)

    @rx.event
    async def next_history_page(self) -> None:
        """Show older batches."""
        if self.history_page < self.history_page_count:
            self.history_page += 1
            await self._fetch_history()

    @rx.event
    async def previous_history_page(self) -> None:
        """Show newer batches."""
        if self.history_page > 1:
            self.history_page -= 1
            await self._fetch_history()


S = PayoutsState


def _run_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("banknote"),
                "Run payout batch",
                size="3",
                loading=S.running,
                disabled=S.providers == 0,
                id="run-batch",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Pay ", S.pending_net, " to ", S.providers, " providers?"),
            rx.alert_dialog.description(
                "Every pending payout is marked paid and clawbacks are netted against it. "
                "Held payouts wait. This cannot be undone.",
                size="2",
            ),
            confirm_buttons(
                "Not now",
                rx.alert_dialog.action(rx.button("Run batch", on_click=S.run_batch)),
            ),
            max_width="28em",
        ),
    )


def _owed_table() -> rx.Component:
    headers = ["Provider", "Lines", "Earned", "Clawbacks", "Held (disputes)", "Net to pay"]
    return rx.cond(
        S.owed.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(
                rx.foreach(
                    S.owed,
                    lambda r: rx.table.row(
                        rx.table.cell(rx.text(r.provider, weight="medium")),
                        rx.table.cell(r.lines),
                        rx.table.cell(r.earned),
                        rx.table.cell(r.clawbacks),
                        rx.table.cell(r.held),
                        rx.table.cell(rx.text(r.net, weight="bold")),
                    ),
                )
            ),
            width="100%",
            variant="surface",
            id="owed-table",
        ),
        rx.cond(S.loaded, empty_state("Nothing is pending: every provider is paid up.", "check")),
    )


def _batch_result() -> rx.Component:
    return rx.cond(
        S.progress_text != "",
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(
                        rx.cond(S.batch_title != "", S.batch_title, "Payout batch"), size="4"
                    ),
                    rx.spacer(),
                    rx.cond(
                        S.batch_lines.length() > 0,
                        rx.button(
                            rx.icon("download"),
                            "Download CSV",
                            variant="soft",
                            on_click=S.download_csv,
                            id="download-csv",
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.progress(value=S.progress, width="100%"),
                rx.text(S.progress_text, size="2", id="batch-progress"),
                rx.cond(
                    S.batch_lines.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Provider"),
                                rx.table.column_header_cell("Transfer reference"),
                                rx.table.column_header_cell("Paid", text_align="right"),
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                S.batch_lines,
                                lambda line: rx.table.row(
                                    rx.table.cell(line.provider),
                                    rx.table.cell(rx.code(line.reference)),
                                    rx.table.cell(line.amount, text_align="right"),
                                ),
                            )
                        ),
                        width="100%",
                        size="1",
                        id="batch-table",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="batch-result",
        ),
    )


def _clawbacks() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Outstanding clawbacks", size="4"),
            rx.text(
                "Money providers owe back after refunds; the next batch nets it against their pay.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                S.clawbacks.length() > 0,
                rx.table.root(
                    rx.table.body(
                        rx.foreach(
                            S.clawbacks,
                            lambda c: rx.table.row(
                                rx.table.cell(c.when),
                                rx.table.cell(c.provider),
                                rx.table.cell(c.booking),
                                rx.table.cell(c.amount, text_align="right"),
                            ),
                        )
                    ),
                    width="100%",
                    size="1",
                ),
                rx.text("None.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _past_batch_row(batch: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(batch.when, weight="medium"),
                rx.code(batch.reference, size="1"),
                spacing="1",
            )
        ),
        rx.table.cell(batch.run_by),
        rx.table.cell(batch.period),
        rx.table.cell(batch.providers, text_align="right"),
        rx.table.cell(rx.text(batch.total, weight="bold"), text_align="right"),
        rx.table.cell(
            rx.button(
                rx.icon("download", size=14),
                "CSV",
                size="1",
                variant="soft",
                on_click=S.download_past_csv(batch.batch_id),
                aria_label="Download the CSV of batch " + batch.reference,
                id="csv-" + batch.reference,
            ),
            text_align="right",
        ),
        id="batch-" + batch.reference,
    )


def _history() -> rx.Component:
    headers = [("When", "left"), ("Run by", "left"), ("Period", "left"), ("Providers", "right")]
    headers += [("Total", "right"), ("Transfer file", "right")]
    return rx.card(
        rx.vstack(
            rx.heading("Batch history", size="4"),
            rx.cond(
                S.history.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h, text_align=align)
                                    for h, align in headers
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(S.history, _past_batch_row)),
                        width="100%",
                        size="1",
                        id="history-table",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                rx.cond(
                    S.loaded, rx.text("No batch has been run yet.", size="2", color_scheme="gray")
                ),
            ),
            rx.cond(
                S.history_page_count > 1,
                rx.hstack(
                    rx.text(S.history_total, " batches", size="2", color_scheme="gray"),
                    rx.spacer(),
                    rx.button(
                        "Newer",
                        variant="soft",
                        on_click=S.previous_history_page,
                        disabled=S.history_page <= 1,
                    ),
                    rx.text("Page ", S.history_page, " of ", S.history_page_count, size="2"),
                    rx.button(
                        "Older",
                        variant="soft",
                        on_click=S.next_history_page,
                        disabled=S.history_page >= S.history_page_count,
                    ),
                    width="100%",
                    align="center",
                    id="history-pager",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="batch-history",
    )


@admin_page("Payouts")
def payouts_page() -> rx.Component:
    """Totals, the run button, the batch result, who is owed, the clawbacks, past batches."""
    return rx.vstack(
        rx.grid(
            kpi_card("Pending to pay (net)", S.pending_net, "wallet", "kpi-pending-net"),
            kpi_card("Outstanding clawbacks", S.clawback_total, "undo-2", "kpi-clawbacks"),
            rx.card(
                rx.vstack(
                    rx.text("Pay everyone pending now", size="2", color_scheme="gray"),
                    _run_dialog(),
                    spacing="2",
                ),
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
        ),
        error_callout(S.error, id_="error"),
        _batch_result(),
        rx.heading("Owed by provider", size="4"),
        _owed_table(),
        rx.cond(
            S.page_count > 1,
            rx.hstack(
                rx.spacer(),
                rx.button("Previous", variant="soft", on_click=S.previous_page),
                rx.text("Page ", S.page, " of ", S.page_count, size="2"),
                rx.button("Next", variant="soft", on_click=S.next_page),
                width="100%",
                align="center",
            ),
        ),
        _clawbacks(),
        _history(),
        spacing="4",
        width="100%",
    )
