"""Writing audit entries inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.tables import new_id, utcnow


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
) -> None:
    """Append an audit entry; it commits (or rolls back) with the use case that made it.

    `actor=None` records an automatic change by the system; then `tenant_id` is required.
    The row is one prepared INSERT, sent at once: an ORM flush of a new object costs more
    than the row itself, and audit rows are never read back in the transaction that writes
    them. Pending changes go first (as a flush would), so a user created in the same use case
    exists before the entry that names it.
    """
    scope = actor.tenant_id if actor else tenant_id
    if scope is None:
        raise ValueError("a system audit entry needs the tenant_id")
    if session.new or session.dirty or session.deleted:
        session.flush()
    session.execute(
        _INSERT,
        {
            "id": new_id(),
            "tenant_id": scope,
            "actor_id": actor.user_id if actor else None,
            "actor_role": actor.role if actor else None,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id) if target_id is not None else None,
            "reason": reason,
            "changes": changes or {},
            "ip_address": None,
            "request_id": None,
            "created_at": utcnow(),
        },
    )


_INSERT = sa.insert(AuditEntry.__table__)  # type: ignore[attr-defined]
