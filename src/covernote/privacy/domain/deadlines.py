"""The clock of a data subject request (PRV-3): when the answer is due, paused, or extended.

**UK** rule (UK GDPR art. 12(3); ICO, "Time limits for responding to data protection rights
requests"):

* the clock starts on the day the request is received, working day or not;
* the answer is due on the corresponding calendar date of the next month, or on that month's last day
  when there is no corresponding date (31 January -> 28 or 29 February; 29 February -> 29 March);
* a due date on a weekend or a bank holiday of the requester's nation moves to the next working day;
* while the organisation waits for proof of identity or for clarification the clock stands still:
  each pause is a half-open period [start, end) of dates and moves the due date later by its days
  (added to the calendar date, before it is moved to a working day);
* the answer may be extended by two further months (three months from receipt, same rules) only if the
  person is told so on or before the original due date.

Only the dates are computed here; recording who was told what and when is the case's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from covernote.kernel.calendar import Nation, WorkingDayCalendar
from covernote.kernel.errors import IssueCollector
from covernote.kernel.periods import Period, add_months

# **UK** UK GDPR art. 12(3): one month to answer, extendable by two further months.
RESPONSE_MONTHS = 1
EXTENSION_MONTHS = 2


def next_working_day_on_or_after(day: date, nation: Nation = Nation.ENGLAND_AND_WALES) -> date:
    """`day` itself when it is a working day in `nation`, otherwise the first working day after it.

    Never raises.
    """
    calendar = WorkingDayCalendar(nation)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class RequestClock:
    """The time limit of one data subject request (PRV-3).

    `pauses` are the periods during which the clock stood still (waiting for proof of identity or for
    clarification), each half-open [start, end). A pause that is still running is recorded up to and
    including today, `Period(start, today + 1 day)`, and recorded again when it ends. Pauses may be
    given in any order; they are kept sorted by start.

    `extension_notified_on` is the day the person was told the answer would take two more months;
    `None` when they were not told.

    Construction raises `ValidationFailed` naming each offending field (`pauses[i]`,
    `extension_notified_on`) when a pause starts before the request was received, two pauses overlap,
    the person was told of an extension before the request was received, or they were told after the
    original due date (an extension must be notified within the first month).
    """

    received_on: date
    pauses: tuple[Period, ...] = ()
    extension_notified_on: date | None = None
    nation: Nation = Nation.ENGLAND_AND_WALES

    def __post_init__(self) -> None:
        given = tuple(self.pauses)
        issues = IssueCollector()
        for index, pause in enumerate(given):
            if not isinstance(pause, Period):
                issues.add(f"pauses[{index}]", "a pause must be a period of dates [start, end)")
                continue
            if pause.start < self.received_on:
                issues.add(f"pauses[{index}]",
                           f"the pause {pause} starts before the request was received on "
                           f"{self.received_on.isoformat()}")
            for earlier_index in range(index):
                earlier = given[earlier_index]
                if isinstance(earlier, Period) and pause.overlaps(earlier):
                    issues.add(f"pauses[{index}]",
                               f"the pause {pause} overlaps pauses[{earlier_index}] {earlier}: "
                               "a clock cannot be paused twice on the same day")
        issues.raise_if_any("the request clock's pauses are not valid")
        object.__setattr__(self, "pauses", tuple(sorted(given)))

        told = self.extension_notified_on
        if told is not None:
            if told < self.received_on:
                issues.add("extension_notified_on",
                           f"the person cannot have been told of an extension on {told.isoformat()}, "
                           f"before the request was received on {self.received_on.isoformat()}")
            else:
                due = self.due_date()
                if told > due:
                    issues.add("extension_notified_on",
                               f"the person was told of the extension on {told.isoformat()}, after the "
                               f"original due date {due.isoformat()}: an extension is allowed only if "
                               "the person is told within the first month")
        issues.raise_if_any("the request cannot be extended")

    # -- the dates -----------------------------------------------------------------------------

    def _deadline(self, months: int) -> tuple[date, int]:
        """The due date `months` calendar months after receipt, and the paused days counted in it.

        A pause counts only if it starts on or before the due date in force when it starts: once the
        deadline has passed, a later pause cannot revive it.
        """
        target = add_months(self.received_on, months)
        counted = 0
        for pause in self.pauses:  # sorted by start, so the first pause that is too late ends the count
            in_force = next_working_day_on_or_after(target + timedelta(days=counted), self.nation)
            if pause.start > in_force:
                break
            counted += pause.days
        return next_working_day_on_or_after(target + timedelta(days=counted), self.nation), counted

    def due_date(self) -> date:
        """The original due date: one calendar month from receipt (corresponding date, or the month's
        last day), later by the paused days, then moved to a working day of the nation. Never raises."""
        return self._deadline(RESPONSE_MONTHS)[0]

    def extended_due_date(self) -> date:
        """The due date an extension gives (whether or not the person has been told yet, so a notice
        can state it): three calendar months from receipt, later by the paused days, then moved to a
        working day. Never raises."""
        return self._deadline(RESPONSE_MONTHS + EXTENSION_MONTHS)[0]

    @property
    def is_extended(self) -> bool:
        """True when the person was (validly, as construction checked) told of an extension."""
        return self.extension_notified_on is not None

    def effective_due_date(self) -> date:
        """The due date that binds: the extended one when validly extended, else the original.
        Never raises."""
        return self.extended_due_date() if self.is_extended else self.due_date()

    def days_paused(self) -> int:
        """Calendar days the clock stood still and that moved the effective due date (pauses starting
        after the deadline then in force are not counted). Never raises."""
        months = RESPONSE_MONTHS + (EXTENSION_MONTHS if self.is_extended else 0)
        return self._deadline(months)[1]

    def is_overdue(self, today: date) -> bool:
        """True from the day after the effective due date: an answer on the due date is in time.
        Never raises."""
        return today > self.effective_due_date()

    def days_left(self, today: date) -> int:
        """Calendar days from `today` to the effective due date: 0 on the due date, negative once
        overdue. Never raises."""
        return (self.effective_due_date() - today).days

    # -- changes -------------------------------------------------------------------------------

    def with_pause(self, pause: Period) -> RequestClock:
        """A copy with one more pause. Raises `ValidationFailed` (field `pauses[i]`) when the pause
        starts before receipt or overlaps another. (A pause only ever moves the original due date later,
        so it never invalidates an extension already notified.)"""
        return replace(self, pauses=(*self.pauses, pause))

    def with_pauses(self, pauses: Iterable[Period]) -> RequestClock:
        """A copy with the given pauses added. Raises as `with_pause` does."""
        return replace(self, pauses=(*self.pauses, *pauses))

    def with_extension(self, notified_on: date) -> RequestClock:
        """A copy extended by two months, the person told on `notified_on`. Raises `ValidationFailed`
        naming `extension_notified_on` when that day is after the original due date or before receipt."""
        return replace(self, extension_notified_on=notified_on)
