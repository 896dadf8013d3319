"""Cancellation by the customer or the insurer, quoted then confirmed, and the Smartbox return that
refunds part of the fees (POL-5, FEE-1..6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from covernote.billing.usecases.notices import send_letters
from covernote.billing.usecases.settle import settle
from covernote.extras.usecases import cancellation_lines as cancellation_extra_lines
from covernote.extras.usecases import with_cancellation_extras
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.errors import Conflict, FieldIssue, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.lifecycle.results import (
    BoxReturned,
    BoxReturnedChange,
    CancellationTerms,
    Cancelled,
    CancelledChange,
)
from covernote.lifecycle.usecases.pending import open_pending, store_pending
from covernote.platform.context import AppContext
from covernote.platform.idempotency import check_key, idempotent_change
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.cancellation import (
    CancellationRequest,
    CancellationResult,
    box_return_shares,
    compute_cancellation,
    validate_request,
)
from covernote.policy.domain.codec import fee_line_from_dict, fee_line_to_dict
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Actor, Policy, PolicyTransaction
from covernote.policy.usecases.lookup import load_policy
from covernote.policy.usecases.pricing import segments as price_segments
from covernote.policy.usecases.views import money, transaction_view


@dataclass(frozen=True)
class CancelInput:
    effective_date: date
    reason: str
    by: str = "customer"
    requested_on: date | None = None


def _compute(ctx: AppContext, principal: Principal, policy: Policy, inp: CancelInput,
             confirming: bool = False) -> tuple[CancellationResult, CancellationRequest]:
    """`confirming`: re-pricing a stored quote, whose request day was fixed when it was quoted."""
    if inp.by not in ("customer", "insurer"):
        raise ValidationFailed("unknown canceller", [FieldIssue("by", "must be customer or insurer")])
    if inp.by == "insurer" and not principal.is_staff:
        raise ValidationFailed("only the insurer's staff can cancel as the insurer", [FieldIssue("by", "must be customer")])
    today = ctx.today()
    requested = inp.requested_on or today
    if requested > today:
        raise ValidationFailed("a request cannot be dated in the future", [FieldIssue("requested_on", f"must be {today} or earlier")])
    if requested != today and not principal.is_staff and not confirming:
        raise ValidationFailed("only staff can record a request made on an earlier day", [FieldIssue("requested_on", "leave it out")])
    term = policy.term_for_change(inp.effective_date, "cancellation")
    product = ctx.catalogue.by_ref(term.product_ref)
    request = CancellationRequest(requested, inp.effective_date, inp.by, inp.reason)  # type: ignore[arg-type]
    validate_request(product, term, request, may_backdate=principal.is_staff)
    result = compute_cancellation(product, term, price_segments(ctx.catalogue, term), policy.fee_lines(term.term_no),
                                  policy.events(), policy.taken_out_on, request)
    return result, request


def result_view(r: CancellationResult) -> dict[str, Any]:
    refund = r.refund_total
    return {
        "within_cooling_off": r.within_cooling_off,
        "cooling_off": {"starts": r.cooling_off_starts.isoformat(), "last_day": r.cooling_off_last_day.isoformat()},
        "method": r.method, "days_on_cover": r.days_on_cover, "days_in_term": r.days_in_term,
        "months_on_cover": r.months_on_cover,
        "short_period_percent": None if r.short_period_percent is None else str(r.short_period_percent),
        "paid": {"premium": money(r.paid.premium), "ipt": money(r.paid.ipt),
                 "fees": [fee_line_to_dict(f) for f in r.paid_fees], "total": money(r.paid_total)},
        "earned": {"premium": money(r.earned.premium), "ipt": money(r.earned.ipt)},
        "refund": {"premium": money(r.refund_premium), "ipt": money(r.refund_ipt),
                   "fees": [fee_line_to_dict(f) for f in r.fees_refunded]},
        "fees_kept": [fee_line_to_dict(f) for f in r.fees_kept],
        "cancellation_fees": [{"code": f.code, "name": f.name, "amount": money(f.amount)} for f in r.cancellation_fees],
        "refund_total": money(refund.max(Money.zero())),
        "amount_due_from_customer": money((-refund).max(Money.zero())),
        "box_return": None if r.box_return_by is None else {"by": r.box_return_by.isoformat(),
                                                              "further_refund": money(r.box_return_refund)},
        "check": "refund + earned premium and IPT + fees kept = paid (FEE-6)",
        "explanation": list(r.explanation),
    }


def quote_cancellation(ctx: AppContext, principal: Principal, policy_id: str, inp: CancelInput) -> dict[str, Any]:
    """A `CancellationQuote` (the route declares it); `dict[str, Any]` here because the demonstration data
    reuses one variable for an adjustment's quote and this one."""
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        result, request = _compute(ctx, principal, policy, inp)
        req = {"effective_date": inp.effective_date.isoformat(), "reason": inp.reason, "by": inp.by,
               "requested_on": request.requested_on.isoformat()}
        result_with_extras = with_cancellation_extras(result_view(result), cancellation_extra_lines(
            policy, result, request.effective))  # ADD-1: each extra refunded the core premium's way
        view = store_pending(ctx, uow, policy, "cancellation", req, result_with_extras, principal.user_id)
        uow.commit()
    return cast(dict[str, Any], view)  # the stored quote with the terms just stored


