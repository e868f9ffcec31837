"""The signed-in session as the browser sees it, and the page guards.

The cookie holds a random session token; every guard and every handler resolves it again
through the domain, so a revoked or expired session stops working at the next click. Guards
only redirect: the domain's permission checks are what actually protect data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from roadside_console.domain.core.auth import Actor, Permission, Role
from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity import service as identity
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.navigation import allowed_paths_for, permission_for
from roadside_console.ui.shell.run import run_use_case

SESSION_COOKIE = "rs_session"
T = TypeVar("T")


class _SessionEnded(Exception):
    """The session was not valid when a use case was about to run as its user."""


class SessionState(rx.State):
    """Identity of the browser tab's user, shared by every page state."""

    session_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        same_site="strict",
        max_age=get_settings().session_ttl_hours * 3600,
    )
    user_name: str = ""
    user_role: str = ""
    tenant_name: str = ""
    allowed_paths: list[str] = []

    async def current_actor(self) -> Actor | None:
        """Resolve the session again (handlers call this before doing anything)."""
        profile = await run_use_case(identity.session_profile, self.session_token)
        return profile.actor if profile else None

    async def run_as_user(self, fn: Callable[..., T], /, **kwargs: Any) -> tuple[T | None, str]:
        """Run a use case as the signed-in user; return (result, "") or (None, error message).

        The session is resolved again first, so a revoked session stops here. It is resolved in
        the use case's own thread hop and unit of work (one query), not a separate one: a page
        load runs several use cases, and each extra hop, connection checkout and transaction
        waited for a busy server's threads and database.
        """
        token = self.session_token

        def as_user(uow: UnitOfWork) -> T | None:
            actor = identity.resolve_session(uow, token)
            if actor is None:
                raise _SessionEnded
            return fn(uow, actor=actor, **kwargs)

        try:
            return await run_use_case(as_user), ""
        except _SessionEnded:
            return None, "Your session has ended. Sign in again."
        except DomainError as error:
            return None, error.message

    async def _guard(self, permission: Permission) -> rx.event.EventSpec | None:
        profile = await run_use_case(identity.session_profile, self.session_token)
        if profile is None:
            self._forget()
            target = self.router.url.path or "/"
            return rx.redirect(f"{routes.LOGIN}?next={target}")
        if not profile.actor.can(permission):
            return rx.redirect(routes.FORBIDDEN)
        self.user_name = profile.actor.name
        self.user_role = profile.actor.role.value
        self.tenant_name = profile.tenant_name
        self.allowed_paths = allowed_paths_for(profile.actor)
        return None

    def _forget(self) -> None:
        self.user_name = self.user_role = self.tenant_name = ""
        self.allowed_paths = []

    @rx.event
    async def guard_staff(self) -> rx.event.EventSpec | None:
        """Let staff in (any admin-console page)."""
        return await self._guard(Permission.VIEW_DASHBOARD)

    @rx.event
    async def guard_admin_page(self) -> rx.event.EventSpec | None:
        """Let in staff whose role may use the admin area of the current path."""
        return await self._guard(permission_for(self.router.url.path))

    @rx.event
    async def guard_bookings(self) -> rx.event.EventSpec | None:
        """Let in staff who may see bookings (a booking's own page)."""
        return await self._guard(Permission.VIEW_BOOKINGS)

    @rx.event
    async def guard_booking_desk(self) -> rx.event.EventSpec | None:
        """Let in staff who may create and change bookings (the phone-booking form)."""
        return await self._guard(Permission.MANAGE_BOOKINGS)

    @rx.event
    async def guard_provider(self) -> rx.event.EventSpec | None:
        """Let providers into the portal."""
        return await self._guard(Permission.PROVIDER_PORTAL)

    @rx.event
    async def guard_customer(self) -> rx.event.EventSpec | None:
        """Let customers into their account pages."""
        return await self._guard(Permission.BOOK_SERVICES)

    @rx.event
    async def redirect_home(self) -> rx.event.EventSpec:
        """Send `/` to the right home: the role's landing page or the login page."""
        profile = await run_use_case(identity.session_profile, self.session_token)
        if profile is None:
            return rx.redirect(routes.LOGIN)
        return rx.redirect(routes.home_for(profile.actor.role))

    @rx.event
    async def sign_out(self) -> rx.event.EventSpec:
        """Revoke the session server-side and drop the cookie."""
        await run_use_case(identity.sign_out, self.session_token)
        self.session_token = ""
        self._forget()
        return rx.redirect(routes.LOGIN)


def role_label(role: str) -> str:
    """Human label for a role value."""
    return Role(role).value.replace("_", " ").title() if role else ""
