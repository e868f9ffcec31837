"""What the trust page reads: the promotion threshold and how many customers sit in each tier."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.tenants.service import get_tenant_settings
from roadside_console.domain.trust import rules


@dataclass(frozen=True, slots=True)
class TrustOverview:
    """The tenant's trust policy and its customers per tier."""

    promotion_threshold: int
    tier_one: int
    tier_two: int


def trust_overview(uow: UnitOfWork, *, actor: Actor) -> TrustOverview:
    """Return the clean payments that earn tier 2 and the customer count of each tier."""
    require(actor, Permission.MANAGE_TRUST)
    session = uow.session
    counts = dict(
        session.exec(
            select(User.trust_tier, func.count())
            .where(User.tenant_id == actor.tenant_id, User.role == Role.CUSTOMER)
            .group_by(User.trust_tier)
        ).all()
    )
    return TrustOverview(
        promotion_threshold=get_tenant_settings(session, actor.tenant_id).trust_promotion_threshold,
        tier_one=int(counts.get(rules.MIN_TIER, 0)),
        tier_two=int(counts.get(rules.MAX_TIER, 0)),
    )
