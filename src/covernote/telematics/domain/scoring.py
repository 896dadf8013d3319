"""The four-indicator driving score (TEL-3, TEL-5, TEL-10): one device-day of positions (`SCORING_SCHEMA`) in,
each journey's indicator scores and the events that cost points out, under the product's versioned ruleset
(`products/domain/telematics_spec.TelematicsRules`). docs/telematics.md ("The score") says what each rule is and why.

Pure and deterministic: no clock, no I/O, no dict or set ordering in a result; the same rows in any order or
batching give the same `DayScore`, and the result records the ruleset, the map and this kernel's version
(`SCORING_CODE_VERSION`) so it can be replayed (TEL-10). The per-position work is vectorised with numpy; only
episodes (a handful a journey) are visited one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.telematics.domain.positions import EARTH_RADIUS_M, KPH_PER_MPH, UTC_MICROS

# Bumped whenever the kernel's arithmetic changes, so a stored score names the code that computed it (TEL-10).
SCORING_CODE_VERSION = "score-1"

EVENT_KINDS = ("speeding", "severe_speeding", "night_driving", "harsh_acceleration", "harsh_braking",
               "harsh_cornering", "long_driving")
INDICATOR_OF_KIND = {"speeding": "speed", "severe_speeding": "speed", "night_driving": "time_of_day",
                     "harsh_acceleration": "eco", "harsh_braking": "eco", "harsh_cornering": "eco",
                     "long_driving": "duration"}

EVENT_SCHEMA = pa.schema([
    pa.field("journey", pa.int32(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("start", UTC_MICROS, nullable=False),
    pa.field("end", UTC_MICROS, nullable=False),
    pa.field("lat", pa.float64(), nullable=False),
    pa.field("lon", pa.float64(), nullable=False),
    pa.field("value", pa.float64(), nullable=False),  # what was measured (mph, m/s^2, minutes)
    pa.field("threshold", pa.float64(), nullable=False),  # what it was judged against, same unit
    pa.field("unit", pa.string(), nullable=False),
    pa.field("points", pa.float64(), nullable=False),  # what it cost its indicator
    pa.field("detail", pa.string(), nullable=False),  # the explanation in words ("47 mph in a 30 limit")
])

_US = 1_000_000
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class ReplayMismatch(ValueError):
    """The rules or kernel at hand are not the ones a stored score was computed with (TEL-10)."""


@dataclass(frozen=True)
class ScoreVersions:
    """What a score was computed with (TEL-10): the product's ruleset, the map data, this kernel."""

    ruleset: str
    map_version: str
    code_version: str


@dataclass(frozen=True)
class ScoreEvent:
    """One thing that cost points (TEL-3: which event, where, when): e.g. speeding at 47 mph in a 30 limit."""

    journey: int
    kind: str
    start: datetime
    end: datetime
    lat: float
    lon: float
    value: float
    threshold: float
    unit: str
    points: float
    detail: str


@dataclass(frozen=True)
class JourneyScore:
    """One journey's four indicators (each on the ruleset's scale), its overall (their weighted mean), its
    distance and driving time."""

    journey: int
    start: datetime
    end: datetime
    distance_km: float
    driving_s: float
    speed: float
    time_of_day: float
    eco: float
    duration: float
    overall: float
    events: int


