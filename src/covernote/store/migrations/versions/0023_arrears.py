"""Issue 15 part 3 (PAY-2, FEE-2): a returned direct debit's dunning ladder: arrears cases (one per returned
instalment) and the steps taken on each, with the letter sent and the clock started.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 20:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'arrears_cases',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('instalment_id', sa.String(length=40), nullable=False),
        sa.Column('transaction_id', sa.String(length=40), nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('fee_pence', sa.BigInteger(), nullable=False),
        sa.Column('reason_code', sa.String(length=4), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('opened_on', sa.Date(), nullable=False),
        sa.Column('represent_on', sa.Date(), nullable=True),
        sa.Column('paid_unless_returned_by', sa.Date(), nullable=True),
        sa.Column('pay_by', sa.Date(), nullable=True),
        sa.Column('notice_on', sa.Date(), nullable=True),
        sa.Column('cancel_on', sa.Date(), nullable=True),
        sa.Column('action_on', sa.Date(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_arrears_cases_policy_id_policies'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_arrears_cases_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_arrears_cases'),
    )
    op.create_index('ix_arrears_cases_policy_id', 'arrears_cases', ['policy_id'])
    op.create_index('ix_arrears_cases_customer_id', 'arrears_cases', ['customer_id'])
    op.create_index('ix_arrears_cases_instalment_id', 'arrears_cases', ['instalment_id'])
    op.create_index('ix_arrears_cases_stage_action', 'arrears_cases', ['stage', 'action_on'])
    op.create_table(
        'arrears_steps',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('case_id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('taken_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', TS, nullable=False),
        sa.Column('letter', sa.String(length=40), nullable=True),
        sa.Column('letter_document_id', sa.String(length=40), nullable=True),
        sa.Column('deadline_id', sa.String(length=40), nullable=True),
        sa.Column('return_id', sa.String(length=40), nullable=True),
        sa.Column('facts', JSON, nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['arrears_cases.id'], name='fk_arrears_steps_case_id_arrears_cases'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_arrears_steps_policy_id_policies'),
        sa.ForeignKeyConstraint(['letter_document_id'], ['documents.id'],
                                name='fk_arrears_steps_letter_document_id_documents'),
        sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name='fk_arrears_steps_deadline_id_deadlines'),
        sa.PrimaryKeyConstraint('id', name='pk_arrears_steps'),
    )
    op.create_index('ix_arrears_steps_case_id', 'arrears_steps', ['case_id'])
    op.create_index('ix_arrears_steps_policy_id', 'arrears_steps', ['policy_id'])
    op.create_index('ux_arrears_steps_return', 'arrears_steps', ['return_id'], unique=True)


def downgrade() -> None:
    op.drop_table('arrears_steps')
    op.drop_table('arrears_cases')
