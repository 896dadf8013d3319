"""Issue 16 (TEL-1, TEL-2): the Smartbox's lifecycle: one row per box on a policy, its state, the hash of its
ingestion token, its installation photo and the cover it may send data for.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 23:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'telematics_devices',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('imei', sa.String(length=15), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('registration', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('dispatched_at', TS, nullable=False),
        sa.Column('installation_from', sa.Date(), nullable=False),
        sa.Column('cover_from', sa.Date(), nullable=False),
        sa.Column('cover_until', sa.Date(), nullable=True),
        sa.Column('photo_key', sa.String(length=200), nullable=True),
        sa.Column('photo_sha256', sa.String(length=64), nullable=True),
        sa.Column('photo_type', sa.String(length=20), nullable=True),
        sa.Column('photo_at', TS, nullable=True),
        sa.Column('rejection_reason', sa.String(length=500), nullable=True),
        sa.Column('referred_at', TS, nullable=True),
        sa.Column('activated_at', TS, nullable=True),
        sa.Column('ended_at', TS, nullable=True),
        sa.Column('replaces_id', sa.String(length=40), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_telematics_devices_policy_id_policies'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name='fk_telematics_devices_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_telematics_devices'),
        sa.UniqueConstraint('token_hash', name='uq_telematics_devices_token_hash'),
    )
    op.create_index('ix_telematics_devices_imei', 'telematics_devices', ['imei'])
    op.create_index('ix_telematics_devices_policy_id', 'telematics_devices', ['policy_id'])
    op.create_index('ix_telematics_devices_customer_id', 'telematics_devices', ['customer_id'])
    op.create_index('ix_telematics_devices_state', 'telematics_devices', ['state'])


def downgrade() -> None:
    op.drop_table('telematics_devices')
