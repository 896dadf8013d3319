"""Settling a policy transaction's money (issue 15): the one call the lifecycle makes where it used to charge the
card at once. The transaction's charge is posted at once (the account shows what is owed); the payment is taken
now only when the customer is present paying (new business), and otherwise after a written notice under the
continuous payment authority (PAY-3, `billing/domain/notices.py`), or, for a direct-debit payer, by re-planning
their instalments (H2's payment plans; `replan_direct_debit` is where they connect)."""

from __future__ import annotations

from typing import Literal, cast

from covernote.billing.domain.notices import (
    Occasion,
    PaymentNotice,
    cancellation_amount,
    due_on,
    how_to_settle,
)
from covernote.billing.results import Settlement
from covernote.billing.usecases.authority import ask_for_another_way
from covernote.billing.usecases.views import notice_summary, notice_view
from covernote.kernel.errors import PaymentRequired, ServiceUnavailable
from covernote.kernel.ids import new_id
from covernote.kernel.journal import RECEIVABLE, JournalEntry
from covernote.kernel.money import Money
from covernote.ledger.ports import PaymentDeclined, PaymentUnavailable
from covernote.ledger.usecases import collect, transaction_entry
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, PolicyTransaction


def settle(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction, description: str, key: str, *,
           occasion: Occasion, on_decline: Literal["fail", "leave_outstanding"] = "fail") -> Settlement:
    """Post the transaction's money and settle what it leaves owing, in the caller's unit of work.

    New business takes the payment now (a decline raises PaymentRequired and nothing is written, unless
    `on_decline` leaves it outstanding). A cancellation's refund within the first term's cooling-off period is
    paid back now (it returns the payment the customer made themselves, not one under the authority). Anything
    else for a card payer is posted now and notified: a `PaymentNotice` taken or paid `notice_days` (product
    data, S3: 14) after its letter, which `send_letters` issues once the caller has committed. `key` is the
    transaction's payment key (the same on every retry): the notice's own payment key is derived from it."""
    entry = transaction_entry(ctx, uow, policy, txn, description)
    due = Money.zero() if entry is None else entry.amount_on(RECEIVABLE)
    first: tuple[JournalEntry, ...] = () if entry is None else (entry,)
    # The authority is granted at bind (S3: part of the terms of business); its row is written when it first
    # changes (`authority.authority_of`), so a bind writes nothing more for it.
    if pays_by_direct_debit(uow, policy):
        return replan_direct_debit(ctx, uow, policy, txn, due, first)
    within = occasion == "cancellation" and txn.term_no == 1 and bool(
        (txn.details.get("result") or {}).get("within_cooling_off"))
    if occasion == "cancellation":  # it closes the account: pending notices are settled with it, in one movement
        pending = [n for n in uow.payment_notices.for_policy(policy.policy_id) if n.status == "pending"]
        due = cancellation_amount(due, pending)
        for n in pending:
            uow.payment_notices.update(n.cancelled(
                f"not {'taken' if n.kind == 'charge' else 'paid'} on its own: settled with the cancellation "
                f"{txn.transaction_id}", ctx.clock.now()))
    how = how_to_settle(occasion, due, within_first_cooling_off=within)
    if how != "notice":
        return cast(Settlement, collect(ctx, uow, policy, txn, due, description, key, on_decline, first))
    uow.ledger.add_many(first)
    return notify(ctx, uow, policy, txn, due, key)


def notify(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction, amount: Money,
           key: str) -> Settlement:
    """Record the notice of `amount` (positive: to take; negative: to pay) on the policy's card, in the caller's
    unit of work. With the authority withdrawn, a charge is recorded as withdrawn (owed, to be paid another way by
    the answer date, which starts now if none is running); a refund is still paid on its date."""
    try:
        card = ctx.payments.card_summary(policy.payment_token)
    except PaymentUnavailable as exc:
        raise ServiceUnavailable(f"the payment provider did not answer: {exc}; nothing was changed, retry") from exc
    except PaymentDeclined as exc:
        raise PaymentRequired(f"the payment provider does not know the card on file: {exc}") from exc
    product = ctx.catalogue.by_ref(policy.term().product_ref)
    today = ctx.today()
    authority = uow.payment_authorities.get(policy.policy_id)
    kind: Literal["charge", "refund"] = "charge" if amount > Money.zero() else "refund"
    notice = PaymentNotice(new_id("pn"), policy.policy_id, txn.transaction_id, kind, abs(amount), card.brand,
                           card.last4, ctx.clock.now(), due_on(today, product.payment_authority.notice_days),
                           idempotency_key=f"{key}:notice")
    if kind == "charge" and authority is not None and not authority.in_force:
        notice = notice.withdrawn(ctx.clock.now())
        uow.payment_notices.add(notice)
        ask_for_another_way(ctx, uow, policy, authority)
        status = "outstanding: the continuous payment authority is withdrawn"
    else:
        uow.payment_notices.add(notice)
        status = "notified"
    view = notice_view(notice)
    return {"kind": kind, "amount": notice.amount.to_str(), "status": status, "notice": view,
            "summary": notice_summary(notice)}


def pays_by_direct_debit(uow: UnitOfWork, policy: Policy) -> bool:
    """Whether the policy pays monthly by direct debit (issue 15 part 1, payment plans). No policy does until
    the payment plans are merged: every policy is an annual card payer today. Where the lead connects H2's plans:
    it answers from the policy's plan."""
    return False


def replan_direct_debit(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction, due: Money,
                        first: tuple[JournalEntry, ...]) -> Settlement:
    """A direct-debit payer's transaction: post it and re-plan the remaining instalments (PAY-1, PAY-6), the
    payment plans' `replan` (H2). Not reachable until `pays_by_direct_debit` can answer yes; until then it refuses
    rather than pretend."""
    raise NotImplementedError("payment plans (issue 15 part 1) are not merged: connect their replan here")
