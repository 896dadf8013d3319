"""Cancellation: cooling-off, the premium earned, the fees kept, and the refund (POL-5, FEE-1..6).

Cooling-off (ICOBS 7.1): 14 days (product data) from the later of the day the contract was concluded
and the day the documents were received. The day of that event is not counted (the usual rule for a
period "from" an event, Regulation 1182/71 art. 3(1)), so with documents on 1 March the last day to
cancel within cooling-off is 15 March.

The identity that always holds (FEE-6): refund + earned premium (with its IPT) + fees kept = paid.
A negative refund is an amount the customer still owes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from covernote.kernel.errors import IssueCollector
from covernote.kernel.money import Money, Rounding, sum_money
from covernote.kernel.periods import Period, months_started
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.term import Segment, TermCharge, TermState, ipt_on, term_charge
from covernote.products.domain.model import Fee, Product

CancelledBy = Literal["customer", "insurer"]


@dataclass(frozen=True)
class RecordedEvent:
    """A claim or an incident that may lead to one, as far as cancellation needs to know (FEE-1)."""

    kind: Literal["claim", "incident"]
    occurred_on: date
    total_loss: bool = False
    reference: str = ""
    claim_type: str = "other"  # NCD-2: policy/domain/claims.py CLAIM_TYPES; events recorded before types read as "other"

    def matches(self, rule: str) -> bool:
        if rule == "total_loss":
            return self.kind == "claim" and self.total_loss
        return rule == self.kind


@dataclass(frozen=True)
class CancellationRequest:
    requested_on: date
    effective: date
    by: CancelledBy
    reason: str


@dataclass(frozen=True)
class CancellationResult:
    within_cooling_off: bool
    cooling_off_starts: date
    cooling_off_last_day: date
    method: Literal["pro_rata", "short_period", "no_refund"]
    days_on_cover: int
    days_in_term: int
    months_on_cover: int | None
    short_period_percent: Decimal | None
    paid: TermCharge
    paid_fees: tuple[FeeLine, ...]
    earned: TermCharge
    refund_premium: Money
    refund_ipt: Money
    fees_refunded: tuple[FeeLine, ...]
    fees_kept: tuple[FeeLine, ...]
    cancellation_fees: tuple[Fee, ...]
    blocking_events: tuple[RecordedEvent, ...]
    box_return_by: date | None
    box_return_refund: Money
    explanation: tuple[str, ...]

    @property
    def paid_total(self) -> Money:
        return self.paid.total + sum_money([f.amount for f in self.paid_fees])

    @property
    def fees_refunded_total(self) -> Money:
        return sum_money([f.amount for f in self.fees_refunded])

    @property
    def kept_fees_total(self) -> Money:
        return sum_money([f.amount for f in self.fees_kept]) + sum_money([f.amount for f in self.cancellation_fees])

    @property
    def refund_total(self) -> Money:
        """Signed: positive is paid back to the customer, negative is still owed by them."""
        return self.refund_premium + self.refund_ipt + self.fees_refunded_total - sum_money(
            [f.amount for f in self.cancellation_fees])


def box_return_shares(within_cooling_off: bool, kept: Sequence[FeeLine],
                      cancellation_fee_lines: Sequence[FeeLine]) -> list[FeeLine]:
    """The fee refunds a returned telematics box earns (FEE-5): within cooling-off, each kept fee's
    box-return percentage; after it, only the cancellation fee's (the other fees are non-refundable after
    cooling-off). Each line carries the share to refund, rounded half-up."""
    candidates = list(cancellation_fee_lines) + (list(kept) if within_cooling_off else [])
    out = []
    for f in candidates:
        share = (f.amount * f.box_return_refund_percent / 100).round_pence(Rounding.HALF_UP)
        if not share.is_zero():
            out.append(replace(f, amount=share))
    return out


def _event_text(e: RecordedEvent) -> str:
    what = "total-loss claim" if e.kind == "claim" and e.total_loss else e.kind
    return f"{what} on {e.occurred_on}" + (f" ({e.reference})" if e.reference else "")


_RULE_TEXT = {"claim": "a claim", "incident": "an incident that may lead to a claim", "total_loss": "a total-loss claim"}


def _rule_text(rules: Sequence[str]) -> str:
    if not rules:
        return "no recorded claim or incident"
    return " or ".join(_RULE_TEXT.get(r, r) for r in rules)


def cooling_off_window(product: Product, term: TermState) -> tuple[date, date]:
    starts = max(term.concluded_on, term.documents_on)
    return starts, starts + timedelta(days=product.cancellation.cooling_off_days)


def validate_request(product: Product, term: TermState, request: CancellationRequest, *, may_backdate: bool) -> None:
    issues = IssueCollector()
    if term.voided:
        issues.add("policy", "the policy is void")
    if term.cancelled_from is not None:
        issues.add("policy", f"the policy is already cancelled from {term.cancelled_from}")
    if request.effective < term.period.start:  # issue 13, item 21: say so, not the renewal advice below
        issues.add("effective_date", f"is before the term starts on {term.period.start}: a cancellation takes effect "
                                     f"on a day within the term {term.period}")
    elif request.effective >= term.period.end:
        issues.add("effective_date", f"must be within the term {term.period}: cover ends on "
                                     f"{term.period.end} anyway (switch automatic renewal off to stop it renewing)")
    if request.by == "insurer":
        earliest = request.requested_on + timedelta(days=product.cancellation.insurer_notice_days)
        if request.effective < earliest:
            issues.add("effective_date",
                       f"an insurer cancellation needs {product.cancellation.insurer_notice_days} days' notice: "
                       f"no earlier than {earliest}")
    elif request.effective < request.requested_on and not may_backdate:
        issues.add("effective_date", "cannot be back-dated before the request without staff authority")
    if request.requested_on < term.concluded_on:
        issues.add("requested_on", "cannot be before the policy was concluded")
    if not request.reason.strip():
        issues.add("reason", "is required")
    issues.raise_if_any("the cancellation cannot be made")


def compute_cancellation(
    product: Product,
    term: TermState,
    segments: Sequence[Segment],
    paid_fees: Sequence[FeeLine],
    events: Sequence[RecordedEvent],
    taken_out_on: date,
    request: CancellationRequest,
) -> CancellationResult:
    """What a cancellation keeps and refunds, with each step explained. Pure."""
    rules = product.cancellation
    cool_start, cool_last = cooling_off_window(product, term)
    within = rules.cooling_off_days > 0 and request.requested_on <= cool_last
    paid = term_charge(term, segments)
    effective = max(min(request.effective, term.period.end), term.period.start)
    days_on_cover = (effective - term.period.start).days
    why: list[str] = [
        f"Cooling-off ran from {cool_start} (later of conclusion {term.concluded_on} and documents "
        f"{term.documents_on}) for {rules.cooling_off_days} days to {cool_last}; the request on "
        f"{request.requested_on} is {'within' if within else 'after'} it.",
        f"Paid for this term: premium {paid.premium.to_str()}, IPT {paid.ipt.to_str()}, fees "
        f"{sum_money([f.amount for f in paid_fees]).to_str()}.",
    ]
    no_refund_rules = rules.no_refund_rules(within)
    in_term = [e for e in events if term.period.start <= e.occurred_on < term.period.end]
    blocking = tuple(e for e in in_term if any(e.matches(rule) for rule in no_refund_rules))
    window = "within cooling-off" if within else "after cooling-off"
    rule_text = _rule_text(no_refund_rules)
    months: int | None = None
    percent: Decimal | None = None
    if blocking:
        why.append(
            f"FEE-1 rule {window}: {rule_text} means no refund. Recorded in this term: "
            + ", ".join(_event_text(e) for e in blocking)
            + ": no refund is given and all premium is due; no cancellation fee is added.")
    elif in_term:
        listed = ", ".join(_event_text(e) for e in in_term)
        verb = "is" if len(in_term) == 1 else "are"
        why.append(
            (f"FEE-1 rule {window}: only {rule_text} means no refund; {listed} {verb} not"
             if no_refund_rules else f"On this product no recorded claim or incident forfeits the refund ({listed})")
            + ", so the refund is given, less the fees and the time on cover.")
    elif no_refund_rules:
        why.append(f"FEE-1 rule {window}: {rule_text} means no refund; none is recorded in this term.")
    if blocking:
        method: Literal["pro_rata", "short_period", "no_refund"] = "no_refund"
        earned = paid
    elif rules.short_period is not None and taken_out_on < rules.short_period.applies_before and not within:
        # Within cooling-off the customer pays only for the time on cover (ICOBS 7), so short-period
        # rates apply only after it.
        method = "short_period"
        months = months_started(Period(term.period.start, effective))
        percent = rules.short_period.percent_for(months)
        earned_premium = (paid.premium * percent / 100).round_pence(Rounding.HALF_UP).min(paid.premium)
        earned = TermCharge(earned_premium, ipt_on(earned_premium, term.ipt_rate).min(paid.ipt))
        why.append(f"Taken out on {taken_out_on}, before {rules.short_period.applies_before}: short-period "
                   f"rates apply (FEE-3); {months} month(s) begun on cover keeps {percent}% of the premium.")
    else:
        method = "pro_rata"
        earned = term_charge(term, segments, cover_end=effective)
        why.append(f"Pro-rata: {days_on_cover} of {term.period.days} days on cover earn premium "
                   f"{earned.premium.to_str()} with IPT {earned.ipt.to_str()}.")
    refunded: list[FeeLine] = []
    kept: list[FeeLine] = []
    for f in paid_fees:
        if method != "no_refund" and within and f.refundable_within_cooling_off:
            refunded.append(f)
        else:
            kept.append(f)
    if refunded:
        why.append("Refunded within cooling-off: " + ", ".join(f"{f.name} {f.amount.to_str()}" for f in refunded) + ".")
    if kept:
        why.append("Kept: " + ", ".join(f"{f.name} {f.amount.to_str()}" for f in kept) + ".")
    cancellation_fees: tuple[Fee, ...] = ()
    if method != "no_refund":
        event = "cancellation_within_cooling_off" if within else "cancellation_after_cooling_off"
        cancellation_fees = product.fees_for({event})
        for fee in cancellation_fees:
            why.append(f"{fee.name}: {fee.amount.to_str()}.")
    box_by: date | None = None
    box_refund = Money.zero()
    if rules.box_return_days is not None:
        fee_lines = [FeeLine.from_fee(fee, term.term_no, request.requested_on, "") for fee in cancellation_fees]
        box_refund = sum_money([f.amount for f in box_return_shares(within, kept, fee_lines)])
        if not box_refund.is_zero():
            box_by = max(effective, request.requested_on) + timedelta(days=rules.box_return_days)
            why.append(f"If the box is returned by {box_by}, a further {box_refund.to_str()} is refunded (FEE-5).")
    result = CancellationResult(
        within_cooling_off=within,
        cooling_off_starts=cool_start,
        cooling_off_last_day=cool_last,
        method=method,
        days_on_cover=days_on_cover,
        days_in_term=term.period.days,
        months_on_cover=months,
        short_period_percent=percent,
        paid=paid,
        paid_fees=tuple(paid_fees),
        earned=earned,
        refund_premium=paid.premium - earned.premium,
        refund_ipt=paid.ipt - earned.ipt,
        fees_refunded=tuple(refunded),
        fees_kept=tuple(kept),
        cancellation_fees=cancellation_fees,
        blocking_events=blocking,
        box_return_by=box_by,
        box_return_refund=box_refund,
        explanation=tuple(why),
    )
    total = result.refund_total
    why.append(f"Refund {total.to_str()}." if not total.is_negative() else f"Still owed by the customer: {(-total).to_str()}.")
    return CancellationResult(**{**result.__dict__, "explanation": tuple(why)})
