"""Journal entries and their postings in SQL, and the transactions' totals the reconciliation compares them with. Nothing here commits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.kernel.journal import JournalEntry, Posting
from covernote.kernel.money import Money
from covernote.store.tables import (
    journal_entries,
    policy_transactions,
    postings,
)

# Built once: a statement made per call spends more on building and keying it than the database does.
_ACCOUNT_BALANCE = (sa.select(sa.func.coalesce(sa.func.sum(postings.c.amount_pence), 0))
                    .where(postings.c.policy_id == sa.bindparam("b_policy"), postings.c.account == sa.bindparam("b_account")))


class LedgerRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, e: JournalEntry) -> None:
        self.add_many([e])

    def add_many(self, entries: Sequence[JournalEntry]) -> None:
        if not entries:
            return
        self.conn.execute(journal_entries.insert(), [
            dict(id=e.entry_id, posted_at=e.posted_at, description=e.description, policy_id=e.policy_id,
                 transaction_id=e.transaction_id, reverses=e.reverses, corrects=e.corrects) for e in entries])
        self.conn.execute(postings.insert(), [
            dict(entry_id=e.entry_id, line_no=i, policy_id=e.policy_id, account=p.account,
                 amount_pence=p.amount.pence, memo=p.memo) for e in entries for i, p in enumerate(e.postings)])

    def _entries(self, where: Any) -> list[JournalEntry]:
        heads = self.conn.execute(journal_entries.select().where(where)
                                  .order_by(journal_entries.c.posted_at, journal_entries.c.id)).all()
        if not heads:
            return []
        ids = [h.id for h in heads]
        lines: dict[str, list[Posting]] = {i: [] for i in ids}
        for start in range(0, len(ids), 900):
            rows = self.conn.execute(postings.select().where(postings.c.entry_id.in_(ids[start:start + 900]))
                                     .order_by(postings.c.entry_id, postings.c.line_no))
            for r in rows:
                lines[r.entry_id].append(Posting(r.account, Money.from_pence(r.amount_pence), r.memo))
        return [JournalEntry(h.id, h.posted_at, h.description, h.policy_id, h.transaction_id, tuple(lines[h.id]),
                             h.reverses, h.corrects) for h in heads]

    def for_policy(self, policy_id: str) -> list[JournalEntry]:
        return self._entries(journal_entries.c.policy_id == policy_id)

    def account_balance(self, policy_id: str, account: str) -> Money:
        total = self.conn.execute(_ACCOUNT_BALANCE, {"b_policy": policy_id, "b_account": account}).scalar_one()
        return Money.from_pence(int(total))

    def get(self, entry_id: str) -> JournalEntry | None:
        found = self._entries(journal_entries.c.id == entry_id)
        return found[0] if found else None

    def reversal_of(self, entry_id: str) -> JournalEntry | None:
        found = self._entries(journal_entries.c.reverses == entry_id)
        return found[0] if found else None

    def correction_of(self, entry_id: str) -> JournalEntry | None:
        found = self._entries(journal_entries.c.corrects == entry_id)
        return found[0] if found else None

    def awaiting_correction(self) -> dict[str, dict[str, dict[str, int]]]:
        r, c = journal_entries.alias("r"), journal_entries.alias("c")
        q = (sa.select(journal_entries.c.policy_id, journal_entries.c.id, postings.c.account,
                       sa.func.sum(postings.c.amount_pence))
             .select_from(journal_entries.join(postings, postings.c.entry_id == journal_entries.c.id))
             .where(journal_entries.c.policy_id.is_not(None),
                    sa.exists().where(r.c.reverses == journal_entries.c.id),
                    ~sa.exists().where(c.c.corrects == journal_entries.c.id))
             .group_by(journal_entries.c.policy_id, journal_entries.c.id, postings.c.account))
        out: dict[str, dict[str, dict[str, int]]] = {}
        for pid, entry_id, account, total in self.conn.execute(q):
            out.setdefault(pid, {}).setdefault(entry_id, {})[account] = int(total)
        return out

    def unbalanced_entries(self) -> list[tuple[str, int]]:
        total = sa.func.sum(postings.c.amount_pence)
        q = sa.select(postings.c.entry_id, total).group_by(postings.c.entry_id).having(total != 0)
        lonely = sa.select(journal_entries.c.id, sa.literal(0)).where(
            ~sa.exists().where(postings.c.entry_id == journal_entries.c.id))
        return [(r[0], int(r[1])) for r in self.conn.execute(q)] + [(r[0], 0) for r in self.conn.execute(lonely)]

    def account_totals_by_policy(self) -> dict[str, dict[str, int]]:
        q = (sa.select(postings.c.policy_id, postings.c.account, sa.func.sum(postings.c.amount_pence))
             .where(postings.c.policy_id.is_not(None)).group_by(postings.c.policy_id, postings.c.account))
        out: dict[str, dict[str, int]] = {}
        for pid, account, total in self.conn.execute(q):
            out.setdefault(pid, {})[account] = int(total)
        return out

    def iter_entries(self, batch: int = 1000) -> Iterator[JournalEntry]:
        after = ""
        while True:
            page = self._entries(sa.and_(journal_entries.c.id > after,
                                         journal_entries.c.id.in_(sa.select(journal_entries.c.id)
                                                                  .where(journal_entries.c.id > after)
                                                                  .order_by(journal_entries.c.id).limit(batch))))
            if not page:
                return
            yield from page
            after = max(e.entry_id for e in page)


class TransactionTotalsRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def totals_by_policy(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        q = sa.select(policy_transactions.c.policy_id, sa.func.sum(policy_transactions.c.premium_pence),
                      sa.func.sum(policy_transactions.c.ipt_pence)).group_by(policy_transactions.c.policy_id)
        for pid, premium, ipt in self.conn.execute(q):
            out[pid] = {"premium": int(premium), "ipt": int(ipt)}
        fees = sa.select(policy_transactions.c.policy_id, policy_transactions.c.fees_charged,
                         policy_transactions.c.fees_refunded)
        for pid, charged, refunded in self.conn.execute(fees):
            for sign, lines in ((1, charged), (-1, refunded)):
                for f in lines:
                    k = f"fees:{f['code']}"
                    out[pid][k] = out[pid].get(k, 0) + sign * Money.of(f["amount"]).pence
        return out

    def term_totals(self) -> list[tuple[str, int, int, int, str]]:
        t = policy_transactions
        sums = (sa.select(t.c.policy_id, t.c.term_no, sa.func.sum(t.c.premium_pence).label("premium"),
                          sa.func.sum(t.c.ipt_pence).label("ipt"), sa.func.max(t.c.ipt_rate).label("rate"))
                .group_by(t.c.policy_id, t.c.term_no))
        return [(r.policy_id, r.term_no, int(r.premium), int(r.ipt), r.rate) for r in self.conn.execute(sums)
                if r.rate is not None]

    def term_premiums(self) -> list[tuple[str, int, int, str | None]]:
        t = policy_transactions
        sums = (sa.select(t.c.policy_id, t.c.term_no, sa.func.sum(t.c.premium_pence).label("premium"))
                .group_by(t.c.policy_id, t.c.term_no))
        # The term's product version is on the transaction that opened it (new business or renewal).
        # Only that one field is read from the JSON, in the database, not every opening transaction's details.
        product = t.c.details["product"].as_string().label("product")
        refs = {(r.policy_id, r.term_no): r.product for r in self.conn.execute(
            sa.select(t.c.policy_id, t.c.term_no, product).where(t.c.kind.in_(("new_business", "renewal"))))}
        return [(r.policy_id, r.term_no, int(r.premium), refs.get((r.policy_id, r.term_no)))
                for r in self.conn.execute(sums)]
