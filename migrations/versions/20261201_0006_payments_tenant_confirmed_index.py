"""payments: index confirmed payments by tenant and time for revenue figures

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:10:00

The dashboard's revenue this month, its revenue-per-day chart and the revenue reports select a
tenant's payments by `confirmed_at` range. Without this index each one read the whole payments
table (with 100,000 bookings, 65 ms for the month's revenue and a JIT-compiled 800 ms plan for
the 30-day chart on PostgreSQL; 0.1 ms and 113 ms with it).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_payments_tenant_confirmed",
        "payments",
        ["tenant_id", "confirmed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_payments_tenant_confirmed", table_name="payments")
