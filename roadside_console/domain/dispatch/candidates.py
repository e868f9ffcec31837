"""Ranked candidates for a booking right now: who a dispatcher could assign, best first.

The same search and scoring as automatic dispatch (inside the expanded radius), read-only: it
writes no log and makes no offer, so a dispatcher can look before choosing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from roadside_console.domain.bookings.service import get_booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import queries, rules
from roadside_console.domain.dispatch.schemas import CandidateView
from roadside_console.domain.dispatch.settings import config_from_settings
from roadside_console.domain.tenants.service import get_tenant, get_tenant_settings

MAX_CANDIDATES = 10


def ranked_candidates(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    limit: int = MAX_CANDIDATES,
    now: datetime | None = None,
) -> list[CandidateView]:
    """Return the providers eligible for the booking now, ranked as automatic dispatch would.

    Providers who were already offered this booking are left out, as dispatch leaves them out.
    """
    require(actor, Permission.DISPATCH)
    now = now or utc_now()
    session = uow.session
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    service = session.get(Service, booking.service_id)
    if service is None:  # pragma: no cover - a foreign key guarantees it
        return []
    config = config_from_settings(get_tenant_settings(session, actor.tenant_id))
    today = now.astimezone(ZoneInfo(get_tenant(session, actor.tenant_id).timezone)).date()
    job = rules.JobFacts(
        lat=booking.lat,
        lng=booking.lng,
        service_slug=service.slug,
        service_category=service.category.value,
        is_b2b=booking.b2b_account_id is not None,
    )
    radius = config.expanded_radius_miles
    facts = queries.find_candidates(
        session,
        tenant_id=actor.tenant_id,
        booking_id=booking.id,
        job=job,
        config=config,
        radius_miles=radius,
        now=now,
        today=today,
    )
    candidates = []
    for provider in facts:
        if rules.ineligibility_reasons(
            provider, job, config, now=now, today=today, radius_miles=radius
        ):
            continue
        candidate = rules.to_candidate(
            provider, job, now=now, fresh_seconds=config.location_fresh_seconds
        )
        if candidate is not None:
            candidates.append(candidate)
    scored = rules.score_candidates(candidates, job, config)
    return [CandidateView.from_log(entry.as_log()) for entry in scored[:limit]]
