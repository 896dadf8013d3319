"""The 90-day premium review (TEL-4) as a policy adjustment.

At each review date (every 90 days from the term's start, product data) the period's average score comes through
the `PeriodScores` port, the pure rule (`domain/rerating.rerate`) gives the term's new loading, and the loading is
set as the rating answer the product multiplies in, from the review date, by an ordinary mid-term adjustment
(`lifecycle/usecases/adjustments`, occasion "rerating"): the pro rata premium and IPT, the ledger, the MID, and
the money settled as the payer pays (PAY-1: the direct debits re-planned; PAY-3: a card payer's 14-day notice
before the payment or refund). The transaction's details hold the review's figures under "rerating", so the
policy's own history is the record of its reviews: a review is made once per policy and date (a second run
answers the first). The customer's letter (templates/review_letter.*) is issued as one of the policy's
documents after the commit. A period without a score (the box not reporting) changes nothing: the review says
why, writes to the customer once, and is tried again each day until the next review date comes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from covernote.documents.domain import Letter
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.errors import DomainError, FieldIssue, NotFound, ValidationFailed
from covernote.kernel.money import Money
from covernote.lifecycle.usecases import adjustments
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.policy.domain.model import Policy, PolicyTransaction
from covernote.policy.domain.risk import Change
from covernote.policy.domain.term import TermState, risk_timeline
from covernote.policy.usecases.lookup import load_policy
from covernote.policy.usecases.pricing import segments as price_segments
from covernote.products.domain.telematics_spec import RerateRules
from covernote.telematics.domain.rerating import increase_cap, rerate, review_dates
from covernote.telematics.ports.rerating import PeriodScores
from covernote.telematics.results.rerating import ReviewList, ReviewRun, ReviewView
from covernote.telematics.usecases import wiring

log = logging.getLogger(__name__)

LETTER_KIND = "telematics_review"
LETTER_TEMPLATES = ("review_letter.html", "review_letter.txt")
PAGE = 200


@dataclass(frozen=True)
class _Reviewable:
    policy: Policy
    term: TermState
    rules: RerateRules
    dates: tuple[date, ...]


def _reviewable(ctx: AppContext, policy: Policy) -> _Reviewable | None:
    """The policy's current term and its review rules and dates, or None when it has no 90-day review (not a
    Smartbox product with a `rerating:` section, void, or cancelled: a cancellation settles the term)."""
    term = policy.term()
    product = ctx.catalogue.by_ref(term.product_ref)
    rules = product.telematics_rules.rerating if product.telematics_rules else None
    if rules is None or term.voided or term.cancelled_from is not None:
        return None
    return _Reviewable(policy, term, rules, review_dates(term.period.start, term.cover_end, rules.interval_days))


def _done(policy: Policy, term_no: int) -> dict[str, PolicyTransaction]:
    """The term's reviews made, by review date: the adjustments whose details say they are a re-rating."""
    return {t.details["rerating"]["review_on"]: t for t in policy.transactions
            if t.term_no == term_no and isinstance(t.details.get("rerating"), dict)}


def _loading_on(term: TermState, question: str, day: date) -> int:
    """The term's loading (whole percent) in force on `day`: the rating answer, 0 when never set."""
    for stretch, risk in risk_timeline(term.base_risk, term.period, term.adjustments):
        if stretch.contains(day):
            return int(Decimal(risk.answers_dict().get(question, "0")))
    return 0


def _annual_premium_on(ctx: AppContext, term: TermState, day: date) -> Money:
    """The annual premium (before IPT) the term's rating gives on `day`."""
    for seg in price_segments(ctx.catalogue, term):
        if seg.period.contains(day):
            return seg.rating.premium
    return price_segments(ctx.catalogue, term)[-1].rating.premium


def _renewal_premium(ctx: AppContext, term: TermState) -> Money:
    """S3's "Renewal Premium", read as the term's annual premium at inception or renewal, before any change."""
    return price_segments(ctx.catalogue, term, [])[0].rating.premium


def _base_view(policy_id: str, review_on: date, rules: RerateRules) -> ReviewView:
    return {"policy_id": policy_id, "review_on": review_on.isoformat(),
            "period_start": (review_on - timedelta(days=rules.interval_days)).isoformat(),
            "period_end": review_on.isoformat(), "status": "reviewed", "cap_percent": rules.cap_percent,
            "floor_percent": rules.floor_percent, "explanation": []}


def _view_of(txn: PolicyTransaction, rules: RerateRules) -> ReviewView:
    d = txn.details["rerating"]
    view = _base_view(txn.policy_id, date.fromisoformat(d["review_on"]), rules)
    for key in ("score", "previous_score", "against_baseline", "change", "journeys", "step_percent",
                "loading_before", "loading_after", "capped", "floored", "renewal_premium", "increase_cap",
                "premium_before", "premium_after"):
        if key in d:
            view[key] = d[key]  # type: ignore[literal-required]
    view.update({"premium": txn.premium.to_str(), "ipt": txn.ipt.to_str(), "transaction_id": txn.transaction_id,
                 "explanation": list(d.get("explanation", []))})
    return view


