"""Small builders for test data: each call makes a new, unique tenant or user."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.passwords import hash_password
from roadside_console.domain.tenants.models import Tenant

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


def make_tenant(session: Session, *, name: str = "Test Towing", tz: str = "America/New_York") -> Tenant:
    """Add a tenant with a unique slug."""
    tenant = Tenant(name=name, slug=f"t-{uuid.uuid4().hex[:10]}", timezone=tz)
    session.add(tenant)
    session.commit()  # a savepoint release: the test's outer transaction still rolls it back
    return tenant


def make_user(
    session: Session, tenant: Tenant, *, role: Role = Role.ADMIN, email: str | None = None
) -> User:
    """Add an active user whose password is `PASSWORD`."""
    user = User(
        tenant_id=tenant.id,
        email=email or f"{role.value}-{uuid.uuid4().hex[:8]}@example.com",
        name=f"Test {role.value.title()}",
        role=role,
        password_hash=_PASSWORD_HASH,
    )
    session.add(user)
    session.commit()
    return user


def actor_of(user: User) -> Actor:
    """The acting identity of a user."""
    return Actor(user_id=user.id, tenant_id=user.tenant_id, role=user.role, name=user.name)
