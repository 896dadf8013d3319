"""Traccar's JSON position forwarding parsed into the position table (TEL-2): the sample payload, knots to
km/h, an invalid fix kept for screening to count, and a missing required field named in the error."""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from covernote.telematics.adapters.traccar import from_traccar
from covernote.telematics.domain.filters import screen_batch
from covernote.telematics.domain.positions import KPH_PER_KNOT, POSITION_SCHEMA

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "telematics" / "traccar_forward.json"
RECEIVED = datetime(2026, 6, 1, 8, 1, tzinfo=UTC)


def sample() -> list[dict[str, Any]]:
    return json.loads(SAMPLE.read_text())


def test_tel2_traccar_sample_parses_into_the_position_table() -> None:
    """TEL-2: every forwarded position becomes a row: IMEI from device.uniqueId, seq from position.id, fixTime
    as UTC microseconds, speed converted from knots, course, ignition, satellites and HDOP from attributes."""
    payloads = sample()
    table = from_traccar(payloads, RECEIVED)
    assert table.schema == POSITION_SCHEMA
    assert table.num_rows == len(payloads)
    first = table.to_pylist()[1]
    src = payloads[1]["position"]
    assert first["device_id"] == payloads[1]["device"]["uniqueId"] == "356938035643809"
    assert first["seq"] == src["id"]
    assert first["ts"] == datetime.fromisoformat(src["fixTime"])
    assert first["lat"] == src["latitude"] and first["lon"] == src["longitude"]
    assert first["speed_kph"] == pytest.approx(src["speed"] * KPH_PER_KNOT)
    assert first["heading_deg"] == src["course"]
    assert first["ignition"] is src["attributes"]["ignition"]
    assert first["satellites"] == src["attributes"]["sat"]
    assert first["hdop"] == src["attributes"]["hdop"]
    assert first["received_at"] == RECEIVED
    assert first["accel_long"] is None


def test_tel2_traccar_invalid_fix_is_counted_by_screening() -> None:
    """TEL-2: a position Traccar marks valid=false stays as a row with NaN coordinates, so screening counts it
    as invalid_fix instead of it vanishing; the rest of the sample is kept."""
    payloads = sample()
    invalid = [p["position"]["id"] for p in payloads if p["position"]["valid"] is False]
    assert invalid, "the sample has an invalid fix"
    table = from_traccar(payloads, RECEIVED)
    row = table.to_pylist()[[p["position"]["id"] for p in payloads].index(invalid[0])]
    assert math.isnan(row["lat"]) and math.isnan(row["lon"])
    screened = screen_batch(table, RECEIVED)
    assert screened.counts["invalid_fix"] == len(invalid)
    assert screened.kept.num_rows == len(payloads) - len(invalid)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (("position", "id"), "position.id"),
        (("position", "fixTime"), "position.fixTime"),
        (("position", "latitude"), "position.latitude"),
        (("position", "longitude"), "position.longitude"),
        (("device", "uniqueId"), "device.uniqueId"),
        (("device",), "payload.device"),
        (("position",), "payload.position"),
    ],
)
def test_tel2_traccar_missing_required_field_is_named(path: tuple[str, ...], name: str) -> None:
    """TEL-2: a payload without a required field raises ValueError naming the field (the REST edge: 422)."""
    payloads = sample()
    broken = copy.deepcopy(payloads[2])
    target = broken
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    with pytest.raises(ValueError, match=name.replace(".", r"\.")):
        from_traccar([payloads[0], broken], RECEIVED)


@pytest.mark.parametrize(
    ("key", "value", "name"),
    [
        ("fixTime", "yesterday", "position.fixTime"),
        ("fixTime", "2026-06-01T07:58:02", "position.fixTime"),
        ("latitude", "52.4", "position.latitude"),
        ("speed", "fast", "position.speed"),
        ("id", 1.5, "position.id"),
    ],
)
def test_tel2_traccar_malformed_field_is_named(key: str, value: Any, name: str) -> None:
    """TEL-2: a field of the wrong type, or a time without its offset, is refused by name."""
    payload = sample()[0]
    payload["position"][key] = value
    with pytest.raises(ValueError, match=name.replace(".", r"\.")):
        from_traccar([payload], RECEIVED)


def test_tel2_traccar_optional_fields_may_be_absent() -> None:
    """TEL-2: without speed, course or attributes a position is still a position, with those unknown; a Z
    suffixed time is read as UTC."""
    payload = sample()[0]
    for key in ("speed", "course", "attributes"):
        del payload["position"][key]
    payload["position"]["fixTime"] = "2026-06-01T07:58:02Z"
    row = from_traccar([payload], RECEIVED).to_pylist()[0]
    assert row["speed_kph"] is None and row["heading_deg"] is None and row["ignition"] is None
    assert row["satellites"] is None and row["hdop"] is None
    assert row["ts"] == datetime(2026, 6, 1, 7, 58, 2, tzinfo=UTC)


def test_tel2_traccar_needs_an_aware_received_at() -> None:
    with pytest.raises(ValueError, match="timezone"):
        from_traccar(sample(), datetime(2026, 6, 1, 8, 1))
    assert from_traccar([], RECEIVED).num_rows == 0
