"""Reading direct debit (PAY-6): a policy's mandates, notices, collections and returns, and the staff's
collections and returns reports (JSON pages, or whole as CSV through kernel/csv_cells.py)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from covernote.billing.domain import bacs
from covernote.billing.domain.direct_debit import AdvanceNotice, Collection, DdReturn, Mandate
from covernote.billing.usecases.results_direct_debit import (
    CollectionView,
    MandateView,
    NoticeView,
    PolicyDirectDebit,
    ReturnView,
)
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.csv_cells import writer as csv_writer
from covernote.kernel.errors import IssueCollector
from covernote.kernel.money import Money
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.policy.usecases.lookup import find_policy


def mandate_view(m: Mandate) -> MandateView:
    reason = bacs.REASONS.get(m.reason_report or "", {}).get(m.reason_code or "")
    return {"id": m.mandate_id, "policy_id": m.policy_id, "plan_id": m.plan_id, "reference": m.reference,
            "status": m.status, "account_ending": m.account_ending,
            "lodged_entry_on": m.lodged_entry_on.isoformat() if m.lodged_entry_on else None,
            "reason_report": m.reason_report, "reason_code": m.reason_code,
            "reason": reason.meaning if reason else None, "updated_at": m.updated_at.isoformat()}


def collection_view(c: Collection) -> CollectionView:
    return {"id": c.collection_id, "policy_id": c.policy_id, "instalment_id": c.instalment_id,
            "mandate_id": c.mandate_id, "attempt": c.attempt, "transaction_code": c.transaction_code,
            "amount": Money.from_pence(c.amount_pence).to_str(), "due_on": c.due_on.isoformat(),
            "processing_on": c.processing_on.isoformat(), "entry_on": c.entry_on.isoformat(), "status": c.status,
            "journal_entry_id": c.journal_entry_id, "reversal_entry_id": c.reversal_entry_id}


def return_view(r: DdReturn) -> ReturnView:
    reason = bacs.REASONS[r.kind].get(r.reason_code)
    return {"id": r.return_id, "kind": r.kind, "reference": r.reference, "reason_code": r.reason_code,
            "reason": reason.meaning if reason else "unknown", "re_presentable": bool(reason and reason.re_presentable),
            "policy_id": r.policy_id, "mandate_id": r.mandate_id, "collection_id": r.collection_id,
            "amount": Money.from_pence(r.amount_pence).to_str() if r.amount_pence is not None else None,
            "original_processing_on": r.original_processing_on.isoformat() if r.original_processing_on else None,
            "effective_on": r.effective_on.isoformat() if r.effective_on else None, "status": r.status,
            "created_at": r.created_at.isoformat()}


def notice_view(n: AdvanceNotice) -> NoticeView:
    return {"id": n.notice_id, "policy_id": n.policy_id, "instalment_id": n.instalment_id,
            "amount": Money.from_pence(n.amount_pence).to_str(), "collect_on": n.collect_on.isoformat(),
            "notified_on": n.notified_on.isoformat(), "document_id": n.document_id}


def policy_direct_debit(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyDirectDebit:
    """A policy's mandates, advance notices, collections and returns. The customer sees their own policy's."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        dd = uow.direct_debit
        return {"policy_id": policy.policy_id,
                "mandates": [mandate_view(m) for m in dd.mandates(policy_id=policy.policy_id)],
                "notices": [notice_view(n) for n in dd.notices(policy_id=policy.policy_id)],
                "collections": [collection_view(c) for c in dd.collections(policy_id=policy.policy_id)],
                "returns": [return_view(r) for r in dd.returns(policy_id=policy.policy_id)]}


def collections_between(ctx: AppContext, principal: Principal, start: date, end: date, limit: int | None = None,
                        offset: int = 0) -> list[CollectionView]:
    """Staff: the collections with an entry day from `start` to `end` inclusive, by entry day: a page of `limit`
    after `offset` (the paging rule), or all of them (`limit` None: the CSV report)."""
    require_staff(principal, "read the direct debit collections")
    issues = IssueCollector()
    if end < start:
        issues.add("to", "on or after 'from'")
    check_listing(limit or 1, offset, issues=issues)
    with ctx.uow(read_only=True) as uow:
        rows = uow.direct_debit.collections(entry_from=start, entry_to=end)
    return [collection_view(c) for c in rows[offset:None if limit is None else offset + limit]]


RETURN_STATUSES = ("recorded", "handled", "unmatched")


def returns_list(ctx: AppContext, principal: Principal, status: str | None = None, limit: int | None = None,
                 offset: int = 0) -> list[ReturnView]:
    """Staff: the returns and mandate changes recorded, oldest first, optionally of one status: a page of `limit`
    after `offset`, or all (`limit` None: the CSV report)."""
    require_staff(principal, "read the direct debit returns")
    check_listing(limit or 1, offset, status=status, statuses=RETURN_STATUSES)
    with ctx.uow(read_only=True) as uow:
        rows = uow.direct_debit.returns(status=status)
    return [return_view(r) for r in rows[offset:None if limit is None else offset + limit]]



COLLECTION_COLUMNS = ("id", "policy_id", "instalment_id", "mandate_id", "attempt", "transaction_code", "amount",
                      "due_on", "processing_on", "entry_on", "status", "journal_entry_id", "reversal_entry_id")
RETURN_COLUMNS = ("id", "kind", "reference", "reason_code", "reason", "re_presentable", "policy_id", "mandate_id",
                  "collection_id", "amount", "original_processing_on", "effective_on", "status", "created_at")


def as_csv(rows: Sequence[CollectionView] | Sequence[ReturnView], columns: Sequence[str]) -> str:
    """Rows as CSV with a header, every cell through the formula-safe writer (kernel/csv_cells.py)."""
    out = io.StringIO()
    w = csv_writer(out)
    w.writerow(columns)
    for row in rows:
        w.writerow([row[c] for c in columns])  # type: ignore[literal-required]
    return out.getvalue()
