"""The continuous payment authority (PAY-3, S3's "Continuous Payment" paragraph): its rules, pure.

S3: "we reserve the right to automatically collect renewal premiums, add additional payments or make refunds to
your ... debit or credit card details we hold on file ... You will be notified in writing 14 days prior to any
request for additional payment or refund ... Should you not agree with the continuous payment authority ... your
insurance may be cancelled with the relevant cancellation fee to be charged."

How a transaction's money is settled (`how_to_settle`):
  * new business: the customer is present and pays now (as before);
  * a cancellation within the cooling-off period of the first term: the refund returns the payment the customer
    made themselves at the start (in person, not under the authority), so it is paid back at once;
  * everything else that moves money on a card (an adjustment, a renewal, a Smartbox return's refund, a
    telematics re-rating, any other cancellation): a written notice first, the money taken or paid
    `notice_days` calendar days after the notice is sent (S3 says "14 days", not working days);
  * with the authority withdrawn, a charge cannot be taken: its notice is recorded as withdrawn, the amount
    stays owed and the customer is asked to pay it another way. A refund needs no authority (it takes
    nothing from the customer) and is still notified and paid on its date.

Each notice stands alone: a charge and a later refund on the same policy are never netted. Each notice told the
customer, in writing, one amount and one date; netting would take or pay an amount nobody was told of, and the
statement shows each movement against the transaction that caused it. The one exception is a cancellation, which
closes the account: the notices still pending are cancelled (each saying so) and the cancellation settles their
amounts with its own, in one payment or refund told in its own notice (`cancellation_amount`). Otherwise a
cooling-off refund would have to return premium whose charge was never taken, more than the card holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from covernote.kernel.money import Money

Occasion = Literal["new_business", "adjustment", "renewal", "cancellation", "box_return", "rerating"]
OCCASIONS: tuple[Occasion, ...] = ("new_business", "adjustment", "renewal", "cancellation", "box_return", "rerating")
NoticeKind = Literal["charge", "refund"]
NoticeStatus = Literal["pending", "taken", "paid", "failed", "withdrawn", "cancelled"]
NOTICE_STATUSES: tuple[NoticeStatus, ...] = ("pending", "taken", "paid", "failed", "withdrawn", "cancelled")
Settling = Literal["collect_now", "notice", "nothing"]

DEFAULT_NOTICE_DAYS = 14  # S3: "notified in writing 14 days prior"; products may say otherwise (payment_authority)


def how_to_settle(occasion: Occasion, amount: Money, *, within_first_cooling_off: bool = False) -> Settling:
    """How the money a transaction leaves owing (`amount`: positive, the customer owes; negative, owed to the
    customer) is settled on a card: now, after a written notice, or not at all (nothing to move)."""
    if amount.is_zero():
        return "nothing"
    if occasion == "new_business":
        return "collect_now"
    if occasion == "cancellation" and within_first_cooling_off and amount < Money.zero():
        return "collect_now"
    return "notice"


def cancellation_amount(due: Money, pending: list[PaymentNotice]) -> Money:
    """What a cancellation settles: what the cancellation itself leaves owing (`due`, signed) with every notice
    still pending, which it cancels (a charge not yet taken is still owed; a refund not yet paid is still due)."""
    total = due
    for n in pending:
        if n.status == "pending":
            total = total + n.signed
    return total


def due_on(sent_on: date, notice_days: int) -> date:
    """The day a notice sent on `sent_on` is taken or paid: `notice_days` calendar days later (S3: "14 days
    prior"; a weekend or bank holiday is not skipped: card payments are taken any day)."""
    if notice_days < 1:
        raise ValueError("a notice gives at least one day")
    return sent_on + timedelta(days=notice_days)


@dataclass(frozen=True)
class PaymentNotice:
    """A written notice of one payment under the authority: `amount` (positive) taken (`charge`) or paid
    (`refund`) on `due_on`, on the card described. `sent_on` is the day its letter (`document_id`) was issued;
    until then it is None and the dates are what they will be if the letter goes today."""

    notice_id: str
    policy_id: str
    transaction_id: str
    kind: NoticeKind
    amount: Money
    card_brand: str
    card_last4: str
    created_at: datetime
    due_on: date
    status: NoticeStatus = "pending"
    sent_on: date | None = None
    document_id: str | None = None
    receipt_reference: str | None = None
    idempotency_key: str = ""
    reason: str | None = None
    settled_at: datetime | None = None
    version: int = 1

    @property
    def signed(self) -> Money:
        """The amount as it moves the customer's account: positive taken from them, negative paid to them."""
        return self.amount if self.kind == "charge" else -self.amount

    @property
    def open(self) -> bool:
        """Still to be taken or paid (pending), or owed after a decline or a withdrawn authority."""
        return self.status in ("pending", "failed", "withdrawn")

    def sent(self, on: date, document_id: str, notice_days: int) -> PaymentNotice:
        """Its letter was issued on `on`: the payment is due `notice_days` after that, never earlier."""
        return replace(self, sent_on=on, document_id=document_id, due_on=due_on(on, notice_days))

    def settled(self, reference: str, at: datetime) -> PaymentNotice:
        return replace(self, status="taken" if self.kind == "charge" else "paid", receipt_reference=reference,
                       settled_at=at, reason=None)

    def failed(self, reason: str, at: datetime) -> PaymentNotice:
        return replace(self, status="failed", reason=reason, settled_at=at)

    def withdrawn(self, at: datetime) -> PaymentNotice:
        return replace(self, status="withdrawn", reason="the customer withdrew the continuous payment authority",
                       settled_at=at)

    def cancelled(self, reason: str, at: datetime) -> PaymentNotice:
        return replace(self, status="cancelled", reason=reason, settled_at=at)

    def is_due(self, day: date) -> bool:
        """To be taken or paid by the run for `day`: pending, its letter sent, due on or before `day`."""
        return self.status == "pending" and self.document_id is not None and self.due_on <= day


@dataclass(frozen=True)
class PaymentAuthority:
    """A policy's continuous payment authority: granted at bind (the terms of business, S3), withdrawn by the
    customer at `withdrawn_at`. `answer_by`: the last day to pay another way what the authority would have
    taken; `cancellation_due_on`: set once billing has asked for the policy's cancellation."""

    policy_id: str
    granted_at: datetime
    granted_by: str
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    answer_by: date | None = None
    letter_document_id: str | None = None
    cancellation_due_on: date | None = None
    version: int = 1

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


def outstanding_after_withdrawal(notices: list[PaymentNotice]) -> Money:
    """What the customer still owes on charges the withdrawn authority can no longer take (or a decline left)."""
    total = Money.zero()
    for n in notices:
        if n.kind == "charge" and n.status in ("withdrawn", "failed"):
            total = total + n.amount
    return total
