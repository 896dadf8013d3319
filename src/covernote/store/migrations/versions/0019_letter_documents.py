"""Issue 14 (DOC-1, DOC-2, PRV-3): complaint letters and access packages as issued documents. A document now
belongs to an owner (a policy, a complaint or a data subject request: `owner_kind`, `owner_id`), unique per
(owner, kind, subject) instead of per (policy, kind, subject); its policy, customer, term and product may be
absent (a complaint may name no policy, or come from someone who is not a customer; an access package is about a
customer, not one policy). The owner is copied onto the renditions and print requests, as the policy and customer
are, for erasure and retention. A paper copy may be cancelled (when and by whom).

Every existing document belongs to its policy: the upgrade sets owner_kind 'policy' and owner_id from policy_id,
so existing rows stay valid and keep their unique key's meaning.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
_OWNED = ('documents', 'document_renditions', 'print_requests')


def _add_owner(table: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column('owner_kind', sa.String(20), nullable=False, server_default='policy'))
        batch_op.add_column(sa.Column('owner_id', sa.String(40), nullable=True))
    op.execute(sa.text(f"UPDATE {table} SET owner_id = policy_id"))


def upgrade() -> None:
    for table in _OWNED:
        _add_owner(table)
    with op.batch_alter_table('documents') as batch_op:
        batch_op.alter_column('owner_kind', existing_type=sa.String(20), server_default=None)
        batch_op.alter_column('owner_id', existing_type=sa.String(40), nullable=False)
        batch_op.alter_column('policy_id', existing_type=sa.String(40), nullable=True)
        batch_op.alter_column('customer_id', existing_type=sa.String(40), nullable=True)
        batch_op.alter_column('term_no', existing_type=sa.Integer, nullable=True)
        batch_op.alter_column('product_ref', existing_type=sa.String(60), nullable=True)
        batch_op.drop_constraint('uq_documents_policy_kind_subject', type_='unique')
        batch_op.create_unique_constraint('uq_documents_owner_kind_subject',
                                          ['owner_kind', 'owner_id', 'kind', 'subject'])
        batch_op.create_index('ix_documents_owner', ['owner_kind', 'owner_id'])
    with op.batch_alter_table('document_renditions') as batch_op:
        batch_op.alter_column('owner_kind', existing_type=sa.String(20), server_default=None)
        batch_op.alter_column('owner_id', existing_type=sa.String(40), nullable=False)
        batch_op.alter_column('policy_id', existing_type=sa.String(40), nullable=True)
        batch_op.alter_column('customer_id', existing_type=sa.String(40), nullable=True)
        batch_op.create_index('ix_document_renditions_owner', ['owner_kind', 'owner_id'])
    with op.batch_alter_table('print_requests') as batch_op:
        batch_op.alter_column('owner_kind', existing_type=sa.String(20), server_default=None)
        batch_op.alter_column('owner_id', existing_type=sa.String(40), nullable=False)
        batch_op.alter_column('policy_id', existing_type=sa.String(40), nullable=True)
        batch_op.add_column(sa.Column('cancelled_at', TS, nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.String(40), nullable=True))
        batch_op.create_index('ix_print_requests_owner', ['owner_kind', 'owner_id'])


def downgrade() -> None:
    # Documents that belong to no policy (complaint letters, access packages) cannot exist before this
    # revision: they, their renditions and their paper copies are deleted first.
    op.execute(sa.text("DELETE FROM print_requests WHERE owner_kind <> 'policy'"))
    op.execute(sa.text("DELETE FROM document_renditions WHERE owner_kind <> 'policy'"))
    op.execute(sa.text("DELETE FROM documents WHERE owner_kind <> 'policy'"))
    op.execute(sa.text("UPDATE print_requests SET status = 'requested' WHERE status = 'cancelled'"))
    with op.batch_alter_table('print_requests') as batch_op:
        batch_op.drop_index('ix_print_requests_owner')
        batch_op.drop_column('cancelled_by')
        batch_op.drop_column('cancelled_at')
        batch_op.alter_column('policy_id', existing_type=sa.String(40), nullable=False)
        batch_op.drop_column('owner_id')
        batch_op.drop_column('owner_kind')
    with op.batch_alter_table('document_renditions') as batch_op:
        batch_op.drop_index('ix_document_renditions_owner')
        batch_op.alter_column('policy_id', existing_type=sa.String(40), nullable=False)
        batch_op.alter_column('customer_id', existing_type=sa.String(40), nullable=False)
        batch_op.drop_column('owner_id')
        batch_op.drop_column('owner_kind')
    with op.batch_alter_table('documents') as batch_op:
        batch_op.drop_index('ix_documents_owner')
        batch_op.drop_constraint('uq_documents_owner_kind_subject', type_='unique')
        batch_op.create_unique_constraint('uq_documents_policy_kind_subject', ['policy_id', 'kind', 'subject'])
        batch_op.alter_column('policy_id', existing_type=sa.String(40), nullable=False)
        batch_op.alter_column('customer_id', existing_type=sa.String(40), nullable=False)
        batch_op.alter_column('term_no', existing_type=sa.Integer, nullable=False)
        batch_op.alter_column('product_ref', existing_type=sa.String(60), nullable=False)
        batch_op.drop_column('owner_id')
        batch_op.drop_column('owner_kind')
