"""The clock engine: every regulatory or promised deadline in the system, computed one way. Pure.

A deadline is (started at, rule, due at, paused periods, met at). A rule counts in working days (the
bank holidays of the customer's nation; England and Wales by default, CMP-5), calendar days, hours or
calendar months, and belongs to a team, whose figures (met on time, breached, open) are reported.

How a due instant is worked out (docs/clocks.md says the same):
  * Day rules (working days, calendar days, calendar months) count from the UK date on which the clock
    started; that day is day 0 and is not counted, whatever the hour. "5 working days" from a complaint
    received on Friday 4 December 2026 is Friday 11 December. Calendar months run to the corresponding
    date, or the month's last day when there is none (31 January + 1 month = 28/29 February). A rule may
    roll a due date that falls on a weekend or bank holiday forward to the next working day.
  * The deadline is met in time when it is met before the end of the due date in the UK (midnight,
    Europe/London): `due_at` is that instant. Hour rules are due exactly N hours after the start.
  * Pauses (waiting for the customer, say) stop the clock. Each pause that begins before the clock is
    due moves the due date on by its length in the rule's unit: the working days it covered for a
    working-day rule, its calendar days for calendar-day and month rules (counted on the dates
    [pause start, pause end) in the UK), its duration for an hour rule. A pause still running counts up
    to now: the due instant is then "if resumed now".
  * A deadline is met (met_at), or stopped when it no longer applies (a complaint withdrawn, a claim
    closed); a stopped deadline counts neither as met nor as breached.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from covernote.kernel.calendar import Nation, WorkingDayCalendar
from covernote.kernel.clock import LONDON, london_date, require_aware
from covernote.kernel.errors import IssueCollector
from covernote.kernel.periods import add_months


class Unit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_MONTHS = "calendar_months"
    HOURS = "hours"

    def label(self, amount: int) -> str:
        words = {Unit.WORKING_DAYS: "working day", Unit.CALENDAR_DAYS: "calendar day",
                 Unit.CALENDAR_MONTHS: "calendar month", Unit.HOURS: "hour"}[self]
        return f"{amount} {words}{'s' if amount != 1 else ''}"


@dataclass(frozen=True)
class ClockRule:
    """What a deadline is: `amount` `unit`s after the start, for `team`, by `source`."""

    code: str
    name: str
    amount: int
    unit: Unit
    team: str
    source: str
    roll_to_working_day: bool = False
    # May staff stop the clock while waiting for someone? Not for a regulator's limit (the FCA's eight
    # weeks, the MID's days, a complaint's acknowledgement): only where the promise allows it.
    pausable: bool = False
    # An opportunity rather than a promise: when it passes unmet it lapses, which is no breach (the
    # summary resolution window: after it a complaint simply needs a final response).
    window: bool = False

    def describe(self) -> str:
        roll = ", moved to the next working day when it falls on a weekend or bank holiday" \
            if self.roll_to_working_day else ""
        return f"{self.name}: {self.unit.label(self.amount)} ({self.source}){roll}"


# Teams a deadline belongs to. Complaints about claims and about sales or service go to separate teams
# (CMP-1, S3).
TEAMS: dict[str, str] = {
    "claims": "claims handling",
    "complaints_claims": "claims complaints",
    "complaints_sales_service": "sales and service complaints",
    "underwriting": "underwriting operations (Motor Insurance Database updates)",
    "privacy": "data protection",
    "credit_control": "credit control (payments owed: returned direct debits and arrears, the continuous payment authority)",
    "telematics": "telematics (the Smartbox: installation proved by photo, deactivation after the policy ends)",
}

# Every rule the system runs. A rule's team here is the default; a deadline may name another team (a
# complaint's acknowledgement is owed by the team it was routed to).
RULES: dict[str, ClockRule] = {r.code: r for r in (
    ClockRule("claim.correspondence_reply", "Reply to a letter or e-mail about a claim", 5, Unit.WORKING_DAYS,
              "claims", "CLM-2 (S1)"),
    ClockRule("claim.settlement_payment", "Pay an agreed settlement once the documents are in", 24, Unit.HOURS,
              "claims", "CLM-2 (S1)", pausable=True),
    ClockRule("complaint.acknowledgement", "Acknowledge a complaint in writing", 5, Unit.WORKING_DAYS,
              "complaints_sales_service", "CMP-2 (S3)"),
    ClockRule("complaint.summary_resolution", "Resolve by the end of the third business day for a summary "
              "resolution communication", 3, Unit.WORKING_DAYS, "complaints_sales_service",
              "CMP-3; FCA DISP 1.5", window=True),
    ClockRule("complaint.final_response", "Send a final response", 8 * 7, Unit.CALENDAR_DAYS,
              "complaints_sales_service", "CMP-3 (S3); FCA DISP 1.6.2 (eight weeks)"),
    ClockRule("mid.update_private", "Update the Motor Insurance Database (private policy)", 7, Unit.CALENDAR_DAYS,
              "underwriting", "REG-1 (UK: 7 days for private policies)"),
    ClockRule("mid.update_fleet", "Update the Motor Insurance Database (fleet or trade policy)", 14,
              Unit.CALENDAR_DAYS, "underwriting", "REG-1 (UK: 14 days for fleet and trade)"),
    # The customer's deadline, watched by credit control: when it passes unpaid the policy is cancelled.
    ClockRule("billing.payment_authority_answer", "Pay another way once the continuous payment authority is "
              "withdrawn, or the policy is cancelled", 14, Unit.CALENDAR_DAYS, "credit_control",
              "PAY-3 (S3: the same 14 days' written notice as a payment under the authority)"),
    # PAY-2 (S1, "Unpaid direct debit"): the steps of a returned direct debit's ladder (billing/domain/arrears.py),
    # with the numbers of the products' `arrears:` sections and their insurer notice, so each case shows in the
    # credit control queue. tests/unit/test_arrears_domain.py holds every product's numbers to these.
    ClockRule("arrears.representation", "Present the returned direct debit again on the date the letter gave",
              10, Unit.WORKING_DAYS, "credit_control", "PAY-2 (S1); PAY-6 (10 working days' advance notice)"),
    ClockRule("arrears.card_payment", "Customer to pay the arrears by card before the notice of cancellation",
              14, Unit.CALENDAR_DAYS, "credit_control", "PAY-2 (S1: ring up and pay by card)", window=True),
    ClockRule("arrears.cancellation_notice", "Cancel for non-payment when the notice of cancellation runs out",
              7, Unit.CALENDAR_DAYS, "credit_control", "PAY-2 (S1); the product's insurer notice (7 days)"),
    # TEL-1 (S3, "The Smartbox device"): the box fitted and its photo accepted within 14 days of the policy's start
    # or of a change of vehicle (missed: the policy is referred to staff); deactivated within 14 days of the end.
    ClockRule("telematics.installation", "Fit the Smartbox and have its installation photo accepted", 14,
              Unit.CALENDAR_DAYS, "telematics", "TEL-1 (S3: within 14 days of the start or a change of vehicle)"),
    ClockRule("telematics.deactivation", "Deactivate the Smartbox after the policy ends", 14, Unit.CALENDAR_DAYS,
              "telematics", "TEL-1 (S3: deactivated within 14 days of cancellation or expiry)"),
)}


@dataclass(frozen=True)
class Pause:
    """A stretch during which the clock stood still: [start, end); end None while it runs."""

    start: datetime
    end: datetime | None = None
    reason: str = ""

    def until(self, now: datetime) -> datetime:
        return self.end if self.end is not None else max(now, self.start)


def end_of_day(day: date) -> datetime:
    """The instant a UK date ends: midnight at the start of the next day, Europe/London (in UTC, so that
    arithmetic on it counts elapsed time)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)


