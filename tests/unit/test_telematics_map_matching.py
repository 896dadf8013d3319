"""The road network and heading-aware map matching on the Ashcombe fixture (TEL-3, TEL-10).

The fixture is read here with the standard library's XML parser (no osmium: these are pure domain tests); the
integration test checks the pyosmium loader reads it into the same network version.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from functools import cache

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.map_matching import (
    CONTINUITY_GAP_S,
    CONTINUITY_TOLERANCE_M,
    HEADING_COST_M_PER_DEG,
    HEADING_MIN_KPH,
    MAX_HEADING_DIFF_DEG,
    angle_diff_deg,
    match,
)
from covernote.telematics.domain.positions import KPH_PER_MPH, MATCH_FIELDS, POSITION_SCHEMA
from covernote.telematics.domain.roads import RoadNetwork, Way, oneway

FIXTURE = ASHCOMBE_OSM
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
RADIUS = 30.0

HIGH_STREET, CHURCH_LANE, BACK_LANE, ROUNDABOUT = 1001, 1002, 1004, 1005
BYPASS_EAST, BYPASS_WEST, HILL_ROAD, M40_NORTH = 1008, 1009, 1010, 1011


def fixture_ways() -> list[Way]:
    root = ET.parse(FIXTURE).getroot()
    where = {int(n.get("id", "0")): (float(n.get("lat", "nan")), float(n.get("lon", "nan")))
             for n in root.iter("node")}
    ways = []
    for w in root.iter("way"):
        refs = [int(nd.get("ref", "0")) for nd in w.iter("nd")]
        tags = {t.get("k", ""): t.get("v", "") for t in w.iter("tag")}
        ways.append(Way(int(w.get("id", "0")), tags, refs, [where[r] for r in refs]))
    return ways


@cache
def network() -> RoadNetwork:
    return RoadNetwork.from_ways(fixture_ways())


def town(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fixture's own frame (docs/telematics.md ("Speed limits, the road network and map matching")): metres east and north of Ashcombe's centre at 52.2 N,
    1.5 W, where High Street meets Church Lane (the network's own frame is centred on its bounding box)."""
    m_per_deg = 6_371_008.8 * math.pi / 180
    return 52.2 + y / m_per_deg, -1.5 + x / (m_per_deg * math.cos(math.radians(52.2)))


def positions(x: np.ndarray, y: np.ndarray, speed: np.ndarray, heading: np.ndarray,
              seconds: np.ndarray, frame: str = "town") -> pa.Table:
    """A device-day of positions at metres (x, y) in the town's frame or the network's."""
    lat, lon = town(x, y) if frame == "town" else network().unproject(x, y)
    n = len(lat)
    ts = pa.array([int(T0.timestamp() * 1e6 + s * 1e6) for s in seconds], type=pa.int64()).cast(
        POSITION_SCHEMA.field("ts").type)
    return pa.table({
        "device_id": pa.array(["356938035643809"] * n),
        "seq": pa.array(np.arange(n, dtype=np.int64)),
        "ts": ts,
        "lat": pa.array(lat),
        "lon": pa.array(lon),
        "speed_kph": pa.array(speed, mask=np.isnan(speed)),
        "heading_deg": pa.array(heading, mask=np.isnan(heading)),
        "hdop": pa.array(np.full(n, 0.9)),
        "satellites": pa.array(np.full(n, 9, dtype=np.int16)),
        "ignition": pa.array([True] * n),
        "accel_long": pa.array(np.zeros(n)),
        "accel_lat": pa.array(np.zeros(n)),
        "received_at": ts,
    }, schema=POSITION_SCHEMA)


def one(x: float, y: float, speed: float = math.nan, heading: float = math.nan) -> dict[str, object]:
    out = match(positions(np.array([x]), np.array([y]), np.array([speed]), np.array([heading]),
                          np.array([0.0])), network())
    return {name: out.column(name)[0].as_py() for name in out.column_names}


