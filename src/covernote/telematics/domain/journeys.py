"""Journeys reconstructed from a device-day's positions (TEL-2), the unit the score is explained by (TEL-3: a
trip's score, its duration indicator) and the mileage is summed from (TEL-6).

A journey starts when the ignition goes on or, for a box that reports no ignition, when the car starts moving;
it ends at ignition off or at a gap in fixes (or, without ignition, a standstill) longer than `gap`. Positions
outside every journey (parked, ignition off) get a null `journey`. Journeys are numbered 0, 1, ... within the
device's day in time order. Everything is computed on the rows sorted by (device, ts, seq), so the result does
not depend on the order the rows came in.

Pure: pyarrow and numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from covernote.telematics.domain.filters import haversine_m, sort_positions
from covernote.telematics.domain.positions import JOURNEY_FIELD

MOVING_KPH = 3.0  # at or above this a car without ignition data is moving (the parked speed of filters.py)


@dataclass(frozen=True)
class Journey:
    """One journey of a device's day (TEL-2, TEL-3): its number, first and last fix times, distance along its
    fixes (haversine, km), how many positions it holds and its highest reported speed (None if none
    reported)."""

    device_id: str
    number: int
    start: datetime
    end: datetime
    distance_km: float
    positions: int
    max_speed_kph: float | None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def _column_np(table: pa.Table, name: str, dtype: type, fill: object) -> np.ndarray:
    return np.asarray(pc.fill_null(table.column(name), fill).to_numpy(zero_copy_only=False), dtype=dtype)


def _device_starts(table: pa.Table) -> np.ndarray:
    dev = np.asarray(
        pc.dictionary_encode(table.column("device_id")).combine_chunks().indices.to_numpy(), dtype=np.int64
    )
    first = np.ones(dev.size, dtype=bool)
    first[1:] = dev[1:] != dev[:-1]
    return first


def _moving(table: pa.Table, new_device: np.ndarray) -> np.ndarray:
    """Whether each fix is moving: its reported speed, or, where none was reported, the speed implied by the
    distance from the fix before (a device's first fix with no speed counts as still)."""
    n = table.num_rows
    lat = _column_np(table, "lat", np.float64, np.nan)
    lon = _column_np(table, "lon", np.float64, np.nan)
    t_s = np.asarray(table.column("ts").cast(pa.int64()).to_numpy(), dtype=np.float64) / 1e6
    implied = np.zeros(n)
    if n > 1:
        dt = np.maximum(np.diff(t_s), 1.0)
        implied[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / dt * 3.6
    implied[new_device] = 0.0
    speed_col = table.column("speed_kph").cast(pa.float64())
    has_speed = np.asarray(speed_col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    speed = np.where(has_speed, _column_np(table, "speed_kph", np.float64, 0.0), implied)
    return speed >= MOVING_KPH


def journey_numbers(day: pa.Table, gap: timedelta = timedelta(minutes=5)) -> tuple[pa.Table, np.ndarray]:
    """The day sorted by (device, ts, seq) and each row's journey number (-1 for none). See
    `with_journeys`."""
    day = sort_positions(day)
    n = day.num_rows
    if n == 0:
        return day, np.zeros(0, dtype=np.int64)
    new_device = _device_starts(day)
    ign_col = day.column("ignition")
    has_ign = np.asarray(ign_col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    ign = _column_np(day, "ignition", bool, False)
    # A fix is in a journey when the ignition is on, or (no ignition reported) the car is moving.
    active = np.where(has_ign, ign, _moving(day, new_device))
    off = has_ign & ~ign  # an explicit ignition off ends a journey
    t_us = np.asarray(day.column("ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
    gap_us = gap // timedelta(microseconds=1)
    idx = np.arange(n)
    act = np.flatnonzero(active)
    number = np.full(n, -1, dtype=np.int64)
    if act.size == 0:
        return day, number
    off_cum = np.cumsum(off)
    dev_id = np.cumsum(new_device)
    starts = np.ones(act.size, dtype=bool)
    prev, cur = act[:-1], act[1:]
    starts[1:] = (
        (dev_id[cur] != dev_id[prev]) | (t_us[cur] - t_us[prev] > gap_us) | (off_cum[cur] - off_cum[prev] > 0)
    )
    running = np.cumsum(starts) - 1
    # Number from 0 within each device: subtract the count of journeys of the devices before.
    first_of_device = np.r_[True, dev_id[cur] != dev_id[prev]]
    base = np.maximum.accumulate(np.where(first_of_device, running, 0))
    number[act] = running - base
    # Rows between two active rows of the same journey (a standstill without ignition data) belong to it.
    prev_act = np.maximum.accumulate(np.where(active, idx, -1))
    next_act = np.minimum.accumulate(np.where(active, idx, n)[::-1])[::-1]
    inside = ~active & (prev_act >= 0) & (next_act < n)
    pa_i = prev_act[inside]
    na_i = next_act[inside]
    run_of = np.full(n, -1, dtype=np.int64)
    run_of[act] = running
    same = run_of[pa_i] == run_of[na_i]
    number[np.flatnonzero(inside)[same]] = number[pa_i[same]]
    return day, number


def with_journeys(day: pa.Table, gap: timedelta = timedelta(minutes=5)) -> pa.Table:
    """The day's positions, sorted by (device, ts, seq), with the `journey` column (JOURNEY_FIELD) set
    (TEL-2): the journey's number within the device's day, null outside any journey. An existing `journey`
    column is replaced; any other column is kept."""
    sorted_day, number = journey_numbers(day, gap)
    if JOURNEY_FIELD.name in sorted_day.column_names:
        sorted_day = sorted_day.drop_columns([JOURNEY_FIELD.name])
    col = pa.array(number.astype(np.int32), type=pa.int32(), mask=number < 0)
    return sorted_day.append_column(JOURNEY_FIELD, col)


def journeys(day_with_journeys: pa.Table) -> list[Journey]:
    """The journeys of a day that has its `journey` column (TEL-2, TEL-3), ordered by device and number: their
    start and end, positions, distance along consecutive fixes and highest reported speed. Vectorised: one
    sort, then per-journey sums by index."""
    t = day_with_journeys.filter(pc.is_valid(day_with_journeys.column(JOURNEY_FIELD.name)))
    if t.num_rows == 0:
        return []
    t = t.sort_by(
        [
            ("device_id", "ascending"),
            (JOURNEY_FIELD.name, "ascending"),
            ("ts", "ascending"),
            ("seq", "ascending"),
        ]
    )
    dev = np.asarray(
        pc.dictionary_encode(t.column("device_id")).combine_chunks().indices.to_numpy(), dtype=np.int64
    )
    num = np.asarray(t.column(JOURNEY_FIELD.name).to_numpy(), dtype=np.int64)
    first = np.r_[True, (dev[1:] != dev[:-1]) | (num[1:] != num[:-1])]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], t.num_rows] - 1
    lat = _column_np(t, "lat", np.float64, np.nan)
    lon = _column_np(t, "lon", np.float64, np.nan)
    step = np.zeros(t.num_rows)
    if t.num_rows > 1:
        step[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    step[first] = 0.0
    dist_m = np.bincount(group, weights=step, minlength=starts.size)
    t_us = np.asarray(t.column("ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
    speed = _column_np(t, "speed_kph", np.float64, -np.inf)
    top = np.maximum.reduceat(speed, starts)
    devices = t.column("device_id").take(pa.array(starts, pa.int64())).to_pylist()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return [
        Journey(
            device_id=devices[g],
            number=int(num[s]),
            start=epoch + timedelta(microseconds=int(t_us[s])),
            end=epoch + timedelta(microseconds=int(t_us[e])),
            distance_km=float(dist_m[g]) / 1000.0,
            positions=int(e - s + 1),
            max_speed_kph=float(top[g]) if np.isfinite(top[g]) else None,
        )
        for g, (s, e) in enumerate(zip(starts, ends, strict=True))
    ]
