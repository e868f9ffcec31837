"""Pricing use cases: estimates, the price lock (stored quotes), storm mode and time blocks.

Estimates read the tenant's config and providers-online count from the in-process cache
(`pricing.cache`), then apply the pure `rules.quote_price`. A quote stores the breakdown and
total for `quote_ttl_minutes`; the booking use case redeems it inside its own transaction with
`redeem_quote`, which marks it used with a guarded UPDATE so one quote pays for one booking.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, func, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.b2b.models import AccountStatus, B2BAccount, B2BContract
from roadside_console.domain.catalog.models import SchedulingMode, Service
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.core.tables import new_id
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing import rules
from roadside_console.domain.pricing.cache import (
    PricingConfig,
    ServiceSnapshot,
    get_pricing_config,
    get_providers_online,
    invalidate_pricing_config,
)
from roadside_console.domain.pricing.models import STORM_PRIORITY_FLOOR, PriceQuote, TimeBlock
from roadside_console.domain.pricing.rules import PriceBreakdown
from roadside_console.domain.pricing.schemas import (
    QuoteRequest,
    QuoteView,
    TimeBlockInput,
    TimeBlockView,
)
from roadside_console.domain.referrals.models import CreditEntry

QUOTE_NOT_FOUND = "This estimate does not exist. Get a new estimate."


def credit_balance(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """Return a customer's available referral credit in cents (never below zero).

    Only pending credit entries can change the answer, so only they are flushed first: other
    pending rows (the bookings of a group commit, `core.group_commit`) stay queued for one
    INSERT per table with the batch.
    """
    if any(isinstance(pending, CreditEntry) for pending in session.new):
        session.flush()
    with session.no_autoflush:
        total = session.execute(
            _balance_statement(), {"bal_tenant_id": tenant_id, "bal_user_id": user_id}
        ).scalar_one()
    return max(0, int(total))


@lru_cache(maxsize=1)
def _balance_statement() -> Any:
    """The balance query, built once: every booking and estimate by a customer runs it."""
    return select(func.coalesce(func.sum(CreditEntry.amount_cents), 0)).where(
        col(CreditEntry.tenant_id) == sa.bindparam("bal_tenant_id", type_=sa.Uuid),
        col(CreditEntry.user_id) == sa.bindparam("bal_user_id", type_=sa.Uuid),
    )


def price_request(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    actor: Actor | None,
    request: QuoteRequest,
    now: datetime | None = None,
) -> PriceBreakdown:
    """Price a request at `now` without storing anything (a booking made without a quote)."""
    _, breakdown, _, _ = _price(
        session,
        tenant_id=tenant_id,
        actor=actor,
        request=for_actor_account(actor, request),
        now=now or utc_now(),
    )
    return breakdown


def create_quote(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    actor_or_none: Actor | None,
    request: QuoteRequest,
    now: datetime | None = None,
) -> QuoteView:
    """Price a request and store it as a quote that locks the price for `quote_ttl_minutes`.

    Guests (no actor) may ask for estimates; `tenant_id` names the operator they ask.
    """
    now = now or utc_now()
    session = uow.session
    request = for_actor_account(actor_or_none, request)
    service, breakdown, config, stored_request = _price(
        session, tenant_id=tenant_id, actor=actor_or_none, request=request, now=now
    )
    customer_id = (
        actor_or_none.user_id
        if actor_or_none is not None and actor_or_none.role is Role.CUSTOMER
        else None
    )
    quote_id = new_id()
    expires_at = now + timedelta(minutes=config.policy.quote_ttl_minutes)
    # A prepared INSERT, sent with the commit (with the rest of a group commit's quotes):
    # building and flushing an ORM object was most of an estimate's cost.
    uow.insert_at_commit(
        _quote_insert(),
        {
            "q_id": quote_id,
            "q_tenant_id": tenant_id,
            "q_service_id": service.id,
            "q_customer_id": customer_id,
            "q_b2b_account_id": request.b2b_account_id,
            "q_request": stored_request,
            "q_breakdown": breakdown.lines_as_dicts(),
            "q_total_cents": breakdown.total_cents,
            "q_created_at": now,
            "q_expires_at": expires_at,
        },
    )
    uow.commit()
    return QuoteView(
        id=quote_id,
        tenant_id=tenant_id,
        service_id=service.id,
        service_name=service.name,
        total_cents=breakdown.total_cents,
        lines=breakdown.lines,
        multipliers=breakdown.multipliers,
        local_hour=breakdown.local_hour,
        referral_credit_cents=breakdown.referral_credit_cents,
        created_at=now,
        expires_at=expires_at,
    )


@lru_cache(maxsize=1)
def _quote_insert() -> Any:
    """INSERT one quote with bound parameters, built once."""
    table = PriceQuote.__table__  # type: ignore[attr-defined]
    return sa.insert(table).values(
        {
            column: sa.bindparam(f"q_{column}", type_=table.c[column].type)
            for column in (
                "id",
                "tenant_id",
                "service_id",
                "customer_id",
                "b2b_account_id",
                "request",
                "breakdown",
                "total_cents",
                "created_at",
                "expires_at",
            )
        }
    )


def redeem_quote(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    quote_id: uuid.UUID,
    request: QuoteRequest,
    now: datetime | None = None,
    customer_id: uuid.UUID | None = None,
) -> PriceQuote:
    """Mark a quote used for the booking being created in the caller's transaction.

    Refuses unknown or foreign quotes (`quote_not_found`, never saying which), a quote made by
    another customer (same answer), used (`quote_used`) or expired (`quote_expired`) quotes, and
    a request that differs from what was quoted (`quote_mismatch`). The guarded UPDATE lets one
    booking win when two race for the same quote; the other gets `Conflict`. Does not commit.
    """
    now = now or utc_now()
    quote = session.exec(
        select(PriceQuote).where(PriceQuote.id == quote_id, PriceQuote.tenant_id == tenant_id)
    ).first()
    if quote is None or (quote.customer_id is not None and quote.customer_id != customer_id):
        raise NotFound("quote_not_found", QUOTE_NOT_FOUND, field="quote_id")
    if quote.used_at is not None:
        raise Conflict(
            "quote_used", "This estimate was already used for a booking.", field="quote_id"
        )
    if quote.expires_at <= now:
        raise ValidationFailed(
            "quote_expired",
            "This estimate has expired. Get a new estimate to see the current price.",
            field="quote_id",
        )
    _check_matches(session, quote, request)
    credit = int(quote.request.get("referral_credit_cents", 0))
    if credit and quote.customer_id is not None:
        balance = credit_balance(session, tenant_id=tenant_id, user_id=quote.customer_id)
        if balance < credit:
            raise Conflict(
                "quote_credit_unavailable",
                "The referral credit in this estimate has been used since. Get a new estimate.",
                field="quote_id",
            )
    result = session.execute(
        sa.update(PriceQuote)
        .where(
            col(PriceQuote.id) == quote.id,
            col(PriceQuote.tenant_id) == tenant_id,
            col(PriceQuote.used_at).is_(None),
            col(PriceQuote.expires_at) > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "quote_used", "This estimate was already used for a booking.", field="quote_id"
        )
    set_committed_value(quote, "used_at", now)
    return quote


def activate_storm_mode(
    uow: UnitOfWork, *, actor: Actor, template_id: uuid.UUID, reason: str
) -> TimeBlockView:
    """Turn one storm template on and every other storm template of the tenant off, audited."""
    require(actor, Permission.MANAGE_PRICING)
    reason = _required_reason(reason)
    session = uow.session
    templates = _lock_storm_templates(session, actor.tenant_id)
    chosen = next((t for t in templates if t.id == template_id), None)
    if chosen is None:
        raise NotFound("storm_template_not_found", "No such storm template.", field="template_id")
    turned_off = [t.name for t in templates if t.active and t.id != chosen.id]
    was_active = chosen.active
    for template in templates:
        template.active = template.id == chosen.id
        session.add(template)
    record_audit(
        session,
        actor=actor,
        action="storm_mode_activated",
        target_type="time_block",
        target_id=chosen.id,
        reason=reason,
        changes={
            "template": chosen.name,
            "multiplier_bp": chosen.multiplier_bp,
            "was_active": was_active,
            "deactivated": turned_off,
        },
    )
    uow.commit()
    invalidate_pricing_config(actor.tenant_id)
    return TimeBlockView.of(chosen)


def deactivate_storm_mode(uow: UnitOfWork, *, actor: Actor, reason: str) -> list[TimeBlockView]:
    """Turn every storm template of the tenant off, audited; return the ones that were on."""
    require(actor, Permission.MANAGE_PRICING)
    reason = _required_reason(reason)
    session = uow.session
    templates = _lock_storm_templates(session, actor.tenant_id)
    turned_off = [t for t in templates if t.active]
    for template in turned_off:
        template.active = False
        session.add(template)
    record_audit(
        session,
        actor=actor,
        action="storm_mode_deactivated",
        target_type="time_block",
        target_id=turned_off[0].id if len(turned_off) == 1 else None,
        reason=reason,
        changes={"deactivated": [t.name for t in turned_off]},
    )
    uow.commit()
    invalidate_pricing_config(actor.tenant_id)
    return [TimeBlockView.of(t) for t in turned_off]


def list_time_blocks(session: Session, *, actor: Actor) -> list[TimeBlockView]:
    """List the tenant's time blocks and storm templates, storm templates last."""
    require(actor, Permission.MANAGE_PRICING)
    blocks = session.exec(
        select(TimeBlock)
        .where(TimeBlock.tenant_id == actor.tenant_id)
        .order_by(col(TimeBlock.priority), col(TimeBlock.start_hour), col(TimeBlock.name))
    ).all()
    return [TimeBlockView.of(b) for b in blocks]


