"""The provider's profile (read-only): contact, standing, specialties, rating and credentials."""

from __future__ import annotations

import dataclasses

import reflex as rx

from roadside_console.domain.providers.credentials import kind_label
from roadside_console.domain.providers.profile import OwnCredential, my_profile
from roadside_console.ui.components.common import empty_state
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.shell.layout import provider_page
from roadside_console.ui.shell.session import SessionState

STATE_COLOURS = {"valid": "green", "expiring": "amber", "expired": "red", "replaced": "gray"}
STATUS_NOTES = {
    "pending": "Waiting for the operator to approve your account.",
    "active": "Approved: you can go available for jobs.",
    "inactive": "Deactivated by the operator: you cannot take jobs.",
}


@dataclasses.dataclass(frozen=True)
class CredentialLine:
    """A credential as the profile lists it."""

    title: str
    number: str
    expires: str
    state: str
    colour: str


def rating_text(rating: float | None, reviews: int) -> str:
    """Show a rating like "4.5 ★ from 12 reviews", or say there is none yet."""
    if rating is None:
        return "No reviews yet"
    return f"{rating:.1f} ★ from {reviews} review" + ("" if reviews == 1 else "s")


def credential_line(credential: OwnCredential) -> CredentialLine:
    """Show a credential with its expiry and what that means today."""
    days = credential.days_left
    if credential.state == "replaced":
        state = "Replaced by a renewal"
    elif credential.state == "expired":
        state = f"Expired {-days} day" + ("" if days == -1 else "s") + " ago"
    elif credential.state == "expiring":
        state = (
            "Expires today" if days == 0 else f"Expires in {days} day" + ("" if days == 1 else "s")
        )
    else:
        state = "Valid"
    number = " · ".join(part for part in (credential.number, credential.issuer) if part)
    return CredentialLine(
        title=kind_label(credential.kind),
        number=number,
        expires=credential.expires_on.strftime("%b %d, %Y"),
        state=state,
        colour=STATE_COLOURS.get(credential.state, "gray"),
    )


class ProfileState(SessionState):
    """The provider's own profile, formatted for display."""

    name: str = ""
    phone: str = ""
    email: str = ""
    status: str = ""
    status_note: str = ""
    specialties: list[str] = []
    rating: str = ""
    credentials: list[CredentialLine] = []
    blockers: list[str] = []
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> None:
        """Read the signed-in provider's profile."""
        profile, self.error = await self.run_as_user(my_profile)
        self.loaded = True
        if profile is None:
            return
        self.name, self.phone, self.email = profile.name, profile.phone, profile.email
        self.status = profile.status.capitalize()
        self.status_note = STATUS_NOTES.get(profile.status, "")
        self.specialties = [s.replace("_", " ").capitalize() for s in profile.specialties]
        self.rating = rating_text(profile.rating, profile.review_count)
        self.credentials = [credential_line(c) for c in profile.credentials]
        self.blockers = profile.dispatch_blockers


P = ProfileState


def _fact(label: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="3", id=id_),
        spacing="0",
        width="100%",
    )


def _credential(line: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(line.title, size="2", weight="medium"),
            rx.cond(line.number != "", rx.text(line.number, size="1", color_scheme="gray")),
            rx.text("Expires ", line.expires, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.badge(line.state, color_scheme=line.colour, variant="soft"),
        width="100%",
        align="center",
        padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="profile-credential",
    )


@provider_page("Profile")
def provider_profile_page() -> rx.Component:
    """Who the operator has on file; staff change it, the provider reads it."""
    return rx.vstack(
        error_callout(P.error, width="100%"),
        rx.card(
            rx.vstack(
                rx.heading(P.name, size="5", id="profile-name"),
                rx.hstack(
                    rx.badge(P.status, size="2", id="profile-status"),
                    rx.text(P.status_note, size="1", color_scheme="gray"),
                    align="center",
                    wrap="wrap",
                ),
                _fact("Phone", P.phone, "profile-phone"),
                _fact("Email", P.email, "profile-email"),
                _fact("Rating", P.rating, "profile-rating"),
                rx.vstack(
                    rx.text("Specialties", size="1", color_scheme="gray", weight="medium"),
                    rx.cond(
                        P.specialties.length() > 0,
                        rx.hstack(
                            rx.foreach(P.specialties, lambda s: rx.badge(s, variant="outline")),
                            wrap="wrap",
                            spacing="1",
                        ),
                        rx.text("None on file", size="2", color_scheme="gray"),
                    ),
                    spacing="1",
                    width="100%",
                    id="profile-specialties",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Credentials", size="4"),
                rx.foreach(
                    P.blockers,
                    lambda b: rx.callout(b, icon="octagon-alert", color_scheme="red", size="1"),
                ),
                rx.cond(
                    P.loaded & (P.credentials.length() == 0),
                    empty_state("No licence or insurance on file yet.", "file-badge"),
                    rx.vstack(rx.foreach(P.credentials, _credential), spacing="0", width="100%"),
                ),
                rx.text(
                    "To add or renew a credential, send it to the operator.",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="profile-credentials",
        ),
        rx.button(
            rx.icon("log-out"),
            "Sign out",
            variant="soft",
            color_scheme="gray",
            size="3",
            width="100%",
            on_click=SessionState.sign_out,
            id="sign-out",
        ),
        spacing="3",
        width="100%",
        id="provider-profile",
    )
