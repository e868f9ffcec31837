"""The promote/demote confirmation both the customer page and the trust page use."""

from __future__ import annotations

from typing import Any

import reflex as rx

from roadside_console.domain.trust.rules import MAX_TIER, MIN_TIER
from roadside_console.ui.components.forms import dialog_buttons, dialog_text_area

REASON_REQUIRED = "Give a reason for the change; it goes into the audit log."


def tier_change_words(current_tier: int) -> tuple[int, str]:
    """Return the tier a change moves to and its verb: tier 1 is promoted, tier 2 demoted."""
    if current_tier >= MAX_TIER:
        return MIN_TIER, "Demote"
    return MAX_TIER, "Promote"


def tier_change_dialog(
    *,
    open_: rx.Var,
    on_open_change: Any,
    customer: rx.Var,
    verb: rx.Var,
    target_tier: rx.Var,
    reason: rx.Var,
    on_reason: Any,
    error: rx.Var,
    on_confirm: Any,
    busy: rx.Var,
) -> rx.Component:
    """A dialog that says what the change allows and asks for the reason before doing it."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(verb, " ", customer, " to tier ", target_tier, "?"),
            rx.dialog.description(
                rx.cond(
                    target_tier == MAX_TIER,
                    "Tier 2 customers may also pay by card.",
                    "Tier 1 customers pay by cash, CashApp or Zelle only.",
                ),
                size="2",
            ),
            dialog_text_area(
                "Reason",
                "tier-reason",
                reason,
                on_reason,
                "e.g. Long-standing fleet customer",
                rx.cond(error != "", rx.text(error, color_scheme="red", size="2", id="tier-error")),
            ),
            dialog_buttons(
                "Keep tier",
                rx.button(verb, on_click=on_confirm, loading=busy, id="confirm-tier"),
                margin_top="1em",
            ),
            max_width="28em",
        ),
        open=open_,
        on_open_change=on_open_change,
    )
