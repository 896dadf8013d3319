"""The schema. Money is integer pence; datetimes are aware and stored as UTC; history rows are only
ever inserted (policy_transactions, journal_entries, postings)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from covernote.domain.privacy.declarations import Category, Erasure, ProvidedBy
from covernote.store.declarations import (
    AMOUNT,
    CHANGE_DESCRIPTIONS,
    ID,
    MID,
    QUOTE_AND_POLICY,
    RATING_PATHS,
    REF,
    WHEN,
    C,
    U,
    change_paths,
    inside,
    np,
    pd,
    risk_paths,
)

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


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
    "customers",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column(
        "name",
        sa.String(200),
        nullable=False,
        info=pd(
            C, Category.IDENTITY, (*QUOTE_AND_POLICY, "payments"), ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH
        ),
    ),
    sa.Column(
        "email",
        sa.String(320),
        nullable=False,
        info=pd(
            C,
            Category.CONTACT,
            ("policy_administration", "marketing"),
            ProvidedBy.DATA_SUBJECT,
            Erasure.KEYED_HASH,
        ),
    ),
    sa.Column(
        "phone",
        sa.String(40),
        info=pd(C, Category.CONTACT, ("policy_administration",), ProvidedBy.DATA_SUBJECT, Erasure.NULL),
    ),
    sa.Column(
        "date_of_birth",
        sa.Date,
        info=pd(C, Category.IDENTITY, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.NULL),
    ),
    sa.Column(
        "address",
        sa.Text,
        nullable=False,
        info=pd(
            C,
            Category.CONTACT,
            ("policy_administration", "regulatory_reporting"),
            ProvidedBy.DATA_SUBJECT,
            Erasure.KEYED_HASH,
        ),
    ),
    sa.Column(
        "postcode",
        sa.String(10),
        nullable=False,
        info=pd(C, Category.CONTACT, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH),
    ),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column(
        "name",
        sa.String(200),
        nullable=False,
        info=pd(U, Category.IDENTITY, ("service_access",), ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH),
    ),
    sa.Column("role", sa.String(20), nullable=False, info=np("what the user may do")),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), info=REF),
    sa.Column(
        "token_hash",
        sa.String(64),
        nullable=False,
        unique=True,
        info=pd(
            U,
            Category.AUTHENTICATION,
            ("service_access",),
            ProvidedBy.GENERATED,
            Erasure.KEYED_HASH,
            "SHA-256 of the API token; the token itself is never stored",
        ),
    ),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("active", sa.Boolean, nullable=False, default=True, info=np("whether the token may be used")),
    sa.CheckConstraint("role in ('admin', 'staff', 'customer')", name="ck_users_role"),
)

quotes = sa.Table(
    "quotes",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column(
        "customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF
    ),
    sa.Column("product_ref", sa.String(60), nullable=False, info=np("the product version priced")),
    sa.Column("start_date", sa.Date, nullable=False, info=np("the cover dates quoted")),
    sa.Column("end_date", sa.Date, nullable=False, info=np("the cover dates quoted")),
    sa.Column("risk", JSON, nullable=False, info=inside(risk_paths(""))),
    sa.Column("rating", JSON, nullable=False, info=inside(RATING_PATHS)),
    sa.Column("premium_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("ipt_rate", sa.String(12), nullable=False, info=AMOUNT),
    sa.Column("ipt_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("fees", JSON, nullable=False, info=AMOUNT),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("expires_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.Column("status", sa.String(10), nullable=False, info=np("open or bound")),
    sa.Column("policy_id", sa.String(40), info=REF),
)

policies = sa.Table(
    "policies",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column(
        "number",
        sa.String(20),
        nullable=False,
        unique=True,
        info=pd(
            C,
            Category.CONTRACT,
            MID,
            ProvidedBy.GENERATED,
            Erasure.KEYED_HASH,
            "the policy number (S2: contract number)",
        ),
    ),
    sa.Column(
        "customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF
    ),
    sa.Column("product_code", sa.String(20), nullable=False, info=np("the product")),
    sa.Column("auto_renew", sa.Boolean, nullable=False, info=np("the renewal switch")),
    sa.Column("taken_out_on", sa.Date, nullable=False, info=np("the first day of cover")),
    sa.Column(
        "payment_token",
        sa.String(100),
        nullable=False,
        info=pd(
            C,
            Category.FINANCIAL,
            ("payments",),
            ProvidedBy.THIRD_PARTY,
            Erasure.KEYED_HASH,
            "a card or mandate token from the payment provider; no card data is stored (PAY-4)",
        ),
    ),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("version", sa.Integer, nullable=False, info=np("the optimistic-concurrency counter")),
    sa.Column("current_term_end", sa.Date, nullable=False, index=True, info=np("when the current term ends")),
)

policy_transactions = sa.Table(
    "policy_transactions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, info=REF),
    sa.Column("sequence", sa.Integer, nullable=False, info=np("order in the history")),
    sa.Column("term_no", sa.Integer, nullable=False, info=np("the term")),
    sa.Column("kind", sa.String(20), nullable=False, info=np("the kind of transaction")),
    sa.Column("effective_date", sa.Date, nullable=False, info=np("from when it applies")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("actor_id", sa.String(40), nullable=False, info=REF),
    sa.Column("actor_role", sa.String(20), nullable=False, info=np("the role that made the change")),
    sa.Column(
        "reason",
        sa.Text,
        nullable=False,
        info=pd(
            C,
            Category.CONTRACT,
            ("policy_administration",),
            ProvidedBy.DATA_SUBJECT,
            Erasure.KEYED_HASH,
            "free text given with the change",
        ),
    ),
    sa.Column("premium_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("ipt_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("ipt_rate", sa.String(12), info=AMOUNT),
    sa.Column("fees_charged", JSON, nullable=False, info=AMOUNT),
    sa.Column("fees_refunded", JSON, nullable=False, info=AMOUNT),
    sa.Column(
        "details",
        JSON,
        nullable=False,
        info=inside(
            {
                **risk_paths("risk."),
                **risk_paths("versions[].risk."),
                **change_paths("adjustment.changes[]."),
                **RATING_PATHS,
                "event.reference": pd(
                    C,
                    Category.CLAIMS_HISTORY,
                    ("claims", "fraud_prevention"),
                    ProvidedBy.GENERATED,
                    Erasure.KEYED_HASH,
                )["privacy"],
            },
            "the transaction as recorded: its risk, versions, changes and events",
        ),
    ),
    sa.Column("idempotency_key", sa.String(200), info=np("the client's retry key")),
    sa.UniqueConstraint("policy_id", "sequence", name="uq_policy_transactions_policy_sequence"),
)

pending_quotes = sa.Table(
    "pending_quotes",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, info=REF),
    sa.Column("kind", sa.String(20), nullable=False, info=np("what is quoted")),
    sa.Column("policy_version", sa.Integer, nullable=False, info=np("the version quoted on")),
    sa.Column("request", JSON, nullable=False, info=inside(change_paths("changes[]."))),
    sa.Column(
        "result",
        JSON,
        nullable=False,
        info=inside(
            {**risk_paths("risk."), **risk_paths("versions_after[].risk."), **RATING_PATHS, **CHANGE_DESCRIPTIONS}
        ),
    ),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("expires_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.Column("status", sa.String(12), nullable=False, info=np("open, confirmed or declined")),
    sa.Index("ix_pending_quotes_policy_kind_status", "policy_id", "kind", "status"),
)

journal_entries = sa.Table(
    "journal_entries",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("posted_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column(
        "description",
        sa.Text,
        nullable=False,
        info=np("the kind of posting and the policy number, which is declared on policies"),
    ),
    sa.Column("policy_id", sa.String(40), index=True, info=REF),
    sa.Column("transaction_id", sa.String(40), info=REF),
    sa.Column("reverses", sa.String(40), sa.ForeignKey("journal_entries.id"), unique=True, info=REF),
)

postings = sa.Table(
    "postings",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
        info=ID,
    ),
    sa.Column(
        "entry_id", sa.String(40), sa.ForeignKey("journal_entries.id"), nullable=False, index=True, info=REF
    ),
    sa.Column("line_no", sa.Integer, nullable=False, info=np("line order")),
    sa.Column("policy_id", sa.String(40), index=True, info=REF),
    sa.Column("account", sa.String(80), nullable=False, info=np("the ledger account")),
    sa.Column("amount_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column(
        "memo", sa.Text, nullable=False, info=np("what the posting is, with the payment provider's reference")
    ),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True, info=np("the client's retry key")),
    sa.Column("scope", sa.String(100), primary_key=True, info=np("the operation and the caller's user id")),
    sa.Column("fingerprint", sa.String(64), nullable=False, info=np("a hash of the request")),
    sa.Column(
        "response",
        JSON,
        nullable=False,
        info=pd(
            C,
            Category.CONTRACT,
            ("policy_administration",),
            ProvidedBy.GENERATED,
            Erasure.DELETE_ROW,
            "a copy of an API response kept so a retry gets the same answer; it repeats personal data declared elsewhere",
        ),
    ),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True, info=np("a counter's name")),
    sa.Column("value", sa.BigInteger, nullable=False, info=np("a counter")),
)

consent_decisions = sa.Table(
    "consent_decisions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("channel", sa.String(10), nullable=False, info=np("mail, email, phone or SMS")),
    sa.Column("purpose", sa.String(20), nullable=False, info=np("what contact the decision is about")),
    sa.Column(
        "granted",
        sa.Boolean,
        nullable=False,
        info=pd(C, Category.CONTACT, ("marketing",), ProvidedBy.DATA_SUBJECT, Erasure.DELETE_ROW,
                "the person's marketing choice; kept as proof of consent while it is relied on (PRV-2)"),
    ),
    sa.Column("wording", sa.Text, nullable=False, info=np("the wording the person was shown or told")),
    sa.Column("source", sa.String(12), nullable=False, info=np("where the decision was given")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
)
