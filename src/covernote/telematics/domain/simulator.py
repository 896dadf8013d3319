"""A seeded Smartbox simulator (TEL-2, TEL-3 demo and tests): realistic trips over a road network, in
POSITION_SCHEMA, with driving behaviour injected where and when the caller asks, so the scoring pipeline can be
checked end to end (a calm drive costs nothing; each injected behaviour produces its event, at its place and time).

A trip follows a route (`routing.py`) on a smoothed path: every corner between two segments is a circular arc
tangent to both (its tangent length at most `CORNER_TANGENT_M` and half of each segment), so heading and
curvature are continuous, as a car's are. The speed profile is planned along the path on a 1 m grid:
- caps: cruising at a fraction of the limit for the direction driven (0.85-0.95, slowly varying), a bend's speed
  from its curvature with lateral acceleration under `CALM_LATERAL_MS2`, rest at the start and the end (and at
  a U-turn, taken standing);
- a forward pass (accelerating at 1.5-2.3 m/s^2) and a backward pass (braking at 1.5-2.5 m/s^2) over the caps,
  each one `minimum.accumulate` (v^2 <= min over j of cap_j^2 + 2 a (s - s_j)): vectorised, no loop per metre;
- fixes every second (`FIX_INTERVAL_S`) from the time along the path; lat/lon through `network.unproject`, with
  GPS noise that drifts as a real receiver's does (AR(1), a few metres); heading along the path; speed with
  Doppler noise; HDOP and satellites slowly varying; the accelerometer's longitudinal value from the speed
  profile and lateral from speed^2 x curvature (speed x heading rate), each with sensor noise;
- ignition on for the trip, a last fix with ignition off where the car stopped; one IMEI; `seq` increasing.

Injected behaviour (`Profile`): speeding on chosen ways (cruise `over_mph` above the limit), harsh braking and
acceleration at chosen points (5.5 and 4.0 m/s^2), harsh cornering on the first real bend after a chosen point
(lateral 5.2 m/s^2); a night trip is one started at night, a long one a loop of two hours and more
(`loop_route`). Every injection is reported with its place and time span (`Injection`).

Pure and deterministic: a `numpy.random.Generator` from the `seed` argument, no clock (times come in), no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from covernote.telematics.domain.positions import KPH_PER_MPH, POSITION_SCHEMA
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.routing import Route, RoutingGraph, routing_speeds_kph

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_DEVICE = "356938035643809"
FIX_INTERVAL_S = 1.0
GRID_M = 1.0
CORNER_TANGENT_M = 20.0
UTURN_DEG = 150.0  # a turn sharper than this is taken standing (a turn in the road)
CALM_LATERAL_MS2 = 2.0  # a careful driver keeps bends under ~2.5 m/s^2
HARSH_BRAKING_MS2 = 5.5
HARSH_ACCELERATION_MS2 = 4.0
HARSH_LATERAL_MS2 = 5.2
HARSH_LOW_SPEED_MS = 4.5  # a harsh manoeuvre's slow end: above the eco gates' 10 km/h
MIN_HARSH_S = 1.5  # an injected harsh manoeuvre lasts at least this long (the scorer asks for 1 s)
BEND_MIN_DEG = 25.0
BEND_MIN_RADIUS_M = 14.0  # a bend taken harshly at HARSH_LATERAL_MS2 must be at 30 km/h or more
UK = ZoneInfo("Europe/London")
MIN_GAP = timedelta(minutes=10)  # between a day's trips: more than the journey gap, less than a 15-minute break


@dataclass(frozen=True)
class Speeding:
    """Cruise `over_mph` above the limit on every stretch of way `way_id` the route drives (TEL-3)."""

    way_id: int
    over_mph: float


@dataclass(frozen=True)
class Profile:
    """How a trip is driven: calm by default (under every limit, gentle bends), with behaviour injected.

    `harsh_braking`, `harsh_acceleration` and `harsh_cornering` are fractions (0..1) of the route's length: the
    braking ends there, the acceleration starts there, the cornering is on the first bend after it."""

    cruise_fraction: tuple[float, float] = (0.85, 0.95)
    speeding: tuple[Speeding, ...] = ()
    harsh_braking: tuple[float, ...] = ()
    harsh_acceleration: tuple[float, ...] = ()
    harsh_cornering: tuple[float, ...] = ()


@dataclass(frozen=True)
class Injection:
    """Where and when an injected behaviour happened (the truth the score is checked against): its kind (as the
    score names it), the first and last fix of it, the place it began (WGS84) and the way it was on."""

    kind: str
    start: datetime
    end: datetime
    lat: float
    lon: float
    way_id: int


@dataclass(frozen=True)
class Simulated:
    """Simulated positions (POSITION_SCHEMA, in time order), what was injected, and the next free `seq`."""

    table: pa.Table
    injections: tuple[Injection, ...]
    next_seq: int


@dataclass(frozen=True)
class TripPlan:
    """One trip of a day: its local (Europe/London) departure, its route's waypoints (OSM node ids; None: a
    seeded random route), how it is driven, and whether it is a long loop (`min_minutes` of driving)."""

    depart: time
    waypoints: tuple[int, ...] | None = None
    profile: Profile = field(default_factory=Profile)
    min_minutes: float | None = None


@dataclass(frozen=True)
class DayPlan:
    trips: tuple[TripPlan, ...]


# --- the smoothed path ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Path:
    """The route as pieces (straights and arcs) by distance along it; `vertex_s` is each route vertex's place."""

    start_s: FloatArray
    x0: FloatArray
    y0: FloatArray
    psi0: FloatArray  # radians clockwise from north
    kappa: FloatArray  # 1/m, positive turning right
    segment: IntArray  # the route's segment index (0..) each piece belongs to (an arc: the segment it leaves)
    length: float
    vertex_s: FloatArray
    turn_deg: FloatArray  # each vertex's deflection (0 at the ends)
    stop_vertex: npt.NDArray[np.bool_]
    arc_from: FloatArray  # for each interior vertex (1..m-1), where its arc begins and ends
    arc_to: FloatArray
    straight: FloatArray  # the straight part of each route segment, between its two vertices' arcs

    def at(self, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray]:
        """x, y, heading (radians), curvature and the piece's route segment at distances `s`."""
        k = np.clip(np.searchsorted(self.start_s, s, side="right") - 1, 0, len(self.start_s) - 1)
        u = s - self.start_s[k]
        kap, p0 = self.kappa[k], self.psi0[k]
        psi = p0 + kap * u
        curved = np.abs(kap) > 1e-12
        safe = np.where(curved, kap, 1.0)
        x = self.x0[k] + np.where(curved, (np.cos(p0) - np.cos(psi)) / safe, u * np.sin(p0))
        y = self.y0[k] + np.where(curved, (np.sin(psi) - np.sin(p0)) / safe, u * np.cos(p0))
        return x, y, psi, kap, self.segment[k]


