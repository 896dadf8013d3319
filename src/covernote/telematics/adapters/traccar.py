"""Positions forwarded by a Traccar server (TEL-2): its JSON position forwarding, parsed into POSITION_SCHEMA.

With `forward.type` set to `json`, Traccar (org.traccar.forward.PositionForwarderJson) POSTs one object per
position, Jackson's rendering of `PositionData`: `{"position": {...}, "device": {...}}`, nulls left out. The
position (org.traccar.model.Position) carries `id` (Traccar's own id, increasing: our `seq`), `deviceId`
(Traccar's device number, not the IMEI), `fixTime` (ISO 8601 with an offset, milliseconds: Jackson's
StdDateFormat, `2026-06-01T07:00:00.000+00:00`), `valid`, `latitude`, `longitude`, `speed` in KNOTS, `course`
in degrees, and `attributes` whose keys are Position.KEY_*: `ignition`, `sat` (satellites in use), `hdop`. The
device (org.traccar.model.Device) carries `uniqueId`, which for a Smartbox is its IMEI: our `device_id`.

Speeds are converted to km/h here (KPH_PER_KNOT), as the position table holds km/h. A position Traccar marks
`valid: false` (no GPS fix: the box repeats its last known place) keeps its place in the table with NaN
coordinates, so screening counts it as an `invalid_fix` rather than it vanishing unseen. A payload without a
required field raises ValueError naming it; the REST edge answers 422.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from covernote.telematics.domain.positions import KPH_PER_KNOT, POSITION_SCHEMA


def _need(obj: Mapping[str, Any], key: str, where: str) -> Any:
    value = obj.get(key)
    if value is None:
        raise ValueError(f"Traccar payload lacks {where}.{key}")
    return value


def _number(value: Any, name: str, optional: bool = True) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"Traccar payload has a non-numeric {name}: {value!r}")
    return float(value)


def _time(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"Traccar payload has a {name} that is not a time: {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"Traccar payload has a {name} that is not a time: {value!r}") from exc
    if moment.tzinfo is None:
        raise ValueError(f"Traccar payload has a {name} without a UTC offset: {value!r}")
    return moment


def from_traccar(payloads: list[dict[str, Any]], received_at: datetime) -> pa.Table:
    """Traccar's forwarded JSON positions as a POSITION_SCHEMA table, in the order given (TEL-2);
    `received_at` (aware) is stamped on every row. ValueError names the first required field missing or
    malformed: `position.id`, `position.fixTime`, `position.latitude`, `position.longitude`,
    `device.uniqueId`."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware (UTC)")
    cols: dict[str, list[Any]] = {name: [] for name in POSITION_SCHEMA.names}
    for i, payload in enumerate(payloads):
        if not isinstance(payload, Mapping):
            raise ValueError(f"Traccar payload {i} is not an object")
        position = _need(payload, "position", "payload")
        device = _need(payload, "device", "payload")
        if not isinstance(position, Mapping) or not isinstance(device, Mapping):
            raise ValueError(f"Traccar payload {i}: position and device must be objects")
        unique_id = _need(device, "uniqueId", "device")
        if not isinstance(unique_id, str) or not unique_id:
            raise ValueError(f"Traccar payload has a device.uniqueId that is not text: {unique_id!r}")
        seq = _need(position, "id", "position")
        if isinstance(seq, bool) or not isinstance(seq, int):
            raise ValueError(f"Traccar payload has a position.id that is not an integer: {seq!r}")
        fix_time = _time(_need(position, "fixTime", "position"), "position.fixTime")
        lat = _number(_need(position, "latitude", "position"), "position.latitude", optional=False)
        lon = _number(_need(position, "longitude", "position"), "position.longitude", optional=False)
        if position.get("valid") is False:
            lat = lon = math.nan
        knots = _number(position.get("speed"), "position.speed")
        attributes = position.get("attributes") or {}
        if not isinstance(attributes, Mapping):
            raise ValueError("Traccar payload has position.attributes that is not an object")
        ignition = attributes.get("ignition")
        if ignition is not None and not isinstance(ignition, bool):
            raise ValueError(f"Traccar payload has a non-boolean position.attributes.ignition: {ignition!r}")
        sat = _number(attributes.get("sat"), "position.attributes.sat")
        cols["device_id"].append(unique_id)
        cols["seq"].append(seq)
        cols["ts"].append(fix_time)
        cols["lat"].append(lat)
        cols["lon"].append(lon)
        cols["speed_kph"].append(None if knots is None else knots * KPH_PER_KNOT)
        cols["heading_deg"].append(_number(position.get("course"), "position.course"))
        cols["hdop"].append(_number(attributes.get("hdop"), "position.attributes.hdop"))
        cols["satellites"].append(None if sat is None else int(sat))
        cols["ignition"].append(ignition)
        cols["accel_long"].append(None)  # Traccar has no common accelerometer attribute: left unknown
        cols["accel_lat"].append(None)
        cols["received_at"].append(received_at)
    return pa.table(cols, schema=POSITION_SCHEMA)