def list_reviews(ctx: AppContext, principal: Principal, policy_id: str) -> ReviewList:
    """TEL-4: the current term's reviews made, oldest first, and its review dates still to come. A customer sees
    only their own policy's (another's answers as unknown)."""
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
    r = _reviewable(ctx, policy)
    if r is None:
        return {"policy_id": policy.policy_id, "reviews": [], "upcoming": []}
    done = _done(policy, r.term.term_no)
    views = [_view_of(done[k], r.rules) for k in sorted(done)]
    for v in views:  # the annual premium from the review date, as the term is priced now
        v["premium_after"] = _annual_premium_on(ctx, r.term, date.fromisoformat(v["review_on"])).to_str()
    return {"policy_id": policy.policy_id, "reviews": views,
            "upcoming": [d.isoformat() for d in r.dates if d.isoformat() not in done]}


def review(ctx: AppContext, principal: Principal, policy_id: str, review_on: date,
           scores: PeriodScores | None = None) -> ReviewView:
    """TEL-4: review the policy's premium on `review_on` (one of its term's review dates), staff or the daily
    step only. Made once: asked again, the review already made is answered and nothing changes."""
    require_staff(principal, "review a telematics premium")
    source = scores or wiring.StoredPeriodScores(ctx)  # the stored day scores (TEL-3)
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
        customer = uow.customers.get(policy.customer_id)
    r = _reviewable(ctx, policy)
    if r is None:
        raise ValidationFailed("no 90-day review", [FieldIssue(
            "policy_id", "the policy's current term has no telematics premium review (not a Smartbox product, "
            "void or cancelled)")])
    if review_on not in r.dates:
        raise ValidationFailed("not a review date", [FieldIssue(
            "review_on", f"the term's review dates are {', '.join(d.isoformat() for d in r.dates) or 'none'}")])
    done = _done(policy, r.term.term_no)
    if review_on.isoformat() in done:
        return _view_of(done[review_on.isoformat()], r.rules)
    rules = r.rules
    start = review_on - timedelta(days=rules.interval_days)
    view = _base_view(policy.policy_id, review_on, rules)
    got = source.period(policy.policy_id, start, review_on)
    holder = customer.name if customer else None
    if got is None:
        view.update({"status": "no_score", "reason": (
            f"no driving score for {start.isoformat()} to {review_on.isoformat()}: the Smartbox sent no scored "
            "journeys, so the premium is not changed"), "explanation": [
            "Without a score for the period there is nothing to compare; the premium stays as it is."]})
        view["document_id"] = _issue_letter(ctx, policy, r.term, view, holder)
        return view
    earlier = [done[k] for k in sorted(done) if k < review_on.isoformat()]
    previous = Decimal(earlier[-1].details["rerating"]["score"]) if earlier else None
    before = _loading_on(r.term, rules.question, review_on)
    figures = rerate(rules, got.score, previous, before)
    renewal = _renewal_premium(ctx, r.term)
    cap = increase_cap(renewal, rules.cap_percent)
    annual_before = _annual_premium_on(ctx, r.term, review_on)
    details: dict[str, Any] = {
        "review_on": review_on.isoformat(), "period_start": start.isoformat(), "period_end": review_on.isoformat(),
        "score": str(figures.score), "previous_score": str(figures.previous_score),
        "against_baseline": figures.against_baseline, "change": str(figures.change), "journeys": got.journeys,
        "step_percent": figures.step_percent, "loading_before": figures.loading_before,
        "loading_after": figures.loading_after, "capped": figures.capped, "floored": figures.floored,
        "renewal_premium": renewal.to_str(), "increase_cap": cap.to_str(), "premium_before": annual_before.to_str(),
        "explanation": [*figures.explanation, (
            f"The renewal premium (the term's annual premium at its start) is {renewal.to_str()}: the driving "
            f"may add at most {rules.cap_percent}% of it, {cap.to_str()}, to the annual premium.")]}
    req = adjustments.AdjustmentRequest(
        review_on, (Change("set_answer", question=rules.question, value=str(figures.loading_after)),),
        reason=f"Telematics 90-day premium review of {review_on.isoformat()} (TEL-4)", occasion="rerating",
        details=details)
    quote = adjustments.quote_adjustment(ctx, principal, policy.policy_id, req)
    done_adj = adjustments.confirm_adjustment(ctx, principal, policy.policy_id, quote["id"],
                                              f"rerating:{policy.policy_id}:{review_on.isoformat()}")
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
        notices = [n for n in uow.payment_notices.for_policy(policy.policy_id)
                   if n.transaction_id == done_adj["transaction"]["id"]]
    term = policy.term()
    annual_after = _annual_premium_on(ctx, term, review_on)
    txn = _done(policy, term.term_no)[review_on.isoformat()]
    view = _view_of(txn, rules)
    view.update({"premium_after": annual_after.to_str(), "total": done_adj["total"],
                 "payment": done_adj["payment"]})
    view["explanation"].append(
        f"The annual premium goes from {annual_before.to_str()} to {annual_after.to_str()} from "
        f"{review_on.isoformat()}; the rest of the term is charged pro rata: {txn.premium.to_str()} premium with "
        f"{txn.ipt.to_str()} IPT.")
    view["document_id"] = _issue_letter(ctx, policy, term, view, holder, notices[0].due_on if notices else None)
    return view


