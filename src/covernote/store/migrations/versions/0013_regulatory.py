"""Issue 5 parts 5 and 6 (REG-1, REG-2, REG-3): the Motor Insurance Database and Claims and Underwriting
Exchange outboxes, and every fraud check made

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'mid_updates',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('transaction_id', sa.String(length=40), nullable=True),
        sa.Column('term_no', sa.Integer(), nullable=False),
        sa.Column('trigger', sa.String(length=20), nullable=False),
        sa.Column('rule', sa.String(length=40), nullable=False),
        sa.Column('record', JSON, nullable=False),
        sa.Column('registration_issues', JSON, nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.Column('due_at', TS, nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', TS, nullable=True),
        sa.Column('last_attempt_at', TS, nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('action', sa.String(length=10), nullable=True),
        sa.Column('sent_at', TS, nullable=True),
        sa.Column('reference', sa.String(length=60), nullable=True),
        sa.Column('reject_code', sa.String(length=40), nullable=True),
        sa.Column('reject_reason', sa.Text(), nullable=True),
        sa.Column('superseded_by', sa.String(length=40), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_mid_updates_customer_id_customers'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_mid_updates_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_mid_updates'),
    )
    op.create_index('ix_mid_updates_policy_id', 'mid_updates', ['policy_id'])
    op.create_index('ix_mid_updates_customer_id', 'mid_updates', ['customer_id'])
    op.create_index('ix_mid_updates_created_at', 'mid_updates', ['created_at'])
    op.create_index('ix_mid_updates_status_next', 'mid_updates', ['status', 'next_attempt_at'])

    op.create_table(
        'cue_reports',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('claim_id', sa.String(length=40), nullable=True),
        sa.Column('transaction_id', sa.String(length=40), nullable=True),
        sa.Column('incident_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('payload', JSON, nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', TS, nullable=True),
        sa.Column('last_attempt_at', TS, nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', TS, nullable=True),
        sa.Column('reference', sa.String(length=60), nullable=True),
        sa.Column('reject_code', sa.String(length=40), nullable=True),
        sa.Column('reject_reason', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_cue_reports_customer_id_customers'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_cue_reports_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_cue_reports'),
        sa.UniqueConstraint('claim_id', name='uq_cue_reports_claim_id'),
        sa.UniqueConstraint('transaction_id', name='uq_cue_reports_transaction_id'),
    )
    op.create_index('ix_cue_reports_policy_id', 'cue_reports', ['policy_id'])
    op.create_index('ix_cue_reports_customer_id', 'cue_reports', ['customer_id'])
    op.create_index('ix_cue_reports_status_next', 'cue_reports', ['status', 'next_attempt_at'])

    op.create_table(
        'fraud_checks',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('stage', sa.String(length=10), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=True),
        sa.Column('subject_ref', sa.String(length=40), nullable=False),
        sa.Column('subject', JSON, nullable=False),
        sa.Column('result', sa.String(length=12), nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('reasons', JSON, nullable=True),
        sa.Column('agency_reference', sa.String(length=60), nullable=True),
        sa.Column('checked_at', TS, nullable=False),
        sa.Column('checked_by', sa.String(length=40), nullable=False),
        sa.Column('review_status', sa.String(length=12), nullable=False),
        sa.Column('marker_id', sa.String(length=40), nullable=True),
        sa.Column('reviewed_at', TS, nullable=True),
        sa.Column('reviewed_by', sa.String(length=40), nullable=True),
        sa.Column('review_note', sa.Text(), nullable=True),
        sa.Column('recheck_of', sa.String(length=40), nullable=True),
        sa.Column('notes', JSON, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_fraud_checks_customer_id_customers'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_fraud_checks_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_fraud_checks'),
    )
    op.create_index('ix_fraud_checks_customer_id', 'fraud_checks', ['customer_id'])
    op.create_index('ix_fraud_checks_policy_id', 'fraud_checks', ['policy_id'])
    op.create_index('ix_fraud_checks_checked_at', 'fraud_checks', ['checked_at'])
    op.create_index('ix_fraud_checks_review_status', 'fraud_checks', ['review_status'])


def downgrade() -> None:
    op.drop_table('fraud_checks')
    op.drop_table('cue_reports')
    op.drop_table('mid_updates')
