"""The clock engine (issue 5): one table of deadlines for claims, complaints, MID updates and later clocks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'deadlines',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('rule', sa.String(length=60), nullable=False),
        sa.Column('subject_kind', sa.String(length=30), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=True),
        sa.Column('team', sa.String(length=40), nullable=False),
        sa.Column('nation', sa.String(length=3), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('pauses', JSON, nullable=False),
        sa.Column('met_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stop_reason', sa.Text(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_deadlines_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_deadlines'),
    )
    op.create_index('ix_deadlines_customer_id', 'deadlines', ['customer_id'])
    op.create_index('ix_deadlines_subject', 'deadlines', ['subject_kind', 'subject_id'])
    op.create_index('ix_deadlines_open_due', 'deadlines', ['met_at', 'stopped_at', 'due_at'])
    op.create_index('ix_deadlines_team_started', 'deadlines', ['team', 'started_at'])


def downgrade() -> None:
    op.drop_table('deadlines')
