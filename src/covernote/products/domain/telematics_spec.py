"""The young-driver telematics score's ruleset (TEL-3, TEL-5, TEL-10), as product data: every number the
scoring kernel (`telematics/domain/scoring.py`) uses, under a version string recorded on every score so a score
can be replayed with the rules it was computed with. Pure; loaded and checked by
`products/store/telematics_spec.py`; documented in docs/telematics.md ("The score").

Units as the kernel reads them: km/h, m/s^2, seconds, hours of the local (Europe/London) day. UK speed limits
are posted in mph, so the speeding tolerance and the severe-speed table are kept in mph as S3 and the police
guidance state them, and converted by the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

INDICATORS = ("speed", "time_of_day", "eco", "duration")  # S3's four key indicators, in S3's order (TEL-3)


@dataclass(frozen=True)
class PointsBand:
    """An episode `over_mph` or more above the limit costs `points` (the highest band reached applies)."""

    over_mph: float
    points: float


@dataclass(frozen=True)
class SevereSpeed:
    """TEL-5: on a road limited to `limit_mph`, a speed at or over `severe_mph` is severe speeding."""

    limit_mph: int
    severe_mph: float


@dataclass(frozen=True)
class SpeedingRules:
    """Speed against the road's limit (TEL-3, TEL-5, TEL-10).

    A fix is over the limit when its speed exceeds limit x (1 + tolerance_percent/100) + tolerance_mph (the
    police "10% + 2 mph" enforcement threshold); an episode is a run of such fixes, no fix more than
    `max_gap_s` after the last, lasting at least `min_duration_s`. It costs the points of the highest band its
    peak excess reaches; at or over the severe speed for the limit (`severe`, or `severe_any_road_mph` on any
    road) it is severe speeding and costs `severe_points` instead. An unknown limit is never speeding."""

    tolerance_percent: float
    tolerance_mph: float
    min_duration_s: float
    max_gap_s: float
    points: tuple[PointsBand, ...]
    severe: tuple[SevereSpeed, ...]
    severe_any_road_mph: float
    severe_points: float

    def severe_mph_for(self, limit_mph: int) -> float:
        """The severe speed on a road limited to `limit_mph`: the table's, else the any-road speed."""
        for s in self.severe:
            if s.limit_mph == limit_mph:
                return min(s.severe_mph, self.severe_any_road_mph)
        return self.severe_any_road_mph

    def points_for(self, over_mph: float) -> float:
        """The points of the highest band `over_mph` reaches (0 below the first band)."""
        cost = 0.0
        for band in self.points:
            if over_mph >= band.over_mph:
                cost = band.points
        return cost


@dataclass(frozen=True)
class NightRules:
    """Time of day (TEL-3): driving between `start_hour` and `end_hour` local time (`timezone`; the window may
    cross midnight) costs `points_per_hour` for each hour driven in it."""

    start_hour: float
    end_hour: float
    timezone: str
    points_per_hour: float

    def is_night(self, hour: float) -> bool:
        if self.start_hour <= self.end_hour:
            return self.start_hour <= hour < self.end_hour
        return hour >= self.start_hour or hour < self.end_hour


@dataclass(frozen=True)
class EcoRules:
    """Eco driving (TEL-3): harsh acceleration, braking and cornering.

    A reading counts only at `min_speed_kph` or more (cornering: `min_cornering_speed_kph`), with HDOP at most
    `max_hdop` and at least `min_satellites`; it must stay at or over its threshold for `min_duration_s`
    (first to last qualifying reading) to be an event. Without an accelerometer the acceleration is the GPS
    speed's change over `gps_window_s` (and cornering speed x heading rate over the same window), only between
    fixes no more than `max_step_s` apart, so a jittery or resampled fix never makes an event on its own."""

    harsh_acceleration_ms2: float
    harsh_braking_ms2: float
    harsh_cornering_ms2: float
    min_speed_kph: float
    min_cornering_speed_kph: float
    max_hdop: float
    min_satellites: int
    min_duration_s: float
    max_step_s: float
    gps_window_s: float
    acceleration_points: float
    braking_points: float
    cornering_points: float


@dataclass(frozen=True)
class DurationRules:
    """Journey duration (TEL-3): more than `max_continuous_s` of driving without a break of at least
    `break_s` (the Highway Code, rule 91: a break of at least 15 minutes after every two hours of driving)
    costs `points_per_hour` for each hour beyond."""

    max_continuous_s: float
    break_s: float
    points_per_hour: float


@dataclass(frozen=True)
class IndicatorWeights:
    """How the four indicators make the overall score (TEL-3): a weighted mean; the weights sum to 1."""

    speed: float
    time_of_day: float
    eco: float
    duration: float

    def total(self) -> float:
        return self.speed + self.time_of_day + self.eco + self.duration


