"""Issue 13 item 12 (PAY-5): a journal entry may name the reversed entry it corrects

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('journal_entries') as batch:
        batch.add_column(sa.Column('corrects', sa.String(length=40), nullable=True))
        batch.create_foreign_key('fk_journal_entries_corrects_journal_entries', 'journal_entries', ['corrects'], ['id'])
    op.create_index('ux_journal_entries_corrects', 'journal_entries', ['corrects'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_journal_entries_corrects', table_name='journal_entries')
    with op.batch_alter_table('journal_entries') as batch:
        batch.drop_constraint('fk_journal_entries_corrects_journal_entries', type_='foreignkey')
        batch.drop_column('corrects')