def _due_date(rule: ClockRule, start: date, calendar: WorkingDayCalendar) -> date:
    if rule.unit is Unit.WORKING_DAYS:
        return calendar.add_working_days(start, rule.amount)
    if rule.unit is Unit.CALENDAR_DAYS:
        return start + timedelta(days=rule.amount)
    return add_months(start, rule.amount)


def _roll(rule: ClockRule, day: date, calendar: WorkingDayCalendar) -> date:
    if rule.roll_to_working_day:
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    return day


def _paused_days(rule: ClockRule, pause: Pause, now: datetime, calendar: WorkingDayCalendar) -> int:
    first, last = london_date(pause.start), london_date(pause.until(now))
    if rule.unit is Unit.WORKING_DAYS:
        return sum(1 for n in range((last - first).days) if calendar.is_working_day(first + timedelta(days=n)))
    return (last - first).days


@dataclass(frozen=True)
class Due:
    """When a deadline is due, and how that was worked out, line by line."""

    due_at: datetime
    due_on: date | None  # the due date for a day rule (None for an hour rule)
    explanation: tuple[str, ...]


def compute_due(rule: ClockRule, started_at: datetime, nation: Nation = Nation.ENGLAND_AND_WALES,
                pauses: Sequence[Pause] = (), now: datetime | None = None) -> Due:
    """The instant the deadline falls due (see the module docstring), with the working."""
    require_aware(started_at, "started_at")
    now = now or started_at
    calendar = WorkingDayCalendar(nation)
    ordered = sorted(pauses, key=lambda p: p.start)
    if rule.unit is Unit.HOURS:
        due = started_at.astimezone(UTC) + timedelta(hours=rule.amount)  # elapsed hours, not wall-clock
        lines = [f"Started {started_at.astimezone(LONDON):%Y-%m-%d %H:%M} UK time; {rule.unit.label(rule.amount)} "
                 f"({rule.source}): due {due.astimezone(LONDON):%Y-%m-%d %H:%M}."]
        for p in ordered:
            if p.start < due:
                length = p.until(now).astimezone(UTC) - p.start.astimezone(UTC)  # elapsed
                due += length
                lines.append(f"Paused from {p.start.astimezone(LONDON):%Y-%m-%d %H:%M}"
                             f"{'' if p.end else ' (still paused)'} for {length}: due "
                             f"{due.astimezone(LONDON):%Y-%m-%d %H:%M}.")
        return Due(due, None, tuple(lines))
    start = london_date(started_at)
    day = _roll(rule, _due_date(rule, start, calendar), calendar)
    skipped = sorted(h for h in calendar.bank_holidays(range(start.year, day.year + 1)) if start < h <= day
                     and h.weekday() < 5) if rule.unit is Unit.WORKING_DAYS else []
    lines = [f"Started {start} (day 0, not counted); {rule.unit.label(rule.amount)} ({rule.source})"
             + (f" in {nation.name.replace('_', ' ').title()}" if rule.unit is Unit.WORKING_DAYS else "")
             + (f", skipping the bank holiday(s) {', '.join(str(h) for h in skipped)}" if skipped else "")
             + f": due by the end of {day:%A} {day}."]
    for p in ordered:
        if p.start < end_of_day(day):
            n = _paused_days(rule, p, now, calendar)
            if n:
                if rule.unit is Unit.WORKING_DAYS:
                    day = calendar.add_working_days(day, n)
                else:
                    day = _roll(rule, day + timedelta(days=n), calendar)
                lines.append(f"Paused from {london_date(p.start)} to {london_date(p.until(now))}"
                             f"{' (still paused)' if p.end is None else ''}: {n} "
                             f"{'working ' if rule.unit is Unit.WORKING_DAYS else ''}day(s) added: due by the end "
                             f"of {day:%A} {day}.")
    return Due(end_of_day(day), day, tuple(lines))


