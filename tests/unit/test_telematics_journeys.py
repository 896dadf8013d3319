"""Journeys reconstructed from a device-day (TEL-2): ignition on and off, a gap in fixes, a box without
ignition data, and independence from the input's row order (a property)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.telematics.domain.filters import haversine_m
from covernote.telematics.domain.journeys import journeys, with_journeys
from covernote.telematics.domain.positions import JOURNEY_FIELD, POSITION_SCHEMA
from tests.unit.test_telematics_filters import IMEI, T0, positions, straight_drive


def _numbers(table: pa.Table) -> list[int | None]:
    return with_journeys(table).column("journey").to_pylist()


def test_tel2_ignition_on_to_off_is_one_journey() -> None:
    """TEL-2: fixes with the ignition on make a journey numbered 0; the ignition-off fixes after it are in
    none; the next ignition on starts journey 1."""
    rows = [
        {"seq": 0, "ts": T0, "ignition": False, "speed_kph": 0.0},
        *straight_drive(5, start=1),
        {"seq": 6, "ts": T0 + timedelta(seconds=60), "ignition": False, "speed_kph": 0.0},
        {"seq": 7, "ts": T0 + timedelta(seconds=70), "ignition": False, "speed_kph": 0.0},
        *straight_drive(3, start=8),
    ]
    out = with_journeys(positions(rows))
    assert out.schema.field("journey") == JOURNEY_FIELD
    assert out.column("journey").to_pylist() == [None, 0, 0, 0, 0, 0, None, None, 1, 1, 1]
    js = journeys(out)
    assert [(j.number, j.positions) for j in js] == [(0, 5), (1, 3)]
    assert js[0].start == T0 + timedelta(seconds=10) and js[0].end == T0 + timedelta(seconds=50)
    assert js[0].duration == timedelta(seconds=40)
    assert js[0].device_id == IMEI
    assert js[0].max_speed_kph == 50.0


def test_tel2_a_gap_longer_than_the_limit_splits_a_journey() -> None:
    """TEL-2: with the ignition on throughout, a gap in fixes over `gap` (5 minutes by default) ends the
    journey and the next fix starts another; a shorter gap does not; the gap can be changed."""
    rows = straight_drive(3) + straight_drive(3, start=40) + straight_drive(3, start=80)  # gaps 370 s, 370 s
    rows[3]["ts"] = T0 + timedelta(seconds=20 + 299)  # 299 s after seq 2: same journey
    table = positions(rows)
    assert _numbers(table) == [0, 0, 0, 0, 0, 0, 1, 1, 1]
    wide = with_journeys(table, gap=timedelta(minutes=10)).column("journey").to_pylist()
    assert wide == [0] * 9


def test_tel2_without_ignition_journeys_follow_movement() -> None:
    """TEL-2: a box with no ignition data: a journey starts when the car starts moving; a short stand-still
    (traffic lights) stays inside it; a stand-still longer than `gap` ends it; still fixes before and after
    are in no journey."""
    still = {"ignition": None, "speed_kph": 0.0}
    rows: list[dict[str, Any]] = [
        {"seq": 0, "ts": T0, **still},
        {"seq": 1, "ts": T0 + timedelta(seconds=5), **still},
    ]
    rows += straight_drive(4, start=2, ignition=None)  # ts 20..50 s
    rows += [{"seq": 6, "ts": T0 + timedelta(seconds=90), **still}]  # lights for 40 s
    rows += straight_drive(2, start=10, ignition=None)  # ts 100, 110
    rows += [
        {"seq": 20 + k, "ts": T0 + timedelta(seconds=120 + 60 * k), **still} for k in range(8)
    ]  # parked 7 min
    rows += straight_drive(2, start=60, ignition=None)  # ts 600, 610
    assert _numbers(positions(rows)) == [None, None, 0, 0, 0, 0, 0, 0, 0] + [None] * 8 + [1, 1]


def test_tel2_without_speed_movement_is_implied_by_distance() -> None:
    """TEL-2: a box reporting neither ignition nor speed: movement is the distance between fixes over time."""
    rows = straight_drive(4, ignition=None, speed_kph=None)
    assert _numbers(positions(rows)) == [None, 0, 0, 0]


def test_tel2_journey_distance_is_the_haversine_sum() -> None:
    """TEL-2: a journey's distance is the sum of haversine steps between its fixes, in km."""
    rows = straight_drive(10, kph=72.0)  # 20 m/s, 200 m per 10 s step
    js = journeys(with_journeys(positions(rows)))
    lats = [r["lat"] for r in rows]
    expected = sum(haversine_m(lats[i], -1.89, lats[i + 1], -1.89) for i in range(9)) / 1000
    assert js[0].distance_km == pytest.approx(float(expected), rel=1e-9)
    assert js[0].distance_km == pytest.approx(1.8, rel=1e-3)


def test_tel2_empty_day_and_no_journey() -> None:
    """TEL-2: an empty day has no journeys; a day parked all day has none and every journey is null."""
    empty = with_journeys(POSITION_SCHEMA.empty_table())
    assert empty.num_rows == 0 and "journey" in empty.column_names
    parked = with_journeys(positions([{"ignition": False, "speed_kph": 0.0}] * 3))
    assert parked.column("journey").to_pylist() == [None] * 3
    assert journeys(parked) == []


def test_tel2_existing_journey_column_is_replaced_and_other_columns_kept() -> None:
    table = positions(straight_drive(3)).append_column("way_id", pa.array([1, 2, 3], pa.int64()))
    once = with_journeys(table)
    twice = with_journeys(once)
    assert twice.column_names == [*POSITION_SCHEMA.names, "way_id", "journey"]
    assert twice.equals(once)


def test_tel2_journeys_numbered_per_device() -> None:
    """TEL-2: two devices in one table are numbered from 0 each."""
    rows = straight_drive(3) + [
        dict(r, device_id="356938035643810", seq=r["seq"] + 100) for r in straight_drive(3)
    ]
    out = with_journeys(positions(rows))
    assert out.column("journey").to_pylist() == [0] * 6
    assert {(j.device_id, j.number) for j in journeys(out)} == {(IMEI, 0), ("356938035643810", 0)}


@st.composite
def ignition_day(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 60))
    rows = []
    t = T0
    lat = 52.48
    for i in range(n):
        t += timedelta(seconds=draw(st.sampled_from([1, 10, 30, 200, 400])))
        speed = draw(st.sampled_from([0.0, 2.0, 30.0, 80.0, None]))
        lat += (speed or 0.0) / 3.6 * 10 / 111_195
        rows.append(
            {
                "seq": i,
                "ts": t,
                "lat": lat,
                "speed_kph": speed,
                "ignition": draw(st.sampled_from([True, True, False, None])),
            }
        )
    return rows


@settings(max_examples=80, deadline=None)
@given(rows=ignition_day(), data=st.data())
def test_tel2_property_journeys_independent_of_row_order(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    """TEL-2 property: shuffling a day's rows gives the same journey column and journeys; journeys are
    numbered 0.. in time order without gaps; every journey's positions lie between its start and end."""
    table = positions(rows)
    perm = data.draw(st.permutations(range(len(rows))))
    ref = with_journeys(table)
    shuffled = with_journeys(table.take(pa.array(perm, pa.int64())))
    assert shuffled.equals(ref)
    js = journeys(ref)
    assert journeys(shuffled) == js
    assert [j.number for j in js] == list(range(len(js)))
    assert all(a.end < b.start for a, b in itertools.pairwise(js))
    assert sum(j.positions for j in js) == ref.num_rows - ref.column("journey").null_count
