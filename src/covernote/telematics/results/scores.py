"""The shapes the scoring use cases and routes answer with (TEL-3, TEL-10), typed for mypy and the OpenAPI
document. Times are ISO 8601 UTC, days ISO dates; scores on the ruleset's scale (0..100), None when nothing was
driven."""

from __future__ import annotations

from typing_extensions import TypedDict


class Versions(TypedDict):
    """What a score was computed with (TEL-10): the product's ruleset, the map data, the scoring code."""

    ruleset: str
    map_version: str
    code_version: str


class EventView(TypedDict):
    """One event that cost points (TEL-3 explainable): what, when, where, what was measured against what, what it
    cost its indicator, and the sentence that says so."""

    id: str
    kind: str
    indicator: str
    start: str
    end: str
    lat: float
    lon: float
    value: float
    threshold: float
    unit: str
    points: float
    detail: str


class JourneyView(TypedDict):
    """One journey's four indicators and overall score, its distance and driving time."""

    id: str
    day: str
    number: int
    start: str
    end: str
    distance_km: float
    driving_s: float
    speed: float
    time_of_day: float
    eco: float
    duration: float
    overall: float
    events: int


class JourneyDetail(JourneyView):
    """A journey with the events that cost it points, in time order."""

    policy_id: str
    event_list: list[EventView]


class JourneyList(TypedDict):
    """A page of the policy's journeys, newest first."""

    policy_id: str
    total: int
    limit: int
    offset: int
    journeys: list[JourneyView]


class PeriodView(TypedDict):
    """A period's score (TEL-3, TEL-4): journeys weighted by driving time; event counts by kind."""

    policy_id: str
    start: str
    end: str
    score: float | None
    speed: float | None
    time_of_day: float | None
    eco: float | None
    duration: float | None
    journeys: int
    days_scored: int
    driving_s: float
    distance_km: float
    event_counts: dict[str, int]
    rulesets: list[str]
    map_versions: list[str]
    code_versions: list[str]


class PolicyScore(TypedDict):
    """The policy's current 90-day period and every period of its term begun so far, oldest first."""

    policy_id: str
    number: str
    period_days: int
    current: PeriodView | None
    periods: list[PeriodView]


class DayScoreView(TypedDict):
    """A scored device-day as stored: whose, the versions, the day's indicators, what cleaning dropped."""

    device_id: str
    day: str
    policy_id: str
    product_ref: str
    versions: Versions
    score: float | None
    speed: float | None
    time_of_day: float | None
    eco: float | None
    duration: float | None
    journeys: int
    events: int
    distance_km: float
    driving_s: float
    positions: int
    dropped: dict[str, int]
    scored_at: str


class ReplayView(TypedDict):
    """A stored day scored again with its recorded versions (TEL-10): whether the result is the same."""

    device_id: str
    day: str
    versions: Versions
    matches: bool
    reason: str | None
    stored_score: float | None
    replayed_score: float | None


class ScoringRun(TypedDict):
    """What a scoring run did: device-days with positions up to `as_of`, how many were scored now, already
    scored and unchanged, not fitted to any policy that day, and those that failed with the reason."""

    as_of: str
    device_days: int
    scored: int
    unchanged: int
    unassigned: int
    failed: dict[str, str]