class State(enum.StrEnum):
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    STOPPED = "stopped"
    LAPSED = "lapsed"  # a window (rule.window) that passed unmet: no breach

    @property
    def is_open(self) -> bool:
        return self in (State.OPEN, State.DUE_SOON, State.OVERDUE, State.PAUSED)

    @property
    def breached(self) -> bool:
        return self in (State.OVERDUE, State.MET_LATE)


@dataclass(frozen=True)
class Deadline:
    """One running or finished clock on one subject (a claim's letter, a complaint, a MID update...)."""

    deadline_id: str
    rule_code: str
    subject_kind: str
    subject_id: str
    team: str
    nation: Nation
    started_at: datetime
    pauses: tuple[Pause, ...] = ()
    met_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None
    note: str = ""
    version: int = 1

    @property
    def rule(self) -> ClockRule:
        return RULES[self.rule_code]

    def due(self, now: datetime) -> Due:
        return compute_due(self.rule, self.started_at, self.nation, self.pauses, now)

    def state(self, now: datetime, due_soon_within: timedelta = timedelta(days=2)) -> State:
        due = self.due(now).due_at
        if self.met_at is not None:
            return State.MET_ON_TIME if self.met_at < due else State.MET_LATE
        if self.stopped_at is not None:
            return State.STOPPED
        if now >= due:
            return State.LAPSED if self.rule.window else State.OVERDUE
        if any(p.end is None for p in self.pauses):
            return State.PAUSED
        return State.DUE_SOON if now >= due - due_soon_within else State.OPEN

    # -- changes: each checks and returns the new deadline ------------------------------------------
    def met(self, at: datetime) -> Deadline:
        _check_open(self, at, "met_at")
        return replace(self, met_at=at, pauses=_closed(self.pauses, at))

    def stopped(self, at: datetime, reason: str) -> Deadline:
        _check_open(self, at, "stopped_at")
        issues = IssueCollector()
        text = issues.text("reason", reason, 2000)
        issues.raise_if_any("the deadline cannot be stopped")
        assert text is not None
        return replace(self, stopped_at=at, stop_reason=text, pauses=_closed(self.pauses, at))

    def paused(self, at: datetime, reason: str) -> Deadline:
        _check_open(self, at, "paused_at")
        issues = IssueCollector()
        if not self.rule.pausable:
            issues.add("deadline_id", f"{self.rule.name} ({self.rule.source}) cannot be paused: the limit runs "
                                      "whatever we are waiting for")
        elif any(p.end is None for p in self.pauses):
            issues.add("paused_at", "the clock is already paused")
        elif self.pauses and at < max(p.until(at) for p in self.pauses):
            issues.add("paused_at", "overlaps an earlier pause")
        text = issues.text("reason", reason, 500)
        issues.raise_if_any("the clock cannot be paused")
        assert text is not None
        return replace(self, pauses=(*self.pauses, Pause(at, None, text)))

    def resumed(self, at: datetime) -> Deadline:
        issues = IssueCollector()
        running = [p for p in self.pauses if p.end is None]
        if not running:
            issues.add("resumed_at", "the clock is not paused")
        elif at < running[0].start:
            issues.add("resumed_at", f"must be on or after the pause began ({running[0].start.isoformat()})")
        issues.raise_if_any("the clock cannot be resumed")
        return replace(self, pauses=_closed(self.pauses, at))


