"""The continuous payment authority's notices and each policy's authority in SQL (PAY-3). Never commits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, cast

from sqlalchemy.engine import Connection

from covernote.billing.domain.notices import NoticeKind, NoticeStatus, PaymentAuthority, PaymentNotice
from covernote.kernel.errors import Conflict
from covernote.kernel.money import Money
from covernote.store.tables import payment_authorities, payment_notices

n, a = payment_notices, payment_authorities


def _notice_row(x: PaymentNotice) -> dict[str, Any]:
    return dict(id=x.notice_id, policy_id=x.policy_id, transaction_id=x.transaction_id, kind=x.kind,
                amount_pence=x.amount.pence, card_brand=x.card_brand, card_last4=x.card_last4,
                created_at=x.created_at, sent_on=x.sent_on, due_on=x.due_on, status=x.status,
                document_id=x.document_id, receipt_reference=x.receipt_reference,
                idempotency_key=x.idempotency_key, reason=x.reason, settled_at=x.settled_at, version=x.version)


def _notice(r: Any) -> PaymentNotice:
    return PaymentNotice(r.id, r.policy_id, r.transaction_id, cast(NoticeKind, r.kind),
                         Money.from_pence(int(r.amount_pence)), r.card_brand or "", r.card_last4 or "", r.created_at,
                         r.due_on,
                         cast(NoticeStatus, r.status), r.sent_on, r.document_id, r.receipt_reference,
                         r.idempotency_key, r.reason, r.settled_at, r.version)


class PaymentNoticeRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, notice: PaymentNotice) -> None:
        self.conn.execute(n.insert(), _notice_row(notice))

    def get(self, notice_id: str) -> PaymentNotice | None:
        r = self.conn.execute(n.select().where(n.c.id == notice_id)).first()
        return None if r is None else _notice(r)

    def for_policy(self, policy_id: str) -> list[PaymentNotice]:
        q = n.select().where(n.c.policy_id == policy_id).order_by(n.c.created_at, n.c.id)
        return [_notice(r) for r in self.conn.execute(q)]

    def update(self, notice: PaymentNotice) -> PaymentNotice:
        stored = replace(notice, version=notice.version + 1)
        row = _notice_row(stored)
        del row["id"]
        done = self.conn.execute(n.update().where(n.c.id == notice.notice_id, n.c.version == notice.version)
                                 .values(**row))
        if done.rowcount != 1:
            raise Conflict("the payment notice was changed by another request; retry")
        return stored

    def unsent(self, after: str | None, limit: int) -> list[PaymentNotice]:
        q = n.select().where(n.c.status.in_(("pending", "withdrawn")), n.c.document_id.is_(None))
        if after is not None:
            q = q.where(n.c.id > after)
        return [_notice(r) for r in self.conn.execute(q.order_by(n.c.id).limit(limit))]

    def due(self, day: date, after: str | None, limit: int) -> list[PaymentNotice]:
        q = n.select().where(n.c.status == "pending", n.c.document_id.is_not(None), n.c.due_on <= day)
        if after is not None:
            q = q.where(n.c.id > after)
        return [_notice(r) for r in self.conn.execute(q.order_by(n.c.id).limit(limit))]

    def page(self, due_on: date | None, status: NoticeStatus | None, limit: int, offset: int) -> list[PaymentNotice]:
        q = n.select()
        if due_on is not None:
            q = q.where(n.c.due_on == due_on)
        if status is not None:
            q = q.where(n.c.status == status)
        q = q.order_by(n.c.due_on, n.c.id).limit(limit).offset(offset)
        return [_notice(r) for r in self.conn.execute(q)]


def _authority_row(x: PaymentAuthority) -> dict[str, Any]:
    return dict(policy_id=x.policy_id, granted_at=x.granted_at, granted_by=x.granted_by,
                withdrawn_at=x.withdrawn_at, withdrawn_by=x.withdrawn_by, answer_by=x.answer_by,
                letter_document_id=x.letter_document_id, cancellation_due_on=x.cancellation_due_on,
                version=x.version)


def _authority(r: Any) -> PaymentAuthority:
    return PaymentAuthority(r.policy_id, r.granted_at, r.granted_by, r.withdrawn_at, r.withdrawn_by, r.answer_by,
                            r.letter_document_id, r.cancellation_due_on, r.version)


class PaymentAuthorityRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, authority: PaymentAuthority) -> None:
        self.conn.execute(a.insert(), _authority_row(authority))

    def get(self, policy_id: str) -> PaymentAuthority | None:
        r = self.conn.execute(a.select().where(a.c.policy_id == policy_id)).first()
        return None if r is None else _authority(r)

    def update(self, authority: PaymentAuthority) -> PaymentAuthority:
        stored = replace(authority, version=authority.version + 1)
        row = _authority_row(stored)
        del row["policy_id"]
        done = self.conn.execute(a.update().where(a.c.policy_id == authority.policy_id,
                                                  a.c.version == authority.version).values(**row))
        if done.rowcount != 1:
            raise Conflict("the payment authority was changed by another request; retry")
        return stored

    def letters_unsent(self, limit: int) -> list[PaymentAuthority]:
        q = (a.select().where(a.c.withdrawn_at.is_not(None), a.c.letter_document_id.is_(None))
             .order_by(a.c.policy_id).limit(limit))
        return [_authority(r) for r in self.conn.execute(q)]

    def answers_overdue(self, day: date, limit: int) -> list[PaymentAuthority]:
        q = (a.select().where(a.c.withdrawn_at.is_not(None), a.c.cancellation_due_on.is_(None),
                              a.c.answer_by < day)
             .order_by(a.c.answer_by, a.c.policy_id).limit(limit))
        return [_authority(r) for r in self.conn.execute(q)]


__all__ = ["PaymentAuthorityRepo", "PaymentNoticeRepo"]
