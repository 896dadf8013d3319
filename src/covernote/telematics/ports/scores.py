"""What the scoring use case needs from outside (TEL-3, TEL-10): which policy a device served on a day (the device
registry), the stored positions of a device-day, the road network, and the SQL store of scores."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import pyarrow as pa

from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.scoring import DayScore, ScoreEvent, ScoreVersions


@dataclass(frozen=True)
class Assignment:
    """The policy (and its customer and product version) a device was fitted for on a day."""

    policy_id: str
    customer_id: str
    product_ref: str


class DeviceAssignments(Protocol):
    """The device registry's answer (wired by the integrator): which policy the device served on `day`, or None
    when it was fitted to no policy then (its positions are then not scored)."""

    def assignment(self, device_id: str, day: date) -> Assignment | None: ...


class PositionDays(Protocol):
    """The stored positions (`adapters/parquet_store.ParquetPositionStore` is one): a device-day's positions
    (POSITION_SCHEMA, sorted), and DuckDB SQL over the view `positions` (the position columns and `day`)."""

    def read_day(self, device_id: str, day: date) -> pa.Table: ...

    def sql(self, query: str) -> pa.Table: ...


@dataclass(frozen=True)
class ScoringSources:
    """Where the scoring use case reads from: the positions, the road network (a callable, so a large extract is
    loaded once, when first needed) and the device registry."""

    positions: PositionDays
    network: Callable[[], RoadNetwork]
    assignments: DeviceAssignments


@dataclass(frozen=True)
class StoredDay:
    """A scored device-day as stored: whose it is, what it was computed from and with (TEL-10), the score."""

    id: str
    device_id: str
    day: date
    policy_id: str
    customer_id: str
    product_ref: str
    positions: int
    positions_stamp: str
    dropped: dict[str, int]
    score: DayScore
    scored_at: datetime

    @property
    def versions(self) -> ScoreVersions:
        return self.score.versions


@dataclass(frozen=True)
class StoredJourney:
    """One scored journey as stored, with its id (stable across re-scoring the same day)."""

    id: str
    day_score_id: str
    policy_id: str
    device_id: str
    day: date
    number: int
    started_at: datetime
    ended_at: datetime
    distance_km: float
    driving_s: float
    speed: float
    time_of_day: float
    eco: float
    duration: float
    overall: float
    events: int


@dataclass(frozen=True)
class StoredEvent:
    """One event that cost points, as stored (TEL-3: what, where, when, what it cost)."""

    id: str
    journey_id: str
    event: ScoreEvent


class ScoreRepository(Protocol):
    """Scored device-days, their journeys and events in SQL (store/scores.py). Never commits."""

    def replace_day(self, day: StoredDay) -> None:
        """Store the day's score, journeys and events, replacing any stored for the same device and day."""
        ...

    def get_day(self, device_id: str, day: date) -> StoredDay | None: ...

    def stamps(self, since: date | None = None) -> dict[tuple[str, date], str]:
        """Each scored (device, day)'s positions stamp, days from `since` on (all when None)."""
        ...

    def days_for_policy(self, policy_id: str, start: date, end: date) -> Sequence[StoredDay]:
        """The policy's scored days with start <= day < end, oldest first."""
        ...

    def journeys_for_policy(self, policy_id: str, start: datetime | None, end: datetime | None, limit: int,
                            offset: int) -> tuple[list[StoredJourney], int]:
        """The policy's journeys that started in [start, end), newest first, a page and the total."""
        ...

    def journey(self, journey_id: str) -> StoredJourney | None: ...

    def events_of(self, journey_id: str) -> list[StoredEvent]: ...
