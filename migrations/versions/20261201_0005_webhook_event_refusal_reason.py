"""webhook events: why an event was refused

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00.000000

A Stripe event the payment core refuses for good (a refund of a disputed payment, more than
remains) is answered 200 and kept as `status = 'refused'` with the reason, so Stripe stops
retrying and ops can see it. The status is a VARCHAR(32) without a CHECK constraint, so the new
value needs no change to the column; only `reason` is added.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.add_column(
            sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_column("reason")
