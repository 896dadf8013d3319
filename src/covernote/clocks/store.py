"""Repository of deadlines (the clock engine, issue 5). A deadline row is the domain's Deadline plus the
due instant as at its last change, which the due-soon and overdue report filters on: a running pause only
moves the true due instant later, so the stored one never misses a deadline that is due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.clocks.domain import Deadline, Pause
from covernote.kernel.calendar import Nation
from covernote.kernel.errors import Conflict
from covernote.store.tables import deadlines as t


def _pauses(d: Deadline) -> list[dict[str, Any]]:
    return [{"start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None, "reason": p.reason}
            for p in d.pauses]


def _deadline(r: Row[Any]) -> Deadline:
    pauses = tuple(Pause(datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"]) if p["end"] else None,
                         p.get("reason") or "") for p in r.pauses)
    return Deadline(r.id, r.rule, r.subject_kind, r.subject_id, r.team, Nation(r.nation), r.started_at, pauses,
                    r.met_at, r.stopped_at, r.stop_reason, r.note or "", r.version)


class DeadlineRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, d: Deadline, customer_id: str | None, due_at: datetime) -> None:
        self.conn.execute(t.insert(), dict(
            id=d.deadline_id, rule=d.rule_code, subject_kind=d.subject_kind, subject_id=d.subject_id,
            customer_id=customer_id, team=d.team, nation=d.nation.value, started_at=d.started_at, due_at=due_at,
            pauses=_pauses(d), met_at=d.met_at, stopped_at=d.stopped_at, stop_reason=d.stop_reason, note=d.note,
            version=d.version))

    def update(self, d: Deadline, due_at: datetime) -> Deadline:
        """Store a changed deadline if nobody changed it since it was read (its version); Conflict otherwise."""
        done = self.conn.execute(t.update().where(t.c.id == d.deadline_id, t.c.version == d.version).values(
            due_at=due_at, pauses=_pauses(d), met_at=d.met_at, stopped_at=d.stopped_at, stop_reason=d.stop_reason,
            version=d.version + 1))
        if done.rowcount != 1:
            raise Conflict("the deadline was changed by someone else at the same time; reload it and retry")
        return replace(d, version=d.version + 1)

    def get(self, deadline_id: str) -> Deadline | None:
        r = self.conn.execute(t.select().where(t.c.id == deadline_id)).first()
        return None if r is None else _deadline(r)

    def customer_of(self, deadline_id: str) -> str | None:
        return self.conn.execute(sa.select(t.c.customer_id).where(t.c.id == deadline_id)).scalar()

    def for_subject(self, subject_kind: str, subject_id: str) -> list[Deadline]:
        q = t.select().where(t.c.subject_kind == subject_kind, t.c.subject_id == subject_id).order_by(
            t.c.started_at, t.c.id)
        return [_deadline(r) for r in self.conn.execute(q)]

    def open_due_by(self, horizon: datetime, teams: Sequence[str] | None, limit: int) -> list[Deadline]:
        """Open deadlines (not met, not stopped) whose stored due instant is before `horizon`, soonest
        first: every deadline that may be due soon or overdue (the caller recomputes the exact state)."""
        q = t.select().where(t.c.met_at.is_(None), t.c.stopped_at.is_(None), t.c.due_at < horizon)
        if teams:
            q = q.where(t.c.team.in_(list(teams)))
        return [_deadline(r) for r in self.conn.execute(q.order_by(t.c.due_at, t.c.id).limit(limit))]

    def open_for_customer(self, customer_id: str, limit: int) -> list[Deadline]:
        q = t.select().where(t.c.customer_id == customer_id, t.c.met_at.is_(None), t.c.stopped_at.is_(None))
        return [_deadline(r) for r in self.conn.execute(q.order_by(t.c.due_at, t.c.id).limit(limit))]

    def started_between(self, start: datetime | None, end: datetime | None,
                        teams: Sequence[str] | None) -> list[Deadline]:
        q = t.select()
        if start is not None:
            q = q.where(t.c.started_at >= start)
        if end is not None:
            q = q.where(t.c.started_at < end)
        if teams:
            q = q.where(t.c.team.in_(list(teams)))
        return [_deadline(r) for r in self.conn.execute(q.order_by(t.c.started_at, t.c.id))]
