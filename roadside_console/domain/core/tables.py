"""Building blocks every table uses: UUID keys, tenant scoping, timestamps, enums, JSON.

Enums are stored as short strings (not native PostgreSQL enum types) so adding a value is a
plain migration on both databases. JSON is JSONB on PostgreSQL and JSON text on SQLite.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")

# Deterministic names for unnamed constraints, so migrations can drop them on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return an aware UTC timestamp for column defaults."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    """Return a fresh random primary key."""
    return uuid.uuid4()


def enum_type(enum_cls: type[Enum]) -> sa.Enum:
    """Store an enum by its value as VARCHAR without a database-native enum type."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def json_field(default_factory: Any = dict, **kwargs: Any) -> Any:
    """Declare a JSON column (JSONB on PostgreSQL)."""
    return Field(default_factory=default_factory, sa_type=JSON_TYPE, **kwargs)


def tenant_fk(*, index: bool = True) -> Any:
    """Declare the mandatory `tenant_id` foreign key every business table carries.

    `index=False` for a table whose other indexes start with `tenant_id` or that no query reads
    by tenant alone: on the busiest writes every index is one more entry per row.
    """
    return Field(foreign_key="tenants.id", index=index, nullable=False, ondelete="CASCADE")


class IdMixin(SQLModel):
    """UUID primary key."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)


class CreatedMixin(SQLModel):
    """Creation time, set by the application in UTC."""

    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class TimestampsMixin(CreatedMixin):
    """Creation and last-update times."""

    updated_at: datetime = Field(
        default_factory=utcnow, nullable=False, sa_column_kwargs={"onupdate": utcnow}
    )


class TenantScoped(IdMixin):
    """A business row: UUID key plus the tenant it belongs to."""

    tenant_id: uuid.UUID = tenant_fk()
