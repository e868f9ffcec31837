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
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.group_commit import GroupCommitter
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.service import (
    authenticate_api_token,
    cached_api_token_actor,
    require_api_token_shape,
)
from roadside_console.domain.tenants.workspaces import cached_tenant_for_caller, tenant_for_caller

WORKSPACE_MAX_LENGTH = 100
WorkspaceHeader = Annotated[
    str | None,
    Header(
        alias="X-Workspace",
        max_length=WORKSPACE_MAX_LENGTH,
        description="The operator's workspace (slug), required without a bearer token.",
        examples=["roadside-atl"],
    ),
]
"""The guest's `X-Workspace` header (the operator's slug)."""

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
            if uow.has_session and uow.session.in_transaction():
                await run_in_threadpool(uow.session.close)


async def get_group_commit(request: Request) -> GroupCommitter:
    """Return the app's group committer (`api.group_commit`) for a hot route's write."""
    committer: GroupCommitter = request.app.state.group_commit
    return committer


GroupCommit = Annotated[GroupCommitter, Depends(get_group_commit)]
"""Where a hot route runs its use case: with the writes of concurrent requests, one COMMIT."""

NewUow = Annotated[UnitOfWork, Depends(get_uow)]
"""A unit of work the route opens itself (to catch failures of opening it)."""

Uow = Annotated[UnitOfWork, Depends(open_uow)]
"""The request's open unit of work."""


async def get_current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor:
    """Return the user acting through the bearer token; the domain raises 401 otherwise.

    A known token comes from the cache; only a miss opens a unit of work of its own (on the
    thread pool), so routes that need nothing else from the database skip the request's.
    """
    caller = await get_token_caller(credentials)
    if caller.actor is not None:
        return caller.actor
    return await run_in_threadpool(_resolve, request.app.state.uow_factory, caller)


def _resolve(uow_factory: Callable[[], UnitOfWork], caller: TokenCaller) -> Actor:
    with uow_factory() as uow:
        return caller.resolve(uow)


CurrentActor = Annotated[Actor, Depends(get_current_actor)]
"""The authenticated caller of a route."""


@dataclass(frozen=True)
class Caller:
    """Who calls a route guests may use too, as far as the caches know; `resolve` completes it.

    A cache miss is not looked up here but in the route's own transaction (`resolve(uow)`
    inside the use case, e.g. the one a hot route hands to the group committer): no thread
    hop, session or transaction of its own for it. A refusal found there (a bad token, an unknown workspace)
    is the route's answer like any other domain error.
    """

    raw_token: str | None
    workspace: str | None
    actor: Actor | None = None
    tenant_id: uuid.UUID | None = None

    def resolve(self, uow: UnitOfWork) -> tuple[uuid.UUID, Actor | None]:
        """Return the caller's tenant and actor (None for a guest), asking the database on a miss."""
        actor = self.actor
        if actor is None and self.raw_token is not None:
            actor = authenticate_api_token(uow, self.raw_token)
        if self.tenant_id is not None:
            return self.tenant_id, actor
        return tenant_for_caller(uow.session, actor=actor, workspace=self.workspace), actor


async def get_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    workspace: WorkspaceHeader = None,
) -> Caller:
    """The caller of a route guests may use too: a token's user, or a guest naming a workspace.

    Solving a dependency costs FastAPI more than these caches' lookups, so this is one node
    rather than a tree, and a miss is left to `Caller.resolve`. A malformed token is a 401
    here; a well-formed but unknown one is a 401 from `resolve`, never a guest.
    """
    raw_token = credentials.credentials if credentials else None
    if raw_token is None:
        return Caller(
            None, workspace, tenant_id=cached_tenant_for_caller(actor=None, workspace=workspace)
        )
    require_api_token_shape(raw_token)
    actor = cached_api_token_actor(raw_token)
    if actor is None:
        return Caller(raw_token, workspace)
    return Caller(
        raw_token,
        workspace,
        actor=actor,
        tenant_id=cached_tenant_for_caller(actor=actor, workspace=workspace),
    )


@dataclass(frozen=True)
class TokenCaller:
    """The bearer of a token on a hot route; `resolve` looks the token up on a cache miss."""

    raw_token: str
    actor: Actor | None

    def resolve(self, uow: UnitOfWork) -> Actor:
        """Return the token's actor, asking the database (in the caller's transaction) on a miss."""
        return self.actor or authenticate_api_token(uow, self.raw_token)


async def get_token_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> TokenCaller:
    """`CurrentActor` for the busiest routes: a miss is resolved inside the route's use case."""
    raw_token = require_api_token_shape(credentials.credentials if credentials else None)
    return TokenCaller(raw_token, cached_api_token_actor(raw_token))


TokenBearer = Annotated[TokenCaller, Depends(get_token_caller)]
"""The token caller of a hot route (provider location fixes)."""


GuestOrUser = Annotated[Caller, Depends(get_caller)]
"""The caller (guest or token) of a route guests may use; `resolve(uow)` gives tenant and actor."""
