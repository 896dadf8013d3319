"""The telematics score's ruleset as product data (TEL-3, TEL-5, TEL-10): the young-driver file's `telematics:`
section loads into `TelematicsRules`, and a bad section is refused naming the field and the reason."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from covernote.products.domain.telematics_spec import NightRules, TelematicsRules
from covernote.products.store.files import ProductFileError, load_product_file

PRODUCTS = Path(__file__).resolve().parents[2] / "products"
YOUNG_DRIVER = "young-driver-2025.yaml"


def young_driver_rules() -> TelematicsRules:
    rules = load_product_file(PRODUCTS / YOUNG_DRIVER).telematics_rules
    assert rules is not None
    return rules


def test_tel3_tel10_the_young_driver_file_loads_its_versioned_ruleset() -> None:
    product = load_product_file(PRODUCTS / YOUNG_DRIVER)
    rules = product.telematics_rules
    assert product.telematics is True and rules is not None
    assert rules.ruleset == "YD-2025.1" and rules.source.startswith("S3")
    assert (rules.speeding.tolerance_percent, rules.speeding.tolerance_mph) == (10, 2)
    assert rules.duration.max_continuous_s == 2 * 3600 and rules.duration.break_s == 15 * 60
    assert abs(rules.weights.total() - 1) < 1e-9


def test_tel5_the_severe_table_holds_s3s_seven_speeds() -> None:
    s = young_driver_rules().speeding
    assert sorted({x.severe_mph for x in s.severe} | {s.severe_any_road_mph}) == [30, 40, 50, 60, 70, 85, 100]
    assert [s.severe_mph_for(limit) for limit in (20, 30, 40, 50, 60, 70)] == [30, 40, 50, 60, 70, 85]
    assert s.severe_mph_for(15) == 100  # a limit the table does not list: 100 mph on any road


def test_tel3_points_bands_take_the_highest_band_reached() -> None:
    s = young_driver_rules().speeding
    bands = sorted(s.points, key=lambda b: b.over_mph)
    for band in bands:
        assert s.points_for(band.over_mph) == band.points
    assert s.points_for(bands[0].over_mph - 0.1) == 0


def test_tel3_night_window_crossing_midnight() -> None:
    night = NightRules(start_hour=23, end_hour=6, timezone="Europe/London", points_per_hour=20)
    assert [night.is_night(h) for h in (22.99, 23.0, 0.0, 5.99, 6.0, 12.0)] == [False, True, True, True, False, False]
    day = NightRules(start_hour=1, end_hour=4, timezone="Europe/London", points_per_hour=20)
    assert [day.is_night(h) for h in (0.5, 1.0, 3.9, 4.0)] == [False, True, True, False]


def _load_with(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> ProductFileError:
    folder = tmp_path / "products"
    shutil.copytree(PRODUCTS, folder)
    path = folder / YOUNG_DRIVER
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ProductFileError) as caught:
        load_product_file(path)
    return caught.value


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        keys = path.split(".")
        node: Any = data
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        node[keys[-1]] = value
    return change


@pytest.mark.parametrize(("path", "value", "field", "reason"), [
    ("telematics.eco.harsh_braking_ms2", -1, "telematics.eco.harsh_braking_ms2", "greater than 0"),
    ("telematics.weights.eco", 0.5, "telematics.weights", "sum to 1"),
    ("telematics.speeding.severe.1.severe_mph", 34, "telematics.speeding.severe[1].severe_mph",
     "not above the speeding threshold"),
    ("telematics.speeding.points.1.over_mph", 0, "telematics.speeding.points", "rise strictly"),
    ("telematics.speeding.severe_any_road_mph", 80, "telematics.speeding.severe_any_road_mph", "at least"),
    ("telematics.night.end_hour", 23, "telematics.night.end_hour", "empty"),
    ("telematics.night.timezone", "Europe/Paris", "telematics.night.timezone", "Europe/London"),
    ("telematics.ruleset", "", "telematics.ruleset", "pattern"),
    ("telematics.duration.colour", "red", "telematics.duration.colour", "Extra inputs"),
])
def test_tel10_a_bad_telematics_section_is_refused_naming_the_field(
        tmp_path: Path, path: str, value: Any, field: str, reason: str) -> None:
    error = _load_with(tmp_path, _set(path, value))
    assert any(p.field == field and reason in p.reason for p in error.problems), error.problems


def test_tel10_a_section_missing_its_ruleset_version_is_refused(tmp_path: Path) -> None:
    error = _load_with(tmp_path, lambda d: d["telematics"].pop("ruleset"))
    assert [p.field for p in error.problems] == ["telematics.ruleset"]


def test_tel10_a_bare_true_is_refused_a_smartbox_product_gives_its_rules(tmp_path: Path) -> None:
    error = _load_with(tmp_path, _set("telematics", True))
    assert [p.field for p in error.problems] == ["telematics"]
    assert "ruleset" in error.problems[0].reason
