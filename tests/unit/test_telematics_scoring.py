"""The four-indicator score (TEL-3, TEL-5, TEL-10) over device-days built here as Arrow tables of
SCORING_SCHEMA (journey and limit columns filled), under the young-driver product's own ruleset: each event kind
with its points, the severe table, night hours across midnight and the clock changes, the long-driving break,
the properties (GPS jitter and resampling make no harsh event, no speeding under a known limit or on an unknown
one, row order and batching do not matter) and replay."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.products.store.files import load_product_file
from covernote.telematics.domain.positions import KPH_PER_MPH, SCORING_SCHEMA, kph
from covernote.telematics.domain.scoring import (
    EVENT_KINDS,
    EVENT_SCHEMA,
    SCORING_CODE_VERSION,
    DayScore,
    ReplayMismatch,
    period_score,
    replay,
    score_day,
)

PRODUCTS = Path(__file__).resolve().parents[2] / "products"
_rules = load_product_file(PRODUCTS / "young-driver-2025.yaml").telematics_rules
assert _rules is not None
RULES: TelematicsRules = _rules
NOON = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
DEVICE = "356938035643809"
EARTH_M = 6_371_008.8
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def drive(speed_kph: np.ndarray | list[float], *, start: datetime = NOON, step_s: float = 1.0,
          limit_kph: float | np.ndarray | None = None, heading: float | np.ndarray = 90.0, journey: int | None = 0,
          accel_long: np.ndarray | None = None, accel_lat: np.ndarray | None = None, hdop: float = 0.9,
          satellites: int = 9, seq0: int = 0, lat0: float = 51.5, lon0: float = -0.12,
          pos_noise_m: np.ndarray | None = None) -> pa.Table:
    """A drive of len(speed_kph) fixes `step_s` apart, positions dead-reckoned from speed and heading."""
    v = np.asarray(speed_kph, dtype=float)
    n = v.size
    h = np.broadcast_to(np.asarray(heading, dtype=float), (n,)).copy()
    step = np.concatenate([[0.0], (v[1:] + v[:-1]) / 2 / 3.6 * step_s])
    north = np.cumsum(step * np.cos(np.radians(h)))
    east = np.cumsum(step * np.sin(np.radians(h)))
    if pos_noise_m is not None:
        north, east = north + pos_noise_m[0], east + pos_noise_m[1]
    lat = lat0 + np.degrees(north / EARTH_M)
    lon = lon0 + np.degrees(east / (EARTH_M * math.cos(math.radians(lat0))))
    ts = [start + timedelta(seconds=i * step_s) for i in range(n)]
    limits = (pa.nulls(n, pa.float64()) if limit_kph is None
              else pa.array(np.broadcast_to(np.asarray(limit_kph, dtype=float), (n,)), pa.float64()))
    cols = {
        "device_id": pa.array([DEVICE] * n), "seq": pa.array(np.arange(seq0, seq0 + n), pa.int64()),
        "ts": pa.array(ts, SCORING_SCHEMA.field("ts").type), "lat": pa.array(lat), "lon": pa.array(lon),
        "speed_kph": pa.array(v), "heading_deg": pa.array(h % 360), "hdop": pa.array([hdop] * n),
        "satellites": pa.array([satellites] * n, pa.int16()), "ignition": pa.array([True] * n),
        "accel_long": pa.nulls(n, pa.float64()) if accel_long is None else pa.array(accel_long, pa.float64()),
        "accel_lat": pa.nulls(n, pa.float64()) if accel_lat is None else pa.array(accel_lat, pa.float64()),
        "received_at": pa.array(ts, SCORING_SCHEMA.field("received_at").type),
        "journey": pa.array([journey] * n, pa.int32()),
        "way_id": pa.array([1] * n, pa.int64()), "limit_kph": limits,
        "road_class": pa.array(["primary"] * n), "match_distance_m": pa.array([2.0] * n),
    }
    return pa.table(cols, schema=SCORING_SCHEMA)


def kinds(score: DayScore) -> list[str]:
    return [e.kind for e in score.events]


def score(day: pa.Table) -> DayScore:
    return score_day(day, RULES, map_version="osm-gb-2026-06-01")


# --- constructed cases: each event kind and its points --------------------------------------------------------

def test_tel3_speeding_episode_costs_its_band_and_is_explained() -> None:
    s = RULES.speeding
    speeds = [kph(30)] * 10 + [kph(38)] * 8 + [kph(30)] * 10
    result = score(drive(speeds, limit_kph=kph(30)))
    assert kinds(result) == ["speeding"]
    event = result.events[0]
    assert event.points == s.points_for(8) > 0
    assert (round(event.value), event.threshold, event.unit) == (38, 30 * (1 + s.tolerance_percent / 100)
                                                                 + s.tolerance_mph, "mph")
    assert "38 mph in a 30 limit" in event.detail
    assert (event.start, event.end) == (NOON + timedelta(seconds=10), NOON + timedelta(seconds=17))
    journey = result.journeys[0]
    assert journey.speed == RULES.scale_max - event.points
    w = RULES.weights
    assert journey.overall == pytest.approx(RULES.scale_max - w.speed * event.points / w.total(), abs=0.01)


def test_tel3_speeding_shorter_than_the_minimum_duration_or_within_tolerance_is_not_an_episode() -> None:
    short = int(RULES.speeding.min_duration_s)  # `short` fixes 1 s apart last short - 1 seconds
    assert kinds(score(drive([kph(30)] * 5 + [kph(45)] * short + [kph(30)] * 5, limit_kph=kph(30)))) == []
    within = kph(30) * (1 + RULES.speeding.tolerance_percent / 100) + kph(RULES.speeding.tolerance_mph) - 0.1
    assert kinds(score(drive([within] * 60, limit_kph=kph(30)))) == []


def test_tel3_speeding_bands_rise_with_the_excess() -> None:
    s = RULES.speeding
    limit = 10  # a limit the severe table does not list, so every band is reachable below 100 mph
    assert s.severe_mph_for(limit) == s.severe_any_road_mph
    tolerance = limit * s.tolerance_percent / 100 + s.tolerance_mph
    got = []
    for band in s.points:
        over = max(band.over_mph, tolerance) + 1
        result = score(drive([kph(limit + over)] * 12, limit_kph=kph(limit)))
        assert [e.points for e in result.events] == [band.points], over
        got.append(result.journeys[0].speed)
    assert got == sorted(got, reverse=True) and len(set(got)) == len(got)


@pytest.mark.parametrize("limit_mph", [20, 30, 40, 50, 60, 70])
def test_tel5_severe_speed_for_each_limit_of_the_table(limit_mph: int) -> None:
    s = RULES.speeding
    severe = s.severe_mph_for(limit_mph)
    at = score(drive([kph(severe + 0.5)] * 12, limit_kph=kph(limit_mph)))
    assert kinds(at) == ["severe_speeding"]
    assert (at.events[0].threshold, at.events[0].points) == (severe, s.severe_points)
    assert f"in a {limit_mph} limit" in at.events[0].detail
    below = score(drive([kph(severe - 1)] * 12, limit_kph=kph(limit_mph)))
    assert kinds(below) == ["speeding"]


def test_tel10_an_unknown_limit_is_never_speeding_however_fast() -> None:
    assert kinds(score(drive([kph(130)] * 60, limit_kph=None))) == []


def test_tel3_harsh_braking_from_the_accelerometer_needs_the_minimum_duration() -> None:
    e = RULES.eco
    speeds = np.linspace(60, 40, 20)
    held = np.zeros(20)
    held[8:11] = -(e.harsh_braking_ms2 + 0.6)
    result = score(drive(speeds, accel_long=held))
    assert kinds(result) == ["harsh_braking"]
    event = result.events[0]
    assert (event.points, event.threshold, event.value) == (e.braking_points, e.harsh_braking_ms2,
                                                            round(e.harsh_braking_ms2 + 0.6, 2))
    assert result.journeys[0].eco == RULES.scale_max - e.braking_points
    spike = np.zeros(20)
    spike[9] = -9.0  # one reading: a pothole, not braking
    assert kinds(score(drive(speeds, accel_long=spike))) == []


def test_tel3_harsh_braking_below_the_speed_gate_is_not_counted() -> None:
    e = RULES.eco
    held = np.full(10, -(e.harsh_braking_ms2 + 1))
    assert kinds(score(drive([e.min_speed_kph - 1] * 10, accel_long=held))) == []


def test_tel3_harsh_acceleration_from_gps_speed_when_no_accelerometer() -> None:
    e = RULES.eco
    rate = (e.harsh_acceleration_ms2 + 1) * 3.6  # km/h per second
    speeds = [20.0] * 5 + [20 + rate * i for i in range(1, 7)] + [20 + rate * 6] * 5
    result = score(drive(speeds))
    assert kinds(result) == ["harsh_acceleration"]
    assert result.events[0].points == e.acceleration_points
    assert result.events[0].value == pytest.approx(e.harsh_acceleration_ms2 + 1, abs=0.01)


def test_tel3_gps_harsh_events_are_found_whatever_the_journeys_numbering() -> None:
    # journey 0 is driven in the evening, journey 1 in the morning: rows are in journey order, not time order
    e = RULES.eco
    rate = (e.harsh_acceleration_ms2 + 1) * 3.6
    speeds = [20.0] * 5 + [20 + rate * i for i in range(1, 7)] + [20 + rate * 6] * 5
    evening = drive(speeds, start=NOON + timedelta(hours=6), journey=0)
    morning = drive(speeds, start=NOON - timedelta(hours=4), journey=1, seq0=1000)
    result = score(pa.concat_tables([morning, evening]))
    assert [(ev.kind, ev.journey) for ev in result.events] == [("harsh_acceleration", 1), ("harsh_acceleration", 0)]


def test_tel3_gps_harsh_events_need_good_fixes() -> None:
    e = RULES.eco
    rate = (e.harsh_acceleration_ms2 + 1) * 3.6
    speeds = [20.0] * 5 + [20 + rate * i for i in range(1, 7)] + [20 + rate * 6] * 5
    assert kinds(score(drive(speeds, hdop=e.max_hdop + 1))) == []
    assert kinds(score(drive(speeds, satellites=e.min_satellites - 1))) == []
    assert kinds(score(drive(speeds, step_s=e.max_step_s + 1))) == []  # fixes too far apart to judge


def test_tel3_harsh_cornering_from_speed_and_heading_rate_and_from_the_accelerometer() -> None:
    e = RULES.eco
    v = 50.0
    rate = math.degrees((e.harsh_cornering_ms2 + 1) / (v / 3.6))  # degrees per second
    heading = np.concatenate([np.zeros(5), rate * np.arange(1, 9), np.full(5, rate * 8)])
    result = score(drive([v] * heading.size, heading=heading))
    assert kinds(result) == ["harsh_cornering"]
    assert result.events[0].points == e.cornering_points
    lateral = np.zeros(15)
    lateral[5:8] = -(e.harsh_cornering_ms2 + 0.5)  # a left turn: the magnitude is judged
    assert kinds(score(drive([v] * 15, accel_lat=lateral, accel_long=np.zeros(15)))) == ["harsh_cornering"]
    slow = RULES.eco.min_cornering_speed_kph - 5
    assert kinds(score(drive([slow] * 15, accel_lat=lateral, accel_long=np.zeros(15)))) == []


def test_tel3_night_driving_across_midnight_costs_per_hour() -> None:
    start = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)  # GMT: local = UTC
    result = score(drive([40.0] * 3601, start=start))
    assert kinds(result) == ["night_driving"]
    event = result.events[0]
    assert (event.value, event.unit) == (60.0, "min")
    assert event.points == RULES.night.points_per_hour
    assert result.journeys[0].time_of_day == RULES.scale_max - RULES.night.points_per_hour


def test_tel3_night_is_judged_in_uk_local_time_across_the_clock_changes() -> None:
    end_hour = int(RULES.night.end_hour)
    # 29 March 2026: clocks go forward at 01:00 UTC. end_hour - 1 UTC is GMT night the day before, BST day after.
    before = datetime(2026, 3, 28, end_hour - 1, 0, tzinfo=UTC)
    after = datetime(2026, 3, 29, end_hour - 1, 0, tzinfo=UTC)
    assert kinds(score(drive([40.0] * 1801, start=before))) == ["night_driving"]
    assert kinds(score(drive([40.0] * 1801, start=after))) == []
    # 25 October 2026: clocks go back at 01:00 UTC. start_hour - 1 UTC is night in BST, not in GMT.
    start_hour = int(RULES.night.start_hour)
    assert kinds(score(drive([40.0] * 1801, start=datetime(2026, 10, 24, start_hour - 1, tzinfo=UTC)))) == [
        "night_driving"]
    assert kinds(score(drive([40.0] * 1801, start=datetime(2026, 10, 25, start_hour - 1, tzinfo=UTC)))) == []


def test_tel3_a_night_drive_through_the_spring_clock_change_ends_at_local_end_hour() -> None:
    # 29 March 2026, 00:30 to 05:30 UTC: 00:30 GMT to 06:30 BST. The night ends at end_hour BST, which is
    # end_hour - 1 UTC: an hour earlier in UTC than the drive's start offset (GMT) would say.
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    result = score(drive([40.0] * (5 * 3600 + 1), start=start))
    night = [e for e in result.events if e.kind == "night_driving"]
    expected_min = (RULES.night.end_hour - 1) * 60 - 30
    assert [e.value for e in night] == [expected_min]
    assert night[0].points == pytest.approx(expected_min / 60 * RULES.night.points_per_hour, abs=0.01)


def test_tel3_long_driving_without_a_break_costs_the_time_beyond_the_limit() -> None:
    r = RULES.duration
    limit_s = int(r.max_continuous_s)
    result = score(drive([50.0] * (limit_s + 1800 + 1), step_s=1.0))
    assert kinds(result) == ["long_driving"]
    event = result.events[0]
    assert event.points == pytest.approx(0.5 * r.points_per_hour, abs=0.01)
    assert event.start == NOON + timedelta(seconds=limit_s)
    assert result.journeys[0].duration == pytest.approx(RULES.scale_max - 0.5 * r.points_per_hour, abs=0.01)


def test_tel3_journeys_closer_than_the_break_are_one_stretch_of_driving() -> None:
    r = RULES.duration
    half = int(r.max_continuous_s * 0.6)  # two journeys of 0.6 x the limit each: 0.2 x the limit too long
    first = drive([50.0] * (half + 1), step_s=1.0, journey=0)

    def second(gap_s: float) -> pa.Table:
        return drive([50.0] * (half + 1), start=NOON + timedelta(seconds=half + gap_s), journey=1, seq0=10 ** 6)

    short = score(pa.concat_tables([first, second(r.break_s - 60)]))
    assert kinds(short) == ["long_driving"] and short.events[0].journey == 1
    assert short.events[0].points == pytest.approx(0.2 * r.max_continuous_s / 3600 * r.points_per_hour, abs=0.01)
    assert kinds(score(pa.concat_tables([first, second(r.break_s)]))) == []


def test_tel2_rows_in_no_journey_are_ignored() -> None:
    day = drive([40.0] * 30, limit_kph=kph(30))
    parked = drive([kph(120)] * 30, start=NOON + timedelta(hours=1), limit_kph=kph(30), journey=None, seq0=100)
    assert score(pa.concat_tables([day, parked])) == score(day)


def test_tel3_events_table_and_journey_figures() -> None:
    speeds = [kph(30)] * 10 + [kph(38)] * 8 + [kph(30)] * 10
    result = score(drive(speeds, limit_kph=kph(30)))
    table = result.events_table()
    assert table.schema == EVENT_SCHEMA and table.num_rows == len(result.events) == 1
    assert table.column("kind").to_pylist() == ["speeding"]
    journey = result.journeys[0]
    expected_m = sum((speeds[i] + speeds[i + 1]) / 2 / 3.6 for i in range(len(speeds) - 1))
    assert journey.distance_km == pytest.approx(expected_m / 1000, rel=1e-3)
    assert journey.driving_s == len(speeds) - 1


def test_tel3_period_score_is_the_driving_time_weighted_mean() -> None:
    clean = score(drive([40.0] * 601, limit_kph=kph(30)))
    speedy = score(drive([kph(38)] * 201, start=NOON + timedelta(days=1), limit_kph=kph(30)))
    period = period_score([clean, speedy])
    j1, j2 = clean.journeys[0], speedy.journeys[0]
    assert period.score == pytest.approx((j1.overall * 600 + j2.overall * 200) / 800, abs=0.01)
    assert period.speed == pytest.approx((j1.speed * 600 + j2.speed * 200) / 800, abs=0.01)
    assert dict(period.event_counts)["speeding"] == 1 and [k for k, _ in period.event_counts] == list(EVENT_KINDS)
    assert (period.journeys, period.rulesets, period.code_versions) == (2, (RULES.ruleset,), (SCORING_CODE_VERSION,))
    assert period_score([]).score is None


# --- replay (TEL-10) ------------------------------------------------------------------------------------------

def _eventful_day() -> pa.Table:
    held = np.zeros(40)
    held[20:24] = -(RULES.eco.harsh_braking_ms2 + 1)
    return pa.concat_tables([
        drive([kph(38)] * 40, limit_kph=kph(30), accel_long=held, journey=0),
        drive([kph(50)] * 30, start=NOON + timedelta(hours=11, minutes=30), limit_kph=kph(30), journey=1, seq0=500),
    ])


def test_tel10_replaying_a_stored_day_with_its_recorded_versions_gives_the_same_score() -> None:
    day = _eventful_day()
    original = score(day)
    assert original.events and original.versions.ruleset == RULES.ruleset
    assert original.versions.code_version == SCORING_CODE_VERSION
    stored = DayScore.from_dict(json.loads(json.dumps(original.to_dict())))
    assert stored == original
    assert replay(day, RULES, stored.versions) == original


def test_tel10_replay_refuses_other_rules_or_another_kernel() -> None:
    day = _eventful_day()
    recorded = score(day).versions
    with pytest.raises(ReplayMismatch, match="ruleset"):
        replay(day, replace(RULES, ruleset="YD-2099.9"), recorded)
    with pytest.raises(ReplayMismatch, match="computed by"):
        replay(day, RULES, replace(recorded, code_version="score-0"))


# --- properties -----------------------------------------------------------------------------------------------

@st.composite
def smooth_profiles(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Speed (km/h) and heading (deg) at 2 Hz: segments of gentle acceleration (|a| <= 1.5 m/s^2) and gentle
    turns (lateral <= 1.5 m/s^2), the kind of drive a careful driver makes."""
    dt = 0.5
    speeds, headings = [draw(st.floats(0, 100))], [draw(st.floats(0, 359))]
    for _ in range(draw(st.integers(2, 6))):
        target = draw(st.floats(0, 120))
        accel = draw(st.floats(0.3, 1.5))
        lateral = draw(st.floats(-1.5, 1.5))
        for _ in range(int(draw(st.floats(5, 40)) / dt)):
            v = speeds[-1]
            v = min(target, v + accel * 3.6 * dt) if target > v else max(target, v - accel * 3.6 * dt)
            turn = math.degrees(lateral / max(v / 3.6, 5.0)) * dt
            speeds.append(v)
            headings.append(headings[-1] + turn)
    return np.array(speeds), np.array(headings)


