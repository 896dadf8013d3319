"""Screening and cleaning the positions a box reports, before anything is stored or scored (TEL-2, TEL-3).

Two stages, both vectorised over the Arrow columns (numpy), both counting what they drop by reason so the
data a premium depends on can be explained (TEL-3, "explainable"):

- `screen_batch` runs on each batch as it arrives. Each row is judged on its own (`invalid_fix`,
  `future_time`) or against the rest of its batch (`duplicate`: the same device and sequence number twice, the
  first kept), so the order of rows in a batch and how a day was cut into batches change nothing but where a
  duplicate is caught (within a batch here, across batches by the store, `adapters/parquet_store.py`).
- `clean_day` runs on one device-day, stored and sorted by (ts, seq) first, so late and out-of-order
  batches give the same result whatever order they came in. It drops `impossible_jump` (a fix the car could
  not have reached from the last kept fix) and `parked_drift` (a parked car's GPS wandering around where it
  stopped, which would otherwise read as short journeys and false distance, TEL-6).

Pure: pyarrow and numpy only; `now` comes in as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from covernote.telematics.domain.positions import EARTH_RADIUS_M

SCREEN_REASONS = ("invalid_fix", "future_time", "duplicate")
CLEAN_REASONS = ("impossible_jump", "parked_drift")
REASON_FIELD = pa.field("reason", pa.string(), nullable=False)


def haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres between paired points in WGS84 degrees (vectorised; arrays broadcast).

    The one distance of the telematics context (TEL-2 cleaning, TEL-3 journey distance, TEL-6 mileage): on the
    sphere of the mean Earth radius, within about 0.5 % of the ellipsoid, which is well inside GPS error."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class FixLimits:
    """What a fix must meet to be screened in (TEL-2). `max_hdop` and `min_satellites` apply only where given
    (and only to fixes reporting them); a fix dated more than `future_tolerance` after `now` is refused, as
    a box whose clock runs ahead would otherwise write tomorrow's driving."""

    max_hdop: float | None = None
    min_satellites: int | None = None
    future_tolerance: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class CleanLimits:
    """The cleaning of a device-day (TEL-2): the fastest implied speed believed from the last kept fix, the
    radius within which a parked car's fixes are drift, and the speed under which a fix counts as stationary.
    `min_dt_s` floors the time between two fixes so two fixes in the same second are judged as one second
    apart (a 250 km/h limit then tolerates 69 m of jitter between them). `confirm_fixes` consecutive fixes
    that agree with each other, though not with the last kept fix, are a real track (the box found its true
    place again after a bad run, or the last kept fix was the odd one): they are kept and become the anchor,
    so one bad anchor never drops the rest of a day."""

    max_speed_kph: float = 250.0
    drift_radius_m: float = 30.0
    parked_speed_kph: float = 3.0
    min_dt_s: float = 1.0
    confirm_fixes: int = 3


