"""Referral codes: check one on the sign-up form, apply one, see the credit it earned."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from api.deps import CurrentActor, Uow
from api.errors import problem_responses
from roadside_console.domain.referrals import service as referrals
from roadside_console.domain.referrals.public import is_code_valid_in_workspace

router = APIRouter(prefix="/referrals", tags=["referrals"])

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class CodeCheckOut(BaseModel):
    """Whether the code can be applied in this workspace; nothing about whose it is."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "K7MQ3TXA", "valid": True}]})

    code: str
    valid: bool


class ApplyIn(BaseModel):
    """The code a new customer was given (case, spaces and dashes do not matter)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "K7MQ-3TXA"}]})

    code: Code


class ReferralOut(BaseModel):
    """The applied referral; both sides earn credit after the first completed, paid job."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "referral_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "code": "K7MQ3TXA",
                    "status": "pending",
                    "created_at": "2026-03-10T15:00:00Z",
                }
            ]
        }
    )

    referral_id: uuid.UUID
    code: str
    status: str
    created_at: datetime


class BalanceOut(BaseModel):
    """A customer's referral credit, applied to their next bookings."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"customer_id": "5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b", "balance_cents": 1500}
            ]
        }
    )

    customer_id: uuid.UUID
    balance_cents: int


@router.get(
    "/codes/{code}",
    response_model=CodeCheckOut,
    responses=problem_responses(422),
    summary="Check a referral code (public; no token needed)",
)
def check_code(
    code: Annotated[str, Path(max_length=32)],
    workspace: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="The operator's workspace (slug).",
            examples=["roadside-atl"],
        ),
    ],
    uow: Uow,
) -> CodeCheckOut:
    """Answers only yes or no: an unknown workspace or code is just `valid: false`."""
    valid = is_code_valid_in_workspace(uow, workspace=workspace, code=code)
    return CodeCheckOut(code=referrals.normalize_code(code), valid=valid)


@router.post(
    "/apply",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    responses=problem_responses(401, 403, 409, 422),
    summary="Apply a referral code to my account (once, before my first completed job)",
)
def apply_code(body: ApplyIn, actor: CurrentActor, uow: Uow) -> ReferralOut:
    """Customers only; a second code is a 409 (`referral_already_applied`)."""
    referral = referrals.apply_referral_code(uow, actor=actor, code=body.code)
    return ReferralOut(
        referral_id=referral.id,
        code=referral.code,
        status=referral.status.value,
        created_at=referral.created_at,
    )


@router.get(
    "/balance",
    response_model=BalanceOut,
    responses=problem_responses(401, 403, 404),
    summary="My referral credit (staff: any customer's, with `customer_id`)",
)
def balance(
    actor: CurrentActor, uow: Uow, customer_id: Annotated[uuid.UUID | None, Query()] = None
) -> BalanceOut:
    """In cents; never below zero."""
    cents = referrals.credit_balance(uow, actor=actor, customer_id=customer_id)
    return BalanceOut(customer_id=customer_id or actor.user_id, balance_cents=cents)
