"""Issue 13, item 9: API tokens expire and can be revoked; administrators list who holds which token (by
its first characters). Tokens issued before this migration expire 90 days after it runs (the default
lifetime) and show no prefix.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:50:00
"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('token_prefix', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('token_issued_at', TS, nullable=True))
        batch_op.add_column(sa.Column('token_expires_at', TS, nullable=True))
        batch_op.add_column(sa.Column('token_revoked_at', TS, nullable=True))
        batch_op.add_column(sa.Column('token_revoked_by', sa.String(length=40), nullable=True))
    users = sa.table('users', sa.column('created_at', TS), sa.column('token_issued_at', TS),
                     sa.column('token_expires_at', TS))
    expires = datetime.now(UTC) + timedelta(days=90)
    if op.get_bind().dialect.name == 'sqlite':  # SQLite keeps naive UTC (store/tables.py, UtcDateTime)
        expires = expires.replace(tzinfo=None)
    op.execute(users.update().where(users.c.token_issued_at.is_(None))
               .values(token_issued_at=users.c.created_at, token_expires_at=expires))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        for name in ('token_revoked_by', 'token_revoked_at', 'token_expires_at', 'token_issued_at', 'token_prefix'):
            batch_op.drop_column(name)