def save_time_block(
    uow: UnitOfWork,
    *,
    actor: Actor,
    data: TimeBlockInput,
    block_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> TimeBlockView:
    """Create (no `block_id`) or update a time block or storm template, audited.

    A storm template cannot be switched on here: storm mode does that, so only one is ever on.
    """
    require(actor, Permission.MANAGE_PRICING)
    name = rules.validate_time_block(
        name=data.name,
        start_hour=data.start_hour,
        end_hour=data.end_hour,
        multiplier_bp=data.multiplier_bp,
        priority=data.priority,
    )
    session = uow.session
    block: TimeBlock | None = None
    if block_id is not None:
        block = session.exec(
            select(TimeBlock).where(
                TimeBlock.id == block_id, TimeBlock.tenant_id == actor.tenant_id
            )
        ).first()
        if block is None:
            raise NotFound("time_block_not_found", "No such time block.", field="block_id")
    already_on_storm = block is not None and block.active and block.priority >= STORM_PRIORITY_FLOOR
    if data.active and data.priority >= STORM_PRIORITY_FLOOR and not already_on_storm:
        raise ValidationFailed(
            "use_storm_mode",
            "Storm templates are switched on with storm mode, so only one is ever active.",
            field="active",
        )
    values: dict[str, Any] = {
        "name": name,
        "start_hour": data.start_hour,
        "end_hour": data.end_hour,
        "multiplier_bp": data.multiplier_bp,
        "priority": data.priority,
        "active": data.active,
    }
    if block is None:
        block = TimeBlock(tenant_id=actor.tenant_id, **values)
        changes: dict[str, Any] = values
        action = "time_block_created"
    else:
        changes = {
            key: {"from": getattr(block, key), "to": value}
            for key, value in values.items()
            if getattr(block, key) != value
        }
        for key, value in values.items():
            setattr(block, key, value)
        action = "time_block_updated"
    session.add(block)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action=action,
        target_type="time_block",
        target_id=block.id,
        reason=reason,
        changes=changes,
    )
    uow.commit()
    invalidate_pricing_config(actor.tenant_id)
    return TimeBlockView.of(block)


