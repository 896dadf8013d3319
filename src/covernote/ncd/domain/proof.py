"""Proof of no-claims discount (NCD-1) and the NCD proof letter for a customer who leaves. Pure.

S1 accepts proof of NCD (a renewal notice, or a letter from the last insurer or broker) only if:
  * it is less than 2 years old,
  * it shows the NCD in years, the date the policy ended or was due to be renewed, and the car's
    registration number,
  * the NCD is not in use on another vehicle,
  * the NCD was earned on a policy in the UK.

Decisions where S1 is silent (docs/ncd.md says the same):
  * Age is measured from the document's issue date to the day it is checked, in calendar years: the
    proof is "less than N years old" while the day checked is before the N-th anniversary of its issue
    date. So a document is still accepted on the day before that anniversary, and refused on the
    anniversary itself ("exactly 2 years old" is not less than 2 years old) and every day after. An issue
    date of 29 February has its anniversary on 28 February in a common year. N is product data
    (`rating.ncd.proof_max_age_years`, 2 for S1's products).
  * The same NCD: two proofs are of the same NCD when they come from the same issuing insurer (ignoring
    case, spaces, punctuation and a trailing Ltd/Limited/plc), for a policy that ended (or was due to
    renew) on the same date, and name the same previous policy number where both give one, or
    otherwise the same registration. "In use on another vehicle": another quote or policy that is still
    live (an open, unexpired quote; a policy pending or on cover) insures a car with a different
    registration and has an accepted proof of the same NCD.
  * The NCD was earned on a policy in this system (the proof names one of our policy numbers and our
    insurer, as the NCD proof letter does): it is in use on another vehicle while that policy is still on
    cover when the new cover starts and insures a car with a different registration. A provisional letter
    (given before the policy ends) is therefore accepted for cover starting when the policy ends, and
    refused for cover that overlaps it.
  * The end or renewal date must be plausible: no more than MAX_END_AFTER_ISSUE_DAYS after the document
    was issued (a renewal notice comes before the renewal date, not months before), and NCD has lapsed
    when the policy it was earned on ended `rating.ncd.lapse_years` (2) years or more before the day
    checked (S1 is silent; the usual UK practice; product data, null for no lapse rule).
  * Earned in the UK: the country where it was earned is the United Kingdom (UK, GB, Great Britain,
    England, Scotland, Wales, Northern Ireland). The Channel Islands and the Isle of Man are not in the UK.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from covernote.kernel.errors import FieldIssue
from covernote.kernel.periods import Period, add_years
from covernote.policy.domain.claims import ClaimsInPeriod
from covernote.policy.domain.risk import is_uk_registration, normalise_registration
from covernote.policy.domain.term import TermState

PROOF_KINDS: dict[str, str] = {
    "insurer_letter": "letter from the previous insurer",
    "broker_letter": "letter from the previous broker",
    "renewal_notice": "renewal notice",
}
UK_NAMES = frozenset({"UK", "GB", "GBR", "UNITEDKINGDOM", "GREATBRITAIN", "ENGLAND", "SCOTLAND", "WALES",
                      "NORTHERNIRELAND", "UNITEDKINGDOMOFGREATBRITAINANDNORTHERNIRELAND"})
_SUFFIXES = ("limited", "ltd", "plc")
MAX_END_AFTER_ISSUE_DAYS = 90


@dataclass(frozen=True)
class NcdProof:
    """What a proof document shows. Anything it does not show is None (and fails its condition)."""

    kind: str
    insurer: str
    ncd_years: int | None
    ended_on: date | None  # the date the previous policy ended or was due to renew
    registration: str | None
    country: str | None  # where the NCD was earned
    issued_on: date | None  # the document's issue date
    previous_policy_number: str | None = None


def insurer_key(name: str) -> str:
    """The insurer's name compared case-, space- and punctuation-blind, without Ltd/Limited/plc."""
    key = re.sub(r"[^a-z0-9]", "", name.casefold())
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