def _closed(pauses: tuple[Pause, ...], at: datetime) -> tuple[Pause, ...]:
    return tuple(replace(p, end=max(at, p.start)) if p.end is None else p for p in pauses)


def _check_open(d: Deadline, at: datetime, field_name: str) -> None:
    issues = IssueCollector()
    require_aware(at, field_name)
    if d.met_at is not None:
        issues.add("deadline_id", f"already met at {d.met_at.isoformat()}")
    elif d.stopped_at is not None:
        issues.add("deadline_id", f"stopped at {d.stopped_at.isoformat()}: {d.stop_reason}")
    if at < d.started_at:
        issues.add(field_name, f"cannot be before the clock started ({d.started_at.isoformat()})")
    issues.raise_if_any("the deadline is not running")


# -- reports ------------------------------------------------------------------------------------------


@dataclass
class TeamFigures:
    """A team's deadlines: met on time, breached (met late, or open and overdue), open (not yet due)."""

    team: str
    met_on_time: int = 0
    met_late: int = 0
    overdue: int = 0
    open: int = 0
    due_soon: int = 0
    stopped: int = 0
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def breached(self) -> int:
        return self.met_late + self.overdue

    def as_dict(self) -> dict[str, object]:
        return {"team": self.team, "name": TEAMS.get(self.team, self.team), "met_on_time": self.met_on_time,
                "breached": self.breached, "met_late": self.met_late, "overdue": self.overdue,
                "open": self.open, "due_soon": self.due_soon, "stopped": self.stopped, "by_rule": self.by_rule}


def team_figures(deadlines: Iterable[Deadline], now: datetime,
                 due_soon_within: timedelta = timedelta(days=2)) -> list[TeamFigures]:
    """Per team: how many deadlines were met on time, breached, and are open (of which due soon), as at
    `now`. Open counts every deadline still running and not overdue (paused ones included)."""
    out: dict[str, TeamFigures] = {}
    for d in deadlines:
        state = d.state(now, due_soon_within)
        f = out.setdefault(d.team, TeamFigures(d.team))
        bucket = {State.MET_ON_TIME: "met_on_time", State.MET_LATE: "met_late", State.OVERDUE: "overdue",
                  State.STOPPED: "stopped", State.LAPSED: "stopped"}.get(state, "open")
        setattr(f, bucket, getattr(f, bucket) + 1)
        if state is State.DUE_SOON:
            f.due_soon += 1
        rule = f.by_rule.setdefault(d.rule_code, {"met_on_time": 0, "breached": 0, "open": 0})
        key = "met_on_time" if state is State.MET_ON_TIME else "breached" if state.breached else \
            "open" if state.is_open else None
        if key is not None:
            rule[key] += 1
    return [out[t] for t in sorted(out)]
