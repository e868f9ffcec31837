"""The sign-in page: workspace, email, password; one generic error on failure."""

from __future__ import annotations

import reflex as rx

from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.identity import service as identity
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.run import run_use_case
from roadside_console.ui.shell.session import SessionState


class LoginState(SessionState):
    """Form state of the sign-in page."""

    workspace: str = get_settings().default_tenant
    error: str = ""
    busy: bool = False

    @rx.event
    async def submit(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Sign in and go to the role's home (or the page that sent us here)."""
        self.error = ""
        email, password = form.get("email", "").strip(), form.get("password", "")
        workspace = form.get("workspace", "").strip() or self.workspace
        if not email or not password:
            self.error = "Enter your email and password."
            return
        self.busy = True
        yield
        try:
            signed_in = await run_use_case(
                identity.sign_in,
                tenant_slug=workspace,
                email=email,
                password=password,
                ip_address=self.router.session.client_ip or "unknown",
                user_agent=self.router.headers.user_agent,
            )
        except DomainError as error:
            self.error = error.message
            return
        finally:
            self.busy = False
        self.workspace = workspace
        self.session_token = signed_in.session_token
        target = routes.safe_next(self.router.url.query_parameters.get("next"))
        yield rx.redirect(target or routes.home_for(signed_in.actor.role))


def login_page() -> rx.Component:
    """Render the sign-in form."""
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("truck", size=28, color=rx.color("orange", 9)),
                        rx.heading("RoadSide Console", size="6"),
                        align="center",
                    ),
                    rx.text("Sign in to your workspace", color_scheme="gray"),
                    rx.el.label("Workspace", html_for="workspace", class_name="field-label"),
                    rx.input(
                        id="workspace",
                        name="workspace",
                        default_value=LoginState.workspace,
                        size="3",
                        width="100%",
                        auto_complete="organization",
                    ),
                    rx.el.label("Email", html_for="email", class_name="field-label"),
                    rx.input(
                        id="email",
                        name="email",
                        type="email",
                        size="3",
                        width="100%",
                        auto_complete="username",
                        required=True,
                    ),
                    rx.el.label("Password", html_for="password", class_name="field-label"),
                    rx.input(
                        id="password",
                        name="password",
                        type="password",
                        size="3",
                        width="100%",
                        auto_complete="current-password",
                        required=True,
                    ),
                    error_callout(LoginState.error, id_="login-error", role="alert", width="100%"),
                    rx.button(
                        "Sign in",
                        type="submit",
                        size="3",
                        width="100%",
                        loading=LoginState.busy,
                        id="sign-in",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=LoginState.submit,
            ),
            size="4",
            width="100%",
            max_width="26em",
        ),
        min_height="100vh",
        padding="1em",
    )


def forbidden_page() -> rx.Component:
    """Tell a signed-in user this page is not for their role (HTTP 403 in spirit)."""
    return rx.center(
        rx.vstack(
            rx.heading("403 — not for your role", size="7", id="page-title"),
            rx.text("You are signed in, but this page belongs to another part of the console."),
            rx.hstack(
                rx.link(rx.button("Go to my home page"), href="/"),
                rx.button("Sign out", variant="soft", on_click=SessionState.sign_out),
            ),
            align="center",
            spacing="4",
        ),
        min_height="100vh",
    )