@PROPERTY
@given(profile=smooth_profiles(), seed=st.integers(0, 2 ** 32 - 1))
def test_tel3_property_gps_jitter_on_a_smooth_drive_never_makes_a_harsh_event(
        profile: tuple[np.ndarray, np.ndarray], seed: int) -> None:
    speeds, headings = profile
    rng = np.random.default_rng(seed)
    n = speeds.size
    noisy = np.maximum(speeds + rng.uniform(-3, 3, n), 0)  # a few km/h
    noisy_heading = headings + rng.uniform(-3, 3, n)  # a few degrees
    jitter = rng.uniform(-5, 5, (2, n))  # a few metres
    day = drive(noisy, step_s=0.5, heading=noisy_heading, pos_noise_m=jitter, hdop=float(rng.uniform(0.7, 1.5)))
    assert not [k for k in kinds(score(day)) if k.startswith("harsh")]


@PROPERTY
@given(profile=smooth_profiles())
def test_tel3_property_resampling_a_drive_at_2_1_or_half_hz_makes_no_harsh_event(
        profile: tuple[np.ndarray, np.ndarray]) -> None:
    speeds, headings = profile
    for every in (1, 2, 4):  # 2 Hz, 1 Hz, 0.5 Hz
        day = drive(speeds[::every], step_s=0.5 * every, heading=headings[::every])
        assert not [k for k in kinds(score(day)) if k.startswith("harsh")], every


