"""Repository of the breach register (PRV-8), and the search for the people a breach affects, driven by
the data map: each location (`table.column` or `table.column:json.path`) is tied to the customer its
row belongs to (the customers row itself, a `customer_id` column, or a `policy_id` through the policy),
so a table added later with either column is searched without a change here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.kernel.declarations import Erasure, PersonalData, PersonalInside
from covernote.kernel.errors import Conflict
from covernote.privacy.ports import Breach, BreachAffected
from covernote.store.anonymise import HASH_PREFIX
from covernote.store.tables import breach_affected, breaches, metadata, policies, quotes, subject_keys

# The column that says when a row was written, by preference: the record-creation window filters on it.
_TIME_COLUMNS = ("created_at", "recorded_at", "set_at", "updated_at", "at")
_BATCH = 500


def _breach(r: Row[Any]) -> Breach:
    return Breach(r.id, r.title, r.description, r.occurred_at, r.aware_at, tuple(r.categories), dict(r.scope),
                  r.recorded_at, r.recorded_by, r.risk, r.risk_reason, r.assessed_at, r.assessed_by,
                  r.ico_reported_at, r.ico_reference, r.closed_at, r.closed_by, r.closure_note)


def _has_value(col: sa.Column[Any]) -> sa.ColumnElement[bool]:
    """The column holds something: not NULL, and for text not empty nor already erased to a keyed hash."""
    if isinstance(col.type, sa.String | sa.Text):
        return sa.and_(col.is_not(None), col != "", sa.not_(col.startswith(HASH_PREFIX, autoescape=True)))
    return col.is_not(None)


def _declaration(col: sa.Column[Any], path: str | None) -> PersonalData | None:
    d = col.info.get("privacy")
    if isinstance(d, PersonalInside):
        return d.paths.get(path or "")
    return d if isinstance(d, PersonalData) else None


class BreachRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- the register ------------------------------------------------------------------------------

    def add(self, b: Breach) -> None:
        self.conn.execute(breaches.insert(), dict(
            id=b.breach_id, title=b.title, description=b.description, occurred_at=b.occurred_at,
            aware_at=b.aware_at, categories=list(b.categories), scope=b.scope, risk=b.risk, risk_reason=b.risk_reason,
            assessed_at=b.assessed_at, assessed_by=b.assessed_by, ico_reported_at=b.ico_reported_at,
            ico_reference=b.ico_reference, recorded_at=b.recorded_at, recorded_by=b.recorded_by,
            closed_at=b.closed_at, closed_by=b.closed_by, closure_note=b.closure_note))

    def get(self, breach_id: str) -> Breach | None:
        r = self.conn.execute(breaches.select().where(breaches.c.id == breach_id)).first()
        return None if r is None else _breach(r)

    def page(self, limit: int, offset: int, closed: bool | None = None) -> list[Breach]:
        q = breaches.select()
        if closed is not None:
            q = q.where(breaches.c.closed_at.is_not(None) if closed else breaches.c.closed_at.is_(None))
        q = q.order_by(breaches.c.aware_at.desc(), breaches.c.id.desc()).limit(limit).offset(offset)
        return [_breach(r) for r in self.conn.execute(q)]

    def assess(self, breach_id: str, risk: str, reason: str | None, at: datetime, by: str) -> None:
        q = breaches.update().where(breaches.c.id == breach_id, breaches.c.closed_at.is_(None))
        if risk == "unlikely":
            q = q.where(breaches.c.ico_reported_at.is_(None))
        done = self.conn.execute(q.values(risk=risk, risk_reason=reason, assessed_at=at, assessed_by=by))
        if done.rowcount != 1:
            raise Conflict("the breach is closed, or it has been reported to the ICO and cannot now be judged "
                           "unlikely to risk people's rights")

    def report_to_ico(self, breach_id: str, at: datetime, reference: str) -> None:
        done = self.conn.execute(breaches.update().where(
            breaches.c.id == breach_id, breaches.c.ico_reported_at.is_(None), breaches.c.risk.in_(("risk", "high")),
            breaches.c.closed_at.is_(None))
            .values(ico_reported_at=at, ico_reference=reference))
        if done.rowcount != 1:
            raise Conflict("the breach is closed, already reported, or its risk decision does not call for a report")

    def close(self, breach_id: str, at: datetime, by: str, note: str) -> None:
        done = self.conn.execute(breaches.update().where(breaches.c.id == breach_id, breaches.c.closed_at.is_(None))
                                 .values(closed_at=at, closed_by=by, closure_note=note))
        if done.rowcount != 1:
            raise Conflict("the breach is already closed")

    # -- the people affected -----------------------------------------------------------------------

    def find_affected(self, locations: Sequence[str], *, product_codes: Sequence[str] = (),
                      customer_ids: Sequence[str] = (), created_from: datetime | None = None,
                      created_to: datetime | None = None) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
        by_column: dict[tuple[str, str], list[str]] = {}
        unmapped: list[dict[str, str]] = []
        for location in locations:
            column_ref = location.split(":", 1)[0]
            table_name, _, column_name = column_ref.partition(".")
            table = metadata.tables.get(table_name)
            if table is None or column_name not in table.c:
                unmapped.append({"field": location, "reason": "not a stored field of this schema"})
                continue
            by_column.setdefault((table_name, column_name), []).append(location)
        found: dict[str, set[str]] = {}
        for (table_name, column_name), locs in sorted(by_column.items()):
            table = metadata.tables[table_name]
            col = table.c[column_name]
            owner, joined = self._owner(table)
            if owner is None:
                unmapped.extend({"field": loc, "reason": "its rows are not tied to a customer"} for loc in locs)
                continue
            q = sa.select(owner).distinct().select_from(joined).where(owner.is_not(None), _has_value(col))
            if created_from is not None or created_to is not None:
                when = next((table.c[n] for n in _TIME_COLUMNS if n in table.c), None)
                if when is None:
                    unmapped.extend({"field": loc, "reason": "its rows carry no time to match the window"}
                                    for loc in locs)
                    continue
                if created_from is not None:
                    q = q.where(when >= created_from)
                if created_to is not None:
                    q = q.where(when < created_to)
            if customer_ids:
                q = q.where(owner.in_(list(customer_ids)))
            if product_codes:
                q = q.where(self._product_condition(table, owner, product_codes))
            if any((d := _declaration(col, loc.partition(":")[2] or None)) is not None
                   and d.erasure == Erasure.ENCRYPT_DROP_KEY for loc in locs):
                # Encrypted with the person's data key: once the key is gone the value is unreadable.
                q = q.where(sa.exists().where(subject_keys.c.customer_id == owner))
            for (cid,) in self.conn.execute(q):
                found.setdefault(cid, set()).update(locs)
        return {cid: sorted(locs) for cid, locs in sorted(found.items())}, unmapped

    @staticmethod
    def _owner(table: sa.Table) -> tuple[sa.ColumnElement[Any] | None, sa.FromClause]:
        """The expression giving a row's customer, and what to select it from."""
        if table.name == "customers":
            return table.c.id, table
        if "customer_id" in table.c:
            return table.c.customer_id, table
        if "policy_id" in table.c:
            return policies.c.customer_id, table.join(policies, policies.c.id == table.c.policy_id)
        return None, table

    @staticmethod
    def _product_condition(table: sa.Table, owner: sa.ColumnElement[Any],
                           codes: Sequence[str]) -> sa.ColumnElement[bool]:
        """A row about a policy or a quote counts only for those products; any other row counts when its
        customer has (or had) a policy or a quote of one of them."""
        codes = list(codes)
        quote_of = sa.or_(*(quotes.c.product_ref.startswith(f"{c}@", autoescape=True) for c in codes))
        if table.name == "policies" or ("policy_id" in table.c and "customer_id" not in table.c):
            return policies.c.product_code.in_(codes)
        if table.name == "quotes":
            return quote_of
        return sa.or_(owner.in_(sa.select(policies.c.customer_id).where(policies.c.product_code.in_(codes))),
                      owner.in_(sa.select(quotes.c.customer_id).where(quote_of)))

    def add_affected(self, breach_id: str, found: dict[str, list[str]]) -> None:
        rows = [dict(breach_id=breach_id, customer_id=cid, found_via=locs, notified_at=None, notified_channel=None)
                for cid, locs in found.items()]
        for i in range(0, len(rows), _BATCH):
            self.conn.execute(breach_affected.insert(), rows[i:i + _BATCH])

    def affected(self, breach_id: str, limit: int, offset: int) -> list[BreachAffected]:
        rows = self.conn.execute(breach_affected.select().where(breach_affected.c.breach_id == breach_id)
                                 .order_by(breach_affected.c.customer_id).limit(limit).offset(offset))
        return [BreachAffected(r.breach_id, r.customer_id, tuple(r.found_via), r.notified_at, r.notified_channel)
                for r in rows]

    def affected_status(self, breach_id: str, customer_ids: Sequence[str]) -> dict[str, datetime | None]:
        out: dict[str, datetime | None] = {}
        ids = list(dict.fromkeys(customer_ids))
        for i in range(0, len(ids), _BATCH):
            rows = self.conn.execute(sa.select(breach_affected.c.customer_id, breach_affected.c.notified_at).where(
                breach_affected.c.breach_id == breach_id, breach_affected.c.customer_id.in_(ids[i:i + _BATCH])))
            out.update({r[0]: r[1] for r in rows})
        return out

    def counts(self, breach_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        if not breach_ids:
            return {}
        rows = self.conn.execute(
            sa.select(breach_affected.c.breach_id, sa.func.count(), sa.func.count(breach_affected.c.notified_at))
            .where(breach_affected.c.breach_id.in_(list(breach_ids))).group_by(breach_affected.c.breach_id))
        out = {bid: (0, 0) for bid in breach_ids}
        out.update({r[0]: (int(r[1]), int(r[2])) for r in rows})
        return out

    def notify(self, breach_id: str, customer_ids: Sequence[str] | None, at: datetime, channel: str) -> int:
        base = breach_affected.update().where(breach_affected.c.breach_id == breach_id,
                                              breach_affected.c.notified_at.is_(None))
        if customer_ids is None:
            return int(self.conn.execute(base.values(notified_at=at, notified_channel=channel)).rowcount)
        ids = list(dict.fromkeys(customer_ids))
        done = 0
        for i in range(0, len(ids), _BATCH):
            done += int(self.conn.execute(base.where(breach_affected.c.customer_id.in_(ids[i:i + _BATCH]))
                                          .values(notified_at=at, notified_channel=channel)).rowcount)
        return done