def confirm_cancellation(ctx: AppContext, principal: Principal, policy_id: str, pending_id: str,
                         idempotency_key: str | None) -> Cancelled:
    key = check_key(idempotency_key)

    def run(uow: UnitOfWork, payment_key: str) -> dict[str, Any]:  # idempotent_change stores and replays JSON
        policy = load_policy(uow, principal, policy_id)
        pending = open_pending(ctx, uow, policy, pending_id, "cancellation")
        rq = pending.request
        inp = CancelInput(date.fromisoformat(rq["effective_date"]), rq["reason"], rq["by"],
                          date.fromisoformat(rq["requested_on"]))
        result, request = _compute(ctx, principal, policy, inp, confirming=True)
        # The terms with each extra's refund, as the extras context adds them (cast, no copy).
        view = cast(CancellationTerms, with_cancellation_extras(result_view(result), cancellation_extra_lines(
            policy, result, request.effective)))
        if view["refund_total"] != pending.result["refund_total"] or \
                view["amount_due_from_customer"] != pending.result["amount_due_from_customer"]:
            raise Conflict("the refund has changed since the quote; ask for a new one")
        txn = record_cancellation(ctx, uow, principal, policy, result, request, view, key, quote_id=pending_id,
                                  expected_version=pending.policy_version)
        uow.pending.set_status(pending_id, "confirmed")
        payment = settle(ctx, uow, policy, txn, f"Cancellation of {policy.number}", payment_key,
                         occasion="cancellation", on_decline="leave_outstanding")
        change: CancelledChange = {"policy_id": policy.policy_id, "status": "cancelled",
                                   "cover_ends": request.effective.isoformat(), "transaction": transaction_view(txn),
                                   "refund": view, "payment": payment}
        return cast(dict[str, Any], change)

    done = cast(Cancelled, idempotent_change(ctx.uow, principal.user_id, "cancel", idempotency_key,
                                             {"policy": policy_id, "quote": pending_id}, run))
    send_letters(ctx, done["policy_id"])  # PAY-3: the notice of the refund (or the amount due), and when
    return done


def record_cancellation(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy: Policy,
                        result: CancellationResult, request: CancellationRequest, view: CancellationTerms,
                        key: str | None, quote_id: str | None = None, details: dict[str, Any] | None = None,
                        expected_version: int | None = None) -> PolicyTransaction:
    """Record a priced cancellation on the policy in the caller's unit of work: its transaction (the refund of
    premium and IPT, the product's cancellation fees, the fees refunded), the open renewal and adjustment quotes
    declined, and `PolicyTransactionRecorded` published. The money is the caller's to post and collect.
    `expected_version`: the policy's version the terms were priced on (a stored quote's); its current one if None."""
    term = policy.term()
    product = ctx.catalogue.by_ref(term.product_ref)
    today = ctx.today()
    txn_id = new_id("txn")
    fees = tuple(FeeLine.from_fee(f, term.term_no, today, txn_id) for f in result.cancellation_fees)
    box_refunds = box_return_shares(result.within_cooling_off, result.fees_kept, fees)
    txn = PolicyTransaction(
        txn_id, policy.policy_id, policy.next_sequence(), term.term_no, "cancellation", request.effective,
        ctx.clock.now(), Actor(principal.user_id, principal.role), request.reason,
        -result.refund_premium, -result.refund_ipt, fees, result.fees_refunded,
        {"cancelled_by": request.by, "requested_on": request.requested_on.isoformat(), "quote_id": quote_id,
         "result": view, "box_return_by": view["box_return"]["by"] if view["box_return"] else None,
         "box_return_refunds": [fee_line_to_dict(f) for f in box_refunds],
         "product": product.ref, **({"extras": view["extras"]} if view["extras"] else {}), **(details or {})}, key)
    policy.version = uow.policies.append(policy, [txn], policy.version if expected_version is None else expected_version,
                                        auto_renew=False)
    for other in uow.pending.open_for(policy.policy_id, "renewal") + uow.pending.open_for(policy.policy_id, "mta"):
        uow.pending.set_status(other.pending_id, "declined")
    policy.transactions.append(txn)
    uow.publish(PolicyTransactionRecorded(policy, txn))  # ECO-1 offset pro-rated; REG-1 cover's end on the MID
    return txn


