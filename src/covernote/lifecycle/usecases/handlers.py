"""What the policy lifecycle does when a context below it asks for a change it cannot make itself
(kernel/events.py); registered in covernote.bootstrap."""

from __future__ import annotations

import logging
from datetime import timedelta

from covernote.billing.domain.events import PolicyCancellationDue
from covernote.billing.usecases import plans
from covernote.billing.usecases.settle import notify, pays_by_direct_debit
from covernote.identity.usecases import SYSTEM
from covernote.kernel.journal import RECEIVABLE
from covernote.kernel.money import Money
from covernote.ledger.usecases import transaction_entry
from covernote.lifecycle.usecases.cancellations import CancelInput, priced_terms, record_cancellation
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork

log = logging.getLogger(__name__)

# Who cancels for billing: the insurer, as the system (a staff role may cancel as the insurer).
BILLING = SYSTEM

REASONS = {
    "non_payment": "Cancelled by the insurer for non-payment: a returned direct debit not paid after notice (PAY-2)",
    "payment_authority_withdrawn": "Cancelled by the insurer: the continuous payment authority was withdrawn and no "
                                   "other way to pay was agreed (PAY-3)",
}


def cancel_for_billing(ctx: AppContext, uow: UnitOfWork, event: PolicyCancellationDue) -> None:
    """PAY-2, PAY-3: billing's notice ran out unanswered; cancel the policy as the insurer from
    `event.effective_on`, through the ordinary cancellation machinery (the product's notice, fees and refund
    rules: earned premium and fees kept, anything paid beyond that refunded, anything still owed left on the
    account). The notice was given the product's insurer notice before the effective date. A policy already
    cancelled or void, or whose term ends by then anyway, is left alone, so the event may come twice."""
    policy = uow.policies.get(event.policy_id)
    if policy is None:
        log.warning("cancellation due for unknown policy %s: nothing to cancel", event.policy_id)
        return
    term = policy.term()
    if term.voided or term.cancelled_from is not None or event.effective_on >= term.period.end:
        log.info("policy %s is already cancelled, void or ends by %s: left alone", policy.number, event.effective_on)
        return
    effective = max(event.effective_on, term.period.start)
    product = ctx.catalogue.by_ref(term.product_ref)
    notice_on = min(ctx.today(), effective - timedelta(days=product.cancellation.insurer_notice_days))
    notice_on = max(notice_on, term.concluded_on)
    inp = CancelInput(effective, REASONS[event.cause], "insurer", notice_on)
    result, request, view = priced_terms(ctx, BILLING, policy, inp)
    key = f"billing-cancel:{policy.policy_id}:{term.term_no}"
    txn = record_cancellation(ctx, uow, BILLING, policy, result, request, view, key, details={
        "cause": event.cause, "notice_document_id": event.notice_document_id})
    # The money. The cancellation's own charge or refund is posted; notices still pending under the continuous
    # payment authority are settled with it (as every cancellation settles them, billing/usecases/settle.py); then
    # the account as a whole decides: paid beyond the earned premium and the fees kept (net of the arrears still
    # owed), the difference is refunded to the card after the authority's written notice (PAY-3); still owing, it
    # stays on the account as a debt (S1: earned premium and fees kept). Never a refund of money the customer
    # still owes.
    entry = transaction_entry(ctx, uow, policy, txn, f"Cancellation of {policy.number} ({event.cause})")
    if entry is not None:
        uow.ledger.add(entry)
    for n in uow.payment_notices.for_policy(policy.policy_id):
        if n.status == "pending":
            uow.payment_notices.update(n.cancelled(
                f"not {'taken' if n.kind == 'charge' else 'paid'} on its own: settled with the cancellation "
                f"{txn.transaction_id}", ctx.clock.now()))
    if pays_by_direct_debit(uow, policy, txn.term_no):  # PAY-1: the plan ends, its open instalments cancelled
        plans.replan(ctx, uow, policy, txn)
    balance = uow.ledger.account_balance(policy.policy_id, RECEIVABLE)
    if balance < Money.zero():
        notify(ctx, uow, policy, txn, balance, key)
