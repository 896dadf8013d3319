"""Complaints (CMP-1..5, issue 5 part 4): what a complaint records, which team it goes to, what may be
done to it and when, and the figures reported about complaints. Pure.

* CMP-1 (S3): a complaint records what is wrong, the complainant's name and address, the policy number
  (when they have one: a complaint may come from someone who is not a customer) and, "where possible", a
  daytime telephone number; how and when it was received. Claims complaints and sales, service or
  administration complaints go to separate teams (S3 gives each its own address).
* CMP-2 (S3): a written acknowledgement within five working days; progress updates until resolved.
* CMP-3 (S3, UK FCA DISP): a complaint resolved by the end of the third business day after it was
  received may be closed with a summary resolution communication (DISP 1.5), which tells the person they
  may refer it to the Financial Ombudsman Service if they later become dissatisfied; otherwise a final
  response within eight weeks (DISP 1.6.2) stating the outcome and the right to refer it to the
  Financial Ombudsman Service within six months; at eight weeks without one the person is told they may
  refer it now. Records are kept three years (DISP 1.9).
* CMP-4 (S1, S3): responses in large print, audio or Braille on request.
* CMP-5: working days are those of the complainant's nation (England and Wales by default).

The deadlines themselves are the clock engine's (`clocks/domain.py`, rules `complaint.*`); this module
says when an action is allowed given them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from covernote.clocks.domain import RULES, Deadline, State
from covernote.kernel.calendar import Nation
from covernote.kernel.clock import LONDON, london_date, require_aware
from covernote.kernel.errors import Conflict, FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.money import Money
from covernote.kernel.periods import add_months
from covernote.policy.domain.risk import normalise_postcode, postcode_area

# -- what a complaint is about, and who handles it (CMP-1) ----------------------------------------------

KINDS: dict[str, str] = {"claim": "complaints_claims", "sales_service": "complaints_sales_service"}
KIND_NAMES: dict[str, str] = {"claim": "about a claim",
                              "sales_service": "about sales, service or administration"}
# How the complaint reached us (S3: by telephone, in writing, by e-mail; and the website).
CHANNELS: tuple[str, ...] = ("letter", "email", "phone", "web")
# How a letter is sent.
LETTER_CHANNELS: tuple[str, ...] = ("post", "email")

# CMP-4: the formats a response can be produced in. Large print is produced here (a large-type printable
# page); audio and Braille are produced by an outside transcription provider from the letter's text.
FORMATS: dict[str, str] = {"standard": "standard print", "large_print": "large print", "audio": "audio",
                           "braille": "Braille"}
ALTERNATIVE_FORMATS: tuple[str, ...] = ("large_print", "audio", "braille")
PROVIDER_FORMATS: tuple[str, ...] = ("audio", "braille")

OUTCOMES: dict[str, str] = {"upheld": "upheld", "partly_upheld": "partly upheld", "not_upheld": "not upheld"}

# Root causes: why the complaint arose, as the firm found it (recorded with the resolution; reported).
ROOT_CAUSES: dict[str, str] = {
    "claim_delay": "delay in handling a claim",
    "claim_decision": "a claim decision (cover, liability or rejection)",
    "claim_settlement": "the amount or method of a claim settlement",
    "repair_quality": "the quality or timeliness of repairs",
    "third_party_supplier": "a supplier acting for us (repairer, courtesy car, recovery)",
    "communication": "communication: not kept informed, unclear or wrong information",
    "staff_conduct": "the conduct or attitude of our staff",
    "administration_error": "an administration or processing error",
    "policy_terms": "the policy terms, cover or exclusions",
    "premium_or_price": "the premium, a price change or a renewal price",
    "fees_and_charges": "fees or charges",
    "cancellation_or_refund": "a cancellation or a refund",
    "payments": "payments, direct debits or premium finance",
    "sales_advice": "how the policy was sold or the information given before the sale",
    "telematics": "the telematics box or a driving-score decision",
    "data_protection": "the handling of personal data",
    "other": "another cause (say which in the note)",
}

# UK: the Financial Ombudsman Service, as S3 gives its details.
FOS_NAME = "Financial Ombudsman Service"
FOS_WEBSITE = "www.financial-ombudsman.org.uk"
FOS_ADDRESS = "Financial Ombudsman Service, Exchange Tower, London E14 9SR"
FOS_PHONES = ("0800 023 4567", "0300 123 9123")
FOS_EMAIL = "complaint.info@financial-ombudsman.org.uk"
FOS_MONTHS = 6  # S3: "You'll need to contact them within six months of the date of our response."

# Which of the product's contact points (product data, `contacts:` in its file) writes each team's letters.
TEAM_CONTACT_POINTS: dict[str, str] = {
    "complaints_sales_service": "complaints",
    "complaints_claims": "claims_complaints",
}

SUMMARY_RULE = "complaint.summary_resolution"
ACK_RULE = "complaint.acknowledgement"
FINAL_RULE = "complaint.final_response"

LETTER_KINDS: dict[str, str] = {
    "acknowledgement": "acknowledgement of your complaint",
    "progress_update": "an update on your complaint",
    "summary_resolution": "summary resolution communication",
    "final_response": "final response to your complaint",
    "eight_week": "your right to refer your complaint to the Financial Ombudsman Service",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,25}$")
MAX_TEXT = 5000
MAX_NOTE = 2000


class Status(enum.StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"  # closed by a summary resolution communication (DISP 1.5)
    FINAL_RESPONSE = "final_response_sent"
    WITHDRAWN = "withdrawn"

    @property
    def closed(self) -> bool:
        return self in (Status.RESOLVED, Status.FINAL_RESPONSE, Status.WITHDRAWN)


def team_for(kind: str) -> str:
    """The team a complaint of `kind` is routed to (CMP-1). ValidationFailed naming `kind` otherwise."""
    if kind not in KINDS:
        raise ValidationFailed("unknown kind of complaint",
                               [FieldIssue("kind", f"one of {', '.join(KINDS)} (claim: about a claim; "
                                                   "sales_service: about sales, service or administration)")])
    return KINDS[kind]


def fos_refer_by(response_sent: date) -> date:
    """The last day to refer a complaint to the Financial Ombudsman Service: six months from the date of
    the response (S3), to the corresponding date or the month's last day."""
    return add_months(response_sent, FOS_MONTHS)


