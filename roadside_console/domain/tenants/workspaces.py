"""Which tenant a public API request is for: the token's, or the workspace a guest names."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.tenants.service import get_tenant_by_slug


def tenant_for_caller(session: Session, *, actor: Actor | None, workspace: str | None) -> uuid.UUID:
    """Return the tenant of a signed-in actor, or of the workspace a guest names.

    A signed-in actor may repeat their own workspace but never name another one: a token is
    bound to its tenant, and a silent switch would book with the wrong operator.
    """
    slug = (workspace or "").strip().lower()
    if actor is not None:
        if slug:
            tenant = get_tenant_by_slug(session, slug)
            if tenant is None or tenant.id != actor.tenant_id:
                raise ValidationFailed(
                    "workspace_mismatch",
                    "Your token belongs to another workspace; leave the workspace out.",
                    field="workspace",
                )
        return actor.tenant_id
    if not slug:
        raise ValidationFailed(
            "workspace_required",
            "Name the workspace (the operator's short name) you are asking, or sign in.",
            field="workspace",
        )
    tenant = get_tenant_by_slug(session, slug)
    if tenant is None:
        raise NotFound("workspace_not_found", "No such workspace.", field="workspace")
    return tenant.id
