"""The schema. Money is integer pence; datetimes are aware and stored as UTC; history rows are only
ever inserted (policy_transactions, journal_entries, postings)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})


class UtcDateTime(TypeDecorator[datetime]):
    """Refuses naive datetimes; stores UTC; gives back aware UTC datetimes on every database (SQLite
    drops the offset, so it is re-attached on the way out)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} refused: Covernote stores aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSON: Any = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

customers = sa.Table(
    "customers", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("phone", sa.String(40)),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("postcode", sa.String(10), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id")),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.CheckConstraint("role in ('admin', 'staff', 'customer')", name="ck_users_role"),
)

quotes = sa.Table(
    "quotes", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("product_ref", sa.String(60), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("risk", JSON, nullable=False),
    sa.Column("rating", JSON, nullable=False),
    sa.Column("premium_pence", sa.BigInteger, nullable=False),
    sa.Column("ipt_rate", sa.String(12), nullable=False),
    sa.Column("ipt_pence", sa.BigInteger, nullable=False),
    sa.Column("fees", JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.String(40), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("policy_id", sa.String(40)),
)

policies = sa.Table(
    "policies", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("product_code", sa.String(20), nullable=False),
    sa.Column("auto_renew", sa.Boolean, nullable=False),
    sa.Column("taken_out_on", sa.Date, nullable=False),
    sa.Column("payment_token", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("current_term_end", sa.Date, nullable=False, index=True),
)

policy_transactions = sa.Table(
    "policy_transactions", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("term_no", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("actor_id", sa.String(40), nullable=False),
    sa.Column("actor_role", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("premium_pence", sa.BigInteger, nullable=False),
    sa.Column("ipt_pence", sa.BigInteger, nullable=False),
    sa.Column("ipt_rate", sa.String(12)),
    sa.Column("fees_charged", JSON, nullable=False),
    sa.Column("fees_refunded", JSON, nullable=False),
    sa.Column("details", JSON, nullable=False),
    sa.Column("idempotency_key", sa.String(200)),
    sa.UniqueConstraint("policy_id", "sequence", name="uq_policy_transactions_policy_sequence"),
)

pending_quotes = sa.Table(
    "pending_quotes", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("request", JSON, nullable=False),
    sa.Column("result", JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.String(40), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Index("ix_pending_quotes_policy_kind_status", "policy_id", "kind", "status"),
)

journal_entries = sa.Table(
    "journal_entries", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("posted_at", UtcDateTime, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("policy_id", sa.String(40), index=True),
    sa.Column("transaction_id", sa.String(40)),
    sa.Column("reverses", sa.String(40), sa.ForeignKey("journal_entries.id"), unique=True),
)

postings = sa.Table(
    "postings", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("entry_id", sa.String(40), sa.ForeignKey("journal_entries.id"), nullable=False, index=True),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("policy_id", sa.String(40), index=True),
    sa.Column("account", sa.String(80), nullable=False),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
    sa.Column("memo", sa.Text, nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("scope", sa.String(100), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("response", JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

counters = sa.Table(
    "counters", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
