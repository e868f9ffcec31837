"""Looking up tenants and their settings."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.tenants.models import Tenant, TenantSettings


def get_tenant_by_slug(session: Session, slug: str) -> Tenant | None:
    """Return the active tenant with this slug, if any (none has a NUL byte: PostgreSQL refuses)."""
    if "\x00" in slug:
        return None
    return session.exec(
        select(Tenant).where(Tenant.slug == slug.strip().lower(), Tenant.active)
    ).first()


def get_tenant(session: Session, tenant_id: uuid.UUID) -> Tenant:
    """Return a tenant by id or raise `NotFound`."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("tenant_not_found", "This workspace does not exist.")
    return tenant


def get_tenant_settings(session: Session, tenant_id: uuid.UUID) -> TenantSettings:
    """Return the tenant's settings, created with defaults on first use."""
    settings = session.exec(
        select(TenantSettings).where(TenantSettings.tenant_id == tenant_id)
    ).first()
    if settings is None:
        # Two requests may create the defaults at once; the unique constraint picks one.
        try:
            with session.begin_nested():
                settings = TenantSettings(tenant_id=tenant_id)
                session.add(settings)
        except IntegrityError:
            settings = session.exec(
                select(TenantSettings).where(TenantSettings.tenant_id == tenant_id)
            ).one()
    return settings
