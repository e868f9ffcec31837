"""providers: the newest trail point kept, so a location fix need not read the trail

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:00:00

A fix keeps a trail point when the provider's newest one is at least five seconds old. That
used to be a NOT EXISTS over `provider_locations` in the fix's INSERT; its plan depends on the
trail's statistics, and a cached plan made while the table was small scanned the whole, growing
table on every fix. The fix's UPDATE of the provider now decides it from these two columns
under the row lock it takes anyway. Existing providers get their newest point copied in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEWEST_POINT = """
UPDATE providers SET
    last_trail_point_id = (
        SELECT p.id FROM provider_locations p WHERE p.provider_id = providers.id
        ORDER BY p.recorded_at DESC, p.id LIMIT 1
    ),
    last_trail_point_at = (
        SELECT max(p.recorded_at) FROM provider_locations p WHERE p.provider_id = providers.id
    )
"""


def upgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("last_trail_point_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("last_trail_point_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.execute(NEWEST_POINT)


def downgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.drop_column("last_trail_point_at")
        batch.drop_column("last_trail_point_id")