@PROPERTY
@given(data=st.data(), limits=st.lists(st.sampled_from([20, 30, 40, 50, 60, 70]), min_size=1, max_size=5))
def test_tel10_property_a_drive_under_every_known_limit_has_no_speeding(data: st.DataObject,
                                                                        limits: list[int]) -> None:
    speeds: list[float] = []
    limit_col: list[float] = []
    for limit in limits:
        n = data.draw(st.integers(5, 60))
        speeds += data.draw(st.lists(st.floats(0, kph(limit)), min_size=n, max_size=n))
        limit_col += [kph(limit)] * n
    result = score(drive(speeds, limit_kph=np.array(limit_col)))
    assert not [k for k in kinds(result) if "speeding" in k]
    assert result.journeys[0].speed == RULES.scale_max


@PROPERTY
@given(speeds=st.lists(st.floats(0, 300), min_size=2, max_size=200))
def test_tel10_property_an_unknown_limit_never_makes_speeding(speeds: list[float]) -> None:
    assert not [k for k in kinds(score(drive(speeds, limit_kph=None))) if "speeding" in k]


def _varied_day() -> pa.Table:
    """Two journeys with speeding, severe speeding, braking, night driving, and a stretch with unknown limits."""
    n = 240
    speeds = np.concatenate([np.full(60, kph(28)), np.full(30, kph(38)), np.full(30, kph(28)), np.full(30, kph(46)),
                             np.linspace(kph(30), kph(20), 30), np.full(60, kph(60))])
    limits = np.concatenate([np.full(180, kph(30)), np.full(60, np.nan)])
    braking = np.zeros(n)
    braking[130:134] = -(RULES.eco.harsh_braking_ms2 + 1)
    first = drive(speeds, limit_kph=limits, accel_long=braking, journey=0)
    second = drive(np.full(120, kph(45)), start=datetime(2026, 6, 2, 22, 58, tzinfo=UTC), limit_kph=kph(30),
                   journey=1, seq0=1000)
    return pa.concat_tables([first, second])


