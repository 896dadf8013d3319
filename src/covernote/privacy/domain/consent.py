"""Consent and marketing preferences (PRV-2): per channel and purpose, each decision recorded with the
wording shown, when and where it was given. History is append-only; the latest decision wins, and a
withdrawal stops contact from the moment it is recorded. No record means no consent (opt-in)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from covernote.kernel.clock import require_aware
from covernote.kernel.errors import IssueCollector


class Channel(enum.StrEnum):
    MAIL = "mail"
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"


class ConsentPurpose(enum.StrEnum):
    MARKETING = "marketing"  # products and offers (S1 section 6, S0, S2)
    PARTNER_OFFERS = "partner_offers"  # offers from group companies or partners (S1: membership offers)
    FEEDBACK = "feedback"  # surveys and satisfaction research (S1 section 6, S2)


class Source(enum.StrEnum):
    WEB = "web"
    APP = "app"
    PHONE = "phone"
    PAPER = "paper"
    DEALERSHIP = "dealership"
    API = "api"


@dataclass(frozen=True)
class ConsentDecision:
    customer_id: str
    channel: Channel
    purpose: ConsentPurpose
    granted: bool
    wording: str  # exactly what the person was shown or told
    source: Source
    recorded_at: datetime
    recorded_by: str
    decision_id: str = ""


def validate_decision(channel: str, purpose: str, source: str, wording: str, recorded_at: datetime) -> None:
    issues = IssueCollector()
    if channel not in Channel.__members__.values():
        issues.add("channel", f"must be one of {', '.join(c.value for c in Channel)}")
    if purpose not in ConsentPurpose.__members__.values():
        issues.add("purpose", f"must be one of {', '.join(p.value for p in ConsentPurpose)}")
    if source not in Source.__members__.values():
        issues.add("source", f"must be one of {', '.join(s.value for s in Source)}")
    if len(wording.strip()) < 10:
        issues.add("wording", "record the exact wording the person was shown or told (at least 10 characters)")
    require_aware(recorded_at, "recorded_at")
    issues.raise_if_any("the consent decision cannot be recorded")


def current(decisions: Iterable[ConsentDecision], at: datetime) -> dict[tuple[Channel, ConsentPurpose], ConsentDecision]:
    """The decision in force at `at` for each channel and purpose: the latest recorded at or before it."""
    latest: dict[tuple[Channel, ConsentPurpose], ConsentDecision] = {}
    for d in sorted(decisions, key=lambda d: (d.recorded_at, d.decision_id)):
        if d.recorded_at <= at:
            latest[(d.channel, d.purpose)] = d
    return latest


def may_contact(decisions: Iterable[ConsentDecision], channel: Channel, purpose: ConsentPurpose, at: datetime) -> bool:
    """Whether the person may be contacted on `channel` for `purpose` at `at`. No decision: no."""
    decision = current(decisions, at).get((channel, purpose))
    return decision is not None and decision.granted
