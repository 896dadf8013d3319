"""TEL-3, TEL-10: the local batch runner (`telematics/adapters/batch_local.py`) over the Parquet layout: a small
fleet driven on the Ashcombe fixture (speeding on High Street, a night drive, a parked day, a day stored in two
parts), every device-day scored as the one pipeline scores it, the same in a process pool as in one process."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.products.store.files import load_catalogue
from covernote.telematics.adapters.batch_local import (
    BATCH_EVENT_SCHEMA,
    SUMMARY_SCHEMA,
    device_days,
    score_batch,
)
from covernote.telematics.adapters.osm import load_network
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.pipeline import score_device_day
from covernote.telematics.domain.positions import POSITION_SCHEMA, kph
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.scoring import period_score

ROOT = Path(__file__).resolve().parents[2]
HIGH_STREET, ASHCOMBE_ROAD, FOSSE_LANE, BYPASS_EAST, CHURCH_LANE, BACK_LANE = 1001, 1006, 1007, 1008, 1002, 1004
DEVICES = ("356938035643801", "356938035643802", "356938035643803")
DAYS = (date(2026, 6, 10), date(2026, 6, 11))


def drive(network: RoadNetwork, device: str, way_id: int, mph: float, start: datetime, seq0: int,
          reverse: bool = False) -> pa.Table:
    """One fix a second along a fixture way's segments (against their order if `reverse`), at a steady `mph`,
    ignition on, GPS only (no accelerometer), sequence numbers from `seq0`."""
    at = np.flatnonzero(network.way_id == way_id)
    xs = np.concatenate([network.x0[at], network.x1[at][-1:]])
    ys = np.concatenate([network.y0[at], network.y1[at][-1:]])
    if reverse:
        xs, ys = xs[::-1], ys[::-1]
    along = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    d = np.arange(0.0, along[-1], kph(mph) / 3.6)
    x, y = np.interp(d, along, xs), np.interp(d, along, ys)
    lat, lon = network.unproject(x, y)
    heading = np.degrees(np.arctan2(np.gradient(x), np.gradient(y))) % 360
    n = len(d)
    ts = [start + timedelta(seconds=i) for i in range(n)]
    return pa.table({
        "device_id": [device] * n, "seq": np.arange(seq0, seq0 + n, dtype=np.int64), "ts": ts, "lat": lat,
        "lon": lon, "speed_kph": np.full(n, kph(mph)), "heading_deg": heading, "hdop": np.full(n, 0.9),
        "satellites": np.full(n, 11, dtype=np.int16), "ignition": [True] * n, "accel_long": [None] * n,
        "accel_lat": [None] * n, "received_at": ts}, schema=POSITION_SCHEMA)


def parked(network: RoadNetwork, device: str, start: datetime, seq0: int, n: int = 120) -> pa.Table:
    """A car standing still with the ignition off (no journey: nothing to score)."""
    lat, lon = network.unproject(np.full(n, 10.0), np.full(n, 300.0))
    ts = [start + timedelta(seconds=30 * i) for i in range(n)]
    return pa.table({
        "device_id": [device] * n, "seq": np.arange(seq0, seq0 + n, dtype=np.int64), "ts": ts, "lat": lat,
        "lon": lon, "speed_kph": np.zeros(n), "heading_deg": np.zeros(n), "hdop": np.full(n, 0.9),
        "satellites": np.full(n, 11, dtype=np.int16), "ignition": [False] * n, "accel_long": [None] * n,
        "accel_lat": [None] * n, "received_at": ts}, schema=POSITION_SCHEMA)


def build_fleet(network: RoadNetwork, root: Path) -> ParquetPositionStore:
    """Three devices over two UK days (BST: 00:30 UTC on the 11th is 01:30 on the 11th in the UK):
    - device 1: speeding on High Street at noon (37 mph in a 30) and a lawful drive up Ashcombe Road on the 10th;
      a night drive (01:30 BST) down Fosse Lane and severe speeding (45 mph in the 30) on the 11th, the latter
      stored in a second part;
    - device 2: the bypass at 65 mph (in a 70), Church Lane back at 18 mph on the 10th; parked all of the 11th;
    - device 3: Back Lane (no limit known: never speeding, TEL-10) at 50 mph, the 10th only."""
    d1, d2, d3 = DEVICES
    store = ParquetPositionStore(root)
    day1 = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)
    day2_night = datetime(2026, 6, 11, 0, 30, tzinfo=UTC)
    store.append(pa.concat_tables([
        drive(network, d1, HIGH_STREET, 37, day1, 0),
        drive(network, d1, ASHCOMBE_ROAD, 38, day1 + timedelta(minutes=20), 10_000),
        drive(network, d1, FOSSE_LANE, 55, day2_night, 20_000),
        drive(network, d2, BYPASS_EAST, 65, day1 + timedelta(hours=2), 0),
        drive(network, d2, CHURCH_LANE, 18, day1 + timedelta(hours=3), 10_000, reverse=True),
        parked(network, d2, datetime(2026, 6, 11, 9, 0, tzinfo=UTC), 20_000),
        drive(network, d3, BACK_LANE, 50, day1 + timedelta(hours=5), 0),
    ]))
    second = drive(network, d1, HIGH_STREET, 45, datetime(2026, 6, 11, 16, 0, tzinfo=UTC), 30_000)
    store.append(pa.concat_tables([second, second.slice(0, 5)]))  # a repeat within the batch: stored once
    return store


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return load_network(ASHCOMBE_OSM)


@pytest.fixture(scope="module")
def rules() -> TelematicsRules:
    found = load_catalogue(ROOT / "products").versions("YOUNG_DRIVER")[0].telematics_rules
    assert found is not None
    return found


@pytest.fixture(scope="module")
def fleet(network: RoadNetwork, tmp_path_factory: pytest.TempPathFactory) -> ParquetPositionStore:
    return build_fleet(network, tmp_path_factory.mktemp("fleet"))


def test_tel3_the_runner_scores_every_stored_device_day_as_the_pipeline_does(
        fleet: ParquetPositionStore, network: RoadNetwork, rules: TelematicsRules) -> None:
    """TEL-3, TEL-10: each device-day's DayScore is `score_device_day` of the stored day, and its summary row
    holds that day's weighted score, indicators, counts and versions."""
    result = score_batch(fleet.root, DAYS, network, rules, workers=1)
    expected_keys = sorted((d, day) for d in fleet.devices() for day in fleet.days(d))
    assert list(result.scores) == expected_keys == device_days(fleet.root, DAYS)
    assert len(expected_keys) == 5
    assert result.summary.schema == SUMMARY_SCHEMA
    rows = result.summary.to_pylist()
    for row, (device, day) in zip(rows, expected_keys, strict=True):
        positions = fleet.read_day(device, day)
        scored = score_device_day(positions, network, rules)
        assert result.scores[(device, day)] == scored.score
        p = period_score([scored.score])
        assert (row["device_id"], row["day"]) == (device, day)
        assert (row["overall"], row["speed"], row["time_of_day"], row["eco"], row["duration"]) == (
            p.score, p.speed, p.time_of_day, p.eco, p.duration)
        assert row["journeys"] == len(scored.score.journeys) and row["events"] == len(scored.score.events)
        assert row["positions"] == positions.num_rows
        assert row["dropped"] == sum(scored.dropped.values())
        assert (row["ruleset"], row["map_version"]) == (rules.ruleset, network.version)
    by_key = {(r["device_id"], r["day"]): r for r in rows}
    kinds = {k: {e.kind for e in s.events} for k, s in result.scores.items()}
    assert "speeding" in kinds[(DEVICES[0], DAYS[0])]
    assert {"night_driving", "severe_speeding"} <= kinds[(DEVICES[0], DAYS[1])]
    assert not kinds[(DEVICES[2], DAYS[0])] & {"speeding", "severe_speeding"}  # unknown limit (TEL-10)
    assert by_key[(DEVICES[1], DAYS[1])]["overall"] is None and by_key[(DEVICES[1], DAYS[1])]["journeys"] == 0
    assert by_key[(DEVICES[0], DAYS[1])]["overall"] < by_key[(DEVICES[1], DAYS[0])]["overall"]
    events = result.events()
    assert events.schema == BATCH_EVENT_SCHEMA
    assert events.num_rows == sum(r["events"] for r in rows)


