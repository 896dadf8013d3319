"""Screening and cleaning positions (TEL-2): each reason with a constructed case, a clean drive losing
nothing, and the property that the order and batching of the input change nothing."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.telematics.domain import filters
from covernote.telematics.domain.filters import (
    CLEAN_REASONS,
    SCREEN_REASONS,
    CleanLimits,
    FixLimits,
    clean_day,
    first_of_key,
    haversine_m,
    screen_batch,
)
from covernote.telematics.domain.positions import POSITION_SCHEMA

IMEI = "356938035643809"
T0 = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
M_PER_DEG_LAT = 111_195.0  # metres per degree of latitude on the sphere haversine_m uses


def positions(rows: list[dict[str, Any]]) -> pa.Table:
    """Positions from partial rows: device, seq (the row's index), ts (T0 + the row's index * 10 s), a place
    near Birmingham, 40 km/h, ignition on, good fix quality, unless the row says otherwise."""
    full = []
    for i, r in enumerate(rows):
        base = {
            "device_id": IMEI,
            "seq": i,
            "ts": T0 + timedelta(seconds=10 * i),
            "lat": 52.48,
            "lon": -1.89,
            "speed_kph": 40.0,
            "heading_deg": 0.0,
            "hdop": 0.9,
            "satellites": 10,
            "ignition": True,
            "accel_long": None,
            "accel_lat": None,
            "received_at": NOW,
        }
        base.update(r)
        full.append(base)
    return pa.Table.from_pylist(full, schema=POSITION_SCHEMA)


def straight_drive(
    n: int, kph: float = 50.0, step_s: int = 10, start: int = 0, lat0: float = 52.48, **extra: Any
) -> list[dict[str, Any]]:
    """`n` fixes driving north at `kph`, one every `step_s` seconds, seq from `start`."""
    step_deg = kph / 3.6 * step_s / M_PER_DEG_LAT
    return [
        {
            "seq": start + i,
            "ts": T0 + timedelta(seconds=step_s * (start + i)),
            "lat": lat0 + step_deg * i,
            "speed_kph": kph,
            **extra,
        }
        for i in range(n)
    ]


def test_tel2_haversine_known_distance_and_vectorised() -> None:
    """TEL-2: one degree of latitude is ~111.2 km; London to Birmingham ~163 km; arrays in, array out."""
    assert haversine_m(np.array([0.0]), np.array([0.0]), np.array([1.0]), np.array([0.0]))[
        0
    ] == pytest.approx(111_195, rel=1e-3)
    d = haversine_m(
        np.array([51.5074, 51.5074]),
        np.array([-0.1278, -0.1278]),
        np.array([52.4862, 51.5074]),
        np.array([-1.8904, -0.1278]),
    )
    assert d[0] == pytest.approx(163_000, rel=0.01)
    assert d[1] == 0.0


def test_tel2_clean_drive_loses_nothing() -> None:
    """TEL-2: a clean drive, a stop with the ignition off and a drive on, goes through both stages whole."""
    rows = [
        *straight_drive(30),
        {"seq": 30, "ts": T0 + timedelta(seconds=400), "ignition": False, "speed_kph": 0.0, "lat": 52.52},
        {"seq": 31, "ts": T0 + timedelta(seconds=900), "ignition": True, "speed_kph": 0.0, "lat": 52.52},
        *straight_drive(20, start=100, lat0=52.5201),
    ]
    table = positions(rows)
    screened = screen_batch(table, NOW)
    cleaned = clean_day(screened.kept)
    assert screened.counts == dict.fromkeys(SCREEN_REASONS, 0)
    assert cleaned.counts == dict.fromkeys(CLEAN_REASONS, 0)
    assert cleaned.kept.num_rows == table.num_rows
    assert cleaned.rejected is not None and cleaned.rejected.num_rows == 0
    assert cleaned.kept.schema == POSITION_SCHEMA


@pytest.mark.parametrize(
    ("row", "limits"),
    [
        ({"lat": 90.5}, FixLimits()),
        ({"lat": -91.0}, FixLimits()),
        ({"lon": 180.01}, FixLimits()),
        ({"lon": -200.0}, FixLimits()),
        ({"lat": math.nan}, FixLimits()),
        ({"lon": math.nan}, FixLimits()),
        ({"lat": 0.0, "lon": 0.0}, FixLimits()),
        ({"speed_kph": -1.0}, FixLimits()),
        ({"speed_kph": math.nan}, FixLimits()),
        ({"hdop": 5.1}, FixLimits(max_hdop=5.0)),
        ({"satellites": 3}, FixLimits(min_satellites=4)),
    ],
)
def test_tel2_invalid_fix_is_screened_out(row: dict[str, Any], limits: FixLimits) -> None:
    """TEL-2: a fix out of range, NaN, at exactly (0, 0), with a negative speed, or below the fix quality
    limits where given, is dropped as invalid_fix; its neighbours stay."""
    table = positions([{}, row, {}])
    s = screen_batch(table, NOW, limits)
    assert s.counts == {"invalid_fix": 1, "future_time": 0, "duplicate": 0}
    assert s.kept.column("seq").to_pylist() == [0, 2]
    assert s.rejected is not None
    assert s.rejected.column("seq").to_pylist() == [1]
    assert s.rejected.column("reason").to_pylist() == ["invalid_fix"]


def test_tel2_fix_quality_limits_apply_only_where_given() -> None:
    """TEL-2: poor HDOP or few satellites pass when no limit is given, and a fix reporting neither passes the
    limits; a fix near (0, 0) but not exactly there is a fix."""
    table = positions(
        [{"hdop": 20.0, "satellites": 1}, {"hdop": None, "satellites": None}, {"lat": 0.0, "lon": 0.0001}]
    )
    assert screen_batch(table, NOW).counts["invalid_fix"] == 0
    limited = screen_batch(table, NOW, FixLimits(max_hdop=5.0, min_satellites=4))
    assert limited.kept.column("seq").to_pylist() == [1, 2]


def test_tel2_future_time_beyond_tolerance() -> None:
    """TEL-2: a fix dated more than the tolerance (5 minutes by default) after now is future_time; one within
    it is kept; the tolerance can be changed."""
    table = positions(
        [
            {"ts": NOW + timedelta(minutes=4, seconds=59)},
            {"ts": NOW + timedelta(minutes=5, seconds=1)},
            {"ts": NOW + timedelta(days=1)},
        ]
    )
    s = screen_batch(table, NOW)
    assert s.counts == {"invalid_fix": 0, "future_time": 2, "duplicate": 0}
    assert s.kept.column("seq").to_pylist() == [0]
    wide = screen_batch(table, NOW, FixLimits(future_tolerance=timedelta(hours=2)))
    assert wide.kept.column("seq").to_pylist() == [0, 1]


def test_tel2_duplicate_in_batch_keeps_the_first() -> None:
    """TEL-2: the same device and seq twice in a batch: the first kept, the later one counted as duplicate;
    the same seq from another device is not a duplicate; an invalid copy never hides a good one."""
    table = positions(
        [
            {"seq": 7, "speed_kph": 10.0},
            {"seq": 8},
            {"seq": 7, "speed_kph": 99.0},
            {"seq": 7, "device_id": "356938035643810"},
            {"seq": 9, "lat": 0.0, "lon": 0.0},
            {"seq": 9},
        ]
    )
    s = screen_batch(table, NOW)
    assert s.counts == {"invalid_fix": 1, "future_time": 0, "duplicate": 1}
    kept = s.kept.to_pylist()
    assert [(r["device_id"][-2:], r["seq"], r["speed_kph"]) for r in kept] == [
        ("09", 7, 10.0),
        ("09", 8, 40.0),
        ("10", 7, 40.0),
        ("09", 9, 40.0),
    ]
    assert s.rejected is not None
    assert s.rejected.column("reason").to_pylist() == ["duplicate", "invalid_fix"]


def test_tel2_screen_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone"):
        screen_batch(positions([{}]), datetime(2026, 6, 1))


def test_tel2_impossible_jump_drops_the_wild_fix_only() -> None:
    """TEL-2: a fix 50 km off the road 10 s after a good one implies 18,000 km/h: it is dropped, and the next
    good fix, compared with the last KEPT fix, stays."""
    rows = straight_drive(10)
    rows[4] = {**rows[4], "lat": rows[4]["lat"] + 0.45}
    c = clean_day(positions(rows))
    assert c.counts == {"impossible_jump": 1, "parked_drift": 0}
    assert c.rejected is not None and c.rejected.column("seq").to_pylist() == [4]
    assert c.kept.column("seq").to_pylist() == [0, 1, 2, 3, 5, 6, 7, 8, 9]


def test_tel2_impossible_jump_run_and_first_fix() -> None:
    """TEL-2: two wild fixes in a row both go; a wild first fix of the day goes (its successors agree with
    each other, not with it); a real fast drive at 240 km/h stays."""
    rows = straight_drive(12)
    rows[0] = {**rows[0], "lon": rows[0].get("lon", -1.89) + 1.0}
    rows[6] = {**rows[6], "lat": rows[6]["lat"] + 0.3}
    rows[7] = {**rows[7], "lat": rows[7]["lat"] - 0.3}
    c = clean_day(positions(rows))
    assert c.rejected is not None and sorted(c.rejected.column("seq").to_pylist()) == [0, 6, 7]
    assert c.counts["impossible_jump"] == 3
    fast = clean_day(positions(straight_drive(20, kph=240.0)))
    assert fast.counts == {"impossible_jump": 0, "parked_drift": 0}


def test_tel2_impossible_jump_burst_dropped_but_a_sustained_track_kept() -> None:
    """TEL-2: two wild fixes at the same wrong place (agreeing with each other only) both go; three or more
    fixes in a row that agree with each other are a real track, kept and the anchor of what follows, so one
    bad anchor never drops the rest of the day; with confirm_fixes raised, the same track is dropped."""
    burst = straight_drive(10)
    for k in (4, 5):
        burst[k] = {**burst[k], "lat": burst[k]["lat"] + 0.4}
    c = clean_day(positions(burst))
    assert c.rejected is not None and c.rejected.column("seq").to_pylist() == [4, 5]
    moved = straight_drive(5) + straight_drive(6, start=5, lat0=53.0)
    kept = clean_day(positions(moved))
    assert kept.counts["impossible_jump"] == 0
    strict = clean_day(positions(moved), CleanLimits(confirm_fixes=7))
    assert strict.counts["impossible_jump"] == 6


def test_tel2_parked_drift_keeps_the_first_fix_of_the_stop() -> None:
    """TEL-2: with the ignition off, fixes wandering within 30 m of where the car stopped are drift (all but
    the first dropped); the ignition going on at the same place starts a journey and is kept; driving away
    is real movement."""
    stop_lat = 52.5
    jitter = [0.0, 0.00005, -0.00008, 0.0001, 0.00002, -0.00015]  # up to ~17 m
    rows = [
        {"seq": i, "ts": T0 + timedelta(minutes=i), "lat": stop_lat + d, "ignition": False, "speed_kph": 0.0}
        for i, d in enumerate(jitter)
    ]
    rows.append(
        {"seq": 6, "ts": T0 + timedelta(minutes=7), "lat": stop_lat, "ignition": True, "speed_kph": 0.0}
    )
    rows += straight_drive(5, start=50, lat0=stop_lat + 0.0005)
    c = clean_day(positions(rows))
    assert c.counts == {"impossible_jump": 0, "parked_drift": 5}
    assert c.kept.column("seq").to_pylist() == [0, 6, 50, 51, 52, 53, 54]


def test_tel2_parked_drift_ends_at_real_movement() -> None:
    """TEL-2: while parked (no ignition data, under 3 km/h), a fix beyond the radius is movement: it is kept
    and becomes the anchor of the next stationary run, whose own drift is dropped."""
    lat = 52.5
    offsets = [0.0, 0.0001, 0.001, 0.00105, 0.00095]  # 0 m, 11 m, then 111 m away and jitter around it
    rows = [
        {"seq": i, "ts": T0 + timedelta(minutes=i), "lat": lat + d, "ignition": None, "speed_kph": 1.0}
        for i, d in enumerate(offsets)
    ]
    c = clean_day(positions(rows))
    assert c.kept.column("seq").to_pylist() == [0, 2]
    assert c.counts["parked_drift"] == 3


def test_tel2_first_of_key_vectorised() -> None:
    devices = np.array([0, 0, 1, 0, 1])
    seq = np.array([5, 6, 5, 5, 5])
    assert first_of_key(devices, seq, np.ones(5, dtype=bool)).tolist() == [True, True, True, False, False]
    assert first_of_key(devices, seq, np.array([False, True, True, True, True])).tolist() == [
        False,
        True,
        True,
        True,
        False,
    ]


# -- the property: order and batching change nothing -----------------------------------------------------


@st.composite
def messy_day(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A day of one box with drives, stops with drift, wild fixes, invalid and future fixes and exact
    repeats."""
    n = draw(st.integers(5, 80))
    rows: list[dict[str, Any]] = []
    lat, lon, t = 52.48, -1.89, T0
    ignition: bool | None = draw(st.sampled_from([True, None]))
    for i in range(n):
        t += timedelta(seconds=draw(st.integers(0, 120)))
        kind = draw(
            st.sampled_from(["drive", "drive", "drive", "stop", "wild", "invalid", "future", "toggle"])
        )
        speed = draw(st.floats(0, 130))
        if kind == "drive":
            lat += speed / 3.6 * 10 / M_PER_DEG_LAT
        elif kind == "toggle" and ignition is not None:
            ignition = not ignition
        row: dict[str, Any] = {
            "seq": i,
            "ts": t,
            "lat": lat,
            "lon": lon,
            "speed_kph": speed,
            "ignition": ignition,
        }
        if kind == "stop":
            row.update(speed_kph=0.0, lat=lat + draw(st.floats(-0.0002, 0.0002)))
        elif kind == "wild":
            row.update(lat=lat + draw(st.sampled_from([-0.5, 0.7])))
        elif kind == "invalid":
            row.update(draw(st.sampled_from([{"lat": 0.0, "lon": 0.0}, {"lat": 95.0}, {"speed_kph": -3.0}])))
        elif kind == "future":
            row.update(ts=NOW + timedelta(hours=1))
        rows.append(row)
    repeats = draw(st.lists(st.integers(0, n - 1), max_size=10))
    rows += [dict(rows[k]) for k in repeats]
    return rows


