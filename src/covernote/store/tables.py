"""The schema. Money is integer pence; datetimes are aware and stored as UTC; history rows are only
ever inserted (policy_transactions, journal_entries, postings)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from covernote.kernel.declarations import Category, Erasure, ProvidedBy
from covernote.store.declare import (
    AMOUNT,
    CHANGE_DESCRIPTIONS,
    ID,
    MID,
    ND,
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
    sa.Column("erased_at", UtcDateTime, info=np("when the person's data was erased on request or by retention")),
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
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), index=True, info=REF),
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
    # Issue 13, item 9: the token's life. NULL only in rows from before migration 0014, which set them.
    sa.Column("token_prefix", sa.String(12),
              info=np("the token's first characters, so an administrator can tell tokens apart; too few to use it")),
    sa.Column("token_issued_at", UtcDateTime, info=np("when the current token was issued")),
    sa.Column("token_expires_at", UtcDateTime, info=np("when the current token stops working")),
    sa.Column("token_revoked_at", UtcDateTime, info=np("when an administrator revoked the current token")),
    sa.Column("token_revoked_by", sa.String(40), info=REF),
    # Issue 14 (UX-2, SEC-1): the web sign-in. NULL for a user with no password (API token only).
    sa.Column("login", sa.String(200), unique=True,
              info=pd(U, Category.IDENTITY, ("service_access",), ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the user name typed to sign in to the portal, kept case-folded")),
    sa.Column("password_hash", sa.String(200),
              info=pd(U, Category.AUTHENTICATION, ("service_access",), ProvidedBy.GENERATED, Erasure.NULL,
                      "argon2id hash of the portal password; the password itself is never stored")),
    sa.Column("password_set_at", UtcDateTime, info=np("when the current password was set")),
    sa.CheckConstraint("role in ('admin', 'staff', 'customer', 'dpo', 'underwriter')", name="ck_users_role"),
)

# Issue 14 (UX-2, SEC-1): portal sessions, kept on the server; the browser holds only the random session id.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column(
        "id_hash",
        sa.String(64),
        primary_key=True,
        info=pd(U, Category.AUTHENTICATION, ("service_access",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                "SHA-256 of the session id in the browser's cookie; the id itself is never stored"),
    ),
    sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False, index=True, info=REF),
    sa.Column("csrf_token", sa.String(64), nullable=False,
              info=pd(U, Category.AUTHENTICATION, ("service_access",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                      "the session's random token every form posts back (CSRF protection)")),
    sa.Column("started_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("last_seen_at", UtcDateTime, nullable=False, info=np("when the session was last used")),
    sa.Column("expires_at", UtcDateTime, nullable=False, info=np("when the session ends whatever its use")),
    sa.Column("ended_at", UtcDateTime, info=np("when the user signed out or the session was ended")),
)

# Issue 14: failed portal sign-ins, for the lock-out; rows older than the lock-out window are deleted. Kept
# per name typed (hashed), whether or not a user has it, so a lock-out says nothing of who has an account.
web_sign_in_failures = sa.Table(
    "web_sign_in_failures",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("login_key", sa.String(64), nullable=False, index=True,
              info=pd(U, Category.AUTHENTICATION, ("service_access",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                      "SHA-256 of the case-folded user name typed")),
    sa.Column("user_id", sa.String(40), index=True, info=REF),
    sa.Column("failed_at", UtcDateTime, nullable=False, index=True, info=WHEN),
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
    sa.Column("extras", JSON, info=np("the optional extras quoted: prices, IPT, commission, documents (ADD-1)")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("expires_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.Column("status", sa.String(10), nullable=False, info=np("open, bound or withdrawn")),
    sa.Column("policy_id", sa.String(40), index=True, info=REF),
    # Who withdrew an open quote, when and why (migration 0009): a withdrawn quote no longer holds the NCD.
    sa.Column("withdrawn_at", UtcDateTime, info=WHEN),
    sa.Column("withdrawn_by", sa.String(40), info=REF),
    sa.Column(
        "withdrawal_reason",
        sa.Text,
        info=pd(C, Category.CONTRACT, ("quotation",), ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                "free text given when the quote was withdrawn"),
    ),
    # The retention sweep finds quotes never taken up by status and age.
    sa.Index("ix_quotes_status_created_at", "status", "created_at"),
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
        info=pd(C, Category.CONTRACT, ("accounting",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                "the kind of posting and the policy number: hashed when the policy is anonymised"),
    ),
    sa.Column("policy_id", sa.String(40), index=True, info=REF),
    sa.Column("transaction_id", sa.String(40), info=REF),
    sa.Column("reverses", sa.String(40), sa.ForeignKey("journal_entries.id"), unique=True, info=REF),
    # the reversed entry this one replaces, with a reason (issue 13 item 12); at most one each
    sa.Column("corrects", sa.String(40), sa.ForeignKey("journal_entries.id"), info=REF),
    sa.Index("ux_journal_entries_corrects", "corrects", unique=True),
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
        "memo", sa.Text, nullable=False,
        info=pd(C, Category.FINANCIAL, ("accounting", "payments"), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                "what the posting is, with the policy number or the payment provider's reference")
    ),
)

# One row per optional extra per policy transaction (ADD-1, PAY-7): the signed change in the extra's
# premium, IPT and commission. Written with the transaction and its ledger entry; the fair-value report
# (Consumer Duty) and the reconciliation read it.
extra_lines = sa.Table(
    "extra_lines",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("transaction_id", sa.String(40), nullable=False, info=REF),
    sa.Column("transaction_kind", sa.String(20), nullable=False, info=np("the kind of transaction")),
    sa.Column("sequence", sa.Integer, nullable=False, info=np("the transaction's order in the policy's history")),
    sa.Column("term_no", sa.Integer, nullable=False, info=np("the term")),
    sa.Column("product_ref", sa.String(60), nullable=False, info=np("the product version the term was sold on")),
    sa.Column("product_code", sa.String(20), nullable=False, info=np("the product")),
    sa.Column("extra_code", sa.String(40), nullable=False, info=np("the optional extra")),
    sa.Column("provider", sa.String(200), nullable=False, info=np("who provides the extra")),
    sa.Column("insurer", sa.String(200), nullable=False, info=np("who underwrites the extra")),
    sa.Column("action", sa.String(12), nullable=False, info=np("bought, renewed, added, removed or refunded")),
    sa.Column("cover", JSON, nullable=False, info=np("the days of the term the extra covers after the transaction")),
    sa.Column("booked_on", sa.Date, nullable=False, info=np("the day the line was booked (Europe/London)")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("premium_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("ipt_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("commission_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("ipt_rate", sa.String(12), nullable=False, info=AMOUNT),
    sa.Column("commission_percent", sa.String(12), nullable=False, info=AMOUNT),
    sa.Index("ix_extra_lines_product_extra_booked", "product_code", "extra_code", "booked_on"),
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
    sa.Column("created_at", UtcDateTime, nullable=False, index=True, info=WHEN),
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


# -- privacy (issue 3) ---------------------------------------------------------------------------------

subject_requests = sa.Table(
    "subject_requests",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("kind", sa.String(30), nullable=False, info=np("access, erasure, portability...")),
    sa.Column("status", sa.String(30), nullable=False, info=np("where the case stands")),
    sa.Column("channel", sa.String(20), nullable=False, info=np("how the request arrived")),
    sa.Column("received_on", sa.Date, nullable=False, info=np("the day the clock starts")),
    sa.Column("nation", sa.String(30), nullable=False, info=np("whose bank holidays move the due date")),
    sa.Column(
        "details",
        JSON,
        nullable=False,
        info=pd(C, Category.PRIVACY_REQUESTS, ("complaints",), ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                "what the person asked for: corrections, objections, directives about data after death"),
    ),
    sa.Column("identity_verified_at", UtcDateTime, info=WHEN),
    sa.Column("identity_method", sa.String(60), info=np("how identity was checked (never the evidence itself)")),
    sa.Column("pauses", JSON, nullable=False, info=np("the periods the clock stood still, and why")),
    sa.Column("extension_notified_on", sa.Date, info=np("when the person was told of an extension")),
    sa.Column("extension_reason", sa.Text, info=np("why the request is complex or numerous")),
    sa.Column("outcome", JSON, info=np("what was done: counts, field names and reasons, never the values")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.Column("completed_at", UtcDateTime, info=WHEN),
    sa.Column("version", sa.Integer, nullable=False, info=np("the optimistic-concurrency counter")),
    sa.Index("ix_subject_requests_status_received", "status", "received_on"),
)

subject_request_events = sa.Table(
    "subject_request_events",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("request_id", sa.String(40), sa.ForeignKey("subject_requests.id"), nullable=False, index=True,
              info=REF),
    sa.Column("at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("actor_id", sa.String(40), nullable=False, info=REF),
    sa.Column("kind", sa.String(40), nullable=False, info=np("what happened to the case")),
    sa.Column("note", sa.Text, nullable=False, info=np("the handler's note; refers to the case, not to the person")),
)

processing_flags = sa.Table(
    "processing_flags",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column(
        "flag",
        sa.String(30),
        nullable=False,
        info=pd(C, Category.PRIVACY_REQUESTS, ("marketing", "policy_administration"), ProvidedBy.DATA_SUBJECT,
                Erasure.NULL, "restriction or objection in force; kept while it must be obeyed"),
    ),
    sa.Column("active", sa.Boolean, nullable=False, info=np("set or lifted")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
    sa.Column("request_id", sa.String(40), info=REF),
)

legal_holds = sa.Table(
    "legal_holds",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("scope", sa.String(10), nullable=False, info=np("customer, policy or claim")),
    sa.Column("scope_id", sa.String(60), nullable=False, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("reason", sa.Text, nullable=False, info=np("the legal matter; refers to the matter, not the person")),
    sa.Column("set_by", sa.String(40), nullable=False, info=REF),
    sa.Column("set_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("review_on", sa.Date, nullable=False, info=np("when the hold must be looked at again")),
    sa.Column("released_at", UtcDateTime, info=WHEN),
    sa.Column("released_by", sa.String(40), info=REF),
    sa.Column("release_reason", sa.Text, info=np("why the hold ended")),
)

fraud_markers = sa.Table(
    "fraud_markers",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("policy_id", sa.String(40), info=REF),
    sa.Column(
        "reason",
        sa.Text,
        nullable=False,
        info=pd(C, Category.FRAUD, ("fraud_prevention",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                "why fraud is suspected or proven (S1 section 10); kept for fraud prevention"),
    ),
    sa.Column("source", sa.String(40), nullable=False, info=np("who raised it: staff, a fraud check")),
    sa.Column("reference", sa.String(100), info=np("the fraud agency's or investigation's reference")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
    sa.Column("removed_at", UtcDateTime, info=WHEN),
    sa.Column("removed_by", sa.String(40), info=REF),
    sa.Column(
        "removal_reason",
        sa.Text,
        info=pd(C, Category.FRAUD, ("fraud_prevention",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                "why the marker was removed (the suspicion was unfounded, the agency withdrew it)"),
    ),
)

disclosures = sa.Table(
    "disclosures",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("policy_id", sa.String(40), info=REF),
    sa.Column("recipient", sa.String(100), nullable=False, info=np("the third party the data went to")),
    sa.Column("recipient_kind", sa.String(40), nullable=False, info=np("payment provider, MID, fraud agency...")),
    sa.Column("purpose", sa.String(40), nullable=False, info=np("a purpose code from the data map")),
    sa.Column("basis", sa.String(30), nullable=False, info=np("the lawful basis")),
    sa.Column("categories", JSON, nullable=False, info=np("the categories of data sent")),
    sa.Column("disclosed_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("reference", sa.String(200), info=np("the recipient's reference for the transfer")),
    sa.Column("via", sa.String(40), nullable=False, info=np("the integration or person that made the transfer")),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
    sa.Column("withheld_from_subject", sa.Boolean, nullable=False, default=False, server_default=sa.false(),
              info=np("left out of what the person is shown (DPA 2018 Sch. 2 para 2, crime prevention)")),
    # Not personal: it names the matter and the exemption, not the person. Declared personal, it would
    # be listed in the person's own erasure plan and access package and so reveal the disclosure.
    sa.Column("withheld_reason", sa.Text,
              info=np("why telling the person would prejudice the prevention or detection of crime; "
                      "refers to the matter, not the person")),
)

breaches = sa.Table(
    "breaches",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("title", sa.String(200), nullable=False, info=np("what happened, without naming people")),
    sa.Column("description", sa.Text, nullable=False, info=np("what happened, without naming people")),
    sa.Column("occurred_at", UtcDateTime, info=WHEN),
    sa.Column("aware_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("categories", JSON, nullable=False, info=np("the categories of data involved")),
    sa.Column("scope", JSON, nullable=False, info=np("how the people affected were found")),
    sa.Column("risk", sa.String(20), nullable=False, info=np("unassessed, unlikely, risk or high")),
    sa.Column("risk_reason", sa.Text, info=np("why")),
    sa.Column("assessed_at", UtcDateTime, info=WHEN),
    sa.Column("assessed_by", sa.String(40), info=REF),
    sa.Column("ico_reported_at", UtcDateTime, info=WHEN),
    sa.Column("ico_reference", sa.String(100), info=np("the ICO's reference")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
    sa.Column("closed_at", UtcDateTime, info=WHEN),
    sa.Column("closed_by", sa.String(40), info=REF),
    sa.Column("closure_note", sa.Text, info=np("the closing summary: what was done, without naming people")),
)

breach_affected = sa.Table(
    "breach_affected",
    metadata,
    sa.Column("breach_id", sa.String(40), sa.ForeignKey("breaches.id"), primary_key=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), primary_key=True, index=True, info=REF),
    sa.Column("found_via", JSON, nullable=False, info=np("the data-map fields that hold the person's data")),
    sa.Column("notified_at", UtcDateTime, info=WHEN),
    sa.Column("notified_channel", sa.String(20), info=np("how the person was told")),
)

subject_keys = sa.Table(
    "subject_keys",
    metadata,
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), primary_key=True, info=REF),
    sa.Column("wrapped_key", sa.Text, nullable=False,
              info=np("the person's data key, encrypted with a master key; deleting it erases their sensitive data")),
    sa.Column("master_key_id", sa.String(40), nullable=False, info=np("which master key wraps it")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("rotated_at", UtcDateTime, info=WHEN),
)

_SENSITIVE_PURPOSES = ("quotation", "policy_administration", "special_category_underwriting")
sensitive_data = sa.Table(
    "sensitive_data",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("person_ref", sa.String(60), nullable=False, info=np("'policyholder' or the driver's label")),
    sa.Column("subject", sa.String(20), nullable=False, info=np("customer or named driver")),
    sa.Column(
        "licence_number",
        sa.Text,
        info=pd(C, Category.DRIVING_LICENCE, ("quotation", "policy_administration", "fraud_prevention"),
                ProvidedBy.DATA_SUBJECT, Erasure.ENCRYPT_DROP_KEY,
                "encrypted with the person's data key (PRV-11); a named driver's is provided by the policyholder"),
    ),
    sa.Column(
        "health",
        sa.Text,
        info=pd(C, Category.HEALTH, _SENSITIVE_PURPOSES, ProvidedBy.DATA_SUBJECT, Erasure.ENCRYPT_DROP_KEY,
                "conditions notifiable to the DVLA (PRV-7); encrypted"),
    ),
    sa.Column(
        "convictions",
        sa.Text,
        info=pd(C, Category.CRIMINAL_CONVICTIONS, _SENSITIVE_PURPOSES, ProvidedBy.DATA_SUBJECT,
                Erasure.ENCRYPT_DROP_KEY, "motoring and criminal convictions (PRV-7); encrypted"),
    ),
    sa.Column(
        "bank_details",
        sa.Text,
        info=pd(C, Category.FINANCIAL, ("payments",), ProvidedBy.DATA_SUBJECT, Erasure.ENCRYPT_DROP_KEY,
                "account for refunds and direct debits (PRV-11); encrypted"),
    ),
    sa.Column("updated_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("updated_by", sa.String(40), nullable=False, info=REF),
    sa.UniqueConstraint("customer_id", "person_ref", name="uq_sensitive_data_customer_person"),
)

sensitive_reads = sa.Table(
    "sensitive_reads",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("user_id", sa.String(40), nullable=False, info=REF),
    sa.Column("role", sa.String(20), nullable=False, info=np("the reader's role")),
    sa.Column("customer_id", sa.String(40), nullable=False, index=True, info=REF),
    sa.Column("person_ref", sa.String(60), nullable=False, info=np("'policyholder' or the driver's label")),
    sa.Column("fields", JSON, nullable=False, info=np("the names of the fields read")),
    sa.Column("purpose", sa.String(60), nullable=False, info=np("why they were read")),
)

retention_settings = sa.Table(
    "retention_settings",
    metadata,
    sa.Column("dealership_id", sa.String(60), primary_key=True, info=np("a dealership's identifier")),
    sa.Column("category", sa.String(60), primary_key=True, info=np("the retention category")),
    sa.Column("years", sa.Integer, nullable=False, info=np("the period the dealership chose")),
    sa.Column("set_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("set_by", sa.String(40), nullable=False, info=REF),
)

retention_runs = sa.Table(
    "retention_runs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("as_of", sa.Date, nullable=False, info=np("the day the sweep judged what is due")),
    sa.Column("started_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("finished_at", UtcDateTime, info=WHEN),
    sa.Column("status", sa.String(12), nullable=False, info=np("running or finished")),
    sa.Column("started_by", sa.String(40), nullable=False, info=REF),
    sa.Column("report", JSON, nullable=False, info=np("counts per rule and action; no personal values")),
)

retention_actions = sa.Table(
    "retention_actions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("run_id", sa.String(40), sa.ForeignKey("retention_runs.id"), nullable=False, index=True, info=REF),
    sa.Column("rule", sa.String(60), nullable=False, info=np("the retention rule applied")),
    sa.Column("record_kind", sa.String(30), nullable=False, info=np("what kind of record")),
    sa.Column("record_id", sa.String(60), nullable=False, info=REF),
    sa.Column("action", sa.String(12), nullable=False, info=np("delete or anonymise")),
    sa.Column("due_on", sa.Date, nullable=False, info=np("when it fell due")),
    sa.Column("done_at", UtcDateTime, nullable=False, info=WHEN),
    sa.UniqueConstraint("record_kind", "record_id", "action", name="uq_retention_actions_record_action"),
)


# -- carbon offsetting (issue 4 part 6, ECO-1) ----------------------------------------------------------
# Figures only: the car's g/km, engine size and declared mileage they come from stay in the policy's
# recorded risk (declared personal there, and erased or anonymised with it); these rows reference it.

carbon_offsets = sa.Table(
    "carbon_offsets",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("term_no", sa.Integer, nullable=False, info=np("the policy year")),
    sa.Column("transaction_id", sa.String(40), nullable=False, unique=True, info=REF),
    sa.Column("kind", sa.String(20), nullable=False, info=np("purchase, top_up, reduction or recomputed")),
    sa.Column("effective_date", sa.Date, nullable=False, info=np("from when the change applies")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, index=True, info=WHEN),
    sa.Column("product_ref", sa.String(60), nullable=False, info=np("the product version whose settings applied")),
    sa.Column("term_start", sa.Date, nullable=False, info=np("the policy year's dates")),
    sa.Column("term_end", sa.Date, nullable=False, info=np("the policy year's dates")),
    sa.Column("co2_kg", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("cost_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("year_co2_kg", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("year_cost_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("price_pence_per_tonne", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("currency", sa.String(3), nullable=False, info=np("the currency of the costs")),
    sa.Column("estimated", sa.Boolean, nullable=False,
              info=np("whether a g/km came from the product's estimate table rather than the vehicle record")),
    sa.Column("basis", JSON, nullable=False,
              info=np("how the figures were reached: formula, rounding, each stretch's dates, days and annual tonnes, "
                      "the estimate table row used, the product's settings; no input of the person's own")),
)

carbon_offset_lines = sa.Table(
    "carbon_offset_lines",
    metadata,
    sa.Column("offset_id", sa.String(40), sa.ForeignKey("carbon_offsets.id"), primary_key=True, info=REF),
    sa.Column("project_code", sa.String(30), primary_key=True, info=np("the offset project")),
    sa.Column("policy_id", sa.String(40), nullable=False, index=True, info=REF),
    sa.Column("project_name", sa.String(200), nullable=False, info=np("the project, as the product named it")),
    sa.Column("country", sa.String(100), nullable=False, info=np("where the project is")),
    sa.Column("share_percent", sa.String(12), nullable=False, info=AMOUNT),
    sa.Column("co2_kg", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("cost_pence", sa.BigInteger, nullable=False, info=AMOUNT),
)


# -- no-claims discount proof (issue 4 parts 1 and 4, NCD-1) -----------------------------------------------
# What a proof document shows, each NCD-1 condition's result, and the decision. No foreign key to quotes:
# the retention sweep deletes quotes never taken up, and the proof outlives them (docs/ncd.md).

_NCD_HISTORY = pd(C, Category.CLAIMS_HISTORY, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                  "the person's no-claims history as a proof of NCD shows it")["privacy"]

ncd_proofs = sa.Table(
    "ncd_proofs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("quote_id", sa.String(40), index=True, info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), index=True, info=REF),
    sa.Column("kind", sa.String(20), nullable=False, info=np("insurer_letter, broker_letter or renewal_notice")),
    sa.Column("insurer", sa.String(200), nullable=False,
              info=np("the insurer or broker that issued the document: a firm, not a person")),
    sa.Column("ncd_years", sa.Integer,
              info=pd(C, Category.CLAIMS_HISTORY, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "years of NCD the proof shows")),
    sa.Column("ended_on", sa.Date,
              info=pd(C, Category.CONTRACT, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "when the previous policy ended or was due to renew")),
    sa.Column("registration", sa.String(12),
              info=pd(C, Category.VEHICLE, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the registration of the car the NCD was earned on")),
    sa.Column("country", sa.String(60),
              info=pd(C, Category.CONTRACT, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "where the NCD was earned")),
    sa.Column("issued_on", sa.Date, info=np("when the document was issued")),
    sa.Column("previous_policy_number", sa.String(40),
              info=pd(C, Category.CONTRACT, QUOTE_AND_POLICY, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the previous insurer's policy number")),
    sa.Column("status", sa.String(10), nullable=False, info=np("accepted or rejected")),
    sa.Column("checks", JSON, nullable=False,
              info=inside({"conditions[].reason": _NCD_HISTORY},
                          "each NCD-1 condition, passed or failed, and the ids of proofs of the same NCD in use")),
    sa.Column("checked_on", sa.Date, nullable=False, info=np("the day the conditions were checked")),
    sa.Column("decided_by", sa.String(40), nullable=False, info=REF),
    sa.Column("decided_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("decision_note", sa.Text,
              info=pd(C, Category.CONTRACT, ("policy_administration",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                      "staff's note on a manual check of the proof")),
    sa.Column("effect", JSON, info=inside({"explanation[]": _NCD_HISTORY},
                                          "how the decision re-rated the quote: years and premiums before and after")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
    # "Not in use on another vehicle" looks up accepted proofs by end date.
    sa.Index("ix_ncd_proofs_ended_on_status", "ended_on", "status"),
)

# -- the clock engine (issue 5): every deadline in the system ------------------------------------------------

_CLOCK_REASON = pd(C, Category.CONTRACT, ("claims", "complaints", "regulatory_reporting"), ProvidedBy.GENERATED,
                   Erasure.NULL, "staff's words on why a clock stood still or stopped: may mention the person")["privacy"]

deadlines = sa.Table(
    "deadlines",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("rule", sa.String(60), nullable=False, info=np("the clock rule's code (clocks/domain.py RULES)")),
    sa.Column("subject_kind", sa.String(30), nullable=False, info=np("claim, complaint, correspondence, mid_update...")),
    sa.Column("subject_id", sa.String(40), nullable=False, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), index=True, info=REF),
    sa.Column("team", sa.String(40), nullable=False, info=np("the team that owes the deadline")),
    sa.Column("nation", sa.String(3), nullable=False, info=np("whose bank holidays count (ENG, SCT, NIR)")),
    sa.Column("started_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("due_at", UtcDateTime, nullable=False,
              info=np("when it falls due as at the last change; a running pause only moves it later")),
    sa.Column("pauses", JSON, nullable=False, info=inside({"[].reason": _CLOCK_REASON},
                                                          "when the clock stood still, and why")),
    sa.Column("met_at", UtcDateTime, info=WHEN),
    sa.Column("stopped_at", UtcDateTime, info=WHEN),
    sa.Column("stop_reason", sa.Text, info={"privacy": _CLOCK_REASON}),
    sa.Column("note", sa.Text, info=np("what the deadline is for, in the system's words")),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_deadlines_subject", "subject_kind", "subject_id"),
    sa.Index("ix_deadlines_open_due", "met_at", "stopped_at", "due_at"),
    sa.Index("ix_deadlines_team_started", "team", "started_at"),
)

# -- complaints (issue 5 parts 4 and 7; CMP-1..5, DOC-2) ---------------------------------------------------
# A complaint keeps its own copy of what the complainant gave (S3's list): it may come from someone who is
# not a customer, and it is kept three years after it closes (DISP 1.9) whatever happens to the customer's
# record; then the retention sweep anonymises it (house rule `house:complaints`).

_COMPLAINT = ("complaints",)
_COMPLAINT_TEXT = pd(C, Category.CONTRACT, _COMPLAINT, ProvidedBy.GENERATED, Erasure.NULL,
                     "staff's words about the complaint: may name the person")["privacy"]
_FORMAT_ASKED = pd(C, Category.CONTACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                   "the format responses are sent in (CMP-4: large print, audio, Braille); it may suggest a "
                   "disability, so it goes with the complaint's personal data")["privacy"]

complaints = sa.Table(
    "complaints",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("kind", sa.String(20), nullable=False, info=np("about a claim, or about sales/service")),
    sa.Column("team", sa.String(40), nullable=False, info=np("the team it was routed to (CMP-1)")),
    sa.Column("status", sa.String(24), nullable=False, info=np("received, acknowledged, resolved, final response "
                                                               "sent or withdrawn")),
    sa.Column("description", sa.Text, nullable=False,
              info=pd(C, Category.CONTRACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "what the complainant says is wrong (S3)")),
    sa.Column("name", sa.String(200), nullable=False,
              info=pd(C, Category.IDENTITY, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the complainant's name (S3); may be someone who is not a customer")),
    sa.Column("address", sa.Text, nullable=False,
              info=pd(C, Category.CONTACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "where responses are sent (S3)")),
    sa.Column("postcode", sa.String(10),
              info=pd(C, Category.CONTACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "gives the nation whose working days count (CMP-5)")),
    sa.Column("phone", sa.String(40),
              info=pd(C, Category.CONTACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "a daytime telephone number, where possible (S3)")),
    sa.Column("email", sa.String(320),
              info=pd(C, Category.CONTACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "for letters sent by e-mail")),
    sa.Column("policy_number", sa.String(40),
              info=pd(C, Category.CONTRACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the policy number as the complainant gave it (S3)")),
    sa.Column("policy_id", sa.String(40), index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), index=True, info=REF),
    sa.Column("product_code", sa.String(20), info=np("the product of the policy complained about")),
    sa.Column("received_via", sa.String(10), nullable=False, info=np("letter, email, phone or web")),
    sa.Column("received_at", UtcDateTime, nullable=False, info=np("when the complaint was received: the clocks' start")),
    sa.Column("nation", sa.String(3), nullable=False, info=np("whose bank holidays count (CMP-5)")),
    sa.Column("alternative_format", sa.String(20), info={"privacy": _FORMAT_ASKED}),
    sa.Column("acknowledged_at", UtcDateTime, info=WHEN),
    sa.Column("resolved_at", UtcDateTime, info=WHEN),
    sa.Column("final_response_at", UtcDateTime, info=WHEN),
    sa.Column("eight_week_letter_at", UtcDateTime, info=WHEN),
    sa.Column("withdrawn_at", UtcDateTime, info=WHEN),
    sa.Column("closed_at", UtcDateTime, index=True, info=WHEN),
    sa.Column("outcome", sa.String(20), info=np("upheld, partly upheld or not upheld")),
    sa.Column("redress_pence", sa.BigInteger, info=AMOUNT),
    sa.Column("root_cause", sa.String(40), info=np("a root-cause code (complaints/domain.py ROOT_CAUSES)")),
    sa.Column("root_cause_note", sa.Text, info={"privacy": _COMPLAINT_TEXT}),
    sa.Column("resolution", sa.Text, info={"privacy": _COMPLAINT_TEXT}),
    sa.Column("withdrawal_reason", sa.Text,
              info=pd(C, Category.CONTRACT, _COMPLAINT, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "why the complainant withdrew it")),
    sa.Column("history", JSON, nullable=False, info=inside({"[].note": _COMPLAINT_TEXT},
                                                           "what happened to the complaint, when and by whom")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_complaints_status_team", "status", "team"),
    sa.Index("ix_complaints_received_at", "received_at"),
)

complaint_letters = sa.Table(
    "complaint_letters",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("complaint_id", sa.String(40), sa.ForeignKey("complaints.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), index=True, info=REF),
    sa.Column("kind", sa.String(20), nullable=False, info=np("acknowledgement, progress_update, summary_resolution, "
                                                             "final_response or eight_week")),
    sa.Column("format", sa.String(12), nullable=False, info={"privacy": _FORMAT_ASKED}),
    sa.Column("production", sa.String(12), nullable=False, info=np("covernote, or provider (audio, Braille)")),
    sa.Column("channel", sa.String(10), nullable=False, info=np("post or email")),
    sa.Column("body", sa.Text, info=pd(C, Category.CONTRACT, _COMPLAINT, ProvidedBy.GENERATED, Erasure.NULL,
                                       "the letter as sent (plain text): names the complainant and the complaint")),
    sa.Column("body_html", sa.Text, info=pd(C, Category.CONTRACT, _COMPLAINT, ProvidedBy.GENERATED, Erasure.NULL,
                                            "the letter as sent (printable HTML)")),
    sa.Column("sent_at", UtcDateTime, nullable=False, info=np("when the letter was sent: the clock it meets is met then")),
    sa.Column("sent_by", sa.String(40), nullable=False, info=REF),
)

# -- claims (issue 5 parts 2 and 3: CLM-1..4) ------------------------------------------------------------------
# A claim snapshots the policyholder's name and address at notification; other people in it (drivers,
# witnesses, injured people) are data subjects of their own, in claim_parties. Events are append-only.

from covernote.kernel.declarations import Subject as _Subject  # noqa: E402

_CLAIM = ("claims", "fraud_prevention")
_CLAIM_TEXT = pd(C, Category.CLAIMS_HISTORY, _CLAIM, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                 "the policyholder's account of the loss")["privacy"]
_TP = _Subject.THIRD_PARTY
_TP_NOTE = "another person in the claim (role: third_party, witness or injured), as the policyholder told us (PRV-9)"

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("term_no", sa.Integer, nullable=False, info=np("the term on cover at the loss")),
    sa.Column("incident_transaction_id", sa.String(40), nullable=False, info=REF),
    sa.Column("policy_number", sa.String(80), nullable=False,
              info=pd(C, Category.CONTRACT, _CLAIM, ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                      "the policy number at notification")),
    sa.Column("claim_type", sa.String(40), nullable=False, info=np("the claim type (policy/domain/claims.py CLAIM_TYPES)")),
    sa.Column("total_loss", sa.Boolean, nullable=False, info=np("whether the car is a total loss")),
    sa.Column("occurred_at", UtcDateTime, nullable=False, info=np("when the loss happened")),
    sa.Column("loss_description", sa.Text, nullable=False, info={"privacy": _CLAIM_TEXT}),
    sa.Column("circumstances", sa.Text, nullable=False, info={"privacy": _CLAIM_TEXT}),
    sa.Column("location", sa.Text, info={"privacy": _CLAIM_TEXT}),
    sa.Column("anyone_injured", sa.Boolean, nullable=False, info=np("yes or no; the details are declared")),
    sa.Column("injury_details", sa.Text,
              info=pd(C, Category.HEALTH, ("claims", "special_category_claims"), ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "who was hurt and how: the policyholder, passengers or other people (PRV-7)")),
    sa.Column("crime_reference", sa.String(80),
              info=pd(C, Category.CLAIMS_HISTORY, _CLAIM, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the police crime reference (theft, malicious damage, vandalism)")),
    sa.Column("police_incident_number", sa.String(80),
              info=pd(C, Category.CLAIMS_HISTORY, _CLAIM, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the police incident number of a theft (CLM-3)")),
    sa.Column("policyholder_name", sa.Text, nullable=False,
              info=pd(C, Category.IDENTITY, _CLAIM, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "as on the customer record at notification")),
    sa.Column("policyholder_address", sa.Text, nullable=False,
              info=pd(C, Category.CONTACT, ("claims",), ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "as on the customer record at notification")),
    sa.Column("policyholder_postcode", sa.String(12), nullable=False,
              info=pd(C, Category.CONTACT, ("claims",), ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "as on the customer record at notification; gives the nation whose bank holidays count")),
    sa.Column("nation", sa.String(3), nullable=False, info=np("whose bank holidays the claim's clocks count")),
    sa.Column("status", sa.String(20), nullable=False, index=True, info=np("the claim's status")),
    sa.Column("close_reason", sa.String(20), info=np("withdrawn, declined or no_payment")),
    sa.Column("settlement_pence", sa.BigInteger, info=AMOUNT),
    sa.Column("settlement_agreed_at", UtcDateTime, info=WHEN),
    sa.Column("reserve_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("paid_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("notified_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("notified_by", sa.String(40), nullable=False, info=REF),
    sa.Column("settled_at", UtcDateTime, info=WHEN),
    sa.Column("closed_at", UtcDateTime, info=WHEN),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
)

claim_parties = sa.Table(
    "claim_parties",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("role", sa.String(20), nullable=False, info=np("third_party, witness or injured")),
    sa.Column("name", sa.Text, info=pd(_TP, Category.IDENTITY, _CLAIM, ProvidedBy.POLICYHOLDER, Erasure.NULL, _TP_NOTE)),
    sa.Column("address", sa.Text, info=pd(_TP, Category.CONTACT, ("claims",), ProvidedBy.POLICYHOLDER, Erasure.NULL,
                                          _TP_NOTE)),
    sa.Column("phone", sa.String(40), info=pd(_TP, Category.CONTACT, ("claims",), ProvidedBy.POLICYHOLDER,
                                              Erasure.NULL, _TP_NOTE)),
    sa.Column("vehicle_registration", sa.String(12),
              info=pd(_TP, Category.VEHICLE, _CLAIM, ProvidedBy.POLICYHOLDER, Erasure.NULL, "the other car's")),
    sa.Column("insurer", sa.String(200),
              info=pd(_TP, Category.CONTRACT, ("claims",), ProvidedBy.POLICYHOLDER, Erasure.NULL,
                      "the other driver's insurer: with their policy number it identifies their cover")),
    sa.Column("policy_number", sa.String(80),
              info=pd(_TP, Category.CONTRACT, _CLAIM, ProvidedBy.POLICYHOLDER, Erasure.NULL,
                      "the other driver's policy number")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
)

_CLAIM_NOTE = pd(C, Category.CLAIMS_HISTORY, ("claims",), ProvidedBy.GENERATED, Erasure.NULL,
                 "staff's words on the claim: may mention the people in it")["privacy"]

claim_events = sa.Table(
    "claim_events",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("actor_id", sa.String(40), nullable=False, info=REF),
    sa.Column("actor_role", sa.String(20), nullable=False, info=np("the role that made the change")),
    sa.Column("kind", sa.String(30), nullable=False, info=np("notified, status, reserve, payment, documents...")),
    sa.Column("from_status", sa.String(20), info=np("the status before")),
    sa.Column("to_status", sa.String(20), info=np("the status after")),
    sa.Column("amount_pence", sa.BigInteger, info=AMOUNT),
    sa.Column("journal_entry_id", sa.String(40), info=REF),
    sa.Column("note", sa.Text, info={"privacy": _CLAIM_NOTE}),
)

claim_correspondence = sa.Table(
    "claim_correspondence",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("direction", sa.String(3), nullable=False, info=np("in or out")),
    sa.Column("channel", sa.String(10), nullable=False, info=np("letter, email or phone")),
    sa.Column("summary", sa.Text, nullable=False,
              info=pd(C, Category.CLAIMS_HISTORY, ("claims", "complaints"), ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "what the letter, e-mail or call said, in staff's words")),
    sa.Column("at", UtcDateTime, nullable=False, info=np("when it was received (in) or sent (out)")),
    sa.Column("answers", JSON, nullable=False, info=np("the ids of the inbound items an outbound reply answers")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
)

claim_documents = sa.Table(
    "claim_documents",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("name", sa.String(200), nullable=False,
              info=np("the kind of document needed (V5C, repair invoice...): not its content")),
    sa.Column("requested_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("requested_by", sa.String(40), nullable=False, info=REF),
    sa.Column("received_at", UtcDateTime, info=WHEN),
    sa.Column("received_recorded_by", sa.String(40), info=REF),
    sa.UniqueConstraint("claim_id", "name", name="uq_claim_documents_claim_name"),
)

claim_payments = sa.Table(
    "claim_payments",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("amount_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("payee", sa.Text, nullable=False,
              info=pd(C, Category.FINANCIAL, ("claims", "payments", "accounting"), ProvidedBy.GENERATED,
                      Erasure.KEYED_HASH, "who was paid: the policyholder, a repairer or another person")),
    sa.Column("reference", sa.String(100), info=np("the bank payment's reference")),
    sa.Column("paid_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("recorded_by", sa.String(40), nullable=False, info=REF),
    sa.Column("journal_entry_id", sa.String(40), nullable=False, info=REF),
)


# -- regulatory reporting and fraud checks (issue 5 parts 5 and 6: REG-1, REG-2, REG-3) --------------------------
# The MID and CUE outboxes (written in the unit of work of the transaction that made them, sent by a job) and
# every fraud check made. docs/regulatory.md.

# Copies the system composed from the policy for a report: "generated" here (the originals, on the policy, say
# who provided them: the person, or the policyholder for named drivers, PRV-9).
_MID_VEHICLE = pd(C, Category.VEHICLE, MID, ProvidedBy.GENERATED, Erasure.NULL,
                  "a vehicle on cover as sent to the Motor Insurance Database (S1 section 11)")["privacy"]
_MID_DRIVER = pd(ND, Category.IDENTITY, MID, ProvidedBy.GENERATED, Erasure.NULL,
                 "a named driver as sent to the Motor Insurance Database (entered by the policyholder, PRV-9)")["privacy"]
_MID_POLICY = pd(C, Category.CONTRACT, MID, ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                 "the policy number as sent to the Motor Insurance Database")["privacy"]
_BUREAU_REASON = pd(C, Category.VEHICLE, MID, ProvidedBy.THIRD_PARTY, Erasure.NULL,
                    "the bureau's words on a rejection: may quote the registration")

mid_updates = sa.Table(
    "mid_updates",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("transaction_id", sa.String(40), info=REF),
    sa.Column("term_no", sa.Integer, nullable=False, info=np("the policy year")),
    sa.Column("trigger", sa.String(20), nullable=False,
              info=np("new_business, mta, cancellation, voidance, renewal or correction")),
    sa.Column("rule", sa.String(40), nullable=False, info=np("the clock rule: mid.update_private or mid.update_fleet")),
    sa.Column("record", JSON, nullable=False, info=inside(
        {"policy_number": _MID_POLICY, "vehicles[].registration": _MID_VEHICLE, "vehicles[].make": _MID_VEHICLE,
         "vehicles[].model": _MID_VEHICLE, "drivers[].name": _MID_DRIVER},
        "the full picture of the term sent to the MID: cover dates, vehicles, named drivers")),
    sa.Column("registration_issues", JSON, nullable=False,
              info=inside({"[].registration": _MID_VEHICLE}, "registrations flagged as likely wrong, and why")),
    sa.Column("flagged", sa.Boolean, nullable=False, info=np("a registration is flagged or the bureau rejected it")),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.Column("due_at", UtcDateTime, nullable=False, info=np("when the MID must hold it (the clock's due instant)")),
    sa.Column("status", sa.String(12), nullable=False, info=np("pending, sent, rejected or superseded")),
    sa.Column("attempts", sa.Integer, nullable=False, info=np("tries made")),
    sa.Column("next_attempt_at", UtcDateTime, info=np("when the sender tries again (back-off)")),
    sa.Column("last_attempt_at", UtcDateTime, info=WHEN),
    sa.Column("last_error", sa.Text, info=np("why the last try got no answer (outage, timeout)")),
    sa.Column("action", sa.String(10), info=np("what the MID was asked: add, amend, renew or cancel")),
    sa.Column("sent_at", UtcDateTime, info=np("when the MID accepted it")),
    sa.Column("reference", sa.String(60), info=np("the bureau's reference")),
    sa.Column("reject_code", sa.String(40), info=np("the bureau's rejection code")),
    sa.Column("reject_reason", sa.Text, info=_BUREAU_REASON),
    sa.Column("superseded_by", sa.String(40), info=REF),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_mid_updates_status_next", "status", "next_attempt_at"),
)

cue_reports = sa.Table(
    "cue_reports",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("claim_id", sa.String(40), unique=True, info=REF),
    sa.Column("transaction_id", sa.String(40), unique=True, info=REF),
    sa.Column("incident_on", sa.Date, nullable=False, info=np("the day of the incident")),
    sa.Column("kind", sa.String(10), nullable=False, info=np("claim or incident")),
    sa.Column("payload", JSON, nullable=False, info=inside(
        {"policy_number": _MID_POLICY,
         "registration": pd(C, Category.VEHICLE, ("claims", "fraud_prevention"), ProvidedBy.GENERATED,
                            Erasure.NULL, "the insured vehicle on the day")["privacy"],
         "drivers[]": pd(ND, Category.IDENTITY, ("claims", "fraud_prevention"), ProvidedBy.GENERATED,
                         Erasure.NULL, "the named drivers on the day (entered by the policyholder, PRV-9)")["privacy"],
         "claim_reference": pd(C, Category.CLAIMS_HISTORY, ("claims", "fraud_prevention"), ProvidedBy.GENERATED,
                               Erasure.KEYED_HASH)["privacy"]},
        "the incident as reported to the Claims and Underwriting Exchange")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.Column("status", sa.String(12), nullable=False, info=np("pending, sent or rejected")),
    sa.Column("attempts", sa.Integer, nullable=False, info=np("tries made")),
    sa.Column("next_attempt_at", UtcDateTime, info=np("when the sender tries again (back-off)")),
    sa.Column("last_attempt_at", UtcDateTime, info=WHEN),
    sa.Column("last_error", sa.Text, info=np("why the last try got no answer (outage, timeout)")),
    sa.Column("sent_at", UtcDateTime, info=np("when the exchange accepted it")),
    sa.Column("reference", sa.String(60), info=np("the exchange's reference")),
    sa.Column("reject_code", sa.String(40), info=np("the exchange's rejection code")),
    sa.Column("reject_reason", sa.Text, info=_BUREAU_REASON),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_cue_reports_status_next", "status", "next_attempt_at"),
)

_FRAUD = ("fraud_prevention",)
fraud_checks = sa.Table(
    "fraud_checks",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("stage", sa.String(10), nullable=False, info=np("quote, mta, renewal or claim")),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), index=True, info=REF),
    sa.Column("subject_ref", sa.String(40), nullable=False, info=REF),
    sa.Column("subject", JSON, nullable=False, info=inside(
        {"name": pd(C, Category.IDENTITY, _FRAUD, ProvidedBy.GENERATED, Erasure.NULL)["privacy"],
         "date_of_birth": pd(C, Category.IDENTITY, _FRAUD, ProvidedBy.GENERATED, Erasure.NULL)["privacy"],
         "email": pd(C, Category.CONTACT, _FRAUD, ProvidedBy.GENERATED, Erasure.NULL)["privacy"],
         "postcode": pd(C, Category.CONTACT, _FRAUD, ProvidedBy.GENERATED, Erasure.NULL)["privacy"],
         "registrations[]": pd(C, Category.VEHICLE, _FRAUD, ProvidedBy.GENERATED, Erasure.NULL)["privacy"],
         "drivers[]": pd(ND, Category.IDENTITY, _FRAUD, ProvidedBy.GENERATED, Erasure.NULL,
                         "entered by the policyholder (PRV-9)")["privacy"]},
        "what was sent to the fraud prevention agency (copied from the customer and the policy)")),
    # The answer code alone: what the agency found about the person (fraud data) is in `reasons`, empty for a
    # clear answer, so a breach of fraud data finds only the people the agency referred or matched.
    sa.Column("result", sa.String(12), nullable=False,
              info=np("the agency's answer code: clear, refer, match or unavailable; its findings are in reasons")),
    sa.Column("score", sa.Integer, info=np("the agency's risk score, 0 to 100: meaningless without the result")),
    sa.Column("reasons", JSON, info=inside(
        {"[]": pd(C, Category.FRAUD, _FRAUD, ProvidedBy.THIRD_PARTY, Erasure.KEYED_HASH,
                  "why the agency referred or matched (never shown to the person)")["privacy"]},
        "the agency's reasons (NULL when it gave none)")),
    sa.Column("agency_reference", sa.String(60), info=np("the agency's reference for the check")),
    sa.Column("checked_at", UtcDateTime, nullable=False, index=True, info=WHEN),
    sa.Column("checked_by", sa.String(40), nullable=False, info=REF),
    sa.Column("review_status", sa.String(12), nullable=False, index=True,
              info=np("none, open, cleared, confirmed or rechecked")),
    sa.Column("marker_id", sa.String(40), info=REF),
    sa.Column("reviewed_at", UtcDateTime, info=WHEN),
    sa.Column("reviewed_by", sa.String(40), info=REF),
    sa.Column("review_note", sa.Text, info=pd(C, Category.FRAUD, _FRAUD, ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                                              "staff's note on the review")),
    sa.Column("recheck_of", sa.String(40), info=REF),
    sa.Column("notes", JSON, nullable=False, info=np("what the answer meant for the transaction, in the system's words")),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
)

# -- policy documents (issue 14: DOC-1, DOC-2, CMP-4, REG-5, PRV-3) --------------------------------------------
# Each document once per (owner, kind, subject): its template and product versions; its renditions' bytes with
# their SHA-256, never regenerated (a download answers the stored bytes); paper copies asked for. The owner is
# the record the document belongs to and is listed under: a policy (its certificates, schedules, letters), a
# complaint (its letters; a complaint may name no policy, or no customer) or a data subject request (its access
# package, about a customer, not one policy). The owner is copied onto the renditions and print requests, as the
# policy and customer are, so erasure and retention reach each row by it.

# A document's bytes and paper copies serve what the document belongs to: a policy's administration, or a
# complaint's handling (its letters, kept as long as the complaint is: PRV-4, DISP 1.9).
_OWNED_DOCUMENT = ("policy_administration", "complaints")
_OWNER_KIND = np("what the document belongs to: policy, complaint or data_request")
_OWNER_ID = np("the policy, complaint or data subject request the document belongs to (its id)")

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("owner_kind", sa.String(20), nullable=False, info=_OWNER_KIND),
    sa.Column("owner_id", sa.String(40), nullable=False, info=_OWNER_ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), index=True, info=REF),
    sa.Column("kind", sa.String(30), nullable=False, info=np("certificate, schedule, statement_of_fact, ipid, "
                                                             "mta_letter, cancellation_letter, renewal_notice, "
                                                             "ncd_letter, complaint_letter or access_package")),
    sa.Column("subject", sa.String(40), nullable=False, index=True,
              info=np("the policy transaction or renewal invitation the document documents (its id), or for "
                      "a letter another context wrote, which letter (ncd_letter: a digest of its words; "
                      "complaint_letter: the complaint letter's id; access_package: the request's id)")),
    sa.Column("term_no", sa.Integer, info=np("the policy term (none for a complaint's or a request's document)")),
    sa.Column("title", sa.String(120), nullable=False, info=np("the kind's title")),
    sa.Column("template", sa.String(80), nullable=False, info=np("the template's name")),
    sa.Column("template_version", sa.String(64), nullable=False,
              info=np("a SHA-256 of the template sources that rendered it")),
    sa.Column("product_ref", sa.String(60), info=np("the product version (CODE@VERSION), where one applies")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.UniqueConstraint("owner_kind", "owner_id", "kind", "subject", name="uq_documents_owner_kind_subject"),
    sa.Index("ix_documents_owner", "owner_kind", "owner_id"),
)

document_renditions = sa.Table(
    "document_renditions",
    metadata,
    sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), primary_key=True, info=REF),
    sa.Column("format", sa.String(12), primary_key=True, info=np("pdf, html, txt, pdf_large or html_large")),
    sa.Column("owner_kind", sa.String(20), nullable=False, info=_OWNER_KIND),
    sa.Column("owner_id", sa.String(40), nullable=False, info=_OWNER_ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), index=True, info=REF),
    sa.Column("media_type", sa.String(60), nullable=False, info=np("the content's media type")),
    sa.Column("sha256", sa.String(64), nullable=False, info=np("the SHA-256 of the content as issued")),
    sa.Column("size", sa.Integer, nullable=False, info=np("the content's length in bytes")),
    sa.Column("content", sa.LargeBinary, info=pd(
        C, Category.CONTRACT, _OWNED_DOCUMENT, ProvidedBy.GENERATED, Erasure.NULL,
        "the document as issued: names the policyholder or complainant, and the policy's drivers, address and "
        "registration, or the complaint, or (an access package) everything held about the person")),
    sa.Column("template_version", sa.String(64), nullable=False,
              info=np("a SHA-256 of the template sources (and large-print stylesheet) that rendered it")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Index("ix_document_renditions_owner", "owner_kind", "owner_id"),
)

print_requests = sa.Table(
    "print_requests",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), nullable=False, index=True, info=REF),
    sa.Column("owner_kind", sa.String(20), nullable=False, info=_OWNER_KIND),
    sa.Column("owner_id", sa.String(40), nullable=False, info=_OWNER_ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("large_print", sa.Boolean, info=pd(
        C, Category.CONTACT, _OWNED_DOCUMENT, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
        "asked for large print (CMP-4): it may suggest a disability, so it is the person's data")),
    sa.Column("status", sa.String(12), nullable=False, index=True,
              info=np("requested, printed, posted or cancelled")),
    sa.Column("requested_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("requested_by", sa.String(40), nullable=False, info=REF),
    sa.Column("printed_at", UtcDateTime, info=WHEN),
    sa.Column("printed_by", sa.String(40), info=REF),
    sa.Column("posted_at", UtcDateTime, info=WHEN),
    sa.Column("posted_by", sa.String(40), info=REF),
    sa.Column("cancelled_at", UtcDateTime, info=WHEN),
    sa.Column("cancelled_by", sa.String(40), info=REF),
    sa.Index("ix_print_requests_owner", "owner_kind", "owner_id"),
)

# -- billing: payment plans and premium finance (issue 15 part 1; PAY-1, PAY-7) -----------------------------
# A policy term's plan: annual by card, or monthly by direct debit financed by a premium-finance provider.
# The bank account is sealed with the customer's data key (PRV-11): erasing the customer destroys the key.
# Declared for the payments purpose, so the retention sweep keeps it as billing data (kernel/retention.py).

_PAYMENTS = ("payments",)
_SEALED_BANK = ("sealed with the customer's data key (PRV-11), as claims seal injury details: erasure deletes the "
                "ciphertext, and dropping the key makes it unreadable; the direct debit's account (PAY-6)")

payment_plans = sa.Table(
    "payment_plans",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, info=REF),
    sa.Column("term_no", sa.Integer, nullable=False, info=np("the policy term the plan pays for")),
    sa.Column("kind", sa.String(30), nullable=False, info=np("annual_card or monthly_direct_debit")),
    sa.Column("status", sa.String(20), nullable=False,
              info=np("active, referred (awaiting the provider), declined, ended (replaced or settled)")),
    sa.Column("collection_day", sa.Integer, info=pd(
        C, Category.FINANCIAL, _PAYMENTS, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
        "the day of the month the customer chose for their instalments")),
    sa.Column("account_holder", sa.Text, info=pd(
        C, Category.FINANCIAL, _PAYMENTS, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
        "the bank account holder's name; " + _SEALED_BANK)),
    sa.Column("sort_code", sa.Text, info=pd(
        C, Category.FINANCIAL, _PAYMENTS, ProvidedBy.DATA_SUBJECT, Erasure.NULL, _SEALED_BANK)),
    sa.Column("account_number", sa.Text, info=pd(
        C, Category.FINANCIAL, _PAYMENTS, ProvidedBy.DATA_SUBJECT, Erasure.NULL, _SEALED_BANK)),
    sa.Column("account_ending", sa.String(4), info=pd(
        C, Category.FINANCIAL, _PAYMENTS, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
        "the account number's last digits, shown in letters and notices")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("created_by", sa.String(40), nullable=False, info=REF),
    sa.Column("ended_at", UtcDateTime, info=WHEN),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_payment_plans_policy_term", "policy_id", "term_no"),
)

finance_agreements = sa.Table(
    "finance_agreements",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("plan_id", sa.String(40), sa.ForeignKey("payment_plans.id"), nullable=False, unique=True, info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("provider", sa.String(100), nullable=False, info=np("the premium-finance provider (product data)")),
    sa.Column("reference", sa.String(60), info=np("the provider's reference for the application or agreement")),
    sa.Column("decision", sa.String(20), nullable=False, info=pd(
        C, Category.FINANCIAL, _PAYMENTS, ProvidedBy.THIRD_PARTY, Erasure.NULL,
        "the provider's credit decision: accepted, referred or declined")),
    sa.Column("decision_reason", sa.Text, info=pd(
        C, Category.FINANCIAL, _PAYMENTS, ProvidedBy.THIRD_PARTY, Erasure.NULL,
        "why the provider referred or declined")),
    sa.Column("searched_at", UtcDateTime, nullable=False, info=np("when the credit search was made")),
    sa.Column("decided_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("start_on", sa.Date, nullable=False, info=np("the day the credit is advanced")),
    sa.Column("cash_price_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("deposit_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("credit_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("interest_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("total_payable_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("flat_rate_percent", sa.Numeric(7, 3), nullable=False, info=AMOUNT),
    sa.Column("apr_percent", sa.Numeric(7, 1), nullable=False, info=AMOUNT),
    sa.Column("instalment_count", sa.Integer, nullable=False, info=AMOUNT),
    sa.Column("commission_percent", sa.Numeric(7, 3), nullable=False, info=AMOUNT),
    sa.Column("commission_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    # Where the term stands now (changed by every re-plan; the instalments keep the history).
    sa.Column("current_cash_price_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("current_interest_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("refunded_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("paid_otherwise_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("arrears_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("pre_contract_document_id", sa.String(40), info=REF),
    sa.Column("agreement_document_id", sa.String(40), info=REF),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
)

instalments = sa.Table(
    "instalments",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("plan_id", sa.String(40), sa.ForeignKey("payment_plans.id"), nullable=False, info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("sequence", sa.Integer, nullable=False, info=np("the instalment's number in the plan, from 1")),
    sa.Column("version", sa.Integer, nullable=False, info=np("1 as first planned; each re-plan adds one")),
    sa.Column("due_on", sa.Date, nullable=False, info=np("the collection date")),
    sa.Column("amount_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("status", sa.String(20), nullable=False,
              info=np("scheduled, collected, returned, cancelled, or superseded by a re-plan")),
    sa.Column("superseded_by", sa.String(40), info=REF),
    sa.Column("cause", sa.String(20), nullable=False, info=np("why this version exists: agreed, or a re-plan's cause")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.UniqueConstraint("plan_id", "sequence", "version", name="uq_instalments_plan_sequence_version"),
    # The collection run reads the instalments due on a day that are still to be collected.
    sa.Index("ix_instalments_due_on_status", "due_on", "status"),
)

# -- billing: direct debit through Bacs (issue 15 part 2; PAY-6) ------------------------------------------
# A mandate is the Direct Debit Instruction lodged through AUDDIS for a plan's bank account, sealed with the
# customer's data key like the plan's (PRV-11). Submissions hold no file (it names accounts): a digest of its
# records; a rerun rebuilds the same file from the same rows. One dd_collections row per instalment presentation, unique, so a
# rerun never collects twice; one dd_reports row per report file received, unique by hash, so a file is never
# processed twice; the returns and mandate changes they carried in dd_returns.

_DD = ("payments",)
_SEALED_DD = "sealed with the customer's data key (PRV-11); the mandate's account as lodged or amended (PAY-6)"

dd_mandates = sa.Table(
    "dd_mandates",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("plan_id", sa.String(40), sa.ForeignKey("payment_plans.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("reference", sa.String(18), nullable=False, unique=True,
              info=np("the Direct Debit reference the payer's bank holds: the policy number and a sequence")),
    sa.Column("status", sa.String(20), nullable=False, index=True,
              info=np("pending (to lodge), lodged (0N sent), active, suspended, cancelled or rejected")),
    sa.Column("account_holder", sa.Text, info=pd(
        C, Category.FINANCIAL, _DD, ProvidedBy.DATA_SUBJECT, Erasure.ENCRYPT_DROP_KEY,
        "the account holder's name; " + _SEALED_DD)),
    sa.Column("sort_code", sa.Text, info=pd(
        C, Category.FINANCIAL, _DD, ProvidedBy.DATA_SUBJECT, Erasure.ENCRYPT_DROP_KEY, _SEALED_DD)),
    sa.Column("account_number", sa.Text, info=pd(
        C, Category.FINANCIAL, _DD, ProvidedBy.DATA_SUBJECT, Erasure.ENCRYPT_DROP_KEY, _SEALED_DD)),
    sa.Column("account_ending", sa.String(4), info=pd(
        C, Category.FINANCIAL, _DD, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
        "the account number's last digits, shown in notices")),
    sa.Column("lodged_submission_id", sa.String(40), info=REF),
    sa.Column("lodged_entry_on", sa.Date, info=np("the entry day of the 0N that lodged it")),
    sa.Column("reason_report", sa.String(6), info=np("the report (AUDDIS, ADDACS, ARUDD) that last changed it")),
    sa.Column("reason_code", sa.String(2), info=np("that report's reason code")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("updated_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
)

dd_submissions = sa.Table(
    "dd_submissions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("kind", sa.String(12), nullable=False, info=np("lodgement (0N records) or collection")),
    sa.Column("serial", sa.String(6), nullable=False, info=np("the file's submission serial number")),
    sa.Column("input_on", sa.Date, nullable=False, info=np("the Bacs input day")),
    sa.Column("processing_on", sa.Date, nullable=False, info=np("the Bacs processing day")),
    sa.Column("entry_on", sa.Date, nullable=False, info=np("the Bacs entry day: the collection date")),
    sa.Column("status", sa.String(12), nullable=False, index=True,
              info=np("building (rows being added), sending (frozen: sent, no answer yet), submitted or rejected")),
    sa.Column("record_count", sa.Integer, nullable=False, info=AMOUNT),
    sa.Column("total_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("sha256", sa.String(64), info=np("a SHA-256 of the submission's records as sent (the file, naming accounts, is not kept)")),
    sa.Column("bureau_reference", sa.String(60), info=np("the bureau's reference for the submission")),
    sa.Column("rejection", sa.Text, info=np("why the bureau refused the file")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("submitted_at", UtcDateTime, info=WHEN),
    sa.UniqueConstraint("processing_on", "serial", name="uq_dd_submissions_processing_on_serial"),
)

dd_collections = sa.Table(
    "dd_collections",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("instalment_id", sa.String(40), sa.ForeignKey("instalments.id"), nullable=False, info=REF),
    sa.Column("attempt", sa.Integer, nullable=False,
              info=np("1 the first presentation, 2 its re-presentation, 3 the charge for its return (presented "
                      "with the re-presentation)")),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("mandate_id", sa.String(40), sa.ForeignKey("dd_mandates.id"), nullable=False, index=True, info=REF),
    sa.Column("submission_id", sa.String(40), sa.ForeignKey("dd_submissions.id"), nullable=False, index=True,
              info=REF),
    sa.Column("transaction_code", sa.String(2), nullable=False, info=np("17, 01, 18 or 19")),
    sa.Column("amount_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("due_on", sa.Date, nullable=False, info=np("the instalment's due date")),
    sa.Column("processing_on", sa.Date, nullable=False, info=np("the Bacs processing day")),
    sa.Column("entry_on", sa.Date, nullable=False, info=np("the collection date")),
    sa.Column("status", sa.String(12), nullable=False, info=np("presented, returned, or withdrawn (file refused)")),
    sa.Column("journal_entry_id", sa.String(40), info=REF),
    sa.Column("reversal_entry_id", sa.String(40), info=REF),
    sa.Column("re_present_on", sa.Date, info=np("returned ARUDD 0: the entry day its re-presentation is planned for")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    # The key that makes a rerun of the collection run never present an instalment twice.
    sa.UniqueConstraint("instalment_id", "attempt", name="uq_dd_collections_instalment_attempt"),
)

dd_advance_notices = sa.Table(
    "dd_advance_notices",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("instalment_id", sa.String(40), sa.ForeignKey("instalments.id"), nullable=False, unique=True,
              info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("mandate_id", sa.String(40), sa.ForeignKey("dd_mandates.id"), nullable=False, index=True, info=REF),
    sa.Column("amount_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("collect_on", sa.Date, nullable=False, index=True, info=np("the collection date notified")),
    sa.Column("notified_on", sa.Date, nullable=False, info=np("the day the notice was sent")),
    sa.Column("document_id", sa.String(40), info=np("the schedule letter that notified it: one letter gives the "
                                                    "amounts and dates of every instalment it lists")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
)

dd_reports = sa.Table(
    "dd_reports",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("bureau_report_id", sa.String(60), nullable=False, info=np("the bureau's id for the report")),
    sa.Column("kind", sa.String(6), nullable=False, info=np("ARUDD, ADDACS or AUDDIS")),
    sa.Column("produced_on", sa.Date, nullable=False, info=np("the day the bureau produced it")),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True,
              info=np("the SHA-256 of the file: a file is processed once (the file is not kept: it names accounts)")),
    sa.Column("item_count", sa.Integer, nullable=False, info=AMOUNT),
    sa.Column("received_at", UtcDateTime, nullable=False, info=WHEN),
)

dd_returns = sa.Table(
    "dd_returns",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("report_id", sa.String(40), sa.ForeignKey("dd_reports.id"), nullable=False, index=True, info=REF),
    sa.Column("kind", sa.String(6), nullable=False, info=np("ARUDD (a collection returned), ADDACS or AUDDIS")),
    sa.Column("reference", sa.String(18), nullable=False, index=True, info=np("the mandate's reference")),
    sa.Column("reason_code", sa.String(2), nullable=False, info=np("the report's reason code")),
    sa.Column("mandate_id", sa.String(40), sa.ForeignKey("dd_mandates.id"), index=True, info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), index=True, info=REF),
    sa.Column("collection_id", sa.String(40), sa.ForeignKey("dd_collections.id"), unique=True, info=REF),
    sa.Column("amount_pence", sa.BigInteger, info=AMOUNT),
    sa.Column("original_processing_on", sa.Date, info=np("ARUDD: the returned collection's processing day")),
    sa.Column("effective_on", sa.Date, info=np("ADDACS, AUDDIS: the day the change took effect")),
    sa.Column("status", sa.String(12), nullable=False, index=True,
              info=np("recorded, handled (the return's consequences were applied) or unmatched")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("handled_at", UtcDateTime, info=WHEN),
)


# -- billing: the continuous payment authority (issue 15 part 4, PAY-3) ---------------------------------------
# Each notice of a payment to be taken from or paid to a stored card 14 days after its letter (S3), and each
# policy's authority (granted at bind, perhaps withdrawn). The card is named by its brand and last four digits
# only, as the payment provider tells them (PAY-4: no card number is ever stored). docs/billing.md.

_CARD = pd(C, Category.FINANCIAL, ("payments",), ProvidedBy.THIRD_PARTY, Erasure.NULL,
           "the card's brand and last four digits, as the payment provider tells them for the token (never the "
           "card number, PAY-4)")
_BILLING_REASON = pd(C, Category.FINANCIAL, ("payments",), ProvidedBy.THIRD_PARTY, Erasure.NULL,
                     "why a payment failed, in the payment provider's words (insufficient funds...)")

payment_notices = sa.Table(
    "payment_notices",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("transaction_id", sa.String(40), nullable=False, index=True, info=REF),
    sa.Column("kind", sa.String(10), nullable=False, info=np("charge (taken from the card) or refund (paid to it)")),
    sa.Column("amount_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("card_brand", sa.String(30), info=_CARD),  # empty once erased (PRV-4, PRV-5)
    sa.Column("card_last4", sa.String(4), info=_CARD),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("sent_on", sa.Date, info=np("the day the notice's letter was issued; empty until it is")),
    sa.Column("due_on", sa.Date, nullable=False, index=True, info=np("the day the payment is taken or paid")),
    sa.Column("status", sa.String(12), nullable=False, index=True,
              info=np("pending, taken, paid, failed, withdrawn or cancelled")),
    sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), info=REF),
    sa.Column("receipt_reference", sa.String(100), info=np("the payment provider's reference for the payment")),
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True,
              info=np("the key the payment provider is given for this notice's payment (never taken twice)")),
    sa.Column("reason", sa.Text, info=_BILLING_REASON),
    sa.Column("settled_at", UtcDateTime, info=WHEN),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
)

payment_authorities = sa.Table(
    "payment_authorities",
    metadata,
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), primary_key=True, info=REF),
    sa.Column("granted_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("granted_by", sa.String(40), nullable=False, info=REF),
    sa.Column("withdrawn_at", UtcDateTime, info=WHEN),
    sa.Column("withdrawn_by", sa.String(40), info=REF),
    sa.Column("answer_by", sa.Date, info=np("the last day to pay another way once the authority is withdrawn")),
    sa.Column("letter_document_id", sa.String(40), sa.ForeignKey("documents.id"), info=REF),
    sa.Column("cancellation_due_on", sa.Date,
              info=np("when billing asked for the policy's cancellation (no other way to pay was given)")),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_payment_authorities_answer", "withdrawn_at", "cancellation_due_on", "answer_by"),
)

# -- arrears (issue 15 part 3: PAY-2, FEE-2) -----------------------------------------------------------------
# A returned direct debit's way down the dunning ladder (billing/domain/arrears.py): one case per returned
# instalment, and each step taken on it with its letter (a stored document) and its clock (a deadline). Amounts
# and dates only: the person is reached through the policy and customer they name, which are declared.

arrears_cases = sa.Table(
    "arrears_cases",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("instalment_id", sa.String(40), nullable=False, index=True,
              info=np("the instalment whose collection was returned (billing's instalments)")),
    sa.Column("transaction_id", sa.String(40), nullable=False,
              info=np("the policy transaction recording the return and its fee (kind returned_dd)")),
    sa.Column("amount_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("fee_pence", sa.BigInteger, nullable=False, info=AMOUNT),
    sa.Column("amount_collected_pence", sa.BigInteger, nullable=False, server_default=sa.text("0"), info=AMOUNT),
    sa.Column("fee_collected_pence", sa.BigInteger, nullable=False, server_default=sa.text("0"), info=AMOUNT),
    sa.Column("reason_code", sa.String(4), nullable=False, info=np("the Bacs return reason code (ARUDD)")),
    sa.Column("stage", sa.String(20), nullable=False,
              info=np("representation, card_payment, notice, paid, cancelled or closed")),
    sa.Column("opened_on", sa.Date, nullable=False, info=np("the day the return was handled")),
    sa.Column("represent_on", sa.Date, info=np("the new collection date the letter gave")),
    sa.Column("paid_unless_returned_by", sa.Date, info=np("the last day a return of the re-presentation may come")),
    sa.Column("pay_by", sa.Date, info=np("the last day to pay by card")),
    sa.Column("notice_on", sa.Date, info=np("the day notice of cancellation was given")),
    sa.Column("cancel_on", sa.Date, info=np("the day the cancellation for non-payment takes effect")),
    sa.Column("action_on", sa.Date, info=np("the day the daily step next acts on the case (none once closed)")),
    sa.Column("closed_on", sa.Date, info=np("the day the case was paid, cancelled or closed")),
    sa.Column("created_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_arrears_cases_stage_action", "stage", "action_on"),
)

arrears_steps = sa.Table(
    "arrears_steps",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("arrears_cases.id"), nullable=False, index=True, info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("kind", sa.String(30), nullable=False, info=np("the step (billing/domain/arrears.py StepKind)")),
    sa.Column("taken_on", sa.Date, nullable=False, info=np("the UK date the step was taken")),
    sa.Column("recorded_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("letter", sa.String(40), info=np("the letter the step sends (its template), if any")),
    sa.Column("letter_document_id", sa.String(40), sa.ForeignKey("documents.id"), info=REF),
    sa.Column("deadline_id", sa.String(40), sa.ForeignKey("deadlines.id"), info=REF),
    sa.Column("return_id", sa.String(40), info=np("the Bacs return that made the step, if one did")),
    sa.Column("facts", JSON, nullable=False, info=np("the step's dates and amounts, as its letter states them")),
    sa.Index("ux_arrears_steps_return", "return_id", unique=True),
)

# -- telematics: the Smartbox's lifecycle (issue 16, TEL-1, TEL-2; telematics/store/devices.py) ----------------
_TEL = ("policy_administration", "pricing")

telematics_devices = sa.Table(
    "telematics_devices",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("imei", sa.String(15), nullable=False, index=True,
              info=pd(C, Category.TELEMATICS, _TEL, ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                      "the box fitted to the customer's vehicle; names the positions it sends")),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("registration", sa.String(16), nullable=False,
              info=pd(C, Category.VEHICLE, _TEL, ProvidedBy.DATA_SUBJECT, Erasure.KEYED_HASH,
                      "the vehicle the box is fitted to")),
    sa.Column("state", sa.String(20), nullable=False,
              info=np("dispatched, installed, active, faulty, removed or deactivated")),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True,
              info=pd(C, Category.AUTHENTICATION, ("service_access",), ProvidedBy.GENERATED, Erasure.KEYED_HASH,
                      "the SHA-256 of the box's ingestion token")),
    sa.Column("dispatched_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Column("installation_from", sa.Date, nullable=False,
              info=np("the day the installation clock counts from (the policy's start or a change of vehicle)")),
    sa.Column("cover_from", sa.Date, nullable=False, info=np("the policy's first day of cover (TEL-8 window)")),
    sa.Column("cover_until", sa.Date, info=np("the policy's first day without cover, once it has ended (TEL-8)")),
    sa.Column("photo_key", sa.String(200),
              info=pd(C, Category.VEHICLE, _TEL, ProvidedBy.DATA_SUBJECT, Erasure.NULL,
                      "where the installation photo (the inside of the vehicle) is kept in the photo store")),
    sa.Column("photo_sha256", sa.String(64), info=np("the photo's SHA-256, to prove what was accepted")),
    sa.Column("photo_type", sa.String(20), info=np("image/jpeg or image/png")),
    sa.Column("photo_at", UtcDateTime, info=np("when the photo was uploaded")),
    sa.Column("rejection_reason", sa.String(500),
              info=pd(C, Category.CONTRACT, _TEL, ProvidedBy.GENERATED, Erasure.NULL,
                      "why staff rejected the photo, as told to the customer")),
    sa.Column("referred_at", UtcDateTime, info=np("when the missed installation referred the policy to staff")),
    sa.Column("activated_at", UtcDateTime, info=np("when staff accepted the photo")),
    sa.Column("ended_at", UtcDateTime, info=np("when the box became faulty, was removed or deactivated")),
    sa.Column("replaces_id", sa.String(40), info=REF),
    sa.Column("version", sa.Integer, nullable=False, info=np("optimistic lock")),
    sa.Index("ix_telematics_devices_state", "state"),
)

# -- telematics scores (issue 16, scores: TEL-3, TEL-10) ---------------------------------------------------------
# Each scored device-day (telematics/usecases/scores.py): its four indicators and overall, the versions it was
# computed with (ruleset, map, code) and the DayScore as JSON for replay; one row per journey and per event that
# cost points. About the policyholder's driving (telematics, including where an event happened): linked by
# policy in the subject-data links, so access packages find them. Re-scoring a day replaces its rows.
_TEL_PURPOSES = ("policy_administration", "pricing")
_TEL_SCORED = pd(C, Category.TELEMATICS, _TEL_PURPOSES, ProvidedBy.GENERATED, Erasure.DELETE_ROW,
          "the policyholder's driving as scored from the Smartbox (S3, TEL-3)")
# Where an event began is location data, but only ever from the Smartbox: declared as telematics, so products
# without a Smartbox (whose notices state location for other reasons) are not said to hold it.
_TEL_PLACE = pd(C, Category.TELEMATICS, _TEL_PURPOSES, ProvidedBy.GENERATED, Erasure.DELETE_ROW,
                "location: where a scored event began, from the Smartbox (TEL-3: which event, where, when)")
_TEL_DEVICE = pd(C, Category.TELEMATICS, _TEL_PURPOSES, ProvidedBy.THIRD_PARTY, Erasure.DELETE_ROW,
                 "the Smartbox's IMEI fitted to the policyholder's car")
_TEL_VERSION = np("a version of the ruleset, map data or scoring code (TEL-10)")

telematics_day_scores = sa.Table(
    "telematics_day_scores",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("device_id", sa.String(64), nullable=False, info=_TEL_DEVICE),
    sa.Column("day", sa.Date, nullable=False, info=np("the UK day the positions were taken")),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False, index=True, info=REF),
    sa.Column("product_ref", sa.String(40), nullable=False, info=np("the product version whose ruleset scored it")),
    sa.Column("ruleset", sa.String(40), nullable=False, info=_TEL_VERSION),
    sa.Column("map_version", sa.String(80), nullable=False, info=_TEL_VERSION),
    sa.Column("code_version", sa.String(40), nullable=False, info=_TEL_VERSION),
    sa.Column("speed", sa.Float, info=_TEL_SCORED),
    sa.Column("time_of_day", sa.Float, info=_TEL_SCORED),
    sa.Column("eco", sa.Float, info=_TEL_SCORED),
    sa.Column("duration", sa.Float, info=_TEL_SCORED),
    sa.Column("overall", sa.Float, info=_TEL_SCORED),
    sa.Column("journeys", sa.Integer, nullable=False, info=_TEL_SCORED),
    sa.Column("distance_km", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("driving_s", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("positions", sa.Integer, nullable=False, info=np("how many stored positions the day had")),
    sa.Column("positions_stamp", sa.String(80), nullable=False,
              info=np("the stored day's count and latest receipt, to tell when it changed after scoring")),
    sa.Column("dropped", JSON, nullable=False, info=np("positions cleaning dropped, by reason (TEL-2)")),
    sa.Column("score", JSON, nullable=False, info=_TEL_SCORED),
    sa.Column("scored_at", UtcDateTime, nullable=False, info=WHEN),
    sa.Index("ux_telematics_day_scores_device_day", "device_id", "day", unique=True),
    sa.Index("ix_telematics_day_scores_policy_day", "policy_id", "day"),
)

telematics_journeys = sa.Table(
    "telematics_journeys",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("day_score_id", sa.String(40), sa.ForeignKey("telematics_day_scores.id"), nullable=False, index=True,
              info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("number", sa.Integer, nullable=False, info=np("the journey's number within its device-day")),
    sa.Column("started_at", UtcDateTime, nullable=False, info=_TEL_SCORED),
    sa.Column("ended_at", UtcDateTime, nullable=False, info=_TEL_SCORED),
    sa.Column("distance_km", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("driving_s", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("speed", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("time_of_day", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("eco", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("duration", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("overall", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("events", sa.Integer, nullable=False, info=_TEL_SCORED),
    sa.Index("ix_telematics_journeys_policy_start", "policy_id", "started_at"),
)

telematics_events = sa.Table(
    "telematics_events",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True, info=ID),
    sa.Column("journey_id", sa.String(40), sa.ForeignKey("telematics_journeys.id"), nullable=False, index=True,
              info=REF),
    sa.Column("policy_id", sa.String(40), sa.ForeignKey("policies.id"), nullable=False, index=True, info=REF),
    sa.Column("position", sa.Integer, nullable=False, info=np("the event's place in its day's order")),
    sa.Column("kind", sa.String(30), nullable=False, info=_TEL_SCORED),
    sa.Column("started_at", UtcDateTime, nullable=False, info=_TEL_SCORED),
    sa.Column("ended_at", UtcDateTime, nullable=False, info=_TEL_SCORED),
    sa.Column("lat", sa.Float, nullable=False, info=_TEL_PLACE),
    sa.Column("lon", sa.Float, nullable=False, info=_TEL_PLACE),
    sa.Column("value", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("threshold", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("unit", sa.String(10), nullable=False, info=np("the unit of the value and threshold")),
    sa.Column("points", sa.Float, nullable=False, info=_TEL_SCORED),
    sa.Column("detail", sa.String(200), nullable=False, info=_TEL_SCORED),
)
