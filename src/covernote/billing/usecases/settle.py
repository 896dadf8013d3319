"""Settling a policy transaction's money (issue 15): the one call the lifecycle makes where it used to charge the
card at once. The transaction's charge is posted at once (the account shows what is owed); the payment is taken
now only when the customer is present paying (new business), and otherwise after a written notice under the
continuous payment authority (PAY-3, `billing/domain/notices.py`), or, for a direct-debit payer, by re-planning
their instalments (`replan_direct_debit`, the payment plans' `replan`); new business paid monthly opens its plan (`open_at_bind`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from covernote.billing.domain.notices import (
    Occasion,
    PaymentNotice,
    cancellation_amount,
    due_on,
    how_to_settle,
)
from covernote.billing.results import PlanOpened, Settlement
from covernote.billing.usecases import plans
from covernote.billing.usecases.authority import ask_for_another_way
from covernote.billing.usecases.plans import BankAccount
from covernote.billing.usecases.views import notice_summary, notice_view
from covernote.identity.usecases import Principal
from covernote.kernel.errors import (
    Conflict,
    FieldIssue,
    PaymentRequired,
    ServiceUnavailable,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.kernel.journal import RECEIVABLE, JournalEntry
from covernote.kernel.money import Money
from covernote.ledger.ports import PaymentDeclined, PaymentUnavailable
from covernote.ledger.usecases import collect, transaction_entry
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, PolicyTransaction


@dataclass(frozen=True)
class MonthlyChoice:
    """Paying monthly by direct debit, asked at bind: the account to collect from and the day of the month."""

    bank: BankAccount
    collection_day: int


def monthly_choice(bank: Mapping[str, Any], collection_day: int, field: str = "monthly") -> MonthlyChoice:
    """The monthly payment asked for at bind, checked: ValidationFailed naming `<field>.bank.*` and
    `<field>.collection_day` at fault."""
    issues: list[FieldIssue] = []
    account: BankAccount | None = None
    try:
        account = plans.bank_account(bank)
    except ValidationFailed as exc:
        issues += [FieldIssue(f"{field}.{i.field}", i.reason) for i in exc.issues]
    if isinstance(collection_day, bool) or not isinstance(collection_day, int) or not 1 <= collection_day <= 28:
        issues.append(FieldIssue(f"{field}.collection_day", "must be a day of the month from 1 to 28"))
    if issues or account is None:
        raise ValidationFailed("monthly payment cannot be set up as asked", issues)
    return MonthlyChoice(account, collection_day)


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
    if occasion != "new_business" and pays_by_direct_debit(uow, policy, txn.term_no):
        return replan_direct_debit(ctx, uow, policy, txn, first, key)
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


def pays_by_direct_debit(uow: UnitOfWork, policy: Policy, term_no: int) -> bool:
    """Whether the term is paid monthly by direct debit under an active premium-finance plan with its agreement
    (PAY-1): what re-planning works on."""
    plan = uow.plans.current_plan(policy.policy_id, term_no)
    return (plan is not None and plan.kind == "monthly_direct_debit" and plan.status == "active"
            and uow.plans.agreement_for(plan.plan_id) is not None)


def replan_direct_debit(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction,
                        first: tuple[JournalEntry, ...], key: str) -> Settlement:
    """A direct-debit payer's transaction (PAY-1, PAY-6): the charge posted and the remaining instalments
    re-planned (`plans.replan`): an additional premium spread over the instalments still to collect, a return
    premium taken off them. What the instalments cannot absorb is a refund, paid to the card on file under the
    continuous payment authority, 14 days after its notice (PAY-3: "make refunds to your direct debit agreement/
    debit or credit card"); arrears stay owed on the account for the arrears ladder."""
    uow.ledger.add_many(first)
    view = plans.replan(ctx, uow, policy, txn)
    assert view is not None  # pays_by_direct_debit said the term has an active plan
    refund = Money.of(view["refund_due"])
    if refund > Money.zero():
        out = notify(ctx, uow, policy, txn, -refund, key)
        out["replan"] = view
        return out
    return {"kind": "none", "amount": "0.00", "replan": view,
            "status": f"re-planned: {view['to_collect']} left to collect by direct debit"
                      + (f", {view['arrears']} in arrears" if Money.of(view["arrears"]) > Money.zero() else "")}


class FinanceRefused(Conflict):
    """The premium-finance provider referred or declined the application made at bind: the sale is not made
    on monthly terms (the customer may buy paying annually). Carries what the disclosure register must keep."""

    def __init__(self, message: str, issues: list[FieldIssue], decision: PlanOpened, customer_id: str) -> None:
        super().__init__(message, issues)
        self.opened = decision
        self.customer_id = customer_id


def keep_search_of_refused(ctx: AppContext, principal: Principal, refused: FinanceRefused) -> None:
    """The credit search made for a refused application, kept in the disclosure register in its own unit of work
    once the sale's has rolled back (S3: the agency keeps the search whether or not the credit proceeds; PRV-6)."""
    agreement = refused.opened["plan"]["agreement"]
    if agreement is None:
        return
    with ctx.uow() as uow:
        plans.record_credit_search(uow, refused.customer_id, None, agreement["provider"], agreement["reference"],
                                   principal.user_id, datetime.fromisoformat(agreement["credit_searched_at"]))
        uow.commit()


def open_at_bind(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy: Policy, txn: PolicyTransaction,
                 description: str, key: str, choice: MonthlyChoice) -> Settlement:
    """New business paid monthly (PAY-1): the charge posted, then the provider asked; accepted, the plan,
    agreement and instalments are stored and only the deposit is taken from the card now. Referred or declined:
    FinanceRefused (409 naming `payment.plan`), and the caller's unit of work writes nothing of the sale."""
    entry = transaction_entry(ctx, uow, policy, txn, description)
    if entry is not None:
        uow.ledger.add(entry)
    opened = plans.open_monthly_plan(ctx, uow, principal, policy, txn, choice.bank, choice.collection_day,
                                     payment_key=key)
    status = opened["plan"]["status"]
    if status != "active":
        agreement = opened["plan"]["agreement"]
        reason = (agreement["decision_reason"] if agreement is not None else None) or status
        raise FinanceRefused(
            f"the finance provider {status} the application for monthly payment ({reason}); nothing was bought: "
            "buy paying annually by card, or ask us again later",
            [FieldIssue("payment.plan", f"monthly payment was {status}: {reason}")], opened, policy.customer_id)
    payment = opened.get("payment") or {"kind": "none", "amount": "0.00", "status": "nothing to pay"}
    out = cast(Settlement, dict(payment))
    out["plan"] = opened["plan"]
    return out
