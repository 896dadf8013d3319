"""Issue 16 (TEL-3, TEL-10): telematics scores: each scored device-day with its versions and the DayScore for
replay, its journeys and the events that cost points.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 23:50:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'telematics_day_scores',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('device_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('product_ref', sa.String(length=40), nullable=False),
        sa.Column('ruleset', sa.String(length=40), nullable=False),
        sa.Column('map_version', sa.String(length=80), nullable=False),
        sa.Column('code_version', sa.String(length=40), nullable=False),
        sa.Column('speed', sa.Float(), nullable=True),
        sa.Column('time_of_day', sa.Float(), nullable=True),
        sa.Column('eco', sa.Float(), nullable=True),
        sa.Column('duration', sa.Float(), nullable=True),
        sa.Column('overall', sa.Float(), nullable=True),
        sa.Column('journeys', sa.Integer(), nullable=False),
        sa.Column('distance_km', sa.Float(), nullable=False),
        sa.Column('driving_s', sa.Float(), nullable=False),
        sa.Column('positions', sa.Integer(), nullable=False),
        sa.Column('positions_stamp', sa.String(length=80), nullable=False),
        sa.Column('dropped', JSON, nullable=False),
        sa.Column('score', JSON, nullable=False),
        sa.Column('scored_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_telematics_day_scores_policy_id_policies'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name='fk_telematics_day_scores_customer_id_customers'),
        sa.PrimaryKeyConstraint('id', name='pk_telematics_day_scores'),
    )
    op.create_index('ix_telematics_day_scores_policy_id', 'telematics_day_scores', ['policy_id'])
    op.create_index('ix_telematics_day_scores_customer_id', 'telematics_day_scores', ['customer_id'])
    op.create_index('ux_telematics_day_scores_device_day', 'telematics_day_scores', ['device_id', 'day'],
                    unique=True)
    op.create_index('ix_telematics_day_scores_policy_day', 'telematics_day_scores', ['policy_id', 'day'])
    op.create_table(
        'telematics_journeys',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('day_score_id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('started_at', TS, nullable=False),
        sa.Column('ended_at', TS, nullable=False),
        sa.Column('distance_km', sa.Float(), nullable=False),
        sa.Column('driving_s', sa.Float(), nullable=False),
        sa.Column('speed', sa.Float(), nullable=False),
        sa.Column('time_of_day', sa.Float(), nullable=False),
        sa.Column('eco', sa.Float(), nullable=False),
        sa.Column('duration', sa.Float(), nullable=False),
        sa.Column('overall', sa.Float(), nullable=False),
        sa.Column('events', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['day_score_id'], ['telematics_day_scores.id'],
                                name='fk_telematics_journeys_day_score_id_telematics_day_scores'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_telematics_journeys_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_telematics_journeys'),
    )
    op.create_index('ix_telematics_journeys_day_score_id', 'telematics_journeys', ['day_score_id'])
    op.create_index('ix_telematics_journeys_policy_id', 'telematics_journeys', ['policy_id'])
    op.create_index('ix_telematics_journeys_policy_start', 'telematics_journeys', ['policy_id', 'started_at'])
    op.create_table(
        'telematics_events',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('journey_id', sa.String(length=40), nullable=False),
        sa.Column('policy_id', sa.String(length=40), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('started_at', TS, nullable=False),
        sa.Column('ended_at', TS, nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('threshold', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=10), nullable=False),
        sa.Column('points', sa.Float(), nullable=False),
        sa.Column('detail', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['journey_id'], ['telematics_journeys.id'],
                                name='fk_telematics_events_journey_id_telematics_journeys'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name='fk_telematics_events_policy_id_policies'),
        sa.PrimaryKeyConstraint('id', name='pk_telematics_events'),
    )
    op.create_index('ix_telematics_events_journey_id', 'telematics_events', ['journey_id'])
    op.create_index('ix_telematics_events_policy_id', 'telematics_events', ['policy_id'])


def downgrade() -> None:
    op.drop_table('telematics_events')
    op.drop_table('telematics_journeys')
    op.drop_table('telematics_day_scores')