@dataclass(frozen=True)
class RerateRules:
    """The 90-day premium review (TEL-4, S3 "Premium Adjustments"), as product data.

    Every `interval_days` from the term's start the period's average score is compared with the last reviewed
    period's (the first review: with `baseline_score`). Each point of change moves the loading by
    `percent_per_point` (a better score lowers it), rounded to whole percent and bounded at `max_step_percent`
    either way per review. The cumulative loading stays within [`floor_percent`, `cap_percent`]: S3 caps the
    increase over the policy's life at 50% of the renewal premium. The loading is the rating answer `question`
    (whole percent), which the product's rating multiplies in as 1 + loading/100."""

    interval_days: int
    baseline_score: Decimal
    percent_per_point: Decimal
    max_step_percent: int
    cap_percent: int
    floor_percent: int
    question: str = "telematics_loading_percent"


@dataclass(frozen=True)
class TelematicsRules:
    """The `telematics:` section of a product file: the scoring ruleset, versioned (TEL-10).

    Each indicator starts a journey at `scale_max` and loses its events' points, floored at `scale_min`."""

    ruleset: str
    source: str
    speeding: SpeedingRules
    night: NightRules
    eco: EcoRules
    duration: DurationRules
    weights: IndicatorWeights
    scale_min: float = 0.0
    scale_max: float = 100.0
    rerating: RerateRules | None = None  # TEL-4: the 90-day review; none, the premium is never reviewed


def ruleset_problems(r: TelematicsRules) -> list[tuple[str, str]]:
    """What a ruleset's numbers must satisfy together, each as (field, reason) under `telematics.`: bands
    rising, the severe table above the tolerance threshold of its limit and rising with it, weights summing
    to 1, a sane scale."""
    out: list[tuple[str, str]] = []
    s = r.speeding
    overs = [b.over_mph for b in s.points]
    if not s.points:
        out.append(("speeding.points", "at least one band is needed"))
    elif overs != sorted(overs) or len(set(overs)) != len(overs):
        out.append(("speeding.points", "bands must rise strictly by over_mph"))
    limits = [x.limit_mph for x in s.severe]
    if len(set(limits)) != len(limits):
        out.append(("speeding.severe", "a limit is given twice"))
    for i, sev in enumerate(s.severe):
        threshold = sev.limit_mph * (1 + s.tolerance_percent / 100) + s.tolerance_mph
        if sev.severe_mph <= threshold:
            out.append((f"speeding.severe[{i}].severe_mph",
                        f"{sev.severe_mph} mph is not above the speeding threshold {threshold:.1f} mph of a "
                        f"{sev.limit_mph} limit"))
    ordered = sorted(s.severe, key=lambda x: x.limit_mph)
    if [x.severe_mph for x in ordered] != sorted(x.severe_mph for x in ordered):
        out.append(("speeding.severe", "severe speeds must rise with the limit"))
    if s.severe and s.severe_any_road_mph < max(x.severe_mph for x in s.severe):
        out.append(("speeding.severe_any_road_mph", "must be at least every severe speed in the table"))
    if r.night.start_hour == r.night.end_hour:
        out.append(("night.end_hour", "the night window is empty: start_hour equals end_hour"))
    if r.eco.gps_window_s < r.eco.max_step_s:
        out.append(("eco.gps_window_s", "must be at least max_step_s, so a derived value spans whole steps"))
    if abs(r.weights.total() - 1.0) > 1e-9:
        out.append(("weights", f"the four weights must sum to 1 (they sum to {r.weights.total():g})"))
    if r.scale_max <= r.scale_min:
        out.append(("scale_max", "must be above scale_min"))
    if r.rerating is not None:
        rr = r.rerating
        if not r.scale_min <= rr.baseline_score <= r.scale_max:
            out.append(("rerating.baseline_score", f"must be on the score's scale {r.scale_min:g}..{r.scale_max:g}"))
        if not rr.floor_percent <= 0 <= rr.cap_percent:
            out.append(("rerating.floor_percent", "the loading's range must hold 0 (floor <= 0 <= cap)"))
    return out


def loading_factor_problems(r: RerateRules, factors: dict[str, Decimal] | None) -> list[tuple[str, str]]:
    """TEL-4: the rating factor reading the loading question (`factors`: its values, None when the rating has
    no such factor) must price every loading the review can set, floor to cap, as exactly 1 + loading/100, so
    a review's loading is the premium's loading."""
    if factors is None:
        return [("rerating.question", f"the rating has no factor reading {r.question}")]
    out: list[tuple[str, str]] = []
    for p in range(r.floor_percent, r.cap_percent + 1):
        want = 1 + Decimal(p) / 100
        got = factors.get(str(p))
        if got is None or got != want:
            out.append(("rerating.question", f"the rating factor for {r.question}={p} must be {want} (it is {got})"))
            break
    return out
