"""Mid-term adjustments (POL-2): new car, drivers added or removed, any change of cover, temporary or
permanent. Priced as additional or return premium plus the product's fee, quoted before confirmed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, cast

from covernote.billing.usecases.notices import send_letters
from covernote.billing.usecases.settle import settle
from covernote.extras.usecases import mta_lines as mta_extra_lines
from covernote.identity.usecases import Principal
from covernote.kernel.clock import london_date
from covernote.kernel.errors import Conflict, DomainError, FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money, sum_money
from covernote.kernel.periods import Period
from covernote.lifecycle.results import Adjusted, AdjustedChange, AdjustmentPrice
from covernote.lifecycle.usecases.pending import open_pending, store_pending
from covernote.platform.context import AppContext
from covernote.platform.idempotency import idempotent_change
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.codec import adjustment_to_dict, change_from_dict, change_to_dict
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Actor, Policy, PolicyTransaction
from covernote.policy.domain.risk import Change, Risk, validate_risk
from covernote.policy.domain.term import Adjustment, TermState, risk_timeline, term_charge
from covernote.policy.usecases.lookup import load_policy
from covernote.policy.usecases.pricing import segments as price_segments
from covernote.policy.usecases.views import money, segments_view, transaction_view
from covernote.privacy.usecases.requests import processing_allowed
from covernote.products.domain.model import Product
from covernote.regulatory.usecases.fraud import screen_adjustment


@dataclass(frozen=True)
class AdjustmentRequest:
    effective_date: date
    changes: tuple[Change, ...]
    until: date | None = None
    smartbox: Literal["retained", "new"] | None = None
    reason: str = ""
    add_extras: tuple[str, ...] = ()  # optional extras added or removed from effective_date (ADD-1)
    remove_extras: tuple[str, ...] = ()
    # TEL-4: the telematics 90-day review makes its change as an adjustment with occasion "rerating" (settled
    # with the payment authority's notice or the direct debit re-plan, no adjustment fee) and `details` (the
    # review's figures) kept on the transaction under "rerating". Default: an ordinary adjustment.
    occasion: Literal["adjustment", "rerating"] = "adjustment"
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"effective_date": self.effective_date.isoformat(),
                "until": self.until.isoformat() if self.until else None,
                "changes": [change_to_dict(c) for c in self.changes], "smartbox": self.smartbox, "reason": self.reason,
                "add_extras": list(self.add_extras), "remove_extras": list(self.remove_extras),
                **({"occasion": self.occasion, "details": self.details} if self.occasion != "adjustment" else {})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AdjustmentRequest:
        return cls(date.fromisoformat(d["effective_date"]), tuple(change_from_dict(c) for c in d["changes"]),
                   date.fromisoformat(d["until"]) if d.get("until") else None, d.get("smartbox"), d.get("reason", ""),
                   tuple(d.get("add_extras", ())), tuple(d.get("remove_extras", ())),
                   d.get("occasion", "adjustment"), dict(d.get("details") or {}))


def _price(ctx: AppContext, principal: Principal, policy: Policy, req: AdjustmentRequest,
           quoted_on: date | None = None) -> AdjustmentPrice:
    """Price the adjustment. `quoted_on`: when confirming, the day it was quoted (rules about the day of
    the request look at that day, so a quote confirmed the next day keeps its terms)."""
    term = policy.term_for_change(req.effective_date, "change")
    product = ctx.catalogue.by_ref(term.product_ref)
    today = quoted_on or ctx.today()
    issues = IssueCollector()
    if term.voided:
        issues.add("policy", "the policy is void")
    if term.cancelled_from is not None:
        issues.add("policy", f"the policy is cancelled from {term.cancelled_from}")
    if not term.period.contains(req.effective_date):
        issues.add("effective_date", f"must be within the current term {term.period}")
    if req.until is not None and not (req.effective_date < req.until <= term.period.end):
        issues.add("until", f"a temporary change must end after it starts and by {term.period.end}")
    if principal.role == "customer" and req.effective_date < today:
        issues.add("effective_date", "a change cannot be back-dated online; contact us")
    if not req.changes and not req.add_extras and not req.remove_extras:
        issues.add("changes", "at least one change (or an extra to add or remove) is needed")
    if principal.role == "customer" and any(c.op == "set_answer" and c.question == "ncd_years" for c in req.changes):
        issues.add("changes", "no-claims years change only on proof, through our staff (NCD-1)")
    rerating = product.telematics_rules.rerating if product.telematics_rules else None
    if req.occasion != "rerating" and rerating is not None and any(
            c.op == "set_answer" and c.question == rerating.question for c in req.changes):
        issues.add("changes", f"{rerating.question} is set only by the telematics 90-day review (TEL-4)")
    vehicle_change = any(c.op == "replace_vehicle" for c in req.changes)
    if vehicle_change and product.telematics and req.smartbox is None:
        issues.add("smartbox", "say whether the Smartbox is moved to the new car (retained) or a new one is needed (new)")
    if not req.reason.strip():
        issues.add("reason", "is required")
    issues.raise_if_any("the adjustment cannot be made")
    adjustment = Adjustment(term.next_sequence(), req.effective_date, req.until, req.changes)
    before_segments = price_segments(ctx.catalogue, term)
    after_adjustments = [*term.adjustments, adjustment]
    timeline_after = _changed_risks(product, term, after_adjustments)
    after_segments = price_segments(ctx.catalogue, term, after_adjustments)
    before = term_charge(term, before_segments)
    after = term_charge(term, after_segments)
    events = {"mta"} if req.occasion == "adjustment" else set()  # TEL-4: the review charges no fee
    if vehicle_change and product.telematics:
        events.add("vehicle_change_box_retained" if req.smartbox == "retained" else "vehicle_change_new_box")
    fees = product.fees_for(events)
    premium = after.premium - before.premium
    ipt = after.ipt - before.ipt
    extras = mta_extra_lines(ctx, policy, term, product, req.add_extras, req.remove_extras, req.effective_date,
                             req.until, timeline_before=risk_timeline(term.base_risk, term.period, term.adjustments),
                             timeline_after=timeline_after)  # NCD-3: protection needs its minimum NCD years
    total = premium + ipt + sum_money([f.amount for f in fees]) + sum_money([x.total for x in extras])
    kind = "additional premium" if premium > Money.zero() else ("return premium" if premium < Money.zero() else "no premium change")
    return {
        "effective_date": req.effective_date.isoformat(), "until": req.until.isoformat() if req.until else None,
        "changes": [c.describe() for c in req.changes],
        "premium_before": money(before.premium), "premium_after": money(after.premium),
        "premium": money(premium), "ipt": money(ipt), "premium_kind": kind,
        "fees": [{"code": f.code, "name": f.name, "amount": money(f.amount)} for f in fees],
        "extras": [x.as_dict() for x in extras],
        "total": money(total),
        "versions_after": segments_view(after_segments),
        "explanation": [
            f"The term charges {money(before.premium)} premium before the change and {money(after.premium)} after "
            f"(each version's premium x its days / {term.period.days} days, rounded once).",
            f"{kind.capitalize()} {money(premium)} with IPT {money(ipt)} at {term.ipt_rate}.",
            *[f"{f.name}: {money(f.amount)}." for f in fees],
            *[x.explanation for x in extras],
        ],
    }


def _changed_risks(product: Product, term: TermState, after_adjustments: list[Adjustment]) -> list[tuple[Period, Risk]]:
    """The risk on each stretch of the term with the adjustment made, each judged by the product's rules (the
    one place they are applied to a change: quoting it, confirming it, and `adjustment_rule_issues`)."""
    timeline_after = risk_timeline(term.base_risk, term.period, after_adjustments)
    for _stretch, risk in timeline_after:
        validate_risk(product, risk, term.period.start, prefix="changes")
    return timeline_after


def adjustment_rule_issues(ctx: AppContext, principal: Principal, policy_id: str,
                           req: AdjustmentRequest) -> list[FieldIssue]:
    """What the product's rules say of the risk the adjustment would make, without quoting it or writing
    anything: asked when the request's shape is faulty elsewhere, so one answer names both (issue 13, item
    21). Nothing for a policy the caller may not change (another customer's is never judged, so never
    revealed), nor for one no change can be made to (void, cancelled, anonymised, processing restricted): that
    is said once the shape is right. The changes apply from the effective date held within the current term
    (a date outside it is refused by its own rule, or stands in for a faulty one)."""
    try:
        with ctx.uow(read_only=True) as uow:
            policy = load_policy(uow, principal, policy_id)
            processing_allowed(uow, policy.customer_id, "change the policy")
    except DomainError:
        return []
    term = policy.term()  # the term every change applies to (`Policy.term_for_change`)
    if term.voided or term.cancelled_from is not None:
        return []
    last_day = term.period.end - timedelta(days=1)
    effective = min(max(req.effective_date, term.period.start), last_day)
    until = req.until if req.until is not None and effective < req.until <= term.period.end else None
    adjustment = Adjustment(term.next_sequence(), effective, until, req.changes)
    try:
        _changed_risks(ctx.catalogue.by_ref(term.product_ref), term, [*term.adjustments, adjustment])
    except ValidationFailed as exc:
        return list(exc.issues)
    return []


def quote_adjustment(ctx: AppContext, principal: Principal, policy_id: str, req: AdjustmentRequest) -> dict[str, Any]:
    """An `AdjustmentQuote` (the route declares it); `dict[str, Any]` here because the demonstration data
    reuses one variable for this quote and a cancellation's."""
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        processing_allowed(uow, policy.customer_id, "change the policy")
        result = _price(ctx, principal, policy, req)
        screen_adjustment(ctx, uow, principal, policy, req.changes)  # REG-3: a match refuses the change
        view = store_pending(ctx, uow, policy, "mta", req.as_dict(), cast(dict[str, Any], result), principal.user_id)
        uow.commit()
    return cast(dict[str, Any], view)  # the stored quote with the price just stored