@dataclass(frozen=True)
class DayScore:
    """One device-day's journeys and events, with the versions that made them (TEL-3, TEL-10)."""

    device_id: str
    versions: ScoreVersions
    journeys: tuple[JourneyScore, ...]
    events: tuple[ScoreEvent, ...]

    def events_table(self) -> pa.Table:
        """The events as an Arrow table of `EVENT_SCHEMA`, in the order of `events`."""
        cols: dict[str, list[Any]] = {f.name: [getattr(e, f.name) for e in self.events] for f in EVENT_SCHEMA}
        return pa.table(cols, schema=EVENT_SCHEMA)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (times as ISO 8601 UTC), for storing a score beside its versions."""
        def plain(obj: Any) -> dict[str, Any]:
            return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in obj.__dict__.items()}
        return {"device_id": self.device_id, "versions": plain(self.versions),
                "journeys": [plain(j) for j in self.journeys], "events": [plain(e) for e in self.events]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DayScore:
        def times(d: dict[str, Any]) -> dict[str, Any]:
            return {k: (datetime.fromisoformat(v) if k in ("start", "end") else v) for k, v in d.items()}
        return cls(data["device_id"], ScoreVersions(**data["versions"]),
                   tuple(JourneyScore(**times(j)) for j in data["journeys"]),
                   tuple(ScoreEvent(**times(e)) for e in data["events"]))


@dataclass(frozen=True)
class PeriodScore:
    """The 90-day figure (TEL-3, TEL-4): journey scores averaged weighted by driving time, the same for each
    indicator, the events counted by kind (in `EVENT_KINDS` order), and the versions the days were scored
    with. `score` is None when nothing was driven."""

    score: float | None
    speed: float | None
    time_of_day: float | None
    eco: float | None
    duration: float | None
    journeys: int
    driving_s: float
    distance_km: float
    event_counts: tuple[tuple[str, int], ...]
    rulesets: tuple[str, ...]
    map_versions: tuple[str, ...]
    code_versions: tuple[str, ...]


def score_day(day: pa.Table, rules: TelematicsRules, *, map_version: str) -> DayScore:
    """Score one device-day of `SCORING_SCHEMA` rows (any order; rows with no journey ignored) under `rules`
    (TEL-3). `map_version` names the map data the limits came from; it is recorded, not read."""
    versions = ScoreVersions(rules.ruleset, map_version, SCORING_CODE_VERSION)
    d = _Day.of(day)
    if d.n == 0:
        return DayScore(d.device_id, versions, (), ())
    events = [*_speeding(d, rules), *_night(d, rules), *_harsh(d, rules), *_long_driving(d, rules)]
    kind_order = {k: i for i, k in enumerate(EVENT_KINDS)}
    events.sort(key=lambda e: (e.start, e.journey, kind_order[e.kind], e.end))
    return DayScore(d.device_id, versions, _journey_scores(d, rules, events), tuple(events))


def replay(day: pa.Table, rules: TelematicsRules, recorded: ScoreVersions) -> DayScore:
    """Score a stored day again with the versions a score recorded (TEL-10): ReplayMismatch if `rules` are
    not that ruleset or this kernel is not that code, so a replay never silently uses other rules."""
    if rules.ruleset != recorded.ruleset:
        raise ReplayMismatch(f"the score used ruleset {recorded.ruleset}, not {rules.ruleset}")
    if recorded.code_version != SCORING_CODE_VERSION:
        raise ReplayMismatch(f"the score was computed by {recorded.code_version}, this kernel is "
                             f"{SCORING_CODE_VERSION}")
    return score_day(day, rules, map_version=recorded.map_version)


def period_score(days: Sequence[DayScore]) -> PeriodScore:
    """The period's score (TEL-3, TEL-4): each journey's overall and indicators weighted by its driving time."""
    journeys = [j for d in days for j in d.journeys]
    weights = np.array([j.driving_s for j in journeys], dtype=np.float64)
    total = float(weights.sum())

    def mean(name: str) -> float | None:
        if total <= 0:
            return None
        values = np.array([getattr(j, name) for j in journeys], dtype=np.float64)
        return round(float(np.dot(values, weights) / total), 2)

    counts = [(k, sum(1 for d in days for e in d.events if e.kind == k)) for k in EVENT_KINDS]
    return PeriodScore(
        score=mean("overall"), speed=mean("speed"), time_of_day=mean("time_of_day"), eco=mean("eco"),
        duration=mean("duration"), journeys=len(journeys), driving_s=total,
        distance_km=round(sum(j.distance_km for j in journeys), 3), event_counts=tuple(counts),
        rulesets=tuple(sorted({d.versions.ruleset for d in days})),
        map_versions=tuple(sorted({d.versions.map_version for d in days})),
        code_versions=tuple(sorted({d.versions.code_version for d in days})))


# --- the day as numpy columns ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Day:
    """The day's journey rows sorted by (journey, ts, seq), duplicates of a (ts, seq) dropped, as arrays."""

    device_id: str
    n: int
    ts: IntArray  # microseconds UTC
    journey: IntArray
    lat: FloatArray
    lon: FloatArray
    speed: FloatArray  # km/h, NaN when unknown
    heading: FloatArray
    hdop: FloatArray
    sats: FloatArray
    accel_long: FloatArray
    accel_lat: FloatArray
    limit: FloatArray  # km/h, NaN when unknown (TEL-10)
    same: BoolArray  # row i is in row i-1's journey
    dt: FloatArray  # seconds since row i-1 (NaN for the first row of a journey)
    starts: IntArray  # first row of each journey
    ends: IntArray  # last row of each journey

    @classmethod
    def of(cls, day: pa.Table) -> _Day:
        t = day if day["journey"].null_count == 0 else day.filter(pc.is_valid(day["journey"]))
        ts = _ints(t["ts"].cast(pa.int64()))
        seq = _ints(t["seq"])
        journey = _ints(t["journey"].cast(pa.int64()))
        if not _in_order(journey, ts, seq):  # the common case, a day already in order, is not sorted again
            order = np.lexsort((seq, ts, journey))
            t = t.take(pa.array(order))
            ts, seq, journey = ts[order], seq[order], journey[order]
        n = t.num_rows
        device = "" if n == 0 else str(t["device_id"][0].as_py())
        if n > 1:  # a batch sent twice holds the same (ts, seq) twice: keep one
            keep = np.ones(n, dtype=bool)
            keep[1:] = (ts[1:] != ts[:-1]) | (seq[1:] != seq[:-1]) | (journey[1:] != journey[:-1])
            if not keep.all():
                t = t.filter(pa.array(keep))
                n = t.num_rows
                ts, journey = ts[keep], journey[keep]
        same = np.zeros(n, dtype=bool)
        same[1:] = journey[1:] == journey[:-1]
        dt = np.full(n, np.nan)
        dt[1:] = np.where(same[1:], (ts[1:] - ts[:-1]) / _US, np.nan)
        starts = np.flatnonzero(~same).astype(np.int64)
        ends = np.append(starts[1:] - 1, n - 1).astype(np.int64) if n else starts
        return cls(device, n, ts, journey, _floats(t["lat"]), _floats(t["lon"]),
                   _floats(t["speed_kph"]), _floats(t["heading_deg"]), _floats(t["hdop"]),
                   _floats(t["satellites"]), _floats(t["accel_long"]), _floats(t["accel_lat"]),
                   _floats(t["limit_kph"]), same, dt, starts, ends)


