"""dispatch: index providers' home base for the bounding-box prefilter

Revision ID: 0002_dispatch
Revises: 0001
Create Date: 2026-11-23 09:29:17.980689

The candidate search keeps a provider whose live fix is fresh and inside the box, or whose
home base is inside the box; the current location already has an index, this adds the home one.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_dispatch"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_providers_home_location",
        "providers",
        ["tenant_id", "home_lat", "home_lng"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_providers_home_location", table_name="providers")
