"""The fields the dispatcher's phone booking and the customer's wizard both ask for.

Both forms keep their answers in a state with an `errors` dict and an `update(field, value)`
handler, and pick a known place through `choose_place`; the ids (`f-<field>`, `error-<key>`) are
the same on both pages so labels, error announcements and browser tests work alike.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from roadside_console.ui.components.forms import keyed_error, labelled


def state_error(state: type[rx.State], key: str) -> rx.Component:
    """The inline error the form holds for `key` (its id is `error-<key>`)."""
    return keyed_error(
        state.errors,  # type: ignore[attr-defined]
        key,
        id_=f"error-{key.replace('_', '-')}",
    )


def state_labelled(
    state: type[rx.State],
    label: str | rx.Var,
    control: rx.Component,
    *error_keys: str,
    for_id: str = "",
    hint: str = "",
) -> rx.Component:
    """A labelled control with the form's errors for `error_keys` under it."""
    return labelled(
        label,
        control,
        *[state_error(state, key) for key in error_keys],
        for_id=for_id,
        hint=hint,
    )


def state_text(
    state: type[rx.State], field: str, label: str | rx.Var, *error_keys: str, **props: Any
) -> rx.Component:
    """A text input bound to `state.<field>` through `update`, with its label and errors."""
    control_id = f"f-{field.replace('_', '-')}"
    return state_labelled(
        state,
        label,
        rx.input(
            id=control_id,
            value=getattr(state, field),
            on_change=lambda value: state.update(field, value),  # type: ignore[attr-defined]
            width="100%",
            **props,
        ),
        *error_keys,
        for_id=control_id,
    )


def place_picker(
    state: type[rx.State], places: list[tuple[str, float, float]], custom_label: str, hint: str
) -> rx.Component:
    """A select of well-known addresses that fills the address and coordinates in one go."""
    return state_labelled(
        state,
        "Known place",
        rx.select.root(
            rx.select.trigger(id="f-place", width="100%"),
            rx.select.content(
                rx.select.item(custom_label, value="custom"),
                *[
                    rx.select.item(address, value=str(i))
                    for i, (address, _, _) in enumerate(places)
                ],
            ),
            value=state.place,  # type: ignore[attr-defined]
            on_change=state.choose_place,  # type: ignore[attr-defined]
        ),
        for_id="f-place",
        hint=hint,
    )


def coordinates(state: type[rx.State]) -> rx.Component:
    """Latitude and longitude side by side; one error names the pair."""
    return rx.grid(
        state_text(
            state, "lat", "Latitude", "coordinates", debounce_timeout=300, placeholder="33.7628"
        ),
        state_text(state, "lng", "Longitude", debounce_timeout=300, placeholder="-84.3927"),
        columns="2",
        spacing="3",
        width="100%",
    )


def vehicle_fields(
    state: type[rx.State], year_errors: tuple[str, ...] = (), make_errors: tuple[str, ...] = ()
) -> rx.Component:
    """Year, make, model, colour and plate: two columns on a phone, one row on a desk."""
    return rx.grid(
        state_text(state, "year", "Year", *year_errors, input_mode="numeric", placeholder="2019"),
        state_text(state, "make", "Make", *make_errors, placeholder="Honda"),
        state_text(state, "model", "Model", placeholder="Civic"),
        state_text(state, "color", "Color", placeholder="Blue"),
        state_text(state, "plate", "Plate", placeholder="ABC1234"),
        columns=rx.breakpoints(initial="2", md="5"),
        spacing="3",
        width="100%",
    )
