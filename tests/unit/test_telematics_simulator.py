"""TEL-2, TEL-3, TEL-5, TEL-10: the seeded device simulator (`telematics/domain/simulator.py`) checked through
the one scoring pipeline (`pipeline.score_device_day`) with the young-driver ruleset: a calm drive costs
nothing; each injected behaviour produces its event, where and when it was injected; the same seed gives the
same table; and the `simulate` command writes what ingestion and the Traccar reader take."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.products.store.files import load_catalogue
from covernote.telematics.adapters.osm import load_network
from covernote.telematics.adapters.traccar import from_traccar
from covernote.telematics.cli.simulate import app, traccar_json
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.journeys import with_journeys
from covernote.telematics.domain.pipeline import score_device_day
from covernote.telematics.domain.positions import POSITION_SCHEMA
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.routing import Route, RoutingGraph
from covernote.telematics.domain.scoring import ScoreEvent
from covernote.telematics.domain.simulator import (
    DayPlan,
    Injection,
    Profile,
    Speeding,
    TripPlan,
    drive,
    loop_route,
    random_route,
    simulate_day,
    simulate_days,
    simulate_trip,
)

ROOT = Path(__file__).resolve().parents[2]
NOON = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)
ASHCOMBE_ROAD = 1006  # 40 mph
HIGH_STREET = 1001  # 30 mph
TOWN = 6  # High Street at Mill Road: in the strongly connected part of the town
UNSAFE = {"speeding", "severe_speeding", "harsh_acceleration", "harsh_braking", "harsh_cornering"}


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return load_network(ASHCOMBE_OSM)


@pytest.fixture(scope="module")
def graph(network: RoadNetwork) -> RoutingGraph:
    return RoutingGraph.of(network)


@pytest.fixture(scope="module")
def rules() -> TelematicsRules:
    found = load_catalogue(ROOT / "products").versions("YOUNG_DRIVER")[0].telematics_rules
    assert found is not None
    return found


@pytest.fixture(scope="module")
def through_town(graph: RoutingGraph) -> Route:
    """High Street east, the roundabout, Ashcombe Road north, Hill Road: 30 and 40 mph roads, 4 km."""
    return graph.route_via([1, 158])


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = math.radians(lat2 - lat1) * 6_371_008.8
    dx = math.radians(lon2 - lon1) * 6_371_008.8 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def _events(network: RoadNetwork, rules: TelematicsRules, table: pa.Table, kind: str) -> list[ScoreEvent]:
    return [e for e in score_device_day(table, network, rules).score.events if e.kind == kind]


def _assert_at(event: ScoreEvent, injected: Injection, slack_s: float = 2.0, within_m: float = 60.0) -> None:
    """The event begins inside the injected span (a fix or two of slack) and near where it began."""
    assert injected.start - timedelta(seconds=slack_s) <= event.start <= injected.end + timedelta(seconds=slack_s)
    assert _metres(event.lat, event.lon, injected.lat, injected.lon) <= within_m


# --- the positions themselves ---------------------------------------------------------------------------------

def test_tel2_a_trip_is_one_device_at_1_hz_with_ignition_off_at_the_end(network: RoadNetwork,
                                                                        rules: TelematicsRules,
                                                                        through_town: Route) -> None:
    """TEL-2: the table is POSITION_SCHEMA; fixes a second apart, seq increasing by one from `first_seq`;
    ignition on until a last fix with it off; at rest at both ends; every fix within GPS noise of the road
    driven (matched within 15 m) with a heading along it; HDOP and satellites in a real receiver's range."""
    table = simulate_trip(network, through_town, NOON, seed=3, device_id="356938035643817", first_seq=100)
    assert table.schema == POSITION_SCHEMA
    ts = table["ts"].cast(pa.int64()).to_numpy()
    assert np.all(np.diff(ts) > 0) and np.max(np.diff(ts)) <= 1_000_000
    assert table["seq"].to_pylist() == list(range(100, 100 + table.num_rows))
    assert set(table["device_id"].to_pylist()) == {"356938035643817"}
    ignition = table["ignition"].to_pylist()
    assert ignition[-1] is False and all(ignition[:-1])
    speed = table["speed_kph"].to_numpy()
    assert speed[0] < 1 and speed[-1] < 1 and speed.max() > 40
    hdop = table["hdop"].to_numpy()
    assert hdop.min() >= 0.5 and hdop.max() <= 2.0
    assert table["satellites"].to_numpy().min() >= 5
    matched = score_device_day(table, network, rules).matched
    assert matched["match_distance_m"].null_count == 0
    assert float(np.max(matched["match_distance_m"].to_numpy())) < 15.0
    assert set(matched["way_id"].to_pylist()) <= set(through_town.way_ids(network).tolist())


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_tel2_property_the_same_seed_gives_the_same_table(network: RoadNetwork, graph: RoutingGraph,
                                                          seed: int) -> None:
    """TEL-2 (property over seeds): deterministic for a seed: trips and days equal exactly, injections too;
    the next seed gives other positions."""
    route = random_route(graph, seed, within=TOWN)
    profile = Profile(speeding=(Speeding(HIGH_STREET, 8),))
    one, two = drive(network, route, NOON, seed, profile), drive(network, route, NOON, seed, profile)
    assert one.table.equals(two.table) and one.injections == two.injections
    assert not simulate_trip(network, route, NOON, seed).equals(simulate_trip(network, route, NOON, seed + 1))
    day = date(2026, 6, 10)
    first = simulate_day(network, "356938035643809", day, seed)
    again = simulate_day(network, "356938035643809", day, seed)
    assert first.table.equals(again.table) and first.injections == again.injections


