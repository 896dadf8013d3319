"""Which claims affect the no-claims discount (NCD-2), and counting them (NCD-5). Pure.

A claim is recorded with its type (`claim_type`). S1 says NCD is not affected by claims for:
damage to the windscreen, windows or glass sunroof only (not glass roof panels); assistance with
uninsured losses under the optional motor legal expenses cover; assistance under the optional
breakdown cover; assistance under the optional key cover. Every other claim affects NCD.

An event recorded before claim types existed has none: it reads as `other`, so it counts, as every
claim did before (the cautious reading). Incidents that may lead to a claim are not claims and never
count; only `kind == "claim"` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from covernote.kernel.periods import Period
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.products.domain.claim_types import CLAIM_TYPES

# NCD-2 (S1): claim types that do not affect NCD, with the words of the rule.
NOT_AFFECTING_NCD: dict[str, str] = {
    "windscreen_or_glass": "damage to the windscreen, windows or glass sunroof only (not glass roof panels)",
    "legal_expenses_uninsured_loss": "assistance with uninsured losses under motor legal expenses",
    "breakdown": "assistance under breakdown cover",
    "key_cover": "assistance under key cover",
}


def affects_ncd(event: RecordedEvent) -> bool:
    """True for a claim whose type is not one of NCD-2's exceptions. Incidents (not claims) never do."""
    return event.kind == "claim" and event.claim_type not in NOT_AFFECTING_NCD


def ncd_claims(events: Iterable[RecordedEvent], window: Period) -> list[RecordedEvent]:
    """The NCD-affecting claims that occurred in `window` (half-open [start, end)), oldest first."""
    return sorted((e for e in events if window.contains(e.occurred_on) and affects_ncd(e)),
                  key=lambda e: e.occurred_on)


def count_ncd_claims(events: Iterable[RecordedEvent], window: Period) -> int:
    """How many NCD-affecting claims occurred in `window` (e.g. the three years before a renewal, NCD-3)."""
    return len(ncd_claims(events, window))


def describe_claim(event: RecordedEvent) -> str:
    """One line per claim saying whether and why it affects NCD: "windscreen, windows or glass sunroof
    claim on 2026-03-01 does not affect NCD (NCD-2: ...)"."""
    label = CLAIM_TYPES.get(event.claim_type, event.claim_type)
    if affects_ncd(event):
        return f"{label} claim on {event.occurred_on} affects NCD (NCD-5)."
    return f"{label} claim on {event.occurred_on} does not affect NCD (NCD-2: {NOT_AFFECTING_NCD[event.claim_type]})."


@dataclass(frozen=True)
class ClaimsInPeriod:
    """The claims of a period, split by whether they affect NCD, each with its explanation line."""

    affecting: tuple[RecordedEvent, ...]
    not_affecting: tuple[RecordedEvent, ...]
    lines: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.affecting)

    def as_dicts(self) -> list[dict[str, object]]:
        return [{"occurred_on": e.occurred_on.isoformat(), "claim_type": e.claim_type, "affects_ncd": affects_ncd(e)}
                for e in sorted((*self.affecting, *self.not_affecting), key=lambda e: e.occurred_on)]


def claims_in(events: Iterable[RecordedEvent], window: Period) -> ClaimsInPeriod:
    """Every claim (not incident) in `window`, oldest first, split and explained claim by claim."""
    claims = sorted((e for e in events if e.kind == "claim" and window.contains(e.occurred_on)),
                    key=lambda e: e.occurred_on)
    return ClaimsInPeriod(tuple(e for e in claims if affects_ncd(e)),
                          tuple(e for e in claims if not affects_ncd(e)),
                          tuple(describe_claim(e) for e in claims))
