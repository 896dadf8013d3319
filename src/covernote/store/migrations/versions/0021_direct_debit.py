"""Issue 15 part 2 (PAY-6): direct debit through Bacs. Mandates (the instructions lodged through AUDDIS, their
account sealed with the customer's data key), the submissions made to the bureau (their SHA-256, not the file),
one collection row per instalment presentation (unique: a rerun never collects twice), the advance notices, the
report files received (unique by SHA-256: a file is processed once) and the returns and mandate changes they
carried.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ID = sa.String(length=40)


def upgrade() -> None:
    op.create_table(
        'dd_mandates',
        sa.Column('id', ID, nullable=False),
        sa.Column('policy_id', ID, nullable=False),
        sa.Column('plan_id', ID, nullable=False),
        sa.Column('customer_id', ID, nullable=False),
        sa.Column('reference', sa.String(length=18), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('account_holder', sa.Text(), nullable=True),
        sa.Column('sort_code', sa.Text(), nullable=True),
        sa.Column('account_number', sa.Text(), nullable=True),
        sa.Column('account_ending', sa.String(length=4), nullable=True),
        sa.Column('lodged_submission_id', ID, nullable=True),
        sa.Column('lodged_entry_on', sa.Date(), nullable=True),
        sa.Column('reason_report', sa.String(length=6), nullable=True),
        sa.Column('reason_code', sa.String(length=2), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_dd_mandates_policy_id_policies'),
        sa.ForeignKeyConstraint(['plan_id'], ['payment_plans.id'], name='fk_dd_mandates_plan_id_payment_plans'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_dd_mandates_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_dd_mandates'),
        sa.UniqueConstraint('reference', name='uq_dd_mandates_reference'),
    )
    for column in ('plan_id', 'policy_id', 'customer_id', 'status'):
        op.create_index(f'ix_dd_mandates_{column}', 'dd_mandates', [column])
    op.create_table(
        'dd_submissions',
        sa.Column('id', ID, nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('serial', sa.String(length=6), nullable=False),
        sa.Column('input_on', sa.Date(), nullable=False),
        sa.Column('processing_on', sa.Date(), nullable=False),
        sa.Column('entry_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('record_count', sa.Integer(), nullable=False),
        sa.Column('total_pence', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('bureau_reference', sa.String(length=60), nullable=True),
        sa.Column('rejection', sa.Text(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('submitted_at', TS, nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_dd_submissions'),
        sa.UniqueConstraint('processing_on', 'serial', name='uq_dd_submissions_processing_on_serial'),
    )
    op.create_index('ix_dd_submissions_status', 'dd_submissions', ['status'])
    op.create_table(
        'dd_collections',
        sa.Column('id', ID, nullable=False),
        sa.Column('instalment_id', ID, nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('policy_id', ID, nullable=False),
        sa.Column('mandate_id', ID, nullable=False),
        sa.Column('submission_id', ID, nullable=False),
        sa.Column('transaction_code', sa.String(length=2), nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('processing_on', sa.Date(), nullable=False),
        sa.Column('entry_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('journal_entry_id', ID, nullable=True),
        sa.Column('reversal_entry_id', ID, nullable=True),
        sa.Column('re_present_on', sa.Date(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['instalment_id'], ['instalments.id'], name='fk_dd_collections_instalment_id_instalments'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_dd_collections_policy_id_policies'),
        sa.ForeignKeyConstraint(['mandate_id'], ['dd_mandates.id'], name='fk_dd_collections_mandate_id_dd_mandates'),
        sa.ForeignKeyConstraint(['submission_id'], ['dd_submissions.id'],
                                name='fk_dd_collections_submission_id_dd_submissions'),
        sa.PrimaryKeyConstraint('id', name='pk_dd_collections'),
        sa.UniqueConstraint('instalment_id', 'attempt', name='uq_dd_collections_instalment_attempt'),
    )
    for column in ('policy_id', 'mandate_id', 'submission_id'):
        op.create_index(f'ix_dd_collections_{column}', 'dd_collections', [column])
    op.create_table(
        'dd_advance_notices',
        sa.Column('id', ID, nullable=False),
        sa.Column('instalment_id', ID, nullable=False),
        sa.Column('policy_id', ID, nullable=False),
        sa.Column('mandate_id', ID, nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('collect_on', sa.Date(), nullable=False),
        sa.Column('notified_on', sa.Date(), nullable=False),
        sa.Column('document_id', ID, nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['instalment_id'], ['instalments.id'],
                                name='fk_dd_advance_notices_instalment_id_instalments'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_dd_advance_notices_policy_id_policies'),
        sa.ForeignKeyConstraint(['mandate_id'], ['dd_mandates.id'], name='fk_dd_advance_notices_mandate_id_dd_mandates'),
        sa.PrimaryKeyConstraint('id', name='pk_dd_advance_notices'),
        sa.UniqueConstraint('instalment_id', name='uq_dd_advance_notices_instalment_id'),
    )
    for column in ('collect_on', 'mandate_id', 'policy_id'):
        op.create_index(f'ix_dd_advance_notices_{column}', 'dd_advance_notices', [column])
    op.create_table(
        'dd_reports',
        sa.Column('id', ID, nullable=False),
        sa.Column('bureau_report_id', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=6), nullable=False),
        sa.Column('produced_on', sa.Date(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('item_count', sa.Integer(), nullable=False),
        sa.Column('received_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_dd_reports'),
        sa.UniqueConstraint('sha256', name='uq_dd_reports_sha256'),
    )
    op.create_table(
        'dd_returns',
        sa.Column('id', ID, nullable=False),
        sa.Column('report_id', ID, nullable=False),
        sa.Column('kind', sa.String(length=6), nullable=False),
        sa.Column('reference', sa.String(length=18), nullable=False),
        sa.Column('reason_code', sa.String(length=2), nullable=False),
        sa.Column('mandate_id', ID, nullable=True),
        sa.Column('policy_id', ID, nullable=True),
        sa.Column('collection_id', ID, nullable=True),
        sa.Column('amount_pence', sa.BigInteger(), nullable=True),
        sa.Column('original_processing_on', sa.Date(), nullable=True),
        sa.Column('effective_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('handled_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['dd_reports.id'], name='fk_dd_returns_report_id_dd_reports'),
        sa.ForeignKeyConstraint(['mandate_id'], ['dd_mandates.id'], name='fk_dd_returns_mandate_id_dd_mandates'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_dd_returns_policy_id_policies'),
        sa.ForeignKeyConstraint(['collection_id'], ['dd_collections.id'],
                                name='fk_dd_returns_collection_id_dd_collections'),
        sa.PrimaryKeyConstraint('id', name='pk_dd_returns'),
        sa.UniqueConstraint('collection_id', name='uq_dd_returns_collection_id'),
    )
    for column in ('report_id', 'status', 'policy_id', 'reference', 'mandate_id'):
        op.create_index(f'ix_dd_returns_{column}', 'dd_returns', [column])


def downgrade() -> None:
    for table in ('dd_returns', 'dd_reports', 'dd_advance_notices', 'dd_collections', 'dd_submissions', 'dd_mandates'):
        op.drop_table(table)
