"""TEL-2, TEL-3, TEL-10: one device-day from stored positions to its score through the one pipeline
(`telematics/domain/pipeline.py`): cleaned, journeys, matched to the Ashcombe fixture's roads, scored with the
young-driver product's ruleset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from covernote.products.store.files import load_catalogue
from covernote.telematics.adapters.osm import load_network
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.pipeline import score_device_day
from covernote.telematics.domain.positions import POSITION_SCHEMA, kph
from covernote.telematics.domain.roads import RoadNetwork

ROOT = Path(__file__).resolve().parents[2]
HIGH_STREET = 1001  # 30 mph in the fixture


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return load_network(ASHCOMBE_OSM)


def drive(network: RoadNetwork, way_id: int, mph: float, start: datetime) -> pa.Table:
    """One fix a second along the way's segments, in their order, at a steady `mph`, ignition on."""
    at = np.flatnonzero(network.way_id == way_id)
    xs = np.concatenate([network.x0[at], network.x1[at][-1:]])
    ys = np.concatenate([network.y0[at], network.y1[at][-1:]])
    along = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    step = kph(mph) / 3.6
    d = np.arange(0.0, along[-1], step)
    x, y = np.interp(d, along, xs), np.interp(d, along, ys)
    lat, lon = network.unproject(x, y)
    heading = np.degrees(np.arctan2(np.gradient(x), np.gradient(y))) % 360
    n = len(d)
    ts = [start + timedelta(seconds=i) for i in range(n)]
    return pa.table({
        "device_id": ["356938035643809"] * n, "seq": np.arange(n, dtype=np.int64), "ts": ts, "lat": lat, "lon": lon,
        "speed_kph": np.full(n, kph(mph)), "heading_deg": heading, "hdop": np.full(n, 0.9),
        "satellites": np.full(n, 11, dtype=np.int16), "ignition": [True] * n, "accel_long": [None] * n,
        "accel_lat": [None] * n, "received_at": ts}, schema=POSITION_SCHEMA)


def test_tel3_a_drive_over_the_limit_is_speeding_and_one_under_it_is_not(network: RoadNetwork) -> None:
    """TEL-3, TEL-5, TEL-10: High Street is 30 mph: driven at 37 mph (over the 10% + 2 mph tolerance) the day's
    score has speeding events on it, in daylight; at 45 mph (the severe speed for a 30 limit, 40 mph) severe
    speeding; at 25 mph none; each score records the ruleset, map and code versions."""
    rules = load_catalogue(ROOT / "products").versions("YOUNG_DRIVER")[0].telematics_rules
    assert rules is not None
    noon = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)
    fast = score_device_day(drive(network, HIGH_STREET, 37, noon), network, rules)
    kinds = {e.kind for e in fast.score.events}
    assert "speeding" in kinds and not kinds & {"severe_speeding", "night_driving"}
    severe = score_device_day(drive(network, HIGH_STREET, 45, noon), network, rules)
    assert "severe_speeding" in {e.kind for e in severe.score.events}
    assert fast.score.versions.map_version == network.version
    assert fast.score.versions.ruleset == rules.ruleset
    assert set(fast.matched.column("way_id").to_pylist()) == {HIGH_STREET}
    slow = score_device_day(drive(network, HIGH_STREET, 25, noon), network, rules)
    assert not [e for e in slow.score.events if e.kind in ("speeding", "severe_speeding")]
    assert slow.dropped == {k: 0 for k in slow.dropped}
    shuffled = drive(network, HIGH_STREET, 37, noon).take(np.random.default_rng(7).permutation(len(fast.matched)))
    assert score_device_day(shuffled, network, rules).score == fast.score  # the order batches came in is no matter
