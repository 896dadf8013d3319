"""A routing graph over the road network's segments (TEL-2, TEL-3 test and demo data): the roads as a directed
graph that respects one-way rules, and the quickest route between two nodes by travel time at the limit.

Used by the device simulator (`simulator.py`) to drive realistic trips over a map. A segment of a two-way road is
two edges (along and against the way's node order), of a one-way road one. An edge's travel time is its length
at the limit for its direction; where OpenStreetMap gives no limit, a default for the road's class is used FOR
ROUTING ONLY (`ROUTING_DEFAULT_MPH`): scoring never guesses a limit (TEL-10).

Pure: numpy and the standard library's heap; the graph is built once per network (a few vectorised passes) and
a route is Dijkstra's algorithm over it (visiting nodes, never positions).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from covernote.telematics.domain.positions import KPH_PER_MPH
from covernote.telematics.domain.roads import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Routing only (never scoring, TEL-10): a speed for a road whose limit OpenStreetMap does not give, by class,
# from the UK's defaults (national limits out of town, 30 mph in built-up residential streets).
ROUTING_DEFAULT_MPH: dict[str, float] = {
    "motorway": 70, "motorway_link": 50, "trunk": 60, "trunk_link": 40, "primary": 50, "primary_link": 40,
    "secondary": 50, "secondary_link": 40, "tertiary": 40, "tertiary_link": 30, "unclassified": 40,
    "residential": 30, "living_street": 20, "service": 15, "road": 30,
}
FALLBACK_MPH = 30.0


class NoRoute(ValueError):
    """No route joins the two nodes (a one-way road or a gap in the map is in the way)."""


@dataclass(frozen=True, eq=False)
class Route:
    """A route: the segments driven in order and whether each is driven along its way's node order.

    `nodes` has one more entry than `segments`: the node at each segment's start, then the last segment's end."""

    segments: IntArray
    forward: BoolArray
    nodes: IntArray

    def __len__(self) -> int:
        return len(self.segments)

    def __add__(self, other: Route) -> Route:
        """This route followed by `other`, which must start where this one ends."""
        if len(self) and len(other) and self.nodes[-1] != other.nodes[0]:
            raise ValueError("routes join only where the first ends and the second starts")
        if not len(self):
            return other
        if not len(other):
            return self
        return Route(np.concatenate([self.segments, other.segments]), np.concatenate([self.forward, other.forward]),
                     np.concatenate([self.nodes, other.nodes[1:]]))

    def polyline(self, network: RoadNetwork) -> tuple[FloatArray, FloatArray]:
        """The route's vertices in the network's local metres (x east, y north), start to end."""
        s, f = self.segments, self.forward
        xs = np.where(f, network.x0[s], network.x1[s])
        ys = np.where(f, network.y0[s], network.y1[s])
        if not len(s):
            return xs, ys
        return (np.append(xs, network.x1[s[-1]] if f[-1] else network.x0[s[-1]]),
                np.append(ys, network.y1[s[-1]] if f[-1] else network.y0[s[-1]]))

    def limits_kph(self, network: RoadNetwork) -> FloatArray:
        """Each segment's limit for the direction driven (NaN when unknown: TEL-10)."""
        return np.where(self.forward, network.limit_forward_kph[self.segments],
                        network.limit_backward_kph[self.segments])

    def way_ids(self, network: RoadNetwork) -> IntArray:
        return np.asarray(network.way_id[self.segments], dtype=np.int64)

    def length_m(self, network: RoadNetwork) -> float:
        return float(network.length_m[self.segments].sum())


def routing_speeds_kph(network: RoadNetwork) -> tuple[FloatArray, FloatArray]:
    """Each segment's speed for routing along and against its way: the limit, or the class default when
    unknown (routing only: TEL-10)."""
    default = np.array([ROUTING_DEFAULT_MPH.get(c, FALLBACK_MPH) * KPH_PER_MPH for c in network.classes])
    by_class = default[network.road_class]
    fwd = np.where(np.isnan(network.limit_forward_kph), by_class, network.limit_forward_kph)
    bwd = np.where(np.isnan(network.limit_backward_kph), by_class, network.limit_backward_kph)
    return fwd, bwd


