"""Issue 5: complaints and their letters (CMP-1..5, DOC-2)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'complaints',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('team', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('postcode', sa.String(length=10), nullable=True),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('email', sa.String(length=320), nullable=True),
        sa.Column('policy_number', sa.String(length=40), nullable=True),
        sa.Column('policy_id', sa.String(length=40), nullable=True),
        sa.Column('customer_id', sa.String(length=40), nullable=True),
        sa.Column('product_code', sa.String(length=20), nullable=True),
        sa.Column('received_via', sa.String(length=10), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('nation', sa.String(length=3), nullable=False),
        sa.Column('alternative_format', sa.String(length=20), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('final_response_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('eight_week_letter_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('redress_pence', sa.BigInteger(), nullable=True),
        sa.Column('root_cause', sa.String(length=40), nullable=True),
        sa.Column('root_cause_note', sa.Text(), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=True),
        sa.Column('withdrawal_reason', sa.Text(), nullable=True),
        sa.Column('history', JSON, nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_complaints_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_complaints'),
    )
    op.create_index('ix_complaints_policy_id', 'complaints', ['policy_id'])
    op.create_index('ix_complaints_customer_id', 'complaints', ['customer_id'])
    op.create_index('ix_complaints_closed_at', 'complaints', ['closed_at'])
    op.create_index('ix_complaints_status_team', 'complaints', ['status', 'team'])
    op.create_index('ix_complaints_received_at', 'complaints', ['received_at'])
    op.create_table(
        'complaint_letters',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('complaint_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('format', sa.String(length=12), nullable=False),
        sa.Column('production', sa.String(length=12), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_by', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'],
                                name='fk_complaint_letters_complaint_id_complaints'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_complaint_letters_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_complaint_letters'),
    )
    op.create_index('ix_complaint_letters_complaint_id', 'complaint_letters', ['complaint_id'])
    op.create_index('ix_complaint_letters_customer_id', 'complaint_letters', ['customer_id'])


def downgrade() -> None:
    op.drop_table('complaint_letters')
    op.drop_table('complaints')
