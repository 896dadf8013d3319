"""The road network map matching runs on: OpenStreetMap ways cut into straight segments (TEL-3, TEL-10).

`RoadNetwork.from_ways` keeps only the highway classes a car drives on, projects every node to local metres and
stores one row per segment in numpy arrays: the way, the segment's index along it, its end points and end node
ids, its bearing and length, the limit for travel along and against the way (NaN when unknown: never judged as
speeding, TEL-10), the road class (the `highway` tag) and the one-way rule. A uniform grid finds the segments
near a point without looking at the others.

Projection: equirectangular about the network's centre. Over a county (50 km) the error in distances is below
0.5%, far inside GPS noise and the matching radius; a national network should be cut into regions, each with
its own centre, before matching.

`version` is a SHA-256 over the canonical segment data (the ways sorted by id): a score records the map it was
computed on, so it can be replayed (TEL-10), and the same extract read from XML or PBF gives the same version.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from covernote.telematics.domain.positions import EARTH_RADIUS_M
from covernote.telematics.domain.speed_limits import speed_limit

# The highway classes a car may drive on (OSM wiki, Key:highway). Tracks, footways, cycleways, bus-only roads
# and roads under construction are left out: a car on them is off the road network as far as limits go.
DRIVEABLE: frozenset[str] = frozenset({
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "service",
    "living_street", "road", "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
})

# The grid: 32 m cells, each listing every segment that passes within 32 m of it, so the segments within a
# matching radius of up to 32 m of a point are all in the point's own cell: one lookup, no duplicates.
DEFAULT_CELL_M = 32.0
DEFAULT_REACH_M = 32.0

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Way:
    """One OSM way as the loader read it: its id, tags, node ids and (lat, lon) in WGS84 degrees."""

    id: int
    tags: Mapping[str, str]
    node_ids: Sequence[int]
    coords: Sequence[tuple[float, float]]


def oneway(tags: Mapping[str, str]) -> int:
    """+1 one-way along the node order, -1 against it, 0 two-way (OSM wiki, Key:oneway).

    Motorways and roundabouts are one-way by OSM's implied rule unless tagged `oneway=no`; "reversible" and
    "alternating" roads carry traffic both ways over a day, so they are two-way here.
    """
    value = tags.get("oneway", "").strip().lower()
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    if value == "no":
        return 0
    if tags.get("highway") == "motorway" or tags.get("junction") in ("roundabout", "circular"):
        return 1
    return 0


def _frozen(array: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Segments of the driveable ways, in local metres, with a grid index (arrays are read-only)."""

    lat0: float
    lon0: float
    way_id: IntArray
    segment_index: IntArray
    node_from: IntArray
    node_to: IntArray
    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    bearing_deg: FloatArray  # of the segment from its start to its end, clockwise from north, in [0, 360)
    length_m: FloatArray
    limit_forward_kph: FloatArray  # NaN when unknown (TEL-10)
    limit_backward_kph: FloatArray
    road_class: npt.NDArray[np.int16]  # index into `classes`
    oneway: npt.NDArray[np.int8]
    classes: tuple[str, ...]
    # Per way (sorted by id): which tag gave each direction's limit, and the way's name, for explanations.
    way_ids: IntArray
    way_names: tuple[str | None, ...]
    limit_sources: tuple[tuple[str | None, str | None], ...]
    cell_m: float
    reach_m: float  # every segment within reach_m of a cell is listed in it
    cell_keys: IntArray  # sorted keys of the non-empty grid cells
    cell_starts: IntArray  # with a final sentinel: cell i's segments are cell_segments[starts[i]:starts[i+1]]
    cell_segments: IntArray
    version: str = field(default="")

    @classmethod
    def from_ways(cls, ways: Iterable[Way], cell_m: float = DEFAULT_CELL_M,
                  reach_m: float = DEFAULT_REACH_M) -> RoadNetwork:
        """The network of the driveable ways among `ways` (any order; a way with fewer than 2 nodes is skipped).

        `cell_m` and `reach_m` shape the grid index only (matching within `reach_m` is one lookup per point);
        they do not change `version`, which is the map's."""
        kept = sorted((w for w in ways if w.tags.get("highway") in DRIVEABLE and len(w.coords) >= 2),
                      key=lambda w: w.id)
        if not kept:
            raise ValueError("no driveable ways: a road network needs at least one")
        lats = np.fromiter((c[0] for w in kept for c in w.coords), dtype=np.float64)
        lons = np.fromiter((c[1] for w in kept for c in w.coords), dtype=np.float64)
        lat0 = float((lats.min() + lats.max()) / 2.0)
        lon0 = float((lons.min() + lons.max()) / 2.0)
        xs, ys = _project(lats, lons, lat0, lon0)
        nodes = np.fromiter((n for w in kept for n in w.node_ids), dtype=np.int64)
        if len(nodes) != len(lats):
            raise ValueError("every way needs one node id per coordinate")
        counts = np.array([len(w.coords) for w in kept], dtype=np.int64)
        ends = np.cumsum(counts)
        starts = ends - counts
        # Segment k of a way joins its node k to node k+1: every node but each way's last starts a segment.
        is_start = np.ones(len(lats), dtype=bool)
        is_start[ends - 1] = False
        first = np.flatnonzero(is_start)
        seg_counts = counts - 1
        classes = tuple(sorted({w.tags["highway"] for w in kept}))
        class_of = {name: i for i, name in enumerate(classes)}
        per_way_limits = [(speed_limit(w.tags, "forward"), speed_limit(w.tags, "backward")) for w in kept]
        fwd = np.array([np.nan if f is None else f.kph for f, _ in per_way_limits], dtype=np.float64)
        bwd = np.array([np.nan if b is None else b.kph for _, b in per_way_limits], dtype=np.float64)
        x0, y0, x1, y1 = xs[first], ys[first], xs[first + 1], ys[first + 1]
        dx, dy = x1 - x0, y1 - y0
        cell_keys, cell_starts, cell_segments = _grid(x0, y0, x1, y1, float(cell_m), float(reach_m))
        network = cls(
            lat0=lat0,
            lon0=lon0,
            way_id=np.repeat(np.array([w.id for w in kept], dtype=np.int64), seg_counts),
            segment_index=first - np.repeat(starts, seg_counts),
            node_from=nodes[first],
            node_to=nodes[first + 1],
            x0=x0, y0=y0, x1=x1, y1=y1,
            bearing_deg=np.mod(np.degrees(np.arctan2(dx, dy)), 360.0),
            length_m=np.hypot(dx, dy),
            limit_forward_kph=np.repeat(fwd, seg_counts),
            limit_backward_kph=np.repeat(bwd, seg_counts),
            road_class=np.repeat(np.array([class_of[w.tags["highway"]] for w in kept], dtype=np.int16), seg_counts),
            oneway=np.repeat(np.array([oneway(w.tags) for w in kept], dtype=np.int8), seg_counts),
            classes=classes,
            way_ids=np.array([w.id for w in kept], dtype=np.int64),
            way_names=tuple(w.tags.get("name") for w in kept),
            limit_sources=tuple((None if f is None else f.source, None if b is None else b.source)
                                for f, b in per_way_limits),
            cell_m=float(cell_m),
            reach_m=float(reach_m),
            cell_keys=cell_keys,
            cell_starts=cell_starts,
            cell_segments=cell_segments,
        )
        for name in ("way_id", "segment_index", "node_from", "node_to", "x0", "y0", "x1", "y1", "bearing_deg",
                     "length_m", "limit_forward_kph", "limit_backward_kph", "road_class", "oneway", "way_ids",
                     "cell_keys", "cell_starts", "cell_segments"):
            _frozen(getattr(network, name))
        object.__setattr__(network, "version", network._digest())
        return network

    def __len__(self) -> int:
        return len(self.way_id)

    @property
    def limit_kph(self) -> FloatArray:
        """Each segment's limit when the direction of travel is not known: a one-way road's own direction's,
        a two-way road's higher one (NaN when either is unknown), so it never calls a legal speed speeding."""
        along = np.where(self.oneway == -1, self.limit_backward_kph, self.limit_forward_kph)
        return np.where(self.oneway == 0, np.maximum(self.limit_forward_kph, self.limit_backward_kph), along)

    @property
    def highway(self) -> npt.NDArray[np.object_]:
        """Each segment's road class as the `highway` tag names it ("residential", "motorway", ...)."""
        return np.array(self.classes, dtype=object)[self.road_class]

    def project(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """WGS84 degrees to this network's local metres (x east, y north)."""
        return _project(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64), self.lat0, self.lon0)

    def unproject(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Local metres back to WGS84 (lat, lon) degrees: the inverse of `project`."""
        lat = self.lat0 + np.degrees(np.asarray(y, dtype=np.float64) / EARTH_RADIUS_M)
        lon = self.lon0 + np.degrees(
            np.asarray(x, dtype=np.float64) / (EARTH_RADIUS_M * math.cos(math.radians(self.lat0))))
        return lat, lon

    def nearby(self, x: FloatArray, y: FloatArray, radius_m: float) -> tuple[IntArray, IntArray]:
        """Pairs (point, segment) that may be within `radius_m` of each other: a superset of the segments within
        the radius, each pair once, sorted by point then segment."""
        finite = np.isfinite(x) & np.isfinite(y)
        ix = np.floor(np.where(finite, x, 0.0) / self.cell_m).astype(np.int64)
        iy = np.floor(np.where(finite, y, 0.0) / self.cell_m).astype(np.int64)
        if radius_m <= self.reach_m:
            # -1 is no cell's key: a position without coordinates has no candidates.
            return self._lookup(np.where(finite, _key(ix, iy), -1), 1)
        # A radius beyond the grid's reach: the neighbouring cells too, then each pair once (slower).
        ring = math.ceil((radius_m - self.reach_m) / self.cell_m)
        offsets = np.arange(-ring, ring + 1, dtype=np.int64)
        keys = _key(ix[:, None, None] + offsets[None, :, None], iy[:, None, None] + offsets[None, None, :])
        keys = np.where(finite[:, None, None], keys, -1)
        point, segments = self._lookup(keys.ravel(), keys.shape[1] * keys.shape[2])
        pair = np.unique(point * len(self.way_id) + segments)
        return pair // len(self.way_id), pair % len(self.way_id)

    def _lookup(self, keys: IntArray, per_point: int) -> tuple[IntArray, IntArray]:
        """The segments listed in each cell of `keys` (`per_point` consecutive keys belong to one point)."""
        at = np.minimum(np.searchsorted(self.cell_keys, keys), len(self.cell_keys) - 1)
        hit = self.cell_keys[at] == keys
        lo = np.where(hit, self.cell_starts[at], 0)
        n = np.where(hit, self.cell_starts[at + 1] - lo, 0)
        total = int(n.sum())
        owner = np.repeat(np.arange(keys.size, dtype=np.int64) // per_point, n)
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        return owner, self.cell_segments[np.repeat(lo, n) + within]

    def limit_source(self, way_id: int, forward: bool = True) -> str | None:
        """Which tag gave the way's limit for travel along (`forward`) or against its node order (TEL-3)."""
        at = int(np.searchsorted(self.way_ids, way_id))
        if at >= len(self.way_ids) or self.way_ids[at] != way_id:
            raise KeyError(way_id)
        return self.limit_sources[at][0 if forward else 1]

    def way_name(self, way_id: int) -> str | None:
        at = int(np.searchsorted(self.way_ids, way_id))
        if at >= len(self.way_ids) or self.way_ids[at] != way_id:
            raise KeyError(way_id)
        return self.way_names[at]

    def _digest(self) -> str:
        digest = hashlib.sha256(b"covernote-roads-v1\0")
        digest.update(np.array([self.lat0, self.lon0], dtype="<f8").tobytes())
        for name in ("way_id", "segment_index", "node_from", "node_to"):
            digest.update(np.ascontiguousarray(getattr(self, name), dtype="<i8").tobytes())
        for name in ("x0", "y0", "x1", "y1", "limit_forward_kph", "limit_backward_kph"):
            digest.update(np.ascontiguousarray(getattr(self, name), dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.oneway, dtype="i1").tobytes())
        digest.update(np.ascontiguousarray(self.road_class, dtype="<i2").tobytes())
        digest.update("\0".join(self.classes).encode())
        return digest.hexdigest()


def _project(lat: FloatArray, lon: FloatArray, lat0: float, lon0: float) -> tuple[FloatArray, FloatArray]:
    x = np.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    y = np.radians(lat - lat0) * EARTH_RADIUS_M
    return x, y


def _key(ix: IntArray, iy: IntArray) -> IntArray:
    # Cells up to +-2^31 in each direction: at 100 m far beyond any network.
    return (ix + (1 << 31)) * (1 << 32) + (iy + (1 << 31))


def _grid(x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray, cell_m: float,
          reach_m: float) -> tuple[IntArray, IntArray, IntArray]:
    """Each segment listed in every cell its bounding box, widened by `reach_m`, touches: any point within
    `reach_m` of the segment lies in one of them (segments are short: a few cells each)."""
    cx0 = np.floor((np.minimum(x0, x1) - reach_m) / cell_m).astype(np.int64)
    cx1 = np.floor((np.maximum(x0, x1) + reach_m) / cell_m).astype(np.int64)
    cy0 = np.floor((np.minimum(y0, y1) - reach_m) / cell_m).astype(np.int64)
    cy1 = np.floor((np.maximum(y0, y1) + reach_m) / cell_m).astype(np.int64)
    wx, wy = cx1 - cx0 + 1, cy1 - cy0 + 1
    n = wx * wy
    seg = np.repeat(np.arange(len(x0), dtype=np.int64), n)
    k = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    keys = _key(np.repeat(cx0, n) + k // np.repeat(wy, n), np.repeat(cy0, n) + k % np.repeat(wy, n))
    order = np.lexsort((seg, keys))
    keys, seg = keys[order], seg[order]
    cell_keys, first = np.unique(keys, return_index=True)
    cell_starts = np.append(first, len(keys)).astype(np.int64)
    return cell_keys, cell_starts, seg
