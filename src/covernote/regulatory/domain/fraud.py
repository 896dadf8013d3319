"""Fraud prevention checks (REG-3, S1 section 10, S3). Pure.

A check is made at quote, mid-term adjustment, renewal and claim. The agency answers clear, refer or
match (with a score and reasons); when it does not answer in time the check is recorded as unavailable.
What follows is decided here, by stage and answer (`decide`):

* clear: the transaction goes ahead;
* refer: it goes ahead, and the check waits for staff review;
* unavailable: it goes ahead (a customer is not refused because a service is down) and the check waits
  for staff review, and for a re-check once the agency answers again;
* match (a suspected fraud, S3): a fraud marker is recorded and the check waits for staff review. At quote,
  adjustment and renewal the transaction is refused (S1: "If a fraud risk is detected, you could be refused");
  the customer is told only that the checks did not pass, never what matched. On a claim nothing is refused
  automatically: the claims handler decides. Staff who confirm the fraud on a live policy void it (POL-4:
  the premium is kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

STAGES: tuple[str, ...] = ("quote", "mta", "renewal", "claim")
RESULTS: tuple[str, ...] = ("clear", "refer", "match", "unavailable")
REVIEW_STATUSES: tuple[str, ...] = ("none", "open", "cleared", "confirmed", "rechecked")
REVIEW_DECISIONS: tuple[str, ...] = ("cleared", "confirmed")

# What the customer is told when a transaction is refused: the fact, never the watch-list detail (telling
# them what matched could prejudice the prevention or detection of crime, DPA 2018 Sch. 2 para 2).
REFUSAL = ("we cannot go ahead with this on the information given: our fraud prevention checks (REG-3) did not "
           "pass. Please contact us; you may also ask the fraud prevention agencies for the data they hold about you")
REFUSED_WHAT = {"quote": "the quote", "mta": "the change to the policy", "renewal": "the renewal",
                "claim": "the claim"}


@dataclass(frozen=True)
class FraudSubject:
    """What is sent to the agency for one check: the person, where they live, the vehicles and drivers."""

    reference: str  # what is checked: a quote, a pending change, a renewal invitation or a claim id
    name: str
    date_of_birth: date | None
    email: str | None
    postcode: str | None
    registrations: tuple[str, ...] = ()
    drivers: tuple[str, ...] = ()  # named drivers' names

    def as_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "name": self.name,
                "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
                "email": self.email, "postcode": self.postcode, "registrations": list(self.registrations),
                "drivers": list(self.drivers)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FraudSubject:
        return cls(d["reference"], d["name"],
                   date.fromisoformat(d["date_of_birth"]) if d.get("date_of_birth") else None,
                   d.get("email"), d.get("postcode"), tuple(d.get("registrations", ())), tuple(d.get("drivers", ())))


@dataclass(frozen=True)
class Decision:
    """What a check's answer means for the transaction it was made for."""

    proceed: bool  # the transaction goes ahead
    review: bool  # staff must look at it (GET /fraud/referrals)
    marker: bool  # a suspected fraud: a fraud marker is recorded
    recheck: bool = False  # the agency did not answer: check again when it does
    notes: tuple[str, ...] = field(default=())


def decide(stage: str, result: str) -> Decision:
    """The rule for each stage and answer (see the module docstring)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    if result == "clear":
        return Decision(True, False, False)
    if result == "refer":
        return Decision(True, True, False, notes=("referred by the agency: review before relying on it",))
    if result == "unavailable":
        return Decision(True, True, False, recheck=True,
                        notes=("the agency did not answer: the transaction went ahead; re-check it",))
    if result == "match":
        if stage == "claim":
            return Decision(True, True, True, notes=("suspected fraud: the claims handler decides",))
        return Decision(False, True, True, notes=(
            f"suspected fraud: {REFUSED_WHAT[stage]} was refused; staff who confirm it on a live policy void "
            "it (POL-4, the premium is kept)",))
    raise ValueError(f"unknown result {result!r}")


def marker_reason(stage: str, score: int | None, reasons: tuple[str, ...]) -> str:
    """The fraud marker's reason for a match: staff-only (the person never sees markers)."""
    why = "; ".join(reasons) or "no reason given"
    return f"fraud check at {stage} matched (score {score if score is not None else 'n/a'}): {why}"
