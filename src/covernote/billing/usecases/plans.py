"""Payment plans and premium finance (PAY-1, PAY-7): open a monthly plan financed by the product's provider
(credit search and decision through the FinanceProvider port), show it, re-plan it when a transaction changes
the term's total, decide a referred application, and issue the pre-contract information and the agreement.

Functions other code calls, inside its own unit of work:
- `open_monthly_plan(ctx, uow, principal, policy, txn, bank, collection_day, payment_key=...)`: at bind (the
  transaction's charge already posted) or on a switch; the provider's decision, the plan, the agreement, the
  instalments, the ledger entries, the deposit taken (or the card refunded what is now financed).
- `replan(ctx, uow, policy, txn)`: after any transaction of a monthly-paid term (an adjustment, a re-rating, a
  cancellation); None for a term paid annually.
- `issue_finance_documents(ctx, principal, policy_id)`: after the commit (documents are issued in their own
  units of work).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

from covernote.billing.domain import finance
from covernote.billing.domain.finance import (
    FinanceNotAvailable,
    FinanceQuote,
    InstalmentState,
    PlanPosition,
    ReplanCause,
)
from covernote.billing.domain.plans import (
    advance_entry,
    commission_entry,
    customer_debt_entry,
    term_cash_price,
)
from covernote.billing.ports import (
    AgreementRecord,
    FinanceApplication,
    FinanceDecision,
    FinanceProvider,
    FinanceUnavailable,
    InstalmentRecord,
    PlanRecord,
)
from covernote.billing.results import (
    AgreementView,
    FinanceIllustration,
    InstalmentView,
    PaymentPlanView,
    PlanOpened,
    ReplanView,
)
from covernote.billing.usecases import arrears_steps
from covernote.documents.domain import Letter
from covernote.documents.results import DocumentView
from covernote.documents.usecases import documents
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.declarations import Category
from covernote.kernel.errors import (
    Conflict,
    FieldIssue,
    IssueCollector,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.kernel.journal import RECEIVABLE
from covernote.kernel.money import Money, sum_money
from covernote.ledger.results import PaymentResult
from covernote.ledger.usecases import collect
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.idempotency import idempotent_change
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, PolicyTransaction
from covernote.policy.usecases.lookup import find_policy, load_policy
from covernote.privacy.usecases import sensitive
from covernote.privacy.usecases.disclosures import record_disclosure
from covernote.products.domain.finance_spec import FinanceSpec

FINANCE_VIA = "billing:premium-finance"
SEARCH_CATEGORIES = (Category.IDENTITY.value, Category.CONTACT.value, Category.FINANCIAL.value)
PRE_CONTRACT = "finance_pre_contract"
AGREEMENT = "finance_agreement"
DOCUMENT_TEMPLATES = ("pre_contract.html", "pre_contract.txt", "agreement.html", "agreement.txt")


@dataclass(frozen=True)
class BankAccount:
    """The account the instalments are collected from (validated as privacy validates bank details)."""

    account_holder: str
    sort_code: str
    account_number: str


@dataclass(frozen=True)
class SealedAccount:
    """An account already sealed on an earlier plan of the same customer (a renewal reuses it unread)."""

    account_holder: str
    sort_code: str
    account_number: str
    ending: str


def bank_account(fields: Mapping[str, Any]) -> BankAccount:
    """The account from `account_holder`, `sort_code` (6 digits, dashes or spaces allowed) and
    `account_number` (8 digits); ValidationFailed naming each field at fault."""
    issues = IssueCollector()
    checked = sensitive.normalise_bank_details(
        {"account_name": fields.get("account_holder"), "sort_code": fields.get("sort_code"),
         "account_number": fields.get("account_number")}, issues)
    if issues.issues:  # privacy names them bank_details.*; the plan's fields are bank.*
        raise ValidationFailed("the bank account is not valid", [
            FieldIssue(i.field.replace("bank_details.account_name", "bank.account_holder")
                       .replace("bank_details", "bank"), i.reason) for i in issues.issues])
    assert checked is not None
    return BankAccount(checked["account_name"], checked["sort_code"], checked["account_number"])


def _provider(ctx: AppContext) -> FinanceProvider:
    if ctx.finance is None:
        raise ServiceUnavailable("no premium-finance provider is configured: monthly payment is not available")
    return ctx.finance


def _spec(ctx: AppContext, policy: Policy, term_no: int) -> FinanceSpec:
    product = ctx.catalogue.by_ref(policy.term(term_no).product_ref)
    if product.finance is None:
        raise ValidationFailed(f"{product.name} is paid annually only: it offers no monthly payment",
                               [FieldIssue("kind", "monthly payment is not offered for this product")])
    return product.finance


def record_credit_search(uow: UnitOfWork, customer_id: str, policy_id: str | None, provider: str,
                         reference: str | None, recorded_by: str, at: datetime) -> None:
    """The provider's credit search, in the disclosure register (PRV-6; S3: the credit reference agency keeps it
    whether or not the credit proceeds), in the caller's unit of work. `policy_id` None: the sale it was for was
    not made."""
    record_disclosure(uow, customer_id=customer_id, policy_id=policy_id, recipient=provider,
                      recipient_kind="finance_provider", purpose="payments", categories=SEARCH_CATEGORIES,
                      reference=reference, via=FINANCE_VIA, recorded_by=recorded_by, at=at)


def first_collection_for(start: date, today: date, collection_day: int, notice_working_days: int) -> date:
    """The first instalment's date for a plan from `start` agreed `today` (PAY-6: never before the mandate is
    lodged and the advance notice given; see finance.mandate_ready_on)."""
    return finance.first_collection_date(start, collection_day,
                                         finance.mandate_ready_on(today, notice_working_days))


# -- opening a monthly plan ------------------------------------------------------------------------------------

def open_monthly_plan(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy: Policy,
                      txn: PolicyTransaction, bank: BankAccount | SealedAccount, collection_day: int, *,
                      payment_key: str, first_collection: date | None = None) -> PlanOpened:
    """Ask the product's finance provider to finance the term of `txn` and, accepted, open the monthly plan, in
    the caller's unit of work: the credit search recorded in the disclosure register (S3: kept whether or not
    the credit proceeds), the plan with its sealed bank account, the agreement, the instalments, the ledger
    entries (the advance, the commission, the customer's debt to the provider), and the customer's account
    settled through the card token: the deposit taken (at bind, the transaction's charge already posted) or
    the card refunded what the provider now finances (a switch from annual payment).

    Referred: the plan waits for the provider (`decide_referral`); declined: the plan is kept as declined
    with the reason. In both cases nothing is posted and no money moves: the caller decides (at bind, take the
    whole by card or refuse). Raises ServiceUnavailable when the provider does not answer (retry with the
    same `payment_key`: the provider answers the first decision, with no second search)."""
    if not 1 <= collection_day <= 28:
        _bad_day()
    spec = _spec(ctx, policy, txn.term_no)
    term = policy.term(txn.term_no)
    today = ctx.today()
    now = ctx.clock.now()
    existing = uow.plans.current_plan(policy.policy_id, txn.term_no)
    if existing is not None and existing.status == "referred":
        raise Conflict("an application for this term is waiting for the provider's decision",
                       [FieldIssue("kind", "referred to the provider: follow it up instead")])
    if existing is not None:
        raise Conflict("the term already has a monthly plan", [FieldIssue("kind", "already paid monthly")])
    if term.cancelled_from is not None or term.voided:
        raise Conflict("the term is cancelled: there is nothing left to finance", [FieldIssue("policy_id", "cancelled")])
    start = max(term.period.start, today)
    first = first_collection or first_collection_for(start, today, collection_day,
                                                     spec.notice_working_days)
    try:
        quote = finance.quote_finance(term_cash_price(policy, txn.term_no), spec, start, first, collection_day)
    except FinanceNotAvailable as exc:
        raise ValidationFailed(str(exc), [FieldIssue("kind", "monthly payment is not available for this amount")]) \
            from exc
    customer = uow.customers.get(policy.customer_id)
    if customer is None:
        raise NotFound("the policy's customer is not on record")
    application = FinanceApplication(
        application_id=f"{payment_key}:finance", provider=spec.provider, customer_id=customer.customer_id,
        name=customer.name, date_of_birth=customer.date_of_birth, address=customer.address,
        postcode=customer.postcode, policy_number=policy.number, start=start, credit=quote.credit,
        interest=quote.interest, instalments=quote.instalments, apr_percent=quote.apr_percent, asked_at=now)
    try:
        decision = _provider(ctx).decide(application)
    except FinanceUnavailable as exc:
        raise ServiceUnavailable(f"the finance provider did not answer: {exc}; nothing was changed, retry") from exc
    # S3: the credit reference agency keeps the search whether or not the credit proceeds (PRV-6).
    record_credit_search(uow, policy.customer_id, policy.policy_id, spec.provider, decision.reference,
                         principal.user_id, decision.searched_at)
    sealed = bank if isinstance(bank, SealedAccount) else SealedAccount(
        sensitive.seal(ctx, uow, policy.customer_id, bank.account_holder),
        sensitive.seal(ctx, uow, policy.customer_id, bank.sort_code),
        sensitive.seal(ctx, uow, policy.customer_id, bank.account_number), bank.account_number[-4:])
    plan = PlanRecord(
        new_id("pln"), policy.policy_id, txn.term_no, "monthly_direct_debit",
        "active" if decision.outcome == "accepted" else decision.outcome, collection_day,
        sealed.account_holder, sealed.sort_code, sealed.account_number, sealed.ending, now, principal.user_id)
    uow.plans.add_plan(plan)
    agreement = _agreement_record(new_id("pfa"), plan, quote, decision, spec, now)
    uow.plans.add_agreement(agreement)
    out: PlanOpened = {"plan": _plan_view(uow, policy, plan)}
    if decision.outcome == "accepted":
        out["payment"] = _activate(ctx, uow, policy, txn, plan, agreement, quote, payment_key)
        out["plan"] = _plan_view(uow, policy, plan)
    return out


def renew_monthly_plan(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy: Policy,
                       txn: PolicyTransaction, *, payment_key: str) -> PlanOpened | None:
    """At a renewal (`txn` the renewal transaction, its charge posted): a customer who paid the expiring term
    monthly is financed again for the new term, on the same account and collection day (the mandate stands,
    so the first instalment needs only the advance notice: about a month after the renewal date). A new
    agreement, a new credit search, a new decision (PAY-1). None when the expiring term was not paid monthly."""
    earlier = [p for p in uow.plans.plans_for(policy.policy_id)
               if p.term_no == txn.term_no - 1 and p.kind == "monthly_direct_debit" and p.status in ("active", "ended")]
    if not earlier or earlier[-1].collection_day is None:
        return None
    last = earlier[-1]
    day = earlier[-1].collection_day
    assert last.account_holder_sealed and last.sort_code_sealed and last.account_number_sealed
    account = SealedAccount(last.account_holder_sealed, last.sort_code_sealed, last.account_number_sealed,
                            last.account_ending or "")
    start = max(policy.term(txn.term_no).period.start, ctx.today())
    ready = finance.mandate_ready_on(ctx.today(), _spec(ctx, policy, txn.term_no).notice_working_days, lodged=True)
    first = finance.first_collection_date(start, day, ready)
    return open_monthly_plan(ctx, uow, principal, policy, txn, account, day,
                             payment_key=payment_key, first_collection=first)


def bank_account_of(ctx: AppContext, uow: UnitOfWork, reader: Principal, plan: PlanRecord,
                    purpose: str = "direct debit collection") -> BankAccount | None:
    """The plan's account, unsealed, each read logged in the caller's unit of work (PRV-11, SEC-2): for the Bacs
    files (the caller decides who may read it). None when the plan has no account or the customer's data key was
    destroyed (erased)."""
    policy = uow.policies.get(plan.policy_id)
    if policy is None or not (plan.account_holder_sealed and plan.sort_code_sealed and plan.account_number_sealed):
        return None
    values = [sensitive.unseal(ctx, uow, reader, policy.customer_id, token, "policyholder", f"bank.{name}", purpose)
              for name, token in (("account_holder", plan.account_holder_sealed),
                                  ("sort_code", plan.sort_code_sealed),
                                  ("account_number", plan.account_number_sealed))]
    if any(not isinstance(v, str) for v in values):
        return None
    return BankAccount(*values)


def illustration(ctx: AppContext, product_ref: str, cash_price: Money, start: date,
                 collection_day: int = 1) -> FinanceIllustration | None:
    """What monthly payment of `cash_price` for cover from `start` would cost under the product's finance terms,
    without asking the provider (PAY-1: shown with the quote, before the customer chooses); None when the
    product offers no monthly payment or the amount is below the provider's minimum."""
    spec = ctx.catalogue.by_ref(product_ref).finance
    if spec is None:
        return None
    today = ctx.today()
    begin = max(start, today)
    try:
        first = first_collection_for(begin, today, collection_day, spec.notice_working_days)
        q = finance.quote_finance(cash_price, spec, begin, first, collection_day)
    except FinanceNotAvailable:
        return None
    return {"provider": q.provider, "deposit": q.deposit.to_str(), "credit": q.credit.to_str(),
            "interest": q.interest.to_str(), "total_payable": q.total_payable.to_str(),
            "apr_percent": f"{q.apr_percent:.1f}", "instalment_count": q.instalments,
            "first_instalment": q.schedule[0].amount.to_str(), "regular_instalment": q.schedule[-1].amount.to_str(),
            "first_due_on": q.schedule[0].due_on.isoformat(), "collection_day": collection_day}


def _bad_day() -> None:
    raise ValidationFailed("the collection day is not valid",
                           [FieldIssue("collection_day", "must be a day of the month from 1 to 28")])


def _agreement_record(agreement_id: str, plan: PlanRecord, quote: FinanceQuote, decision: FinanceDecision,
                      spec: FinanceSpec, now: Any) -> AgreementRecord:
    return AgreementRecord(
        agreement_id=agreement_id, plan_id=plan.plan_id, policy_id=plan.policy_id, provider=quote.provider,
        reference=decision.reference, decision=decision.outcome, decision_reason=decision.reason,
        searched_at=decision.searched_at, decided_at=now, start_on=quote.start, cash_price=quote.cash_price,
        deposit=quote.deposit, credit=quote.credit, interest=quote.interest, total_payable=quote.total_payable,
        flat_rate_percent=quote.flat_rate_percent, apr_percent=quote.apr_percent,
        instalment_count=quote.instalments, commission_percent=spec.commission_percent, commission=quote.commission,
        current_cash_price=quote.cash_price, current_interest=quote.interest, refunded=Money.zero(),
        paid_otherwise=Money.zero(), arrears=Money.zero())


def _activate(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction, plan: PlanRecord,
              agreement: AgreementRecord, quote: FinanceQuote, payment_key: str) -> PaymentResult:
    """An accepted agreement: its instalments, its ledger entries, and the customer's account settled."""
    now = ctx.clock.now()
    uow.plans.add_instalments([
        InstalmentRecord(new_id("ins"), plan.plan_id, policy.policy_id, s.sequence, 1, s.due_on, s.amount,
                         "scheduled", "agreed", now) for s in quote.schedule])
    reference = agreement.reference or agreement.agreement_id
    entries = [e for e in (
        advance_entry(new_id("jnl"), now, policy.policy_id, txn.transaction_id, quote.credit, reference,
                      quote.provider),
        commission_entry(new_id("jnl"), now, policy.policy_id, txn.transaction_id, quote.commission, quote.provider),
        customer_debt_entry(new_id("jnl"), now, policy.policy_id, txn.transaction_id, quote.repayable, reference),
    ) if e is not None]
    # What the customer's account still shows once the provider has paid its part: at bind, the deposit to
    # take; on a switch from annual payment (all paid by card), minus the credit: refunded to the card.
    due = uow.ledger.account_balance(policy.policy_id, RECEIVABLE) + sum_money(
        [e.amount_on(RECEIVABLE) for e in entries])
    return collect(ctx, uow, policy, txn, due, f"Premium finance deposit for {policy.number}"
                   if due >= Money.zero() else f"Premium now financed for {policy.number}",
                   f"{payment_key}:deposit", posting_first=entries)


# -- the switch from annual to monthly (REST and CLI) -----------------------------------------------------------

def switch_to_monthly(ctx: AppContext, principal: Principal, policy_id: str, bank: Mapping[str, Any],
                      collection_day: int, idempotency_key: str | None) -> dict[str, Any]:
    """Move an annual-card policy's current term to monthly payment (PAY-1): the provider's decision and, if
    accepted, the plan, with the card refunded what the provider now finances. Needs an idempotency key; the
    answer is a `PlanOpened` (JSON, as idempotent_change stores and replays it)."""
    account = bank_account(bank)
    if not 1 <= collection_day <= 28:
        _bad_day()
    request = {"policy_id": policy_id, "collection_day": collection_day,
               "bank": {"account_holder": account.account_holder, "sort_code": account.sort_code,
                        "account_number": account.account_number}}

    def run(uow: UnitOfWork, payment_key: str) -> dict[str, Any]:
        policy = load_policy(uow, principal, policy_id)
        if policy.status(ctx.today()) not in ("live", "pending"):
            raise Conflict("only a policy on cover (or about to start) can change how it is paid",
                           [FieldIssue("policy_id", f"is {policy.status(ctx.today())}")])
        term = policy.term()
        txn = next(t for t in reversed(policy.transactions) if t.term_no == term.term_no)
        return cast(dict[str, Any], open_monthly_plan(ctx, uow, principal, policy, txn, account, collection_day,
                                                      payment_key=payment_key))

    out = idempotent_change(ctx.uow, principal.user_id, "payment-plan", idempotency_key, request, run)
    if out["plan"]["status"] == "active" and not out.get("idempotent_replay"):
        issue_finance_documents(ctx, principal, out["plan"]["policy_id"])
        out["plan"] = cast(dict[str, Any], payment_plan(ctx, principal, out["plan"]["policy_id"]))
    return out


def decide_referral(ctx: AppContext, principal: Principal, policy_id: str) -> PaymentPlanView:
    """Ask the provider for its decision on a referred application (staff): accepted, the plan starts (its
    instalments from the first collection date possible now, the deposit taken or the card refunded);
    declined, the plan is closed as declined with the reason; still referred, nothing changes."""
    require_staff(principal, "follow up a referred finance application")
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        term = policy.term()
        plan = uow.plans.current_plan(policy.policy_id, term.term_no)
        if plan is None or plan.status != "referred":
            raise Conflict("the policy has no finance application waiting for the provider",
                           [FieldIssue("policy_id", "no referred application")])
        agreement = uow.plans.agreement_for(plan.plan_id)
        assert agreement is not None and agreement.reference is not None
        try:
            decision = _provider(ctx).decision_of(agreement.reference)
        except FinanceUnavailable as exc:
            raise ServiceUnavailable(f"the finance provider did not answer: {exc}; retry") from exc
        if decision.outcome == "referred":
            return _plan_view(uow, policy, plan)
        now = ctx.clock.now()
        stored_version = agreement.version
        agreement = replace(agreement, decision=decision.outcome, decision_reason=decision.reason, decided_at=now)
        if decision.outcome == "declined":
            uow.plans.update_agreement(agreement, stored_version)
            uow.plans.set_plan_status(plan.plan_id, "declined", plan.version)
            plan = replace(plan, status="declined", version=plan.version + 1)
        else:
            spec = _spec(ctx, policy, term.term_no)
            today = ctx.today()
            start = max(term.period.start, today)
            assert plan.collection_day is not None
            quote = finance.quote_finance(term_cash_price(policy, term.term_no), spec, start,
                                          first_collection_for(start, today, plan.collection_day,
                                                               spec.notice_working_days), plan.collection_day)
            agreement = _agreement_record(agreement.agreement_id, plan, quote, decision, spec, now)
            uow.plans.update_agreement(agreement, stored_version)
            uow.plans.set_plan_status(plan.plan_id, "active", plan.version)
            plan = replace(plan, status="active", version=plan.version + 1)
            txn = next(t for t in reversed(policy.transactions) if t.term_no == term.term_no)
            _activate(ctx, uow, policy, txn, plan, agreement, quote, f"referral:{plan.plan_id}")
        view = _plan_view(uow, policy, plan)
        uow.commit()
    if plan.status == "active":
        issue_finance_documents(ctx, principal, policy_id)
        return payment_plan(ctx, principal, policy_id)
    return view


# -- re-planning -------------------------------------------------------------------------------------------------

CAUSES: dict[str, ReplanCause] = {"mta": "adjustment", "cancellation": "cancellation", "voidance": "cancellation",
                                  "renewal": "renewal", "rerating": "rerating"}


def position(agreement: AgreementRecord, rows: list[InstalmentRecord]) -> PlanPosition:
    return PlanPosition(agreement.current_cash_price, agreement.current_interest, agreement.deposit,
                        agreement.instalment_count, agreement.flat_rate_percent,
                        tuple(InstalmentState(r.sequence, r.due_on, r.amount, r.status) for r in rows),
                        agreement.refunded, agreement.paid_otherwise, agreement.arrears)


def replan(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction,
           cause: ReplanCause | None = None) -> ReplanView | None:
    """Re-plan the monthly-paid term of `txn` after it changed the term's total, in the caller's unit of work:
    the open instalments superseded by new versions (history is never rewritten), cancelled when none are left
    to collect; the agreement's standing figures; the ledger moved between the customer's account and the
    provider's part. A returned instalment stays owed as it is (the arrears ladder re-presents it or asks for it
    by card); a settlement (a cancellation, or a term now costing less than the returned instalments) folds the
    returned instalments in: their planned re-presentations are withdrawn and their arrears cases closed. A refund
    due stays on the customer's account (negative: owed to the customer) for the caller to pay; arrears stay on
    it as owed. None when the term is not paid monthly."""
    plan = uow.plans.current_plan(policy.policy_id, txn.term_no)
    if plan is None or plan.status != "active" or plan.kind != "monthly_direct_debit":
        return None
    agreement = uow.plans.agreement_for(plan.plan_id)
    assert agreement is not None
    rows = uow.plans.instalments(plan.plan_id)
    before = position(agreement, rows)
    why: ReplanCause = cause or CAUSES.get(txn.kind, "adjustment")
    result = finance.replan(before, term_cash_price(policy, txn.term_no), why)
    now = ctx.clock.now()
    by_sequence = {r.sequence: r for r in rows}
    new_rows: list[InstalmentRecord] = []
    for s in result.instalments:
        old = by_sequence[s.sequence]
        if old.amount == s.amount:
            continue  # unchanged: the open version stands
        successor = InstalmentRecord(new_id("ins"), plan.plan_id, policy.policy_id, s.sequence, old.version + 1,
                                     s.due_on, s.amount, "scheduled", why, now)
        uow.plans.supersede(old.instalment_id, "superseded", successor.instalment_id)
        new_rows.append(successor)
    for sequence in result.cancelled:
        uow.plans.supersede(by_sequence[sequence].instalment_id, "cancelled", None)
    folded = [by_sequence[sequence].instalment_id for sequence in result.folded]
    if folded:
        _fold_returned(ctx, uow, policy, folded, why)
    uow.plans.add_instalments(new_rows)
    after = finance.apply_replan(before, result)
    reference = agreement.reference or agreement.agreement_id
    moved = (result.cash_price - before.cash_price) - result.refund - (result.arrears - before.arrears)
    entries = [e for e in (
        advance_entry(new_id("jnl"), now, policy.policy_id, txn.transaction_id, moved, reference, agreement.provider),
        customer_debt_entry(new_id("jnl"), now, policy.policy_id, txn.transaction_id,
                            after.owed_to_provider - before.owed_to_provider, reference),
    ) if e is not None]
    uow.ledger.add_many(entries)
    uow.plans.update_agreement(replace(
        agreement, current_cash_price=result.cash_price, current_interest=result.interest,
        refunded=after.refunded, arrears=after.arrears), agreement.version)
    if why == "cancellation":
        uow.plans.end_plan(plan.plan_id, now, plan.version)
    return {"policy_id": policy.policy_id, "term": txn.term_no, "cause": why,
            "cash_price": result.cash_price.to_str(), "interest": result.interest.to_str(),
            "to_collect": after.to_collect.to_str(), "returned": after.returned.to_str(),
            "refund_due": result.refund.to_str(), "arrears": after.arrears.to_str(),
            "instalments": [_instalment_view(r) for r in uow.plans.instalments(plan.plan_id)]}


def _fold_returned(ctx: AppContext, uow: UnitOfWork, policy: Policy, instalment_ids: list[str],
                   cause: ReplanCause) -> None:
    """Returned instalments settled by a re-plan: no longer owed as instalments (`cancelled`; the amount is in the
    settlement's arrears or netted off its refund), so Bacs must not present them again and their arrears cases
    have nothing left to recover."""
    uow.plans.fold_returned(instalment_ids)
    uow.direct_debit.withdraw_re_presentations(instalment_ids)
    arrears_steps.close_for_instalments(ctx, uow, policy, instalment_ids,
                                  f"settled by the plan's re-plan ({cause}): the amount is in its settlement")


def settle_returned(ctx: AppContext, uow: UnitOfWork, policy: Policy, instalment_id: str, why: str) -> bool:
    """A returned instalment whose plan has nothing left to recover it with: its plan was settled (a cancellation
    while the collection was in flight: the settlement counted it as paid), or its policy stopped being live with it
    unpaid. What it left unpaid becomes arrears on the agreement, owed on the policy's account like a settlement's
    own arrears (the provider no longer finances it); the instalment is folded (`cancelled`) and its arrears case
    closed. In the caller's unit of work; False when the instalment is not returned."""
    row = uow.plans.instalment(instalment_id)
    if row is None or row.status != "returned" or row.policy_id != policy.policy_id:
        return False
    agreement = uow.plans.agreement_for(row.plan_id)
    if agreement is None:
        return False
    uow.plans.fold_returned([instalment_id])
    uow.plans.update_agreement(replace(agreement, arrears=agreement.arrears + row.amount), agreement.version)
    now = ctx.clock.now()
    reference = agreement.reference or agreement.agreement_id
    uow.ledger.add_many([e for e in (
        advance_entry(new_id("jnl"), now, policy.policy_id, None, -row.amount, reference, agreement.provider),
        customer_debt_entry(new_id("jnl"), now, policy.policy_id, None, -row.amount, reference)) if e is not None])
    arrears_steps.close_for_instalments(ctx, uow, policy, [instalment_id], why)
    return True


def plan_settled(uow: UnitOfWork, instalment_id: str) -> bool:
    """Is the instalment's plan settled (ended by a cancellation)?"""
    row = uow.plans.instalment(instalment_id)
    if row is None:
        return False
    return any(p.plan_id == row.plan_id and p.status == "ended" for p in uow.plans.plans_for(row.policy_id))


def expected_provider_receivable(agreement: AgreementRecord) -> Money:
    """What `finance:provider-receivable` holds for an accepted agreement: the advance and every re-plan's move
    (the credit, changed by the term's changes, less refunds and arrears the customer owes directly)."""
    return agreement.current_cash_price - agreement.deposit - agreement.refunded - agreement.arrears


# -- views ---------------------------------------------------------------------------------------------------------

def payment_plan(ctx: AppContext, principal: Principal, policy_id: str) -> PaymentPlanView:
    """How the policy's current term is paid (PAY-1): annually by card, or monthly with the agreement (credit,
    interest, total payable, APR, commission) and each instalment's date, amount and status."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        term_no = policy.term().term_no
        plans = [p for p in uow.plans.plans_for(policy.policy_id) if p.term_no == term_no]
        plan = uow.plans.current_plan(policy.policy_id, term_no) or (plans[-1] if plans else None)
        return _plan_view(uow, policy, plan, term_no)


def _plan_view(uow: UnitOfWork, policy: Policy, plan: PlanRecord | None, term_no: int | None = None) -> PaymentPlanView:
    if plan is None:
        return {"policy_id": policy.policy_id, "number": policy.number, "term": term_no or policy.term().term_no,
                "plan_id": None, "kind": "annual_card", "status": "active", "collection_day": None,
                "account_ending": None, "agreement": None, "instalments": []}
    agreement = uow.plans.agreement_for(plan.plan_id)
    rows = uow.plans.instalments(plan.plan_id)
    return {"policy_id": policy.policy_id, "number": policy.number, "term": plan.term_no, "plan_id": plan.plan_id,
            "kind": plan.kind, "status": plan.status, "collection_day": plan.collection_day,
            "account_ending": plan.account_ending,
            "agreement": None if agreement is None else _agreement_view(agreement, rows),
            "instalments": [_instalment_view(r) for r in rows]}


def _agreement_view(a: AgreementRecord, rows: list[InstalmentRecord]) -> AgreementView:
    pos = position(a, rows)
    return {"provider": a.provider, "reference": a.reference, "decision": a.decision,
            "decision_reason": a.decision_reason, "credit_searched_at": a.searched_at.isoformat(),
            "start_on": a.start_on.isoformat(), "cash_price": a.cash_price.to_str(), "deposit": a.deposit.to_str(),
            "credit": a.credit.to_str(), "interest": a.interest.to_str(), "total_payable": a.total_payable.to_str(),
            "flat_rate_percent": _percent(a.flat_rate_percent), "apr_percent": f"{a.apr_percent:.1f}",
            "instalment_count": a.instalment_count, "commission_percent": _percent(a.commission_percent),
            "commission": a.commission.to_str(), "current_cash_price": a.current_cash_price.to_str(),
            "current_interest": a.current_interest.to_str(), "collected": pos.collected.to_str(),
            "to_collect": pos.to_collect.to_str(), "returned": pos.returned.to_str(),
            "paid_otherwise": a.paid_otherwise.to_str(), "refunded": a.refunded.to_str(), "arrears": a.arrears.to_str(),
            "pre_contract_document_id": a.pre_contract_document_id,
            "agreement_document_id": a.agreement_document_id}


def _percent(value: Any) -> str:
    """A stored rate without trailing zeros: 9.900 -> "9.9", 4.000 -> "4"."""
    return format(value.normalize(), "f")


def _instalment_view(r: InstalmentRecord) -> InstalmentView:
    return {"id": r.instalment_id, "sequence": r.sequence, "version": r.version, "due_on": r.due_on.isoformat(),
            "amount": r.amount.to_str(), "status": r.status}


# -- documents -------------------------------------------------------------------------------------------------------

def issue_finance_documents(ctx: AppContext, principal: Principal, policy_id: str) -> list[DocumentView]:
    """Issue the pre-contract credit information (SECCI-like) and the credit agreement of the policy's accepted
    agreement as stored documents (PDF, HTML, text), once each, and record their ids on the agreement."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        term = policy.term()
        plan = uow.plans.current_plan(policy.policy_id, term.term_no)
        if plan is None or plan.status != "active":
            raise Conflict("the policy has no accepted finance agreement", [FieldIssue("policy_id", "paid annually")])
        agreement = uow.plans.agreement_for(plan.plan_id)
        assert agreement is not None
        rows = uow.plans.instalments(plan.plan_id, current_only=True)
        customer = uow.customers.get(policy.customer_id)
    product = ctx.catalogue.by_ref(term.product_ref)
    values = {
        "insurer": product.insurer, "product": product.name, "provider": agreement.provider,
        "reference": agreement.reference, "policy_number": policy.number,
        "customer": "" if customer is None else customer.name, "issued_on": ctx.today(),
        "start_on": agreement.start_on, "cash_price": agreement.cash_price.to_str(),
        "deposit": agreement.deposit.to_str(), "credit": agreement.credit.to_str(),
        "interest": agreement.interest.to_str(), "repayable": (agreement.credit + agreement.interest).to_str(),
        "total_payable": agreement.total_payable.to_str(), "apr": f"{agreement.apr_percent:.1f}",
        "flat_rate": _percent(agreement.flat_rate_percent), "count": agreement.instalment_count,
        "commission": agreement.commission.to_str(), "commission_percent": _percent(agreement.commission_percent),
        "instalments": [{"sequence": r.sequence, "due_on": r.due_on, "amount": r.amount.to_str()}
                        for r in rows if r.status == "scheduled"],
        "account_ending": plan.account_ending, "collection_day": plan.collection_day,
    }
    version = templating.version("covernote.billing", *DOCUMENT_TEMPLATES)
    issued = []
    for kind, name, title in ((PRE_CONTRACT, "pre_contract", "Pre-contract credit information"),
                              (AGREEMENT, "agreement", "Premium finance credit agreement")):
        letter = Letter(kind, agreement.agreement_id, title, f"billing/{name}", version, product.ref,
                        term.term_no, templating.render("covernote.billing", f"{name}.html", title=title, **values),
                        templating.render("covernote.billing", f"{name}.txt", title=title, **values))
        issued.append(documents.issue_letter(ctx, principal, policy.policy_id, letter))
    with ctx.uow() as uow:
        current = uow.plans.agreement_for(plan.plan_id)
        assert current is not None
        if (current.pre_contract_document_id, current.agreement_document_id) != (issued[0]["id"], issued[1]["id"]):
            uow.plans.update_agreement(replace(current, pre_contract_document_id=issued[0]["id"],
                                               agreement_document_id=issued[1]["id"]), current.version)
            uow.commit()
    return issued

