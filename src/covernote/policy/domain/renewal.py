"""Renewal: the next term's risk and price (POL-3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.claims import claims_in
from covernote.policy.domain.risk import Risk, apply_change
from covernote.policy.domain.term import TermState
from covernote.products.domain.model import Product


def check_renewable(product: Product, term: TermState, today: date) -> None:
    """Refuse, with the reason, a renewal of `term` on `today`: the term must be in force, its product
    renewable, the term already started (so renewals cannot be stacked ahead, each claiming a no-claims
    year not yet earned) and `today` inside the product's invitation window before the term ends (POL-3)."""
    if term.voided or term.cancelled_from is not None:
        raise ValidationFailed("the policy is not in force", [FieldIssue("policy", "cancelled or void")])
    if not product.renewal.renewable:
        raise ValidationFailed("this product does not renew", [FieldIssue("policy", f"{product.code} is not renewable")])
    opens = term.period.end - timedelta(days=product.renewal.invitation_days_before)
    if term.period.start > today:
        raise ValidationFailed("the policy's latest term has not started yet",
                               [FieldIssue("policy", f"already renewed to {term.period.start}")])
    if not opens <= today < term.period.end:
        raise ValidationFailed("renewal is offered only shortly before the term ends",
                               [FieldIssue("policy", f"renewal opens on {opens} for a term ending {term.period.end}")])


@dataclass(frozen=True)
class RenewalRisk:
    risk: Risk
    ncd_before: int | None
    ncd_after: int | None
    claims_in_term: int
    explanation: tuple[str, ...]
    protected: bool = False  # NCD-4: protection kept the years despite claims


def risk_for_renewal(product: Product, term: TermState, events: Sequence[RecordedEvent], *,
                     protected: bool = False) -> RenewalRisk:
    """The risk carried into the next term: permanent changes kept, temporary ones ended, and the NCD
    earned (a claim-free year adds one) or stepped back by the product's scale (NCD-5). `protected`: NCD
    protection applies (decided by domain.ncd_protection), so claims keep the years as they are (NCD-4)."""
    risk = term.base_risk
    for adj in sorted(term.adjustments, key=lambda a: (a.effective, a.sequence)):
        if adj.until is None:
            for ch in adj.changes:
                risk = apply_change(risk, ch)
    # NCD-2: only claims that affect NCD count; every claim of the term is explained, one line each.
    in_term = claims_in(events, term.period)
    claims = in_term.count
    why: list[str] = list(in_term.lines)
    before = risk.answer("ncd_years")
    ncd_before = int(before) if before is not None else None
    ncd_after = ncd_before
    scale = product.rating.ncd
    if ncd_before is not None and scale is not None:
        question = product.question("ncd_years")
        top = int(question.maximum) if question and question.maximum is not None else scale.max_years
        if claims == 0:
            ncd_after = min(ncd_before + 1, top)
            why.append(f"No claims affecting NCD in the term: NCD {ncd_before} -> {ncd_after} years.")
        elif protected:
            why.append(f"{claims} claim(s) affecting NCD in the term, but the NCD is protected: it stays at "
                       f"{ncd_before} years, with the same discount percentage (NCD-4).")
        else:
            ncd_after = scale.after_claims(ncd_before, claims)
            why.append(f"{claims} claim(s) affecting NCD in the term: NCD steps back {ncd_before} -> {ncd_after} "
                       "years (NCD-5).")
        risk = risk.with_answer("ncd_years", str(ncd_after))
    return RenewalRisk(replace(risk), ncd_before, ncd_after, claims, tuple(why), protected and claims > 0)
