"""Writing audit entries inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Actor


def record_audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object | None = None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry; it commits (or rolls back) with the use case that made it."""
    entry = AuditEntry(
        tenant_id=actor.tenant_id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        reason=reason,
        changes=changes or {},
    )
    session.add(entry)
    return entry
