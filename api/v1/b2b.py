"""Business accounts: finance issues API keys that partners' systems book with."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from api.deps import CurrentActor, Uow
from api.errors import problem_responses
from roadside_console.domain.b2b.keys import issue_account_key

router = APIRouter(tags=["b2b"])


class AccountKeyIn(BaseModel):
    """A name for the key (which partner system uses it) and, optionally, when it expires."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Peachtree Fleet dispatch system"}]}
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    expires_at: datetime | None = None


class AccountKeyOut(BaseModel):
    """A new account key; `key` is shown only in this response. Send it as a bearer token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7c6a1e-3f2d-4e5a-9b8c-7d6e5f4a3b2c",
                    "account_id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
                    "name": "Peachtree Fleet dispatch system",
                    "key": "rsk_Ab3dE6gH_…",
                }
            ]
        }
    )

    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    key: str


@router.post(
    "/b2b/accounts/{account_id}/keys",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountKeyOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="Issue an API key for a business account (finance, admin)",
)
def issue_key(
    account_id: uuid.UUID, body: AccountKeyIn, actor: CurrentActor, uow: Uow, response: Response
) -> AccountKeyOut:
    """Bookings and estimates made with the key are on the account, at its contract prices."""
    issued = issue_account_key(
        uow, actor=actor, account_id=account_id, name=body.name, expires_at=body.expires_at
    )
    response.headers["Cache-Control"] = "no-store"
    return AccountKeyOut(
        id=uuid.UUID(issued.token_id), account_id=account_id, name=issued.name, key=issued.token
    )