@dataclass(frozen=True)
class Event:
    at: datetime
    by: str
    kind: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "by": self.by, "kind": self.kind, "note": self.note}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Event:
        return Event(datetime.fromisoformat(d["at"]), d["by"], d["kind"], d.get("note") or "")


@dataclass(frozen=True)
class Complaint:
    """One complaint and where it stands. Changes return a new Complaint with an event appended."""

    complaint_id: str
    kind: str
    team: str
    description: str
    name: str
    address: str
    postcode: str | None
    phone: str | None
    email: str | None
    policy_number: str | None  # as the complainant gave it
    policy_id: str | None  # linked when it is one of ours
    customer_id: str | None
    product_code: str | None
    received_via: str
    received_at: datetime
    nation: Nation
    alternative_format: str | None
    status: Status
    recorded_at: datetime
    recorded_by: str
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    final_response_at: datetime | None = None
    outcome: str | None = None
    redress: Money | None = None
    root_cause: str | None = None
    root_cause_note: str | None = None
    resolution: str | None = None  # what was done / the explanation given (summary resolution, final response)
    eight_week_letter_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    closed_at: datetime | None = None
    history: tuple[Event, ...] = ()
    version: int = 1

    @property
    def letter_format(self) -> str:
        """The format every letter to this complainant is produced in (CMP-4)."""
        return self.alternative_format or "standard"

    # -- changes --------------------------------------------------------------------------------------

    def _event(self, at: datetime, by: str, kind: str, note: str = "") -> tuple[Event, ...]:
        return (*self.history, Event(at, by, kind, note))

    def _open(self, at: datetime, what: str, field_name: str = "complaint_id") -> None:
        require_aware(at, "at")
        if self.status.closed:
            raise Conflict(f"the complaint is {self.status.value.replace('_', ' ')}: it cannot {what}",
                           [FieldIssue(field_name, f"closed at {self.closed_at.isoformat() if self.closed_at else '-'}")])

    def acknowledged(self, at: datetime, by: str) -> Complaint:
        """The written acknowledgement was sent at `at` (CMP-2)."""
        self._open(at, "be acknowledged")
        if self.acknowledged_at is not None:
            raise Conflict("the complaint was already acknowledged",
                           [FieldIssue("complaint_id", f"acknowledged at {self.acknowledged_at.isoformat()}")])
        return replace(self, status=Status.ACKNOWLEDGED, acknowledged_at=at,
                       history=self._event(at, by, "acknowledged"))

    def progressed(self, at: datetime, by: str, note: str) -> Complaint:
        """A progress update (CMP-2: "keep you informed on our progress until your complaint has been
        resolved")."""
        self._open(at, "be updated")
        issues = IssueCollector()
        text = issues.text("note", note, MAX_NOTE)
        issues.raise_if_any("the progress update cannot be recorded")
        return replace(self, history=self._event(at, by, "progress_update", text or ""))

    def resolved_by_summary(self, at: datetime, by: str, root_cause: str, root_cause_note: str | None,
                            resolution: str, window_closes_at: datetime | None) -> Complaint:
        """Resolved by the end of the third business day after receipt: closed by a summary resolution
        communication (DISP 1.5). Only while that window is open (`window_closes_at`: the end of the
        third business day, after any pause; None when the window is closed or no longer running)."""
        self._open(at, "be resolved")
        issues = IssueCollector()
        if window_closes_at is None or at >= window_closes_at:
            closes = f" (it closed at {window_closes_at.astimezone(LONDON):%Y-%m-%d %H:%M} UK time)" \
                if window_closes_at is not None else ""
            issues.add("complaint_id", "a summary resolution is only for a complaint resolved by the end of the third "
                                       f"business day after it was received{closes}: send a final response instead")
        _root_cause(issues, root_cause, root_cause_note)
        text = issues.text("resolution", resolution, MAX_TEXT)
        issues.raise_if_any("the complaint cannot be closed by a summary resolution communication")
        return replace(self, status=Status.RESOLVED, resolved_at=at, closed_at=at, root_cause=root_cause,
                       root_cause_note=_clean(root_cause_note), resolution=text,
                       history=self._event(at, by, "summary_resolution", root_cause))

    def responded(self, at: datetime, by: str, outcome: str, redress: Money | None, explanation: str,
                  root_cause: str, root_cause_note: str | None) -> Complaint:
        """The final response was sent (CMP-3): the outcome, any redress, the root cause."""
        self._open(at, "be given a final response")
        issues = IssueCollector()
        if outcome not in OUTCOMES:
            issues.add("outcome", f"one of {', '.join(OUTCOMES)}")
        if redress is not None:
            if redress.is_negative():
                issues.add("redress", "cannot be negative")
            elif not redress.is_whole_pence:
                issues.add("redress", "must be a whole number of pence")
            elif redress.currency != "GBP":
                issues.add("redress", "must be in pounds sterling")
        text = issues.text("explanation", explanation, MAX_TEXT)
        _root_cause(issues, root_cause, root_cause_note)
        issues.raise_if_any("the final response cannot be recorded")
        return replace(self, status=Status.FINAL_RESPONSE, final_response_at=at, closed_at=at, outcome=outcome,
                       redress=redress if redress is not None and not redress.is_zero() else None,
                       resolution=text, root_cause=root_cause, root_cause_note=_clean(root_cause_note),
                       history=self._event(at, by, "final_response", outcome))

    def eight_week_letter_sent(self, at: datetime, by: str) -> Complaint:
        self._open(at, "be sent the eight-week letter")
        if self.eight_week_letter_at is not None:
            raise Conflict("the eight-week letter was already sent",
                           [FieldIssue("complaint_id", f"sent at {self.eight_week_letter_at.isoformat()}")])
        return replace(self, eight_week_letter_at=at, history=self._event(at, by, "eight_week_letter"))

    def withdrawn(self, at: datetime, by: str, reason: str) -> Complaint:
        """The complainant withdrew the complaint: it closes and its clocks stop."""
        self._open(at, "be withdrawn")
        issues = IssueCollector()
        text = issues.text("reason", reason, MAX_NOTE)
        issues.raise_if_any("the complaint cannot be withdrawn")
        return replace(self, status=Status.WITHDRAWN, withdrawn_at=at, closed_at=at, withdrawal_reason=text,
                       history=self._event(at, by, "withdrawn"))

    def with_format(self, at: datetime, by: str, fmt: str | None) -> Complaint:
        """The complainant asked for responses in an alternative format (CMP-4), or for standard print."""
        require_aware(at, "at")
        check_format_choice(fmt)
        chosen = None if fmt in (None, "standard") else fmt
        return replace(self, alternative_format=chosen,
                       history=self._event(at, by, "format_requested", chosen or "standard"))


