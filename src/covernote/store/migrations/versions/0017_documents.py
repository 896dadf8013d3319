"""Issue 14 part 1: policy documents (DOC-1): each document once with its template and product versions,
its renditions' bytes and SHA-256, and the print queue of paper copies (CMP-4: large print).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.String(40), nullable=False),
        sa.Column('policy_id', sa.String(40), nullable=False),
        sa.Column('customer_id', sa.String(40), nullable=False),
        sa.Column('kind', sa.String(30), nullable=False),
        sa.Column('subject', sa.String(40), nullable=False),
        sa.Column('term_no', sa.Integer, nullable=False),
        sa.Column('title', sa.String(120), nullable=False),
        sa.Column('template', sa.String(80), nullable=False),
        sa.Column('template_version', sa.String(64), nullable=False),
        sa.Column('product_ref', sa.String(60), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_documents_policy_id_policies'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_documents_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_documents'),
        sa.UniqueConstraint('policy_id', 'kind', 'subject', name='uq_documents_policy_kind_subject'),
    )
    op.create_index('ix_documents_policy_id', 'documents', ['policy_id'])
    op.create_index('ix_documents_customer_id', 'documents', ['customer_id'])
    op.create_index('ix_documents_subject', 'documents', ['subject'])
    op.create_table(
        'document_renditions',
        sa.Column('document_id', sa.String(40), nullable=False),
        sa.Column('format', sa.String(12), nullable=False),
        sa.Column('policy_id', sa.String(40), nullable=False),
        sa.Column('customer_id', sa.String(40), nullable=False),
        sa.Column('media_type', sa.String(60), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('size', sa.Integer, nullable=False),
        sa.Column('content', sa.LargeBinary),
        sa.Column('template_version', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name='fk_document_renditions_document_id_documents'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_document_renditions_policy_id_policies'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name='fk_document_renditions_customer_id_customers'),
        sa.PrimaryKeyConstraint('document_id', 'format', name='pk_document_renditions'),
    )
    op.create_index('ix_document_renditions_policy_id', 'document_renditions', ['policy_id'])
    op.create_index('ix_document_renditions_customer_id', 'document_renditions', ['customer_id'])
    op.create_table(
        'print_requests',
        sa.Column('id', sa.String(40), nullable=False),
        sa.Column('document_id', sa.String(40), nullable=False),
        sa.Column('policy_id', sa.String(40), nullable=False),
        sa.Column('customer_id', sa.String(40), nullable=False),
        sa.Column('large_print', sa.Boolean),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requested_by', sa.String(40), nullable=False),
        sa.Column('printed_at', sa.DateTime(timezone=True)),
        sa.Column('printed_by', sa.String(40)),
        sa.Column('posted_at', sa.DateTime(timezone=True)),
        sa.Column('posted_by', sa.String(40)),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name='fk_print_requests_document_id_documents'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_print_requests_policy_id_policies'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_print_requests_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_print_requests'),
    )
    op.create_index('ix_print_requests_document_id', 'print_requests', ['document_id'])
    op.create_index('ix_print_requests_policy_id', 'print_requests', ['policy_id'])
    op.create_index('ix_print_requests_customer_id', 'print_requests', ['customer_id'])
    op.create_index('ix_print_requests_status', 'print_requests', ['status'])


def downgrade() -> None:
    op.drop_table('print_requests')
    op.drop_table('document_renditions')
    op.drop_table('documents')