@settings(max_examples=60, deadline=None)
@given(rows=messy_day(), data=st.data())
def test_tel2_property_screen_and_clean_invariant_to_order_and_batching(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    """TEL-2 property: shuffling the rows, splitting them into random batches, screening each, concatenating
    (with the store dropping repeats across batches) and cleaning the day keeps the same rows with the same
    counts as screening and cleaning the day in one batch in order."""
    whole = positions(rows)
    ref_screen = screen_batch(whole, NOW)
    ref_clean = clean_day(ref_screen.kept)

    perm = data.draw(st.permutations(range(len(rows))))
    shuffled = whole.take(pa.array(perm, pa.int64()))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=6)))
    bounds = [0, *cuts, len(rows)]
    screened = [screen_batch(shuffled.slice(a, b - a), NOW) for a, b in itertools.pairwise(bounds)]
    kept = pa.concat_tables([s.kept for s in screened])
    seq = np.asarray(kept.column("seq").to_numpy())
    across = first_of_key(np.zeros(seq.size, dtype=np.int64), seq, np.ones(seq.size, dtype=bool))
    cleaned = clean_day(kept.filter(pa.array(across)))

    for reason in ("invalid_fix", "future_time"):
        assert sum(s.counts[reason] for s in screened) == ref_screen.counts[reason]
    assert (
        sum(s.counts["duplicate"] for s in screened) + int((~across).sum()) == ref_screen.counts["duplicate"]
    )
    assert cleaned.counts == ref_clean.counts
    assert cleaned.kept.equals(ref_clean.kept)


