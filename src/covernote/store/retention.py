"""Repository of retention settings, sweep runs and the actions they took, and the set-based queries
that find what the retention sweep may have to do (PRV-5).

Reads are set-based: one query finds a batch of candidates, one more per batch gathers the facts the
rules need (a policy's latest term, a customer's last contact). Writes go through the one erasure engine
(`store.anonymise.erase_rows`), reading each table's rows of a batch in one query; bookkeeping rows are
written with one multi-row statement per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.app.ports import (
    ErasureCounts,
    PolicyFacts,
    QuoteFacts,
    RetentionAction,
    RetentionRun,
    RetentionSetting,
)
from covernote.domain.privacy.declarations import PersonalData
from covernote.domain.privacy.retention import is_billing_data
from covernote.store.anonymise import ErasureResult, erase_rows
from covernote.store.tables import (
    consent_decisions,
    customers,
    fraud_markers,
    pending_quotes,
    policies,
    policy_transactions,
    processing_flags,
    quotes,
    retention_actions,
    retention_runs,
    retention_settings,
    sensitive_data,
    subject_keys,
    subject_requests,
    users,
)

T = TypeVar("T")
_b = sa.bindparam
# SQLite's default limit on bound parameters is 999 on old builds: IN lists are cut below it.
CHUNK = 900


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _done(kind: str, record_id: Any) -> Any:
    return sa.exists().where(retention_actions.c.record_kind == kind, retention_actions.c.record_id == record_id)


def _counts(result: ErasureResult) -> ErasureCounts:
    out: ErasureCounts = {"changed": {}, "deleted": {}, "kept": {}}
    for change in result.changed:
        out["changed"][change.table] = out["changed"].get(change.table, 0) + 1
    for table, _ in result.deleted_rows:
        out["deleted"][table] = out["deleted"].get(table, 0) + 1
    for kept in result.kept:
        out["kept"][kept.table] = out["kept"].get(kept.table, 0) + 1
    return out


def _keep_nothing(_location: str, _declaration: PersonalData, _row: Any) -> str | None:
    return None


def _run(r: Row[Any]) -> RetentionRun:
    return RetentionRun(r.id, r.as_of, r.started_at, r.started_by, r.status, r.report, r.finished_at)


_TERM_KINDS = ("new_business", "renewal", "cancellation", "voidance")
_FACTS = (sa.select(policy_transactions.c.policy_id, policy_transactions.c.term_no, policy_transactions.c.kind,
                    policy_transactions.c.effective_date, policy_transactions.c.recorded_at,
                    policy_transactions.c.details["product"].as_string().label("product"))
          .where(policy_transactions.c.policy_id.in_(_b("b_ids", expanding=True)),
                 policy_transactions.c.kind.in_(_TERM_KINDS))
          .order_by(policy_transactions.c.policy_id, policy_transactions.c.sequence))


class RetentionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- dealership settings ---------------------------------------------------------------------

    def settings(self) -> list[RetentionSetting]:
        rows = self.conn.execute(retention_settings.select().order_by(retention_settings.c.dealership_id,
                                                                       retention_settings.c.category))
        return [RetentionSetting(r.dealership_id, r.category, r.years, r.set_at, r.set_by) for r in rows]

    def put_setting(self, s: RetentionSetting) -> None:
        values = dict(years=s.years, set_at=s.set_at, set_by=s.set_by)
        done = self.conn.execute(retention_settings.update().where(
            retention_settings.c.dealership_id == s.dealership_id,
            retention_settings.c.category == s.category).values(**values))
        if done.rowcount == 0:
            self.conn.execute(retention_settings.insert().values(dealership_id=s.dealership_id,
                                                                 category=s.category, **values))

    # -- runs and actions ------------------------------------------------------------------------

    def add_run(self, run: RetentionRun) -> None:
        self.conn.execute(retention_runs.insert().values(
            id=run.run_id, as_of=run.as_of, started_at=run.started_at, finished_at=run.finished_at,
            status=run.status, started_by=run.started_by, report=run.report))

    def finish_run(self, run_id: str, finished_at: datetime, report: dict[str, Any]) -> None:
        self.conn.execute(retention_runs.update().where(retention_runs.c.id == run_id)
                          .values(finished_at=finished_at, status="finished", report=report))

    def get_run(self, run_id: str) -> RetentionRun | None:
        r = self.conn.execute(retention_runs.select().where(retention_runs.c.id == run_id)).first()
        return None if r is None else _run(r)

    def runs(self, limit: int, offset: int) -> list[RetentionRun]:
        q = (retention_runs.select().order_by(retention_runs.c.started_at.desc(), retention_runs.c.id.desc())
             .limit(limit).offset(offset))
        return [_run(r) for r in self.conn.execute(q)]

    def record_actions(self, actions: Sequence[RetentionAction]) -> None:
        if actions:
            self.conn.execute(retention_actions.insert(), [dict(
                id=a.action_id, run_id=a.run_id, rule=a.rule, record_kind=a.record_kind, record_id=a.record_id,
                action=a.action, due_on=a.due_on, done_at=a.done_at) for a in actions])

    # -- finding what may be due -----------------------------------------------------------------

    def open_quotes(self, created_before: datetime, after_id: str | None, limit: int) -> list[QuoteFacts]:
        q = (sa.select(quotes.c.id, quotes.c.customer_id, quotes.c.product_ref, quotes.c.created_at)
             .where(quotes.c.status == "open", quotes.c.created_at < created_before)
             .order_by(quotes.c.id).limit(limit))
        if after_id is not None:
            q = q.where(quotes.c.id > after_id)
        return [QuoteFacts(r.id, r.customer_id, r.product_ref, r.created_at) for r in self.conn.execute(q)]

    def last_contact(self, customer_ids: Sequence[str]) -> dict[str, datetime]:
        """The one definition of a person's last contact (documented in docs/privacy-retention.md)."""
        out: dict[str, datetime] = {}
        for chunk in _chunks(list(dict.fromkeys(customer_ids))):
            ids = list(chunk)
            owned = sa.select(policies.c.id).where(policies.c.customer_id.in_(ids))
            sources = sa.union_all(
                sa.select(customers.c.id.label("cid"), customers.c.created_at.label("at"))
                .where(customers.c.id.in_(ids)),
                sa.select(quotes.c.customer_id, quotes.c.created_at).where(quotes.c.customer_id.in_(ids)),
                sa.select(consent_decisions.c.customer_id, consent_decisions.c.recorded_at)
                .where(consent_decisions.c.customer_id.in_(ids)),
                sa.select(subject_requests.c.customer_id, subject_requests.c.created_at)
                .where(subject_requests.c.customer_id.in_(ids)),
                sa.select(policies.c.customer_id, sa.func.max(policy_transactions.c.recorded_at))
                .select_from(policy_transactions.join(policies, policies.c.id == policy_transactions.c.policy_id))
                .where(policies.c.customer_id.in_(ids)).group_by(policies.c.customer_id),
                sa.select(policies.c.customer_id, sa.func.max(pending_quotes.c.created_at))
                .select_from(pending_quotes.join(policies, policies.c.id == pending_quotes.c.policy_id))
                .where(pending_quotes.c.policy_id.in_(owned)).group_by(policies.c.customer_id),
            ).subquery()
            q = sa.select(sources.c.cid, sa.func.max(sources.c.at)).group_by(sources.c.cid)
            for cid, at in self.conn.execute(q):
                # A UNION loses the column type on SQLite: re-read the value as an aware UTC time.
                out[cid] = _aware(at)
        return out

    def ended_policies(self, product_code: str, ended_by: date, billing: bool, after_id: str | None,
                       limit: int) -> list[PolicyFacts]:
        p, t = policies, policy_transactions
        policy_done, billing_done = _done("policy", p.c.id), _done("policy_billing", p.c.id)
        unfinished = sa.not_(sa.and_(policy_done, billing_done)) if billing else sa.not_(policy_done)
        ended = sa.or_(p.c.current_term_end <= ended_by, sa.exists().where(
            t.c.policy_id == p.c.id, t.c.kind.in_(("cancellation", "voidance")), t.c.effective_date <= ended_by))
        q = (sa.select(p.c.id, p.c.customer_id, p.c.current_term_end, policy_done.label("policy_done"),
                       billing_done.label("billing_done"))
             .where(p.c.product_code == product_code, unfinished, ended).order_by(p.c.id).limit(limit))
        if after_id is not None:
            q = q.where(p.c.id > after_id)
        heads = self.conn.execute(q).all()
        if not heads:
            return []
        rows: dict[str, list[Row[Any]]] = {h.id: [] for h in heads}
        for chunk in _chunks([h.id for h in heads]):
            for r in self.conn.execute(_FACTS, {"b_ids": list(chunk)}):
                rows[r.policy_id].append(r)
        out = []
        for h in heads:
            terms = [r for r in rows[h.id] if r.kind in ("new_business", "renewal")]
            if not terms:
                continue  # a policy always has a term; nothing to judge without one
            last = max(terms, key=lambda r: r.term_no)
            cancelled = [r.effective_date for r in rows[h.id] if r.kind == "cancellation" and r.term_no == last.term_no]
            voided = [r.recorded_at for r in rows[h.id] if r.kind == "voidance" and r.term_no == last.term_no]
            out.append(PolicyFacts(h.id, h.customer_id, product_code, last.product, last.effective_date,
                                   h.current_term_end, max(cancelled) if cancelled else None,
                                   _aware(voided[0]) if voided else None, bool(h.policy_done),
                                   bool(h.billing_done)))
        return out

    def settled_customers(self, created_before: datetime, billing_codes: Sequence[str], after_id: str | None,
                          limit: int) -> list[str]:
        p, c = policies, customers
        unfinished = sa.not_(_done("policy", p.c.id))
        if billing_codes:
            unfinished = sa.or_(unfinished, sa.and_(p.c.product_code.in_(list(billing_codes)),
                                                    sa.not_(_done("policy_billing", p.c.id))))
        q = (sa.select(c.c.id).where(
            c.c.erased_at.is_(None), c.c.created_at < created_before,
            ~sa.exists().where(quotes.c.customer_id == c.c.id, quotes.c.status == "open"),
            ~sa.exists().where(p.c.customer_id == c.c.id, unfinished))
             .order_by(c.c.id).limit(limit))
        if after_id is not None:
            q = q.where(c.c.id > after_id)
        return [r[0] for r in self.conn.execute(q)]

    # -- acting ------------------------------------------------------------------------------------

    def delete_quotes(self, quote_ids: Sequence[str]) -> int:
        deleted = 0
        for chunk in _chunks(quote_ids):
            deleted += self.conn.execute(quotes.delete().where(quotes.c.id.in_(list(chunk)),
                                                               quotes.c.status == "open")).rowcount
        return deleted

    def anonymise_policies(self, policy_ids: Sequence[str], billing_kept: Mapping[str, str],
                           hasher: Callable[[str], str]) -> ErasureCounts:
        def keep(_location: str, declaration: PersonalData, row: Any) -> str | None:
            reason = billing_kept.get(row.id)
            return reason if reason is not None and is_billing_data(declaration) else None

        result = ErasureResult([], [], [])
        for chunk in _chunks(policy_ids):
            ids = list(chunk)
            result.merge(erase_rows(self.conn, policies, policies.c.id.in_(ids), keep, hasher))
            for table, column in ((policy_transactions, policy_transactions.c.policy_id),
                                  (pending_quotes, pending_quotes.c.policy_id), (quotes, quotes.c.policy_id)):
                result.merge(erase_rows(self.conn, table, column.in_(ids), _keep_nothing, hasher))
        return _counts(result)

    def anonymise_customers(self, customer_ids: Sequence[str], hasher: Callable[[str], str],
                            at: datetime) -> ErasureCounts:
        result = ErasureResult([], [], [])
        for chunk in _chunks(customer_ids):
            ids = list(chunk)
            for table in (customers, users, consent_decisions, subject_requests, processing_flags, fraud_markers,
                          sensitive_data):
                result.merge(erase_rows(self.conn, table, _customer_rows(table, ids), _keep_nothing, hasher))
            # Sensitive fields are encrypted with the person's data key: deleting the key erases them.
            keys = self.conn.execute(sa.select(subject_keys.c.customer_id).where(subject_keys.c.customer_id.in_(ids)))
            dropped = [r[0] for r in keys]
            if dropped:
                self.conn.execute(subject_keys.delete().where(subject_keys.c.customer_id.in_(dropped)))
                result.deleted_rows.extend(("subject_keys", cid) for cid in dropped)
            self.conn.execute(users.update().where(users.c.customer_id.in_(ids)).values(active=False))
            self.conn.execute(customers.update().where(customers.c.id.in_(ids), customers.c.erased_at.is_(None))
                              .values(erased_at=at))
        return _counts(result)


def _customer_rows(table: sa.Table, ids: list[str]) -> Any:
    return (table.c.id if table is customers else table.c.customer_id).in_(ids)


def _aware(value: Any) -> datetime:
    """A timestamp read back from a UNION or an aggregate: SQLite gives text or a naive value back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


__all__ = ["RetentionRepo"]
