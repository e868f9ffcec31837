"""Page frames: the admin console with its sidebar, the mobile provider portal, the customer area."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from roadside_console.ui.shell import routes
from roadside_console.ui.shell.navigation import ADMIN_SECTIONS
from roadside_console.ui.shell.session import SessionState

SIDEBAR_WIDTH = "15em"


def _brand() -> rx.Component:
    return rx.hstack(
        rx.icon("truck", size=22, color=rx.color("orange", 9)),
        rx.heading("RoadSide Console", size="4", weight="bold"),
        align="center",
        spacing="2",
    )


def _is_current(path: str) -> rx.Var:
    current = SessionState.router.url.path
    return (current == path) | (current == path + "/")


def _nav_link(label: str, path: str, icon: str) -> rx.Component:
    active = _is_current(path)
    return rx.cond(
        SessionState.allowed_paths.contains(path),
        rx.link(
            rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), align="center"),
            href=path,
            underline="none",
            class_name=rx.cond(active, "nav-link nav-link-active", "nav-link"),
            aria_current=rx.cond(active, "page", "false"),
        ),
    )


def _user_box() -> rx.Component:
    return rx.vstack(
        rx.text(SessionState.user_name, size="2", weight="medium", id="signed-in-user"),
        rx.text(
            SessionState.tenant_name, " · ", SessionState.user_role, size="1", color_scheme="gray"
        ),
        rx.hstack(
            rx.button(
                rx.icon("log-out", size=14),
                "Sign out",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=SessionState.sign_out,
            ),
            rx.color_mode.button(size="1", variant="soft", color_scheme="gray"),
        ),
        spacing="1",
        padding_top="1em",
        border_top=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )


def admin_page(
    title: str | rx.Var[str],
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Wrap an admin page body in the sidebar layout with a page heading (text or a state var)."""

    def decorate(body: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.flex(
                rx.el.nav(
                    rx.vstack(
                        _brand(),
                        rx.vstack(
                            *[
                                _nav_link(label, path, icon)
                                for label, path, icon, _ in ADMIN_SECTIONS
                            ],
                            spacing="1",
                            width="100%",
                        ),
                        rx.spacer(),
                        _user_box(),
                        height="100vh",
                        padding="1.25em",
                        spacing="5",
                    ),
                    aria_label="Console sections",
                    class_name="sidebar",
                    width=SIDEBAR_WIDTH,
                    min_width=SIDEBAR_WIDTH,
                ),
                rx.el.main(
                    rx.vstack(
                        rx.heading(title, size="7", id="page-title"),
                        body(),
                        spacing="5",
                        width="100%",
                        max_width="80em",
                    ),
                    padding="2em",
                    width="100%",
                ),
                width="100%",
                min_height="100vh",
            )

        page.__name__ = body.__name__
        # Reflex writes a page's memoized components to a file named after the page function's
        # module; with the body's module each admin page gets its own file, so a page loads
        # only its own components (the dashboard's charts library stays on the dashboard).
        page.__module__ = body.__module__
        return page

    return decorate


def _bottom_tab(label: str, path: str, icon: str) -> rx.Component:
    active = _is_current(path)
    return rx.link(
        rx.vstack(rx.icon(icon, size=22), rx.text(label, size="1"), align="center", spacing="1"),
        href=path,
        underline="none",
        class_name=rx.cond(active, "tab tab-active", "tab"),
        flex="1",
        padding_y="0.6em",
    )


def provider_page(title: str) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Wrap a provider-portal page: phone-sized column, big targets, tabs at the bottom."""

    def decorate(body: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.box(
                rx.hstack(
                    rx.icon("truck", size=20, color=rx.color("orange", 9)),
                    rx.heading(title, size="5", id="page-title"),
                    rx.spacer(),
                    rx.text(SessionState.user_name, size="2", color_scheme="gray"),
                    align="center",
                    padding="1em",
                    class_name="topbar",
                ),
                rx.box(body(), padding="1em", padding_bottom="6em"),
                rx.hstack(
                    _bottom_tab("Jobs", routes.PROVIDER_HOME, "wrench"),
                    _bottom_tab("Earnings", routes.PROVIDER_EARNINGS, "wallet"),
                    _bottom_tab("Profile", routes.PROVIDER_PROFILE, "user"),
                    class_name="bottom-tabs",
                    width="100%",
                    spacing="0",
                ),
                max_width="32em",
                margin_x="auto",
                min_height="100vh",
            )

        page.__name__ = body.__name__
        return page

    return decorate


def customer_page(title: str) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Wrap a customer page: a simple top bar and a centred column."""

    def decorate(body: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.box(
                rx.hstack(
                    _brand(),
                    rx.spacer(),
                    rx.hstack(
                        rx.link("Book", href=routes.CUSTOMER_BOOK),
                        rx.link("My bookings", href=routes.CUSTOMER_HOME),
                        rx.link("Referrals", href=routes.CUSTOMER_REFERRALS),
                        rx.button(
                            "Sign out", size="1", variant="soft", on_click=SessionState.sign_out
                        ),
                        align="center",
                        spacing="4",
                        white_space="nowrap",
                    ),
                    align="center",
                    spacing="4",
                    padding="1em",
                    class_name="topbar",
                    wrap="wrap",  # on a phone the links go under the name instead of off-screen
                ),
                rx.vstack(
                    rx.heading(title, size="6", id="page-title"),
                    body(),
                    spacing="4",
                    padding="1.5em",
                    max_width="48em",
                    margin_x="auto",
                ),
            )

        page.__name__ = body.__name__
        return page

    return decorate
