"""The 90-day premium review (TEL-4, S3 "Premium Adjustments"): the rule, pure and exact.

Every `interval_days` (90) from the term's start the period's average score is compared with the last reviewed
period's score (the first review: the product's `baseline_score`). The change in points, times
`percent_per_point`, rounded half-up to whole percent and bounded at `max_step_percent` either way, moves the
term's loading: a better score lowers it (a discount), a worse one raises it (an increase). The cumulative
loading is held within [`floor_percent`, `cap_percent`]: S3 caps the increase "over the period your policy is in
force" at 50% of the Renewal Premium, so no review takes the loading above the cap, whatever came before;
discounts are not capped, only floored. Decimal throughout; the money follows from the rating, which multiplies
the premium by 1 + loading/100 from the review date (see docs/telematics.md, "The 90-day review").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from covernote.kernel.money import Money, Rounding
from covernote.products.domain.telematics_spec import RerateRules

SCORE_PLACES = Decimal("0.01")  # scores are compared to the hundredth of a point


def review_dates(start: date, end: date, interval_days: int) -> tuple[date, ...]:
    """TEL-4: the term's review dates, every `interval_days` from its start (day 90, 180, 270, 360 of a
    12-month term), each strictly before the term's end (`end`: the first day without cover)."""
    out: list[date] = []
    day = start + timedelta(days=interval_days)
    while day < end:
        out.append(day)
        day += timedelta(days=interval_days)
    return tuple(out)


def as_score(value: float | Decimal) -> Decimal:
    """A score as the review reads it: Decimal, to the hundredth of a point, half-up."""
    return Decimal(str(value)).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReviewFigures:
    """One review's figures, each explained (TEL-4): the scores, the change, the step, the cap or floor."""

    score: Decimal  # this period's average score
    previous_score: Decimal  # the last reviewed period's, or the baseline
    against_baseline: bool
    change: Decimal  # score - previous_score: positive is better driving
    step_percent: int  # what this review adds to the loading (negative: a discount), after the per-review bound
    loading_before: int
    loading_after: int  # within [floor, cap]
    capped: bool  # the cap held the loading down
    floored: bool  # the floor held the loading up
    explanation: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.loading_after != self.loading_before


def rerate(rules: RerateRules, score: float | Decimal, previous_score: float | Decimal | None,
           loading_before: int) -> ReviewFigures:
    """TEL-4: the loading after one review. `previous_score`: the last reviewed period's score, None for the
    first review (the baseline is used); `loading_before`: the term's loading before the review (whole
    percent). The result's loading never exceeds `cap_percent` nor falls below `floor_percent`."""
    now = as_score(score)
    against_baseline = previous_score is None
    before = as_score(rules.baseline_score if previous_score is None else previous_score)
    change = now - before
    raw = int((-change * rules.percent_per_point).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    bound = rules.max_step_percent
    step = max(-bound, min(bound, raw))
    wanted = loading_before + step
    loading = max(rules.floor_percent, min(rules.cap_percent, wanted))
    capped = wanted > rules.cap_percent
    floored = wanted < rules.floor_percent
    lines = [
        f"This period's average score is {now}; the {'baseline' if against_baseline else 'last review'}'s is "
        f"{before}: a change of {change:+} points ({'better' if change > 0 else 'worse' if change < 0 else 'the same'}).",
        f"{rules.percent_per_point}% per point of change, rounded to whole percent: {raw:+}% "
        f"{'discount' if raw < 0 else 'increase' if raw > 0 else 'change'}"
        + (f", bounded at {bound}% a review: {step:+}%." if step != raw else "."),
        f"The loading goes from {loading_before:+}% to {wanted:+}%"
        + (f", held at the cap of {rules.cap_percent}% (S3: the increase over the policy's life is at most "
           f"{rules.cap_percent}% of the renewal premium)" if capped else "")
        + (f", held at the floor of {rules.floor_percent}%" if floored else "") + f": {loading:+}%.",
    ]
    return ReviewFigures(now, before, against_baseline, change, step, loading_before, loading, capped, floored,
                         tuple(lines))


def increase_cap(renewal_premium: Money, cap_percent: int) -> Money:
    """The most the driving may add to the annual premium (TEL-4): `cap_percent` of the renewal premium (the
    term's annual premium at inception or renewal, before any review), to the penny, half-up."""
    return (renewal_premium * (Decimal(cap_percent) / 100)).round_pence(Rounding.HALF_UP)
