"""Data subject requests as tracked cases (PRV-3): what was asked, whether the person's identity is
verified, the clock (paused while waiting for the person), the extension, and how the case ended.

Rules (UK GDPR arts. 12, 15-22; ICO guidance on the right of access and on time limits):

* a request received through the person's own authenticated login needs no further identity check;
  one received by post, phone, e-mail or in person waits for identity, and the clock stands still from
  receipt until identity is verified;
* asking the person to clarify a request stops the clock until they answer;
* the answer may be extended by two months when the request is complex or numerous, only if the
  person is told within the first month, with the reason;
* a request may be refused as manifestly unfounded or excessive, with the reason and the person's right
  to complain to the ICO; it may be withdrawn by the person.

The dates themselves come from `RequestClock` (deadlines.py); this module keeps the case's state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from covernote.kernel.calendar import Nation
from covernote.kernel.errors import Conflict, FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.periods import Period
from covernote.privacy.domain.deadlines import RequestClock


class RequestKind(enum.StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    PORTABILITY = "portability"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    DEATH_DIRECTIVE = "death_directive"  # S2: directives on what happens to the data after death


# The requests a customer may start themselves with their own token (issue 3 part 9); staff record
# any kind on the person's behalf.
CUSTOMER_KINDS = frozenset({RequestKind.ACCESS, RequestKind.PORTABILITY, RequestKind.ERASURE})


class RequestStatus(enum.StrEnum):
    AWAITING_IDENTITY = "awaiting_identity"
    IN_PROGRESS = "in_progress"
    AWAITING_CLARIFICATION = "awaiting_clarification"
    COMPLETED = "completed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = frozenset({RequestStatus.AWAITING_IDENTITY, RequestStatus.IN_PROGRESS,
                           RequestStatus.AWAITING_CLARIFICATION})


class Channel(enum.StrEnum):
    API = "api"  # the person's own authenticated login: identity is already verified
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"
    IN_PERSON = "in_person"


OBJECTION_GROUNDS = ("marketing", "profiling")
RESTRICTION_GROUNDS = ("accuracy_contested", "unlawful_processing", "needed_for_legal_claims", "objection_pending")
CORRECTABLE_FIELDS = ("name", "email", "phone", "date_of_birth", "address", "postcode")


@dataclass(frozen=True)
class Pause:
    """The clock stood still from `start` (inclusive) to `end` (exclusive); `end` None: still paused."""

    start: date
    reason: str
    end: date | None = None

    def period(self, today: date) -> Period:
        # A running pause counts up to and including today (RequestClock's convention).
        return Period(self.start, self.end if self.end is not None else max(today + timedelta(days=1), self.start))

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat() if self.end else None,
                "reason": self.reason}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Pause:
        return Pause(date.fromisoformat(d["start"]), d["reason"], date.fromisoformat(d["end"]) if d["end"] else None)


def validate_details(kind: RequestKind, details: dict[str, Any]) -> dict[str, Any]:
    """The request's details, checked and normalised for its kind. Raises ValidationFailed naming
    `details.<field>`."""
    issues = IssueCollector()
    out: dict[str, Any] = {}
    text = details.get("description")
    if text is not None:
        if not isinstance(text, str) or len(text) > 5000:
            issues.add("details.description", "must be text of at most 5,000 characters")
        else:
            out["description"] = text.strip()
    if kind is RequestKind.RECTIFICATION:
        corrections = details.get("corrections")
        if not isinstance(corrections, dict) or not corrections:
            issues.add("details.corrections", f"name the fields to correct: {', '.join(CORRECTABLE_FIELDS)}")
        else:
            for key, value in corrections.items():
                if key not in CORRECTABLE_FIELDS:
                    issues.add(f"details.corrections.{key}",
                               f"cannot be corrected here: use one of {', '.join(CORRECTABLE_FIELDS)}")
                elif value is not None and not isinstance(value, str):
                    issues.add(f"details.corrections.{key}", "must be text (dates as YYYY-MM-DD) or null")
            out["corrections"] = corrections
    elif kind is RequestKind.OBJECTION:
        to = details.get("to")
        if not isinstance(to, list) or not to or any(t not in OBJECTION_GROUNDS for t in to):
            issues.add("details.to", f"list what the person objects to: {', '.join(OBJECTION_GROUNDS)}")
        else:
            out["to"] = sorted(set(to))
    elif kind is RequestKind.RESTRICTION:
        ground = details.get("ground")
        if ground not in RESTRICTION_GROUNDS:
            issues.add("details.ground", f"must be one of {', '.join(RESTRICTION_GROUNDS)} (UK GDPR art. 18(1))")
        else:
            out["ground"] = ground
    elif kind is RequestKind.DEATH_DIRECTIVE:
        directive = details.get("directive")
        if directive not in ("erase", "keep", "transfer"):
            issues.add("details.directive", "must be erase, keep or transfer")
        else:
            out["directive"] = directive
        trusted = details.get("trusted_person")
        if directive == "transfer" and (not isinstance(trusted, str) or not trusted.strip()):
            issues.add("details.trusted_person", "name the person the data is to be given to")
        elif isinstance(trusted, str) and trusted.strip():
            out["trusted_person"] = trusted.strip()[:200]
    elif kind is RequestKind.CONSENT_WITHDRAWAL:
        channels = details.get("channels", ["mail", "email", "phone", "sms"])
        if not isinstance(channels, list) or not channels or any(
                c not in ("mail", "email", "phone", "sms") for c in channels):
            issues.add("details.channels", "list channels among mail, email, phone, sms (default: all)")
        else:
            out["channels"] = sorted(set(channels))
    issues.raise_if_any(f"the {kind.value} request is not valid")
    return out


@dataclass(frozen=True)
class SubjectRequest:
    request_id: str
    customer_id: str
    kind: RequestKind
    status: RequestStatus
    channel: Channel
    received_on: date
    nation: Nation
    details: dict[str, Any]
    created_at: datetime
    created_by: str
    identity_verified_at: datetime | None = None
    identity_method: str | None = None
    pauses: tuple[Pause, ...] = ()
    extension_notified_on: date | None = None
    extension_reason: str | None = None
    outcome: dict[str, Any] | None = None
    completed_at: datetime | None = None
    version: int = 1
    events: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (kind, note) new, to be stored

    # -- creation ------------------------------------------------------------------------------

    @staticmethod
    def receive(request_id: str, customer_id: str, kind: str, channel: str, received_on: date, nation: Nation,
                details: dict[str, Any], now: datetime, created_by: str, today: date,
                identity_method: str | None = None) -> SubjectRequest:
        """A new case. Through the person's own login (channel api) identity is verified by the login;
        otherwise, unless the handler records how identity was checked, the case waits for identity with
        the clock stopped from the day of receipt. Raises ValidationFailed naming the field."""
        issues = IssueCollector()
        try:
            k = RequestKind(kind)
        except ValueError:
            issues.add("kind", f"must be one of {', '.join(k.value for k in RequestKind)}")
        try:
            ch = Channel(channel)
        except ValueError:
            issues.add("channel", f"must be one of {', '.join(c.value for c in Channel)}")
        if received_on > today:
            issues.add("received_on", f"{received_on.isoformat()} is in the future")
        if identity_method is not None and (not identity_method.strip() or len(identity_method) > 60):
            issues.add("identity_method", "say how identity was checked, in at most 60 characters")
        issues.raise_if_any("the request cannot be recorded")
        clean = validate_details(k, details)
        if ch is Channel.API:
            identity_method = "authenticated login"
        verified = identity_method is not None
        return SubjectRequest(
            request_id, customer_id, k, RequestStatus.IN_PROGRESS if verified else RequestStatus.AWAITING_IDENTITY,
            ch, received_on, nation, clean, now, created_by,
            identity_verified_at=now if verified else None, identity_method=identity_method,
            pauses=() if verified else (Pause(received_on, "awaiting proof of identity"),),
            events=(("received", f"{k.value} request received by {ch.value}"),))

    # -- the clock -----------------------------------------------------------------------------

    def clock(self, today: date) -> RequestClock:
        return RequestClock(self.received_on, tuple(p.period(today) for p in self.pauses),
                            self.extension_notified_on, self.nation)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise Conflict(f"the request is {self.status.value}: it cannot {action}")

    def _end_pause(self, on: date) -> tuple[Pause, ...]:
        return tuple(replace(p, end=max(on, p.start)) if p.end is None else p for p in self.pauses)

    def _with(self, event: tuple[str, str], **changes: Any) -> SubjectRequest:
        return replace(self, events=(*self.events, event), **changes)

    # -- transitions ---------------------------------------------------------------------------

    def verify_identity(self, method: str, now: datetime, today: date) -> SubjectRequest:
        if self.status is not RequestStatus.AWAITING_IDENTITY:
            raise Conflict(f"the request is {self.status.value}, not awaiting identity")
        if not method or not method.strip() or len(method) > 60:
            raise ValidationFailed("say how identity was checked",
                                   [FieldIssue("method", "required, at most 60 characters (never the evidence)")])
        return self._with(("identity_verified", f"identity verified by {method.strip()}"),
                          status=RequestStatus.IN_PROGRESS, identity_verified_at=now, identity_method=method.strip(),
                          pauses=self._end_pause(today))

    def ask_clarification(self, question: str, today: date) -> SubjectRequest:
        if self.status is not RequestStatus.IN_PROGRESS:
            raise Conflict(f"the request is {self.status.value}: clarification is asked while it is in progress")
        if not question or not question.strip():
            raise ValidationFailed("say what needs clarifying", [FieldIssue("question", "is required")])
        return self._with(("clarification_asked", question.strip()[:2000]), status=RequestStatus.AWAITING_CLARIFICATION,
                          pauses=(*self.pauses, Pause(today, "awaiting clarification")))

    def clarification_received(self, today: date) -> SubjectRequest:
        if self.status is not RequestStatus.AWAITING_CLARIFICATION:
            raise Conflict(f"the request is {self.status.value}, not awaiting clarification")
        return self._with(("clarification_received", "the person answered"), status=RequestStatus.IN_PROGRESS,
                          pauses=self._end_pause(today))

    def extend(self, notified_on: date, reason: str, today: date) -> SubjectRequest:
        self._require_open("be extended")
        issues = IssueCollector()
        if self.extension_notified_on is not None:
            issues.add("notified_on", f"already extended (the person was told on {self.extension_notified_on})")
        if not reason or not reason.strip():
            issues.add("reason", "say why the request is complex or numerous (UK GDPR art. 12(3))")
        if notified_on > today:
            issues.add("notified_on", f"{notified_on.isoformat()} is in the future")
        issues.raise_if_any("the request cannot be extended")
        self.clock(today).with_extension(notified_on)  # raises naming extension_notified_on when too late
        return self._with(("extended", reason.strip()[:2000]), extension_notified_on=notified_on,
                          extension_reason=reason.strip()[:2000])

    def complete(self, outcome: dict[str, Any], now: datetime) -> SubjectRequest:
        if self.status is not RequestStatus.IN_PROGRESS:
            raise Conflict(f"the request is {self.status.value}: only a request in progress (identity verified, "
                           "nothing awaited from the person) can be completed")
        return self._with(("completed", "answered"), status=RequestStatus.COMPLETED, outcome=outcome,
                          completed_at=now)

    def refuse(self, reason: str, now: datetime, today: date) -> SubjectRequest:
        self._require_open("be refused")
        if not reason or not reason.strip():
            raise ValidationFailed("a refusal needs its reason",
                                   [FieldIssue("reason", "say why the request is manifestly unfounded or excessive")])
        return self._with(("refused", reason.strip()[:2000]), status=RequestStatus.REFUSED, completed_at=now,
                          pauses=self._end_pause(today),
                          outcome={"refused": reason.strip()[:2000],
                                   "right_to_complain": "You may complain to the Information Commissioner's Office "
                                                        "(ico.org.uk) or seek a remedy through the courts."})

    def withdraw(self, now: datetime, today: date) -> SubjectRequest:
        self._require_open("be withdrawn")
        return self._with(("withdrawn", "withdrawn by the person"), status=RequestStatus.WITHDRAWN, completed_at=now,
                          pauses=self._end_pause(today))

    def with_outcome(self, outcome: dict[str, Any], note: tuple[str, str]) -> SubjectRequest:
        """Record an intermediate result (an erasure plan shown to the person) without closing the case."""
        self._require_open("change")
        return self._with(note, outcome=outcome)

    # -- views ---------------------------------------------------------------------------------

    def timing(self, today: date) -> dict[str, Any]:
        clock = self.clock(today)
        closed_on = self.completed_at.date() if self.completed_at else None
        due = clock.effective_due_date()
        return {
            "received_on": self.received_on.isoformat(),
            "due_on": clock.due_date().isoformat(),
            "extended_due_on": clock.extended_due_date().isoformat() if self.extension_notified_on else None,
            "effective_due_on": due.isoformat(),
            "days_paused": clock.days_paused(),
            "days_left": None if closed_on else clock.days_left(today),
            "overdue": (closed_on > due) if closed_on else clock.is_overdue(today),
        }