def _path(network: RoadNetwork, route: Route) -> _Path:
    xs, ys = route.polyline(network)
    dx, dy = np.diff(xs), np.diff(ys)
    seg_len = np.hypot(dx, dy)
    psi = np.arctan2(dx, dy)
    m = len(seg_len)
    turn = np.zeros(m + 1)
    turn[1:-1] = np.remainder(psi[1:] - psi[:-1] + np.pi, 2 * np.pi) - np.pi
    stop = np.abs(turn) > np.radians(UTURN_DEG)
    bend = (np.abs(turn) > 1e-9) & ~stop
    tangent = np.zeros(m + 1)
    tangent[1:-1] = np.minimum(CORNER_TANGENT_M, 0.5 * np.minimum(seg_len[:-1], seg_len[1:]))
    tangent = np.where(bend, tangent, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = np.where(bend, tangent / np.tan(np.abs(turn) / 2), np.inf)
        arc = np.where(bend, radius * np.abs(turn), 0.0)
    straight = seg_len - tangent[:-1] - tangent[1:]
    # pieces: straight k, then the arc at vertex k+1 (for k < m-1)
    lens = np.empty(2 * m - 1)
    lens[0::2] = straight
    lens[1::2] = arc[1:-1]
    start_s = np.concatenate([[0.0], np.cumsum(lens)[:-1]])
    ux, uy = np.sin(psi), np.cos(psi)
    x0 = np.empty(2 * m - 1)
    y0 = np.empty(2 * m - 1)
    p0 = np.empty(2 * m - 1)
    kap = np.zeros(2 * m - 1)
    x0[0::2] = xs[:-1] + tangent[:-1] * ux
    y0[0::2] = ys[:-1] + tangent[:-1] * uy
    p0[0::2] = psi
    x0[1::2] = xs[1:-1] - tangent[1:-1] * ux[:-1]
    y0[1::2] = ys[1:-1] - tangent[1:-1] * uy[:-1]
    p0[1::2] = psi[:-1]
    with np.errstate(divide="ignore"):
        kap[1::2] = np.where(bend[1:-1], np.sign(turn[1:-1]) / radius[1:-1], 0.0)
    segment = np.repeat(np.arange(m, dtype=np.int64), 2)[: 2 * m - 1]
    vertex_s = np.concatenate([[0.0], start_s[1::2] + arc[1:-1] / 2, [float(lens.sum())]])  # a bend's middle
    return _Path(start_s, x0, y0, p0, kap, segment, float(lens.sum()), vertex_s, np.degrees(turn), stop,
                 start_s[1::2], start_s[1::2] + arc[1:-1], straight)


# --- the speed profile --------------------------------------------------------------------------------------

def _smooth_noise(rng: np.random.Generator, n: int, scale: float, length: int) -> FloatArray:
    """Slowly varying noise (a moving average of white noise over `length` samples), standard deviation ~scale."""
    if n == 0:
        return np.zeros(0)
    white = rng.standard_normal(n + length)
    kernel = np.ones(length) / np.sqrt(length)
    return np.asarray(np.convolve(white, kernel, mode="valid")[:n] * scale, dtype=np.float64)


def _ar1(rng: np.random.Generator, n: int, sigma: float, rho: float) -> FloatArray:
    """A stationary AR(1) series (a GPS error that drifts rather than jumps): sigma the spread, rho per step."""
    e = rng.standard_normal(n) * sigma * np.sqrt(1 - rho * rho)
    if n == 0:
        return e
    e[0] = rng.standard_normal() * sigma
    # x_i = rho x_{i-1} + e_i, vectorised: x_i = rho^i * cumsum(e_j / rho^j), split in blocks for stability
    out = np.empty(n)
    block = 200
    carry = 0.0
    for b in range(0, n, block):
        seg = e[b:b + block]
        powers = rho ** np.arange(len(seg))
        first = seg.copy()
        first[0] += rho * carry
        out[b:b + len(seg)] = powers * np.cumsum(first / powers)
        carry = float(out[b + len(seg) - 1])
    return out


def _envelope(cap: FloatArray, rate: FloatArray) -> FloatArray:
    """v^2 under `cap` reachable going forward at acceleration `rate` (per grid step of GRID_M):
    v_i^2 = min over j <= i of (cap_j^2 + 2 (A_i - A_j)), A the cumulated rate x step."""
    a = np.concatenate([[0.0], np.cumsum(rate[:-1] * GRID_M)])
    return np.asarray(np.minimum.accumulate(cap * cap - 2 * a) + 2 * a, dtype=np.float64)


def _profile(cap: FloatArray, accel: FloatArray, brake: FloatArray) -> FloatArray:
    forward = _envelope(cap, accel)
    backward = _envelope(cap[::-1], brake[::-1])[::-1]
    return np.sqrt(np.maximum(np.minimum(forward, backward), 0.0))


def _at_time(network: RoadNetwork, route: Route, start: datetime, rng: np.random.Generator, profile: Profile,
             device_id: str, first_seq: int) -> Simulated:
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if not len(route):
        raise ValueError("a trip needs a route of at least one segment")
    path = _path(network, route)
    n = max(int(np.ceil(path.length / GRID_M)) + 1, 2)
    s = np.linspace(0.0, path.length, n)
    _, _, _, kappa, piece_seg = path.at(s)
    limits = route.limits_kph(network)
    fwd, bwd = routing_speeds_kph(network)
    routing_kph = np.where(route.forward, fwd[route.segments], bwd[route.segments])
    limit_ms = np.where(np.isnan(limits), routing_kph, limits)[piece_seg] / 3.6
    lo, hi = profile.cruise_fraction
    fraction = np.clip(rng.uniform(lo, hi) + _smooth_noise(rng, n, 0.01, 400), lo - 0.03, hi + 0.01)
    cap = limit_ms * fraction
    ways = route.way_ids(network)[piece_seg]
    for sp in profile.speeding:
        on = ways == sp.way_id
        known = ~np.isnan(limits[piece_seg])
        cap = np.where(on & known, limit_ms + sp.over_mph * KPH_PER_MPH / 3.6
                       + _smooth_noise(rng, n, 0.1, 50), cap)
    lateral_budget = np.full(n, CALM_LATERAL_MS2)
    accel = np.full(n, rng.uniform(1.5, 2.3))
    brake = np.full(n, rng.uniform(1.5, 2.5))
    injections: list[tuple[str, float, float]] = []  # kind, from s, to s (to be timed once the profile is known)

    for f in profile.harsh_cornering:
        first, last, radius = _bend_after(path, f * path.length)
        corner_speed = np.sqrt(HARSH_LATERAL_MS2 * radius)
        s_from, s_to = float(path.arc_from[first - 1]), float(path.arc_to[last - 1])
        bend = (s >= s_from) & (s <= s_to)
        lateral_budget = np.where(bend, HARSH_LATERAL_MS2, lateral_budget)
        approach = (s >= s_from - 80.0) & (s <= s_to)
        cap = np.where(approach, np.maximum(cap, corner_speed * 1.02), cap)
        injections.append(("harsh_cornering", s_from, s_to))
    with np.errstate(divide="ignore"):
        curve_cap = np.sqrt(lateral_budget / np.abs(kappa))
    cap = np.minimum(cap, curve_cap)
    for f in profile.harsh_braking:
        at = f * path.length
        i = int(np.searchsorted(s, at))
        v_hi = float(cap[max(i - 60, 0):i + 1].min())
        v_lo = max(HARSH_LOW_SPEED_MS, 0.3 * v_hi)
        run = (v_hi ** 2 - v_lo ** 2) / (2 * HARSH_BRAKING_MS2) + 5.0
        cap[max(i - 2, 0):i + 3] = np.minimum(cap[max(i - 2, 0):i + 3], v_lo)
        brake = np.where((s >= at - run) & (s <= at), HARSH_BRAKING_MS2, brake)
        injections.append(("harsh_braking", at - run, at))
    for f in profile.harsh_acceleration:
        at = f * path.length
        i = int(np.searchsorted(s, at))
        v_hi = float(cap[i:i + 200].min())
        run = (v_hi ** 2 - HARSH_LOW_SPEED_MS ** 2) / (2 * HARSH_ACCELERATION_MS2) + 5.0
        cap[max(i - 2, 0):i + 3] = np.minimum(cap[max(i - 2, 0):i + 3], HARSH_LOW_SPEED_MS)
        accel = np.where((s >= at) & (s <= at + run), HARSH_ACCELERATION_MS2, accel)
        injections.append(("harsh_acceleration", at, at + run))
    stops = path.vertex_s[path.stop_vertex]
    cap[np.searchsorted(s, stops).clip(0, n - 1)] = 0.0
    cap[0] = cap[-1] = 0.0
    v = _profile(cap, accel, brake)
    # time along the path (trapezoid; the mean speed of a 1 m step is never 0 except at a point)
    dt = 2 * np.diff(s) / np.maximum(v[:-1] + v[1:], 1e-3)
    t = np.concatenate([[0.0], np.cumsum(dt)])
    duration = float(t[-1])
    _check_harsh(injections, s, v, kappa, dt)

    # fixes: a few seconds at rest with the ignition on, the drive, then a few at rest and ignition off
    wait_before = int(rng.integers(3, 9))
    wait_after = int(rng.integers(2, 6))
    # fixes on the whole second, as a box logs them; the last at or just after the car came to rest
    tf = np.arange(0.0, np.ceil(duration / FIX_INTERVAL_S) * FIX_INTERVAL_S + FIX_INTERVAL_S / 2, FIX_INTERVAL_S)
    sf = np.interp(tf, t, s)
    vf = np.interp(tf, t, v)
    v2 = v * v
    along = np.concatenate([(v2[1:] - v2[:-1]) / (2 * np.diff(s)), [0.0]])
    cell = np.clip(np.searchsorted(s, sf, side="right") - 1, 0, n - 1)
    a_long = np.where(vf > 0.05, along[cell], 0.0)
    x, y, psi, kap, _ = path.at(sf)
    a_lat = vf * vf * kap
    heading = np.degrees(psi)
    pre = np.zeros(wait_before)
    post = np.zeros(wait_after + 1)
    secs = np.concatenate([np.arange(wait_before, dtype=np.float64), wait_before + tf,
                           wait_before + tf[-1] + FIX_INTERVAL_S + np.arange(wait_after + 1, dtype=np.float64)])
    x = np.concatenate([np.full(wait_before, x[0]), x, np.full(wait_after + 1, x[-1])])
    y = np.concatenate([np.full(wait_before, y[0]), y, np.full(wait_after + 1, y[-1])])
    speed = np.concatenate([pre, vf, post]) * 3.6
    heading = np.concatenate([np.full(wait_before, heading[0]), heading, np.full(wait_after + 1, heading[-1])])
    a_long = np.concatenate([pre, a_long, post])
    a_lat = np.concatenate([pre, a_lat, post])
    m = len(secs)
    moving = speed > 0.5
    # noise: GPS position (drifting), Doppler speed, heading, accelerometer, HDOP and satellites
    x = x + _ar1(rng, m, 2.0, 0.95)
    y = y + _ar1(rng, m, 2.0, 0.95)
    speed = np.where(moving, np.maximum(speed + rng.normal(0.0, 0.3, m), 0.0), np.abs(rng.normal(0.0, 0.2, m)))
    heading = np.mod(heading + np.where(moving, rng.normal(0.0, 1.0, m), 0.0), 360.0)
    a_long = a_long + rng.normal(0.0, 0.08, m)
    a_lat = a_lat + rng.normal(0.0, 0.08, m)
    hdop = np.round(np.clip(0.9 + _smooth_noise(rng, m, 0.08, 60) + np.abs(rng.normal(0.0, 0.05, m)), 0.6, 1.8), 1)
    sats = np.clip(np.rint(10 + _smooth_noise(rng, m, 0.8, 120)), 6, 14).astype(np.int16)
    lat, lon = network.unproject(x, y)
    ignition = np.ones(m, dtype=bool)
    ignition[-1] = False
    start_us = _us(start)
    ts_us = start_us + np.rint(secs * 1e6).astype(np.int64)
    ts = pa.array(ts_us, type=pa.int64()).cast(POSITION_SCHEMA.field("ts").type)
    received = pa.array(ts_us + 2_000_000, type=pa.int64()).cast(POSITION_SCHEMA.field("received_at").type)
    table = pa.table({
        "device_id": pa.array([device_id] * m, pa.string()),
        "seq": pa.array(first_seq + np.arange(m, dtype=np.int64)),
        "ts": ts, "lat": lat, "lon": lon, "speed_kph": speed, "heading_deg": heading, "hdop": hdop,
        "satellites": pa.array(sats, pa.int16()), "ignition": pa.array(ignition),
        "accel_long": a_long, "accel_lat": a_lat, "received_at": received}, schema=POSITION_SCHEMA)

    truth: list[Injection] = []

    def record(kind: str, s_from: float, s_to: float) -> None:
        t_from = float(np.interp(s_from, s, t)) + wait_before
        t_to = float(np.interp(s_to, s, t)) + wait_before
        px, py, _, _, seg = path.at(np.array([max(s_from, 0.0)]))
        la, lo_ = network.unproject(px, py)
        truth.append(Injection(kind, _time(start_us + round(t_from * 1e6)), _time(start_us + round(t_to * 1e6)),
                               float(la[0]), float(lo_[0]), int(route.way_ids(network)[seg[0]])))

    for sp in profile.speeding:
        over = (ways == sp.way_id) & (v > limit_ms) & ~np.isnan(limits[piece_seg])
        runs = np.flatnonzero(np.diff(np.concatenate([[0], over.astype(np.int8), [0]])))
        for a, b in zip(runs[0::2], runs[1::2], strict=True):
            record("speeding", float(s[a]), float(s[b - 1]))
    for kind, s_from, s_to in injections:
        record(kind, s_from, s_to)
    truth.sort(key=lambda j: (j.start, j.kind))
    return Simulated(table, tuple(truth), first_seq + m)


def _check_harsh(injections: Sequence[tuple[str, float, float]], s: FloatArray, v: FloatArray, kappa: FloatArray,
                 dt: FloatArray) -> None:
    """Each harsh injection must be harsh for `MIN_HARSH_S` in the planned profile (a car too slow at that point,
    or a bend too near the start to reach its speed, cannot make one): ValueError naming it, never a silent
    calm drive that claims an injection."""
    along = (v[1:] ** 2 - v[:-1] ** 2) / (2 * np.diff(s))
    lateral = (v[1:] ** 2) * np.abs(kappa[1:])
    level = {"harsh_braking": -along / HARSH_BRAKING_MS2, "harsh_acceleration": along / HARSH_ACCELERATION_MS2,
             "harsh_cornering": lateral / HARSH_LATERAL_MS2}
    for kind, s_from, s_to in injections:
        inside = (s[1:] >= s_from) & (s[:-1] <= s_to)
        harsh_s = float(dt[inside & (level[kind] >= 0.95)].sum())
        if harsh_s < MIN_HARSH_S:
            raise ValueError(f"{kind} at {s_from:.0f} m along the route lasts {harsh_s:.1f} s at the harsh level, "
                             f"under {MIN_HARSH_S:g} s: the car is too slow there; choose another point")


def _bend_after(path: _Path, target: float) -> tuple[int, int, float]:
    """The first bend (a run of arcs with no straight between) whose middle is after `target`, that turns at
    least BEND_MIN_DEG in all and whose tightest arc has a radius of BEND_MIN_RADIUS_M or more: its first and
    last vertex and that radius. ValueError if the route has none."""
    radius = _vertex_radius(path)
    m = len(path.vertex_s) - 1
    v = 1
    while v < m:
        if not np.isfinite(radius[v]):
            v += 1
            continue
        last = v
        while last + 1 < m and np.isfinite(radius[last + 1]) and path.straight[last] < 1.0:
            last += 1
        middle = (path.vertex_s[v] + path.vertex_s[last]) / 2
        turn = abs(float(path.turn_deg[v:last + 1].sum()))
        tightest = float(radius[v:last + 1].min())
        if middle >= target and turn >= BEND_MIN_DEG and tightest >= BEND_MIN_RADIUS_M:
            return v, last, tightest
        v = last + 1
    raise ValueError(f"no bend of {BEND_MIN_DEG:g} degrees or more, radius {BEND_MIN_RADIUS_M:g} m or more, "
                     f"after {target:.0f} m of the route")


def _vertex_radius(path: _Path) -> FloatArray:
    """Each vertex's bend radius (inf where straight), from the arc pieces."""
    radius = np.full(len(path.vertex_s), np.inf)
    arcs = path.kappa[1::2]
    with np.errstate(divide="ignore"):
        radius[1:-1] = np.where(np.abs(arcs) > 0, 1.0 / np.abs(arcs), np.inf)
    return radius


def _us(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _time(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))


# --- the public functions -------------------------------------------------------------------------------------

def drive(network: RoadNetwork, route: Route, start: datetime, seed: int, profile: Profile = Profile(),
          device_id: str = DEFAULT_DEVICE, first_seq: int = 0) -> Simulated:
    """One trip along `route` from `start` (aware), driven as `profile` says, with what was injected (TEL-3)."""
    return _at_time(network, route, start, np.random.default_rng(seed), profile, device_id, first_seq)


def simulate_trip(network: RoadNetwork, route: Route, start: datetime, seed: int, profile: Profile = Profile(),
                  device_id: str = DEFAULT_DEVICE, first_seq: int = 0) -> pa.Table:
    """One trip's positions (POSITION_SCHEMA, 1 Hz), deterministic for `seed` (TEL-2, TEL-3)."""
    return drive(network, route, start, seed, profile, device_id, first_seq).table


def loop_route(graph: RoutingGraph, start_node: int, min_seconds: float, seed: int) -> Route:
    """A route from `start_node` through seeded random nodes of its strongly connected part (so it can always
    go on) until its travel time at the routing speeds reaches `min_seconds`: a long drive looping the map."""
    rng = np.random.default_rng(seed)
    nodes = graph.strongly_connected(start_node)
    if len(nodes) < 2:
        raise ValueError(f"node {start_node} is on no loop of the network")
    route = Route(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.array([start_node], dtype=np.int64))
    at = start_node
    while graph.seconds(route) < min_seconds:
        nxt = int(nodes[rng.integers(len(nodes))])
        if nxt == at:
            continue
        route = route + graph.route(at, nxt)
        at = nxt
    return route


def random_route(graph: RoutingGraph, seed: int, min_m: float = 1500.0, within: int | None = None) -> Route:
    """A seeded trip between two random nodes of the strongly connected part holding `within` (default: the
    network's first node), at least `min_m` long where the network allows (the longest of 20 tries otherwise)."""
    rng = np.random.default_rng(seed)
    anchor = int(graph.node_ids[0]) if within is None else within
    nodes = graph.strongly_connected(anchor)
    if len(nodes) < 2:
        nodes = graph.node_ids
    best: Route | None = None
    for _ in range(20):
        a, b = (int(v) for v in rng.choice(nodes, size=2, replace=False))
        try:
            r = graph.route(a, b)
        except ValueError:
            continue
        if best is None or r.length_m(graph.network) > best.length_m(graph.network):
            best = r
        if r.length_m(graph.network) >= min_m:
            return r
    if best is None:
        raise ValueError("no route found between random nodes")
    return best


def _loop_anchor(graph: RoutingGraph) -> int:
    """The lowest node of the largest strongly connected part: a start from which random routes and loops can
    always go on."""
    return int(graph.largest_component()[0])


def default_plan(seed: int, night: bool = False, long: bool = False,
                 speeding: Sequence[Speeding] = ()) -> DayPlan:
    """A young driver's ordinary day (two trips, morning and late afternoon, seeded minutes), with a night trip
    at about 23:30 local time and a long drive at about 10:00 when asked; `speeding` applies to every trip."""
    rng = np.random.default_rng(seed)
    profile = Profile(speeding=tuple(speeding))
    trips = [TripPlan(time(7, int(rng.integers(30, 59))), None, profile),
             TripPlan(time(17, int(rng.integers(0, 45))), None, profile)]
    if long:
        trips.append(TripPlan(time(10, int(rng.integers(0, 30))), None, profile, min_minutes=130.0))
    if night:
        trips.append(TripPlan(time(23, int(rng.integers(15, 40))), None, profile))
    return DayPlan(tuple(sorted(trips, key=lambda p: p.depart)))


def simulate_day(network: RoadNetwork, device: str, day: date, seed: int, plan: DayPlan | None = None,
                 graph: RoutingGraph | None = None, first_seq: int = 0) -> Simulated:
    """A device's trips on a UK day (departures in Europe/London local time), in time order with gaps between
    them: each a random route (or the plan's waypoints, or a long loop), each seeded from `seed`. A trip that
    would start less than `MIN_GAP` (10 minutes) after the previous one ended leaves that long after it."""
    graph = graph or RoutingGraph.of(network)
    plan = plan or default_plan(seed)
    anchor = _loop_anchor(graph)
    tables: list[pa.Table] = []
    injections: list[Injection] = []
    seq = first_seq
    free_from: datetime | None = None
    for i, trip in enumerate(plan.trips):
        trip_seed = seed * 1000 + i
        depart = datetime.combine(day, trip.depart, tzinfo=UK).astimezone(UTC)
        if free_from is not None and depart < free_from + MIN_GAP:
            depart = free_from + MIN_GAP
        if trip.min_minutes is not None:
            route = loop_route(graph, anchor, trip.min_minutes * 60, trip_seed)
        elif trip.waypoints is not None:
            route = graph.route_via(trip.waypoints)
        else:
            route = random_route(graph, trip_seed, within=anchor)
        result = drive(network, route, depart, trip_seed, trip.profile, device, seq)
        tables.append(result.table)
        injections.extend(result.injections)
        seq = result.next_seq
        free_from = _time(int(result.table["ts"][-1].value))
    table = pa.concat_tables(tables) if tables else POSITION_SCHEMA.empty_table()
    return Simulated(table, tuple(injections), seq)


def simulate_days(network: RoadNetwork, device: str, first_day: date, days: int, seed: int,
                  plan: DayPlan | None = None, plans: Sequence[DayPlan] | None = None) -> Simulated:
    """`days` consecutive days from `first_day`, each seeded from `seed` and its number; `plans` (one per day)
    or `plan` (every day) or each day's `default_plan`. `seq` keeps increasing across the days."""
    graph = RoutingGraph.of(network)
    tables: list[pa.Table] = []
    injections: list[Injection] = []
    seq = 0
    for k in range(days):
        day_seed = seed * 10_007 + k
        day_plan = plans[k] if plans is not None else plan
        result = simulate_day(network, device, first_day + timedelta(days=k), day_seed, day_plan, graph, seq)
        tables.append(result.table)
        injections.extend(result.injections)
        seq = result.next_seq
    table = pa.concat_tables(tables) if tables else POSITION_SCHEMA.empty_table()
    return Simulated(table, tuple(injections), seq)
