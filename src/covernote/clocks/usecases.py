"""The clock engine's use cases (issue 5): start, meet, pause, resume and stop deadlines, and the staff
reports of what is due soon or overdue and of each team's figures (met on time, breached, open).

Other use cases start and meet deadlines inside their own unit of work (`start`, `meet`, `stop_open`), so a
clock starts or stops in the same transaction as the letter, claim or complaint that starts or stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from covernote.clocks.domain import RULES, TEAMS, Deadline, State, TeamFigures, team_figures
from covernote.clocks.results import (
    ClockRuleFigures,
    ClockRuleView,
    DeadlineFigures,
    DeadlineReport,
    DeadlineView,
    TeamFiguresView,
)
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.calendar import Nation
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import FieldIssue, IssueCollector, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork

DEFAULT_DUE_SOON = timedelta(hours=48)
REPORT_LIMIT = 1000


def start(uow: UnitOfWork, rule_code: str, subject_kind: str, subject_id: str, started_at: datetime, *,
          customer_id: str | None = None, nation: Nation = Nation.ENGLAND_AND_WALES, team: str | None = None,
          note: str = "") -> Deadline:
    """Start a deadline on a subject, in the caller's unit of work."""
    rule = RULES[rule_code]
    team = team or rule.team
    if team not in TEAMS:
        raise ValueError(f"unknown team {team!r}")
    d = Deadline(new_id("dl"), rule_code, subject_kind, subject_id, team, nation, started_at, note=note)
    uow.deadlines.add(d, customer_id, d.due(started_at).due_at)
    return d


def _save(uow: UnitOfWork, d: Deadline, now: datetime) -> Deadline:
    return uow.deadlines.update(d, d.due(now).due_at)


def open_on(uow: UnitOfWork, subject_kind: str, subject_id: str, rule_code: str | None = None) -> list[Deadline]:
    """The subject's deadlines still running (not met, not stopped), optionally of one rule."""
    return [d for d in uow.deadlines.for_subject(subject_kind, subject_id)
            if d.met_at is None and d.stopped_at is None and (rule_code is None or d.rule_code == rule_code)]


def meet(uow: UnitOfWork, subject_kind: str, subject_id: str, rule_code: str, at: datetime) -> list[Deadline]:
    """Meet the subject's running deadlines of `rule_code` at `at` (a letter sent, a payment issued)."""
    return [_save(uow, d.met(at), at) for d in open_on(uow, subject_kind, subject_id, rule_code)]


def stop_open(uow: UnitOfWork, subject_kind: str, subject_id: str, at: datetime, reason: str,
              rule_code: str | None = None) -> list[Deadline]:
    """Stop the subject's running deadlines (they no longer apply: a complaint withdrawn, say)."""
    return [_save(uow, d.stopped(at, reason), at) for d in open_on(uow, subject_kind, subject_id, rule_code)]


