"""The audit log: who did what to which record, when, and why."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.tables import CreatedMixin, TenantScoped, enum_type, json_field


class AuditEntry(TenantScoped, CreatedMixin, table=True):
    """One audited action; rows are only ever appended."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_tenant_time", "tenant_id", "created_at"),
        sa.Index("ix_audit_log_tenant_action", "tenant_id", "action"),
        sa.Index("ix_audit_log_target", "target_type", "target_id"),
    )

    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_role: Role | None = Field(default=None, sa_type=enum_type(Role))
    action: str = Field(max_length=80)
    target_type: str = Field(max_length=48)
    target_id: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=500)
    changes: dict[str, Any] = json_field()
    ip_address: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
