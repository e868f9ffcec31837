"""Referrals for customers: their code to share, their credit, and a friend's code (once)."""

from __future__ import annotations

import reflex as rx

from roadside_console.domain.core.money import format_cents
from roadside_console.domain.referrals.queries import ReferralOverview, referral_overview
from roadside_console.domain.referrals.service import apply_referral_code
from roadside_console.ui.components.forms import error_callout, notice_callout
from roadside_console.ui.shell.layout import customer_page
from roadside_console.ui.shell.session import SessionState


def friend_code_error(code: str) -> str:
    """Say what is wrong with a typed code before asking the server ("" when worth asking)."""
    return "" if code.strip() else "Enter your friend's referral code."


class ReferralsState(SessionState):
    """The customer's code, credit and referral standing, and the friend's-code form."""

    code: str = ""
    credit: str = ""
    reward: str = ""
    referred_by: str = ""
    can_apply: bool = False
    friend_code: str = ""
    error: str = ""
    code_error: str = ""
    notice: str = ""
    busy: bool = False

    def _show(self, overview: ReferralOverview) -> None:
        self.code, self.credit = overview.code, format_cents(overview.credit_cents)
        self.reward, self.referred_by = format_cents(overview.reward_cents), overview.referred_by
        self.can_apply = overview.can_apply

    @rx.event
    async def load(self) -> None:
        """Show the customer's code (issued on the first visit) and their credit."""
        self.friend_code = self.code_error = self.notice = ""
        overview, self.error = await self.run_as_user(referral_overview)
        if overview is not None:
            self._show(overview)

    @rx.event
    def set_friend_code(self, value: str) -> None:
        """Keep the typed code."""
        self.friend_code, self.code_error = value, ""

    @rx.event
    async def apply(self) -> None:
        """Apply a friend's code; the domain says why when it cannot."""
        self.code_error = friend_code_error(self.friend_code)
        if self.code_error:
            return
        self.busy = True
        try:
            _, self.code_error = await self.run_as_user(apply_referral_code, code=self.friend_code)
        finally:
            self.busy = False
        if self.code_error:
            return
        overview, self.error = await self.run_as_user(referral_overview)
        if overview is not None:
            self._show(overview)
        self.friend_code = ""
        self.notice = "Code applied. You both earn credit once your first job is done and paid."


S = ReferralsState


def _own_code() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your referral code", size="4"),
            rx.code(S.code, size="6", id="referral-code"),
            rx.text(
                "Share it with friends. When a friend's first job is done and paid, you both get ",
                S.reward,
                " of credit.",
                size="2",
            ),
            spacing="2",
        ),
        width="100%",
    )


def _credit() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your credit", size="4"),
            rx.heading(S.credit, size="7", id="credit-balance"),
            rx.text("Taken off your next booking automatically.", size="2", color_scheme="gray"),
            spacing="2",
        ),
        width="100%",
    )


def _friend_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Were you referred by a friend?", size="4"),
            rx.cond(
                S.can_apply,
                rx.vstack(
                    rx.el.label(
                        "Your friend's code", html_for="f-referral-code", class_name="field-label"
                    ),
                    rx.hstack(
                        rx.input(
                            id="f-referral-code",
                            value=S.friend_code,
                            on_change=S.set_friend_code,
                            placeholder="e.g. K7M2P9QX",
                            auto_capitalize="characters",
                        ),
                        rx.button("Apply", on_click=S.apply, loading=S.busy, id="apply-referral"),
                        spacing="2",
                    ),
                    rx.cond(
                        S.code_error != "",
                        rx.text(
                            S.code_error,
                            color_scheme="red",
                            size="2",
                            id="referral-error",
                            role="alert",
                        ),
                    ),
                    spacing="2",
                ),
                rx.text(
                    rx.cond(
                        S.referred_by != "",
                        "You joined with " + S.referred_by + "'s code.",
                        "Referral codes are for new customers, before their first completed job.",
                    ),
                    size="2",
                    id="referral-status",
                ),
            ),
            spacing="3",
        ),
        width="100%",
    )


@customer_page("Referrals")
def referrals_page() -> rx.Component:
    """The customer's code, credit and the friend's-code form."""
    return rx.fragment(
        error_callout(S.error),
        notice_callout(S.notice, id_="referral-notice"),
        rx.grid(_own_code(), _credit(), columns=rx.breakpoints(initial="1", sm="2"), spacing="4"),
        _friend_form(),
    )
