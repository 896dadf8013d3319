"""A road's speed limit from its OpenStreetMap tags, as UK mappers write them (TEL-3, TEL-10).

The score judges speed against the limit of the road a position was matched to (TEL-3). The limit comes only
from what the map says: a tag that is absent, unreadable, non-numeric ("none", "signals", "variable", "walk")
or that contradicts another tag of the same way gives `None`, an unknown limit, and an unknown limit is never
judged as speeding (TEL-10). No limit is guessed from the road's class: a residential street without a
`maxspeed` may be 20 or 30 mph, and guessing wrong would accuse a driver of speeding on a map's silence.

Forms read (OSM wiki, Key:maxspeed and Key:maxspeed:type, "United Kingdom"):

- `maxspeed`: a number with a unit, "30 mph" (also "30mph"), "50 km/h"; a bare number is km/h, OSM's default
  unit; or an implicit GB value ("GB:nsl_single", below).
- `maxspeed:type` / `source:maxspeed`, read when `maxspeed` is absent and checked against it when present:
  GB:nsl_single 60 mph (national speed limit, single carriageway), GB:nsl_dual 70 mph (dual carriageway),
  GB:motorway 70 mph, GB:zone20 / GB:zone30 / GB:zone40 (signed zones). GB:nsl_restricted (a "restricted
  road", street lighting and no signs) is deliberately unknown: it is 30 mph in England and Scotland but
  20 mph in Wales since September 2023, and a way's tags do not say which nation it is in.
- `maxspeed:forward` / `maxspeed:backward`: the limit for travel along / against the way's node order, which
  wins over `maxspeed` for that direction.

Speeds are returned in km/h; mph are converted with the exact factor `KPH_PER_MPH` (1 mile = 1609.344 m).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from covernote.telematics.domain.positions import KPH_PER_MPH

Direction = Literal["forward", "backward"]

# Implicit UK limits (maxspeed:type / source:maxspeed values, also seen as a `maxspeed` value), in mph.
GB_IMPLICIT_MPH: Mapping[str, float] = {
    "gb:nsl_single": 60.0,
    "gb:nsl_dual": 70.0,
    "gb:motorway": 70.0,
    "gb:zone20": 20.0,
    "gb:zone30": 30.0,
    "gb:zone40": 40.0,
}

# Below and above these a value is a mistake, not a road's limit (the UK's lowest signed limit is 5 mph on
# private roads; nothing on a public road is above 70 mph).
_MIN_KPH = 5.0
_MAX_KPH = 160.0

_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SpeedLimit:
    """A limit in km/h and the tag it came from (for the score's explanations, TEL-3)."""

    kph: float
    source: str


def parse_maxspeed(value: str) -> float | None:
    """One `maxspeed`-style value in km/h, or None when it is not a single readable limit (TEL-10).

    Several values ("30 mph;40 mph"), words ("none", "signals", "variable", "walk", "national") and
    implausible numbers are all None: a limit must be certain to judge a driver by it.
    """
    text = value.strip()
    implicit = GB_IMPLICIT_MPH.get(text.lower())
    if implicit is not None:
        return implicit * KPH_PER_MPH
    found = _NUMBER.match(text)
    if found is None:
        return None
    number = float(found.group(1))
    unit = (found.group(2) or "km/h").lower()
    kph = number * KPH_PER_MPH if unit == "mph" else number
    if not _MIN_KPH <= kph <= _MAX_KPH:
        return None
    return kph


def _implicit(tags: Mapping[str, str], key: str) -> float | Literal[False] | None:
    """The limit a `maxspeed:type`-like tag implies; False when the tag says nothing about the limit.

    A GB value that names no fixed limit (GB:nsl_restricted, GB:national) makes the limit unknown (None); a
    non-GB value such as "sign" or "survey" says where the limit came from, not what it is (False).
    """
    raw = tags.get(key)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in GB_IMPLICIT_MPH:
        return GB_IMPLICIT_MPH[value] * KPH_PER_MPH
    if value.startswith(("gb:", "uk:")):
        return None
    return False


def speed_limit(tags: Mapping[str, str], direction: Direction | None = None) -> SpeedLimit | None:
    """The way's limit for travel in `direction` (along the way's node order or against it), or None.

    A directional tag (`maxspeed:forward`) wins for its direction. Otherwise `maxspeed`, which must agree with
    `maxspeed:type` and `source:maxspeed` where they imply a limit; without `maxspeed`, the implied limit of
    those two tags, which must agree with each other. Any disagreement is None (TEL-10).
    """
    if direction is not None:
        key = f"maxspeed:{direction}"
        if key in tags:
            directional = parse_maxspeed(tags[key])
            return None if directional is None else SpeedLimit(directional, key)
    implied: list[tuple[str, float | None]] = []
    for key in ("maxspeed:type", "source:maxspeed"):
        value = _implicit(tags, key)
        if value is not False:
            implied.append((key, value))
    if "maxspeed" in tags:
        kph = parse_maxspeed(tags["maxspeed"])
        if kph is None:
            return None
        # A type that names no fixed limit (GB:nsl_restricted) does not contradict a signed number.
        if any(value is not None and abs(value - kph) > 1e-9 for _, value in implied):
            return None
        return SpeedLimit(kph, "maxspeed")
    if not implied:
        return None
    values = {value for _, value in implied}
    if None in values or len(values) != 1:
        return None
    key, value = implied[0]
    assert value is not None
    return SpeedLimit(value, key)


def limit_kph(tags: Mapping[str, str], direction: Direction | None = None) -> float | None:
    """The way's limit in km/h for `direction`, None when unknown (TEL-10). See `speed_limit`."""
    found = speed_limit(tags, direction)
    return None if found is None else found.kph


def limit_source(tags: Mapping[str, str], direction: Direction | None = None) -> str | None:
    """Which tag gave the way's limit ("maxspeed", "maxspeed:forward", "maxspeed:type", "source:maxspeed")."""
    found = speed_limit(tags, direction)
    return None if found is None else found.source
