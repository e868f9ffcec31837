"""providers, provider_locations: drop the tenant-only indexes the location fix paid for

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:05:00

Every location fix updates its provider's current position (never a HOT update: the position is
indexed for dispatch) and usually inserts a trail point, so each index on these two tables is
one more entry per fix. `ix_providers_tenant_id` is the prefix of the three composite provider
indexes, which serve any lookup by tenant; the trail is read by provider and time only, and a
tenant's deletion also reaches its points through their providers' cascade.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_providers_tenant_id": "providers",
    "ix_provider_locations_tenant_id": "provider_locations",
}


def upgrade() -> None:
    for name, table in INDEXES.items():
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table in INDEXES.items():
        op.create_index(name, table, ["tenant_id"], unique=False)
