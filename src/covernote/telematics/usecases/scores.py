"""Scoring the Smartbox's device-days and showing the scores (TEL-3, TEL-10).

`score_day` reads one device-day of stored positions, runs the one pipeline (`domain/pipeline.score_device_day`:
cleaning, journeys, map matching, the four indicators) under the ruleset of the policy the device served that day
(`ctx.catalogue.by_ref(product_ref).telematics_rules`) and stores the day, its journeys and its events in one unit
of work; scoring a day again replaces its rows. `score_pending` scores every device-day whose positions are new
or changed since it was scored. `replay_day` scores a stored day again with the versions it recorded and says
whether the result is the same (TEL-10). `policy_score`, `period_view`, `journeys` and `journey` are what the
policyholder (their own policy only) and staff see: the 90-day periods from the policy's start, each the
driving-time weighted mean of its journeys (`scoring.period_score`), and each journey's events explained (TEL-3).

Where positions, the road network and the device registry come from is a `ScoringSources` given to the context
(`use_sources`, in tests and by the assembly) or made by the builder registered with `use_default_sources` (the
REST and CLI edges register one reading the settings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.errors import Conflict, FieldIssue, NotFound, ValidationFailed
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.progress import Progress, no_progress
from covernote.policy.usecases.lookup import find_policy
from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.telematics.domain.pipeline import score_device_day
from covernote.telematics.domain.scoring import (
    EVENT_KINDS,
    INDICATOR_OF_KIND,
    DayScore,
    PeriodScore,
    ReplayMismatch,
    period_score,
    replay,
)
from covernote.telematics.ports.scores import ScoringSources, StoredDay, StoredEvent, StoredJourney
from covernote.telematics.results.scores import (
    DayScoreView,
    EventView,
    JourneyDetail,
    JourneyList,
    JourneyView,
    PeriodView,
    PolicyScore,
    ReplayView,
    ScoringRun,
    Versions,
)

PERIOD_DAYS = 90  # TEL-4: the score is taken over 90-day periods from the policy's start
BATCH = 50  # device-days scored per progress report in a run

_SOURCES_ATTR = "_telematics_scoring_sources"
_default_sources: Callable[[AppContext], ScoringSources] | None = None


# -- where the positions, the map and the device registry come from ------------------------------------------


def use_sources(ctx: AppContext, sources: ScoringSources) -> None:
    """Give the context its scoring sources (tests; the assembly, with the real device registry)."""
    setattr(ctx, _SOURCES_ATTR, sources)


def use_default_sources(builder: Callable[[AppContext], ScoringSources]) -> None:
    """Register how a context without sources gets them (the REST and CLI edges: from the settings)."""
    global _default_sources
    _default_sources = builder


def sources_of(ctx: AppContext) -> ScoringSources:
    found = getattr(ctx, _SOURCES_ATTR, None)
    if isinstance(found, ScoringSources):
        return found
    if _default_sources is None:
        raise Conflict("telematics scoring is not configured: no positions store, road network or device registry")
    made = _default_sources(ctx)
    use_sources(ctx, made)
    return made


def positions_stamp(count: int, last_received: datetime | None) -> str:
    """What tells a stored device-day changed after it was scored: its count and its latest receipt time."""
    return f"{count}:{'' if last_received is None else last_received.astimezone(UTC).isoformat()}"


def _stamp_of(positions: pa.Table) -> str:
    """The stamp of a device-day as read (`read_day` gives each position once)."""
    last = pc.max(positions["received_at"]).as_py() if positions.num_rows else None
    return positions_stamp(positions.num_rows, last)


def _rules(ctx: AppContext, product_ref: str) -> TelematicsRules:
    rules = ctx.catalogue.by_ref(product_ref).telematics_rules
    if rules is None:
        raise Conflict(f"product {product_ref} has no telematics rules: its policies carry no Smartbox",
                       [FieldIssue("device_id", "fitted to a policy of a product without telematics")])
    return rules


# -- scoring ---------------------------------------------------------------------------------------------------


def _score_and_store(ctx: AppContext, sources: ScoringSources, device_id: str, day: date) -> StoredDay | None:
    """Score one device-day and store it in one unit of work; None when the device served no policy that day."""
    assigned = sources.assignments.assignment(device_id, day)
    if assigned is None:
        return None
    rules = _rules(ctx, assigned.product_ref)
    positions = sources.positions.read_day(device_id, day)
    stamp = _stamp_of(positions)
    scored = score_device_day(positions, sources.network(), rules)
    stored = StoredDay("", device_id, day, assigned.policy_id, assigned.customer_id, assigned.product_ref,
                       positions.num_rows, stamp, scored.dropped, scored.score, ctx.clock.now())
    with ctx.uow() as uow:
        uow.telematics_scores.replace_day(stored)
        uow.commit()
    return stored


def _day_view(s: StoredDay) -> DayScoreView:
    p = period_score([s.score])
    return {"device_id": s.device_id, "day": s.day.isoformat(), "policy_id": s.policy_id,
            "product_ref": s.product_ref, "versions": _versions(s.score), "score": p.score, "speed": p.speed,
            "time_of_day": p.time_of_day, "eco": p.eco, "duration": p.duration, "journeys": p.journeys,
            "events": len(s.score.events), "distance_km": p.distance_km, "driving_s": p.driving_s,
            "positions": s.positions, "dropped": dict(s.dropped), "scored_at": s.scored_at.isoformat()}


def _versions(score: DayScore) -> Versions:
    v = score.versions
    return {"ruleset": v.ruleset, "map_version": v.map_version, "code_version": v.code_version}


def score_day(ctx: AppContext, principal: Principal, device_id: str, day: date,
              sources: ScoringSources | None = None) -> DayScoreView:
    """Staff: score one device-day from its stored positions and store it (TEL-3), replacing an earlier score of
    the day. 404 naming `device_id` when the device served no policy that day."""
    require_staff(principal, "score telematics")
    stored = _score_and_store(ctx, sources or sources_of(ctx), device_id, day)
    if stored is None:
        raise NotFound("the device served no policy that day",
                       [FieldIssue("device_id", f"{device_id} was fitted to no policy on {day.isoformat()}")])
    with ctx.uow(read_only=True) as uow:
        again = uow.telematics_scores.get_day(device_id, day)
    assert again is not None
    return _day_view(again)


@dataclass(frozen=True)
class _Pending:
    device_id: str
    day: date
    stamp: str


def pending_days(ctx: AppContext, sources: ScoringSources, as_of: date) -> tuple[list[_Pending], int]:
    """The device-days up to `as_of` whose positions are not scored or changed since (oldest first), and how many
    device-days there are in all up to `as_of`."""
    found = sources.positions.sql(
        "SELECT device_id, day, count(DISTINCT seq) AS n, max(received_at) AS last FROM positions "
        f"WHERE day <= DATE '{as_of.isoformat()}' GROUP BY device_id, day ORDER BY day, device_id")
    rows = found.to_pylist()
    with ctx.uow(read_only=True) as uow:
        scored = uow.telematics_scores.stamps(min((r["day"] for r in rows), default=None))
    out = []
    for r in rows:
        stamp = positions_stamp(int(r["n"]), r["last"])
        if scored.get((r["device_id"], r["day"])) != stamp:
            out.append(_Pending(r["device_id"], r["day"], stamp))
    return out, len(rows)


def score_pending(ctx: AppContext, principal: Principal, as_of: date | None = None,
                  progress: Progress = no_progress, sources: ScoringSources | None = None) -> ScoringRun:
    """Staff, or the daily job: score every device-day up to `as_of` (default today) with positions not yet
    scored or changed since (TEL-3), in batches, telling progress. A day that fails is named and the run goes
    on; a device fitted to no policy that day is counted, not scored. Safe to repeat: nothing changes the
    second time."""
    require_staff(principal, "run telematics scoring")
    src = sources or sources_of(ctx)
    as_of = as_of or ctx.today()
    todo, total = pending_days(ctx, src, as_of)
    scored = unassigned = 0
    failed: dict[str, str] = {}
    progress("telematics scoring", 0, len(todo))
    for k, p in enumerate(todo, 1):
        try:
            if _score_and_store(ctx, src, p.device_id, p.day) is None:
                unassigned += 1
            else:
                scored += 1
        except (Conflict, NotFound, ValidationFailed, ValueError) as exc:
            failed[f"{p.device_id}/{p.day.isoformat()}"] = str(exc)
        if k % BATCH == 0 or k == len(todo):
            progress("telematics scoring", k, len(todo))
    return {"as_of": as_of.isoformat(), "device_days": total, "scored": scored,
            "unchanged": total - len(todo), "unassigned": unassigned, "failed": failed}


def replay_day(ctx: AppContext, principal: Principal, device_id: str, day: date,
               sources: ScoringSources | None = None) -> ReplayView:
    """Staff: score a stored day again with the versions it recorded (TEL-10) and say whether the result is the
    same. It cannot be replayed (`matches` false, with the reason) when the ruleset, the map or the scoring code
    is not the one recorded, or the positions changed since."""
    require_staff(principal, "replay telematics scores")
    src = sources or sources_of(ctx)
    with ctx.uow(read_only=True) as uow:
        stored = uow.telematics_scores.get_day(device_id, day)
    if stored is None:
        raise NotFound("the day was not scored",
                       [FieldIssue("day", f"no score of device {device_id} on {day.isoformat()}")])
    recorded = stored.score.versions
    stored_overall = period_score([stored.score]).score
    answer: ReplayView = {"device_id": device_id, "day": day.isoformat(), "versions": _versions(stored.score),
                          "matches": False, "reason": None, "stored_score": stored_overall, "replayed_score": None}
    network = src.network()
    positions = src.positions.read_day(device_id, day)
    if _stamp_of(positions) != stored.positions_stamp:
        answer["reason"] = "the stored positions changed after the day was scored"
        return answer
    if network.version != recorded.map_version:
        answer["reason"] = f"the map data is {network.version}, the score used {recorded.map_version}"
        return answer
    rules = _rules(ctx, stored.product_ref)
    matched = score_device_day(positions, network, rules).matched
    try:
        again = replay(matched, rules, recorded)
    except ReplayMismatch as exc:
        answer["reason"] = str(exc)
        return answer
    answer["replayed_score"] = period_score([again]).score
    answer["matches"] = again == stored.score
    if not answer["matches"]:
        answer["reason"] = "the same inputs and versions gave another result"
    return answer


# -- what the policyholder and staff see --------------------------------------------------------------------


def _period(policy_id: str, start: date, end: date, days: list[StoredDay]) -> PeriodView:
    p: PeriodScore = period_score([d.score for d in days])
    return {"policy_id": policy_id, "start": start.isoformat(), "end": end.isoformat(), "score": p.score,
            "speed": p.speed, "time_of_day": p.time_of_day, "eco": p.eco, "duration": p.duration,
            "journeys": p.journeys, "days_scored": len(days), "driving_s": p.driving_s,
            "distance_km": p.distance_km, "event_counts": dict(p.event_counts), "rulesets": list(p.rulesets),
            "map_versions": list(p.map_versions), "code_versions": list(p.code_versions)}


def period_view(ctx: AppContext, principal: Principal, policy_id: str, start: date, end: date) -> PeriodView:
    """The score of the policy's days with start <= day < end (TEL-3, TEL-4): the journeys' scores weighted by
    driving time, each indicator, the journeys and the events counted by kind. The policyholder sees only their
    own policy (another's answers 404)."""
    if end <= start:
        raise ValidationFailed("the period is empty", [FieldIssue("end", "after the start")])
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        days = list(uow.telematics_scores.days_for_policy(policy.policy_id, start, end))
    return _period(policy.policy_id, start, end, days)


def periods_of(term_start: date, term_end: date, today: date) -> list[tuple[date, date]]:
    """The 90-day periods from the term's start (the last cut at the term's end) begun by `today`."""
    out = []
    s = term_start
    while s < term_end and s <= today:
        out.append((s, min(s + timedelta(days=PERIOD_DAYS), term_end)))
        s += timedelta(days=PERIOD_DAYS)
    return out


def policy_score(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyScore:
    """The policy's current 90-day period's score and each period of its term begun so far (TEL-3, TEL-4)."""
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        term = policy.term()
        periods = periods_of(term.period.start, term.period.end, today)
        days = list(uow.telematics_scores.days_for_policy(policy.policy_id, term.period.start, term.period.end))
    views = [_period(policy.policy_id, s, e, [d for d in days if s <= d.day < e]) for s, e in periods]
    current = next((v for v, (s, e) in zip(views, periods, strict=True) if s <= today < e), None)
    return {"policy_id": policy.policy_id, "number": policy.number, "period_days": PERIOD_DAYS,
            "current": current, "periods": views}


def _journey_view(j: StoredJourney) -> JourneyView:
    return {"id": j.id, "day": j.day.isoformat(), "number": j.number, "start": j.started_at.isoformat(),
            "end": j.ended_at.isoformat(), "distance_km": j.distance_km, "driving_s": j.driving_s, "speed": j.speed,
            "time_of_day": j.time_of_day, "eco": j.eco, "duration": j.duration, "overall": j.overall,
            "events": j.events}


def _event_view(s: StoredEvent) -> EventView:
    e = s.event
    return {"id": s.id, "kind": e.kind, "indicator": INDICATOR_OF_KIND[e.kind], "start": e.start.isoformat(),
            "end": e.end.isoformat(), "lat": e.lat, "lon": e.lon, "value": e.value, "threshold": e.threshold,
            "unit": e.unit, "points": e.points, "detail": e.detail}


def _moment(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def journeys(ctx: AppContext, principal: Principal, policy_id: str, start: date | None = None,
             end: date | None = None, limit: int = 50, offset: int = 0) -> JourneyList:
    """The policy's journeys that started from `start` to before `end` (UTC days), newest first, a page."""
    if start is not None and end is not None and end <= start:
        raise ValidationFailed("the dates are the wrong way round", [FieldIssue("to", "after `from`")])
    check_listing(limit, offset)
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        found, total = uow.telematics_scores.journeys_for_policy(policy.policy_id, _moment(start), _moment(end),
                                                                 limit, offset)
    return {"policy_id": policy.policy_id, "total": total, "limit": limit, "offset": offset,
            "journeys": [_journey_view(j) for j in found]}


def journey(ctx: AppContext, principal: Principal, policy_id: str, journey_id: str) -> JourneyDetail:
    """One journey of the policy with its events: where and when each happened, what was measured against what,
    and what it cost (TEL-3 explainable). 404 naming `journey_id` for a journey not of this policy."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        found = uow.telematics_scores.journey(journey_id)
        if found is None or found.policy_id != policy.policy_id:
            raise NotFound("no such journey", [FieldIssue("journey_id", f"no journey {journey_id} of this policy")])
        events = uow.telematics_scores.events_of(found.id)
    v = _journey_view(found)
    return {"id": v["id"], "day": v["day"], "number": v["number"], "start": v["start"], "end": v["end"],
            "distance_km": v["distance_km"], "driving_s": v["driving_s"], "speed": v["speed"],
            "time_of_day": v["time_of_day"], "eco": v["eco"], "duration": v["duration"], "overall": v["overall"],
            "events": v["events"], "policy_id": policy.policy_id, "event_list": [_event_view(e) for e in events]}


__all__ = ["BATCH", "EVENT_KINDS", "PERIOD_DAYS", "journey", "journeys", "period_view", "policy_score",
           "replay_day", "score_day", "score_pending", "sources_of", "use_default_sources", "use_sources"]
