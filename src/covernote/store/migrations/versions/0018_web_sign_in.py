"""Issue 14 (UX-2, SEC-1): the customer portal's sign-in. A user may have a portal user name and an argon2id
password hash; portal sessions are kept on the server (the browser holds only a random id, stored here as its
SHA-256); failed sign-ins are kept for the lock-out window, per name typed (hashed).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('login', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('password_hash', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('password_set_at', TS, nullable=True))
        batch_op.create_unique_constraint('uq_users_login', ['login'])
    op.create_table(
        'web_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('started_at', TS, nullable=False),
        sa.Column('last_seen_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('ended_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_web_sessions_user_id_users'),
        sa.PrimaryKeyConstraint('id_hash', name='pk_web_sessions'),
    )
    op.create_index('ix_web_sessions_user_id', 'web_sessions', ['user_id'])
    op.create_table(
        'web_sign_in_failures',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('login_key', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=True),
        sa.Column('failed_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_web_sign_in_failures'),
    )
    op.create_index('ix_web_sign_in_failures_login_key', 'web_sign_in_failures', ['login_key'])
    op.create_index('ix_web_sign_in_failures_user_id', 'web_sign_in_failures', ['user_id'])
    op.create_index('ix_web_sign_in_failures_failed_at', 'web_sign_in_failures', ['failed_at'])


def downgrade() -> None:
    op.drop_table('web_sign_in_failures')
    op.drop_table('web_sessions')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_constraint('uq_users_login', type_='unique')
        for name in ('password_set_at', 'password_hash', 'login'):
            batch_op.drop_column(name)