@dataclass(frozen=True, eq=False)
class RoutingGraph:
    """The network as a directed graph: node ids mapped to 0..n-1, edges in CSR order by their start node."""

    network: RoadNetwork
    node_ids: IntArray  # sorted OSM node ids; a node's index is its position here
    edge_from: IntArray  # node indices
    edge_to: IntArray
    edge_segment: IntArray
    edge_forward: BoolArray
    edge_seconds: FloatArray
    offsets: IntArray  # node i's edges are offsets[i]:offsets[i+1]

    @classmethod
    def of(cls, network: RoadNetwork) -> RoutingGraph:
        """The directed graph of `network`: one edge per segment and direction allowed by its one-way rule."""
        fwd_kph, bwd_kph = routing_speeds_kph(network)
        seg = np.arange(len(network), dtype=np.int64)
        along = network.oneway >= 0
        against = network.oneway <= 0
        segment = np.concatenate([seg[along], seg[against]])
        forward = np.concatenate([np.ones(int(along.sum()), dtype=bool), np.zeros(int(against.sum()), dtype=bool)])
        start = np.where(forward, network.node_from[segment], network.node_to[segment])
        end = np.where(forward, network.node_to[segment], network.node_from[segment])
        seconds = network.length_m[segment] / (np.where(forward, fwd_kph[segment], bwd_kph[segment]) / 3.6)
        node_ids = np.unique(np.concatenate([network.node_from, network.node_to]))
        u = np.searchsorted(node_ids, start)
        v = np.searchsorted(node_ids, end)
        order = np.lexsort((segment, u))
        offsets = np.searchsorted(u[order], np.arange(len(node_ids) + 1)).astype(np.int64)
        return cls(network, node_ids, u[order], v[order], segment[order], forward[order], seconds[order], offsets)

    def index(self, node_id: int) -> int:
        at = int(np.searchsorted(self.node_ids, node_id))
        if at >= len(self.node_ids) or self.node_ids[at] != node_id:
            raise KeyError(f"node {node_id} is on no driveable road")
        return at

    def route(self, source: int, target: int) -> Route:
        """The quickest route from node `source` to node `target` (OSM node ids) at the routing speeds, as
        the sequence of segments; NoRoute if none (ties: the lowest edge order, so it is deterministic)."""
        s, t = self.index(source), self.index(target)
        n = len(self.node_ids)
        best = np.full(n, np.inf)
        via = np.full(n, -1, dtype=np.int64)  # the edge a node was reached by
        best[s] = 0.0
        heap: list[tuple[float, int]] = [(0.0, s)]
        done = np.zeros(n, dtype=bool)
        while heap:
            cost, u = heapq.heappop(heap)
            if done[u]:
                continue
            done[u] = True
            if u == t:
                break
            lo, hi = int(self.offsets[u]), int(self.offsets[u + 1])
            for e in range(lo, hi):
                v = int(self.edge_to[e])
                c = cost + float(self.edge_seconds[e])
                if c < best[v]:
                    best[v] = c
                    via[v] = e
                    heapq.heappush(heap, (c, v))
        if not done[t]:
            raise NoRoute(f"no route from node {source} to node {target}")
        edges: list[int] = []
        at = t
        while at != s:
            e = int(via[at])
            edges.append(e)
            at = int(self.edge_from[e])
        edges.reverse()
        picked = np.array(edges, dtype=np.int64)
        nodes = np.append(self.node_ids[self.edge_from[picked]] if len(picked) else np.zeros(0, dtype=np.int64),
                          self.node_ids[t])
        return Route(self.edge_segment[picked], self.edge_forward[picked], nodes.astype(np.int64))

    def route_via(self, waypoints: Sequence[int]) -> Route:
        """The quickest route through `waypoints` (node ids) in order: each leg's quickest route, joined."""
        if len(waypoints) < 2:
            raise ValueError("a route needs at least two waypoints")
        total = Route(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.array([waypoints[0]], dtype=np.int64))
        for a, b in itertools.pairwise(waypoints):
            total = total + self.route(a, b)
        return total

    def seconds(self, route: Route) -> float:
        """The route's travel time at the routing speeds."""
        fwd_kph, bwd_kph = routing_speeds_kph(self.network)
        kph = np.where(route.forward, fwd_kph[route.segments], bwd_kph[route.segments])
        return float((self.network.length_m[route.segments] / (kph / 3.6)).sum())

    def reachable(self, source: int) -> IntArray:
        """The node ids reachable from `source` (breadth first over the edges)."""
        seen = np.zeros(len(self.node_ids), dtype=bool)
        frontier = np.array([self.index(source)], dtype=np.int64)
        seen[frontier] = True
        while frontier.size:
            lo, hi = self.offsets[frontier], self.offsets[frontier + 1]
            n = hi - lo
            edges = np.repeat(lo, n) + np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            nxt = np.unique(self.edge_to[edges])
            frontier = nxt[~seen[nxt]]
            seen[frontier] = True
        return self.node_ids[seen]

    def strongly_connected(self, source: int) -> IntArray:
        """The node ids that can be reached from `source` and can reach it back: where a loop may go."""
        labels = self.components
        return self.node_ids[labels == labels[self.index(source)]]

    def largest_component(self) -> IntArray:
        """The node ids of the largest strongly connected part (ties: the one holding the lowest node id)."""
        labels = self.components
        sizes = np.bincount(labels)
        return self.node_ids[labels == int(np.argmax(sizes))]

    @cached_property
    def components(self) -> IntArray:
        """Each node's strongly connected component, numbered 0.. in order of each one's lowest node index
        (Kosaraju's algorithm, iterative: an order by finishing time on the graph, then searches on the reversed
        graph in reverse finishing order). O(nodes + edges), computed once per graph."""
        n = len(self.node_ids)
        to, offsets = self.edge_to.tolist(), self.offsets.tolist()
        seen = [False] * n
        order: list[int] = []
        for root in range(n):
            if seen[root]:
                continue
            seen[root] = True
            stack = [(root, offsets[root])]
            while stack:
                node, at = stack[-1]
                if at < offsets[node + 1]:
                    stack[-1] = (node, at + 1)
                    nxt = to[at]
                    if not seen[nxt]:
                        seen[nxt] = True
                        stack.append((nxt, offsets[nxt]))
                else:
                    stack.pop()
                    order.append(node)
        rev = RoutingGraph._reverse(self)
        rto, roffsets = rev.edge_to.tolist(), rev.offsets.tolist()
        label = [-1] * n
        count = 0
        for root in reversed(order):
            if label[root] >= 0:
                continue
            label[root] = count
            todo = [root]
            while todo:
                node = todo.pop()
                for e in range(roffsets[node], roffsets[node + 1]):
                    nxt = rto[e]
                    if label[nxt] < 0:
                        label[nxt] = count
                        todo.append(nxt)
            count += 1
        raw = np.array(label, dtype=np.int64)
        # renumber by each component's lowest node index, so the numbering does not depend on the search order
        first = np.full(count, n, dtype=np.int64)
        np.minimum.at(first, raw, np.arange(n, dtype=np.int64))
        rank = np.empty(count, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(count, dtype=np.int64)
        return rank[raw]

    @staticmethod
    def _reverse(g: RoutingGraph) -> RoutingGraph:
        order = np.lexsort((g.edge_segment, g.edge_to))
        offsets = np.searchsorted(g.edge_to[order], np.arange(len(g.node_ids) + 1)).astype(np.int64)
        return RoutingGraph(g.network, g.node_ids, g.edge_to[order], g.edge_from[order], g.edge_segment[order],
                            ~g.edge_forward[order], g.edge_seconds[order], offsets)