def policy_number_key(number: str | None) -> str | None:
    """A policy number compared case-, space- and punctuation-blind."""
    if number is None:
        return None
    key = re.sub(r"[^A-Z0-9]", "", number.upper())
    return key or None


def is_uk(country: str | None) -> bool:
    return country is not None and re.sub(r"[^A-Z]", "", country.upper()) in UK_NAMES


def same_ncd(a: NcdProof, b: NcdProof) -> bool:
    """Whether two proofs are of the same NCD (see the module's docstring)."""
    if a.ended_on is None or a.ended_on != b.ended_on or insurer_key(a.insurer) != insurer_key(b.insurer):
        return False
    pa, pb = policy_number_key(a.previous_policy_number), policy_number_key(b.previous_policy_number)
    if pa is not None and pb is not None:
        return pa == pb
    if a.registration is None or b.registration is None:
        return False
    return normalise_registration(a.registration) == normalise_registration(b.registration)


def age_text(issued_on: date, on: date) -> str:
    """'1 year and 364 days', '2 years and 0 days': whole calendar years, then days."""
    years = on.year - issued_on.year
    if add_years(issued_on, years) > on:
        years -= 1
    days = (on - add_years(issued_on, years)).days
    return f"{years} year{'s' if years != 1 else ''} and {days} day{'s' if days != 1 else ''}"


def valid_until(issued_on: date, max_age_years: int) -> date:
    """The first day the proof is too old: the `max_age_years`-th anniversary of its issue date."""
    return add_years(issued_on, max_age_years)


@dataclass(frozen=True)
class Condition:
    """One NCD-1 condition: its code, the input field it concerns, whether it passed, and why."""

    code: str
    field: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "field": self.field, "passed": self.passed, "reason": self.reason}


@dataclass(frozen=True)
class Assessment:
    checked_on: date
    conditions: tuple[Condition, ...]

    @property
    def accepted(self) -> bool:
        return all(c.passed for c in self.conditions)

    @property
    def issues(self) -> list[FieldIssue]:
        """One FieldIssue per failed condition, all of them together."""
        return [FieldIssue(c.field, c.reason) for c in self.conditions if not c.passed]

    def as_dicts(self) -> list[dict[str, object]]:
        return [c.as_dict() for c in self.conditions]


