"""UK speed limits read from OpenStreetMap tags (TEL-3), and every doubtful tag read as unknown (TEL-10)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.telematics.domain.positions import KPH_PER_MPH
from covernote.telematics.domain.speed_limits import limit_kph, limit_source, parse_maxspeed, speed_limit


@pytest.mark.parametrize(
    ("tags", "expected_mph", "source"),
    [
        ({"maxspeed": "30 mph"}, 30, "maxspeed"),
        ({"maxspeed": "30mph"}, 30, "maxspeed"),
        ({"maxspeed": "20 mph"}, 20, "maxspeed"),
        ({"maxspeed": "70 MPH"}, 70, "maxspeed"),
        ({"maxspeed": "GB:nsl_single"}, 60, "maxspeed"),
        ({"maxspeed": "GB:nsl_dual"}, 70, "maxspeed"),
        ({"maxspeed": "GB:motorway"}, 70, "maxspeed"),
        ({"maxspeed": "GB:zone20"}, 20, "maxspeed"),
        ({"maxspeed:type": "GB:nsl_single"}, 60, "maxspeed:type"),
        ({"maxspeed:type": "GB:nsl_dual"}, 70, "maxspeed:type"),
        ({"maxspeed:type": "GB:motorway"}, 70, "maxspeed:type"),
        ({"maxspeed:type": "GB:zone20"}, 20, "maxspeed:type"),
        ({"maxspeed:type": "GB:zone30"}, 30, "maxspeed:type"),
        ({"maxspeed:type": "GB:zone40"}, 40, "maxspeed:type"),
        ({"source:maxspeed": "GB:nsl_single"}, 60, "source:maxspeed"),
        ({"source:maxspeed": "GB:motorway"}, 70, "source:maxspeed"),
        # maxspeed with an agreeing type, as UK mappers usually tag a national-limit road
        ({"maxspeed": "60 mph", "maxspeed:type": "GB:nsl_single"}, 60, "maxspeed"),
        ({"maxspeed": "70 mph", "source:maxspeed": "GB:nsl_dual"}, 70, "maxspeed"),
        ({"maxspeed": "20 mph", "maxspeed:type": "GB:zone20"}, 20, "maxspeed"),
        # a type saying only where the limit came from does not contradict it
        ({"maxspeed": "40 mph", "source:maxspeed": "sign"}, 40, "maxspeed"),
        ({"maxspeed:type": "GB:nsl_single", "source:maxspeed": "GB:nsl_single"}, 60, "maxspeed:type"),
    ],
)
def test_tel3_uk_maxspeed_forms_in_mph(tags: dict[str, str], expected_mph: float, source: str) -> None:
    """TEL-3: every UK form gives the limit in km/h, converted with the exact mph factor, and its tag."""
    assert limit_kph(tags) == pytest.approx(expected_mph * KPH_PER_MPH, abs=1e-12)
    assert limit_source(tags) == source


@pytest.mark.parametrize(
    ("value", "expected_kph"),
    [("50", 50.0), ("48", 48.0), ("50 km/h", 50.0), ("50km/h", 50.0), (" 112 ", 112.0), ("30 mph", 48.28032)],
)
def test_tel3_bare_numbers_are_kph_osm_default_unit(value: str, expected_kph: float) -> None:
    """TEL-3: a bare number is km/h (OSM's default unit); "30 mph" is exactly 48.28032 km/h."""
    assert parse_maxspeed(value) == pytest.approx(expected_kph, abs=1e-12)


@pytest.mark.parametrize(
    "tags",
    [
        {},
        {"highway": "residential"},  # never guessed from the road's class
        {"highway": "motorway"},
        {"maxspeed": "none"},
        {"maxspeed": "signals"},
        {"maxspeed": "variable"},
        {"maxspeed": "walk"},
        {"maxspeed": "national"},
        {"maxspeed": "fast"},
        {"maxspeed": "30 mph;40 mph"},
        {"maxspeed": "30 knots"},
        {"maxspeed": ""},
        {"maxspeed": "0"},
        {"maxspeed": "-30"},
        {"maxspeed": "999"},
        {"maxspeed": "GB:nsl_restricted"},
        {"maxspeed:type": "GB:nsl_restricted"},  # 30 mph in England, 20 mph in Wales: the tags don't say which
        {"maxspeed:type": "GB:national"},
        {"maxspeed:type": "sign"},
        {"source:maxspeed": "survey"},
        # conflicting tags
        {"maxspeed": "30 mph", "maxspeed:type": "GB:nsl_single"},
        {"maxspeed": "60 mph", "source:maxspeed": "GB:nsl_dual"},
        {"maxspeed:type": "GB:nsl_single", "source:maxspeed": "GB:nsl_dual"},
        {"maxspeed:type": "GB:motorway", "source:maxspeed": "GB:nsl_restricted"},
        {"maxspeed": "none", "maxspeed:type": "GB:nsl_single"},
    ],
)
def test_tel10_unknown_or_conflicting_limits_are_none(tags: dict[str, str]) -> None:
    """TEL-10: what is not one certain limit is unknown, and an unknown limit is never judged as speeding."""
    assert limit_kph(tags) is None
    assert limit_source(tags) is None
    assert speed_limit(tags, "forward") is None
    assert speed_limit(tags, "backward") is None


@pytest.mark.parametrize(
    ("tags", "direction", "expected_mph", "source"),
    [
        ({"maxspeed:forward": "40 mph", "maxspeed:backward": "30 mph"}, "forward", 40, "maxspeed:forward"),
        ({"maxspeed:forward": "40 mph", "maxspeed:backward": "30 mph"}, "backward", 30, "maxspeed:backward"),
        ({"maxspeed": "30 mph", "maxspeed:backward": "20 mph"}, "forward", 30, "maxspeed"),
        ({"maxspeed": "30 mph", "maxspeed:backward": "20 mph"}, "backward", 20, "maxspeed:backward"),
        ({"maxspeed": "30 mph"}, "backward", 30, "maxspeed"),
        ({"maxspeed:type": "GB:nsl_single", "maxspeed:forward": "50 mph"}, "forward", 50, "maxspeed:forward"),
        ({"maxspeed:type": "GB:nsl_single", "maxspeed:forward": "50 mph"}, "backward", 60, "maxspeed:type"),
    ],
)
def test_tel3_directional_limits_for_the_direction_of_travel(
    tags: dict[str, str], direction: str, expected_mph: float, source: str
) -> None:
    """TEL-3: maxspeed:forward/:backward give the limit for travel along/against the way's node order."""
    found = speed_limit(tags, direction)  # type: ignore[arg-type]
    assert found is not None
    assert found.kph == pytest.approx(expected_mph * KPH_PER_MPH, abs=1e-12)
    assert found.source == source


@pytest.mark.parametrize(
    ("tags", "direction"),
    [
        ({"maxspeed:forward": "40 mph"}, "backward"),  # no limit given for the other way
        ({"maxspeed:forward": "40 mph"}, None),  # direction unknown: no single limit
        ({"maxspeed": "30 mph", "maxspeed:forward": "variable"}, "forward"),
        ({"maxspeed": "30 mph", "maxspeed:backward": "signals"}, "backward"),
    ],
)
def test_tel10_directional_unknowns_are_none(tags: dict[str, str], direction: str | None) -> None:
    """TEL-10: a direction without a readable limit of its own, or with an unreadable one, is unknown."""
    assert limit_kph(tags, direction) is None  # type: ignore[arg-type]


@given(st.integers(min_value=5, max_value=99))
def test_tel3_mph_conversion_is_exact_for_every_signed_limit(mph_value: int) -> None:
    """TEL-3 (property): "N mph", "Nmph" and "N MPH" all give N * 1.609344 km/h exactly, without rounding."""
    for text in (f"{mph_value} mph", f"{mph_value}mph", f"{mph_value} MPH"):
        assert parse_maxspeed(text) == mph_value * KPH_PER_MPH


@given(st.text(max_size=12))
def test_tel10_any_text_is_a_plausible_limit_or_none(text: str) -> None:
    """TEL-10 (property): whatever a mapper typed, the answer is None or a limit between 5 and 160 km/h."""
    kph = parse_maxspeed(text)
    assert kph is None or 5.0 <= kph <= 160.0
