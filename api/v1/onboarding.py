"""Provider onboarding over the API: staff invite and approve, the technician joins by link."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import CurrentActor, Uow
from api.errors import problem_responses
from roadside_console.domain.providers import onboarding

router = APIRouter(tags=["providers"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]


class ProviderInviteIn(BaseModel):
    """Who to invite; they get an email with a link that works for 72 hours."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Marcus Hill",
                    "email": "marcus.hill@example.com",
                    "phone": "(404) 555-0142",
                    "specialties": ["towing", "lockout"],
                }
            ]
        }
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: Text
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    specialties: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=20
    )


class ProviderInviteOut(BaseModel):
    """An invite on its way: the pending provider and until when the link works."""

    provider_id: uuid.UUID
    email: str
    expires_at: datetime


class JoinIn(BaseModel):
    """The token from the invite email and the password the technician chooses."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": "Xh3…", "password": "tow-truck-at-dawn"}]}
    )

    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class JoinOut(BaseModel):
    """The new provider account; sign in with `workspace`, `email` and the password."""

    provider_id: uuid.UUID
    user_id: uuid.UUID
    workspace: str
    email: str


class ApproveIn(BaseModel):
    """Why staff let this provider take jobs (e.g. which documents were checked)."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


@router.post(
    "/providers/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=ProviderInviteOut,
    responses=problem_responses(401, 403, 409, 422),
    summary="Invite a provider by email (admin, dispatcher)",
)
def invite_provider(
    body: ProviderInviteIn, actor: CurrentActor, uow: Uow, response: Response
) -> ProviderInviteOut:
    """Create a pending provider and email them a 72-hour link to set their password."""
    invite = onboarding.invite_provider(
        uow,
        actor=actor,
        name=body.name,
        email=body.email,
        phone=body.phone,
        specialties=body.specialties,
    )
    response.headers["Location"] = f"/api/v1/providers/{invite.provider_id}"
    return ProviderInviteOut(
        provider_id=invite.provider_id, email=invite.email, expires_at=invite.expires_at
    )


@router.post(
    "/providers/{provider_id}/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=ProviderInviteOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Send a provider a fresh invite link (older links stop working)",
)
def resend_invite(provider_id: uuid.UUID, actor: CurrentActor, uow: Uow) -> ProviderInviteOut:
    """Retire the provider's unused links and email a new one."""
    invite = onboarding.resend_provider_invite(uow, actor=actor, provider_id=provider_id)
    return ProviderInviteOut(
        provider_id=invite.provider_id, email=invite.email, expires_at=invite.expires_at
    )


@router.post(
    "/providers/join",
    status_code=status.HTTP_201_CREATED,
    response_model=JoinOut,
    responses=problem_responses(404, 409, 422),
    summary="Join as a provider with the link from the invite email (no login)",
)
def join(body: JoinIn, uow: Uow, response: Response) -> JoinOut:
    """Set the password; the account waits for staff approval before it gets offers."""
    joined = onboarding.accept_provider_invite(uow, token=body.token, password=body.password)
    response.headers["Cache-Control"] = "no-store"
    return JoinOut(
        provider_id=joined.provider_id,
        user_id=joined.user_id,
        workspace=joined.tenant_slug,
        email=joined.email,
    )


@router.post(
    "/providers/{provider_id}/approve",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Approve a pending provider so dispatch can offer them jobs",
)
def approve(
    provider_id: uuid.UUID, actor: CurrentActor, uow: Uow, body: ApproveIn | None = None
) -> None:
    """Move the provider from pending to active (audited)."""
    onboarding.approve_provider(
        uow, actor=actor, provider_id=provider_id, reason=body.reason if body else None
    )
