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

from covernote.kernel.declarations import PersonalData
from covernote.kernel.retention import is_billing_data
from covernote.privacy.ports import (
    ErasureCounts,
    PolicyFacts,
    QuoteFacts,
    RetentionAction,
    RetentionRun,
    RetentionSetting,
)
from covernote.store.anonymise import ErasureResult, PlannedErasure, keep_nothing, plan_erasure
from covernote.store.bulk import any_of, insert_rows
from covernote.store.tables import (
    claim_correspondence,
    claim_documents,
    claim_events,
    claim_parties,
    claim_payments,
    claims,
    complaints,
    consent_decisions,
    cue_reports,
    customers,
    deadlines,
    document_renditions,
    fraud_checks,
    fraud_markers,
    idempotency_keys,
    journal_entries,
    mid_updates,
    ncd_proofs,
    payment_notices,
    pending_quotes,
    policies,
    policy_transactions,
    postings,
    print_requests,
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
_CLAIM_CHILDREN = (claim_parties, claim_events, claim_correspondence, claim_documents, claim_payments)
_b = sa.bindparam
# SQLite's default limit on bound parameters is 999 on old builds: IN lists are cut below it there.
# PostgreSQL takes a batch's ids as one array parameter, so one statement text serves every batch.
CHUNK = 900
PG_CHUNK = 50_000


def _chunks(conn: Connection, items: Sequence[T]) -> Iterator[list[T]]:
    size = PG_CHUNK if conn.dialect.name == "postgresql" else CHUNK
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _done(kind: str, record_id: Any) -> Any:
    return sa.exists().where(retention_actions.c.record_kind == kind, retention_actions.c.record_id == record_id)


def _one_process(conn: Connection) -> None:
    """A batch's reads (a few hundred keys, each found by an index) run in this process alone on PostgreSQL
    (for the rest of the transaction): starting parallel workers for them cost more than the reads (30 ms of
    a 40 ms read of a batch's last contacts). And without JIT compilation, as `_no_jit` says."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                             "set_config('jit', 'off', true)")


def _no_jit(conn: Connection) -> None:
    """The sweep's reads are estimated dear enough for PostgreSQL to compile them (JIT), which costs more than
    it saves at these sizes: at 20,000 customers, 70-150 ms to compile the query finding the ended policies
    (it then runs in 200 ms), 15-65 ms for a batch's read of 500 policies that runs in 8 ms."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL jit = off")


def _run(r: Row[Any]) -> RetentionRun:
    return RetentionRun(r.id, r.as_of, r.started_at, r.started_by, r.status, r.report, r.finished_at)


_TERM_KINDS = ("new_business", "renewal", "cancellation", "voidance")
# Quotes never taken up: open ones, and those withdrawn by the customer or staff (they are swept alike).
_UNBOUND = ("open", "withdrawn")


def _nothing() -> None:
    """No wait before writing (a batch run on its own)."""


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
            insert_rows(self.conn, retention_actions, [dict(
                id=a.action_id, run_id=a.run_id, rule=a.rule, record_kind=a.record_kind, record_id=a.record_id,
                action=a.action, due_on=a.due_on, done_at=a.done_at) for a in actions])

    # -- finding what may be due -----------------------------------------------------------------

    def open_quotes(self, created_before: datetime, after_id: str | None, limit: int) -> list[QuoteFacts]:
        q = (sa.select(quotes.c.id, quotes.c.customer_id, quotes.c.product_ref, quotes.c.created_at)
             .where(quotes.c.status.in_(_UNBOUND), quotes.c.created_at < created_before)
             .order_by(quotes.c.id).limit(limit))
        if after_id is not None:
            q = q.where(quotes.c.id > after_id)
        return [QuoteFacts(r.id, r.customer_id, r.product_ref, r.created_at) for r in self.conn.execute(q)]

    def last_contact(self, customer_ids: Sequence[str]) -> dict[str, datetime]:
        """The one definition of a person's last contact (documented in docs/privacy-retention.md)."""
        out: dict[str, datetime] = {}
        _one_process(self.conn)
        for ids in _chunks(self.conn, list(dict.fromkeys(customer_ids))):
            owned = sa.select(policies.c.id).where(any_of(self.conn, policies.c.customer_id, ids))
            sources = sa.union_all(
                sa.select(customers.c.id.label("cid"), customers.c.created_at.label("at"))
                .where(any_of(self.conn, customers.c.id, ids)),
                sa.select(quotes.c.customer_id, quotes.c.created_at).where(any_of(self.conn, quotes.c.customer_id, ids)),
                sa.select(consent_decisions.c.customer_id, consent_decisions.c.recorded_at)
                .where(any_of(self.conn, consent_decisions.c.customer_id, ids)),
                sa.select(subject_requests.c.customer_id, subject_requests.c.created_at)
                .where(any_of(self.conn, subject_requests.c.customer_id, ids)),
                sa.select(complaints.c.customer_id, complaints.c.received_at)
                .where(any_of(self.conn, complaints.c.customer_id, ids)),
                sa.select(policies.c.customer_id, sa.func.max(policy_transactions.c.recorded_at))
                .select_from(policy_transactions.join(policies, policies.c.id == policy_transactions.c.policy_id))
                .where(any_of(self.conn, policies.c.customer_id, ids)).group_by(policies.c.customer_id),
                sa.select(policies.c.customer_id, sa.func.max(pending_quotes.c.created_at))
                .select_from(pending_quotes.join(policies, policies.c.id == pending_quotes.c.policy_id))
                .where(pending_quotes.c.policy_id.in_(owned)).group_by(policies.c.customer_id),
            ).subquery()
            q = sa.select(sources.c.cid, sa.func.max(sources.c.at)).group_by(sources.c.cid)
            for cid, at in self.conn.execute(q):
                # A UNION loses the column type on SQLite: re-read the value as an aware UTC time.
                out[cid] = _aware(at)
        return out

    def _ended(self, product_code: str, ended_by: date, billing: bool) -> Any:
        p, t = policies, policy_transactions
        policy_done, billing_done = _done("policy", p.c.id), _done("policy_billing", p.c.id)
        unfinished = sa.not_(sa.and_(policy_done, billing_done)) if billing else sa.not_(policy_done)
        ended = sa.or_(p.c.current_term_end <= ended_by, sa.exists().where(
            t.c.policy_id == p.c.id, t.c.kind.in_(("cancellation", "voidance")), t.c.effective_date <= ended_by))
        return (sa.select(p.c.id, p.c.customer_id, p.c.current_term_end, policy_done.label("policy_done"),
                          billing_done.label("billing_done"))
                .where(p.c.product_code == product_code, unfinished, ended).order_by(p.c.id))

    def ended_policies(self, product_code: str, ended_by: date, billing: bool) -> list[str]:
        q = self._ended(product_code, ended_by, billing).with_only_columns(policies.c.id)
        _no_jit(self.conn)
        return [r[0] for r in self.conn.execute(q)]

    def ended_policy_facts(self, policy_ids: Sequence[str], product_code: str, ended_by: date,
                           billing: bool) -> list[PolicyFacts]:
        t = policy_transactions
        heads: list[Row[Any]] = []
        _one_process(self.conn)
        for ids in _chunks(self.conn, policy_ids):
            heads.extend(self.conn.execute(self._ended(product_code, ended_by, billing)
                                           .where(any_of(self.conn, policies.c.id, ids))).all())
        if not heads:
            return []
        rows: dict[str, list[Row[Any]]] = {h.id: [] for h in heads}
        for ids in _chunks(self.conn, [h.id for h in heads]):
            facts = (sa.select(t.c.policy_id, t.c.term_no, t.c.kind, t.c.effective_date, t.c.recorded_at,
                               t.c.details["product"].as_string().label("product"))
                     .where(any_of(self.conn, t.c.policy_id, ids), t.c.kind.in_(_TERM_KINDS))
                     .order_by(t.c.policy_id, t.c.sequence))
            for r in self.conn.execute(facts):
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

    def _settled(self, created_before: datetime, billing_codes: Sequence[str]) -> Any:
        p, c = policies, customers
        unfinished = sa.not_(_done("policy", p.c.id))
        if billing_codes:
            unfinished = sa.or_(unfinished, sa.and_(p.c.product_code.in_(list(billing_codes)),
                                                    sa.not_(_done("policy_billing", p.c.id))))
        return sa.select(c.c.id).where(
            c.c.erased_at.is_(None), c.c.created_at < created_before,
            ~sa.exists().where(quotes.c.customer_id == c.c.id, quotes.c.status.in_(_UNBOUND)),
            ~sa.exists().where(p.c.customer_id == c.c.id, unfinished))

    def settled_customers(self, created_before: datetime, billing_codes: Sequence[str]) -> list[str]:
        """Everyone not yet erased with no quote never taken up left (open or withdrawn: the quotes stage
        deletes them first) and every policy anonymised (billing data too), in id order: one set-based
        query over the whole book."""
        q = self._settled(created_before, billing_codes).order_by(customers.c.id)
        _no_jit(self.conn)
        return [r[0] for r in self.conn.execute(q)]

    def still_settled(self, customer_ids: Sequence[str], created_before: datetime,
                      billing_codes: Sequence[str]) -> list[str]:
        """Those of `customer_ids` that are still settled now (checked again in the batch that acts)."""
        out: list[str] = []
        _one_process(self.conn)
        for ids in _chunks(self.conn, customer_ids):
            q = self._settled(created_before, billing_codes).where(any_of(self.conn, customers.c.id, ids))
            out.extend(r[0] for r in self.conn.execute(q.order_by(customers.c.id)))
        return out

    # -- acting ------------------------------------------------------------------------------------

    def delete_quotes(self, quote_ids: Sequence[str]) -> int:
        deleted = 0
        for ids in _chunks(self.conn, quote_ids):
            deleted += self.conn.execute(quotes.delete().where(any_of(self.conn, quotes.c.id, ids),
                                                               quotes.c.status.in_(_UNBOUND))).rowcount
        return deleted

    def delete_stored_responses(self, stored_before: datetime, limit: int) -> int:
        """Delete up to `limit` of the oldest answers stored before `stored_before`, in one statement: on
        PostgreSQL by the rows' physical addresses (a join on the key would scan the whole table per batch)."""
        k = idempotency_keys
        if self.conn.dialect.name == "postgresql":
            return int(self.conn.execute(sa.text(
                "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_keys "
                "WHERE created_at < :before ORDER BY created_at LIMIT :limit))"),
                {"before": stored_before, "limit": limit}).rowcount)
        oldest = (sa.select(k.c.key, k.c.scope).where(k.c.created_at < stored_before)
                  .order_by(k.c.created_at).limit(limit))
        return int(self.conn.execute(k.delete().where(sa.tuple_(k.c.key, k.c.scope).in_(oldest))).rowcount)

    def anonymise_policies(self, policy_ids: Sequence[str], billing_kept: Mapping[str, str],
                           hasher: Callable[[str], str], before_writes: Callable[[], None] = _nothing,
                           ) -> ErasureCounts:
        """Anonymise the policies and every row that follows them. Every table's rows are read and worked
        out first, then `before_writes` is called (the sweep waits there for the batches before this one
        to commit), then everything is written."""
        def keep(_location: str, declaration: PersonalData, row: Any) -> str | None:
            reason = billing_kept.get(row.id)
            return reason if reason is not None and is_billing_data(declaration) else None

        plans: list[PlannedErasure] = []
        for ids in _chunks(self.conn, policy_ids):
            plans.append(plan_erasure(self.conn, policies, any_of(self.conn, policies.c.id, ids), keep, hasher,
                                      detail=False))
            for table, column in ((policy_transactions, policy_transactions.c.policy_id),
                                  (pending_quotes, pending_quotes.c.policy_id), (quotes, quotes.c.policy_id),
                                  (journal_entries, journal_entries.c.policy_id), (postings, postings.c.policy_id),
                                  (ncd_proofs, ncd_proofs.c.policy_id), (claims, claims.c.policy_id),
                                  (mid_updates, mid_updates.c.policy_id), (cue_reports, cue_reports.c.policy_id),
                                  (document_renditions, document_renditions.c.policy_id),
                                  (print_requests, print_requests.c.policy_id),
                                  (payment_notices, payment_notices.c.policy_id)):
                plans.append(plan_erasure(self.conn, table, any_of(self.conn, column, ids), keep_nothing, hasher,
                                          detail=False))
            # A claim's handling records follow its policy (issue 5).
            of_claims = sa.select(claims.c.id).where(any_of(self.conn, claims.c.policy_id, ids))
            for table in _CLAIM_CHILDREN:
                plans.append(plan_erasure(self.conn, table, table.c.claim_id.in_(of_claims), keep_nothing, hasher,
                                          detail=False))
        before_writes()
        return _written(self.conn, plans).counts()

    def anonymise_customers(self, customer_ids: Sequence[str], hasher: Callable[[str], str],
                            at: datetime, before_writes: Callable[[], None] = _nothing) -> ErasureCounts:
        """Anonymise the people and their rows; as `anonymise_policies`, everything is read and worked out
        before `before_writes` is called and anything is written."""
        plans: list[PlannedErasure] = []
        chunks = list(_chunks(self.conn, customer_ids))
        for ids in chunks:
            for table in (customers, users, consent_decisions, subject_requests, processing_flags, fraud_markers,
                          sensitive_data, ncd_proofs, claims, *_CLAIM_CHILDREN, mid_updates, cue_reports,
                          fraud_checks, deadlines):
                column = table.c.id if table is customers else table.c.customer_id
                plans.append(plan_erasure(self.conn, table, any_of(self.conn, column, ids), keep_nothing, hasher,
                                          detail=False))
            # Their access packages (issue 14): copies of what is anonymised here, with no policy to follow.
            for table in (document_renditions, print_requests):
                plans.append(plan_erasure(self.conn, table, sa.and_(table.c.owner_kind == "data_request", any_of(
                    self.conn, table.c.customer_id, ids)), keep_nothing, hasher, detail=False))
        before_writes()
        result = _written(self.conn, plans)
        for ids in chunks:
            # Sensitive fields are encrypted with the person's data key: deleting the key erases them.
            dropped = self.conn.execute(subject_keys.delete().where(any_of(self.conn, subject_keys.c.customer_id, ids))
                                        ).rowcount
            if dropped:
                result.deleted_n["subject_keys"] = result.deleted_n.get("subject_keys", 0) + dropped
            self.conn.execute(users.update().where(any_of(self.conn, users.c.customer_id, ids)).values(active=False))
            self.conn.execute(customers.update().where(any_of(self.conn, customers.c.id, ids),
                                                       customers.c.erased_at.is_(None)).values(erased_at=at))
        return result.counts()


def _written(conn: Connection, plans: Sequence[PlannedErasure]) -> ErasureResult:
    """Write each table's planned erasure, in order; what they did, together."""
    result = ErasureResult([], [], [])
    for planned in plans:
        planned.write(conn)
        result.merge(planned.result)
    return result


def _aware(value: Any) -> datetime:
    """A timestamp read back from a UNION or an aggregate: SQLite gives text or a naive value back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


__all__ = ["RetentionRepo"]
