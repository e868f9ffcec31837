"""B2B desk: the business accounts (fleets, motor clubs) with their terms and live keys."""

from __future__ import annotations

import dataclasses

import reflex as rx

from roadside_console.domain.b2b.queries import AccountsPage, list_accounts
from roadside_console.ui.components.common import PageTurner, empty_state, pager, pages_for
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.session import SessionState

PAGE_SIZE = 25


@dataclasses.dataclass(frozen=True)
class AccountLine:
    """One business account as the list shows it."""

    name: str
    path: str
    contact: str
    billing_email: str
    terms: str
    status: str
    contracts: int
    live_keys: int


def account_lines(page: AccountsPage) -> list[AccountLine]:
    """Turn a page of accounts into list lines."""
    return [
        AccountLine(
            name=row.name,
            path=routes.b2b_account_path(str(row.account_id)),
            contact=row.contact_name or "—",
            billing_email=row.billing_email,
            terms=f"Net {row.payment_terms_days}",
            status=row.status,
            contracts=row.contracts,
            live_keys=row.live_keys,
        )
        for row in page.rows
    ]


class B2BAccountsState(PageTurner, SessionState):
    """A page of business accounts by name."""

    accounts: list[AccountLine] = []
    total: int = 0
    page: int = 1
    loaded: bool = False
    error: str = ""

    @rx.var
    def page_count(self) -> int:
        """Number of pages of accounts."""
        return pages_for(self.total, PAGE_SIZE)

    @rx.event
    async def load(self) -> None:
        """Open the list at its first page."""
        self.page = 1
        await self._fetch()

    async def _fetch(self) -> None:
        page, self.error = await self.run_as_user(
            list_accounts, page=self.page, page_size=PAGE_SIZE
        )
        self.loaded = True
        if page is None:
            self.accounts, self.total = [], 0
            return
        self.accounts, self.total = account_lines(page), page.total


S = B2BAccountsState


def account_status_badge(status: rx.Var) -> rx.Component:
    """Active accounts book and get keys; suspended ones do neither."""
    return rx.badge(
        rx.cond(status == "active", "Active", "Suspended"),
        color_scheme=rx.cond(status == "active", "green", "gray"),
        variant="soft",
    )


def _row(account: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(account.name, href=account.path, weight="medium")),
        rx.table.cell(account.contact),
        rx.table.cell(account.billing_email),
        rx.table.cell(account.terms),
        rx.table.cell(account_status_badge(account.status)),
        rx.table.cell(account.contracts, text_align="right"),
        rx.table.cell(account.live_keys, text_align="right"),
    )


@admin_page("B2B accounts")
def b2b_accounts_page() -> rx.Component:
    """Every business account; the name opens its contract terms and API keys."""
    headers = [("Account", "left"), ("Contact", "left"), ("Billing email", "left")]
    headers += [("Terms", "left"), ("Status", "left"), ("Contracts", "right")]
    headers += [("Live API keys", "right")]
    return rx.vstack(
        error_callout(S.error, id_="error"),
        rx.cond(
            S.accounts.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h, text_align=a) for h, a in headers]
                        )
                    ),
                    rx.table.body(rx.foreach(S.accounts, _row)),
                    width="100%",
                    variant="surface",
                    id="accounts-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.cond(
                S.loaded & (S.error == ""), empty_state("No business accounts yet.", "building-2")
            ),
        ),
        rx.cond(
            S.page_count > 1,
            pager(S, S.total, " accounts", summary_id="accounts-summary"),
        ),
        spacing="4",
        width="100%",
    )
