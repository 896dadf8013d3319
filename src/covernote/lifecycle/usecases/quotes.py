"""New-business quotes and binding them into policies (POL-1, PRD-6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from covernote.billing.usecases import plans
from covernote.billing.usecases.settle import (
    FinanceRefused,
    MonthlyChoice,
    keep_search_of_refused,
    open_at_bind,
    settle,
)
from covernote.extras.usecases import check_bound_lines
from covernote.extras.usecases import quote_lines as quote_extra_lines
from covernote.identity.usecases import Principal, check_customer
from covernote.kernel.errors import Conflict, FieldIssue, IssueCollector, NotFound, ValidationFailed
from covernote.kernel.ids import new_id, policy_number
from covernote.kernel.money import Money
from covernote.kernel.periods import Period, add_months
from covernote.lifecycle.results import QuoteView, QuoteWithdrawalView
from covernote.lifecycle.usecases.views import policy_view, quote_view
from covernote.ncd.usecases import check_rated_as_proven, ncd_at_bind, policy_ncd, quote_ncd
from covernote.platform.context import AppContext
from covernote.platform.idempotency import check_key, idempotent_change
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.codec import rating_to_dict, risk_to_dict
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Actor, Policy, PolicyTransaction, Quote
from covernote.policy.domain.rating import rate_for_term
from covernote.policy.domain.risk import Risk, validate_risk
from covernote.policy.domain.term import Segment, TermState, charged_premium, ipt_on
from covernote.policy.ports import QuoteWithdrawal
from covernote.policy.usecases.pricing import segments as price_segments
from covernote.policy.usecases.views import segments_view
from covernote.privacy.usecases.requests import processing_allowed
from covernote.products.domain.model import Product, Term
from covernote.regulatory.usecases.fraud import screen_quote

# Posted documents arrive within days; a later date would stretch the cooling-off period (POL-5).
DOCUMENTS_WITHIN_DAYS = 30


@dataclass(frozen=True)
class QuoteRequest:
    product_code: str
    start_date: date
    risk: Risk
    customer_id: str | None = None
    term: Term | None = None
    extras: tuple[str, ...] = ()  # codes of optional extras to buy with the policy (ADD-1)


def term_period(product: Product, start: date, term: Term | None) -> Period:
    chosen = term or product.terms[0]
    if chosen not in product.terms:
        raise ValidationFailed("the product does not offer that term", [FieldIssue(
            "term", f"choose one of {', '.join(t.label() for t in product.terms)}")])
    end = add_months(start, chosen.length) if chosen.unit == "months" else start + timedelta(days=chosen.length)
    return Period(start, end)


def _judge(ctx: AppContext, req: QuoteRequest, today: date) -> tuple[Product, Period, Risk]:
    """The product in force, the term and the risk checked against the product's rules, every issue named in
    one ValidationFailed (issue 13, item 21: not the start date first, then the term, then the risk)."""
    issues = IssueCollector()
    try:
        product = ctx.catalogue.in_force(req.product_code, req.start_date)
    except NotFound:  # the field the request names it by (issue 13, item 21), with what is on sale
        on_sale = ", ".join(sorted({p.code for p in ctx.catalogue.current(today)}))
        raise ValidationFailed(f"no product {req.product_code!r}", [FieldIssue(
            "product_code", f"unknown product code {req.product_code!r}; on sale: {on_sale}")]) from None
    if req.start_date < today:
        issues.add("start_date", f"cover cannot start in the past (today is {today})")
    elif req.start_date > today + timedelta(days=product.max_start_days_ahead):
        issues.add("start_date", f"cover can start at most {product.max_start_days_ahead} days ahead")
    period = risk = None
    try:
        period = term_period(product, req.start_date, req.term)
    except ValidationFailed as exc:
        issues.issues.extend(exc.issues)
    try:
        risk = validate_risk(product, req.risk, req.start_date)
    except ValidationFailed as exc:
        issues.issues.extend(exc.issues)
    rerating = product.telematics_rules.rerating if product.telematics_rules else None
    given = req.risk.answers_dict().get(rerating.question) if rerating is not None else None
    if rerating is not None and given is not None and given.strip() not in ("0", ""):
        # TEL-4: the loading is the 90-day review's alone; new business is priced without one
        issues.add(f"risk.answers.{rerating.question}", "is set only by the telematics 90-day review (TEL-4)")
    issues.raise_if_any("the quote cannot be made")
    assert period is not None and risk is not None
    return product, period, risk


def quote_rule_issues(ctx: AppContext, req: QuoteRequest) -> list[FieldIssue]:
    """What the product's rules say of a quote request, without making the quote: asked when the request's
    shape is faulty elsewhere, so one answer names both (issue 13, item 21)."""
    try:
        _judge(ctx, req, ctx.today())
    except ValidationFailed as exc:
        return list(exc.issues)
    return []


def create_quote(ctx: AppContext, principal: Principal, req: QuoteRequest) -> QuoteView:
    """Price a risk for new business; the quote records the product and rate-table versions used."""
    customer_id = req.customer_id or principal.customer_id
    if customer_id is None:
        raise ValidationFailed("a customer is needed", [FieldIssue("customer_id", "is required for staff quotes")])
    check_customer(principal, customer_id, "customer")
    today = ctx.today()
    product, period, risk = _judge(ctx, req, today)
    rating = rate_for_term(product, risk, period.start, renewal=False, term_days=period.days)
    ipt_rate = ctx.catalogue.tax.rate(product.ipt, period.start)
    fees = tuple((f.code, f.name, f.amount) for f in product.fees_for({"new_business"}))
    extra_lines = tuple(quote_extra_lines(ctx.catalogue, product, period, risk, req.extras))
    now = ctx.clock.now()
    quote = Quote(
        quote_id=new_id("quo"), customer_id=customer_id, product_ref=product.ref, period=period,
        risk_details=risk_to_dict(risk), rating=rating_to_dict(rating), premium=rating.premium, ipt_rate=ipt_rate,
        ipt=ipt_on(rating.premium, ipt_rate), fees=fees, created_at=now,
        expires_at=now + timedelta(days=product.quote_validity_days), created_by=principal.user_id,
        extras=extra_lines,
    )
    with ctx.uow() as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        processing_allowed(uow, customer_id, "quote for them")
        screen_quote(ctx, uow, principal, quote, risk, customer)  # REG-3: a match refuses the quote
        uow.quotes.add(quote)
        ncd = quote_ncd(ctx, uow, quote, proofs=())  # NCD-1: declared and not yet proven (a new quote has no proof)
        uow.commit()
    return {**quote_view(quote, ctx.catalogue), "ncd": ncd}


def get_quote(ctx: AppContext, principal: Principal, quote_id: str) -> QuoteView:
    with ctx.uow(read_only=True) as uow:
        q = uow.quotes.get(quote_id)
        ncd = None if q is None else quote_ncd(ctx, uow, q)  # NCD-1: years, discount, proven or not
        withdrawal = uow.quotes.withdrawal(quote_id) if q is not None and q.status == "withdrawn" else None
    if q is None:
        raise NotFound("no such quote", [FieldIssue("quote_id", f"no quote {quote_id}")])
    check_customer(principal, q.customer_id, "quote")
    view: QuoteView = {**quote_view(q, ctx.catalogue), "ncd": ncd, "withdrawal": _withdrawal_view(withdrawal)}
    if q.status == "open":  # PAY-1: what paying monthly would cost, shown before the customer chooses
        view["monthly"] = plans.illustration(ctx, q.product_ref, Money.of(view["total_payable"]), q.period.start)
    return view


def list_quotes(ctx: AppContext, principal: Principal, limit: int = 50, offset: int = 0) -> list[QuoteView]:
    check_listing(limit, offset)
    customer = principal.customer_id if principal.role == "customer" else None
    with ctx.uow(read_only=True) as uow:
        return [quote_view(q, ctx.catalogue) for q in uow.quotes.page(customer, limit, offset)]


WITHDRAWAL_REASON_MAX = 500


def withdraw_quote(ctx: AppContext, principal: Principal, quote_id: str, reason: str | None = None) -> QuoteView:
    """The customer (their own quote) or staff withdraw an open quote: it can no longer be bound or take
    proof of NCD, and no longer holds the customer's NCD (NCD-1: an open quote counts as "in use on
    another vehicle" until it expires). Who withdrew it, when and why are kept with it; the retention
    sweep deletes it as it does an open quote never taken up. A bound or already withdrawn quote is a
    conflict; the update is made only while the quote is still open, so a bind that gets there first wins."""
    text = (reason or "").strip() or None
    if text is not None and len(text) > WITHDRAWAL_REASON_MAX:
        raise ValidationFailed("the reason is too long",
                               [FieldIssue("reason", f"at most {WITHDRAWAL_REASON_MAX} characters")])
    unknown = NotFound("no such quote", [FieldIssue("quote_id", f"no quote {quote_id}")])
    with ctx.uow() as uow:
        quote = uow.quotes.get(quote_id)
        if quote is None or (principal.role == "customer" and principal.customer_id != quote.customer_id):
            raise unknown  # to a customer, another's quote does not exist (as check_customer)
        if quote.status == "bound":
            raise Conflict(f"quote {quote_id} was bound into policy {quote.policy_id}: a bound quote cannot be "
                           "withdrawn (cancel the policy instead)", [FieldIssue("quote_id", "already bound")])
        if quote.status != "open":
            raise Conflict(f"quote {quote_id} was already withdrawn", [FieldIssue("quote_id", "already withdrawn")])
        withdrawal = QuoteWithdrawal(quote_id, ctx.clock.now(), principal.user_id, text)
        if not uow.quotes.withdraw(withdrawal):
            raise Conflict(f"quote {quote_id} was bound or withdrawn by another request meanwhile",
                           [FieldIssue("quote_id", "no longer open")])
        withdrawn = uow.quotes.get(quote_id)
        assert withdrawn is not None
        ncd = quote_ncd(ctx, uow, withdrawn)
        uow.commit()
    return {**quote_view(withdrawn, ctx.catalogue), "ncd": ncd, "withdrawal": _withdrawal_view(withdrawal)}


def _withdrawal_view(w: QuoteWithdrawal | None) -> QuoteWithdrawalView | None:
    if w is None:
        return None
    return {"withdrawn_at": w.withdrawn_at.isoformat(), "withdrawn_by": w.withdrawn_by, "reason": w.reason}


def bind_quote(ctx: AppContext, principal: Principal, quote_id: str, *, payment_token: str,
               idempotency_key: str | None, documents_on: date | None = None,
               monthly: MonthlyChoice | None = None) -> dict[str, Any]:
    """Turn an open, unexpired quote into a policy, charge the card token and post the ledger. `monthly`: paid
    monthly by direct debit under premium finance (PAY-1): the deposit is taken from the card, the rest financed;
    a referred or declined application refuses the sale (409 naming `payment.plan`), its credit search kept.
    Same key, same answer; a second bind of the same quote is a conflict. The answer is a `PolicyView`
    with `transaction_id`, `payment` and `idempotent_replay`, as idempotent_change stores and replays it
    (JSON, so `dict[str, Any]` here; the route declares the `PolicyView`)."""
    key = check_key(idempotency_key)
    request: dict[str, Any] = {"quote_id": quote_id, "payment_token": payment_token,
                               "documents_on": documents_on.isoformat() if documents_on else None}
    if monthly is not None:  # the fingerprint only is stored, never the account
        request["monthly"] = {"collection_day": monthly.collection_day, "sort_code": monthly.bank.sort_code,
                              "account_number": monthly.bank.account_number,
                              "account_holder": monthly.bank.account_holder}

    def run(uow: UnitOfWork, payment_key: str) -> dict[str, Any]:
        quote = uow.quotes.get(quote_id)
        if quote is None:
            raise NotFound("no such quote")
        check_customer(principal, quote.customer_id, "quote")
        now = ctx.clock.now()
        today = ctx.today()
        if quote.status == "withdrawn":
            raise Conflict("the quote was withdrawn; ask for a new one", [FieldIssue("quote_id", "withdrawn")])
        if quote.status != "open":
            raise Conflict(f"quote {quote_id} is already bound to policy {quote.policy_id}",
                           [FieldIssue("quote_id", "already bound")])
        if now >= quote.expires_at:
            raise Conflict("the quote has expired; ask for a new one", [FieldIssue("quote_id", "expired")])
        if quote.period.start < today:
            raise Conflict("the quote's cover start has passed; ask for a new quote",
                           [FieldIssue("quote_id", f"cover was to start on {quote.period.start}")])
        docs = documents_on or today
        if documents_on is not None and not principal.is_staff:
            raise ValidationFailed("only staff can record when documents were received",
                                   [FieldIssue("documents_on", "leave it out: documents are issued now")])
        if not today <= docs <= today + timedelta(days=DOCUMENTS_WITHIN_DAYS):
            raise ValidationFailed("documents are received on the day of sale or soon after",
                                   [FieldIssue("documents_on", f"must be from {today} to "
                                               f"{today + timedelta(days=DOCUMENTS_WITHIN_DAYS)}")])
        product = ctx.catalogue.by_ref(quote.product_ref)
        proofs = uow.ncd.for_quote(quote.quote_id)  # read once: the check, the transaction and the view use them
        check_rated_as_proven(ctx, uow, quote, proofs)  # NCD-1: bound only on the NCD proven
        policy_id = new_id("pol")
        txn_id = new_id("txn")
        fee_lines = tuple(FeeLine.from_fee(product.fee(code), 1, today, txn_id) for code, _, _ in quote.fees)
        details: dict[str, Any] = {
            "quote_id": quote.quote_id, "product": quote.product_ref,
            "term": {"start": quote.period.start.isoformat(), "end": quote.period.end.isoformat()},
            "risk": quote.risk_details, "ipt_rate": str(quote.ipt_rate), "rating": quote.rating,
            "concluded_on": today.isoformat(), "documents_on": docs.isoformat(),
        }
        if quote.extras:
            check_bound_lines(ctx.catalogue, product, quote.period, quote.extras)
            details["extras"] = [x.as_dict() for x in quote.extras]  # posted with the premium (ADD-1)
        policy = Policy(policy_id, policy_number(uow.policies.next_number()), quote.customer_id,
                        product.code, product.renewal.auto_renew_default and product.renewal.renewable,
                        quote.period.start, payment_token, now)
        txn = PolicyTransaction(txn_id, policy_id, 1, 1, "new_business", quote.period.start, now,
                                Actor(principal.user_id, principal.role), "new business", quote.premium,
                                quote.ipt, fee_lines, (), details, key)
        policy.transactions.append(txn)
        term = policy.term()
        segments = price_segments(ctx.catalogue, term)
        check_price(term, segments, quote.premium)
        details["versions"] = segments_view(segments)
        if not uow.quotes.mark_bound(quote.quote_id, policy_id):
            raise Conflict("the quote was bound or withdrawn by another request",
                           [FieldIssue("quote_id", "no longer open")])
        details["ncd"] = ncd_at_bind(ctx, uow, quote, proofs)  # NCD-1: bound on unproven or rejected NCD is flagged
        uow.policies.add(policy)
        uow.publish(PolicyTransactionRecorded(policy, txn))  # ECO-1 carbon offset, REG-1 MID update
        if monthly is None:
            payment = settle(ctx, uow, policy, txn, f"New business {policy.number}", payment_key,
                             occasion="new_business")  # the customer is here, paying now (PAY-3: no notice)
        else:  # PAY-1: the provider's decision, the plan, and only the deposit taken now
            payment = open_at_bind(ctx, uow, principal, policy, txn, f"New business {policy.number}", payment_key,
                                   monthly)
        view = policy_view(ctx.catalogue, policy, today, balance=Money.zero())
        # NCD-1: as GET /policies/{id} shows it; the new policy's proofs are its quote's
        view["ncd"] = policy_ncd(ctx, uow, policy, today, proofs)
        view["transaction_id"] = txn_id
        view["payment"] = payment
        return cast(dict[str, Any], view)

    try:
        out = idempotent_change(ctx.uow, principal.user_id, "bind", idempotency_key, request, run)
    except FinanceRefused as refused:
        keep_search_of_refused(ctx, principal, refused)
        raise
    if monthly is not None and not out.get("idempotent_replay"):
        plans.issue_finance_documents(ctx, principal, out["id"])  # the pre-contract information and agreement
    return out


def check_price(term: TermState, segments: list[Segment], quoted: Money) -> None:
    """The price bound is the price quoted, recomputed from the recorded versions (any drift is a bug)."""
    charged = charged_premium(segments, term.period, term.cover_end)
    if charged != quoted:
        raise Conflict(f"the recomputed premium {charged} differs from the quoted {quoted}; ask for a new quote")