def for_actor_account(actor: Actor | None, request: QuoteRequest) -> QuoteRequest:
    """Price a B2B account key's request on its own account, whatever account it names.

    A key that names another account is refused rather than silently re-pointed.
    """
    if actor is None or actor.b2b_account_id is None:
        return request
    if request.b2b_account_id not in (None, actor.b2b_account_id):
        raise Forbidden("b2b_booking_forbidden", "An account key can only book on its own account.")
    return replace(request, b2b_account_id=actor.b2b_account_id, use_referral_credit=False)


def _price(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    actor: Actor | None,
    request: QuoteRequest,
    now: datetime,
) -> tuple[ServiceSnapshot, PriceBreakdown, PricingConfig, dict[str, Any]]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if actor is not None and actor.tenant_id != tenant_id:
        raise Forbidden("forbidden", "You do not have permission to do this.")
    config = get_pricing_config(session, tenant_id)
    service = _check_request(config, request, now)
    contract = None
    if request.b2b_account_id is not None:
        own_account = actor is not None and request.b2b_account_id == actor.b2b_account_id
        if actor is None or not (
            actor.can(Permission.MANAGE_BOOKINGS)
            or actor.can(Permission.MANAGE_B2B)
            or (own_account and actor.can(Permission.BOOK_ON_ACCOUNT))
        ):
            raise Forbidden(
                "b2b_booking_forbidden", "Only staff can price a booking on a business account."
            )
        local_day = (request.scheduled_at or now).astimezone(ZoneInfo(config.tz_name)).date()
        contract = _contract_for(session, tenant_id, request.b2b_account_id, local_day)
    credit = 0
    if (
        request.use_referral_credit
        and request.b2b_account_id is None
        and actor is not None
        and actor.role is Role.CUSTOMER
    ):
        credit = credit_balance(session, tenant_id=tenant_id, user_id=actor.user_id)
    miles = request.towing_miles if service.per_mile_cents > 0 else None
    breakdown = rules.quote_price(
        service=service,
        blocks=config.blocks,
        policy=config.policy,
        providers_online=get_providers_online(session, tenant_id),
        tz_name=config.tz_name,
        now=now,
        scheduled_at=request.scheduled_at,
        towing_miles=miles,
        contract=contract,
        referral_credit_cents=credit,
    )
    stored = {
        "service_id": str(service.id),
        "towing_miles": miles,
        "scheduled_at": request.scheduled_at.isoformat() if request.scheduled_at else None,
        "lat": request.lat,
        "lng": request.lng,
        "b2b_account_id": str(request.b2b_account_id) if request.b2b_account_id else None,
        "priced_at": now.isoformat(),
        "local_hour": breakdown.local_hour,
        "multipliers": [
            {"code": m.code, "name": m.name, "multiplier_bp": m.multiplier_bp}
            for m in breakdown.multipliers
        ],
        "referral_credit_cents": breakdown.referral_credit_cents,
    }
    return service, breakdown, config, stored