def _in_order(journey: IntArray, ts: IntArray, seq: IntArray) -> bool:
    """Whether the rows are already sorted by (journey, ts, seq)."""
    if journey.size < 2:
        return True
    dj, dt, ds = np.diff(journey), np.diff(ts), np.diff(seq)
    return bool(np.all((dj > 0) | ((dj == 0) & ((dt > 0) | ((dt == 0) & (ds >= 0))))))


def _ints(col: pa.ChunkedArray | pa.Array) -> IntArray:
    return np.asarray(col.to_numpy(), dtype=np.int64)


def _floats(col: pa.ChunkedArray | pa.Array) -> FloatArray:
    """The column as float64, NaN where null."""
    if col.type != pa.float64():
        col = pc.cast(col, pa.float64())
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)


def _runs(mask: BoolArray, link: BoolArray) -> tuple[IntArray, IntArray]:
    """The (first, last) rows of each run of True in `mask`, a run going on from row i-1 to i only where
    `link[i]`."""
    cont = np.zeros(mask.size, dtype=bool)
    cont[1:] = mask[1:] & mask[:-1] & link[1:]
    first = np.flatnonzero(mask & ~cont)
    last = np.flatnonzero(mask & ~np.append(cont[1:], False))
    return first.astype(np.int64), last.astype(np.int64)