@dataclass(frozen=True)
class Filtered:
    """What a filter kept, how many rows it dropped for each reason (every reason named, zeros included) and
    the dropped rows themselves with a `reason` column, for the explanation of a score (TEL-3)."""

    kept: pa.Table
    counts: dict[str, int]
    rejected: pa.Table

    @property
    def dropped(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Screened(Filtered):
    """The result of `screen_batch` (reasons: SCREEN_REASONS)."""


@dataclass(frozen=True)
class Cleaned(Filtered):
    """The result of `clean_day` (reasons: CLEAN_REASONS)."""


def _floats(table: pa.Table, name: str, fill: float = np.nan) -> np.ndarray:
    """A float64 column as numpy, nulls as `fill`."""
    col = table.column(name)
    return np.asarray(pc.fill_null(col.cast(pa.float64()), fill).to_numpy(), dtype=np.float64)


def _micros(table: pa.Table, name: str = "ts") -> np.ndarray:
    """A timestamp column as int64 microseconds since the epoch."""
    return np.asarray(table.column(name).cast(pa.int64()).to_numpy(), dtype=np.int64)


def _device_codes(table: pa.Table) -> np.ndarray:
    """Each row's device as a small integer, to group on without Python strings."""
    enc = pc.dictionary_encode(table.column("device_id")).combine_chunks()
    return np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def _split(
    table: pa.Table, reason: np.ndarray, reasons: tuple[str, ...]
) -> tuple[pa.Table, dict[str, int], pa.Table]:
    """Split a table by a per-row reason code (0 = kept, k = reasons[k-1]) into kept, counts and rejected."""
    kept = table.filter(pa.array(reason == 0))
    counts = {name: int(np.count_nonzero(reason == k + 1)) for k, name in enumerate(reasons)}
    bad = np.flatnonzero(reason != 0)
    rejected = table.take(pa.array(bad, pa.int64()))
    labels = np.asarray(reasons, dtype=object)[reason[bad] - 1] if bad.size else np.asarray([], dtype=object)
    rejected = rejected.append_column(REASON_FIELD, pa.array(labels.tolist(), pa.string()))
    return kept, counts, rejected


def first_of_key(devices: np.ndarray, seq: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """True for each candidate row that is the first (in row order) of its (device, seq); False for later
    repeats and for rows that are not candidates. Vectorised with one stable lexicographic sort."""
    n = devices.size
    first = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(candidates)
    if idx.size == 0:
        return first
    order = idx[np.lexsort((idx, seq[idx], devices[idx]))]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (devices[order][1:] != devices[order][:-1]) | (seq[order][1:] != seq[order][:-1])
    first[order[new]] = True
    return first


def screen_batch(batch: pa.Table, now: datetime, limits: FixLimits = FixLimits()) -> Screened:
    """Screen one batch of positions as it arrives (TEL-2): drop fixes that are not fixes (`invalid_fix`:
    latitude or longitude out of range or NaN, exactly (0, 0), HDOP above or satellites below the limits where
    given, a negative or NaN speed), fixes from the future (`future_time`: later than `now` plus the
    tolerance) and repeats within the batch (`duplicate`: the same device and seq, the first kept).

    A row is given the first reason it meets in that order; duplicates are looked for among the rows that
    passed the other two, so a bad copy never hides a good one. Batch order does not matter: the first two
    reasons look at one row, and the kept copy of a duplicate is the same however the batch was split."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    n = batch.num_rows
    lat = _floats(batch, "lat")
    lon = _floats(batch, "lon")
    with np.errstate(invalid="ignore"):
        bad = ~((lat >= -90.0) & (lat <= 90.0) & (lon >= -180.0) & (lon <= 180.0))
        bad |= (lat == 0.0) & (lon == 0.0)
        speed = batch.column("speed_kph").cast(pa.float64())
        speed_np = _floats(batch, "speed_kph", 0.0)
        bad |= ~(speed_np >= 0.0) & np.asarray(speed.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if limits.max_hdop is not None:
            bad |= _floats(batch, "hdop", -np.inf) > limits.max_hdop
        if limits.min_satellites is not None:
            bad |= _floats(batch, "satellites", np.inf) < limits.min_satellites
    horizon = now + limits.future_tolerance
    horizon_us = int(pa.scalar(horizon, type=pa.timestamp("us", tz="UTC")).cast(pa.int64()).as_py())
    future = _micros(batch) > horizon_us
    reason = np.zeros(n, dtype=np.int64)
    reason[bad] = 1
    reason[(reason == 0) & future] = 2
    if n:
        seq = np.asarray(batch.column("seq").to_numpy(), dtype=np.int64)
        ok = reason == 0
        reason[ok & ~first_of_key(_device_codes(batch), seq, ok)] = 3
    kept, counts, rejected = _split(batch, reason, SCREEN_REASONS)
    return Screened(kept=kept, counts=counts, rejected=rejected)


def sort_positions(table: pa.Table) -> pa.Table:
    """Positions in the one order every step uses: by device, then time, then sequence number.

    A device-day as the store reads it is one device already in (ts, seq) order: that is checked with numpy
    and returned as it is; one device out of order is sorted without the string key, which is the costly one."""
    if table.num_rows < 2:
        return table
    devices = table.column("device_id")
    if pc.count_distinct(devices).as_py() == 1:
        ts = _micros(table)
        seq = np.asarray(table.column("seq").to_numpy(), dtype=np.int64)
        dt = np.diff(ts)
        if bool(((dt > 0) | ((dt == 0) & (np.diff(seq) > 0))).all()):
            return table
        order = np.lexsort((seq, ts))
        return table.take(pa.array(order, pa.int64()))
    return table.sort_by([("device_id", "ascending"), ("ts", "ascending"), ("seq", "ascending")])


def _jumps(
    dev: np.ndarray, t_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, limits: CleanLimits
) -> np.ndarray:
    """True for each fix whose implied speed from the last KEPT fix of the same device exceeds the maximum.

    Vectorised for the usual case: consecutive speeds are computed at once and nothing else is needed unless a
    jump is seen; after a dropped fix, the next fixes are compared with the last kept one (not with the wild
    fix) until one is believed again, or until `confirm_fixes` fixes in a row agree with each other (a real
    track: kept, the new anchor). The first fix of a device is believed unless it is itself the odd one out:
    it jumps to the second fix, and the second to the third does not."""
    n = dev.size
    drop = np.zeros(n, dtype=bool)
    if n < 2:
        return drop
    max_mps = limits.max_speed_kph / 3.6

    def speed(i: np.ndarray | int, j: np.ndarray | int) -> np.ndarray:
        dt = np.maximum(np.abs(t_s[j] - t_s[i]), limits.min_dt_s)
        return np.asarray(haversine_m(lat[i], lon[i], lat[j], lon[j]) / dt)

    same = np.zeros(n, dtype=bool)
    same[1:] = dev[1:] == dev[:-1]
    consec = np.zeros(n, dtype=bool)
    consec[1:] = same[1:] & (speed(np.arange(n - 1), np.arange(1, n)) > max_mps)
    # A device's first fix that jumps to its second while the second and third agree is the wild one.
    starts = np.flatnonzero(~same)
    for s in starts.tolist():
        if s + 2 < n and same[s + 1] and same[s + 2] and consec[s + 1] and not consec[s + 2]:
            drop[s] = True
            consec[s + 1] = False
    confirm = max(limits.confirm_fixes, 2)
    flagged = np.flatnonzero(consec)
    done = -1  # rows up to here are settled
    for i in flagged.tolist():
        if i <= done:
            continue
        last = i - 1
        while last >= 0 and drop[last]:
            last -= 1
        if last < 0 or dev[last] != dev[i]:
            continue
        j = i
        while j < n and same[j] and dev[j] == dev[last] and float(speed(last, j)) > max_mps:
            if _confirmed(j, confirm, same, consec):
                break  # a sustained track from here: kept, and the anchor of what follows
            drop[j] = True
            j += 1
        done = j
    return drop


def _confirmed(j: int, confirm: int, same: np.ndarray, consec: np.ndarray) -> bool:
    """Whether fixes j .. j + confirm - 1 are of one device and each believable from the one before."""
    end = j + confirm
    return end <= same.size and bool(same[j + 1 : end].all()) and not bool(consec[j + 1 : end].any())


_DRIFT_ROUNDS = 4  # vectorised rounds of run splitting before the linear pass takes over


def _drift(
    dev: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    speed: np.ndarray,
    ignition: np.ndarray,
    limits: CleanLimits,
) -> np.ndarray:
    """True for each fix of a parked run, after its first, within the drift radius of where the run began.

    A fix is stationary when the ignition is off, or under the parked speed. A run is a stretch of
    consecutive stationary fixes of one device with the same ignition state (an ignition change is a journey's
    start or end, never drift). A fix outside the radius is real movement: it ends the run and, if stationary,
    starts the next one as its anchor. Each round splits every run at its first fix outside the radius, all
    runs at once, until none has one (usually one or two rounds); runs still splitting after a few rounds are
    finished in one linear pass, so a slowly wandering fix costs linear, not quadratic, time."""
    n = dev.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    stationary = (ignition == 0) | (speed < limits.parked_speed_kph)
    start = np.ones(n, dtype=bool)
    start[1:] = (dev[1:] != dev[:-1]) | (ignition[1:] != ignition[:-1]) | ~stationary[:-1]
    start |= ~stationary
    idx = np.arange(n)
    pending = np.flatnonzero(stationary & ~start)  # fixes whose run may still split before them
    for _ in range(_DRIFT_ROUNDS):
        if not pending.size:
            return stationary & ~start
        anchor = np.maximum.accumulate(np.where(start, idx, 0))
        a = anchor[pending]
        far = haversine_m(lat[a], lon[a], lat[pending], lon[pending]) > limits.drift_radius_m
        if not far.any():
            return stationary & ~start
        # Only the first far fix of each run starts a new run this round: the later ones are judged from it.
        far_idx = pending[far]
        runs = anchor[far_idx]
        first_far = far_idx[np.r_[True, runs[1:] != runs[:-1]]]
        start[first_far] = True
        # Runs without a far fix are settled; only the split runs' later fixes are judged again.
        pending = pending[np.isin(a, runs) & ~start[pending]]
    # A run still splitting after a few rounds (a slow walk of the GPS): finish it in one linear pass rather
    # than a round per split. Rows are visited in order; `cur` is the anchor of the run being walked.
    anchor = np.maximum.accumulate(np.where(start, idx, 0))
    last_base, cur = -1, -1
    for p in pending.tolist():
        base = int(anchor[p])
        if base != last_base:
            last_base, cur = base, base
        if float(haversine_m(lat[cur], lon[cur], lat[p], lon[p])) > limits.drift_radius_m:
            start[p] = True
            cur = p
    return stationary & ~start


def clean_day(day: pa.Table, limits: CleanLimits = CleanLimits()) -> Cleaned:
    """Clean one device-day (TEL-2), sorted by (device, ts, seq) first so the order the batches came in does
    not matter: drop `impossible_jump` fixes (implied speed from the last kept fix above the maximum, 250 km/h
    by default) and then `parked_drift` fixes (a parked car's fixes within 30 m of where it stopped, after the
    first). Kept rows come back in that sorted order."""
    day = sort_positions(day)
    n = day.num_rows
    reason = np.zeros(n, dtype=np.int64)
    if n:
        dev = _device_codes(day)
        t_s = _micros(day).astype(np.float64) / 1e6
        lat = _floats(day, "lat")
        lon = _floats(day, "lon")
        jump = _jumps(dev, t_s, lat, lon, limits)
        reason[jump] = 1
        keep = ~jump
        ign_col = day.column("ignition")
        ignition = np.where(
            np.asarray(ign_col.is_null().to_numpy(zero_copy_only=False), dtype=bool),
            -1,
            np.asarray(pc.fill_null(ign_col, False).to_numpy(zero_copy_only=False), dtype=np.int64),
        )
        speed = _floats(day, "speed_kph", np.inf)
        drift = _drift(dev[keep], lat[keep], lon[keep], speed[keep], ignition[keep], limits)
        reason[np.flatnonzero(keep)[drift]] = 2
    kept, counts, rejected = _split(day, reason, CLEAN_REASONS)
    return Cleaned(kept=kept, counts=counts, rejected=rejected)