def brute_distances(px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Distance from each point to each segment, computed without the grid (the index's oracle)."""
    net = network()
    ax, ay, bx, by = net.x0[None, :], net.y0[None, :], net.x1[None, :], net.y1[None, :]
    dx, dy = bx - ax, by - ay
    t = np.clip(((px[:, None] - ax) * dx + (py[:, None] - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(px[:, None] - (ax + t * dx), py[:, None] - (ay + t * dy))


# --- the network -------------------------------------------------------------------------------------------


def test_tel3_network_keeps_driveable_ways_and_implied_oneways() -> None:
    """TEL-3: the footway is left out; motorways and roundabouts are one-way without a oneway tag."""
    net = network()
    assert 1017 not in set(net.way_id.tolist())  # Riverside Path, highway=footway
    assert set(np.unique(net.oneway[net.way_id == M40_NORTH]).tolist()) == {1}
    assert set(np.unique(net.oneway[net.way_id == ROUNDABOUT]).tolist()) == {1}
    assert set(np.unique(net.oneway[net.way_id == BYPASS_EAST]).tolist()) == {1}
    assert set(np.unique(net.oneway[net.way_id == HIGH_STREET]).tolist()) == {0}
    assert oneway({"highway": "motorway", "oneway": "no"}) == 0
    assert oneway({"highway": "residential", "oneway": "-1"}) == -1
    assert oneway({"highway": "primary", "junction": "roundabout"}) == 1
    assert np.all(np.isnan(net.limit_forward_kph[net.way_id == BACK_LANE]))  # no maxspeed: unknown (TEL-10)
    assert net.limit_source(HILL_ROAD, forward=False) == "maxspeed:backward"
    assert net.way_name(HIGH_STREET) == "High Street"
    hill = net.way_id == HILL_ROAD
    assert np.allclose(net.limit_kph[hill], 40 * KPH_PER_MPH)  # direction unknown: the higher of 40 and 30 mph
    assert set(net.highway[net.way_id == M40_NORTH]) == {"motorway"}
    with pytest.raises(ValueError):
        net.x0[0] = 1.0  # immutable


def test_tel3_segments_follow_the_ways_node_by_node() -> None:
    """TEL-3: consecutive segments of a way join end to start; bearings and lengths agree with the ends."""
    net = network()
    same_way = net.way_id[1:] == net.way_id[:-1]
    assert np.all(net.segment_index[1:][same_way] == net.segment_index[:-1][same_way] + 1)
    assert np.all(net.node_from[1:][same_way] == net.node_to[:-1][same_way])
    assert np.allclose(net.x1[:-1][same_way], net.x0[1:][same_way])
    east = (net.way_id == BYPASS_EAST)
    assert np.allclose(net.bearing_deg[east], 90.0, atol=0.01)
    assert np.allclose(net.bearing_deg[net.way_id == BYPASS_WEST], 270.0, atol=0.01)
    assert np.all(net.length_m > 0)
    lat, lon = net.unproject(net.x0, net.y0)
    x, y = net.project(lat, lon)
    assert np.allclose(x, net.x0, atol=1e-6) and np.allclose(y, net.y0, atol=1e-6)


@settings(deadline=None)
@given(st.permutations(range(17)))
def test_tel10_version_depends_on_the_map_not_on_the_ways_order(order: list[int]) -> None:
    """TEL-10 (property): the same ways in any order give the same version; a changed limit changes it."""
    ways = fixture_ways()
    assert RoadNetwork.from_ways([ways[i] for i in order]).version == network().version
    changed = [Way(w.id, {**w.tags, "maxspeed": "40 mph"}, w.node_ids, w.coords) if w.id == HIGH_STREET else w
               for w in ways]
    assert RoadNetwork.from_ways(changed).version != network().version


# --- matching: properties ----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), noise_m=st.floats(0.0, 3.0), heading_noise=st.floats(0.0, 10.0),
       speed=st.sampled_from([math.nan, 4.0, 30.0, 70.0, 112.0]))
def test_tel3_position_on_every_segment_matches_its_way(seed: int, noise_m: float, heading_noise: float,
                                                        speed: float) -> None:
    """TEL-3 (property): a position on any segment of the fixture, at a random fraction along it, heading the
    road's way of travel, with a few metres of GPS noise, matches that segment's way; positions within 12 m of
    another way (junctions, the motorway bridge) are left out, since there either road is a fair answer."""
    net = network()
    rng = np.random.default_rng(seed)
    n = len(net)
    f = rng.uniform(0.0, 1.0, n)
    tx = net.x0 + f * (net.x1 - net.x0)
    ty = net.y0 + f * (net.y1 - net.y0)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = noise_m * np.sqrt(rng.uniform(0, 1, n))
    px, py = tx + radius * np.sin(angle), ty + radius * np.cos(angle)
    against = (net.oneway == -1) | ((net.oneway == 0) & (rng.uniform(0, 1, n) < 0.5))
    heading = np.mod(net.bearing_deg + np.where(against, 180.0, 0.0) + rng.uniform(-1, 1, n) * heading_noise, 360)
    distances = brute_distances(tx, ty)
    other_way = net.way_id[None, :] != net.way_id[:, None]
    clear = np.where(other_way, distances, np.inf).min(axis=1) > 12.0
    assert clear.sum() >= 0.6 * n  # most segments are tested in every example
    # Ten minutes apart: each position is judged alone, without the continuity of the one before.
    out = match(positions(px, py, np.full(n, speed), heading, np.arange(n) * 600.0, frame="network"), net)
    got = np.array(out.column("way_id").to_pylist(), dtype=object)
    assert list(got[clear]) == list(net.way_id[clear])  # rows stay in time order, one per segment
    dist = np.array(out.column("match_distance_m").to_pylist(), dtype=float)
    assert np.all(dist[clear] <= noise_m + 1e-3)  # a millimetre: the round trip through WGS84 degrees
    if not math.isnan(speed) and speed >= 10.0:
        expected = np.where(against, net.limit_backward_kph, net.limit_forward_kph)
        limit = np.array(out.column("limit_kph").to_pylist(), dtype=float)
        assert np.allclose(limit[clear], expected[clear], equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_tel10_position_beyond_the_radius_matches_nothing(seed: int) -> None:
    """TEL-10 (property): a position farther than the radius from every road matches nothing (nulls: an unknown
    limit); one within it matches the nearest road, as a brute-force search over every segment finds it."""
    net = network()
    rng = np.random.default_rng(seed)
    lo_x, hi_x = min(net.x0.min(), net.x1.min()) - 300, max(net.x0.max(), net.x1.max()) + 300
    lo_y, hi_y = min(net.y0.min(), net.y1.min()) - 300, max(net.y0.max(), net.y1.max()) + 300
    px, py = rng.uniform(lo_x, hi_x, 400), rng.uniform(lo_y, hi_y, 400)
    nearest = brute_distances(px, py).min(axis=1)
    out = match(positions(px, py, np.full(400, np.nan), np.full(400, np.nan), np.arange(400) * 600.0, "network"),
                net)
    way = np.array(out.column("way_id").to_pylist(), dtype=object)
    far = nearest > RADIUS + 1e-6
    near = nearest < RADIUS - 1e-6
    assert far.sum() > 0
    assert all(w is None for w in way[far])
    assert all(v is None for v in np.array(out.column("limit_kph").to_pylist(), dtype=object)[far])
    assert all(v is None for v in np.array(out.column("road_class").to_pylist(), dtype=object)[far])
    assert all(w is not None for w in way[near])
    dist = np.array(out.column("match_distance_m").to_pylist(), dtype=float)
    assert np.allclose(dist[near], nearest[near])


def drive() -> pa.Table:
    """A short drive: east along High Street at walking pace into the Church Lane junction, north up Church
    Lane, then across town on the bypass."""
    xs = [-60, -40, -20, -10, 2, 0.5, 1, 0, 1, 0, 200, 400, 600]
    ys = [0, 1, -1, 1, 4, 20, 40, 60, 80, 100, 1492, 1489, 1491]
    speeds = [8, 8, 7, 6, 5, 20, 25, 30, 30, 30, 90, 95, 100]
    headings = [90, 90, 90, 85, 60, 0, 0, 2, 358, 0, 90, 91, 89]
    seconds = [0, 5, 10, 13, 16, 20, 23, 26, 29, 32, 400, 408, 416]
    return positions(np.array(xs, float), np.array(ys, float), np.array(speeds, float),
                     np.array(headings, float), np.array(seconds, float))


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(13)))
def test_tel3_matching_is_independent_of_row_order(order: list[int]) -> None:
    """TEL-3 (property): rows given in any order are matched as the time-sorted day is."""
    day = drive()
    expected = match(day, network())
    assert match(day.take(pa.array(order)), network()).equals(expected)


# --- matching: heading and continuity ----------------------------------------------------------------------


def test_tel3_heading_east_matches_the_eastbound_carriageway_though_nearer_the_westbound() -> None:
    """TEL-3: 8 m from the westbound carriageway and 12 m from the eastbound, heading east at 80 km/h."""
    east = one(0.0, 1502.0, speed=80.0, heading=90.0)
    assert east["way_id"] == BYPASS_EAST
    assert east["limit_kph"] == pytest.approx(70 * KPH_PER_MPH)
    assert east["road_class"] == "trunk"
    assert east["match_distance_m"] == pytest.approx(12.0, abs=0.01)
    assert one(0.0, 1502.0, speed=80.0, heading=270.0)["way_id"] == BYPASS_WEST
    # Without a heading (or nearly stationary) only the distance counts.
    assert one(0.0, 1502.0)["way_id"] == BYPASS_WEST
    assert one(0.0, 1502.0, speed=4.0, heading=90.0)["way_id"] == BYPASS_WEST


def test_tel3_heading_against_every_nearby_one_way_matches_nothing() -> None:
    """TEL-3: a car heading north on the M40 is matched to the northbound carriageway even on top of the
    southbound one (the wrong way on a one-way road is never a candidate); heading across both, to neither."""
    assert one(3510.0, 0.0, speed=80.0, heading=0.0)["way_id"] == M40_NORTH  # 20 m from the northbound side
    assert one(3492.0, 0.0, speed=80.0, heading=0.0)["way_id"] == M40_NORTH
    # Heading east across both carriageways: neither direction is within 45 degrees.
    assert one(3500.0, 0.0, speed=80.0, heading=90.0)["way_id"] is None


def test_tel3_continuity_keeps_the_matched_way_through_a_junction() -> None:
    """TEL-3: creeping east along High Street into the Church Lane junction, a fix 2 m from Church Lane and 4 m
    from High Street stays on High Street; the same fix alone matches Church Lane; once the car is well up
    Church Lane it is matched there."""
    out = match(drive(), network())
    ways = out.column("way_id").to_pylist()
    assert ways[:5] == [HIGH_STREET] * 5
    assert one(2.0, 4.0, speed=5.0, heading=60.0)["way_id"] == CHURCH_LANE
    assert ways[6:10] == [CHURCH_LANE] * 4
    assert ways[10:] == [BYPASS_EAST] * 3
    limits = out.column("limit_kph").to_pylist()
    assert limits[0] == pytest.approx(30 * KPH_PER_MPH)
    assert limits[7] == pytest.approx(20 * KPH_PER_MPH)


def test_tel3_continuity_does_not_outlast_a_gap() -> None:
    """TEL-3: after more than CONTINUITY_GAP_S without a fix, the next one is judged alone."""
    day = positions(np.array([-20.0, 2.0]), np.array([0.0, 4.0]), np.array([5.0, 5.0]), np.array([90.0, 60.0]),
                    np.array([0.0, CONTINUITY_GAP_S + 1]))
    assert match(day, network()).column("way_id").to_pylist() == [HIGH_STREET, CHURCH_LANE]


def test_tel3_directional_limit_follows_the_direction_of_travel() -> None:
    """TEL-3: Hill Road is 40 mph northbound (along the way) and 30 mph southbound; with no heading the higher
    is taken, so a legal speed is never called speeding."""
    assert one(1003.0, 1900.0, speed=50.0, heading=0.0)["limit_kph"] == pytest.approx(40 * KPH_PER_MPH)
    assert one(1003.0, 1900.0, speed=50.0, heading=180.0)["limit_kph"] == pytest.approx(30 * KPH_PER_MPH)
    assert one(1003.0, 1900.0)["limit_kph"] == pytest.approx(40 * KPH_PER_MPH)


def test_tel10_matched_road_without_a_limit_has_a_null_limit() -> None:
    """TEL-10: Back Lane has no maxspeed: matched, but its limit is unknown (null), never judged as speeding."""
    found = one(0.0, -502.0, speed=40.0, heading=90.0)
    assert found["way_id"] == BACK_LANE
    assert found["limit_kph"] is None
    assert found["road_class"] == "residential"


def test_tel3_match_output_schema_and_empty_day() -> None:
    """TEL-3: the output is the input's columns then MATCH_FIELDS; an empty day gives an empty table."""
    out = match(drive(), network())
    assert out.schema.names == [*POSITION_SCHEMA.names, *(f.name for f in MATCH_FIELDS)]
    assert all(out.schema.field(f.name).type == f.type for f in MATCH_FIELDS)
    again = match(out, network())
    assert again.equals(out)  # matching a matched day replaces its match columns
    empty = match(POSITION_SCHEMA.empty_table(), network())
    assert empty.num_rows == 0 and empty.schema.names[-4:] == [f.name for f in MATCH_FIELDS]


def test_tel3_angle_difference() -> None:
    """TEL-3: bearings compare across north (350 vs 10 is 20 degrees)."""
    got = angle_diff_deg(np.array([350.0, 0.0, 90.0, 0.0]), np.array([10.0, 180.0, 270.0, 0.0]))
    assert np.allclose(got, [20.0, 180.0, 180.0, 0.0])


def reference_match(x: np.ndarray, y: np.ndarray, speed: np.ndarray, heading: np.ndarray,
                    seconds: np.ndarray) -> list[int | None]:
    """The matching rule of map_matching's docstring, one position at a time over every segment: the oracle
    for the vectorised candidate search and the round-based continuity pass."""
    net = network()
    distances = brute_distances(x, y)
    chosen: list[int | None] = []
    for i in range(len(x)):
        moving = not math.isnan(heading[i]) and not math.isnan(speed[i]) and speed[i] >= HEADING_MIN_KPH
        best_per_way: dict[int, tuple[float, int]] = {}
        for s in range(len(net)):
            dist = float(distances[i, s])
            if dist > RADIUS:
                continue
            cost = dist
            if moving:
                along = abs((heading[i] - net.bearing_deg[s] + 180.0) % 360.0 - 180.0)
                off = {1: along, -1: 180.0 - along}.get(int(net.oneway[s]), min(along, 180.0 - along))
                if off > MAX_HEADING_DIFF_DEG:
                    continue
                cost += HEADING_COST_M_PER_DEG * off
            way = int(net.way_id[s])
            if way not in best_per_way or (cost, s) < best_per_way[way]:
                best_per_way[way] = (cost, s)
        if not best_per_way:
            chosen.append(None)
            continue
        best_way = min(best_per_way, key=lambda w: best_per_way[w])
        least = best_per_way[best_way][0]
        previous = chosen[-1] if i > 0 and seconds[i] - seconds[i - 1] <= CONTINUITY_GAP_S else None
        if previous is not None and previous in best_per_way and \
                best_per_way[previous][0] <= least + CONTINUITY_TOLERANCE_M:
            chosen.append(previous)
        else:
            chosen.append(best_way)
    return chosen


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), centre=st.sampled_from([(0.0, 0.0), (1000.0, 0.0), (1000.0, 1500.0),
                                                               (-400.0, -500.0), (3500.0, 2380.0)]))
def test_tel3_matching_agrees_with_a_position_by_position_reference(seed: int, centre: tuple[float, float]) -> None:
    """TEL-3 (property): around junctions (High Street and Church Lane, the roundabout, the bypass crossing,
    Back Lane's corner, the motorway bridge), a wandering car's matches equal the one-at-a-time reference, so
    the vectorised search misses no candidate and the continuity rounds reach the sequential pass's result."""
    rng = np.random.default_rng(seed)
    n = 40
    cx, cy = network().project(*town(np.array([centre[0]]), np.array([centre[1]])))
    x = cx[0] + np.cumsum(rng.normal(0, 6, n))
    y = cy[0] + np.cumsum(rng.normal(0, 6, n))
    speed = np.where(rng.uniform(0, 1, n) < 0.2, np.nan, rng.uniform(0, 60, n))
    heading = np.where(rng.uniform(0, 1, n) < 0.1, np.nan, rng.uniform(0, 360, n))
    seconds = np.cumsum(np.where(rng.uniform(0, 1, n) < 0.05, 120.0, 1.0))
    day = positions(x, y, speed, heading, seconds, frame="network")
    assert match(day, network()).column("way_id").to_pylist() == reference_match(x, y, speed, heading, seconds)


def test_tel10_grid_lookup_beyond_its_reach_and_without_coordinates() -> None:
    """TEL-10: a radius wider than the grid's reach still finds every road within it (the slower ring search),
    and a position with no usable coordinates is matched to nothing rather than to a wrong road."""
    net = network()
    cx, cy = net.project(*town(np.array([0.0]), np.array([-540.0])))  # 40 m south of Back Lane
    day = positions(np.array([cx[0], np.nan]), np.array([cy[0], 0.0]), np.array([np.nan, np.nan]),
                    np.array([np.nan, np.nan]), np.array([0.0, 600.0]), frame="network")
    assert match(day, net).column("way_id").to_pylist() == [None, None]
    wide = match(day, net, radius_m=45.0)
    assert wide.column("way_id").to_pylist() == [BACK_LANE, None]
    assert wide.column("match_distance_m")[0].as_py() == pytest.approx(40.0, abs=0.01)


def test_tel3_matching_in_chunks_equals_matching_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """TEL-3: a long day is matched a chunk of rows at a time; continuity carries across the chunks' edges."""
    from covernote.telematics.domain import map_matching

    whole = match(drive(), network())
    monkeypatch.setattr(map_matching, "CHUNK_ROWS", 3)
    assert match(drive(), network()).equals(whole)
    assert whole.column("way_id").to_pylist()[4] == HIGH_STREET  # the continuity case sits in the second chunk
