"""Which tenant a public API request is for: the token's, or the workspace a guest names.

A guest names the workspace on every call, so the slug's tenant id is remembered in-process for
`SLUG_TTL_SECONDS` (5 s, as the pricing config): a renamed or switched-off workspace stops
answering within that time everywhere (pricing refuses an inactive tenant on the same clock).
"""

from __future__ import annotations

import threading
import time
import uuid

from sqlmodel import Session

from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.tenants.service import get_tenant_by_slug

SLUG_TTL_SECONDS = 5.0
_MAX_SLUGS = 10_000
_slugs: dict[str, tuple[uuid.UUID, float]] = {}
_slugs_lock = threading.Lock()


def tenant_for_caller(session: Session, *, actor: Actor | None, workspace: str | None) -> uuid.UUID:
    """Return the tenant of a signed-in actor, or of the workspace a guest names.

    A signed-in actor may repeat their own workspace but never name another one: a token is
    bound to its tenant, and a silent switch would book with the wrong operator.
    """
    known = cached_tenant_for_caller(actor=actor, workspace=workspace)
    if known is not None:
        return known
    slug = _slug(workspace)
    tenant = get_tenant_by_slug(session, slug)
    if tenant is not None:
        _remember(slug, tenant.id)
    if actor is not None:
        return _own_tenant(actor, tenant.id if tenant is not None else None)
    if tenant is None:
        raise NotFound("workspace_not_found", "No such workspace.", field="workspace")
    return tenant.id


def cached_tenant_for_caller(*, actor: Actor | None, workspace: str | None) -> uuid.UUID | None:
    """Answer `tenant_for_caller` without a query when it can; None means "ask the database".

    Refusals that need no lookup (a guest naming no workspace, a token naming another
    workspace the cache knows) are raised here too.
    """
    slug = _slug(workspace)
    if actor is not None and not slug:
        return actor.tenant_id
    if actor is None and not slug:
        raise ValidationFailed(
            "workspace_required",
            "Name the workspace (the operator's short name) you are asking, or sign in.",
            field="workspace",
        )
    entry = _slugs.get(slug)
    if entry is None or time.monotonic() >= entry[1]:
        return None
    return _own_tenant(actor, entry[0]) if actor is not None else entry[0]


def forget_workspaces() -> None:
    """Forget every remembered slug (after renaming or switching off a workspace, and in tests)."""
    with _slugs_lock:
        _slugs.clear()


def _own_tenant(actor: Actor, named: uuid.UUID | None) -> uuid.UUID:
    if named != actor.tenant_id:
        raise ValidationFailed(
            "workspace_mismatch",
            "Your token belongs to another workspace; leave the workspace out.",
            field="workspace",
        )
    return actor.tenant_id


def _slug(workspace: str | None) -> str:
    return (workspace or "").strip().lower()


def _remember(slug: str, tenant_id: uuid.UUID) -> None:
    with _slugs_lock:
        if len(_slugs) >= _MAX_SLUGS:
            _slugs.clear()
        _slugs[slug] = (tenant_id, time.monotonic() + SLUG_TTL_SECONDS)