def _payment_words(view: ReviewView, due_on: date | None) -> str:
    payment = view.get("payment")
    total = Money.of(view.get("total", "0"))
    if payment is None or total.is_zero():
        return "There is nothing to pay and nothing to refund."
    if payment.get("replan") is not None:
        return (f"Your remaining direct debits are changed by {total.to_str()} in all "
                f"({'more' if total > Money.zero() else 'less'}); we will write with the new amounts and dates.")
    when = f" on {templating.long_date(due_on)}" if due_on else ""
    if total > Money.zero():
        return f"We will take GBP {total.to_str()} from your card{when}, after a separate notice 14 days before."
    return f"We will refund GBP {abs(total).to_str()} to your card{when}, after a separate notice."


def _issue_letter(ctx: AppContext, policy: Policy, term: TermState, view: ReviewView, holder: str | None,
                  due_on: date | None = None) -> str | None:
    """DOC-1/DOC-2: the review's letter as one of the policy's documents (kind `telematics_review`, one per
    review date), after the commit. A failure is logged, never undoes the review: asked again, it is issued."""
    product = ctx.catalogue.by_ref(term.product_ref)
    values: dict[str, Any] = {
        "insurer": product.insurer, "title": "Your telematics premium review", "issued_on": ctx.today(),
        "policyholder": holder, "policy_number": policy.number, "review": view,
        "review_on": date.fromisoformat(view["review_on"]), "payment_words": _payment_words(view, due_on)}
    try:
        issued = documents.issue_letter(ctx, SYSTEM, policy.policy_id, Letter(
            LETTER_KIND, f"{policy.policy_id}:{view['review_on']}", values["title"], "telematics/review_letter",
            templating.version("covernote.telematics", *LETTER_TEMPLATES), product.ref, term.term_no,
            templating.render("covernote.telematics", "review_letter.html", **values),
            templating.render("covernote.telematics", "review_letter.txt", **values)))
    except DomainError:
        log.exception("telematics review letter for %s on %s not issued", policy.policy_id, view["review_on"])
        return None
    return issued["id"]


def reviews_due(ctx: AppContext, principal: Principal, as_of: date | None = None,
                scores: PeriodScores | None = None) -> ReviewRun:
    """TEL-4, the daily step: every Smartbox policy whose review date has come (on or before `as_of`, default
    today) without a review made. Safe to rerun: a review is made once per policy and date. A review without a
    score is tried again the next day, until the term's next review date has come."""
    require_staff(principal, "run the telematics premium reviews")
    day = as_of or ctx.today()
    run: ReviewRun = {"as_of": day.isoformat(), "reviewed": [], "no_score": [], "failed": []}
    offset = 0
    while True:
        with ctx.uow(read_only=True) as uow:
            batch = uow.policies.page(None, PAGE, offset)
        offset += len(batch)
        for policy in batch:
            r = _reviewable(ctx, policy)
            if r is None:
                continue
            done = _done(policy, r.term.term_no)
            passed = [d for d in r.dates if d <= day]
            for i, d in enumerate(passed):
                if d.isoformat() in done:
                    continue
                superseded = i + 1 < len(passed)  # a later review date has come: this one is out of time
                try:
                    got = review(ctx, principal, policy.policy_id, d, scores)
                except DomainError as exc:
                    run["failed"].append({"policy_id": policy.policy_id, "review_on": d.isoformat(),
                                          "reason": str(exc)})
                    break
                if got["status"] == "no_score":
                    if not superseded:
                        run["no_score"].append(got)
                else:
                    run["reviewed"].append(got)
        if len(batch) < PAGE:
            return run


def find_review(ctx: AppContext, principal: Principal, policy_id: str, review_on: date) -> ReviewView:
    """One review made, or NotFound naming the date."""
    for v in list_reviews(ctx, principal, policy_id)["reviews"]:
        if v["review_on"] == review_on.isoformat():
            return v
    raise NotFound("no such review", [FieldIssue("review_on", f"no review made on {review_on.isoformat()}")])
