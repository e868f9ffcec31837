"""Estimates: price a request now and lock that price for a while (the quote).

Creating one is the API's busiest call: it runs async, with the use case in one thread hop.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from api.deps import GroupCommit, GuestOrUser, Uow
from api.errors import problem_responses
from api.responses import model_response
from api.v1.booking_schemas import EstimateIn, EstimateOut, MultiplierOut, PriceLineOut
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing.queries import get_quote
from roadside_console.domain.pricing.schemas import QuoteRequest, QuoteView
from roadside_console.domain.pricing.service import create_quote

router = APIRouter(tags=["estimates"])


@router.post(
    "/estimates",
    status_code=status.HTTP_201_CREATED,
    response_model=EstimateOut,
    responses=problem_responses(400, 401, 403, 404, 413, 422),
    summary="Price a request and lock the price (15 minutes by default)",
)
async def create_estimate(body: EstimateIn, caller: GuestOrUser, batch: GroupCommit) -> Response:
    """Book with the returned `id` before `expires_at` to pay exactly this total, storm or not."""
    request = QuoteRequest(**body.model_dump())

    def price_and_lock(uow: UnitOfWork) -> QuoteView:
        tenant_id, actor = caller.resolve(uow)
        return create_quote(uow, tenant_id=tenant_id, actor_or_none=actor, request=request)

    quote = await batch.run(price_and_lock)
    return model_response(
        _estimate_out(quote),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/estimates/{quote.id}"},
    )


@router.get(
    "/estimates/{quote_id}",
    response_model=EstimateOut,
    responses=problem_responses(401, 404, 422),
    summary="Show an estimate as it was priced",
)
def read_estimate(quote_id: uuid.UUID, caller: GuestOrUser, uow: Uow) -> EstimateOut:
    """A customer's own estimate is visible only to them (and staff)."""
    tenant_id, actor = caller.resolve(uow)
    return _estimate_out(get_quote(uow, tenant_id=tenant_id, actor=actor, quote_id=quote_id))


def _estimate_out(quote: QuoteView) -> EstimateOut:
    return EstimateOut(
        id=quote.id,
        service_id=quote.service_id,
        service_name=quote.service_name,
        breakdown=[PriceLineOut(**line) for line in quote.lines_as_dicts()],
        multipliers=[
            MultiplierOut(code=m.code, name=m.name, multiplier_bp=m.multiplier_bp)
            for m in quote.multipliers
        ],
        referral_credit_cents=quote.referral_credit_cents,
        total_cents=quote.total_cents,
        created_at=quote.created_at,
        expires_at=quote.expires_at,
    )