def deadline_view(d: Deadline, now: datetime, due_soon_within: timedelta = DEFAULT_DUE_SOON) -> DeadlineView:
    due = d.due(now)
    state = d.state(now, due_soon_within)
    return {
        "id": d.deadline_id, "rule": d.rule_code, "name": d.rule.name, "source": d.rule.source,
        "rule_text": d.rule.describe(), "subject_kind": d.subject_kind, "subject_id": d.subject_id,
        "team": d.team, "nation": d.nation.value, "started_at": d.started_at.isoformat(),
        "due_at": due.due_at.isoformat(), "due_on": due.due_on.isoformat() if due.due_on else None,
        "due_at_uk": f"{due.due_at.astimezone(LONDON):%Y-%m-%d %H:%M}",
        "due_text": f"by the end of {due.due_on:%a %d %b %Y}" if due.due_on else
                    f"by {due.due_at.astimezone(LONDON):%a %d %b %Y %H:%M} UK time", "state": state.value,
        "breached": state.breached,
        "pauses": [{"start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None, "reason": p.reason}
                   for p in d.pauses],
        "met_at": d.met_at.isoformat() if d.met_at else None,
        "stopped_at": d.stopped_at.isoformat() if d.stopped_at else None, "stop_reason": d.stop_reason,
        "note": d.note, "explanation": list(due.explanation),
    }


def _teams(team: str | None) -> list[str] | None:
    if team is None:
        return None
    if team not in TEAMS:
        raise ValidationFailed("unknown team", [FieldIssue("team", f"one of {', '.join(TEAMS)}")])
    return [team]


def get(ctx: AppContext, principal: Principal, deadline_id: str) -> DeadlineView:
    require_staff(principal, "see deadlines")
    with ctx.uow(read_only=True) as uow:
        d = uow.deadlines.get(deadline_id)
    if d is None:
        raise NotFound("no such deadline", [FieldIssue("deadline_id", f"no deadline {deadline_id}")])
    return deadline_view(d, ctx.clock.now())


def for_subject(ctx: AppContext, uow: UnitOfWork, subject_kind: str, subject_id: str) -> list[DeadlineView]:
    now = ctx.clock.now()
    return [deadline_view(d, now) for d in uow.deadlines.for_subject(subject_kind, subject_id)]


def _change(ctx: AppContext, principal: Principal, deadline_id: str, action: str,
            change: Callable[[Deadline, datetime], Deadline]) -> DeadlineView:
    require_staff(principal, action)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        d = uow.deadlines.get(deadline_id)
        if d is None:
            raise NotFound("no such deadline", [FieldIssue("deadline_id", f"no deadline {deadline_id}")])
        d = _save(uow, change(d, now), now)
        uow.commit()
    return deadline_view(d, now)


def pause(ctx: AppContext, principal: Principal, deadline_id: str, reason: str) -> DeadlineView:
    """Staff stop a clock while waiting (for the customer's documents, say), where its rule allows it; it
    resumes on `resume`."""
    return _change(ctx, principal, deadline_id, "pause a deadline", lambda d, now: d.paused(now, reason))


def resume(ctx: AppContext, principal: Principal, deadline_id: str) -> DeadlineView:
    return _change(ctx, principal, deadline_id, "resume a deadline", lambda d, now: d.resumed(now))


def report(ctx: AppContext, principal: Principal, within_hours: int = 48, team: str | None = None) -> DeadlineReport:
    """Staff: the deadlines overdue now, and those due within `within_hours`, soonest first, per team;
    each with its working. Breaches are reported before they happen."""
    require_staff(principal, "see the deadline report")
    if not 0 <= within_hours <= 24 * 90:
        raise ValidationFailed("the window is out of range", [FieldIssue("within_hours", "from 0 to 2160")])
    now = ctx.clock.now()
    window = timedelta(hours=within_hours)
    with ctx.uow(read_only=True) as uow:
        candidates = uow.deadlines.open_due_by(now + window, _teams(team), REPORT_LIMIT)
    overdue: list[DeadlineView] = []
    due_soon: list[DeadlineView] = []
    for d in candidates:
        state = d.state(now, window)
        if state is State.OVERDUE:
            overdue.append(deadline_view(d, now, window))
        elif state is State.DUE_SOON:
            due_soon.append(deadline_view(d, now, window))
    return {"as_at": now.isoformat(), "within_hours": within_hours, "team": team,
            "overdue": overdue, "due_soon": due_soon,
            "truncated": len(candidates) == REPORT_LIMIT}


def open_for_customer(ctx: AppContext, principal: Principal, customer_id: str) -> list[DeadlineView]:
    """Staff: the customer's open deadlines (claims, complaints, MID updates...), soonest due first, each
    with its state and working; at most REPORT_LIMIT (the back office's customer page, issue 14)."""
    require_staff(principal, "see deadlines")
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        found = uow.deadlines.open_for_customer(customer_id, REPORT_LIMIT)
    return [deadline_view(d, now) for d in found]


def breached_now(ctx: AppContext) -> dict[tuple[str, str], int]:
    """(rule, team) -> open deadlines overdue now: the operator's breached-clocks gauge (issue 13 item 23,
    UX-5). One indexed query for the open deadlines whose stored due instant has passed; each is then
    judged exactly (a pause may have moved it later). Counts, nothing about anyone."""
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        candidates = uow.deadlines.open_due_by(now, None, REPORT_LIMIT)
    out: dict[tuple[str, str], int] = {}
    for d in candidates:
        if d.state(now) is State.OVERDUE:
            out[(d.rule_code, d.team)] = out.get((d.rule_code, d.team), 0) + 1
    return out


def figures(ctx: AppContext, principal: Principal, start: date | None = None, end: date | None = None,
            team: str | None = None) -> DeadlineFigures:
    """Staff: per team, the deadlines started in [start, end) (UK dates; open-ended when left out): met on
    time, breached (met late, or overdue and still open), open; and per rule."""
    require_staff(principal, "see the deadline figures")
    issues = IssueCollector()
    if start is not None and end is not None and end <= start:
        issues.add("to", "must be after from")
    issues.raise_if_any("the period is not valid")
    teams = _teams(team)
    now = ctx.clock.now()

    def at(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, datetime.min.time(), tzinfo=LONDON)

    with ctx.uow(read_only=True) as uow:
        rows = uow.deadlines.started_between(at(start), at(end), teams)
    return {"as_at": now.isoformat(), "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "teams": [team_figures_view(f) for f in team_figures(rows, now)]}


def team_figures_view(f: TeamFigures) -> TeamFiguresView:
    """A team's figures as the report gives them (the same keys as `TeamFigures.as_dict`)."""
    by_rule: dict[str, ClockRuleFigures] = {
        code: {"met_on_time": n["met_on_time"], "breached": n["breached"], "open": n["open"]}
        for code, n in f.by_rule.items()}
    return {"team": f.team, "name": TEAMS.get(f.team, f.team), "met_on_time": f.met_on_time,
            "breached": f.breached, "met_late": f.met_late, "overdue": f.overdue,
            "open": f.open, "due_soon": f.due_soon, "stopped": f.stopped, "by_rule": by_rule}


def rules_view() -> list[ClockRuleView]:
    return [{"code": r.code, "name": r.name, "amount": r.amount, "unit": r.unit.value, "team": r.team,
             "source": r.source, "roll_to_working_day": r.roll_to_working_day, "pausable": r.pausable,
             "window": r.window, "text": r.describe()}
            for r in RULES.values()]
