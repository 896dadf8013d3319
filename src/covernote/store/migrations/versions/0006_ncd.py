"""No-claims discount proof and claim types (issue 4 parts 1, 2 and 4)

Proofs of NCD (NCD-1) get their own table. Claim types (NCD-2) live inside the incident event of
policy_transactions.details, so they need no schema change: an event stored without one reads as "other".

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ncd_proofs',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('quote_id', sa.String(length=40), nullable=True),
        sa.Column('policy_id', sa.String(length=40), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('insurer', sa.String(length=200), nullable=False),
        sa.Column('ncd_years', sa.Integer(), nullable=True),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('registration', sa.String(length=12), nullable=True),
        sa.Column('country', sa.String(length=60), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('previous_policy_number', sa.String(length=40), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('checks', JSON, nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('decided_by', sa.String(length=40), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('effect', JSON, nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_ncd_proofs_customer_id_customers')),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_ncd_proofs_policy_id_policies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ncd_proofs')),
    )
    with op.batch_alter_table('ncd_proofs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ncd_proofs_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ncd_proofs_quote_id'), ['quote_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ncd_proofs_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('ix_ncd_proofs_ended_on_status', ['ended_on', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ncd_proofs', schema=None) as batch_op:
        batch_op.drop_index('ix_ncd_proofs_ended_on_status')
        batch_op.drop_index(batch_op.f('ix_ncd_proofs_policy_id'))
        batch_op.drop_index(batch_op.f('ix_ncd_proofs_quote_id'))
        batch_op.drop_index(batch_op.f('ix_ncd_proofs_customer_id'))
    op.drop_table('ncd_proofs')
