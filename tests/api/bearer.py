"""Bearer tokens for API tests, issued by the domain (no password round trip)."""

from __future__ import annotations

from collections.abc import Callable

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import create_api_token
from tests.factories import actor_of


def bearer(uow_factory: Callable[[], UnitOfWork], user: User) -> dict[str, str]:
    """Return the Authorization header of a new API token acting as `user`."""
    with uow_factory() as uow:
        issued = create_api_token(uow, actor=actor_of(user), name="tests")
    return {"Authorization": f"Bearer {issued.token}"}
