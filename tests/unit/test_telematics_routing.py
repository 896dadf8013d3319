"""TEL-2, TEL-3, TEL-10: the routing graph over the Ashcombe fixture (`telematics/domain/routing.py`): routes
connect, respect one-way roads, are the quickest (checked against a Bellman-Ford reference over the same edges),
and an unknown limit gets a class default for routing only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covernote.telematics.adapters.osm import load_network
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.routing import NoRoute, RoutingGraph

ROOT = Path(__file__).resolve().parents[2]
BACK_LANE = 1004  # no limit tag
BYPASS_EAST, BYPASS_WEST = 1008, 1009
M40_NORTH = 1011


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return load_network(ASHCOMBE_OSM)


@pytest.fixture(scope="module")
def graph(network: RoadNetwork) -> RoutingGraph:
    return RoutingGraph.of(network)


def _bellman_ford(graph: RoutingGraph, source: int) -> np.ndarray:
    """Shortest travel times from `source` over the graph's edges, by repeated vectorised relaxation."""
    best = np.full(len(graph.node_ids), np.inf)
    best[graph.index(source)] = 0.0
    for _ in range(len(graph.node_ids)):
        cand = best[graph.edge_from] + graph.edge_seconds
        new = best.copy()
        np.minimum.at(new, graph.edge_to, cand)
        if np.array_equal(new, best):
            break
        best = new
    return best


def _check_route(network: RoadNetwork, route_nodes: np.ndarray, segments: np.ndarray, forward: np.ndarray) -> None:
    """Consecutive segments join end to start, and each is driven in a direction its one-way rule allows."""
    start = np.where(forward, network.node_from[segments], network.node_to[segments])
    end = np.where(forward, network.node_to[segments], network.node_from[segments])
    assert np.array_equal(start[1:], end[:-1])
    assert np.array_equal(route_nodes, np.append(start, end[-1:]))
    ow = network.oneway[segments]
    assert not np.any((ow == 1) & ~forward) and not np.any((ow == -1) & forward)


def test_tel3_the_graph_has_one_edge_per_allowed_direction(network: RoadNetwork, graph: RoutingGraph) -> None:
    """TEL-3: a two-way segment is two edges, a one-way segment one (motorways and the roundabout implied)."""
    expected = int(np.sum(np.where(network.oneway == 0, 2, 1)))
    assert len(graph.edge_segment) == expected
    assert np.all(graph.edge_seconds > 0) and np.all(np.isfinite(graph.edge_seconds))
    for seg, fwd in zip(graph.edge_segment.tolist(), graph.edge_forward.tolist(), strict=True):
        assert network.oneway[seg] == 0 or (network.oneway[seg] == 1) == fwd


def test_tel3_a_route_on_the_dual_carriageway_keeps_to_its_direction(network: RoadNetwork,
                                                                      graph: RoutingGraph) -> None:
    """TEL-3: from the eastbound bypass's west end to its east end the route is the eastbound carriageway only,
    driven along it; the way back east to west is the westbound one (never the eastbound driven backwards)."""
    east = np.flatnonzero(network.way_id == BYPASS_EAST)
    west = np.flatnonzero(network.way_id == BYPASS_WEST)
    there = graph.route(int(network.node_from[east[0]]), int(network.node_to[east[-1]]))
    assert set(there.way_ids(network).tolist()) == {BYPASS_EAST} and there.forward.all()
    back = graph.route(int(network.node_from[west[0]]), int(network.node_to[west[-1]]))
    assert set(back.way_ids(network).tolist()) == {BYPASS_WEST}
    _check_route(network, back.nodes, back.segments, back.forward)


def test_tel3_no_route_leaves_a_one_way_dead_end(network: RoadNetwork, graph: RoutingGraph) -> None:
    """TEL-3: the M40 northbound ends at the fixture's edge: nothing can be reached from its end, so a route
    from there into town is refused (NoRoute), while the way there is found."""
    north = np.flatnonzero(network.way_id == M40_NORTH)
    end = int(network.node_to[north[-1]])
    high_street_west = int(network.node_from[np.flatnonzero(network.way_id == 1001)[0]])
    with pytest.raises(NoRoute):
        graph.route(end, high_street_west)
    assert M40_NORTH in graph.route(high_street_west, end).way_ids(network).tolist()
    with pytest.raises(KeyError):
        graph.index(-1)


def test_tel10_an_unknown_limit_gets_a_class_default_for_routing_only(network: RoadNetwork,
                                                                      graph: RoutingGraph) -> None:
    """TEL-10: Back Lane has no limit: the route's limits stay unknown (NaN, never judged), but the graph gives
    it a finite time (30 mph for a residential road), so routes can use it."""
    at = np.flatnonzero(network.way_id == BACK_LANE)
    route = graph.route(int(network.node_from[at[0]]), int(network.node_to[at[-1]]))
    assert set(route.way_ids(network).tolist()) == {BACK_LANE}
    assert np.all(np.isnan(route.limits_kph(network)))
    assert graph.seconds(route) == pytest.approx(route.length_m(network) / (30 * 1.609344 / 3.6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_tel3_property_routes_connect_respect_one_way_and_are_quickest(network: RoadNetwork, graph: RoutingGraph,
                                                                        data: st.DataObject) -> None:
    """TEL-3 (property): between any two nodes, the route joins them segment to segment, never drives a one-way
    road backwards, and takes exactly the least travel time a Bellman-Ford reference finds (NoRoute exactly
    when the reference finds none)."""
    a = int(data.draw(st.sampled_from(graph.node_ids.tolist())))
    b = int(data.draw(st.sampled_from(graph.node_ids.tolist())))
    reference = _bellman_ford(graph, a)[graph.index(b)]
    if not np.isfinite(reference):
        with pytest.raises(NoRoute):
            graph.route(a, b)
        return
    route = graph.route(a, b)
    assert route.nodes[0] == a and route.nodes[-1] == b
    if len(route):
        _check_route(network, route.nodes, route.segments, route.forward)
    assert graph.seconds(route) == pytest.approx(reference, rel=1e-9, abs=1e-9)


def test_tel3_route_via_joins_legs_and_loops_stay_in_the_strongly_connected_part(network: RoadNetwork,
                                                                                 graph: RoutingGraph) -> None:
    """TEL-3: a route through waypoints passes each in order; the strongly connected part of the town excludes
    the one-way dead end of the M40 northbound."""
    route = graph.route_via([1, 6, 43, 16])
    _check_route(network, route.nodes, route.segments, route.forward)
    assert [n for n in route.nodes.tolist() if n in (1, 6, 43, 16)] == [1, 6, 43, 16]
    part = graph.strongly_connected(6)
    north_end = int(network.node_to[np.flatnonzero(network.way_id == M40_NORTH)[-1]])
    assert 1 in part and 43 in part and north_end not in part
    with pytest.raises(ValueError):
        graph.route(6, 43) + graph.route(6, 43)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_tel3_property_components_are_the_nodes_reachable_both_ways(graph: RoutingGraph,
                                                                    data: st.DataObject) -> None:
    """TEL-3 (property): a node's strongly connected part (Kosaraju, once per graph) is exactly the nodes it
    reaches and that reach it back (two breadth-first searches); the largest part is the town's."""
    a = int(data.draw(st.sampled_from(graph.node_ids.tolist())))
    both = np.intersect1d(graph.reachable(a), RoutingGraph._reverse(graph).reachable(a))
    assert np.array_equal(graph.strongly_connected(a), both)
    assert np.array_equal(graph.largest_component(), graph.strongly_connected(6))