def _clean(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def _root_cause(issues: IssueCollector, code: str, note: str | None) -> None:
    if code not in ROOT_CAUSES:
        issues.add("root_cause", f"one of {', '.join(ROOT_CAUSES)}")
    if note is not None and len(note.strip()) > MAX_NOTE:
        issues.add("root_cause_note", f"at most {MAX_NOTE} characters")
    if code == "other" and not _clean(note):
        issues.add("root_cause_note", "say what the cause was when it is 'other'")


def check_format_choice(fmt: str | None, field_name: str = "alternative_format") -> None:
    if fmt is not None and fmt not in FORMATS:
        raise ValidationFailed("unknown format", [FieldIssue(field_name, f"one of {', '.join(FORMATS)}")])


def letter_format(c: Complaint, asked: str | None) -> str:
    """The format a letter to this complainant must be produced in (CMP-4): the one they asked for. A
    letter in another format is refused, naming `format`."""
    check_format_choice(asked, "format")
    if asked is None or asked == c.letter_format:
        return c.letter_format
    if c.alternative_format is not None:
        raise ValidationFailed(
            f"the complainant asked for responses in {FORMATS[c.alternative_format]} (CMP-4)",
            [FieldIssue("format", f"must be {c.alternative_format}: letters to this complainant are produced in "
                                  f"{FORMATS[c.alternative_format]}")])
    return asked


def check_channel(c: Complaint, channel: str, fmt: str) -> None:
    issues = IssueCollector()
    if channel not in LETTER_CHANNELS:
        issues.add("channel", f"one of {', '.join(LETTER_CHANNELS)}")
    elif channel == "email" and not c.email:
        issues.add("channel", "the complainant gave no e-mail address: send it by post")
    elif channel == "email" and fmt in PROVIDER_FORMATS:
        issues.add("channel", f"{FORMATS[fmt]} is sent by post")
    issues.raise_if_any("the letter cannot be sent that way")


# -- a new complaint ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewComplaint:
    """What is recorded when a complaint arrives (CMP-1, S3's list)."""

    kind: str
    description: str
    name: str
    address: str
    received_via: str
    received_at: datetime | None = None  # default: now
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    policy_number: str | None = None
    customer_id: str | None = None
    alternative_format: str | None = None
    # The product complained about when no policy is linked (a quote, a product page): its brand writes
    # the letters (DOC-2). A linked policy's product is used otherwise.
    product_code: str | None = None

    def validated(self, now: datetime) -> NewComplaint:
        """The input tidied, or ValidationFailed naming every bad field."""
        issues = IssueCollector()
        if self.kind not in KINDS:
            issues.add("kind", f"one of {', '.join(KINDS)} (claim: about a claim; sales_service: about sales, "
                               "service or administration)")
        description = issues.text("description", self.description, MAX_TEXT)
        name = issues.text("name", self.name, 200)
        address = issues.text("address", self.address, 500)
        if self.received_via not in CHANNELS:
            issues.add("received_via", f"one of {', '.join(CHANNELS)}")
        received = self.received_at or now
        if received.tzinfo is None or received.utcoffset() is None:
            issues.add("received_at", "give a time zone (or leave it out for now)")
        elif received > now:
            issues.add("received_at", f"cannot be in the future (now is {now.isoformat()})")
        elif received < now - timedelta(days=366 * 6):
            issues.add("received_at", "more than six years ago: check the date")
        postcode = _clean(self.postcode)
        if postcode is not None:
            try:
                postcode = normalise_postcode(postcode)
                postcode_area(postcode)
            except (ValueError, TypeError):
                issues.add("postcode", f"{self.postcode!r} is not a UK postcode")
        phone = _clean(self.phone)
        if phone is not None and not _PHONE.match(phone):
            issues.add("phone", "a telephone number: digits, spaces, +, brackets or -, 7 to 25 characters")
        email = _clean(self.email)
        if email is not None and (len(email) > 320 or not _EMAIL.match(email)):
            issues.add("email", f"{self.email!r} is not an e-mail address")
        number = _clean(self.policy_number)
        if number is not None and len(number) > 40:
            issues.add("policy_number", "at most 40 characters")
        if self.alternative_format is not None and self.alternative_format not in FORMATS:
            issues.add("alternative_format", f"one of {', '.join(FORMATS)}")
        issues.raise_if_any("the complaint cannot be recorded")
        fmt = None if self.alternative_format in (None, "standard") else self.alternative_format
        return replace(self, description=description or "", name=name or "", address=address or "",
                       received_at=received, postcode=postcode, phone=phone, email=email, policy_number=number,
                       customer_id=_clean(self.customer_id), alternative_format=fmt,
                       product_code=(_clean(self.product_code) or "").upper() or None)


def new_complaint(complaint_id: str, inp: NewComplaint, *, policy_id: str | None, customer_id: str | None,
                  product_code: str | None, nation: Nation, now: datetime, by: str) -> Complaint:
    """A complaint as received (call `inp.validated` first), routed by kind (CMP-1)."""
    assert inp.received_at is not None
    team = team_for(inp.kind)
    event = Event(now, by, "received", f"{inp.kind} complaint received by {inp.received_via}, routed to {team}")
    history: tuple[Event, ...] = (event,)
    if inp.alternative_format:
        history = (*history, Event(now, by, "format_requested", inp.alternative_format))
    return Complaint(complaint_id, inp.kind, team, inp.description, inp.name, inp.address, inp.postcode, inp.phone,
                     inp.email, inp.policy_number, policy_id, customer_id, product_code, inp.received_via,
                     inp.received_at, nation, inp.alternative_format, Status.RECEIVED, now, by, history=history)


# -- the eight-week letter -------------------------------------------------------------------------------


def eight_week_candidates_received_before(now: datetime) -> datetime:
    """Only complaints received before this instant can be on the last day of their eight weeks by `now`:
    the final response falls due on the rule's last day after the UK date received (it cannot be paused)."""
    days = RULES[FINAL_RULE].amount
    return datetime.combine(london_date(now) - timedelta(days=days - 1), time(0), tzinfo=LONDON)


def eight_week_letter_due(c: Complaint, final: Deadline | None, now: datetime) -> bool:
    """Whether the complainant must now be told they may refer the complaint to the Financial Ombudsman
    Service (CMP-3, S3: "if eight weeks have passed since you first raised your complaint"; FCA DISP
    1.6.2: by the end of the eight weeks): the complaint is open, it is the final response's due date (or
    later) and no final response was sent, and no such letter was sent. So a daily run sends it on the
    last day of the eight weeks, not after them."""
    if c.status.closed or c.eight_week_letter_at is not None or final is None:
        return False
    if final.met_at is not None or final.stopped_at is not None:
        return False
    due = final.due(now)
    return due.due_on is not None and london_date(now) >= due.due_on


# -- the report ------------------------------------------------------------------------------------------

DIMENSIONS = ("product", "kind", "root_cause", "outcome")
NONE = "none"


def _bucket(d: Deadline | None, now: datetime) -> str:
    if d is None:
        return "none"
    state = d.state(now)
    if state is State.MET_ON_TIME:
        return "met_on_time"
    if state.breached:
        return "breached"
    if state in (State.STOPPED, State.LAPSED):
        return "stopped"
    return "open"


@dataclass
class Figures:
    complaints: int = 0
    open: int = 0
    closed: int = 0
    withdrawn: int = 0
    summary_resolutions: int = 0
    final_responses: int = 0
    eight_week_letters: int = 0
    redress_pence: int = 0
    acknowledgement: dict[str, int] = field(default_factory=lambda: {"met_on_time": 0, "breached": 0, "open": 0,
                                                                      "stopped": 0})
    final_response: dict[str, int] = field(default_factory=lambda: {"met_on_time": 0, "breached": 0, "open": 0,
                                                                     "stopped": 0})

    def add(self, c: Complaint, clocks: Sequence[Deadline], now: datetime) -> None:
        self.complaints += 1
        if c.status.closed:
            self.closed += 1
        else:
            self.open += 1
        self.withdrawn += c.status is Status.WITHDRAWN
        self.summary_resolutions += c.status is Status.RESOLVED
        self.final_responses += c.status is Status.FINAL_RESPONSE
        self.eight_week_letters += c.eight_week_letter_at is not None
        self.redress_pence += c.redress.pence if c.redress is not None else 0
        by_rule = {d.rule_code: d for d in clocks}
        for rule, target in ((ACK_RULE, self.acknowledgement), (FINAL_RULE, self.final_response)):
            bucket = _bucket(by_rule.get(rule), now)
            if bucket in target:
                target[bucket] += 1

    def as_dict(self) -> dict[str, Any]:
        return {"complaints": self.complaints, "open": self.open, "closed": self.closed, "withdrawn": self.withdrawn,
                "summary_resolutions": self.summary_resolutions, "final_responses": self.final_responses,
                "eight_week_letters": self.eight_week_letters,
                "redress_total": Money.from_pence(self.redress_pence).to_str(),
                "acknowledgement": dict(self.acknowledgement), "final_response": dict(self.final_response)}


def dimension_value(c: Complaint, dimension: str) -> str:
    value = {"product": c.product_code, "kind": c.kind, "root_cause": c.root_cause,
             "outcome": ("summary_resolution" if c.status is Status.RESOLVED else
                         "withdrawn" if c.status is Status.WITHDRAWN else c.outcome)}[dimension]
    return value or NONE


def report_figures(rows: Iterable[tuple[Complaint, Sequence[Deadline]]], now: datetime) -> dict[str, Any]:
    """Complaints per product, kind, root cause and outcome, each with its clocks met on time or breached
    (acknowledgement, CMP-2; final response, CMP-3; a summary resolution meets the final-response clock),
    and the totals. A clock still running and not yet due is open; a stopped one (withdrawn) neither."""
    total = Figures()
    groups: dict[str, dict[str, Figures]] = {d: {} for d in DIMENSIONS}
    for c, clocks in rows:
        total.add(c, clocks, now)
        for d in DIMENSIONS:
            groups[d].setdefault(dimension_value(c, d), Figures()).add(c, clocks, now)
    return {"total": total.as_dict(),
            **{f"by_{d}": [{d: k, **f.as_dict()} for k, f in sorted(groups[d].items())] for d in DIMENSIONS}}


def received_on(c: Complaint) -> date:
    return london_date(c.received_at)