def priced_terms(ctx: AppContext, principal: Principal, policy: Policy, inp: CancelInput
                 ) -> tuple[CancellationResult, CancellationRequest, CancellationTerms]:
    """The cancellation priced as `confirm_cancellation` prices a stored quote (its request day given), with
    each extra's refund as the extras context adds it (POL-5, FEE-1..6, ADD-1)."""
    result, request = _compute(ctx, principal, policy, inp, confirming=True)
    view = cast(CancellationTerms, with_cancellation_extras(result_view(result), cancellation_extra_lines(
        policy, result, request.effective)))
    return result, request, view


def record_box_return(ctx: AppContext, principal: Principal, policy_id: str, returned_on: date,
                      idempotency_key: str | None) -> BoxReturned:
    """The Smartbox came back: if within the product's days of cancellation, refund the share of the
    fees the product promises (FEE-5); otherwise record it and refund nothing."""
    require_staff(principal, "record a Smartbox return")

    def run(uow: UnitOfWork, payment_key: str) -> dict[str, Any]:
        policy = load_policy(uow, principal, policy_id)
        cancellation = next((t for t in reversed(policy.transactions) if t.kind == "cancellation"), None)
        if cancellation is None or policy.term().cancelled_from is None:
            raise NotFound("the policy is not cancelled; a box return only refunds fees after cancellation")
        if not ctx.catalogue.by_ref(policy.term().product_ref).telematics:
            raise ValidationFailed("this product has no telematics box", [FieldIssue("policy", "no Smartbox to return")])
        if any(t.kind == "box_return" and t.term_no == cancellation.term_no for t in policy.transactions):
            raise Conflict("the box return is already recorded")
        requested_on = date.fromisoformat(cancellation.details["requested_on"])
        if not requested_on <= returned_on <= ctx.today():
            raise ValidationFailed("the return date is outside the possible range", [FieldIssue(
                "returned_on", f"must be from the cancellation request ({requested_on}) to today")])
        by = cancellation.details.get("box_return_by")
        refunds: list[FeeLine] = []
        in_time = by is not None and returned_on <= date.fromisoformat(by)
        if in_time:
            refunds = [fee_line_from_dict(f) for f in cancellation.details.get("box_return_refunds", [])]
        txn = PolicyTransaction(
            new_id("txn"), policy.policy_id, policy.next_sequence(), cancellation.term_no, "box_return", returned_on,
            ctx.clock.now(), Actor(principal.user_id, principal.role),
            "Smartbox returned" + ("" if in_time else " too late for a fee refund"), Money.zero(), Money.zero(),
            (), tuple(refunds), {"returned_on": returned_on.isoformat(), "deadline": by, "in_time": in_time})
        uow.policies.append(policy, [txn], policy.version)
        policy.transactions.append(txn)
        payment = settle(ctx, uow, policy, txn, f"Smartbox returned for {policy.number}", payment_key,
                         occasion="box_return")
        change: BoxReturnedChange = {"transaction": transaction_view(txn), "payment": payment, "in_time": in_time}
        return cast(dict[str, Any], change)

    done = cast(BoxReturned, idempotent_change(ctx.uow, principal.user_id, "box", idempotency_key,
                                               {"policy": policy_id, "on": returned_on.isoformat()}, run))
    send_letters(ctx, policy_id)  # PAY-3: the notice of the fee refund, and when
    return done