def check_proof(proof: NcdProof, on: date, max_age_years: int, in_use_elsewhere: bool, *,
                lapse_years: int | None = None, in_use_detail: str = "") -> Assessment:
    """Every NCD-1 condition checked on `on`, each passed or failed with the reason. `in_use_elsewhere`:
    whether the same NCD is in use on another vehicle (the caller looks that up; `in_use_detail` says
    how, when it can be told). `lapse_years`: NCD earned on a policy that ended that many years or more
    before `on` has lapsed (None: no lapse rule)."""
    out: list[Condition] = []
    # 1. less than `max_age_years` old on the day checked, measured from the issue date.
    if proof.issued_on is None:
        out.append(Condition("age", "issued_on", False, "the issue date is not shown, so the proof's age cannot be "
                                                       f"checked; it must be less than {max_age_years} years old (NCD-1)"))
    elif proof.issued_on > on:
        out.append(Condition("age", "issued_on", False, f"issued on {proof.issued_on}, after the day it is checked "
                                                       f"({on}): a document cannot be issued in the future"))
    else:
        until = valid_until(proof.issued_on, max_age_years)
        age = age_text(proof.issued_on, on)
        if on < until:
            out.append(Condition("age", "issued_on", True, f"issued on {proof.issued_on}: {age} old on {on}, less than "
                                                          f"{max_age_years} years (accepted until {until - timedelta(days=1)})"))
        else:
            out.append(Condition("age", "issued_on", False, f"issued on {proof.issued_on}: {age} old on {on}; proof "
                                                           f"must be less than {max_age_years} years old (NCD-1), so "
                                                           f"the last day it could be accepted was {until - timedelta(days=1)}"))
    # 2. shows the NCD in years, the end or renewal date and the registration.
    if proof.ncd_years is None:
        out.append(Condition("shows_years", "ncd_years", False, "the proof must show the NCD in years (NCD-1)"))
    elif proof.ncd_years < 0:
        out.append(Condition("shows_years", "ncd_years", False, "years of NCD cannot be negative"))
    else:
        out.append(Condition("shows_years", "ncd_years", True, f"shows {proof.ncd_years} years of NCD"))
    if proof.ended_on is None:
        out.append(Condition("shows_end_date", "ended_on", False, "the proof must show the date the policy ended or "
                                                                 "was due to be renewed (NCD-1)"))
    else:
        out.append(_end_date(proof.ended_on, proof.issued_on, on, lapse_years))
    if proof.registration is None or not proof.registration.strip():
        out.append(Condition("shows_registration", "registration", False,
                             "the proof must show the car's registration number (NCD-1)"))
    elif not is_uk_registration(proof.registration):
        out.append(Condition("shows_registration", "registration", False,
                             "the registration shown is not a UK registration mark"))
    else:
        out.append(Condition("shows_registration", "registration", True, "shows the car's registration number"))
    # 3. earned on a UK policy.
    if proof.country is None or not proof.country.strip():
        out.append(Condition("earned_in_uk", "country", False, "the proof must show the NCD was earned on a policy in "
                                                              "the UK (NCD-1); no country is given"))
    elif not is_uk(proof.country):
        out.append(Condition("earned_in_uk", "country", False, f"earned in {proof.country.strip()}: NCD is accepted only "
                                                              "when earned on a policy in the UK (NCD-1)"))
    else:
        out.append(Condition("earned_in_uk", "country", True, "earned on a policy in the UK"))
    # 4. not in use on another vehicle.
    if in_use_elsewhere:
        out.append(Condition("not_in_use_elsewhere", "proof", False, "the same NCD is already in use on another "
                                                                    f"vehicle (NCD-1){in_use_detail}"))
    else:
        out.append(Condition("not_in_use_elsewhere", "proof", True, "the same NCD is not in use on another vehicle"))
    return Assessment(on, tuple(out))


def _end_date(ended_on: date, issued_on: date | None, on: date, lapse_years: int | None) -> Condition:
    """The end or renewal date shown: plausible for the document, and recent enough that the NCD has not
    lapsed."""
    if issued_on is not None and ended_on > issued_on + timedelta(days=MAX_END_AFTER_ISSUE_DAYS):
        return Condition("shows_end_date", "ended_on", False,
                         f"shows the policy ended or renews on {ended_on}, {(ended_on - issued_on).days} days after "
                         f"the document was issued ({issued_on}); a letter or renewal notice shows an end or renewal "
                         f"date no more than {MAX_END_AFTER_ISSUE_DAYS} days after its issue date")
    if lapse_years is not None and on >= add_years(ended_on, lapse_years):
        return Condition("shows_end_date", "ended_on", False,
                         f"the policy ended on {ended_on}, {age_text(ended_on, on)} before {on}: NCD lapses when the "
                         f"policy it was earned on ended {lapse_years} years or more ago, so the last day it could "
                         f"be accepted was {add_years(ended_on, lapse_years) - timedelta(days=1)}")
    return Condition("shows_end_date", "ended_on", True, f"shows the policy ended or was due to renew on {ended_on}")


def source_in_use(source_registration: str, source_cover_end: date, registration: str, cover_start: date) -> bool:
    """Whether NCD earned on a policy in this system is in use on another vehicle for cover starting on
    `cover_start` on the car `registration`: the policy it was earned on is still on cover then (its cover
    ends after `cover_start`) for a different car (NCD-1)."""
    return source_cover_end > cover_start and (normalise_registration(source_registration)
                                               != normalise_registration(registration))


# -- how an accepted proof feeds rating -----------------------------------------------------------------