def _check_request(config: PricingConfig, request: QuoteRequest, now: datetime) -> ServiceSnapshot:
    service = config.services.get(request.service_id)
    if service is None:
        raise NotFound("service_not_found", "No such service.", field="service_id")
    if not service.active:
        raise ValidationFailed(
            "service_inactive", f"{service.name} is not offered right now.", field="service_id"
        )
    rules.validate_towing_miles(request.towing_miles)
    rules.validate_coordinates(request.lat, request.lng)
    scheduled_at = request.scheduled_at
    if scheduled_at is None:
        if service.scheduling_mode is SchedulingMode.SCHEDULED:
            raise ValidationFailed(
                "scheduled_time_required",
                f"{service.name} is booked ahead: choose a time.",
                field="scheduled_at",
            )
        return service
    if scheduled_at.tzinfo is None or scheduled_at.utcoffset() is None:
        raise ValidationFailed(
            "invalid_scheduled_at", "The scheduled time needs a time zone.", field="scheduled_at"
        )
    if service.scheduling_mode is SchedulingMode.IMMEDIATE:
        raise ValidationFailed(
            "scheduling_not_offered",
            f"{service.name} is only available right away, not for later.",
            field="scheduled_at",
        )
    lead = config.policy.min_schedule_lead_minutes
    if scheduled_at < now + timedelta(minutes=lead):
        raise ValidationFailed(
            "schedule_too_soon",
            f"Schedule at least {lead // 60} hours ahead, or book for now."
            if lead % 60 == 0
            else f"Schedule at least {lead} minutes ahead, or book for now.",
            field="scheduled_at",
        )
    return service