# --- calm driving costs nothing -----------------------------------------------------------------------------

@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_tel3_property_a_calm_drive_has_no_speeding_and_no_harsh_events(network: RoadNetwork, graph: RoutingGraph,
                                                                        rules: TelematicsRules, seed: int) -> None:
    """TEL-3, TEL-10 (property over seeds): a calm drive by day on a random route (under every limit, gentle
    bends, no injection), cleaned, journeyed, matched and scored, has no speeding and no harsh event, and
    scores the top of the scale."""
    route = random_route(graph, seed, min_m=2000, within=TOWN)
    sim = drive(network, route, NOON, seed)
    assert sim.injections == ()
    scored = score_device_day(sim.table, network, rules)
    assert not [e for e in scored.score.events if e.kind in UNSAFE], scored.score.events
    assert [j.overall for j in scored.score.journeys] == [rules.scale_max]
    # the same drive through Traccar (no accelerometer: eco values derived from the GPS) costs nothing either
    gps_only = from_traccar(traccar_json(sim.table), received_at=NOON)
    assert not [e for e in score_device_day(gps_only, network, rules).score.events if e.kind in UNSAFE]


# --- each injection produces its event, where and when -----------------------------------------------------

def test_tel3_injected_speeding_is_a_speeding_episode_on_that_road_then(network: RoadNetwork,
                                                                        rules: TelematicsRules,
                                                                        through_town: Route) -> None:
    """TEL-3: 8 mph over on Ashcombe Road (48 in a 40: over the 10% + 2 mph threshold, under the severe 50) is
    one speeding episode, on Ashcombe Road, beginning when the injected stretch began; nowhere else."""
    for seed in (1, 2):
        sim = drive(network, through_town, NOON, seed, Profile(speeding=(Speeding(ASHCOMBE_ROAD, 8),)))
        (injected,) = sim.injections
        assert injected.kind == "speeding" and injected.way_id == ASHCOMBE_ROAD
        scored = score_device_day(sim.table, network, rules)
        (event,) = [e for e in scored.score.events if e.kind in UNSAFE]
        assert event.kind == "speeding" and "in a 40 limit" in event.detail
        assert abs((event.start - injected.start).total_seconds()) <= 5
        assert injected.start <= event.end <= injected.end + timedelta(seconds=2)


def test_tel5_injected_severe_speeding_is_severe(network: RoadNetwork, rules: TelematicsRules,
                                                through_town: Route) -> None:
    """TEL-5: 12 mph over on Ashcombe Road (52 in a 40, at or over the severe 50) is severe speeding."""
    sim = drive(network, through_town, NOON, 4, Profile(speeding=(Speeding(ASHCOMBE_ROAD, 12),)))
    (event,) = _events(network, rules, sim.table, "severe_speeding")
    (injected,) = sim.injections
    assert abs((event.start - injected.start).total_seconds()) <= 5


def test_tel3_speeding_inside_the_police_tolerance_is_not_an_event(network: RoadNetwork, rules: TelematicsRules,
                                                                   through_town: Route) -> None:
    """TEL-3: 3 mph over in a 30 (under 30 x 1.1 + 2 = 35 mph) is injected, but the ruleset's tolerance lets it
    pass: the simulator reports it, the score has no speeding."""
    sim = drive(network, through_town, NOON, 5, Profile(speeding=(Speeding(HIGH_STREET, 3),)))
    assert [i.kind for i in sim.injections] == ["speeding"]
    scored = score_device_day(sim.table, network, rules)
    assert not [e for e in scored.score.events if e.kind in UNSAFE]


