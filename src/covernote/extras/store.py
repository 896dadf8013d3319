"""The optional extras' lines (ADD-1, PAY-7): one row per extra per policy transaction. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.extras.domain import commission_account, commission_due_account, ipt_account, premium_account
from covernote.extras.ports import ExtraWritten
from covernote.kernel.ids import new_id
from covernote.policy.domain.extra_lines import ExtraLine
from covernote.policy.domain.model import Policy, PolicyTransaction
from covernote.store.tables import extra_lines, policy_transactions

SALES = ("bought", "renewed", "added")


class ExtrasRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_lines(self, policy: Policy, txn: PolicyTransaction, product_ref: str, booked_on: date,
                  lines: Sequence[ExtraLine]) -> None:
        if not lines:
            return
        self.conn.execute(extra_lines.insert(), [dict(
            id=new_id("xln"), policy_id=policy.policy_id, transaction_id=txn.transaction_id,
            transaction_kind=txn.kind, sequence=txn.sequence, term_no=txn.term_no, product_ref=product_ref,
            product_code=product_ref.partition("@")[0], extra_code=ln.code, provider=ln.cover_after.provider,
            insurer=ln.cover_after.insurer, action=ln.action,
            cover=[{"from": p.start.isoformat(), "to": p.end.isoformat()} for p in ln.cover_after.cover],
            booked_on=booked_on, recorded_at=txn.recorded_at, premium_pence=ln.premium.pence, ipt_pence=ln.ipt.pence,
            commission_pence=ln.commission.pence, ipt_rate=str(ln.cover_after.ipt_rate),
            commission_percent=str(ln.cover_after.commission_percent)) for ln in lines])

    def expected_accounts_by_policy(self) -> dict[str, dict[str, int]]:
        t = extra_lines
        q = (sa.select(t.c.policy_id, t.c.extra_code, sa.func.sum(t.c.premium_pence), sa.func.sum(t.c.ipt_pence),
                       sa.func.sum(t.c.commission_pence))
             .group_by(t.c.policy_id, t.c.extra_code))
        out: dict[str, dict[str, int]] = {}
        for pid, code, premium, ipt, commission in self.conn.execute(q):
            # As domain.extras.postings posts them: premium and IPT credited, commission as a pair.
            out.setdefault(pid, {}).update({
                premium_account(code): -int(premium), ipt_account(code): -int(ipt),
                commission_due_account(code): int(commission), commission_account(code): -int(commission)})
        return out

    def written(self, product_code: str | None, start: date, end: date) -> list[ExtraWritten]:
        t = extra_lines
        where = [t.c.booked_on >= start, t.c.booked_on < end]
        if product_code is not None:
            where.append(t.c.product_code == product_code)
        rows = self.conn.execute(sa.select(t.c.product_code, t.c.extra_code, t.c.policy_id, t.c.action,
                                           t.c.premium_pence, t.c.ipt_pence, t.c.commission_pence)
                                 .where(*where).order_by(t.c.product_code, t.c.extra_code, t.c.policy_id))
        acc: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows:
            a = acc.setdefault((r.product_code, r.extra_code),
                               {"policies": {}, "sales": 0, "premium": 0, "ipt": 0, "commission": 0})
            a["policies"][r.policy_id] = True
            a["sales"] += 1 if r.action in SALES else 0
            a["premium"] += int(r.premium_pence)
            a["ipt"] += int(r.ipt_pence)
            a["commission"] += int(r.commission_pence)
        return [ExtraWritten(product, code, tuple(a["policies"]), a["sales"], a["premium"], a["ipt"], a["commission"])
                for (product, code), a in sorted(acc.items())]

    def covers(self, product_code: str, extra_code: str) -> dict[str, list[tuple[date, date]]]:
        t = extra_lines
        latest: dict[tuple[str, int], list[dict[str, str]]] = {}
        rows = self.conn.execute(
            sa.select(t.c.policy_id, t.c.term_no, t.c.cover)
            .where(t.c.product_code == product_code, t.c.extra_code == extra_code)
            .order_by(t.c.policy_id, t.c.term_no, t.c.sequence))
        for r in rows:
            latest[(r.policy_id, r.term_no)] = r.cover
        out: dict[str, list[tuple[date, date]]] = {}
        for (pid, _term), cover in latest.items():
            out.setdefault(pid, []).extend((date.fromisoformat(p["from"]), date.fromisoformat(p["to"])) for p in cover)
        return out

    def claims(self, policy_ids: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        t = policy_transactions
        out: list[tuple[str, dict[str, Any]]] = []
        for start in range(0, len(policy_ids), 900):
            rows = self.conn.execute(sa.select(t.c.policy_id, t.c.details)
                                     .where(t.c.policy_id.in_(list(policy_ids[start:start + 900])), t.c.kind == "incident")
                                     .order_by(t.c.policy_id, t.c.sequence))
            out += [(r.policy_id, r.details["event"]) for r in rows if "event" in r.details]
        return out
