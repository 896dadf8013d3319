"""The continuous payment authority's notices (PAY-3): their letters, the daily step that takes or pays each on
its due day, paying one now with another card, and the lists customers and staff see.

The daily step (`run_notices`, in `jobs/daily.py` as `payment_notices`) is safe to kill and rerun: each notice is
taken or paid under its own idempotency key (a rerun after a crash between the provider's answer and the commit
gets the first receipt back, never a second payment), and a notice is marked taken, paid or failed in the same
unit of work as its ledger posting. A decline leaves the amount owed on the account and the notice failed with
the provider's reason (arrears pick it up, issue 15 part 5); a provider that does not answer leaves the notice
pending for the next run."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import Any, cast

from covernote.billing.domain.notices import NOTICE_STATUSES, NoticeStatus, PaymentNotice
from covernote.billing.results import NoticeFailure, NoticeRun, NoticeView, PolicyNotices
from covernote.billing.usecases.authority import expire_answers, paid_another_way, send_withdrawal_letter
from covernote.billing.usecases.views import authority_view, notice_view
from covernote.documents.domain import Letter
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.errors import (
    Conflict,
    FieldIssue,
    IssueCollector,
    NotFound,
    ServiceUnavailable,
)
from covernote.ledger.usecases import collect
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.idempotency import idempotent_change
from covernote.platform.paging import check_listing
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, PolicyTransaction
from covernote.policy.usecases.lookup import load_policy

log = logging.getLogger("covernote.billing")
NOTICE_TEMPLATES = ("notice.html", "notice.txt")
LETTERS_TASK = "payment notice letters sent"
PAYMENTS_TASK = "payment notices taken or paid"
_WHAT = {"mta": "the change to your policy", "renewal": "your renewal", "cancellation": "the cancellation of your "
         "policy", "box_return": "the Smartbox returned", "rerating": "the review of your premium"}


def _transaction(policy: Policy, transaction_id: str) -> PolicyTransaction:
    return next(t for t in policy.transactions if t.transaction_id == transaction_id)


def _description(policy: Policy, txn: PolicyTransaction) -> str:
    return f"{_WHAT.get(txn.kind, txn.kind).capitalize()} (policy {policy.number}, from {txn.effective_date})"


# -- letters --------------------------------------------------------------------------------------------------

def send_letters(ctx: AppContext, policy_id: str | None = None, progress: Progress = no_progress) -> int:
    """Issue the letter of every notice not yet sent (of one policy, or all), each as one of the policy's
    documents; the notice's payment day is then `notice_days` after the day its letter went. The lifecycle calls
    it for the policy once its change is committed; the daily step sends any left over. A letter that cannot be
    issued now is logged and tried again by the next run. The number sent."""
    sent = 0
    after: str | None = None
    progress(LETTERS_TASK, 0)
    while True:
        with ctx.uow(read_only=True) as uow:
            if policy_id is not None:
                batch = [n for n in uow.payment_notices.for_policy(policy_id)
                         if n.document_id is None and n.status in ("pending", "withdrawn")]
            else:
                batch = uow.payment_notices.unsent(after, 100)
        if not batch:
            return sent
        for notice in batch:
            try:
                sent += _send_letter(ctx, notice)
            except Exception:  # the change it notifies is committed: the next daily step sends the letter
                log.exception("the letter of payment notice %s could not be issued now", notice.notice_id)
            progress(LETTERS_TASK, sent)
        if policy_id is not None:
            return sent
        after = batch[-1].notice_id


def _send_letter(ctx: AppContext, notice: PaymentNotice) -> int:
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(notice.policy_id)
        assert policy is not None
        customer = uow.customers.get(policy.customer_id)
        authority = uow.payment_authorities.get(policy.policy_id)
    txn = _transaction(policy, notice.transaction_id)
    term = policy.term()
    product = ctx.catalogue.by_ref(term.product_ref)
    days = product.payment_authority.notice_days
    going = notice.sent(today, "-", days)  # the dates as this letter states them
    kind_word = "payment from" if notice.kind == "charge" else "refund to"
    values: dict[str, Any] = {
        "insurer": product.insurer, "title": f"Notice of a {kind_word} your card", "issued_on": today,
        "policyholder": customer.name if customer else None, "policy_number": policy.number,
        "description": _description(policy, txn), "kind": notice.kind, "amount": f"GBP {notice.amount.to_str()}",
        "card": f"{notice.card_brand} card ending {notice.card_last4}", "due_on": going.due_on,
        "withdrawn": notice.status == "withdrawn", "answer_by": authority.answer_by if authority else None,
        "notice_days": days}
    html_page = templating.render("covernote.billing", "notice.html", **values)
    text = templating.render("covernote.billing", "notice.txt", **values)
    issued = documents.issue_letter(ctx, SYSTEM, policy.policy_id, Letter(
        "payment_notice", notice.notice_id, values["title"], "billing/notice",
        templating.version("covernote.billing", *NOTICE_TEMPLATES), product.ref, txn.term_no, html_page, text))
    with ctx.uow() as uow:
        current = uow.payment_notices.get(notice.notice_id)
        if current is None or current.document_id is not None:
            return 0
        uow.payment_notices.update(current.sent(today, issued["id"], days))
        uow.commit()
    return 1


# -- the daily step ---------------------------------------------------------------------------------------------

def run_notices(ctx: AppContext, as_of: date | None = None, progress: Progress = no_progress) -> NoticeRun:
    """The daily step for `as_of` (default today): send the letters not yet sent, take or pay every notice due on
    or before that day, then ask for the cancellation of policies whose answer period after a withdrawn
    authority ran out unpaid. Safe to rerun."""
    day = as_of or ctx.today()
    letters = send_letters(ctx, progress=progress)
    with ctx.uow(read_only=True) as uow:
        unsent = [a.policy_id for a in uow.payment_authorities.letters_unsent(500)]
    letters += sum(1 for policy_id in unsent if send_withdrawal_letter(ctx, policy_id) is not None)
    taken = paid = 0
    failed: list[NoticeFailure] = []
    unavailable: list[NoticeFailure] = []
    after: str | None = None
    progress(PAYMENTS_TASK, 0)
    while True:
        with ctx.uow(read_only=True) as uow:
            batch = uow.payment_notices.due(day, after, 200)
        if not batch:
            break
        after = batch[-1].notice_id
        for notice in batch:
            try:
                done = _take_or_pay(ctx, notice.notice_id, day)
            except ServiceUnavailable as exc:
                unavailable.append({"notice_id": notice.notice_id, "policy_id": notice.policy_id,
                                    "reason": exc.message})
                continue
            if done is None:
                continue
            if done.status == "taken":
                taken += 1
            elif done.status == "paid":
                paid += 1
            else:
                failed.append({"notice_id": done.notice_id, "policy_id": done.policy_id, "reason": done.reason or ""})
            progress(PAYMENTS_TASK, taken + paid + len(failed))
    cancellations = expire_answers(ctx, day)
    return {"as_of": day.isoformat(), "letters_sent": letters, "taken": taken, "paid": paid, "failed": failed,
            "unavailable": unavailable, "cancellations_due": cancellations}


def _take_or_pay(ctx: AppContext, notice_id: str, day: date) -> PaymentNotice | None:
    """Take or pay one due notice and record the outcome with its ledger posting, in one unit of work; None when
    it is no longer due (another run or a payment got there first)."""
    with ctx.uow() as uow:
        notice = uow.payment_notices.get(notice_id)
        if notice is None or not notice.is_due(day):
            return None
        policy = uow.policies.get(notice.policy_id)
        assert policy is not None
        txn = _transaction(policy, notice.transaction_id)
        result = collect(ctx, uow, policy, txn, notice.signed, _description(policy, txn), notice.idempotency_key,
                         on_decline="leave_outstanding")
        now = ctx.clock.now()
        if result["status"] == "settled":
            done = notice.settled(result.get("reference", ""), now)
        else:
            done = notice.failed(result.get("reason", result["status"]), now)
        done = uow.payment_notices.update(done)
        uow.commit()
    return done


# -- paying now with another card --------------------------------------------------------------------------------

def pay_now(ctx: AppContext, principal: Principal, policy_id: str, notice_id: str, token: str,
            idempotency_key: str | None) -> NoticeView:
    """Pay a notified charge now with a card the customer enters (a payment token from the provider): a charge
    still pending, declined on its day, or left owing when the authority was withdrawn (the other way to pay,
    PAY-3). The token is used for this payment only, not stored. Declined: PaymentRequired, nothing changes."""
    issues = IssueCollector()
    if not token.strip():
        issues.add("token", "is required: the payment provider's token for the card")
    issues.raise_if_any("the payment cannot be taken")

    def run(uow: UnitOfWork, payment_key: str) -> dict[str, Any]:
        policy = load_policy(uow, principal, policy_id)
        notice = uow.payment_notices.get(notice_id)
        if notice is None or notice.policy_id != policy.policy_id:
            raise NotFound("no such payment notice", [FieldIssue("notice_id", f"no notice {notice_id} on this policy")])
        if notice.kind != "charge" or notice.status not in ("pending", "failed", "withdrawn"):
            raise Conflict(f"this notice is {notice.status} ({notice.kind}): there is nothing to pay on it")
        txn = _transaction(policy, notice.transaction_id)
        result = collect(ctx, uow, replace(policy, payment_token=token.strip()), txn, notice.amount,
                         _description(policy, txn) + " (paid now)", payment_key)
        done = uow.payment_notices.update(notice.settled(result.get("reference", ""), ctx.clock.now()))
        paid_another_way(ctx, uow, policy)
        return cast(dict[str, Any], notice_view(done))

    return cast(NoticeView, idempotent_change(ctx.uow, principal.user_id, "notice-pay", idempotency_key,
                                              {"policy": policy_id, "notice": notice_id, "token": token}, run))


# -- lists ---------------------------------------------------------------------------------------------------------

def policy_notices(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyNotices:
    """The policy's notices, oldest first, and its authority (a customer sees their own policy's only)."""
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
        notices = uow.payment_notices.for_policy(policy.policy_id)
        authority = uow.payment_authorities.get(policy.policy_id)
    return {"policy_id": policy.policy_id, "authority": authority_view(policy.policy_id, authority, notices,
                                                                       ctx.today()),
            "notices": [notice_view(n) for n in notices]}


def pending_for(ctx: AppContext, uow: UnitOfWork, policy_id: str) -> list[NoticeView]:
    """The policy's notices still to be taken, paid or paid another way (for the portal's policy page)."""
    return [notice_view(n) for n in uow.payment_notices.for_policy(policy_id) if n.open]


def notices_page(ctx: AppContext, principal: Principal, due_on: date | None = None, status: str | None = None,
                 limit: int = 100, offset: int = 0) -> list[NoticeView]:
    """Every policy's notices for staff, by due day: those due on `due_on`, in `status`."""
    require_staff(principal, "list payment notices")
    check_listing(limit, offset, status=status, statuses=NOTICE_STATUSES)
    with ctx.uow(read_only=True) as uow:
        return [notice_view(n) for n in uow.payment_notices.page(due_on, cast(NoticeStatus | None, status),
                                                                 limit, offset)]

