"""Values the identity use cases hand back to the edges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roadside_console.domain.core.auth import Actor


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the raw token goes into the cookie, never into the database."""

    session_token: str
    expires_at: datetime
    actor: Actor


@dataclass(frozen=True, slots=True)
class IssuedApiToken:
    """A new API token; the raw value is shown exactly once."""

    token_id: str
    name: str
    token: str


@dataclass(frozen=True, slots=True)
class SessionProfile:
    """Who is signed in and in which workspace, for page headers and navigation."""

    actor: Actor
    tenant_name: str
    tenant_slug: str
