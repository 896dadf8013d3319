"""Repository of claims (issue 5 parts 2 and 3): the claim, the other people in it, its append-only
events, correspondence, documents checklist and payments, and what the reconciliation needs to check a
claim's ledger postings against its recorded reserve and payments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.claims.domain import (
    CLAIM_ACCOUNTS,
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimPayment,
    ClaimStatus,
    Correspondence,
    Party,
)
from covernote.kernel.errors import Conflict
from covernote.kernel.money import Money
from covernote.store.tables import (
    claim_correspondence,
    claim_documents,
    claim_events,
    claim_parties,
    claim_payments,
    claims,
    journal_entries,
    postings,
)


def _money(pence: int | None) -> Money | None:
    return None if pence is None else Money.from_pence(int(pence))


def _claim(r: Row[Any]) -> Claim:
    return Claim(
        r.id, r.policy_id, r.policy_number, r.customer_id, r.term_no, r.incident_transaction_id, r.claim_type,
        r.total_loss, r.occurred_at, r.loss_description, r.circumstances, r.location, r.anyone_injured,
        r.injury_details, r.crime_reference, r.police_incident_number, r.policyholder_name, r.policyholder_address,
        r.policyholder_postcode, r.nation, r.notified_at, r.notified_by, ClaimStatus(r.status), r.close_reason,
        _money(r.settlement_pence), r.settlement_agreed_at, Money.from_pence(r.reserve_pence),
        Money.from_pence(r.paid_pence), r.settled_at, r.closed_at, r.version)


def _state(c: Claim) -> dict[str, Any]:
    """The columns that change after notification."""
    return dict(status=c.status.value, close_reason=c.close_reason,
                settlement_pence=None if c.settlement_amount is None else c.settlement_amount.pence,
                settlement_agreed_at=c.settlement_agreed_at, reserve_pence=c.reserve.pence, paid_pence=c.paid.pence,
                settled_at=c.settled_at, closed_at=c.closed_at)


class ClaimRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- the claim ---------------------------------------------------------------------------------------

    def add(self, c: Claim, parties: Sequence[Party], recorded_by: str) -> None:
        self.conn.execute(claims.insert(), dict(
            id=c.claim_id, policy_id=c.policy_id, customer_id=c.customer_id, term_no=c.term_no,
            incident_transaction_id=c.incident_transaction_id, policy_number=c.policy_number,
            claim_type=c.claim_type, total_loss=c.total_loss, occurred_at=c.occurred_at,
            loss_description=c.loss_description, circumstances=c.circumstances, location=c.location,
            anyone_injured=c.anyone_injured, injury_details=c.injury_details, crime_reference=c.crime_reference,
            police_incident_number=c.police_incident_number, policyholder_name=c.policyholder_name,
            policyholder_address=c.policyholder_address, policyholder_postcode=c.policyholder_postcode,
            nation=c.nation, notified_at=c.notified_at, notified_by=c.notified_by, version=c.version, **_state(c)))
        if parties:
            self.conn.execute(claim_parties.insert(), [dict(
                id=p.party_id, claim_id=c.claim_id, customer_id=c.customer_id, role=p.role, name=p.name,
                address=p.address, phone=p.phone, vehicle_registration=p.vehicle_registration, insurer=p.insurer,
                policy_number=p.policy_number, recorded_at=c.notified_at, recorded_by=recorded_by) for p in parties])

    def get(self, claim_id: str) -> Claim | None:
        r = self.conn.execute(claims.select().where(claims.c.id == claim_id)).first()
        return None if r is None else _claim(r)

    def save(self, c: Claim) -> Claim:
        """Store a changed claim if nobody changed it since it was read (its version); Conflict otherwise."""
        done = self.conn.execute(claims.update().where(claims.c.id == c.claim_id, claims.c.version == c.version)
                                 .values(version=c.version + 1, **_state(c)))
        if done.rowcount != 1:
            raise Conflict("the claim was changed by someone else at the same time; reload it and retry")
        return replace(c, version=c.version + 1)

    def page(self, customer_id: str | None, policy_id: str | None, status: str | None, limit: int,
             offset: int) -> list[Claim]:
        q = claims.select()
        if customer_id is not None:
            q = q.where(claims.c.customer_id == customer_id)
        if policy_id is not None:
            q = q.where(claims.c.policy_id == policy_id)
        if status is not None:
            q = q.where(claims.c.status == status)
        q = q.order_by(claims.c.notified_at.desc(), claims.c.id.desc()).limit(limit).offset(offset)
        return [_claim(r) for r in self.conn.execute(q)]

    def for_customer(self, customer_id: str) -> list[Claim]:
        q = claims.select().where(claims.c.customer_id == customer_id).order_by(claims.c.notified_at, claims.c.id)
        return [_claim(r) for r in self.conn.execute(q)]

    def parties(self, claim_id: str) -> list[Party]:
        q = claim_parties.select().where(claim_parties.c.claim_id == claim_id).order_by(claim_parties.c.id)
        return [Party(r.role, r.name, r.address, r.phone, r.vehicle_registration, r.insurer, r.policy_number, r.id)
                for r in self.conn.execute(q)]

    # -- history --------------------------------------------------------------------------------------------

    def add_event(self, customer_id: str, e: ClaimEvent) -> None:
        self.conn.execute(claim_events.insert(), dict(
            id=e.event_id, claim_id=e.claim_id, customer_id=customer_id, at=e.at, actor_id=e.actor_id,
            actor_role=e.actor_role, kind=e.kind, from_status=e.from_status, to_status=e.to_status,
            amount_pence=None if e.amount is None else e.amount.pence, journal_entry_id=e.journal_entry_id,
            note=e.note or None))

    def events(self, claim_id: str) -> list[ClaimEvent]:
        q = claim_events.select().where(claim_events.c.claim_id == claim_id).order_by(claim_events.c.at,
                                                                                      claim_events.c.id)
        return [ClaimEvent(r.id, r.claim_id, r.at, r.actor_id, r.actor_role, r.kind, r.from_status, r.to_status,
                           _money(r.amount_pence), r.journal_entry_id, r.note or "") for r in self.conn.execute(q)]

    # -- correspondence -------------------------------------------------------------------------------------

    def add_correspondence(self, customer_id: str, item: Correspondence) -> None:
        self.conn.execute(claim_correspondence.insert(), dict(
            id=item.item_id, claim_id=item.claim_id, customer_id=customer_id, direction=item.direction,
            channel=item.channel, summary=item.summary, at=item.at, answers=list(item.answers),
            recorded_at=item.recorded_at, recorded_by=item.recorded_by))

    def correspondence(self, claim_id: str) -> list[Correspondence]:
        t = claim_correspondence
        q = t.select().where(t.c.claim_id == claim_id).order_by(t.c.at, t.c.id)
        return [Correspondence(r.id, r.claim_id, r.direction, r.channel, r.summary, r.at, tuple(r.answers or ()),
                               r.recorded_at, r.recorded_by) for r in self.conn.execute(q)]

    # -- documents ------------------------------------------------------------------------------------------

    def add_documents(self, customer_id: str, docs: Sequence[ClaimDocument]) -> None:
        if docs:
            self.conn.execute(claim_documents.insert(), [dict(
                id=d.document_id, claim_id=d.claim_id, customer_id=customer_id, name=d.name,
                requested_at=d.requested_at, requested_by=d.requested_by, received_at=d.received_at,
                received_recorded_by=d.received_recorded_by) for d in docs])

    def documents(self, claim_id: str) -> list[ClaimDocument]:
        t = claim_documents
        q = t.select().where(t.c.claim_id == claim_id).order_by(t.c.requested_at, t.c.id)
        return [ClaimDocument(r.id, r.claim_id, r.name, r.requested_at, r.requested_by, r.received_at,
                              r.received_recorded_by) for r in self.conn.execute(q)]

    def mark_received(self, doc: ClaimDocument) -> None:
        """Record a document received, if it was not already (Conflict otherwise)."""
        t = claim_documents
        done = self.conn.execute(t.update().where(t.c.id == doc.document_id, t.c.received_at.is_(None)).values(
            received_at=doc.received_at, received_recorded_by=doc.received_recorded_by))
        if done.rowcount != 1:
            raise Conflict(f"{doc.name} was recorded as received by someone else at the same time")

    # -- payments -------------------------------------------------------------------------------------------

    def add_payment(self, customer_id: str, p: ClaimPayment) -> None:
        self.conn.execute(claim_payments.insert(), dict(
            id=p.payment_id, claim_id=p.claim_id, customer_id=customer_id, amount_pence=p.amount.pence,
            payee=p.payee, reference=p.reference, paid_at=p.paid_at, recorded_by=p.recorded_by,
            journal_entry_id=p.journal_entry_id))

    def payments(self, claim_id: str) -> list[ClaimPayment]:
        t = claim_payments
        q = t.select().where(t.c.claim_id == claim_id).order_by(t.c.paid_at, t.c.id)
        return [ClaimPayment(r.id, r.claim_id, Money.from_pence(r.amount_pence), r.payee, r.reference, r.paid_at,
                             r.recorded_by, r.journal_entry_id) for r in self.conn.execute(q)]

    # -- reconciliation -------------------------------------------------------------------------------------

    def ledger_check(self) -> list[tuple[str, str, int, int, dict[str, int]]]:
        """(claim id, policy id, outstanding reserve pence, paid pence, {claim account: pence posted}) for
        every claim: the postings of entries made for the claim (their transaction is the claim's incident
        transaction) on the claim accounts."""
        posted = (sa.select(claims.c.id, postings.c.account, sa.func.sum(postings.c.amount_pence))
                  .select_from(claims.join(journal_entries,
                                           journal_entries.c.transaction_id == claims.c.incident_transaction_id)
                               .join(postings, postings.c.entry_id == journal_entries.c.id))
                  .where(postings.c.account.in_(CLAIM_ACCOUNTS))
                  .group_by(claims.c.id, postings.c.account))
        totals: dict[str, dict[str, int]] = {}
        for claim_id, account, total in self.conn.execute(posted):
            totals.setdefault(claim_id, {})[account] = int(total)
        rows = self.conn.execute(sa.select(claims.c.id, claims.c.policy_id, claims.c.reserve_pence,
                                           claims.c.paid_pence).order_by(claims.c.id))
        return [(r.id, r.policy_id, int(r.reserve_pence), int(r.paid_pence), totals.get(r.id, {})) for r in rows]

    def stray_postings(self) -> list[tuple[str, str, int]]:
        """(entry id, account, pence) of postings on a claim account in an entry that is not a claim's."""
        q = (sa.select(postings.c.entry_id, postings.c.account, postings.c.amount_pence)
             .select_from(postings.join(journal_entries, postings.c.entry_id == journal_entries.c.id))
             .where(postings.c.account.in_(CLAIM_ACCOUNTS),
                    ~sa.exists().where(claims.c.incident_transaction_id == journal_entries.c.transaction_id))
             .order_by(postings.c.entry_id, postings.c.line_no))
        return [(r.entry_id, r.account, int(r.amount_pence)) for r in self.conn.execute(q)]
