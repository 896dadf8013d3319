"""Repository of complaints and their letters (CMP-1..5, DOC-2). Nothing here commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.clocks.domain import Deadline
from covernote.clocks.store import _deadline
from covernote.complaints.domain import Complaint, Event, Status
from covernote.complaints.ports import ComplaintDue, ComplaintLetter
from covernote.kernel.calendar import Nation
from covernote.kernel.errors import Conflict, FieldIssue
from covernote.kernel.money import Money
from covernote.store.anonymise import ErasureResult, erase_rows, keep_nothing
from covernote.store.tables import complaint_letters as lt
from covernote.store.tables import complaints as t
from covernote.store.tables import deadlines, document_renditions, print_requests, retention_actions

SUBJECT_KIND = "complaint"  # the clock engine's subject kind for a complaint's deadlines
CHUNK = 900


def _complaint(r: Row[Any]) -> Complaint:
    return Complaint(
        r.id, r.kind, r.team, r.description, r.name, r.address, r.postcode, r.phone, r.email, r.policy_number,
        r.policy_id, r.customer_id, r.product_code, r.received_via, r.received_at, Nation(r.nation),
        r.alternative_format, Status(r.status), r.recorded_at, r.recorded_by, r.acknowledged_at, r.resolved_at,
        r.final_response_at, r.outcome, Money.from_pence(r.redress_pence) if r.redress_pence is not None else None,
        r.root_cause, r.root_cause_note, r.resolution, r.eight_week_letter_at, r.withdrawn_at, r.withdrawal_reason,
        r.closed_at, tuple(Event.from_dict(e) for e in r.history or []), r.version)


def _values(c: Complaint) -> dict[str, Any]:
    return dict(
        kind=c.kind, team=c.team, status=c.status.value, description=c.description, name=c.name, address=c.address,
        postcode=c.postcode, phone=c.phone, email=c.email, policy_number=c.policy_number, policy_id=c.policy_id,
        customer_id=c.customer_id, product_code=c.product_code, received_via=c.received_via,
        received_at=c.received_at, nation=c.nation.value, alternative_format=c.alternative_format,
        acknowledged_at=c.acknowledged_at, resolved_at=c.resolved_at, final_response_at=c.final_response_at,
        eight_week_letter_at=c.eight_week_letter_at, withdrawn_at=c.withdrawn_at, closed_at=c.closed_at,
        outcome=c.outcome, redress_pence=c.redress.pence if c.redress is not None else None,
        root_cause=c.root_cause, root_cause_note=c.root_cause_note, resolution=c.resolution,
        withdrawal_reason=c.withdrawal_reason, history=[e.as_dict() for e in c.history],
        recorded_at=c.recorded_at, recorded_by=c.recorded_by)


def _letter(r: Row[Any]) -> ComplaintLetter:
    return ComplaintLetter(r.id, r.complaint_id, r.customer_id, r.kind, r.format, r.production, r.channel,
                           r.body or "", r.body_html or "", r.sent_at, r.sent_by)


_ORDER = (t.c.received_at, t.c.id)


class ComplaintRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, c: Complaint) -> None:
        self.conn.execute(t.insert(), dict(id=c.complaint_id, version=c.version, **_values(c)))

    def save(self, c: Complaint) -> Complaint:
        done = self.conn.execute(t.update().where(t.c.id == c.complaint_id, t.c.version == c.version)
                                 .values(version=c.version + 1, **_values(c)))
        if done.rowcount != 1:
            raise Conflict("the complaint was changed by someone else at the same time; reload it and retry",
                           [FieldIssue("complaint_id", c.complaint_id)])
        return replace(c, version=c.version + 1)

    def get(self, complaint_id: str) -> Complaint | None:
        r = self.conn.execute(t.select().where(t.c.id == complaint_id)).first()
        return None if r is None else _complaint(r)

    def page(self, status: str | None, team: str | None, customer_id: str | None, limit: int,
             offset: int) -> list[Complaint]:
        q = t.select()
        if status is not None:
            q = q.where(t.c.status == status)
        if team is not None:
            q = q.where(t.c.team == team)
        if customer_id is not None:
            q = q.where(t.c.customer_id == customer_id)
        return [_complaint(r) for r in self.conn.execute(q.order_by(*_ORDER).limit(limit).offset(offset))]

    def for_customer(self, customer_id: str) -> list[Complaint]:
        return [_complaint(r) for r in self.conn.execute(t.select().where(t.c.customer_id == customer_id)
                                                         .order_by(*_ORDER))]

    def received_between(self, start: datetime | None, end: datetime | None) -> list[Complaint]:
        q = t.select()
        if start is not None:
            q = q.where(t.c.received_at >= start)
        if end is not None:
            q = q.where(t.c.received_at < end)
        return [_complaint(r) for r in self.conn.execute(q.order_by(*_ORDER))]

    def eight_week_candidates(self, received_before: datetime, limit: int) -> list[Complaint]:
        q = (t.select().where(t.c.status.in_([Status.RECEIVED.value, Status.ACKNOWLEDGED.value]),
                              t.c.eight_week_letter_at.is_(None), t.c.received_at < received_before)
             .order_by(*_ORDER).limit(limit))
        return [_complaint(r) for r in self.conn.execute(q)]

    def deadlines_for(self, complaint_ids: Sequence[str]) -> dict[str, list[Deadline]]:
        out: dict[str, list[Deadline]] = {cid: [] for cid in complaint_ids}
        ids = list(out)
        for start in range(0, len(ids), CHUNK):
            q = (deadlines.select().where(deadlines.c.subject_kind == SUBJECT_KIND,
                                          deadlines.c.subject_id.in_(ids[start:start + CHUNK]))
                 .order_by(deadlines.c.started_at, deadlines.c.id))
            for r in self.conn.execute(q):
                out[r.subject_id].append(_deadline(r))
        return out

    def open_windows_due_by(self, at: datetime, limit: int) -> list[Deadline]:
        d = deadlines
        q = (d.select().where(d.c.subject_kind == SUBJECT_KIND, d.c.rule == "complaint.summary_resolution",
                              d.c.met_at.is_(None), d.c.stopped_at.is_(None), d.c.due_at < at)
             .order_by(d.c.due_at, d.c.id).limit(limit))
        return [_deadline(r) for r in self.conn.execute(q)]

    # -- letters ---------------------------------------------------------------------------------------

    def add_letter(self, letter: ComplaintLetter) -> None:
        self.conn.execute(lt.insert(), dict(
            id=letter.letter_id, complaint_id=letter.complaint_id, customer_id=letter.customer_id, kind=letter.kind,
            format=letter.format, production=letter.production, channel=letter.channel, body=letter.body,
            body_html=letter.body_html, sent_at=letter.sent_at, sent_by=letter.sent_by))

    def letters(self, complaint_id: str) -> list[ComplaintLetter]:
        rows = self.conn.execute(lt.select().where(lt.c.complaint_id == complaint_id).order_by(lt.c.sent_at, lt.c.id))
        return [_letter(r) for r in rows]

    def letter(self, complaint_id: str, letter_id: str) -> ComplaintLetter | None:
        r = self.conn.execute(lt.select().where(lt.c.complaint_id == complaint_id, lt.c.id == letter_id)).first()
        return None if r is None else _letter(r)

    # -- retention ---------------------------------------------------------------------------------------

    def closed_before(self, closed_before: datetime, record_kind: str) -> list[ComplaintDue]:
        done = sa.exists().where(retention_actions.c.record_kind == record_kind,
                                 retention_actions.c.record_id == t.c.id)
        q = (sa.select(t.c.id, t.c.customer_id, t.c.closed_at)
             .where(t.c.closed_at.is_not(None), t.c.closed_at < closed_before, ~done).order_by(t.c.id))
        return [ComplaintDue(r.id, r.customer_id, r.closed_at) for r in self.conn.execute(q)]

    def anonymise(self, complaint_ids: Sequence[str], hasher: Callable[[str], str]) -> dict[str, dict[str, int]]:
        result = ErasureResult([], [], [])
        ids = list(complaint_ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            result.merge(erase_rows(self.conn, t, t.c.id.in_(chunk), keep_nothing, hasher, detail=False))
            result.merge(erase_rows(self.conn, lt, lt.c.complaint_id.in_(chunk), keep_nothing, hasher, detail=False))
            # The letters as issued documents (issue 14): their bytes and paper copies go with the letters.
            for owned in (document_renditions, print_requests):
                result.merge(erase_rows(self.conn, owned, sa.and_(owned.c.owner_kind == "complaint",
                                                                  owned.c.owner_id.in_(chunk)),
                                        keep_nothing, hasher, detail=False))
            result.merge(erase_rows(self.conn, deadlines, sa.and_(deadlines.c.subject_kind == SUBJECT_KIND,
                                                                  deadlines.c.subject_id.in_(chunk)),
                                    keep_nothing, hasher, detail=False))
        return result.counts()
