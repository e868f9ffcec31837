"""Request-scoped dependencies: the unit of work and the actor behind a bearer token.

`get_uow` only builds a unit of work, so tests can swap it (`app.dependency_overrides[get_uow]`)
for one bound to their rolled-back transaction; `open_uow` opens it for the length of the
request, shared by authentication and the route, and closes (rolling back anything uncommitted)
whatever happens.

They are `async` on purpose: FastAPI runs every sync dependency on the thread pool, one hop
(and a GIL hand-over) each, which cost more than the work itself. Opening a session does no
I/O, a known token and a known workspace come from in-process caches, and only a miss (or a
close that must roll back) goes to a thread. The route itself then runs in one thread hop.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.service import (
    authenticate_api_token,
    cached_api_token_actor,
)
from roadside_console.domain.tenants.workspaces import cached_tenant_for_caller, tenant_for_caller

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from `POST /api/v1/auth/tokens`: `Authorization: Bearer rsk_…`.",
)


async def get_uow() -> UnitOfWork:
    """Build a unit of work on the configured database (override this in tests)."""
    return UnitOfWork()


async def open_uow(uow: Annotated[UnitOfWork, Depends(get_uow)]) -> AsyncIterator[UnitOfWork]:
    """Open the request's unit of work and close it after the response."""
    with uow:
        try:
            yield uow
        finally:
            # Closing a session that still holds a transaction rolls it back: that is I/O, so
            # it goes to a thread; a committed or unused session closes without any.
            if uow.session.in_transaction():
                await run_in_threadpool(uow.session.close)


NewUow = Annotated[UnitOfWork, Depends(get_uow)]
"""A unit of work the route opens itself (to catch failures of opening it)."""

Uow = Annotated[UnitOfWork, Depends(open_uow)]
"""The request's open unit of work."""


async def _actor_for(uow: UnitOfWork, raw_token: str | None) -> Actor:
    actor = cached_api_token_actor(raw_token) if raw_token else None
    if actor is not None:
        return actor
    return await run_in_threadpool(authenticate_api_token, uow, raw_token)


async def get_current_actor(
    uow: Uow,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor:
    """Return the user acting through the bearer token; the domain raises 401 otherwise."""
    return await _actor_for(uow, credentials.credentials if credentials else None)


CurrentActor = Annotated[Actor, Depends(get_current_actor)]
"""The authenticated caller of a route."""


async def get_optional_actor(
    uow: Uow,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor | None:
    """Return the token's user, or None without a token (a bad token is still a 401)."""
    return await _actor_for(uow, credentials.credentials) if credentials else None


OptionalActor = Annotated[Actor | None, Depends(get_optional_actor)]
"""The caller of a route that guests may use too (None for a guest)."""


async def get_caller_tenant(
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
    known = cached_tenant_for_caller(actor=actor, workspace=workspace)
    if known is not None:
        return known
    return await run_in_threadpool(
        lambda: tenant_for_caller(uow.session, actor=actor, workspace=workspace)
    )


CallerTenant = Annotated[uuid.UUID, Depends(get_caller_tenant)]
"""The tenant of a route that guests may use too."""
