"""API tokens: exchange a console password for a bearer token, inspect it, revoke it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import CurrentActor, Uow
from api.errors import problem_responses
from api.v1.schemas import MeOut, TokenIn, TokenOut
from roadside_console.domain.identity import service as identity

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenOut,
    responses=problem_responses(400, 401, 413, 422, 429),
    summary="Create an API token with a console email and password",
)
def create_token(body: TokenIn, request: Request, response: Response, uow: Uow) -> TokenOut:
    """Sign in (throttled per account and address) and issue a token shown only this once."""
    issued = identity.create_api_token_with_password(
        uow,
        tenant_slug=body.workspace,
        email=body.email,
        password=body.password,
        name=body.name,
        ip_address=request.client.host if request.client else "unknown",
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenOut(id=uuid.UUID(issued.token_id), name=issued.name, token=issued.token)


@router.get(
    "/me",
    response_model=MeOut,
    responses=problem_responses(401),
    summary="Show who the token acts as",
)
def me(actor: CurrentActor) -> MeOut:
    """Return the user behind the bearer token."""
    return MeOut(user_id=actor.user_id, tenant_id=actor.tenant_id, role=actor.role, name=actor.name)


@router.delete(
    "/auth/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 404, 422),
    summary="Revoke an API token",
)
def revoke_token(token_id: uuid.UUID, actor: CurrentActor, uow: Uow) -> None:
    """Stop a token from working at once (your own, or any of the workspace for admins)."""
    identity.revoke_api_token(uow, actor=actor, token_id=token_id)