VARIED = _varied_day()
VARIED_SCORE = score(VARIED)


def test_tel3_the_varied_day_has_the_event_kinds_the_properties_rely_on() -> None:
    assert set(kinds(VARIED_SCORE)) >= {"speeding", "severe_speeding", "harsh_braking", "night_driving"}


@PROPERTY
@given(order=st.permutations(range(VARIED.num_rows)), cuts=st.lists(st.integers(0, VARIED.num_rows), max_size=4))
def test_tel3_property_the_score_ignores_row_order_and_batching(order: list[int], cuts: list[int]) -> None:
    shuffled = VARIED.take(pa.array(order))
    assert score(shuffled) == VARIED_SCORE
    bounds = [0, *sorted(cuts), VARIED.num_rows]
    batches = [shuffled.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
    assert score(pa.concat_tables(batches)) == VARIED_SCORE
    assert score(pa.concat_tables([VARIED, VARIED.slice(0, 50)])) == VARIED_SCORE  # a batch sent twice


def test_tel3_kph_per_mph_is_the_positions_constant() -> None:
    assert kph(1) == KPH_PER_MPH


@PROPERTY
@given(speeds=st.lists(st.floats(0, 200), min_size=2, max_size=300),
       limit_mph=st.one_of(st.none(), st.sampled_from([20, 30, 40, 50, 60, 70])),
       braking=st.lists(st.floats(-12, 12), min_size=2, max_size=300))
def test_tel3_property_indicators_stay_on_the_scale_and_lose_exactly_their_events_points(
        speeds: list[float], limit_mph: int | None, braking: list[float]) -> None:
    n = min(len(speeds), len(braking))
    result = score(drive(speeds[:n], limit_kph=None if limit_mph is None else kph(limit_mph),
                         accel_long=np.array(braking[:n])))
    (journey,) = result.journeys
    w = RULES.weights
    for name, kinds_of in (("speed", ("speeding", "severe_speeding")), ("eco", ("harsh_acceleration",
                           "harsh_braking", "harsh_cornering")), ("time_of_day", ("night_driving",)),
                           ("duration", ("long_driving",))):
        lost = sum(e.points for e in result.events if e.kind in kinds_of)
        assert getattr(journey, name) == pytest.approx(max(RULES.scale_min, RULES.scale_max - lost), abs=0.01)
    assert RULES.scale_min <= journey.overall <= RULES.scale_max
    assert journey.overall == pytest.approx(w.speed * journey.speed + w.time_of_day * journey.time_of_day
                                            + w.eco * journey.eco + w.duration * journey.duration, abs=0.02)
    assert journey.events == len(result.events)
