"""Shipped telematics data: the Ashcombe road network (`ashcombe.osm`, OSM XML made for Covernote), the default
map of the demo, the device simulator and the tests; operators name their own extract (COVERNOTE_TELEMATICS_MAP)."""

from pathlib import Path

ASHCOMBE_OSM = Path(__file__).resolve().parent / "ashcombe.osm"
