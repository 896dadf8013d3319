"""Consent decisions in SQL (PRV-2). Nothing here commits."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from covernote.privacy.domain.consent import Channel, ConsentDecision, ConsentPurpose, Source
from covernote.store.tables import (
    consent_decisions,
)


class ConsentRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, d: ConsentDecision) -> None:
        self.conn.execute(consent_decisions.insert(), dict(
            id=d.decision_id, customer_id=d.customer_id, channel=d.channel.value, purpose=d.purpose.value,
            granted=d.granted, wording=d.wording, source=d.source.value, recorded_at=d.recorded_at,
            recorded_by=d.recorded_by))

    def for_customer(self, customer_id: str) -> list[ConsentDecision]:
        rows = self.conn.execute(consent_decisions.select().where(consent_decisions.c.customer_id == customer_id)
                                 .order_by(consent_decisions.c.recorded_at, consent_decisions.c.id))
        return [ConsentDecision(r.customer_id, Channel(r.channel), ConsentPurpose(r.purpose), r.granted, r.wording,
                                Source(r.source), r.recorded_at, r.recorded_by, r.id) for r in rows]