def _time(us: int | np.int64) -> datetime:
    return datetime.fromtimestamp(int(us) // _US, tz=UTC).replace(microsecond=int(us) % _US)


def _event(d: _Day, kind: str, first: int, last_us: int | np.int64, at: int, value: float, threshold: float,
           unit: str, points: float, detail: str, start_us: int | np.int64 | None = None) -> ScoreEvent:
    return ScoreEvent(int(d.journey[first]), kind, _time(d.ts[first] if start_us is None else start_us),
                      _time(last_us), float(d.lat[at]), float(d.lon[at]), round(float(value), 2),
                      round(float(threshold), 2), unit, round(float(points), 2), detail)


# --- speed (TEL-3, TEL-5, TEL-10) -----------------------------------------------------------------------------

def _speeding(d: _Day, rules: TelematicsRules) -> list[ScoreEvent]:
    s = rules.speeding
    tolerance_kph = s.tolerance_mph * KPH_PER_MPH
    # NaN limits (unknown, TEL-10) and NaN speeds compare False: never over.
    with np.errstate(invalid="ignore"):
        over = d.speed > d.limit * (1 + s.tolerance_percent / 100) + tolerance_kph
        link = d.same & (d.dt <= s.max_gap_s)
        severe_row = over & (d.speed / KPH_PER_MPH >= _severe_mph(d.limit, rules))
    first, last = _runs(over, link)
    keep = (d.ts[last] - d.ts[first]) >= s.min_duration_s * _US
    out: list[ScoreEvent] = []
    for a, b in zip(first[keep].tolist(), last[keep].tolist(), strict=True):
        excess_mph = (d.speed[a:b + 1] - d.limit[a:b + 1]) / KPH_PER_MPH
        peak = a + int(np.argmax(excess_mph))
        limit_mph = int(np.rint(d.limit[peak] / KPH_PER_MPH))
        speed_mph = d.speed[peak] / KPH_PER_MPH
        severe = np.flatnonzero(severe_row[a:b + 1])
        if severe.size:
            i = a + int(severe[np.argmax(d.speed[a + severe])])  # the fastest severe fix, the first if tied
            lim = int(np.rint(d.limit[i] / KPH_PER_MPH))
            sev = s.severe_mph_for(lim)
            out.append(_event(d, "severe_speeding", a, d.ts[b], i, d.speed[i] / KPH_PER_MPH, sev, "mph",
                              s.severe_points, f"{d.speed[i] / KPH_PER_MPH:.0f} mph in a {lim} limit: at or "
                                               f"over the severe speed of {sev:g} mph"))
            continue
        threshold = limit_mph * (1 + s.tolerance_percent / 100) + s.tolerance_mph
        out.append(_event(d, "speeding", a, d.ts[b], peak, speed_mph, threshold, "mph",
                          s.points_for(float(excess_mph.max())),
                          f"{speed_mph:.0f} mph in a {limit_mph} limit for {(d.ts[b] - d.ts[a]) / _US:.0f} s"))
    return out


def _severe_mph(limit_kph: FloatArray, rules: TelematicsRules) -> FloatArray:
    """TEL-5: each row's severe speed in mph from its limit (rounded to the posted mph), inf where unknown."""
    s = rules.speeding
    table = np.full(201, s.severe_any_road_mph)
    for x in s.severe:
        table[x.limit_mph] = s.severe_mph_for(x.limit_mph)
    known = ~np.isnan(limit_kph)
    posted = np.clip(np.rint(np.where(known, limit_kph, 0.0) / KPH_PER_MPH), 0, 200).astype(np.int64)
    return np.where(known, table[posted], np.inf)


# --- time of day (TEL-3) --------------------------------------------------------------------------------------

def _local_hours(ts: IntArray, timezone: str) -> FloatArray:
    """The hour of the local day (0 <= h < 24) of each UTC time, through the time zone's rules (GMT/BST).
    A device-day spans at most one clock change, so when its first and last times have the same UTC offset
    every time between has it too, and one offset serves them all; otherwise each time is converted."""
    def local(us: IntArray) -> IntArray:
        utc = pa.array(us, type=pa.int64()).cast(UTC_MICROS).cast(pa.timestamp("us", tz=timezone))
        return np.asarray(pc.local_timestamp(utc).cast(pa.int64()).to_numpy(), dtype=np.int64)

    if ts.size == 0:
        return np.zeros(0)
    ends = np.array([ts.min(), ts.max()], dtype=np.int64)
    offsets = local(ends) - ends
    shifted = ts + offsets[0] if offsets[0] == offsets[1] and ends[1] - ends[0] < 86_400 * _US else local(ts)
    return (shifted % (24 * 3600 * _US)) / (3600 * _US)


def _night(d: _Day, rules: TelematicsRules) -> list[ScoreEvent]:
    nr = rules.night
    hours = _local_hours(d.ts, nr.timezone)
    if nr.start_hour <= nr.end_hour:
        night_row = (hours >= nr.start_hour) & (hours < nr.end_hour)
    else:
        night_row = (hours >= nr.start_hour) | (hours < nr.end_hour)
    # a step (row i-1 to i of a journey) is night driving when it starts in the night window
    step = np.zeros(d.n, dtype=bool)
    step[1:] = d.same[1:] & night_row[:-1]
    first, last = _runs(step, d.same)
    out: list[ScoreEvent] = []
    window = f"{_hhmm(nr.start_hour)}-{_hhmm(nr.end_hour)} {nr.timezone}"
    for a, b in zip(first.tolist(), last.tolist(), strict=True):
        minutes = (d.ts[b] - d.ts[a - 1]) / _US / 60
        if minutes <= 0:
            continue
        out.append(_event(d, "night_driving", a - 1, d.ts[b], a - 1, minutes, 0.0, "min",
                          minutes / 60 * nr.points_per_hour, f"{minutes:.0f} min driven in the night hours {window}"))
    return out


def _hhmm(hour: float) -> str:
    return f"{int(hour):02d}:{round((hour - int(hour)) * 60):02d}"


# --- eco driving (TEL-3) --------------------------------------------------------------------------------------

def _gps_derived(d: _Day, good: BoolArray, missing: BoolArray,
                 rules: TelematicsRules) -> tuple[FloatArray, FloatArray]:
    """Longitudinal and lateral acceleration (m/s^2) from the GPS alone, at each good fix: the speed's change,
    and the mean speed x heading rate, over the last `gps_window_s`, only within an unbroken chain of good fixes
    no more than `max_step_s` apart. A single jittery fix moves the value by its error / window only."""
    e = rules.eco
    lon_acc = np.full(d.n, np.nan)
    lat_acc = np.full(d.n, np.nan)
    usable = good & ~np.isnan(d.speed)
    full = bool(usable.all())
    idx = np.arange(d.n) if full else np.flatnonzero(usable)
    need = missing if full else missing[idx]  # only where the accelerometer gives nothing
    if idx.size < 2 or not need.any():
        return lon_acc, lat_acc
    t, v, h, j = (d.ts, d.speed / 3.6, d.heading, d.journey) if full else (
        d.ts[idx], d.speed[idx] / 3.6, d.heading[idx], d.journey[idx])
    brk = np.ones(idx.size, dtype=bool)
    brk[1:] = (j[1:] != j[:-1]) | ((t[1:] - t[:-1]) > e.max_step_s * _US)
    seg = np.cumsum(brk)
    # the last fix at or before t - window, searched on a key that rises through the chains one after another
    # (rows are in journey order, not necessarily in time order across journeys)
    window = int(e.gps_window_s * _US)
    t0 = int(t.min())
    key = (t - t0) + seg * (int(t.max()) - t0 + window + 1)
    back = np.searchsorted(key, key - window, side="right") - 1
    ok = need & (back >= 0)
    back = np.maximum(back, 0)
    vb = v[back]
    ok &= (seg[back] == seg) & (np.minimum(v, vb) * 3.6 >= e.min_speed_kph)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_s = np.where(ok, _US / (t - t[back]).astype(np.float64), np.nan)
        turn = np.remainder(h - h[back] + 180.0, 360.0) - 180.0
        lon = (v - vb) * per_s
        lat = (v + vb) * (np.pi / 360.0) * turn * per_s  # mean speed x heading rate in rad/s
    if full:
        return lon, lat
    lon_acc[idx] = lon
    lat_acc[idx] = lat
    return lon_acc, lat_acc


def _harsh(d: _Day, rules: TelematicsRules) -> list[ScoreEvent]:
    e = rules.eco
    with np.errstate(invalid="ignore"):
        good = (d.hdop <= e.max_hdop) & (d.sats >= e.min_satellites)
        missing = np.isnan(d.accel_long) | np.isnan(d.accel_lat)
        gps_long, gps_lat = _gps_derived(d, good, missing, rules)
        longit = np.where(np.isnan(d.accel_long), gps_long, d.accel_long)
        lateral = np.abs(np.where(np.isnan(d.accel_lat), gps_lat, d.accel_lat))
        gate = good & (d.speed >= e.min_speed_kph)
        link = d.same & (d.dt <= e.max_step_s)
        kinds = (("harsh_acceleration", gate & (longit >= e.harsh_acceleration_ms2), longit,
                  e.harsh_acceleration_ms2, e.acceleration_points, "acceleration"),
                 ("harsh_braking", gate & (longit <= -e.harsh_braking_ms2), -longit, e.harsh_braking_ms2,
                  e.braking_points, "braking"),
                 ("harsh_cornering", gate & (d.speed >= e.min_cornering_speed_kph)
                  & (lateral >= e.harsh_cornering_ms2), lateral, e.harsh_cornering_ms2, e.cornering_points,
                  "cornering"))
    out: list[ScoreEvent] = []
    for kind, mask, value, threshold, points, word in kinds:
        first, last = _runs(mask, link)
        keep = (d.ts[last] - d.ts[first]) >= e.min_duration_s * _US
        for a, b in zip(first[keep].tolist(), last[keep].tolist(), strict=True):
            peak = float(np.max(value[a:b + 1]))
            out.append(_event(d, kind, a, d.ts[b], a, peak, threshold, "m/s2", points,
                              f"{word} at {peak:.1f} m/s2 ({peak / 9.80665:.2f} g) for "
                              f"{(d.ts[b] - d.ts[a]) / _US:.1f} s"))
    return out


# --- duration (TEL-3) -----------------------------------------------------------------------------------------

def _long_driving(d: _Day, rules: TelematicsRules) -> list[ScoreEvent]:
    """Driving continuously beyond `max_continuous_s`: journeys less than `break_s` apart are one stretch of
    driving; the part of each journey beyond the limit costs points (Highway Code, rule 91)."""
    r = rules.duration
    order = sorted(range(d.starts.size), key=lambda k: (int(d.ts[d.starts[k]]), k))
    out: list[ScoreEvent] = []
    driven = 0.0
    prev_end: int | None = None
    for k in order:
        a, b = int(d.starts[k]), int(d.ends[k])
        if prev_end is not None and (d.ts[a] - prev_end) / _US >= r.break_s:
            driven = 0.0
        length = (d.ts[b] - d.ts[a]) / _US
        beyond = driven + length - max(r.max_continuous_s, driven)
        if beyond > 0:
            start_us = int(d.ts[a]) + int(max(0.0, r.max_continuous_s - driven) * _US)
            at = a + int(np.searchsorted(d.ts[a:b + 1], start_us, side="left"))
            minutes = (driven + length) / 60
            out.append(_event(d, "long_driving", a, d.ts[b], min(at, b), minutes, r.max_continuous_s / 60, "min",
                              beyond / 3600 * r.points_per_hour,
                              f"{minutes:.0f} min driven without a break of {r.break_s / 60:.0f} min",
                              start_us=start_us))
        driven += length
        prev_end = int(d.ts[b]) if prev_end is None else max(prev_end, int(d.ts[b]))
    return out


# --- the journeys' scores -------------------------------------------------------------------------------------

def _distances_km(d: _Day) -> FloatArray:
    """Each journey's length: the sum of its steps, each by the equirectangular approximation (for fixes
    seconds apart its error is far below the GPS's own)."""
    step = np.zeros(d.n)
    if d.n > 1:
        lat = np.radians(d.lat)
        dlat = np.diff(lat)
        dlon = np.diff(np.radians(d.lon)) * np.cos(lat[1:])
        step[1:] = np.where(d.same[1:], EARTH_RADIUS_M * np.hypot(dlat, dlon), 0.0)
    return np.add.reduceat(step, d.starts) / 1000


def _journey_scores(d: _Day, rules: TelematicsRules, events: list[ScoreEvent]) -> tuple[JourneyScore, ...]:
    km = _distances_km(d)
    lo, hi = rules.scale_min, rules.scale_max
    w = rules.weights
    out = []
    for k in range(d.starts.size):
        a, b = int(d.starts[k]), int(d.ends[k])
        number = int(d.journey[a])
        mine = [e for e in events if e.journey == number]
        lost = {name: sum(e.points for e in mine if INDICATOR_OF_KIND[e.kind] == name)
                for name in ("speed", "time_of_day", "eco", "duration")}
        ind = {name: max(lo, hi - lost[name]) for name in lost}
        overall = (w.speed * ind["speed"] + w.time_of_day * ind["time_of_day"] + w.eco * ind["eco"]
                   + w.duration * ind["duration"]) / w.total()
        out.append(JourneyScore(number, _time(d.ts[a]), _time(d.ts[b]), round(float(km[k]), 3),
                                float((d.ts[b] - d.ts[a]) / _US), round(ind["speed"], 2),
                                round(ind["time_of_day"], 2),
                                round(ind["eco"], 2), round(ind["duration"], 2), round(overall, 2), len(mine)))
    return tuple(out)
