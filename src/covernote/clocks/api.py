"""REST resources: the clock engine (issue 5). Staff see what is due soon or overdue, each team's figures
(met on time, breached, open), one deadline with its working, and pause or resume a clock."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import Field

from covernote.clocks import usecases as clocks
from covernote.clocks.results import ClockRuleView, DeadlineFigures, DeadlineReport, DeadlineView
from covernote.identity.api import Caller, Ctx
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, RequestBody

router = APIRouter(tags=["clocks"], route_class=OneHopRoute)


class PauseIn(RequestBody):
    reason: str = Field(min_length=1, max_length=500, description="What the clock waits for")


@router.get("/clocks/rules")
def rules(who: Caller) -> list[ClockRuleView]:
    """Every clock rule: its amount and unit (working days of the customer's nation, calendar days, hours or
    calendar months), the team that owes it and its source."""
    return clocks.rules_view()


@router.get("/clocks/report")
def report(ctx: Ctx, who: Caller,
           within_hours: int = Query(48, ge=0, le=2160, description="Due within this many hours counts as due soon"),
           team: str | None = Query(None, description="One team only")) -> DeadlineReport:
    """Staff: deadlines overdue now and due within `within_hours`, soonest first, each with its working."""
    return clocks.report(ctx, who, within_hours, team)


@router.get("/clocks/figures")
def figures(ctx: Ctx, who: Caller,
            start: Day | None = Query(None, alias="from", description="First UK day the deadlines started"),
            end: Day | None = Query(None, alias="to", description="The day after the last"),
            team: str | None = None) -> DeadlineFigures:
    """Staff: per team, the deadlines started in the period met on time, breached and open, and per rule."""
    return clocks.figures(ctx, who, start, end, team)


@router.get("/clocks/{deadline_id}")
def get(ctx: Ctx, who: Caller, deadline_id: str) -> DeadlineView:
    """One deadline: its rule, due instant, state, pauses and how the due date was worked out."""
    return clocks.get(ctx, who, deadline_id)


@router.post("/clocks/{deadline_id}/pause")
def pause(ctx: Ctx, who: Caller, deadline_id: str, body: PauseIn) -> DeadlineView:
    """Staff stop the clock while waiting (for the customer, say); the due date moves on by the pause."""
    return clocks.pause(ctx, who, deadline_id, body.reason)


@router.post("/clocks/{deadline_id}/resume")
def resume(ctx: Ctx, who: Caller, deadline_id: str) -> DeadlineView:
    return clocks.resume(ctx, who, deadline_id)
