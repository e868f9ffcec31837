"""Writing audit entries inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Actor


def record_audit(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    target_type: str,
    target_id: object | None = None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
    tenant_id: uuid.UUID | None = None,
) -> AuditEntry:
    """Append an audit entry; it commits (or rolls back) with the use case that made it.

    `actor=None` records an automatic change by the system; then `tenant_id` is required.
    """
    scope = actor.tenant_id if actor else tenant_id
    if scope is None:
        raise ValueError("a system audit entry needs the tenant_id")
    entry = AuditEntry(
        tenant_id=scope,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        reason=reason,
        changes=changes or {},
    )
    session.add(entry)
    return entry
