"""Issue 15 part 1 (PAY-1, PAY-7): payment plans, premium-finance agreements and their instalments. The bank
account on a plan is sealed with the customer's data key; instalments are versioned, a re-plan superseding
the open ones rather than changing them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'payment_plans',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('term_no', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('collection_day', sa.Integer(), nullable=True),
        sa.Column('account_holder', sa.Text(), nullable=True),
        sa.Column('sort_code', sa.Text(), nullable=True),
        sa.Column('account_number', sa.Text(), nullable=True),
        sa.Column('account_ending', sa.String(length=4), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.Column('ended_at', TS, nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_payment_plans_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_payment_plans'),
    )
    op.create_index('ix_payment_plans_policy_term', 'payment_plans', ['policy_id', 'term_no'])
    op.create_table(
        'finance_agreements',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('plan_id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('provider', sa.String(length=100), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=True),
        sa.Column('decision', sa.String(length=20), nullable=False),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('searched_at', TS, nullable=False),
        sa.Column('decided_at', TS, nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in (
            'cash_price_pence', 'deposit_pence', 'credit_pence', 'interest_pence', 'total_payable_pence')),
        sa.Column('flat_rate_percent', sa.Numeric(7, 3), nullable=False),
        sa.Column('apr_percent', sa.Numeric(7, 1), nullable=False),
        sa.Column('instalment_count', sa.Integer(), nullable=False),
        sa.Column('commission_percent', sa.Numeric(7, 3), nullable=False),
        sa.Column('commission_pence', sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in (
            'current_cash_price_pence', 'current_interest_pence', 'refunded_pence', 'paid_otherwise_pence',
            'arrears_pence')),
        sa.Column('pre_contract_document_id', sa.String(length=40), nullable=True),
        sa.Column('agreement_document_id', sa.String(length=40), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['payment_plans.id'], name='fk_finance_agreements_plan_id_payment_plans'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_finance_agreements_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_finance_agreements'),
        sa.UniqueConstraint('plan_id', name='uq_finance_agreements_plan_id'),
    )
    op.create_index('ix_finance_agreements_policy_id', 'finance_agreements', ['policy_id'])
    op.create_table(
        'instalments',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('plan_id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('superseded_by', sa.String(length=40), nullable=True),
        sa.Column('cause', sa.String(length=20), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['payment_plans.id'], name='fk_instalments_plan_id_payment_plans'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_instalments_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_instalments'),
        sa.UniqueConstraint('plan_id', 'sequence', 'version', name='uq_instalments_plan_sequence_version'),
    )
    op.create_index('ix_instalments_policy_id', 'instalments', ['policy_id'])
    op.create_index('ix_instalments_due_on_status', 'instalments', ['due_on', 'status'])


def downgrade() -> None:
    op.drop_table('instalments')
    op.drop_table('finance_agreements')
    op.drop_index('ix_payment_plans_policy_term', table_name='payment_plans')
    op.drop_table('payment_plans')
