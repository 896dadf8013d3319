"""Privacy follow-ups (issue 3): indexes the retention sweep and erasure read by; register columns
(fraud marker removal reason, disclosures withheld from the person, breach closure)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:45:00
"""
import sqlalchemy as sa
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
    # The sweep deletes stored idempotent answers by age (house rule: 30 days).
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)
    # Registers (docs/privacy-registers.md): why a fraud marker was removed; disclosures withheld from the
    # person (DPA 2018 Sch. 2 para 2); closing a breach.
    with op.batch_alter_table('fraud_markers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removal_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withheld_from_subject', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('withheld_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('breaches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_by', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('closure_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('breaches', schema=None) as batch_op:
        batch_op.drop_column('closure_note')
        batch_op.drop_column('closed_by')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_column('withheld_reason')
        batch_op.drop_column('withheld_from_subject')
    with op.batch_alter_table('fraud_markers', schema=None) as batch_op:
        batch_op.drop_column('removal_reason')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_customer_id'))
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index('ix_quotes_status_created_at')
        batch_op.drop_index(batch_op.f('ix_quotes_policy_id'))