def confirm_adjustment(ctx: AppContext, principal: Principal, policy_id: str, pending_id: str,
                       idempotency_key: str | None) -> Adjusted:
    done = cast(Adjusted, idempotent_change(
        ctx.uow, principal.user_id, "mta", idempotency_key, {"policy": policy_id, "quote": pending_id},
        lambda uow, payment_key: cast(dict[str, Any], _confirm(ctx, uow, principal, policy_id, pending_id, payment_key))))
    send_letters(ctx, done["policy_id"])  # PAY-3: the written notice of what it takes or pays, and when
    return done


def _confirm(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy_id: str, pending_id: str,
             payment_key: str) -> AdjustedChange:
    policy = load_policy(uow, principal, policy_id)
    processing_allowed(uow, policy.customer_id, "change the policy")
    pending = open_pending(ctx, uow, policy, pending_id, "mta")
    req = AdjustmentRequest.from_dict(pending.request)
    result = _price(ctx, principal, policy, req, quoted_on=london_date(pending.created_at))
    if result["total"] != pending.result["total"]:
        raise Conflict("the price has changed since the quote; ask for a new one")
    term = policy.term()
    product = ctx.catalogue.by_ref(term.product_ref)
    txn_id = new_id("txn")
    adjustment = Adjustment(term.next_sequence(), req.effective_date, req.until, req.changes, txn_id)
    today = ctx.today()
    fees = tuple(FeeLine.from_fee(product.fee(f["code"]), term.term_no, today, txn_id) for f in result["fees"])
    txn = PolicyTransaction(
        txn_id, policy.policy_id, policy.next_sequence(), term.term_no, "mta", req.effective_date, ctx.clock.now(),
        Actor(principal.user_id, principal.role), req.reason, Money.of(result["premium"]), Money.of(result["ipt"]),
        fees, (), {"adjustment": adjustment_to_dict(adjustment), "quote_id": pending_id,
                   "versions": result["versions_after"], "explanation": result["explanation"],
                   **({"extras": result["extras"]} if result.get("extras") else {}),
                   **({"rerating": req.details} if req.occasion == "rerating" else {})}, payment_key)
    uow.policies.append(policy, [txn], pending.policy_version)
    uow.pending.set_status(pending_id, "confirmed")
    policy.transactions.append(txn)
    uow.publish(PolicyTransactionRecorded(policy, txn))  # ECO-1 offset top-up or reduction; REG-1 MID update
    payment = settle(ctx, uow, policy, txn, f"Adjustment to {policy.number}", payment_key, occasion=req.occasion)
    return {"policy_id": policy.policy_id, "transaction": transaction_view(txn), "payment": payment,
            "premium_after": result["premium_after"], "total": result["total"]}
