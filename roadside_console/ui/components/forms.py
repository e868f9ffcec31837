"""Form pieces every console page uses: labelled fields, inline errors, section cards, dialogs.

One definition keeps the label-to-control wiring (`html_for`), the error styling and the
dialog button order the same on every page, so keyboard and screen-reader users meet one form.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def field_error(message: rx.Var, id_: str | None = None) -> rx.Component:
    """An inline error under a field, shown while `message` is not empty."""
    return rx.cond(
        message != "",
        rx.text(message, size="2", color_scheme="red", class_name="field-error", id=id_),
    )


def keyed_error(errors: rx.Var, key: str, id_: str | None = None) -> rx.Component:
    """The inline error a state's `errors` dict holds for one field, announced when it appears."""
    return rx.cond(
        errors.contains(key),  # type: ignore[attr-defined]
        rx.text(
            errors[key],  # type: ignore[index]
            size="1",
            color_scheme="red",
            class_name="field-error",
            id=id_,
            role="alert",
        ),
    )


def labelled(
    label: str | rx.Var,
    control: rx.Component,
    *below: rx.Component,
    for_id: str = "",
    hint: str = "",
    **props: object,
) -> rx.Component:
    """A control with its visible label on top, an optional hint and any errors under it."""
    return rx.vstack(
        rx.el.label(label, html_for=for_id, class_name="field-label", margin_bottom="0"),
        control,
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        *below,
        spacing="1",
        width="100%",
        **props,
    )


def labelled_input(
    label: str | rx.Var,
    control_id: str,
    value: rx.Var,
    on_change: Any,
    *below: rx.Component,
    width: str = "100%",
    **props: Any,
) -> rx.Component:
    """A text input bound to `value` under its label, with any errors under it.

    Most fields of the console are this; `control_id` is both the input's id and the label's
    `for`, so the two cannot drift apart. Other input props (`placeholder`, `type`, ...) pass on.
    """
    return labelled(
        label,
        rx.input(id=control_id, value=value, on_change=on_change, width=width, **props),
        *below,
        for_id=control_id,
    )


def dialog_input(
    label: str,
    control_id: str,
    value: rx.Var,
    on_change: Any,
    placeholder: str | rx.Var,
) -> rx.Component:
    """The one text field an alert dialog asks for, set off 1em below the dialog's description."""
    return labelled(
        label,
        rx.input(
            id=control_id,
            value=value,
            on_change=on_change,
            placeholder=placeholder,
            width="100%",
        ),
        for_id=control_id,
        margin_top="1em",
    )


def dialog_text_area(
    label: str,
    control_id: str,
    value: rx.Var,
    on_change: Any,
    placeholder: str,
    *below: rx.Component,
) -> rx.Component:
    """A dialog's free-text reason or note with a medium-weight label, 1em below the description.

    The approval and tier-change dialogs ask for their reason this way; their label is a text
    element (not the field label of `labelled`), so they keep their own piece.
    """
    return rx.vstack(
        rx.text(label, as_="label", html_for=control_id, size="2", weight="medium"),
        rx.text_area(
            id=control_id,
            value=value,
            on_change=on_change,
            placeholder=placeholder,
            width="100%",
        ),
        *below,
        spacing="1",
        width="100%",
        margin_top="1em",
    )


def error_callout(message: rx.Var, id_: str | None = None, **props: object) -> rx.Component:
    """A page- or dialog-level error, shown while `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", id=id_, **props),
    )


def notice_callout(message: rx.Var, id_: str | None = None, **props: object) -> rx.Component:
    """A confirmation that something worked, shown while `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-check", color_scheme="green", id=id_, **props),
    )


def section_card(
    title: str | rx.Var, *children: rx.Component, description: str = "", **props: object
) -> rx.Component:
    """A titled card that groups one part of a page (an optional line says what it is for)."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            rx.text(description, size="2", color_scheme="gray") if description else rx.fragment(),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        **props,
    )


def fact(label: str, *value: rx.Component | rx.Var | str) -> rx.Component:
    """A small grey label over its value, for the fact grids of the detail pages."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(*value, size="2"),
        spacing="0",
        align="start",
    )


def dialog_buttons(keep_label: str, *action: rx.Component, **props: object) -> rx.Component:
    """A form dialog's buttons: close without saving first (Escape too), the action last."""
    return rx.hstack(
        rx.dialog.close(rx.button(keep_label, variant="soft", color_scheme="gray")),
        *action,
        justify="end",
        spacing="3",
        **props,
    )


def confirm_buttons(
    keep_label: str, *confirm: rx.Component, keep_id: str | None = None, **props: object
) -> rx.Component:
    """An alert dialog's buttons: the safe way out first (Escape too), the action last."""
    return rx.hstack(
        rx.alert_dialog.cancel(
            rx.button(keep_label, variant="soft", color_scheme="gray", id=keep_id)
        ),
        *confirm,
        justify="end",
        spacing="3",
        margin_top="1em",
        **props,
    )
