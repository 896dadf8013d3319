"""Carbon offsetting for eco policies (issue 4 part 6)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 08:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    """ECO-1: one row per offset purchase or change of a policy year (carbon_offsets), and its split
    across the offset projects (carbon_offset_lines). Figures only; the inputs stay in the policy's risk."""
    op.create_table('carbon_offsets',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('policy_id', sa.String(length=40), nullable=False),
    sa.Column('term_no', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('product_ref', sa.String(length=60), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=False),
    sa.Column('term_end', sa.Date(), nullable=False),
    sa.Column('co2_kg', sa.BigInteger(), nullable=False),
    sa.Column('cost_pence', sa.BigInteger(), nullable=False),
    sa.Column('year_co2_kg', sa.BigInteger(), nullable=False),
    sa.Column('year_cost_pence', sa.BigInteger(), nullable=False),
    sa.Column('price_pence_per_tonne', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('estimated', sa.Boolean(), nullable=False),
    sa.Column('basis', JSON, nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_carbon_offsets_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carbon_offsets')),
    sa.UniqueConstraint('transaction_id', name=op.f('uq_carbon_offsets_transaction_id'))
    )
    with op.batch_alter_table('carbon_offsets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carbon_offsets_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carbon_offsets_recorded_at'), ['recorded_at'], unique=False)

    op.create_table('carbon_offset_lines',
    sa.Column('offset_id', sa.String(length=40), nullable=False),
    sa.Column('project_code', sa.String(length=30), nullable=False),
    sa.Column('policy_id', sa.String(length=40), nullable=False),
    sa.Column('project_name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=100), nullable=False),
    sa.Column('share_percent', sa.String(length=12), nullable=False),
    sa.Column('co2_kg', sa.BigInteger(), nullable=False),
    sa.Column('cost_pence', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['offset_id'], ['carbon_offsets.id'],
                            name=op.f('fk_carbon_offset_lines_offset_id_carbon_offsets')),
    sa.PrimaryKeyConstraint('offset_id', 'project_code', name=op.f('pk_carbon_offset_lines'))
    )
    with op.batch_alter_table('carbon_offset_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carbon_offset_lines_policy_id'), ['policy_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('carbon_offset_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carbon_offset_lines_policy_id'))
    op.drop_table('carbon_offset_lines')
    with op.batch_alter_table('carbon_offsets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carbon_offsets_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_carbon_offsets_policy_id'))
    op.drop_table('carbon_offsets')
