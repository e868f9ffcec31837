"""money totals as bigint

Ledger entries and payout batch totals can exceed 2^31 cents ($21.4M) for a large operator's
batch settlement; everything else stays a 32-bit integer.

Revision ID: 0003
Revises: 0002_dispatch
Create Date: 2026-11-23 10:04:37.096722
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002_dispatch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [("ledger_entries", "amount_cents"), ("payout_batches", "total_cents")]


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=False
            )


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=False
            )