@pytest.mark.parametrize(("kind", "profile"), [
    ("harsh_braking", Profile(harsh_braking=(0.7,))),
    ("harsh_acceleration", Profile(harsh_acceleration=(0.7,))),
    ("harsh_cornering", Profile(harsh_cornering=(0.3,))),
])
def test_tel3_each_injected_harsh_manoeuvre_is_its_event_there_and_then(network: RoadNetwork,
                                                                        rules: TelematicsRules,
                                                                        graph: RoutingGraph, kind: str,
                                                                        profile: Profile) -> None:
    """TEL-3: harsh braking (5.5 m/s^2), acceleration (4.0 m/s^2) and cornering (5.2 m/s^2 in a bend) each give
    exactly one event of their kind, beginning within the injected span and near its place, and no other
    unsafe event."""
    route = graph.route_via([1, 6, 43, 16, 24, 158])  # High Street, Mill Road, Back Lane, the roundabout, north
    for seed in (0, 1):
        sim = drive(network, route, NOON, seed, profile)
        (injected,) = sim.injections
        assert injected.kind == kind
        scored = score_device_day(sim.table, network, rules)
        unsafe = [e for e in scored.score.events if e.kind in UNSAFE]
        assert [e.kind for e in unsafe] == [kind], unsafe
        _assert_at(unsafe[0], injected)


def test_tel3_harsh_acceleration_is_found_from_the_gps_alone_when_it_lasts(network: RoadNetwork,
                                                                          rules: TelematicsRules,
                                                                          graph: RoutingGraph) -> None:
    """TEL-3: without an accelerometer (Traccar), a harsh acceleration lasting seconds (4 m/s^2 from 16 km/h
    up to the 60 mph cruise on Fosse Lane) is still found, from the GPS speeds, where it was injected."""
    route = graph.route_via([1, 108])
    for seed in (0, 1):
        sim = drive(network, route, NOON, seed, Profile(harsh_acceleration=(0.8,)))
        gps_only = from_traccar(traccar_json(sim.table), received_at=NOON)
        unsafe = [e for e in score_device_day(gps_only, network, rules).score.events if e.kind in UNSAFE]
        assert [e.kind for e in unsafe] == ["harsh_acceleration"]
        _assert_at(unsafe[0], sim.injections[0], within_m=80.0)


def test_tel3_a_harsh_manoeuvre_where_the_car_is_too_slow_is_refused(network: RoadNetwork,
                                                                    graph: RoutingGraph) -> None:
    """TEL-3: Church Lane is a 20 mph zone: cruising at about 18 mph the car cannot brake harshly for long
    enough, so the simulator refuses rather than report an injection the drive does not contain."""
    church = np.flatnonzero(network.way_id == 1002)
    route = graph.route(int(network.node_from[church[0]]), int(network.node_to[church[-1]]))
    with pytest.raises(ValueError, match="harsh_braking"):
        drive(network, route, NOON, 1, Profile(harsh_braking=(0.6,)))
    with pytest.raises(ValueError, match="harsh_acceleration"):
        drive(network, route, NOON, 1, Profile(harsh_acceleration=(0.3,)))


def test_tel3_harsh_cornering_needs_a_bend_after_the_point(network: RoadNetwork, graph: RoutingGraph) -> None:
    """TEL-3: a straight route has no bend to take harshly: the simulator refuses rather than inject nothing."""
    east = np.flatnonzero(network.way_id == 1008)
    route = graph.route(int(network.node_from[east[0]]), int(network.node_to[east[-1]]))
    with pytest.raises(ValueError, match="no bend"):
        drive(network, route, NOON, 1, Profile(harsh_cornering=(0.2,)))


