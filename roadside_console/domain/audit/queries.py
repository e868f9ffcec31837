"""Reading the audit log: filtered in SQL, newest first, paged by keyset (at most 50 a page).

Keyset paging on (created_at, id) keeps every page as fast as the first on a log that only
grows, and a new entry arriving while someone reads never shifts the next page.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.reports.periods import check_range, local_midnight
from roadside_console.domain.tenants.service import get_tenant

MAX_PAGE_SIZE = 50
SYSTEM = "System"


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """What to narrow the log to; empty fields match everything.

    `system_only` keeps the automatic changes (no acting user); dates are local and inclusive.
    """

    actor_id: uuid.UUID | None = None
    system_only: bool = False
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry as the audit page shows it; `changes` is (field, what changed) pairs."""

    entry_id: uuid.UUID
    created_at: datetime
    actor_name: str
    actor_role: str
    action: str
    target_type: str
    target_id: str
    reason: str
    changes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AuditPage:
    """A page of entries; `next_cursor` continues after the last one (None: no more)."""

    rows: tuple[AuditRow, ...]
    next_cursor: str | None
    timezone: str


@dataclass(frozen=True, slots=True)
class AuditFilterOptions:
    """The choices the filters offer: who has acted, which actions and targets exist."""

    actors: tuple[tuple[uuid.UUID, str], ...]
    actions: tuple[str, ...]
    target_types: tuple[str, ...]


def list_audit_entries(
    uow: UnitOfWork,
    *,
    actor: Actor,
    filters: AuditFilters,
    after: str | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> AuditPage:
    """Return the tenant's entries matching `filters`, newest first, after the `after` cursor."""
    require(actor, Permission.VIEW_AUDIT_LOG)
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    session = uow.session
    tz = get_tenant(session, actor.tenant_id).timezone
    query = (
        sa.select(AuditEntry, User.name)
        .outerjoin(User, sa.and_(User.id == AuditEntry.actor_id, User.tenant_id == actor.tenant_id))
        .where(*_conditions(actor, filters, tz))
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .limit(size + 1)
    )
    if after:
        at, entry_id = _parse_cursor(after)
        query = query.where(
            sa.or_(
                col(AuditEntry.created_at) < at,
                sa.and_(col(AuditEntry.created_at) == at, col(AuditEntry.id) < entry_id),
            )
        )
    found = session.execute(query).all()
    page = found[:size]
    rows = tuple(_row(entry, name) for entry, name in page)
    more = len(found) > size
    return AuditPage(
        rows=rows,
        next_cursor=_cursor(page[-1][0]) if more and page else None,
        timezone=tz,
    )


def audit_filter_options(uow: UnitOfWork, *, actor: Actor) -> AuditFilterOptions:
    """Return who has acted in the tenant's log and which actions and targets it holds."""
    require(actor, Permission.VIEW_AUDIT_LOG)
    session = uow.session
    tid = actor.tenant_id
    actors = session.execute(
        sa.select(User.id, User.name)
        .where(
            User.tenant_id == tid,
            col(User.id).in_(
                sa.select(AuditEntry.actor_id)
                .where(AuditEntry.tenant_id == tid, col(AuditEntry.actor_id).is_not(None))
                .distinct()
            ),
        )
        .order_by(col(User.name), col(User.id))
    ).all()
    actions = session.execute(
        sa.select(AuditEntry.action)
        .where(AuditEntry.tenant_id == tid)
        .distinct()
        .order_by(col(AuditEntry.action))
    ).scalars()
    targets = session.execute(
        sa.select(AuditEntry.target_type)
        .where(AuditEntry.tenant_id == tid)
        .distinct()
        .order_by(col(AuditEntry.target_type))
    ).scalars()
    return AuditFilterOptions(
        actors=tuple((user_id, name) for user_id, name in actors),
        actions=tuple(actions),
        target_types=tuple(targets),
    )


def describe_change(value: Any) -> str:
    """Say what one audited field became: {"from": 1, "to": 2} → "1 → 2", else its JSON."""
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_short(value['from'])} → {_short(value['to'])}"
    return _short(value)


def _conditions(actor: Actor, filters: AuditFilters, tz: str) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [AuditEntry.tenant_id == actor.tenant_id]
    if filters.system_only:
        conditions.append(col(AuditEntry.actor_id).is_(None))
    elif filters.actor_id is not None:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.action.strip():
        conditions.append(AuditEntry.action == filters.action.strip())
    if filters.target_type.strip():
        conditions.append(AuditEntry.target_type == filters.target_type.strip())
    if filters.target_id.strip():
        conditions.append(AuditEntry.target_id == filters.target_id.strip())
    if filters.start and filters.end:
        check_range(filters.start, filters.end)
    if filters.start:
        conditions.append(col(AuditEntry.created_at) >= local_midnight(filters.start, tz))
    if filters.end:
        next_day = date.fromordinal(filters.end.toordinal() + 1)
        conditions.append(col(AuditEntry.created_at) < local_midnight(next_day, tz))
    return conditions


def _row(entry: AuditEntry, actor_name: str | None) -> AuditRow:
    name = SYSTEM if entry.actor_id is None else (actor_name or "Former user")
    return AuditRow(
        entry_id=entry.id,
        created_at=entry.created_at,
        actor_name=name,
        actor_role=entry.actor_role.value if entry.actor_role else "",
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id or "",
        reason=entry.reason or "",
        changes=tuple((key, describe_change(value)) for key, value in entry.changes.items()),
    )


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:119] + "…"


def _cursor(entry: AuditEntry) -> str:
    return f"{entry.created_at.isoformat()}|{entry.id}"


def _parse_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at_text, id_text = cursor.split("|", 1)
        at, entry_id = datetime.fromisoformat(at_text), uuid.UUID(id_text)
    except ValueError as error:
        raise ValidationFailed("invalid_cursor", "This page link is not valid.") from error
    if at.tzinfo is None:
        raise ValidationFailed("invalid_cursor", "This page link is not valid.")
    return at, entry_id