def test_tel2_empty_input_gives_empty_results_with_every_reason() -> None:
    """TEL-2: an empty batch or day screens and cleans to empty tables, every reason counted as zero."""
    empty = POSITION_SCHEMA.empty_table()
    s = screen_batch(empty, NOW)
    c = clean_day(empty)
    assert s.counts == dict.fromkeys(SCREEN_REASONS, 0) and c.counts == dict.fromkeys(CLEAN_REASONS, 0)
    assert s.kept.num_rows == c.kept.num_rows == 0
    assert s.rejected.schema.names == [*POSITION_SCHEMA.names, "reason"]


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(st.floats(-0.0002, 0.0004), min_size=2, max_size=120),
    ignition=st.sampled_from([False, None]),
)
def test_tel2_property_parked_drift_linear_pass_matches_the_rounds(
    steps: list[float], ignition: bool | None
) -> None:
    """TEL-2 property: a parked fix wandering slowly (many splits of one run) gives the same drift whether the
    runs are split in vectorised rounds only or finished by the linear pass after the first round."""
    lat = 52.5 + np.cumsum(steps)
    rows = [
        {
            "seq": i,
            "ts": T0 + timedelta(seconds=30 * i),
            "lat": float(x),
            "ignition": ignition,
            "speed_kph": 0.5,
        }
        for i, x in enumerate(lat)
    ]
    table = positions(rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(filters, "_DRIFT_ROUNDS", 10_000)
        rounds = clean_day(table)
        mp.setattr(filters, "_DRIFT_ROUNDS", 1)
        linear = clean_day(table)
    assert linear.counts == rounds.counts
    assert linear.kept.equals(rounds.kept)