def test_tel3_a_process_pool_gives_the_same_scores_as_one_process_and_reports_progress(
        fleet: ParquetPositionStore, network: RoadNetwork, rules: TelematicsRules) -> None:
    """TEL-3: two worker processes give exactly the one-process result; progress runs from 0 to the total."""
    seen: list[tuple[int, int]] = []
    pooled = score_batch(fleet.root, DAYS, network, rules, workers=2, progress=lambda d, t: seen.append((d, t)))
    alone = score_batch(fleet.root, DAYS, network, rules, workers=1)
    assert pooled.scores == alone.scores
    assert pooled.summary.equals(alone.summary)
    assert pooled.events().equals(alone.events())
    assert seen == [(i, 5) for i in range(6)]


def test_tel3_scores_can_be_handed_on_instead_of_kept(
        fleet: ParquetPositionStore, network: RoadNetwork, rules: TelematicsRules) -> None:
    """TEL-3: with `keep_scores=False` each DayScore goes to `on_score` and the result keeps the summary only,
    so a large book's events need not all sit in memory; what was handed on equals what would have been kept."""
    handed: dict[tuple[str, date], object] = {}
    lean = score_batch(fleet.root, DAYS, network, rules, workers=2, keep_scores=False,
                       on_score=lambda device, day, score: handed.setdefault((device, day), score))
    full = score_batch(fleet.root, DAYS, network, rules, workers=1)
    assert lean.scores == {} and lean.summary.equals(full.summary)
    assert handed == full.scores


