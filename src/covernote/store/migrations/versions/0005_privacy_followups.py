"""Privacy follow-ups (issue 3): indexes the retention sweep and erasure read by

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:45:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Erasure and the sweep find a policy's quote and a person's logins by these columns.
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('ix_quotes_status_created_at', ['status', 'created_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_customer_id'))
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index('ix_quotes_status_created_at')
        batch_op.drop_index(batch_op.f('ix_quotes_policy_id'))
