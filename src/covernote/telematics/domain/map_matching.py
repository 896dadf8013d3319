"""Heading-aware map matching: each position to the road it was driven on, and that road's limit (TEL-3, TEL-10).

For each position, the candidates are the segments within `radius_m` (found through the network's grid). When
the car is moving (speed at least `HEADING_MIN_KPH`) and reports a heading, a candidate's direction of travel
must be within `MAX_HEADING_DIFF_DEG` of that heading (a one-way road only in its direction, a two-way road in
either), and its cost is the perpendicular distance plus `HEADING_COST_M_PER_DEG` per degree of difference; so a
car heading east on a dual carriageway matches the eastbound carriageway even when GPS puts it nearer the
westbound one. At low speed or without a heading (a GPS heading is noise when nearly stationary) the cost is the
distance alone.

Continuity: when the way matched just before (within `CONTINUITY_GAP_S`) is still a candidate whose cost is
within `CONTINUITY_TOLERANCE_M` of the best, the position stays on it, so a car passing a junction does not
flick onto the crossing road. Only positions with more than one way within tolerance depend on the previous
choice; the sequential pass visits those alone, everything else is vectorised.

The limit is the one for the direction of travel (the way's `maxspeed:forward` or `:backward`). On a two-way road
with no usable heading and different limits each way, the higher is taken: judging by it never calls a legal
speed speeding. No candidate within the radius: nulls, an unknown limit, never judged as speeding (TEL-10).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from covernote.telematics.domain.positions import MATCH_FIELDS
from covernote.telematics.domain.roads import FloatArray, IntArray, RoadNetwork

DEFAULT_RADIUS_M = 30.0
HEADING_MIN_KPH = 10.0
MAX_HEADING_DIFF_DEG = 45.0
HEADING_COST_M_PER_DEG = 0.2  # 45 degrees off costs as much as 9 m farther away
CONTINUITY_TOLERANCE_M = 8.0
CONTINUITY_GAP_S = 60.0
CHUNK_ROWS = 131_072  # candidates are built a chunk at a time: memory stays in the tens of MB on any day

_MATCH_NAMES = [f.name for f in MATCH_FIELDS]


def angle_diff_deg(a: FloatArray, b: FloatArray) -> FloatArray:
    """The absolute difference of two bearings in degrees, in [0, 180]."""
    return np.abs(np.mod(a - b + 180.0, 360.0) - 180.0)


def match(day: pa.Table, network: RoadNetwork, radius_m: float = DEFAULT_RADIUS_M) -> pa.Table:
    """`day` sorted by time (then device and sequence number) with MATCH_FIELDS added (TEL-3).

    Deterministic and independent of the input's row order. Columns of MATCH_FIELDS already present are
    replaced.
    """
    table = _sorted(day)
    table = table.drop_columns([name for name in _MATCH_NAMES if name in table.column_names])
    n = table.num_rows
    lat = _floats(table, "lat")
    lon = _floats(table, "lon")
    speed = _floats(table, "speed_kph")
    heading = _floats(table, "heading_deg")
    ts_s = (table.column("ts").cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64) / 1e6
            if "ts" in table.column_names else np.zeros(n))
    x, y = network.project(lat, lon)
    moving = ~np.isnan(heading) & ~np.isnan(speed) & (speed >= HEADING_MIN_KPH)

    best_seg = np.full(n, -1, dtype=np.int64)
    best_cost = np.full(n, np.inf)
    best_dist = np.full(n, np.nan)
    best_forward = np.zeros(n, dtype=bool)
    # Ambiguous positions: more than one way within tolerance; their candidates (best per way) kept aside.
    amb_point: list[IntArray] = []
    amb_seg: list[IntArray] = []
    amb_forward: list[npt.NDArray[np.bool_]] = []
    amb_dist: list[FloatArray] = []
    amb_cost: list[FloatArray] = []
    for start in range(0, n, CHUNK_ROWS):
        stop = min(n, start + CHUNK_ROWS)
        found = _candidates(network, x[start:stop], y[start:stop], heading[start:stop], moving[start:stop],
                            radius_m)
        if found is None:
            continue
        point, seg, cost, dist, forward = found
        # Candidates come sorted by point then segment, so by point, way, segment: every step below is linear.
        group = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
        group_of = np.cumsum(np.r_[True, point[1:] != point[:-1]]) - 1
        least = np.minimum.reduceat(cost, group)
        # Best per point: the lowest cost, then the lowest segment number (deterministic).
        at_least = np.flatnonzero(cost == least[group_of])
        winners = at_least[np.r_[True, group_of[at_least[1:]] != group_of[at_least[:-1]]]]
        p = point[winners] + start
        best_seg[p], best_cost[p], best_dist[p], best_forward[p] = (
            seg[winners], cost[winners], dist[winners], forward[winners])
        # Ambiguous: more than one way within tolerance of the best; only those need the continuity pass.
        close = np.flatnonzero(cost <= least[group_of] + CONTINUITY_TOLERANCE_M)
        way = network.way_id[seg[close]]
        new_way = np.r_[True, (point[close][1:] != point[close][:-1]) | (way[1:] != way[:-1])]
        ways_close = np.bincount(point[close][new_way], minlength=stop - start)
        keep = close[ways_close[point[close]] > 1]
        amb_point.append(point[keep] + start)
        amb_seg.append(seg[keep])
        amb_cost.append(cost[keep])
        amb_forward.append(forward[keep])
        amb_dist.append(dist[keep])

    chosen_seg, chosen_dist, chosen_forward = best_seg, best_dist, best_forward
    if amb_point and sum(len(a) for a in amb_point):
        chosen_seg, chosen_dist, chosen_forward = _continuity(
            network, ts_s, best_seg.copy(), best_dist.copy(), best_forward.copy(),
            np.concatenate(amb_point), np.concatenate(amb_seg), np.concatenate(amb_cost),
            np.concatenate(amb_dist), np.concatenate(amb_forward))

    matched = chosen_seg >= 0
    seg_safe = np.where(matched, chosen_seg, 0)
    fwd = network.limit_forward_kph[seg_safe]
    bwd = network.limit_backward_kph[seg_safe]
    two_way_unknown = (network.oneway[seg_safe] == 0) & ~moving
    limit = np.where(two_way_unknown, np.maximum(fwd, bwd), np.where(chosen_forward, fwd, bwd))
    limit = np.where(matched, limit, np.nan)
    classes = pa.array(network.classes, type=pa.string()).take(
        pa.array(network.road_class[seg_safe], type=pa.int16(), mask=~matched))
    columns = {
        "way_id": pa.array(network.way_id[seg_safe], type=pa.int64(), mask=~matched),
        "limit_kph": pa.array(limit, type=pa.float64(), mask=np.isnan(limit)),
        "road_class": classes,
        "match_distance_m": pa.array(chosen_dist, type=pa.float64(), mask=~matched),
    }
    for f in MATCH_FIELDS:
        table = table.append_column(f, columns[f.name])
    return table


def _sorted(day: pa.Table) -> pa.Table:
    """`day` in time order, then device and sequence number; as given when its times already strictly rise
    (the usual case: a stored device-day), which saves a copy of every column."""
    keys = [(name, "ascending") for name in ("ts", "device_id", "seq") if name in day.column_names]
    if not keys:
        return day
    if keys[0][0] == "ts" and day.num_rows > 1:
        ts = day.column("ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
        if bool(np.all(ts[1:] > ts[:-1])):
            return day
    return day.take(pc.sort_indices(day, sort_keys=keys))


def _floats(table: pa.Table, name: str) -> FloatArray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    column = table.column(name).cast(pa.float64())
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def _candidates(network: RoadNetwork, x: FloatArray, y: FloatArray, heading: FloatArray,
                moving: npt.NDArray[np.bool_], radius_m: float
                ) -> tuple[IntArray, IntArray, FloatArray, FloatArray, npt.NDArray[np.bool_]] | None:
    """Every admissible (point, segment) within the radius, with its cost, distance and direction of travel
    (True: along the way's node order)."""
    point, seg = network.nearby(x, y, radius_m)
    if len(point) == 0:
        return None
    px, py = x[point], y[point]
    ax, ay = network.x0[seg], network.y0[seg]
    dx, dy = network.x1[seg] - ax, network.y1[seg] - ay
    length2 = dx * dx + dy * dy
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    dist = np.hypot(px - (ax + t * dx), py - (ay + t * dy))
    # The grid gives a superset: drop what is beyond the radius before the heading's arithmetic.
    near = np.flatnonzero(dist <= radius_m)
    point, seg, dist = point[near], seg[near], dist[near]
    off_forward = angle_diff_deg(heading[point], network.bearing_deg[seg])
    ow = network.oneway[seg]
    forward = np.where(ow == 1, True, np.where(ow == -1, False, off_forward <= 90.0))
    off = np.where(forward, off_forward, 180.0 - off_forward)
    use_heading = moving[point]
    # Without a usable heading, a one-way road's direction is its own and a two-way road's is unknown.
    forward = np.where(use_heading | (ow != 0), forward, True)
    admissible = np.flatnonzero(~use_heading | (off <= MAX_HEADING_DIFF_DEG))
    if len(admissible) == 0:
        return None
    cost = dist[admissible] + np.where(use_heading[admissible], HEADING_COST_M_PER_DEG * off[admissible], 0.0)
    return point[admissible], seg[admissible], cost, dist[admissible], forward[admissible].astype(bool)


def _continuity(network: RoadNetwork, ts_s: FloatArray, seg_out: IntArray, dist_out: FloatArray,
                forward_out: npt.NDArray[np.bool_], point: IntArray, seg: IntArray, cost: FloatArray,
                dist: FloatArray, forward: npt.NDArray[np.bool_]
                ) -> tuple[IntArray, FloatArray, npt.NDArray[np.bool_]]:
    """Stay on the previous position's way where it is one of this position's close candidates.

    The rule is sequential (a position's choice depends on the one before), but only ambiguous positions
    (`point`: those with several close ways) depend on it at all. So: start from every position's best, then
    re-judge the ambiguous positions whose predecessor's choice changed, in vectorised rounds, until nothing
    changes. The fixed point satisfies the sequential rule everywhere, and that rule has one solution, so the
    result is the sequential pass's; the work is proportional to the choices that change.
    """
    n = len(seg_out)
    ways = len(network.way_ids)
    best_seg = seg_out.copy()
    # A (point, way) key for each close candidate; its first occurrence in (point, cost, segment) order is the
    # way's best candidate for that point.
    order = np.lexsort((seg, cost, point))
    point, seg, dist, forward = point[order], seg[order], dist[order], forward[order]
    key = point * ways + np.searchsorted(network.way_ids, network.way_id[seg])
    keys, first = np.unique(key, return_index=True)
    matched = seg_out >= 0
    way_out = np.where(matched, np.searchsorted(network.way_ids, network.way_id[np.maximum(seg_out, 0)]), -1)
    ambiguous = np.zeros(n, dtype=bool)
    ambiguous[point] = True
    frontier = np.unique(point)
    while len(frontier):
        i = frontier
        before = np.maximum(i - 1, 0)
        follows = (i > 0) & matched[before] & (ts_s[i] - ts_s[before] <= CONTINUITY_GAP_S)
        wanted = i * ways + way_out[before]
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        stay = follows & (keys[at] == wanted)
        k = first[at]
        new_seg = np.where(stay, seg[k], best_seg[i])
        changed = new_seg != seg_out[i]
        if not changed.any():
            break
        c, kc, stay_c = i[changed], k[changed], stay[changed]
        seg_out[c] = new_seg[changed]
        # Back to the best: recompute its distance and direction from the candidates of that same way.
        best_key = c * ways + np.searchsorted(network.way_ids, network.way_id[seg_out[c]])
        kb = first[np.minimum(np.searchsorted(keys, best_key), len(keys) - 1)]
        pick = np.where(stay_c, kc, kb)
        dist_out[c], forward_out[c] = dist[pick], forward[pick]
        way_out[c] = np.searchsorted(network.way_ids, network.way_id[seg_out[c]])
        nxt = c + 1
        nxt = nxt[nxt < n]
        frontier = nxt[ambiguous[nxt]]
    return seg_out, dist_out, forward_out
