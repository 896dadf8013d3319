"""Everything stored about one person (PRV-3, PRV-4), and data subject request cases.

`LINKS` says, for every table, how its rows about one customer are found. A test fails when a table
holding personal data (or a customer or policy reference) has no link, so an access package and an
erasure can never miss a table added later.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.kernel.calendar import Nation
from covernote.kernel.errors import Conflict
from covernote.kernel.ids import new_id
from covernote.privacy.domain.requests import (
    OPEN_STATUSES,
    Channel,
    Pause,
    RequestKind,
    RequestStatus,
    SubjectRequest,
)
from covernote.store.anonymise import ErasureResult, Hasher, Keep, erase_rows
from covernote.store.tables import (
    arrears_cases,
    arrears_steps,
    breach_affected,
    breaches,
    carbon_offset_lines,
    carbon_offsets,
    claim_correspondence,
    claim_documents,
    claim_events,
    claim_parties,
    claim_payments,
    claims,
    complaint_letters,
    complaints,
    consent_decisions,
    cue_reports,
    customers,
    dd_advance_notices,
    dd_collections,
    dd_mandates,
    dd_returns,
    deadlines,
    disclosures,
    document_renditions,
    documents,
    extra_lines,
    finance_agreements,
    fraud_checks,
    fraud_markers,
    idempotency_keys,
    instalments,
    journal_entries,
    legal_holds,
    metadata,
    mid_updates,
    ncd_proofs,
    payment_authorities,
    payment_notices,
    payment_plans,
    pending_quotes,
    policies,
    policy_transactions,
    postings,
    print_requests,
    processing_flags,
    quotes,
    sensitive_data,
    sensitive_reads,
    subject_keys,
    subject_request_events,
    subject_requests,
    telematics_day_scores,
    telematics_devices,
    telematics_events,
    telematics_journeys,
    users,
    web_sessions,
    web_sign_in_failures,
)

Ids = dict[str, list[str]]


def _by_customer(t: sa.Table) -> Callable[[str, Ids], Any]:
    return lambda cid, ids: t.c.customer_id == cid


def _by_policy(t: sa.Table) -> Callable[[str, Ids], Any]:
    return lambda cid, ids: t.c.policy_id.in_(ids["policies"])


# table name -> where clause for one customer's rows, given the ids of their policies, requests, users
# and breaches. Order matters for erasure: children before parents.
LINKS: dict[str, Callable[[str, Ids], Any]] = {
    "customers": lambda cid, ids: customers.c.id == cid,
    "users": _by_customer(users),
    # The portal's sessions and failed sign-ins (issue 14), through the person's users.
    "web_sessions": lambda cid, ids: web_sessions.c.user_id.in_(ids["users"]),
    "web_sign_in_failures": lambda cid, ids: web_sign_in_failures.c.user_id.in_(ids["users"]),
    "quotes": _by_customer(quotes),
    "policies": _by_customer(policies),
    "policy_transactions": _by_policy(policy_transactions),
    "extra_lines": _by_policy(extra_lines),
    "pending_quotes": _by_policy(pending_quotes),
    "journal_entries": _by_policy(journal_entries),
    "postings": _by_policy(postings),
    "ncd_proofs": _by_customer(ncd_proofs),
    "deadlines": _by_customer(deadlines),
    "complaints": _by_customer(complaints),
    "complaint_letters": _by_customer(complaint_letters),
    # Claims (CLM-1..4): the other people in a claim are found through the policyholder's claim.
    "claims": _by_customer(claims),
    "claim_parties": _by_customer(claim_parties),
    "claim_events": _by_customer(claim_events),
    "claim_correspondence": _by_customer(claim_correspondence),
    "claim_documents": _by_customer(claim_documents),
    "claim_payments": _by_customer(claim_payments),
    # Regulatory reporting and fraud checks (REG-1..3): the MID and CUE outboxes, every fraud check.
    "mid_updates": _by_customer(mid_updates),
    "cue_reports": _by_customer(cue_reports),
    "fraud_checks": _by_customer(fraud_checks),
    "carbon_offsets": _by_policy(carbon_offsets),
    "carbon_offset_lines": _by_policy(carbon_offset_lines),
    # Payment plans, premium-finance agreements and their instalments (PAY-1): the bank account is sealed.
    "payment_plans": _by_policy(payment_plans),
    "finance_agreements": _by_policy(finance_agreements),
    "instalments": _by_policy(instalments),
    # Direct debit (PAY-6): the mandates (their account sealed), notices, collections and the returns reported.
    "dd_mandates": _by_policy(dd_mandates),
    "dd_advance_notices": _by_policy(dd_advance_notices),
    "dd_collections": _by_policy(dd_collections),
    "dd_returns": _by_policy(dd_returns),
    # Policy documents as issued (DOC-1), their bytes, and the paper copies asked for.
    "print_requests": _by_customer(print_requests),
    # The continuous payment authority's notices (PAY-3): the card's brand and last digits, a decline's reason.
    "payment_notices": _by_policy(payment_notices),
    # The authority itself (PAY-3): when it was granted or withdrawn, and the answer asked for.
    "payment_authorities": _by_policy(payment_authorities),
    # Returned direct debits' arrears (PAY-2): the cases and the steps taken on them (amounts, dates, letters).
    "arrears_cases": _by_policy(arrears_cases),
    "arrears_steps": _by_policy(arrears_steps),
    # Telematics scores (TEL-3): each scored day, its journeys and the events that cost points (where, when).
    "telematics_events": _by_policy(telematics_events),
    "telematics_journeys": _by_policy(telematics_journeys),
    "telematics_day_scores": _by_policy(telematics_day_scores),
    "document_renditions": _by_customer(document_renditions),
    "documents": _by_customer(documents),
    "consent_decisions": _by_customer(consent_decisions),
    "subject_requests": _by_customer(subject_requests),
    "subject_request_events": lambda cid, ids: subject_request_events.c.request_id.in_(ids["requests"]),
    "processing_flags": _by_customer(processing_flags),
    "legal_holds": _by_customer(legal_holds),
    "fraud_markers": _by_customer(fraud_markers),
    "disclosures": _by_customer(disclosures),
    "breach_affected": _by_customer(breach_affected),
    "breaches": lambda cid, ids: breaches.c.id.in_(ids["breaches"]),
    "subject_keys": _by_customer(subject_keys),
    "sensitive_data": _by_customer(sensitive_data),
    "sensitive_reads": _by_customer(sensitive_reads),
    # The Smartbox (TEL-1): the box's IMEI, the vehicle it is fitted to, its installation photo's key.
    "telematics_devices": _by_policy(telematics_devices),
    # A retry cache of API answers, scoped "operation:user id": the person's own calls.
    "idempotency_keys": lambda cid, ids: sa.or_(sa.false(), *(
        idempotency_keys.c.scope.like("%:" + u.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),
                                      escape="\\") for u in ids["users"])),
}
# Tables that hold nothing about any one person (settings, counters, the sweep's own bookkeeping).
# dd_submissions and dd_reports: a Bacs file's day, serial, counts and hash (the files, which name accounts, are
# not kept); what they carried about a person is in dd_collections and dd_returns, which are linked.
UNLINKED = frozenset({"counters", "retention_settings", "retention_runs", "retention_actions", "dd_submissions",
                      "dd_reports"})


def table(name: str) -> sa.Table:
    return metadata.tables[name]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):  # a document's bytes (DOC-1): given in the package as base64
        return base64.b64encode(value).decode("ascii")
    return value


class SubjectDataRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ids(self, customer_id: str) -> Ids:
        one = self.conn.execute
        return {
            "policies": list(one(sa.select(policies.c.id).where(policies.c.customer_id == customer_id)).scalars()),
            "requests": list(one(sa.select(subject_requests.c.id)
                                 .where(subject_requests.c.customer_id == customer_id)).scalars()),
            "users": list(one(sa.select(users.c.id).where(users.c.customer_id == customer_id)).scalars()),
            "breaches": list(one(sa.select(breach_affected.c.breach_id)
                                 .where(breach_affected.c.customer_id == customer_id)).scalars()),
        }

    def rows(self, customer_id: str, tables: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Every stored row about the customer, table by table, as plain values."""
        ids = self.ids(customer_id)
        out: dict[str, list[dict[str, Any]]] = {}
        for name in tables or LINKS:
            t = table(name)
            order = list(t.primary_key.columns)
            result = self.conn.execute(t.select().where(LINKS[name](customer_id, ids)).order_by(*order))
            out[name] = [{k: _jsonable(v) for k, v in r._mapping.items()} for r in result]
        return out

    def erase(self, customer_id: str, keep_for: Callable[[str], Keep], hasher: Hasher,
              tables: Sequence[str]) -> ErasureResult:
        """Apply the declared strategies to the customer's rows of `tables` (children first), with
        `keep_for(table name)` deciding per field what stays and why."""
        ids = self.ids(customer_id)
        result = ErasureResult([], [], [])
        for name in tables:
            t = table(name)
            result.merge(erase_rows(self.conn, t, LINKS[name](customer_id, ids), keep_for(name), hasher))
        return result

    def mark_erased(self, customer_id: str, at: datetime) -> None:
        self.conn.execute(customers.update().where(customers.c.id == customer_id, customers.c.erased_at.is_(None))
                          .values(erased_at=at))

    def correct_customer(self, customer_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(customers.update().where(customers.c.id == customer_id).values(**values))

    def deactivate_users(self, customer_id: str) -> int:
        return self.conn.execute(users.update().where(users.c.customer_id == customer_id, users.c.active.is_(True))
                                 .values(active=False)).rowcount

    def clear_sensitive_fields(self, customer_id: str, columns: Sequence[str]) -> int:
        """Delete the ciphertext of these sensitive columns for every person on the customer's record."""
        if not columns:
            return 0
        return self.conn.execute(sensitive_data.update().where(sensitive_data.c.customer_id == customer_id)
                                 .values(**{c: None for c in columns})).rowcount


# -- request cases ------------------------------------------------------------------------------------


def _request(r: Row[Any]) -> SubjectRequest:
    return SubjectRequest(
        r.id, r.customer_id, RequestKind(r.kind), RequestStatus(r.status), Channel(r.channel), r.received_on,
        Nation(r.nation), r.details or {}, r.created_at, r.created_by, r.identity_verified_at, r.identity_method,
        tuple(Pause.from_dict(p) for p in r.pauses), r.extension_notified_on, r.extension_reason, r.outcome,
        r.completed_at, r.version)


def _values(q: SubjectRequest) -> dict[str, Any]:
    return dict(customer_id=q.customer_id, kind=q.kind.value, status=q.status.value, channel=q.channel.value,
                received_on=q.received_on, nation=q.nation.value, details=q.details,
                identity_verified_at=q.identity_verified_at, identity_method=q.identity_method,
                pauses=[p.as_dict() for p in q.pauses], extension_notified_on=q.extension_notified_on,
                extension_reason=q.extension_reason, outcome=q.outcome, created_at=q.created_at,
                created_by=q.created_by, completed_at=q.completed_at)


# Built once: every quote, adjustment and renewal asks for the customer's flags.
_FLAGS_OF = (sa.select(processing_flags.c.flag, processing_flags.c.active)
             .where(processing_flags.c.customer_id == sa.bindparam("b_customer"))
             .order_by(processing_flags.c.recorded_at, processing_flags.c.id))


class RequestRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _events(self, q: SubjectRequest, actor: str, at: datetime) -> None:
        if q.events:
            self.conn.execute(subject_request_events.insert(), [
                dict(id=new_id("sre"), request_id=q.request_id, at=at, actor_id=actor, kind=kind, note=note)
                for kind, note in q.events])

    def add(self, q: SubjectRequest, actor: str, at: datetime) -> None:
        self.conn.execute(subject_requests.insert(), dict(id=q.request_id, version=q.version, **_values(q)))
        self._events(q, actor, at)

    def get(self, request_id: str) -> SubjectRequest | None:
        r = self.conn.execute(subject_requests.select().where(subject_requests.c.id == request_id)).first()
        return None if r is None else _request(r)

    def save(self, q: SubjectRequest, actor: str, at: datetime) -> int:
        """Store a changed case if nobody changed it since it was read (optimistic concurrency)."""
        done = self.conn.execute(subject_requests.update().where(subject_requests.c.id == q.request_id,
                                                                 subject_requests.c.version == q.version)
                                 .values(version=q.version + 1, **_values(q)))
        if done.rowcount != 1:
            raise Conflict("the request was changed by someone else at the same time; reload it and retry")
        self._events(q, actor, at)
        return q.version + 1

    def events(self, request_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(subject_request_events.select().where(subject_request_events.c.request_id == request_id)
                                 .order_by(subject_request_events.c.at, subject_request_events.c.id))
        return [{"at": r.at.isoformat(), "actor": r.actor_id, "kind": r.kind, "note": r.note} for r in rows]

    def page(self, customer_id: str | None, open_only: bool, limit: int, offset: int) -> list[SubjectRequest]:
        q = subject_requests.select()
        if customer_id is not None:
            q = q.where(subject_requests.c.customer_id == customer_id)
        if open_only:
            q = q.where(subject_requests.c.status.in_([s.value for s in OPEN_STATUSES]))
        q = q.order_by(subject_requests.c.received_on, subject_requests.c.id).limit(limit).offset(offset)
        return [_request(r) for r in self.conn.execute(q)]

    # -- processing flags (restriction, objections) --------------------------------------------

    def set_flag(self, customer_id: str, flag: str, active: bool, at: datetime, by: str,
                 request_id: str | None) -> None:
        self.conn.execute(processing_flags.insert(), dict(
            id=new_id("flg"), customer_id=customer_id, flag=flag, active=active, recorded_at=at, recorded_by=by,
            request_id=request_id))

    def flags(self, customer_id: str) -> set[str]:
        """The flags in force: the latest decision per flag."""
        rows = self.conn.execute(_FLAGS_OF, {"b_customer": customer_id})
        state: dict[str, bool] = {}
        for r in rows:
            state[r.flag] = r.active
        return {f for f, on in state.items() if on}

    def flagged_customer_ids(self, customer_ids: Sequence[str], flag: str) -> set[str]:
        """Which of these customers have `flag` in force (batch jobs)."""
        if not customer_ids:
            return set()
        rows = self.conn.execute(processing_flags.select().where(
            processing_flags.c.customer_id.in_(list(customer_ids)), processing_flags.c.flag == flag)
            .order_by(processing_flags.c.recorded_at, processing_flags.c.id))
        state: dict[str, bool] = {}
        for r in rows:
            state[r.customer_id] = r.active
        return {c for c, on in state.items() if on}
