"""Joining as a provider from the invite email: choose a password, land in the portal."""

from __future__ import annotations

import reflex as rx

from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.identity import service as identity
from roadside_console.domain.identity.passwords import MIN_PASSWORD_LENGTH
from roadside_console.domain.providers import onboarding
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.run import run_use_case
from roadside_console.ui.shell.session import SessionState


def join_form_error(password: str, confirm: str) -> str:
    """Say what is wrong with the chosen password before asking the server ("" when fine)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password != confirm:
        return "The two passwords differ."
    return ""


class JoinState(SessionState):
    """The invite form; the token comes from the link and stays on the server."""

    error: str = ""
    busy: bool = False
    _token: str = ""

    @rx.event
    def load(self) -> None:
        """Keep the invite token from the link."""
        self._token = self.router.url.query_parameters.get("token", "")
        self.error = "" if self._token else "This link is incomplete. Open it from the email again."

    @rx.event
    async def submit(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Create the provider account, sign in, and open the provider's jobs."""
        password, confirm = form.get("password", ""), form.get("confirm", "")
        self.error = join_form_error(password, confirm)
        if self.error:
            return
        self.busy = True
        yield
        try:
            joined = await run_use_case(
                onboarding.accept_provider_invite, token=self._token, password=password
            )
            signed_in = await run_use_case(
                identity.sign_in,
                tenant_slug=joined.tenant_slug,
                email=joined.email,
                password=password,
                ip_address=self.router.session.client_ip or "unknown",
                user_agent=self.router.headers.user_agent,
            )
        except DomainError as error:
            self.error = error.message
            return
        finally:
            self.busy = False
        self.session_token = signed_in.session_token
        yield rx.redirect(routes.PROVIDER_HOME)


def _password_field(name: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="field-label"),
        rx.input(
            id=name,
            name=name,
            type="password",
            size="3",
            width="100%",
            auto_complete="new-password",
            required=True,
            min_length=MIN_PASSWORD_LENGTH,
        ),
        spacing="1",
        width="100%",
    )


def join_page() -> rx.Component:
    """The page the invite email links to (/provider/join?token=...)."""
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("truck", size=28, color=rx.color("orange", 9)),
                        rx.heading("Join as a provider", size="6", id="page-title"),
                        align="center",
                    ),
                    rx.text(
                        "Choose a password. You can take jobs once the team has approved you.",
                        color_scheme="gray",
                    ),
                    _password_field("password", "Password"),
                    _password_field("confirm", "Password again"),
                    error_callout(JoinState.error, id_="join-error", role="alert", width="100%"),
                    rx.button(
                        "Join and open my jobs",
                        type="submit",
                        size="3",
                        width="100%",
                        loading=JoinState.busy,
                        id="join",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=JoinState.submit,
            ),
            size="4",
            width="100%",
            max_width="26em",
        ),
        min_height="100vh",
        padding="1em",
    )
