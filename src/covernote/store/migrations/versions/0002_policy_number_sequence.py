"""Policy numbers from a PostgreSQL sequence

A counter row updated in each bind's transaction holds a row lock until commit, so every bind in the
system queued behind the one before. A sequence hands out numbers without a lock; a rolled-back bind
leaves a gap in the numbers, which policy numbers may have. SQLite keeps the counter row: its writes
are serialised by the database lock anyway.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    start = bind.execute(sa.text("SELECT COALESCE(MAX(value), 0) + 1 FROM counters WHERE name = 'policy_number'")).scalar_one()
    op.execute(f"CREATE SEQUENCE policy_number_seq START WITH {int(start)}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS policy_number_seq")
