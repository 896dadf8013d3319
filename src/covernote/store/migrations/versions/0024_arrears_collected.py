"""Issue 15 (PAY-2, FEE-2): what the direct debit has collected of an arrears case since its return: the
instalment re-presented and the charge for the return, collected as an item of its own on the same new date
(S1), so the customer is asked by card only for what is still owed.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 23:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('arrears_cases') as batch_op:
        batch_op.add_column(sa.Column('amount_collected_pence', sa.BigInteger(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.add_column(sa.Column('fee_collected_pence', sa.BigInteger(), nullable=False,
                                      server_default=sa.text('0')))


def downgrade() -> None:
    with op.batch_alter_table('arrears_cases') as batch_op:
        batch_op.drop_column('fee_collected_pence')
        batch_op.drop_column('amount_collected_pence')
