"""Consent decisions (PRV-2): append-only, per customer, channel and purpose

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_decisions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_consent_decisions_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_decisions")),
    )
    with op.batch_alter_table("consent_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_decisions_customer_id"), ["customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("consent_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_decisions_customer_id"))
    op.drop_table("consent_decisions")