def test_tel3_days_and_devices_select_the_partitions_scored(
        fleet: ParquetPositionStore, network: RoadNetwork, rules: TelematicsRules, tmp_path: Path) -> None:
    """TEL-3: only the named days (and devices) are read; a day with nothing stored, or an empty store, gives
    an empty summary of the summary schema."""
    one = score_batch(fleet.root, [DAYS[1]], network, rules, devices=[DEVICES[0], "999"], workers=1)
    assert list(one.scores) == [(DEVICES[0], DAYS[1])]
    assert one.summary.num_rows == 1
    nothing = score_batch(fleet.root, [date(2026, 1, 1)], network, rules)
    assert nothing.summary.num_rows == 0 and nothing.summary.schema == SUMMARY_SCHEMA
    assert nothing.events().num_rows == 0
    assert score_batch(tmp_path, DAYS, network, rules).scores == {}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(split=st.lists(st.sampled_from(DAYS), min_size=0, max_size=2, unique=True),
       devices=st.lists(st.sampled_from(DEVICES), min_size=1, max_size=3, unique=True))
def test_tel3_property_batches_of_any_cut_add_up_to_the_whole(
        fleet: ParquetPositionStore, network: RoadNetwork, rules: TelematicsRules, split: list[date],
        devices: list[str]) -> None:
    """TEL-3 (property): scoring a chosen set of days and devices, then the rest, gives exactly the rows and
    scores of the whole batch restricted to them: a device-day's score never depends on its batch."""
    whole = score_batch(fleet.root, DAYS, network, rules, workers=1)
    rest = [d for d in DAYS if d not in split]
    part_a = score_batch(fleet.root, split, network, rules, devices=devices, workers=1)
    part_b = score_batch(fleet.root, rest, network, rules, devices=devices, workers=1)
    joined = {**part_a.scores, **part_b.scores}
    assert joined == {k: v for k, v in whole.scores.items() if k[0] in devices}
    rows = sorted(part_a.summary.to_pylist() + part_b.summary.to_pylist(), key=lambda r: (r["device_id"], r["day"]))
    assert rows == [r for r in whole.summary.to_pylist() if r["device_id"] in devices]
