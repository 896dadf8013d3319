"""Issue 15 part 4 (PAY-3): the continuous payment authority's notices (each payment taken from or paid to a
stored card 14 days after its letter) and each policy's authority (granted at bind, perhaps withdrawn).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'payment_notices',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('transaction_id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('card_brand', sa.String(length=30), nullable=True),
        sa.Column('card_last4', sa.String(length=4), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('document_id', sa.String(length=40), nullable=True),
        sa.Column('receipt_reference', sa.String(length=100), nullable=True),
        sa.Column('idempotency_key', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('settled_at', TS, nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_payment_notices_policy_id_policies'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name='fk_payment_notices_document_id_documents'),
        sa.PrimaryKeyConstraint('id', name='pk_payment_notices'),
        sa.UniqueConstraint('idempotency_key', name='uq_payment_notices_idempotency_key'),
    )
    op.create_index('ix_payment_notices_policy_id', 'payment_notices', ['policy_id'])
    op.create_index('ix_payment_notices_transaction_id', 'payment_notices', ['transaction_id'])
    op.create_index('ix_payment_notices_due_on', 'payment_notices', ['due_on'])
    op.create_index('ix_payment_notices_status', 'payment_notices', ['status'])
    op.create_table(
        'payment_authorities',
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('granted_at', TS, nullable=False),
        sa.Column('granted_by', sa.String(length=40), nullable=False),
        sa.Column('withdrawn_at', TS, nullable=True),
        sa.Column('withdrawn_by', sa.String(length=40), nullable=True),
        sa.Column('answer_by', sa.Date(), nullable=True),
        sa.Column('letter_document_id', sa.String(length=40), nullable=True),
        sa.Column('cancellation_due_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_payment_authorities_policy_id_policies'),
        sa.ForeignKeyConstraint(['letter_document_id'], ['documents.id'],
                                name='fk_payment_authorities_letter_document_id_documents'),
        sa.PrimaryKeyConstraint('policy_id', name='pk_payment_authorities'),
    )
    op.create_index('ix_payment_authorities_answer', 'payment_authorities',
                    ['withdrawn_at', 'cancellation_due_on', 'answer_by'])


def downgrade() -> None:
    op.drop_table('payment_authorities')
    op.drop_table('payment_notices')
