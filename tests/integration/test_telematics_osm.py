"""The pyosmium loader reads the Ashcombe fixture, in XML and as PBF, into one road network (TEL-3, TEL-10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pytest

from covernote.telematics.adapters.osm import load_network, read_ways
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.positions import KPH_PER_MPH
from covernote.telematics.domain.roads import RoadNetwork

FIXTURE = ASHCOMBE_OSM


def test_tel3_loader_reads_the_fixtures_driveable_ways_with_their_limits() -> None:
    """TEL-3: 16 driveable ways (the footway left out), every UK limit form read, the untagged road unknown."""
    network = load_network(FIXTURE)
    assert network.way_ids.tolist() == list(range(1001, 1017))
    assert len(network) == 247

    def limits(way_id: int) -> set[float]:
        both = np.concatenate([network.limit_forward_kph[network.way_id == way_id],
                               network.limit_backward_kph[network.way_id == way_id]])
        return {round(float(v) / KPH_PER_MPH, 6) if not np.isnan(v) else -1.0 for v in both}

    assert limits(1001) == {30.0}  # High Street, "30 mph"
    assert limits(1002) == {20.0}  # Church Lane, "20 mph" in a GB:zone20
    assert limits(1003) == {30.0}  # Mill Road, "30mph"
    assert limits(1004) == {-1.0}  # Back Lane: no maxspeed, unknown (TEL-10)
    assert limits(1007) == {60.0}  # Fosse Lane, GB:nsl_single
    assert limits(1008) == {70.0}  # the bypass, GB:nsl_dual
    assert limits(1010) == {40.0, 30.0}  # Hill Road, maxspeed:forward / :backward
    assert limits(1011) == {70.0}  # M40, GB:motorway
    assert limits(1014) == {70.0}  # the slip road, source:maxspeed=GB:motorway alone
    assert limits(1016) == {60.0}  # Hollow Lane, source:maxspeed=GB:nsl_single alone
    assert set(network.limit_forward_kph[network.way_id == 1015].tolist()) == {50.0}  # Depot Road, "50" km/h
    assert network.classes == ("motorway", "motorway_link", "primary", "residential", "secondary", "tertiary",
                               "trunk", "unclassified")


def test_tel3_fixture_roads_are_connected() -> None:
    """TEL-3: the demo and the trip simulator drive on the fixture, so every driveable way shares a node with
    another and all of them form one network (junctions are shared nodes)."""
    ways = read_ways(FIXTURE)
    parent = {w.id: w.id for w in ways}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for w in ways:
        for node in w.node_ids:
            if node in owner:
                parent[root(w.id)] = root(owner[node])
            owner.setdefault(node, w.id)
    assert len({root(w.id) for w in ways}) == 1


def test_tel10_xml_and_pbf_give_the_same_network_version(tmp_path: Path) -> None:
    """TEL-10: the fixture written as PBF by osmium's own writer loads into the same network `version`."""
    pbf = tmp_path / "uk_fixture.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(FIXTURE)):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
    from_xml, from_pbf = load_network(FIXTURE), load_network(pbf)
    assert from_pbf.version == from_xml.version
    assert len(from_xml.version) == 64


def test_tel3_loader_refuses_a_missing_file_and_an_extract_without_roads(tmp_path: Path) -> None:
    """TEL-3: a missing extract is an error, and so is one with no driveable road."""
    with pytest.raises(FileNotFoundError):
        load_network(tmp_path / "absent.osm")
    paths = tmp_path / "paths.osm"
    paths.write_text('<?xml version="1.0"?><osm version="0.6">'
                     '<node id="1" version="1" lat="52.2" lon="-1.5"/><node id="2" version="1" lat="52.201" lon="-1.5"/>'
                     '<way id="9" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>')
    with pytest.raises(ValueError):
        load_network(paths)


def test_tel3_ways_cut_at_the_extracts_edge_keep_their_known_nodes(tmp_path: Path) -> None:
    """TEL-3: a way naming a node the extract lacks keeps the nodes it has (osmium reports no location)."""
    cut = tmp_path / "cut.osm"
    cut.write_text('<?xml version="1.0"?><osm version="0.6">'
                   '<node id="1" version="1" lat="52.2" lon="-1.5"/><node id="2" version="1" lat="52.201" lon="-1.5"/>'
                   '<way id="9" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
                   '<tag k="highway" v="residential"/><tag k="maxspeed" v="20 mph"/></way></osm>')
    network = load_network(cut)
    assert isinstance(network, RoadNetwork)
    assert len(network) == 1
    assert network.node_to.tolist() == [2]
