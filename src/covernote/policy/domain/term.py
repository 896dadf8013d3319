"""A policy term as an effective-dated timeline (POL-1, POL-2).

A term starts from a base risk; each mid-term adjustment is a list of changes effective from a date
(and, for a temporary change, until a date). The risk on any day is the base risk with every
adjustment in force that day applied in order of effective date, then of recording. So a change
back-dated before a later one is merged under it: the later change still wins from its own date.

The premium a term charges is sum(premium of each segment x days in segment / days in term), rounded
half-up to pence once, over the days on cover. An adjustment's additional or return premium is the
difference between the term's charge after and before it, so an adjustment and its reversal cancel to
the penny, and the IPT on a term is always round(rate x premium charged).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.kernel.money import Money, Rounding
from covernote.kernel.periods import Period
from covernote.policy.domain.rating import RatingResult
from covernote.policy.domain.risk import Change, ChangeNotApplicable, Risk, apply_change


@dataclass(frozen=True)
class Adjustment:
    sequence: int
    effective: date
    until: date | None
    changes: tuple[Change, ...]
    transaction_id: str = ""

    def in_force_on(self, day: date, term_end: date) -> bool:
        return self.effective <= day < (self.until or term_end)


@dataclass(frozen=True)
class Segment:
    period: Period
    risk: Risk
    rating: RatingResult


@dataclass
class TermState:
    """Everything needed to price and explain one term."""

    term_no: int
    period: Period
    product_ref: str
    base_risk: Risk
    ipt_rate: Decimal
    renewal: bool
    concluded_on: date
    documents_on: date
    adjustments: list[Adjustment] = field(default_factory=list)
    cancelled_from: date | None = None
    voided: bool = False

    @property
    def cover_end(self) -> date:
        """The first day without cover: the term end, or the cancellation date."""
        if self.cancelled_from is not None:
            return max(min(self.cancelled_from, self.period.end), self.period.start)
        return self.period.end

    def next_sequence(self) -> int:
        return max((a.sequence for a in self.adjustments), default=0) + 1


def risk_timeline(base: Risk, period: Period, adjustments: Sequence[Adjustment]) -> list[tuple[Period, Risk]]:
    """The risk on each stretch of the term. Raises ValidationFailed if a change cannot apply on a day
    it is in force (removing a driver who is not on the policy then)."""
    bounds = {period.start, period.end}
    for a in adjustments:
        for d in (a.effective, a.until):
            if d is not None and period.start < d < period.end:
                bounds.add(d)
    points = sorted(bounds)
    ordered = sorted(adjustments, key=lambda a: (a.effective, a.sequence))
    stretches: list[tuple[Period, Risk]] = []
    for start, end in itertools.pairwise(points):
        risk = base
        for a in ordered:
            if a.in_force_on(start, period.end):
                for ch in a.changes:
                    try:
                        risk = apply_change(risk, ch)
                    except ChangeNotApplicable as exc:
                        raise ValidationFailed(
                            f"change cannot apply on {start}",
                            [FieldIssue("changes", f"{exc} (on {start}, with the policy's other changes)")],
                        ) from exc
        if stretches and stretches[-1][1] == risk:
            stretches[-1] = (Period(stretches[-1][0].start, end), risk)
        else:
            stretches.append((Period(start, end), risk))
    return stretches


Pricer = Callable[[Risk], RatingResult]


def price_segments(term: TermState, pricer: Pricer, adjustments: Sequence[Adjustment] | None = None) -> list[Segment]:
    adj = term.adjustments if adjustments is None else adjustments
    return [Segment(p, r, pricer(r)) for p, r in risk_timeline(term.base_risk, term.period, adj)]


def pro_rata(pieces: Sequence[tuple[Period, Money]], term_period: Period, cover_end: date) -> Money:
    """The pro-rata rule for anything priced for a whole term (the premium, an optional extra):
    sum(term price x days of its piece on cover up to `cover_end` / days in term), rounded half-up to
    pence once. The price x days products are summed before the one division, so an exact half penny
    stays exact and rounds up."""
    total = Money.zero()
    on_cover = Period(term_period.start, max(cover_end, term_period.start))
    for period, price in pieces:
        covered = period.intersection(on_cover)
        if covered is None:
            continue
        total = total + price * Decimal(covered.days)
    return (total / Decimal(term_period.days)).round_pence(Rounding.HALF_UP)


def charged_premium(segments: Sequence[Segment], term_period: Period, cover_end: date) -> Money:
    """The premium for the days on cover up to `cover_end`, rounded half-up to pence once."""
    return pro_rata([(seg.period, seg.rating.premium) for seg in segments], term_period, cover_end)


def ipt_on(premium: Money, rate: Decimal) -> Money:
    """IPT on a premium at a rate, rounded half-up to pence (POL-6)."""
    return (premium * rate).round_pence(Rounding.HALF_UP)


@dataclass(frozen=True)
class TermCharge:
    premium: Money
    ipt: Money

    @property
    def total(self) -> Money:
        return self.premium + self.ipt


def term_charge(term: TermState, segments: Sequence[Segment], cover_end: date | None = None) -> TermCharge:
    premium = charged_premium(segments, term.period, term.cover_end if cover_end is None else cover_end)
    return TermCharge(premium, ipt_on(premium, term.ipt_rate))
