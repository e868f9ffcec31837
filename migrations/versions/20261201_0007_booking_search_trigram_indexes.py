"""bookings: trigram indexes for the bookings table's free-text search (PostgreSQL)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:15:00

The search box matches `%term%` against the lower-cased reference, contact name and contact
phone, which no B-tree can serve: with 100,000 bookings every search read the whole table twice
(the count, then the page), about 300 ms each on the 2-core box. A GIN trigram index per
expression lets PostgreSQL answer from the indexes (8 ms for a phone). Terms shorter than three
characters still scan. `pg_trgm` is a trusted extension (PostgreSQL 13+), so the database owner
can create it. SQLite has no equivalent and keeps scanning.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_bookings_reference_trgm": "lower(reference)",
    "ix_bookings_contact_name_trgm": "lower(contact_name)",
    "ix_bookings_contact_phone_trgm": "lower(contact_phone)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON bookings USING gin (({expression}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
