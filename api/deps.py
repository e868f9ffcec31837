"""Request-scoped dependencies: the unit of work and the actor behind a bearer token.

`get_uow` only builds a unit of work, so tests can swap it (`app.dependency_overrides[get_uow]`)
for one bound to their rolled-back transaction; `open_uow` opens it for the length of the
request, shared by authentication and the route, and closes (rolling back anything uncommitted)
whatever happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.service import authenticate_api_token

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from `POST /api/v1/auth/tokens`: `Authorization: Bearer rsk_…`.",
)


def get_uow() -> UnitOfWork:
    """Build a unit of work on the configured database (override this in tests)."""
    return UnitOfWork()


def open_uow(uow: Annotated[UnitOfWork, Depends(get_uow)]) -> Iterator[UnitOfWork]:
    """Open the request's unit of work and close it after the response."""
    with uow:
        yield uow


NewUow = Annotated[UnitOfWork, Depends(get_uow)]
"""A unit of work the route opens itself (to catch failures of opening it)."""

Uow = Annotated[UnitOfWork, Depends(open_uow)]
"""The request's open unit of work."""


def get_current_actor(
    uow: Uow,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor:
    """Return the user acting through the bearer token; the domain raises 401 otherwise."""
    return authenticate_api_token(uow, credentials.credentials if credentials else None)


CurrentActor = Annotated[Actor, Depends(get_current_actor)]
"""The authenticated caller of a route."""
