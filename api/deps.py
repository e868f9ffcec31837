"""Request-scoped dependencies: the unit of work and the actor behind a bearer token.

`get_uow` only builds a unit of work, so tests can swap it (`app.dependency_overrides[get_uow]`)
for one bound to their rolled-back transaction; `open_uow` opens it for the length of the
request, shared by authentication and the route, and closes (rolling back anything uncommitted)
whatever happens.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.service import authenticate_api_token
from roadside_console.domain.tenants.workspaces import tenant_for_caller

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


def get_optional_actor(
    uow: Uow,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor | None:
    """Return the token's user, or None without a token (a bad token is still a 401)."""
    return authenticate_api_token(uow, credentials.credentials) if credentials else None


OptionalActor = Annotated[Actor | None, Depends(get_optional_actor)]
"""The caller of a route that guests may use too (None for a guest)."""


def get_caller_tenant(
    uow: Uow,
    actor: OptionalActor,
    workspace: Annotated[
        str | None,
        Header(
            alias="X-Workspace",
            max_length=100,
            description="The operator's workspace (slug), required without a bearer token.",
            examples=["roadside-atl"],
        ),
    ] = None,
) -> uuid.UUID:
    """Return the tenant a request is for: the token's, or the guest's `X-Workspace`."""
    return tenant_for_caller(uow.session, actor=actor, workspace=workspace)


CallerTenant = Annotated[uuid.UUID, Depends(get_caller_tenant)]
"""The tenant of a route that guests may use too."""