def _contract_for(
    session: Session, tenant_id: uuid.UUID, account_id: uuid.UUID, on: date
) -> B2BContract | None:
    account = session.exec(
        select(B2BAccount).where(B2BAccount.id == account_id, B2BAccount.tenant_id == tenant_id)
    ).first()
    if account is None:
        raise NotFound("b2b_account_not_found", "No such business account.", field="b2b_account_id")
    if account.status is not AccountStatus.ACTIVE:
        raise ValidationFailed(
            "b2b_account_suspended",
            f"{account.name} is suspended and cannot book on account.",
            field="b2b_account_id",
        )
    return session.exec(
        select(B2BContract)
        .where(
            B2BContract.tenant_id == tenant_id,
            B2BContract.account_id == account_id,
            col(B2BContract.active).is_(True),
            col(B2BContract.starts_on) <= on,
            sa.or_(col(B2BContract.ends_on).is_(None), col(B2BContract.ends_on) >= on),
        )
        .order_by(col(B2BContract.starts_on).desc())
    ).first()


def _check_matches(session: Session, quote: PriceQuote, request: QuoteRequest) -> None:
    stored = quote.request
    if request.service_id != quote.service_id:
        raise ValidationFailed(
            "quote_mismatch", "This estimate was for a different service.", field="service_id"
        )
    service = session.get(Service, quote.service_id)
    per_mile = service is not None and service.per_mile_cents > 0
    miles = request.towing_miles if per_mile else None
    if miles != stored.get("towing_miles"):
        raise ValidationFailed(
            "quote_mismatch", "This estimate was for a different distance.", field="towing_miles"
        )
    quoted_at = stored.get("scheduled_at")
    if (datetime.fromisoformat(quoted_at) if quoted_at else None) != request.scheduled_at:
        raise ValidationFailed(
            "quote_mismatch", "This estimate was for a different time.", field="scheduled_at"
        )
    if request.b2b_account_id != quote.b2b_account_id:
        raise ValidationFailed(
            "quote_mismatch",
            "This estimate was for a different account.",
            field="b2b_account_id",
        )


def _lock_storm_templates(session: Session, tenant_id: uuid.UUID) -> list[TimeBlock]:
    # Row locks (PostgreSQL) serialise two admins switching storm mode at once; SQLite
    # transactions already begin IMMEDIATE.
    return list(
        session.exec(
            select(TimeBlock)
            .where(
                TimeBlock.tenant_id == tenant_id,
                col(TimeBlock.priority) >= STORM_PRIORITY_FLOOR,
            )
            .order_by(col(TimeBlock.id))
            .with_for_update()
        ).all()
    )


def _required_reason(reason: str | None) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationFailed("reason_required", "Say why storm mode is changing.", field="reason")
    if len(cleaned) > 500:
        raise ValidationFailed(
            "reason_too_long", "Keep the reason to 500 characters or fewer.", field="reason"
        )
    return cleaned
