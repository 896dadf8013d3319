"""Claims (issue 5 parts 2 and 3, CLM-1..4): first notification of loss with the other people in it as
data subjects of their own, the append-only claim history, correspondence, the documents checklist and
payments. Reserves and payments are ledger postings (journal_entries, postings); clocks are deadlines.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 06:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
TABLES = ('claim_payments', 'claim_documents', 'claim_correspondence', 'claim_events', 'claim_parties', 'claims')


def upgrade() -> None:
    op.create_table('claims',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('policy_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('term_no', sa.Integer(), nullable=False),
    sa.Column('incident_transaction_id', sa.String(length=40), nullable=False),
    sa.Column('policy_number', sa.String(length=80), nullable=False),
    sa.Column('claim_type', sa.String(length=40), nullable=False),
    sa.Column('total_loss', sa.Boolean(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('loss_description', sa.Text(), nullable=False),
    sa.Column('circumstances', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('anyone_injured', sa.Boolean(), nullable=False),
    sa.Column('injury_details', sa.Text(), nullable=True),
    sa.Column('crime_reference', sa.String(length=80), nullable=True),
    sa.Column('police_incident_number', sa.String(length=80), nullable=True),
    sa.Column('policyholder_name', sa.Text(), nullable=False),
    sa.Column('policyholder_address', sa.Text(), nullable=False),
    sa.Column('policyholder_postcode', sa.String(length=12), nullable=False),
    sa.Column('nation', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('close_reason', sa.String(length=20), nullable=True),
    sa.Column('settlement_pence', sa.BigInteger(), nullable=True),
    sa.Column('settlement_agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reserve_pence', sa.BigInteger(), nullable=False),
    sa.Column('paid_pence', sa.BigInteger(), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_by', sa.String(length=40), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_claims_customer_id_customers'),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_claims_policy_id_policies'),
    sa.PrimaryKeyConstraint('id', name='pk_claims')
    )
    op.create_index('ix_claims_customer_id', 'claims', ['customer_id'])
    op.create_index('ix_claims_policy_id', 'claims', ['policy_id'])
    op.create_index('ix_claims_status', 'claims', ['status'])
    op.create_table('claim_correspondence',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answers', JSON, nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name='fk_claim_correspondence_claim_id_claims'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_claim_correspondence_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_claim_correspondence')
    )
    op.create_index('ix_claim_correspondence_claim_id', 'claim_correspondence', ['claim_id'])
    op.create_index('ix_claim_correspondence_customer_id', 'claim_correspondence', ['customer_id'])
    op.create_table('claim_documents',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_recorded_by', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name='fk_claim_documents_claim_id_claims'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_claim_documents_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_claim_documents'),
    sa.UniqueConstraint('claim_id', 'name', name='uq_claim_documents_claim_name')
    )
    op.create_index('ix_claim_documents_claim_id', 'claim_documents', ['claim_id'])
    op.create_index('ix_claim_documents_customer_id', 'claim_documents', ['customer_id'])
    op.create_table('claim_events',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=40), nullable=False),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('amount_pence', sa.BigInteger(), nullable=True),
    sa.Column('journal_entry_id', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name='fk_claim_events_claim_id_claims'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_claim_events_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_claim_events')
    )
    op.create_index('ix_claim_events_claim_id', 'claim_events', ['claim_id'])
    op.create_index('ix_claim_events_customer_id', 'claim_events', ['customer_id'])
    op.create_table('claim_parties',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('vehicle_registration', sa.String(length=12), nullable=True),
    sa.Column('insurer', sa.String(length=200), nullable=True),
    sa.Column('policy_number', sa.String(length=80), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name='fk_claim_parties_claim_id_claims'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_claim_parties_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_claim_parties')
    )
    op.create_index('ix_claim_parties_claim_id', 'claim_parties', ['claim_id'])
    op.create_index('ix_claim_parties_customer_id', 'claim_parties', ['customer_id'])
    op.create_table('claim_payments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('payee', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=40), nullable=False),
    sa.Column('journal_entry_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name='fk_claim_payments_claim_id_claims'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_claim_payments_customer_id_customers'),
    sa.PrimaryKeyConstraint('id', name='pk_claim_payments')
    )
    op.create_index('ix_claim_payments_claim_id', 'claim_payments', ['claim_id'])
    op.create_index('ix_claim_payments_customer_id', 'claim_payments', ['customer_id'])


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