def rated_years(proven_years: int, question_maximum: int | None) -> int:
    """The NCD years rated for proven years: the proven figure, capped at the most the product's
    `ncd_years` question allows (its discount scale tops out well below that)."""
    return proven_years if question_maximum is None else min(proven_years, question_maximum)


def with_proven_ncd(term: TermState, proven: int | None) -> tuple[TermState, tuple[str, ...]]:
    """The first term as its renewal should carry it forward when proof of NCD was accepted after it was
    rated: the proven years replace the years declared at new business (NCD-1), unless staff already set
    the years by a mid-term adjustment. Later terms already carry the corrected figure."""
    declared = term.base_risk.answer("ncd_years")
    if proven is None or term.term_no != 1 or declared is None or int(declared) == proven:
        return term, ()
    if any(c.op == "set_answer" and c.question == "ncd_years" for a in term.adjustments for c in a.changes):
        return term, ()
    corrected = replace(term, base_risk=term.base_risk.with_answer("ncd_years", str(proven)))
    return corrected, (f"The policy was rated on {declared} years of NCD as declared; the accepted proof shows "
                       f"{proven}, so the renewal starts from {proven} years (NCD-1).",)


@dataclass(frozen=True)
class ProofState:
    """A proof as the status needs it: accepted or not, years, and when decided."""

    proof_id: str
    accepted: bool
    ncd_years: int | None
    decided_key: str  # sortable: later decisions win


def ncd_status(rated: int, proofs: Sequence[ProofState]) -> dict[str, object]:
    """The NCD status of a quote or policy rated on `rated` years: proven by the latest accepted proof;
    otherwise rejected when proofs were given and none was accepted; otherwise declared and not yet
    proven (or `none` when no NCD is claimed). `needs_review` flags it for staff: NCD rated but not
    proven, or proven at a different figure than rated."""
    accepted = sorted((p for p in proofs if p.accepted), key=lambda p: p.decided_key)
    if accepted:
        proof = accepted[-1]
        proven = proof.ncd_years if proof.ncd_years is not None else 0
        differs = proven != rated
        reason = (f"rated on {rated} years of NCD but the accepted proof shows {proven}" if differs
                  else f"rated on {rated} years of NCD, as proven")
        return {"status": "proven", "proof_id": proof.proof_id, "proven_years": proven, "needs_review": differs,
                "reason": reason}
    if proofs:
        latest = sorted(proofs, key=lambda p: p.decided_key)[-1]
        return {"status": "rejected", "proof_id": latest.proof_id, "proven_years": None, "needs_review": rated > 0,
                "reason": f"rated on {rated} years of NCD; no proof of it was accepted"}
    if rated > 0:
        return {"status": "declared_unproven", "proof_id": None, "proven_years": None, "needs_review": True,
                "reason": f"rated on {rated} years of NCD as declared; no proof has been given yet"}
    return {"status": "none", "proof_id": None, "proven_years": None, "needs_review": False,
            "reason": "no NCD is claimed, so none needs proving"}


# -- the NCD proof letter for a customer who leaves -------------------------------------------------------


def years_at_end(before: int, after_term: int, claims: ClaimsInPeriod, covered: Period,
                 term_lines: Sequence[str]) -> tuple[int, tuple[str, ...]]:
    """The NCD years earned at the end of a final term that was on cover for `covered`.

    `after_term` and `term_lines` are what the renewal rules give for the term (a year earned when no
    claim affects NCD, or the step-back, NCD-5). NCD is earned per full year of cover without a claim that
    affects it: cover of less than a year (a cancelled term) earns no year, so without such claims the
    years stay at `before`; claims that affect NCD step it back whatever the length of cover."""
    full_year = covered.end >= add_years(covered.start, 1)
    if claims.count == 0 and not full_year:
        return before, (*claims.lines, f"Cover from {covered.start} until {covered.end} is less than a full year: no "
                        f"year is earned (NCD is earned for each full year without a claim that affects it); NCD "
                        f"stays at {before} years.")
    return after_term, tuple(term_lines)
