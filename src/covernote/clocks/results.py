"""What the clock engine's use cases answer (issue 11 part 4): the shapes of a deadline, the due-soon report,
the team figures and the rules, as the REST routes and `covernote clocks ... --json` give them.

Each is a TypedDict (a plain dict at run time) whose keys are declared in the order the use cases build
them, which is the order they go out in JSON."""

from __future__ import annotations

from typing_extensions import TypedDict


class ClockPauseView(TypedDict):
    """A stretch during which the clock stood still; `end` is null while it runs."""

    start: str
    end: str | None
    reason: str


class DeadlineView(TypedDict):
    """One deadline: its rule, subject and team, when it is due (and how that was worked out, line by
    line, in `explanation`), its state, pauses, and when it was met or stopped."""

    id: str
    rule: str
    name: str
    source: str
    rule_text: str
    subject_kind: str
    subject_id: str
    team: str
    nation: str
    started_at: str
    due_at: str
    due_on: str | None  # the due date for a day rule; null for an hour rule
    due_at_uk: str
    due_text: str
    state: str
    breached: bool
    pauses: list[ClockPauseView]
    met_at: str | None
    stopped_at: str | None
    stop_reason: str | None
    note: str
    explanation: list[str]


class DeadlineReport(TypedDict):
    """Staff's report: the deadlines overdue now and those due within `within_hours`, soonest first;
    `truncated` when the report stopped at its limit."""

    as_at: str
    within_hours: int
    team: str | None
    overdue: list[DeadlineView]
    due_soon: list[DeadlineView]
    truncated: bool


class ClockRuleFigures(TypedDict):
    """One rule's deadlines within a team's figures."""

    met_on_time: int
    breached: int
    open: int


class TeamFiguresView(TypedDict):
    """A team's deadlines: met on time, breached (met late, or open and overdue), open (of which due soon),
    stopped; and the same per rule code."""

    team: str
    name: str
    met_on_time: int
    breached: int
    met_late: int
    overdue: int
    open: int
    due_soon: int
    stopped: int
    by_rule: dict[str, ClockRuleFigures]  # keyed by rule code


# "from" is a Python keyword, so the period's keys are declared the functional way.
Period = TypedDict("Period", {"as_at": str, "from": str | None, "to": str | None})


class DeadlineFigures(Period):
    """Staff's figures per team for the deadlines started in [from, to) (UK dates; null when open-ended),
    as at `as_at`."""

    teams: list[TeamFiguresView]


class ClockRuleView(TypedDict):
    """A clock rule: `amount` `unit`s after the start, owed by `team`, by `source`."""

    code: str
    name: str
    amount: int
    unit: str
    team: str
    source: str
    roll_to_working_day: bool
    pausable: bool
    window: bool
    text: str
