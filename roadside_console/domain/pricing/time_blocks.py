"""Removing a time block or storm template (creating and editing live in `pricing.service`)."""

from __future__ import annotations

import uuid

from sqlmodel import select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import Conflict, NotFound
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing.cache import invalidate_pricing_config
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.pricing.rules import is_storm
from roadside_console.domain.pricing.schemas import TimeBlockView


def delete_time_block(
    uow: UnitOfWork, *, actor: Actor, block_id: uuid.UUID, reason: str | None = None
) -> TimeBlockView:
    """Delete a time block, audited with what it was; an active storm template must go off first.

    Quotes and bookings keep their stored breakdowns, so deleting a block never changes a price
    already given.
    """
    require(actor, Permission.MANAGE_PRICING)
    session = uow.session
    block = session.exec(
        select(TimeBlock)
        .where(TimeBlock.id == block_id, TimeBlock.tenant_id == actor.tenant_id)
        .with_for_update()
    ).first()
    if block is None:
        raise NotFound("time_block_not_found", "No such time block.", field="block_id")
    if block.active and is_storm(block):
        raise Conflict(
            "storm_template_active",
            f"{block.name} is the storm mode in force. Turn storm mode off first.",
            field="block_id",
        )
    view = TimeBlockView.of(block)
    record_audit(
        session,
        actor=actor,
        action="time_block_deleted",
        target_type="time_block",
        target_id=block.id,
        reason=(reason or "").strip()[:500] or None,
        changes={
            "name": block.name,
            "start_hour": block.start_hour,
            "end_hour": block.end_hour,
            "multiplier_bp": block.multiplier_bp,
            "priority": block.priority,
            "active": block.active,
        },
    )
    session.delete(block)
    uow.commit()
    invalidate_pricing_config(actor.tenant_id)
    return view
