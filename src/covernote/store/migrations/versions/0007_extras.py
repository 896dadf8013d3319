"""Optional extras, their commission and NCD protection (issue 4 parts 3 and 5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 08:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Quotes keep the extras they priced; every policy transaction's extras, with their IPT and
    commission, are kept line by line for the fair-value report (ADD-1, PAY-7)."""
    with op.batch_alter_table('quotes') as batch:
        batch.add_column(sa.Column('extras', JSON, nullable=True))
    op.create_table('extra_lines',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('policy_id', sa.String(length=40), nullable=False),
    sa.Column('transaction_id', sa.String(length=40), nullable=False),
    sa.Column('transaction_kind', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('term_no', sa.Integer(), nullable=False),
    sa.Column('product_ref', sa.String(length=60), nullable=False),
    sa.Column('product_code', sa.String(length=20), nullable=False),
    sa.Column('extra_code', sa.String(length=40), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('insurer', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('cover', JSON, nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('premium_pence', sa.BigInteger(), nullable=False),
    sa.Column('ipt_pence', sa.BigInteger(), nullable=False),
    sa.Column('commission_pence', sa.BigInteger(), nullable=False),
    sa.Column('ipt_rate', sa.String(length=12), nullable=False),
    sa.Column('commission_percent', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_extra_lines_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extra_lines'))
    )
    op.create_index(op.f('ix_extra_lines_policy_id'), 'extra_lines', ['policy_id'], unique=False)
    op.create_index('ix_extra_lines_product_extra_booked', 'extra_lines', ['product_code', 'extra_code', 'booked_on'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_extra_lines_product_extra_booked', table_name='extra_lines')
    op.drop_index(op.f('ix_extra_lines_policy_id'), table_name='extra_lines')
    op.drop_table('extra_lines')
    with op.batch_alter_table('quotes') as batch:
        batch.drop_column('extras')
