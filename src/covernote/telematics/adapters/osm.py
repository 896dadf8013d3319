"""Reads an OpenStreetMap extract (XML `.osm` or `.osm.pbf`) into a `RoadNetwork` with pyosmium (TEL-3).

One streaming pass with a node location cache (`FileProcessor.with_locations`): the nodes come before the ways
in an OSM file, so by the time a way is read its nodes' locations are known. Only ways whose `highway` tag is a
driveable class are kept (`roads.DRIVEABLE`); a way's node whose location is missing from the extract (a way
cut at the extract's edge) is dropped, and so is a way left with fewer than two nodes.
"""

from __future__ import annotations

from pathlib import Path

import osmium
import osmium.filter

from covernote.telematics.domain.roads import DRIVEABLE, RoadNetwork, Way


def read_ways(path: Path) -> list[Way]:
    """The driveable highway ways of the extract at `path`, with their tags and node locations."""
    if not path.is_file():
        raise FileNotFoundError(path)
    ways: list[Way] = []
    # The location cache sees every node; the filters after it (in C++) hand only the driveable ways to Python,
    # so a county's millions of nodes never cross into the interpreter.
    processor = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                 .with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                 .with_filter(osmium.filter.TagFilter(*(("highway", name) for name in sorted(DRIVEABLE)))))
    for obj in processor:
        if not isinstance(obj, osmium.osm.Way) or obj.tags.get("highway") not in DRIVEABLE:
            continue
        node_ids: list[int] = []
        coords: list[tuple[float, float]] = []
        for node in obj.nodes:
            if node.location.valid():
                node_ids.append(int(node.ref))
                coords.append((float(node.location.lat), float(node.location.lon)))
        if len(coords) >= 2:
            ways.append(Way(id=int(obj.id), tags={t.k: t.v for t in obj.tags}, node_ids=node_ids, coords=coords))
    return ways


def load_network(path: Path) -> RoadNetwork:
    """The road network of the OSM extract at `path` (XML or PBF, told apart by the file's extension)."""
    return RoadNetwork.from_ways(read_ways(path))
