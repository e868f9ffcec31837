"""Inbound webhooks: Stripe events, verified against `STRIPE_WEBHOOK_SECRET` before anything."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import NewUow
from api.errors import ProblemResponse, problem, problem_responses
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.payments.webhooks import handle_stripe_event
from roadside_console.integrations.stripe_checkout import InvalidWebhook, verify_event

router = APIRouter(tags=["webhooks"])


class WebhookOut(BaseModel):
    """What became of the event: handled now, seen before, not one we act on, or refused.

    "refused" is final (the reason is kept on the event's row): answered 200 so Stripe stops.
    """

    received: Literal[True] = True
    outcome: Literal["processed", "duplicate", "skipped", "refused"]


@router.post(
    "/webhooks/stripe",
    response_model=WebhookOut,
    responses=problem_responses(400, 413, 503),
    summary="Receive a Stripe event (signed with the endpoint's webhook secret)",
)
async def stripe_webhook(request: Request, uow: NewUow) -> WebhookOut | ProblemResponse:
    """Verify the signature on the raw body, then process the event once (replays answer 200)."""
    secret = get_settings().stripe_webhook_secret
    if not secret:
        return problem(
            503,
            code="stripe_webhooks_not_configured",
            detail="Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET.",
            instance=request.url.path,
        )
    payload = await request.body()
    try:
        event = verify_event(payload, request.headers.get("stripe-signature"), secret)
    except InvalidWebhook as error:
        return problem(400, code="invalid_signature", detail=str(error), instance=request.url.path)
    outcome = await run_in_threadpool(handle_stripe_event, lambda: uow, event)
    return WebhookOut(outcome=outcome)  # type: ignore[arg-type]
