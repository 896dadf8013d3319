"""Withdrawing the continuous payment authority (PAY-3, S3: "Should you not agree with the continuous payment
authority ... your insurance may be cancelled with the relevant cancellation fee to be charged").

A customer (or staff for them) withdraws the authority: nothing more is taken from the card on file. Charges
notified and not yet taken are withdrawn with it and stay owed; the customer is offered another way to pay (pay
the amount now with a card they enter, `notices.pay_now`; or, once payment plans exist, move to direct debit) in a
letter giving the answer date, which runs on the clock engine (`billing.payment_authority_answer`, credit
control's work queue). When the date passes with money still owed, billing publishes `PolicyCancellationDue`
(cause `payment_authority_withdrawn`); the lifecycle cancels as the insurer, with its cancellation fee. Refunds
need no authority (they take nothing) and are still paid on their dates."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta

from covernote.billing.domain.events import PolicyCancellationDue
from covernote.billing.domain.notices import PaymentAuthority, outstanding_after_withdrawal
from covernote.billing.results import AuthorityView
from covernote.billing.usecases.views import authority_view
from covernote.clocks import usecases as clocks
from covernote.clocks.domain import RULES
from covernote.documents.domain import Letter
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Conflict
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy
from covernote.policy.usecases.lookup import load_policy

log = logging.getLogger("covernote.billing")
ANSWER_RULE = "billing.payment_authority_answer"
SUBJECT = "payment_authority"  # the clock's subject kind; its id is the policy's
WITHDRAWAL_TEMPLATES = ("withdrawal.html", "withdrawal.txt")


def answer_days() -> int:
    """The days a customer has to pay another way (the clock rule's: every deadline is defined there)."""
    return RULES[ANSWER_RULE].amount


def authority_of(uow: UnitOfWork, policy: Policy) -> PaymentAuthority:
    """The policy's authority; one bound before billing recorded authorities was granted at bind (S3's terms)."""
    found = uow.payment_authorities.get(policy.policy_id)
    if found is not None:
        return found
    first = policy.transactions[0].actor.user_id if policy.transactions else SYSTEM.user_id
    granted = PaymentAuthority(policy.policy_id, policy.created_at, first)
    uow.payment_authorities.add(granted)
    return granted


def ask_for_another_way(ctx: AppContext, uow: UnitOfWork, policy: Policy,
                        authority: PaymentAuthority) -> PaymentAuthority:
    """Money the withdrawn authority cannot take is owed: give the customer the answer period (the clock rule's
    days from today) to pay it another way, restarting it so each amount asked for gets its full notice. Nothing
    once the policy's cancellation has been asked for."""
    if authority.cancellation_due_on is not None:
        return authority
    now = ctx.clock.now()
    clocks.stop_open(uow, SUBJECT, policy.policy_id, now, "a new amount is owed: the answer period starts again",
                     ANSWER_RULE)
    clocks.start(uow, ANSWER_RULE, SUBJECT, policy.policy_id, now, customer_id=policy.customer_id,
                 note=f"policy {policy.number}: pay another way or the policy is cancelled")
    return uow.payment_authorities.update(replace(authority, answer_by=ctx.today() + timedelta(days=answer_days())))


def withdraw(ctx: AppContext, principal: Principal, policy_id: str) -> AuthorityView:
    """Withdraw the policy's continuous payment authority (the customer, or staff for them). Pending charges are
    withdrawn with it and stay owed; when anything is owed the answer period starts. The letter saying so is
    issued once this is committed. Conflict if it was already withdrawn."""
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        authority = authority_of(uow, policy)
        if not authority.in_force:
            raise Conflict(f"the continuous payment authority was already withdrawn on "
                           f"{authority.withdrawn_at:%Y-%m-%d}" if authority.withdrawn_at else "already withdrawn")
        now = ctx.clock.now()
        authority = uow.payment_authorities.update(replace(authority, withdrawn_at=now,
                                                           withdrawn_by=principal.user_id))
        for n in uow.payment_notices.for_policy(policy.policy_id):
            if n.kind == "charge" and n.status == "pending":
                uow.payment_notices.update(n.withdrawn(now))
        notices = uow.payment_notices.for_policy(policy.policy_id)
        if not outstanding_after_withdrawal(notices).is_zero():
            authority = ask_for_another_way(ctx, uow, policy, authority)
        uow.commit()
    send_withdrawal_letter(ctx, policy.policy_id)
    return authority_state(ctx, principal, policy.policy_id)


def authority_state(ctx: AppContext, principal: Principal, policy_id: str) -> AuthorityView:
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
        return authority_view(policy.policy_id, uow.payment_authorities.get(policy.policy_id),
                              uow.payment_notices.for_policy(policy.policy_id), ctx.today())


def send_withdrawal_letter(ctx: AppContext, policy_id: str) -> str | None:
    """Issue the letter confirming the withdrawal (and what is owed by when) as one of the policy's documents,
    once; its id, or None when it cannot be issued now (logged: the daily run tries again)."""
    try:
        with ctx.uow(read_only=True) as uow:
            policy = uow.policies.get(policy_id)
            authority = uow.payment_authorities.get(policy_id)
            if policy is None or authority is None or authority.withdrawn_at is None:
                return None
            if authority.letter_document_id is not None:
                return authority.letter_document_id
            customer = uow.customers.get(policy.customer_id)
            owed = outstanding_after_withdrawal(uow.payment_notices.for_policy(policy_id))
        term = policy.term()
        product = ctx.catalogue.by_ref(term.product_ref)
        withdrawn_on = authority.withdrawn_at.date()
        title = "Your continuous payment authority is withdrawn"
        values = {"insurer": product.insurer, "title": title,
                  "issued_on": ctx.today(), "policyholder": customer.name if customer else None,
                  "policy_number": policy.number, "withdrawn_on": withdrawn_on,
                  "owed": None if owed.is_zero() else f"GBP {owed.to_str()}", "answer_by": authority.answer_by,
                  "cancel_from": (authority.answer_by + timedelta(days=1)) if authority.answer_by else None,
                  "answer_days": answer_days()}
        html_page = templating.render("covernote.billing", "withdrawal.html", **values)
        text = templating.render("covernote.billing", "withdrawal.txt", **values)
        issued = documents.issue_letter(ctx, SYSTEM, policy_id, Letter(
            "authority_withdrawal", f"cpa:{withdrawn_on.isoformat()}", title, "billing/withdrawal",
            templating.version("covernote.billing", *WITHDRAWAL_TEMPLATES), product.ref, term.term_no,
            html_page, text))
        with ctx.uow() as uow:
            current = uow.payment_authorities.get(policy_id)
            if current is not None and current.letter_document_id is None:
                uow.payment_authorities.update(replace(current, letter_document_id=issued["id"]))
                uow.commit()
        return issued["id"]
    except Exception:  # the withdrawal is committed: the letter is issued on the next request or run
        log.exception("the withdrawal letter of policy %s could not be issued now", policy_id)
        return None


def paid_another_way(ctx: AppContext, uow: UnitOfWork, policy: Policy) -> None:
    """After a payment: once nothing the withdrawn authority would have taken is owed, the answer period is met."""
    authority = uow.payment_authorities.get(policy.policy_id)
    if authority is None or authority.in_force or authority.answer_by is None:
        return
    if outstanding_after_withdrawal(uow.payment_notices.for_policy(policy.policy_id)).is_zero():
        clocks.meet(uow, SUBJECT, policy.policy_id, ANSWER_RULE, ctx.clock.now())
        uow.payment_authorities.update(replace(authority, answer_by=None))


def expire_answers(ctx: AppContext, day: date, batch: int = 200) -> list[str]:
    """Policies whose answer period ran out before `day` with money still owed: publish `PolicyCancellationDue`
    (cause `payment_authority_withdrawn`, effective the day after the answer date, or `day` if the run is late),
    stop the clock, record it so it is asked for once. Those that paid meanwhile just close. Their ids."""
    asked: list[str] = []
    seen: set[str] = set()
    while True:
        with ctx.uow(read_only=True) as uow:
            todo = [a.policy_id for a in uow.payment_authorities.answers_overdue(day, batch)
                    if a.policy_id not in seen]
        if not todo:
            return asked
        for policy_id in todo:
            seen.add(policy_id)
            with ctx.uow() as uow:
                authority = uow.payment_authorities.get(policy_id)
                policy = uow.policies.get(policy_id)
                if authority is None or policy is None or authority.answer_by is None \
                        or authority.cancellation_due_on is not None or not authority.answer_by < day:
                    continue
                owed = outstanding_after_withdrawal(uow.payment_notices.for_policy(policy_id))
                now = ctx.clock.now()
                if owed.is_zero():
                    clocks.meet(uow, SUBJECT, policy_id, ANSWER_RULE, now)
                    uow.payment_authorities.update(replace(authority, answer_by=None))
                else:
                    effective = max(authority.answer_by + timedelta(days=1), day)
                    clocks.stop_open(uow, SUBJECT, policy_id, now, f"GBP {owed.to_str()} not paid another way by "
                                     f"{authority.answer_by}: cancellation asked for", ANSWER_RULE)
                    uow.payment_authorities.update(replace(authority, cancellation_due_on=day))
                    uow.publish(PolicyCancellationDue(policy_id, "payment_authority_withdrawn", effective,
                                                      authority.letter_document_id))
                    asked.append(policy_id)
                uow.commit()
