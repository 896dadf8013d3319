"""Repositories of the privacy registers: legal holds, fraud markers and disclosures (issue 3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.kernel.errors import Conflict
from covernote.privacy.ports import Disclosure, FraudMarker, LegalHold
from covernote.store.bulk import any_of
from covernote.store.tables import disclosures, fraud_markers, legal_holds, policies, policy_transactions


def _hold(r: Row[Any]) -> LegalHold:
    return LegalHold(r.id, r.scope, r.scope_id, r.customer_id, r.reason, r.set_by, r.set_at, r.review_on,
                     r.released_at, r.released_by, r.release_reason)


class LegalHoldRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, h: LegalHold) -> None:
        self.conn.execute(legal_holds.insert(), dict(
            id=h.hold_id, scope=h.scope, scope_id=h.scope_id, customer_id=h.customer_id, reason=h.reason,
            set_by=h.set_by, set_at=h.set_at, review_on=h.review_on, released_at=h.released_at,
            released_by=h.released_by, release_reason=h.release_reason))

    def get(self, hold_id: str) -> LegalHold | None:
        r = self.conn.execute(legal_holds.select().where(legal_holds.c.id == hold_id)).first()
        return None if r is None else _hold(r)

    def release(self, hold_id: str, at: datetime, by: str, reason: str) -> None:
        done = self.conn.execute(legal_holds.update().where(legal_holds.c.id == hold_id,
                                                            legal_holds.c.released_at.is_(None))
                                 .values(released_at=at, released_by=by, release_reason=reason))
        if done.rowcount != 1:
            raise Conflict("the legal hold is already released")

    def for_customer(self, customer_id: str, active_only: bool = True) -> list[LegalHold]:
        q = legal_holds.select().where(legal_holds.c.customer_id == customer_id)
        if active_only:
            q = q.where(legal_holds.c.released_at.is_(None))
        return [_hold(r) for r in self.conn.execute(q.order_by(legal_holds.c.set_at, legal_holds.c.id))]

    def held_customer_ids(self, customer_ids: Sequence[str]) -> set[str]:
        if not customer_ids:
            return set()
        rows = self.conn.execute(sa.select(legal_holds.c.customer_id).distinct().where(
            any_of(self.conn, legal_holds.c.customer_id, customer_ids), legal_holds.c.released_at.is_(None)))
        return {r[0] for r in rows}

    def page(self, active_only: bool, limit: int, offset: int, review_due_on: date | None = None,
             customer_id: str | None = None) -> list[LegalHold]:
        q = legal_holds.select()
        if active_only or review_due_on is not None:
            q = q.where(legal_holds.c.released_at.is_(None))
        if review_due_on is not None:
            q = q.where(legal_holds.c.review_on <= review_due_on)
        if customer_id is not None:
            q = q.where(legal_holds.c.customer_id == customer_id)
        q = q.order_by(legal_holds.c.review_on, legal_holds.c.id).limit(limit).offset(offset)
        return [_hold(r) for r in self.conn.execute(q)]

    def claim_owners(self, reference: str) -> list[tuple[str, str]]:
        """A claim is recorded as an incident transaction whose details carry `event.reference`."""
        ref = policy_transactions.c.details[("event", "reference")].as_string()
        rows = self.conn.execute(
            sa.select(policies.c.id, policies.c.customer_id).distinct()
            .select_from(policy_transactions.join(policies, policies.c.id == policy_transactions.c.policy_id))
            .where(policy_transactions.c.kind == "incident", ref == reference)
            .order_by(policies.c.id))
        return [(r[0], r[1]) for r in rows]


def _marker(r: Row[Any]) -> FraudMarker:
    return FraudMarker(r.id, r.customer_id, r.policy_id, r.reason, r.source, r.reference, r.recorded_at,
                       r.recorded_by, r.removed_at, r.removed_by, r.removal_reason)


class FraudMarkerRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _values(m: FraudMarker) -> dict[str, Any]:
        return dict(id=m.marker_id, customer_id=m.customer_id, policy_id=m.policy_id, reason=m.reason, source=m.source,
                    reference=m.reference, recorded_at=m.recorded_at, recorded_by=m.recorded_by,
                    removed_at=m.removed_at, removed_by=m.removed_by, removal_reason=m.removal_reason)

    def add(self, m: FraudMarker) -> None:
        self.conn.execute(fraud_markers.insert(), self._values(m))

    def add_many(self, markers: Sequence[FraudMarker]) -> None:
        if markers:
            self.conn.execute(fraud_markers.insert(), [self._values(m) for m in markers])

    def get(self, marker_id: str) -> FraudMarker | None:
        r = self.conn.execute(fraud_markers.select().where(fraud_markers.c.id == marker_id)).first()
        return None if r is None else _marker(r)

    def remove(self, marker_id: str, at: datetime, by: str, reason: str | None = None) -> None:
        done = self.conn.execute(fraud_markers.update().where(fraud_markers.c.id == marker_id,
                                                              fraud_markers.c.removed_at.is_(None))
                                 .values(removed_at=at, removed_by=by, removal_reason=reason))
        if done.rowcount != 1:
            raise Conflict("the fraud marker is already removed")

    def for_customer(self, customer_id: str, active_only: bool = True) -> list[FraudMarker]:
        q = fraud_markers.select().where(fraud_markers.c.customer_id == customer_id)
        if active_only:
            q = q.where(fraud_markers.c.removed_at.is_(None))
        return [_marker(r) for r in self.conn.execute(q.order_by(fraud_markers.c.recorded_at, fraud_markers.c.id))]

    def marked_customer_ids(self, customer_ids: Sequence[str]) -> set[str]:
        if not customer_ids:
            return set()
        rows = self.conn.execute(sa.select(fraud_markers.c.customer_id).distinct().where(
            any_of(self.conn, fraud_markers.c.customer_id, customer_ids), fraud_markers.c.removed_at.is_(None)))
        return {r[0] for r in rows}


class DisclosureRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _values(d: Disclosure) -> dict[str, Any]:
        return dict(id=d.disclosure_id, customer_id=d.customer_id, policy_id=d.policy_id, recipient=d.recipient,
                    recipient_kind=d.recipient_kind, purpose=d.purpose, basis=d.basis, categories=list(d.categories),
                    disclosed_at=d.disclosed_at, reference=d.reference, via=d.via, recorded_by=d.recorded_by,
                    withheld_from_subject=d.withheld_from_subject, withheld_reason=d.withheld_reason)

    def add(self, d: Disclosure) -> None:
        self.conn.execute(disclosures.insert(), self._values(d))

    def add_many(self, items: Sequence[Disclosure]) -> None:
        if items:
            self.conn.execute(disclosures.insert(), [self._values(d) for d in items])

    def for_customer(self, customer_id: str, include_withheld: bool = False) -> list[Disclosure]:
        q = disclosures.select().where(disclosures.c.customer_id == customer_id)
        if not include_withheld:
            q = q.where(sa.not_(disclosures.c.withheld_from_subject))
        rows = self.conn.execute(q.order_by(disclosures.c.disclosed_at, disclosures.c.id))
        return [self._disclosure(r) for r in rows]

    @staticmethod
    def _disclosure(r: Row[Any]) -> Disclosure:
        return Disclosure(r.id, r.customer_id, r.policy_id, r.recipient, r.recipient_kind, r.purpose, r.basis,
                          tuple(r.categories), r.disclosed_at, r.reference, r.via, r.recorded_by,
                          bool(r.withheld_from_subject), r.withheld_reason)

    def get(self, disclosure_id: str) -> Disclosure | None:
        r = self.conn.execute(disclosures.select().where(disclosures.c.id == disclosure_id)).first()
        return None if r is None else self._disclosure(r)

    def set_withheld(self, disclosure_id: str, withheld: bool, reason: str | None) -> None:
        self.conn.execute(disclosures.update().where(disclosures.c.id == disclosure_id)
                          .values(withheld_from_subject=withheld, withheld_reason=reason))
