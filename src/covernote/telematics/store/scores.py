"""Scored device-days, their journeys and events in SQL (TEL-3, TEL-10): telematics/ports/scores.py
ScoreRepository. Re-scoring a day deletes its rows and writes the new ones, in the caller's unit of work.
Journey and event ids are derived from the device, day and number, so a link to a journey stays valid when its
day is scored again. Never commits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.store.tables import telematics_day_scores as d
from covernote.store.tables import telematics_events as e
from covernote.store.tables import telematics_journeys as j
from covernote.telematics.domain.scoring import DayScore, ScoreEvent, period_score
from covernote.telematics.ports.scores import StoredDay, StoredEvent, StoredJourney


def day_id(device_id: str, day: date) -> str:
    return "tsd_" + hashlib.sha256(f"{device_id}|{day.isoformat()}".encode()).hexdigest()[:32]


def journey_id(device_id: str, day: date, number: int) -> str:
    return "tsj_" + hashlib.sha256(f"{device_id}|{day.isoformat()}|{number}".encode()).hexdigest()[:32]


def _event_id(jid: str, position: int) -> str:
    return "tse_" + hashlib.sha256(f"{jid}|{position}".encode()).hexdigest()[:32]


def _day(r: Row[Any]) -> StoredDay:
    return StoredDay(r.id, r.device_id, r.day, r.policy_id, r.customer_id, r.product_ref, r.positions,
                     r.positions_stamp, {str(k): int(v) for k, v in dict(r.dropped).items()},
                     DayScore.from_dict(dict(r.score)), r.scored_at)


def _journey(r: Row[Any]) -> StoredJourney:
    return StoredJourney(r.id, r.day_score_id, r.policy_id, r.device_id, r.day, r.number, r.started_at, r.ended_at,
                         r.distance_km, r.driving_s, r.speed, r.time_of_day, r.eco, r.duration, r.overall, r.events)


def _event(r: Row[Any]) -> StoredEvent:
    return StoredEvent(r.id, r.journey_id, ScoreEvent(r.number, r.kind, r.started_at, r.ended_at, r.lat, r.lon,
                                                      r.value, r.threshold, r.unit, r.points, r.detail))


_JOURNEY_COLS = (*j.c, d.c.device_id, d.c.day)


class ScoreRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def replace_day(self, day: StoredDay) -> None:
        did = day_id(day.device_id, day.day)
        old = self.conn.execute(sa.select(d.c.id).where(d.c.device_id == day.device_id, d.c.day == day.day)).first()
        if old is not None:
            journeys = sa.select(j.c.id).where(j.c.day_score_id == old.id).scalar_subquery()
            self.conn.execute(e.delete().where(e.c.journey_id.in_(journeys)))
            self.conn.execute(j.delete().where(j.c.day_score_id == old.id))
            self.conn.execute(d.delete().where(d.c.id == old.id))
        s = day.score
        summary = period_score([s])
        self.conn.execute(d.insert(), dict(
            id=did, device_id=day.device_id, day=day.day, policy_id=day.policy_id, customer_id=day.customer_id,
            product_ref=day.product_ref, ruleset=s.versions.ruleset, map_version=s.versions.map_version,
            code_version=s.versions.code_version, speed=summary.speed, time_of_day=summary.time_of_day,
            eco=summary.eco, duration=summary.duration, overall=summary.score, journeys=summary.journeys,
            distance_km=summary.distance_km, driving_s=summary.driving_s, positions=day.positions,
            positions_stamp=day.positions_stamp, dropped=dict(day.dropped), score=s.to_dict(),
            scored_at=day.scored_at))
        ids = {js.journey: journey_id(day.device_id, day.day, js.journey) for js in s.journeys}
        if ids:
            self.conn.execute(j.insert(), [dict(
                id=ids[js.journey], day_score_id=did, policy_id=day.policy_id, number=js.journey,
                started_at=js.start, ended_at=js.end, distance_km=js.distance_km, driving_s=js.driving_s,
                speed=js.speed, time_of_day=js.time_of_day, eco=js.eco, duration=js.duration, overall=js.overall,
                events=js.events) for js in s.journeys])
        if s.events:
            self.conn.execute(e.insert(), [dict(
                id=_event_id(ids[ev.journey], k), journey_id=ids[ev.journey], policy_id=day.policy_id, position=k,
                kind=ev.kind, started_at=ev.start, ended_at=ev.end, lat=ev.lat, lon=ev.lon, value=ev.value,
                threshold=ev.threshold, unit=ev.unit, points=ev.points, detail=ev.detail[:200])
                for k, ev in enumerate(s.events)])

    def get_day(self, device_id: str, day: date) -> StoredDay | None:
        r = self.conn.execute(d.select().where(d.c.device_id == device_id, d.c.day == day)).first()
        return None if r is None else _day(r)

    def stamps(self, since: date | None = None) -> dict[tuple[str, date], str]:
        q = sa.select(d.c.device_id, d.c.day, d.c.positions_stamp)
        if since is not None:
            q = q.where(d.c.day >= since)
        return {(r.device_id, r.day): r.positions_stamp for r in self.conn.execute(q)}

    def days_for_policy(self, policy_id: str, start: date, end: date) -> Sequence[StoredDay]:
        q = d.select().where(d.c.policy_id == policy_id, d.c.day >= start, d.c.day < end)
        return [_day(r) for r in self.conn.execute(q.order_by(d.c.day, d.c.device_id))]

    def journeys_for_policy(self, policy_id: str, start: datetime | None, end: datetime | None, limit: int,
                            offset: int) -> tuple[list[StoredJourney], int]:
        cond = [j.c.policy_id == policy_id]
        if start is not None:
            cond.append(j.c.started_at >= start)
        if end is not None:
            cond.append(j.c.started_at < end)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(j).where(*cond)).scalar_one()
        q = (sa.select(*_JOURNEY_COLS).select_from(j.join(d, d.c.id == j.c.day_score_id)).where(*cond)
             .order_by(j.c.started_at.desc(), j.c.id).limit(limit).offset(offset))
        return [_journey(r) for r in self.conn.execute(q)], int(total)

    def journey(self, journey_id: str) -> StoredJourney | None:
        q = sa.select(*_JOURNEY_COLS).select_from(j.join(d, d.c.id == j.c.day_score_id)).where(j.c.id == journey_id)
        r = self.conn.execute(q).first()
        return None if r is None else _journey(r)

    def events_of(self, journey_id: str) -> list[StoredEvent]:
        q = (sa.select(*e.c, j.c.number).select_from(e.join(j, j.c.id == e.c.journey_id))
             .where(e.c.journey_id == journey_id).order_by(e.c.position))
        return [_event(r) for r in self.conn.execute(q)]
