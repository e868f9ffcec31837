"""Reading a stored estimate back (the price lock a booking can still redeem)."""

from __future__ import annotations

import uuid

from sqlmodel import select

from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing.models import PriceQuote
from roadside_console.domain.pricing.rules import AppliedMultiplier, PriceLine
from roadside_console.domain.pricing.schemas import QuoteView
from roadside_console.domain.pricing.service import QUOTE_NOT_FOUND


def get_quote(
    uow: UnitOfWork, *, tenant_id: uuid.UUID, actor: Actor | None, quote_id: uuid.UUID
) -> QuoteView:
    """Return an estimate of this tenant as it was priced.

    Whoever may redeem a quote may read it: a customer's own quote only that customer (and the
    operator's staff); a guest's or staff quote anyone who knows its id in the tenant.
    """
    session = uow.session
    quote = session.exec(
        select(PriceQuote).where(PriceQuote.id == quote_id, PriceQuote.tenant_id == tenant_id)
    ).first()
    if quote is None or (
        quote.customer_id is not None
        and not (actor is not None and (actor.user_id == quote.customer_id or actor.is_staff))
    ):
        raise NotFound("quote_not_found", QUOTE_NOT_FOUND)
    service = session.get(Service, quote.service_id)
    stored = quote.request
    return QuoteView(
        id=quote.id,
        tenant_id=quote.tenant_id,
        service_id=quote.service_id,
        service_name=service.name if service else "",
        total_cents=quote.total_cents,
        lines=tuple(
            PriceLine(code=line["code"], label=line["label"], amount_cents=line["amount_cents"])
            for line in quote.breakdown
        ),
        multipliers=tuple(
            AppliedMultiplier(code=m["code"], name=m["name"], multiplier_bp=m["multiplier_bp"])
            for m in stored.get("multipliers", [])
        ),
        local_hour=int(stored.get("local_hour", 0)),
        referral_credit_cents=int(stored.get("referral_credit_cents", 0) or 0),
        created_at=quote.created_at,
        expires_at=quote.expires_at,
    )
