"""The commission report's reading of the ledger (PAY-7) in SQL. Nothing here commits."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.billing.domain.commission import (
    EXTRAS_PREFIX,
    FINANCE_PREFIX,
    BookedPosting,
    is_report_account,
)
from covernote.kernel.clock import london_date
from covernote.kernel.journal import COMMISSION_EARNED, PREMIUM
from covernote.kernel.money import Money
from covernote.store.tables import journal_entries, policies, policy_transactions, postings


class CommissionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def booked(self, start: datetime, end: datetime) -> list[BookedPosting]:
        j, p, pol, t = journal_entries, postings, policies, policy_transactions
        accounts = sa.or_(p.c.account.in_((PREMIUM, COMMISSION_EARNED)), p.c.account.startswith(FINANCE_PREFIX),
                          sa.and_(p.c.account.startswith(EXTRAS_PREFIX),
                                  sa.or_(p.c.account.endswith(":premium"), p.c.account.endswith(":commission"))))
        q = (sa.select(j.c.id, j.c.posted_at, j.c.policy_id, pol.c.number, j.c.transaction_id, t.c.kind,
                       p.c.account, p.c.amount_pence)
             .select_from(j.join(p, p.c.entry_id == j.c.id).join(pol, pol.c.id == j.c.policy_id)
                          .outerjoin(t, t.c.id == j.c.transaction_id))
             .where(j.c.posted_at >= start, j.c.posted_at < end, accounts)
             .order_by(j.c.posted_at, j.c.id, p.c.line_no))
        return [BookedPosting(r.id, london_date(r.posted_at), r.policy_id, r.number, r.transaction_id, r.kind,
                              r.account, Money.from_pence(int(r.amount_pence)))
                for r in self.conn.execute(q) if is_report_account(r.account)]
