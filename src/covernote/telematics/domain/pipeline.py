"""One device-day from its stored positions to its score (TEL-2, TEL-3, TEL-10): the day cleaned (impossible jumps,
parked drift), its journeys reconstructed, each position matched to its road, and the four indicators scored.
Every runner calls this one function: the scoring use case, the local batch runner over the Parquet layout, and
the Spark job's grouped Arrow function, so they give the same scores by construction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pyarrow as pa

from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.telematics.domain.filters import CleanLimits, clean_day
from covernote.telematics.domain.journeys import with_journeys
from covernote.telematics.domain.map_matching import match
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.scoring import DayScore, score_day

JOURNEY_GAP = timedelta(minutes=5)


@dataclass(frozen=True)
class ScoredDay:
    """A device-day's score, what cleaning dropped by reason, and the matched positions it was scored on (kept
    for the explanation of each event and for replay)."""

    score: DayScore
    dropped: dict[str, int]
    matched: pa.Table


def score_device_day(positions: pa.Table, network: RoadNetwork, rules: TelematicsRules,
                     limits: CleanLimits = CleanLimits(), gap: timedelta = JOURNEY_GAP) -> ScoredDay:
    """Score one device's stored positions of one UK day (POSITION_SCHEMA, any order)."""
    cleaned = clean_day(positions, limits)
    matched = match(with_journeys(cleaned.kept, gap), network)
    return ScoredDay(score_day(matched, rules, map_version=network.version), dict(cleaned.counts), matched)