def test_tel3_a_trip_started_at_night_is_night_driving_from_its_start(network: RoadNetwork,
                                                                      rules: TelematicsRules,
                                                                      through_town: Route) -> None:
    """TEL-3: a trip leaving at 23:30 UK time (22:30 UTC in June, BST) is night driving from its first fix
    for its whole length; the same trip at noon is not."""
    start = datetime(2026, 6, 10, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    table = simulate_trip(network, through_town, start, 7)
    scored = score_device_day(table, network, rules)
    (event,) = [e for e in scored.score.events if e.kind == "night_driving"]
    assert event.start == table["ts"][0].as_py()
    in_journey = scored.matched.filter(scored.matched["journey"].is_valid())
    assert event.end == max(in_journey["ts"].to_pylist())  # to the journey's last fix (parked drift dropped)
    assert event.end >= table["ts"][table.num_rows - 1].as_py() - timedelta(seconds=10)
    assert not _events(network, rules, simulate_trip(network, through_town, NOON, 7), "night_driving")


def test_tel3_a_two_hour_loop_is_long_driving_from_the_two_hour_mark(network: RoadNetwork, graph: RoutingGraph,
                                                                     rules: TelematicsRules) -> None:
    """TEL-3: a loop of more than two hours without a break is one long_driving event starting 120 minutes
    after the journey began (the Highway Code's two hours), at a place on the route."""
    route = loop_route(graph, TOWN, 130 * 60, seed=3)
    table = simulate_trip(network, route, datetime(2026, 6, 10, 9, 0, tzinfo=UTC), 3)
    (event,) = _events(network, rules, table, "long_driving")
    first = table["ts"][0].as_py()
    assert event.start == first + timedelta(minutes=120)
    assert (table["ts"][-1].as_py() - first) > timedelta(minutes=125)
    assert not [e for e in score_device_day(table, network, rules).score.events if e.kind in UNSAFE]


# --- days ---------------------------------------------------------------------------------------------------

def test_tel2_a_day_is_its_trips_in_order_with_gaps_and_seq_going_on(network: RoadNetwork) -> None:
    """TEL-2: a day's plan gives one journey per trip, in time order, separated by gaps longer than the journey
    gap; departures are UK local times; seq goes on across trips and days."""
    plan = DayPlan((TripPlan(datetime(2026, 1, 1, 8, 0).time()), TripPlan(datetime(2026, 1, 1, 8, 5).time()),
                    TripPlan(datetime(2026, 1, 1, 18, 0).time(), waypoints=(1, 158))))
    sim = simulate_day(network, "356938035643809", date(2026, 6, 10), 4, plan)
    ts = sim.table["ts"].cast(pa.int64()).to_numpy()
    assert np.all(np.diff(ts) > 0)
    assert sim.table["seq"].to_pylist() == list(range(sim.table.num_rows)) and sim.next_seq == sim.table.num_rows
    assert sim.table["ts"][0].as_py() == datetime(2026, 6, 10, 7, 0, tzinfo=UTC)  # 08:00 BST is 07:00 UTC
    journeys = with_journeys(sim.table, timedelta(minutes=5))["journey"]
    assert len(set(journeys.drop_null().to_pylist())) == 3
    gaps = np.diff(ts)[np.diff(ts) > 60_000_000]
    assert len(gaps) == 2 and gaps.min() >= 10 * 60 * 1_000_000  # the second trip waits 10 min after the first
    days = simulate_days(network, "356938035643809", date(2026, 6, 10), 2, 4)
    assert days.table["seq"].to_pylist() == list(range(days.table.num_rows))
    uk_days = {t.astimezone(ZoneInfo("Europe/London")).date() for t in days.table["ts"].to_pylist()}
    assert uk_days == {date(2026, 6, 10), date(2026, 6, 11)}


# --- the command ----------------------------------------------------------------------------------------------

def test_tel2_the_simulate_command_writes_parquet_ingestion_json_and_traccar_json(tmp_path: Path,
                                                                                  network: RoadNetwork,
                                                                                  rules: TelematicsRules) -> None:
    """TEL-2: `simulate` writes the positions as Parquet (POSITION_SCHEMA), the ingestion body (a list of
    positions) and Traccar's forwarding JSON, which `from_traccar` reads back to the same fixes (speed through
    knots); the same seed gives the same file; `--night` adds night driving; bad options are refused naming the
    option."""
    runner = CliRunner()
    args = ["--device", "356938035643825", "--from", "2026-06-10", "--days", "1", "--seed", "8", "--night",
            "--speeding", "1006:8"]
    parquet, body, traccar = tmp_path / "p.parquet", tmp_path / "b.json", tmp_path / "t.json"
    result = runner.invoke(app, [*args, "--output", str(parquet), "--traccar", str(traccar)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(parquet)
    assert table.schema.remove_metadata() == POSITION_SCHEMA
    assert set(table["device_id"].to_pylist()) == {"356938035643825"}
    assert runner.invoke(app, [*args, "--output", str(body)]).exit_code == 0
    rows = json.loads(body.read_text())
    assert len(rows) == table.num_rows and "received_at" not in rows[0]
    assert rows[0]["seq"] == 0 and datetime.fromisoformat(rows[0]["ts"]) == table["ts"][0].as_py()
    again = tmp_path / "again.parquet"
    assert runner.invoke(app, [*args, "--output", str(again)]).exit_code == 0
    assert pq.read_table(again).equals(table)
    back = from_traccar(json.loads(traccar.read_text()), received_at=NOON)
    assert back["seq"].equals(table["seq"]) and back["ts"].equals(table["ts"])
    assert np.allclose(back["speed_kph"].to_numpy(), table["speed_kph"].to_numpy())
    assert back["ignition"].equals(table["ignition"])
    assert "night_driving" in {e.kind for e in score_device_day(table, network, rules).score.events}
    bad = runner.invoke(app, [*args, "--speeding", "fast"])
    assert bad.exit_code != 0 and "--speeding" in bad.output
    none = runner.invoke(app, args)
    assert none.exit_code == 2 and "--output" in none.output
