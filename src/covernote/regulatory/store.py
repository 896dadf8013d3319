"""Repositories of regulatory reporting and fraud checks (issue 5 parts 5 and 6): the MID and CUE outboxes
and the fraud checks. Changes are optimistic: a row changed since it was read is a Conflict, so two senders
running at once never both record an answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Row

from covernote.kernel.errors import Conflict
from covernote.regulatory.ports import CueReport, FraudCheck, MidUpdate
from covernote.store.tables import cue_reports, fraud_checks, mid_updates


def _mid(r: Row[Any]) -> MidUpdate:
    return MidUpdate(r.id, r.policy_id, r.customer_id, r.transaction_id, r.term_no, r.trigger, r.rule, r.record,
                     list(r.registration_issues or []), r.created_at, r.created_by, r.due_at, r.status, r.attempts,
                     r.next_attempt_at, r.last_attempt_at, r.last_error, r.action, r.sent_at, r.reference,
                     r.reject_code, r.reject_reason, r.superseded_by, r.version)


def _mid_values(u: MidUpdate) -> dict[str, Any]:
    return dict(policy_id=u.policy_id, customer_id=u.customer_id, transaction_id=u.transaction_id, term_no=u.term_no,
                trigger=u.trigger, rule=u.rule, record=u.record, registration_issues=u.registration_issues,
                flagged=bool(u.registration_issues) or u.status == "rejected", created_at=u.created_at,
                created_by=u.created_by, due_at=u.due_at, status=u.status, attempts=u.attempts,
                next_attempt_at=u.next_attempt_at, last_attempt_at=u.last_attempt_at, last_error=u.last_error,
                action=u.action, sent_at=u.sent_at, reference=u.reference, reject_code=u.reject_code,
                reject_reason=u.reject_reason, superseded_by=u.superseded_by)


def _cue(r: Row[Any]) -> CueReport:
    return CueReport(r.id, r.policy_id, r.customer_id, r.claim_id, r.transaction_id, r.incident_on, r.kind, r.payload,
                     r.created_at, r.created_by, r.status, r.attempts, r.next_attempt_at, r.last_attempt_at,
                     r.last_error, r.sent_at, r.reference, r.reject_code, r.reject_reason, r.version)


def _cue_values(c: CueReport) -> dict[str, Any]:
    return {f.name: getattr(c, f.name) for f in fields(c) if f.name not in ("report_id", "version")}


def _check(r: Row[Any]) -> FraudCheck:
    return FraudCheck(r.id, r.stage, r.customer_id, r.policy_id, r.subject_ref, r.subject, r.result, r.score,
                      tuple(r.reasons or ()), r.agency_reference, r.checked_at, r.checked_by, r.review_status,
                      r.marker_id, r.reviewed_at, r.reviewed_by, r.review_note, r.recheck_of, tuple(r.notes or ()),
                      r.version)


def _check_values(c: FraudCheck) -> dict[str, Any]:
    out = {f.name: getattr(c, f.name) for f in fields(c) if f.name not in ("check_id", "version")}
    # SQL NULL (not JSON null) when the agency found nothing: a breach search for fraud data then skips it
    out["reasons"] = list(c.reasons) or sa.null()
    out["notes"] = list(c.notes)
    return out


# A check's insert, one row or many (executemany): the reasons are bound as SQL NULL when the agency gave none,
# as `_check_values` writes them (a literal NULL cannot be one row's value of an executemany).
_REASONS_OR_NULL: Any = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
_CHECK_INSERT = fraud_checks.insert().values(reasons=sa.bindparam("b_reasons", type_=_REASONS_OR_NULL))


def _check_insert_values(c: FraudCheck) -> dict[str, Any]:
    out = {f.name: getattr(c, f.name) for f in fields(c) if f.name not in ("check_id", "reasons")}
    out["notes"] = list(c.notes)
    return dict(id=c.check_id, b_reasons=list(c.reasons) or None, **out)


def _save(conn: Connection, table: sa.Table, row_id: str, version: int, values: dict[str, Any], what: str) -> None:
    done = conn.execute(table.update().where(table.c.id == row_id, table.c.version == version)
                        .values(version=version + 1, **values))
    if done.rowcount != 1:
        raise Conflict(f"the {what} was changed by someone else at the same time; reload it and retry")


def _due(table: sa.Table, now: datetime | None) -> Any:
    q = table.select().where(table.c.status == "pending")
    if now is not None:
        q = q.where(sa.or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now))
    return q.order_by(table.c.created_at, table.c.id)


_MID_FOR_POLICY = mid_updates.select().where(mid_updates.c.policy_id == sa.bindparam("b_policy")).order_by(
    mid_updates.c.created_at, mid_updates.c.id)  # built once: every policy read runs it


class MidUpdateRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, u: MidUpdate) -> None:
        self.conn.execute(mid_updates.insert(), dict(id=u.update_id, version=u.version, **_mid_values(u)))

    def get(self, update_id: str) -> MidUpdate | None:
        r = self.conn.execute(mid_updates.select().where(mid_updates.c.id == update_id)).first()
        return None if r is None else _mid(r)

    def save(self, u: MidUpdate) -> MidUpdate:
        _save(self.conn, mid_updates, u.update_id, u.version, _mid_values(u), "MID update")
        return replace(u, version=u.version + 1)

    def for_policy(self, policy_id: str) -> list[MidUpdate]:
        return [_mid(r) for r in self.conn.execute(_MID_FOR_POLICY, {"b_policy": policy_id})]

    def due(self, now: datetime | None, limit: int) -> list[MidUpdate]:
        return [_mid(r) for r in self.conn.execute(_due(mid_updates, now).limit(limit))]

    def page(self, status: str | None, overdue_at: datetime | None, flagged: bool, policy_id: str | None,
             limit: int, offset: int) -> list[MidUpdate]:
        t = mid_updates
        q = t.select()
        if status is not None:
            q = q.where(t.c.status == status)
        if overdue_at is not None:
            q = q.where(sa.or_(sa.and_(t.c.status.in_(["pending", "rejected"]), t.c.due_at <= overdue_at),
                               sa.and_(t.c.status == "sent", t.c.sent_at >= t.c.due_at)))
        if flagged:
            q = q.where(t.c.flagged.is_(True), t.c.status.in_(["pending", "rejected"]))
        if policy_id is not None:
            q = q.where(t.c.policy_id == policy_id)
        q = q.order_by(t.c.due_at, t.c.created_at, t.c.id).limit(limit).offset(offset)
        return [_mid(r) for r in self.conn.execute(q)]


class CueReportRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, r: CueReport) -> None:
        self.conn.execute(cue_reports.insert(), dict(id=r.report_id, version=r.version, **_cue_values(r)))

    def get(self, report_id: str) -> CueReport | None:
        r = self.conn.execute(cue_reports.select().where(cue_reports.c.id == report_id)).first()
        return None if r is None else _cue(r)

    def save(self, r: CueReport) -> CueReport:
        _save(self.conn, cue_reports, r.report_id, r.version, _cue_values(r), "CUE report")
        return replace(r, version=r.version + 1)

    def by_claim(self, claim_id: str) -> CueReport | None:
        r = self.conn.execute(cue_reports.select().where(cue_reports.c.claim_id == claim_id)).first()
        return None if r is None else _cue(r)

    def by_transaction(self, transaction_id: str) -> CueReport | None:
        r = self.conn.execute(cue_reports.select().where(cue_reports.c.transaction_id == transaction_id)).first()
        return None if r is None else _cue(r)

    def for_policy(self, policy_id: str) -> list[CueReport]:
        q = cue_reports.select().where(cue_reports.c.policy_id == policy_id).order_by(
            cue_reports.c.created_at, cue_reports.c.id)
        return [_cue(r) for r in self.conn.execute(q)]

    def due(self, now: datetime | None, limit: int) -> list[CueReport]:
        return [_cue(r) for r in self.conn.execute(_due(cue_reports, now).limit(limit))]

    def page(self, status: str | None, limit: int, offset: int) -> list[CueReport]:
        q = cue_reports.select()
        if status is not None:
            q = q.where(cue_reports.c.status == status)
        q = q.order_by(cue_reports.c.created_at, cue_reports.c.id).limit(limit).offset(offset)
        return [_cue(r) for r in self.conn.execute(q)]


class FraudCheckRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, c: FraudCheck) -> None:
        self.conn.execute(_CHECK_INSERT, _check_insert_values(c))

    def add_many(self, checks: Sequence[FraudCheck]) -> None:
        if checks:
            self.conn.execute(_CHECK_INSERT, [_check_insert_values(c) for c in checks])

    def get(self, check_id: str) -> FraudCheck | None:
        r = self.conn.execute(fraud_checks.select().where(fraud_checks.c.id == check_id)).first()
        return None if r is None else _check(r)

    def save(self, c: FraudCheck) -> FraudCheck:
        _save(self.conn, fraud_checks, c.check_id, c.version, _check_values(c), "fraud check")
        return replace(c, version=c.version + 1)

    def page(self, review_status: str | None, customer_id: str | None, result: str | None, limit: int,
             offset: int) -> list[FraudCheck]:
        t = fraud_checks
        q = t.select()
        if review_status is not None:
            q = q.where(t.c.review_status == review_status)
        if customer_id is not None:
            q = q.where(t.c.customer_id == customer_id)
        if result is not None:
            q = q.where(t.c.result == result)
        q = q.order_by(t.c.checked_at, t.c.id).limit(limit).offset(offset)
        return [_check(r) for r in self.conn.execute(q)]

    def open_unavailable(self, limit: int) -> list[FraudCheck]:
        q = fraud_checks.select().where(fraud_checks.c.result == "unavailable", fraud_checks.c.review_status == "open")
        return [_check(r) for r in self.conn.execute(q.order_by(fraud_checks.c.checked_at, fraud_checks.c.id)
                                                     .limit(limit))]


__all__ = ["CueReportRepo", "FraudCheckRepo", "MidUpdateRepo"]
