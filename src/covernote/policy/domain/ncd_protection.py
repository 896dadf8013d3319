"""No-claims discount protection (NCD-3, NCD-4). Pure.

Who may buy it (NCD-3, product data `NcdProtectionRule`): at least five years of NCD and no more than two
NCD-affecting claims in the last three years, at new business or at renewal only. What it does (NCD-4):
at renewal, claims in the protected term do not step the NCD back: the years, and so the discount
percentage, are kept; the premium is still re-rated (protection keeps the discount, not the price).
When it is lost: more than two NCD-affecting claims in the three years before the renewal; the NCD then
steps back on the product's scale (NCD-5) and protection cannot be bought again until eligible.

The claims history: at new business Covernote knows only what the proposer declares (the product
question named by the rule, e.g. `claims_last_3_years`). At renewal it counts the NCD-affecting claims
recorded on the policy in the three years before the renewal date, plus the declared claims while they
may still fall in that window: their dates are not known, so they count until three years after the
policy's first day (the cautious reading).

Mid-term (NCD-3, ADD-1): protection cannot be bought by a change, and a staff change that lowers the NCD
years below the rule's minimum on days protection is on cover is refused unless the same change removes
protection (its unused part is then refunded pro-rata, like any extra removed mid-term):
`refusal_after_change`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from covernote.kernel.periods import Period, add_years
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.claims import count_ncd_claims
from covernote.products.domain.model import NcdProtectionRule


@dataclass(frozen=True)
class ClaimsHistory:
    """NCD-affecting claims in the window that decides protection."""

    window: Period
    recorded: int
    declared: int

    @property
    def total(self) -> int:
        return self.recorded + self.declared

    def describe(self) -> str:
        parts = [f"{self.recorded} recorded on the policy"]
        if self.declared:
            parts.append(f"{self.declared} declared at new business")
        return (f"{self.total} NCD-affecting claim(s) from {self.window.start} to {self.window.last_day} "
                f"({', '.join(parts)})")


def claims_history(rule: NcdProtectionRule, on: date, events: Iterable[RecordedEvent] = (),
                   declared: int = 0, first_day: date | None = None) -> ClaimsHistory:
    """The claims that count on `on` (a cover start): NCD-affecting claims recorded in the
    `window_years` before it, and the declared claims if `on` is within `window_years` of the policy's
    `first_day` (at new business, `first_day` is `on` itself)."""
    window = Period(add_years(on, -rule.window_years), on)
    recorded = count_ncd_claims(events, window)  # NCD-2: only claims that affect NCD
    start = on if first_day is None else first_day
    still_declared = declared if on < add_years(start, rule.window_years) else 0
    return ClaimsHistory(window, recorded, still_declared)


def eligibility(rule: NcdProtectionRule, ncd_years: int, history: ClaimsHistory) -> list[str]:
    """Why NCD protection cannot be bought (NCD-3); empty when it can."""
    reasons = []
    if ncd_years < rule.min_years:
        reasons.append(f"needs {rule.min_years} or more years of no-claims discount; there are {ncd_years} (NCD-3)")
    if history.total > rule.max_claims:
        reasons.append(f"needs no more than {rule.max_claims} claims in the last {rule.window_years} years; "
                       f"there are {history.describe()} (NCD-3)")
    return reasons


def refusal_after_change(rule: NcdProtectionRule, code: str, protection_cover: Sequence[Period],
                         years_before: Sequence[tuple[Period, int]], years_after: Sequence[tuple[Period, int]],
                         effective: date, removed: bool) -> str | None:
    """Why a mid-term change cannot keep NCD protection (NCD-3); None when it can.

    `protection_cover`: the days of the term the protection extra `code` covers before the change;
    `years_before` / `years_after`: the NCD years on each stretch of the term's risk timeline before and
    after the change; `effective`: the change's effective date; `removed`: the same change removes the
    protection. Refused when, on a day from `effective` that protection covers, the change alters the NCD
    years and leaves fewer than `rule.min_years` (a change that does not touch the years is not refused
    for them)."""
    if removed:
        return None
    short: list[tuple[Period, int]] = []
    for after_stretch, after in years_after:
        if after >= rule.min_years:
            continue
        for before_stretch, before in years_before:
            if before == after:
                continue
            days = after_stretch.intersection(before_stretch)
            if days is None or days.end <= effective:
                continue
            days = Period(max(days.start, effective), days.end)
            if any(p.overlaps(days) for p in protection_cover):
                short.append((days, after))
    if not short:
        return None
    first, fewest = min(short, key=lambda s: (s[1], s[0].start))  # the fewest years, and from when
    return (f"NCD protection needs {rule.min_years}+ years of no-claims discount (NCD-3); the change leaves "
            f"{fewest} from {first.start}, so remove `{code}` in the same change (its unused part is refunded "
            "pro-rata; staff may back-date the change to the term start to refund it all)")


@dataclass(frozen=True)
class ProtectionAtRenewal:
    """Whether NCD protection bought for the expiring term protects the NCD carried into the next one."""

    had_protection: bool
    protected: bool
    lost: bool
    history: ClaimsHistory | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"had_protection": self.had_protection, "protected": self.protected, "lost": self.lost,
                "claims_in_window": None if self.history is None else self.history.total,
                "window": None if self.history is None else {"from": self.history.window.start.isoformat(),
                                                              "to": self.history.window.end.isoformat()},
                "reason": self.reason}


def at_renewal(rule: NcdProtectionRule | None, had_protection: bool, history: ClaimsHistory | None,
               claims_in_term: int) -> ProtectionAtRenewal:
    """NCD-3 and NCD-4 at renewal: protected unless more than `max_claims` claims in the window."""
    if rule is None or not had_protection or history is None:
        return ProtectionAtRenewal(False, False, False, history, "The no-claims discount was not protected in the term.")
    if history.total > rule.max_claims:
        return ProtectionAtRenewal(
            True, False, True, history,
            f"Protection lost: {history.describe()}, more than {rule.max_claims} in {rule.window_years} years "
            f"(NCD-3); the claims in the term step the no-claims discount back (NCD-5).")
    if claims_in_term:
        why = (f"The no-claims discount was protected: the {claims_in_term} claim(s) in the term do not reduce "
               "the years or the discount percentage (NCD-4); the premium is still re-rated.")
    else:
        why = "The no-claims discount was protected; no claims in the term, so a year is earned as usual."
    return ProtectionAtRenewal(True, True, False, history, why)
