"""Quote withdrawal (issue 4 review follow-ups)

An open quote holds the customer's proof of NCD while it is open (NCD-1: "not in use on another vehicle"),
so the customer or staff may withdraw it: quotes.status becomes 'withdrawn' (it fits String(10); there is
no CHECK constraint on it) and these nullable columns say when, by whom and why.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 08:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    # Withdrawn quotes keep their status: the code before 0009 cannot bind them and does not count them as
    # holding an NCD, but its retention sweep only deletes open quotes (delete them by hand if needed).
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
