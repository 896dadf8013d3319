"""Positions as the telematics context holds them (TEL-2): one Arrow schema for what a box reports, and the
columns that later steps add (the journey, the matched road). Every step passes Arrow tables of these columns;
this module is the contract between them (docs/telematics.md, "The position table").

Units are SI or as the UK states them where named: speeds in km/h (a device's or Traccar's knots are converted on
the way in), accelerations in m/s^2 (positive `accel_long` is speeding up, negative is braking; positive `accel_lat`
is a turn to the right), headings in degrees clockwise from true north in [0, 360), times UTC to the microsecond.
"""

from __future__ import annotations

import pyarrow as pa

EARTH_RADIUS_M = 6_371_008.8  # the IUGG mean Earth radius: every distance and projection of the context uses it
KPH_PER_MPH = 1.609344
KPH_PER_KNOT = 1.852
UTC_MICROS = pa.timestamp("us", tz="UTC")

# What a box (or a gateway in front of it) reports: the stored columns, in this order.
POSITION_SCHEMA = pa.schema([
    pa.field("device_id", pa.string(), nullable=False),  # the box's IMEI (15 digits)
    pa.field("seq", pa.int64(), nullable=False),  # the device's own sequence number: with device_id, the identity
    pa.field("ts", UTC_MICROS, nullable=False),  # when the fix was taken (the device's clock, UTC)
    pa.field("lat", pa.float64(), nullable=False),  # WGS84 degrees
    pa.field("lon", pa.float64(), nullable=False),
    pa.field("speed_kph", pa.float64()),  # GPS ground speed; null when the device gave none
    pa.field("heading_deg", pa.float64()),
    pa.field("hdop", pa.float64()),  # horizontal dilution of precision: lower is better
    pa.field("satellites", pa.int16()),
    pa.field("ignition", pa.bool_()),
    pa.field("accel_long", pa.float64()),  # m/s^2 from the accelerometer, where the box has one
    pa.field("accel_lat", pa.float64()),
    pa.field("received_at", UTC_MICROS, nullable=False),  # when Covernote accepted it
])

# Added by journey reconstruction (`journeys.py`): the journey's number within the device's day (0, 1, ...), or
# null for a position in no journey (parked, ignition off).
JOURNEY_FIELD = pa.field("journey", pa.int32())

# Added by map matching (`map_matching.py`): the road the position was matched to, its speed limit (null when
# OpenStreetMap gives none or no road matched: never judged as speeding, TEL-10), its class and the distance to it.
MATCH_FIELDS = [
    pa.field("way_id", pa.int64()),
    pa.field("limit_kph", pa.float64()),
    pa.field("road_class", pa.string()),
    pa.field("match_distance_m", pa.float64()),
]

# What the scoring kernel reads: one device-day, sorted by `ts`.
SCORING_SCHEMA = pa.schema([*POSITION_SCHEMA, JOURNEY_FIELD, *MATCH_FIELDS])


def empty_positions() -> pa.Table:
    return POSITION_SCHEMA.empty_table()


def mph(kph: float) -> float:
    return kph / KPH_PER_MPH


def kph(mph_value: float) -> float:
    return mph_value * KPH_PER_MPH
