"""ECO-1 as product data: the eco products carry their carbon offset settings (the S1 projects, shares,
price per tonne, offset percent and the estimate table), eco-2026 inherits them, other products have
none, and a bad `carbon_offset:` section is refused naming the file, the field and the reason."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from covernote.kernel.money import Money
from covernote.products.store.files import ProductFileError, load_catalogue, load_product_file
from tests.unit.builders import PRODUCTS


def test_eco1_both_eco_versions_offset_through_the_four_s1_projects() -> None:
    cat = load_catalogue(PRODUCTS)
    old, new = cat.versions("ECO")
    assert old.carbon_offset is not None and new.carbon_offset == old.carbon_offset  # eco-2026 extends eco-2024
    spec = old.carbon_offset
    assert [(p.code, p.country, p.share_percent) for p in spec.projects] == [
        ("SL_FOREST", "Sierra Leone", Decimal(40)), ("KE_WATER", "Kenya", Decimal(20)),
        ("IN_STOVES", "India", Decimal(20)), ("KE_STOVES", "Kenya", Decimal(20))]
    assert sum(spec.shares) == 100
    assert spec.offset_percent == Decimal(100) and spec.price_per_tonne == Money.of("10.00")
    assert "ILLUSTRATIVE" in spec.estimates.source
    assert {f.fuel for f in spec.estimates.fuels} == {"petrol", "diesel", "hybrid", "lpg", "electric"}
    for code in ("YOUNG_DRIVER", "FULLCOVER", "WARRANTY"):
        assert all(p.carbon_offset is None for p in cat.versions(code))


def _broken(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    folder = tmp_path / "products"
    shutil.copytree(PRODUCTS, folder)
    path = folder / "eco-2024.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ProductFileError) as info:
        load_product_file(path)
    return [str(p) for p in info.value.problems]


def _set(*keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value
    return change


@pytest.mark.parametrize(("change", "field", "reason"), [
    (lambda d: d["carbon_offset"]["projects"][0].update(share_percent="30"), "carbon_offset.projects",
     "project shares must add up to exactly 100; they add up to 90"),
    (lambda d: d["carbon_offset"]["projects"][1].update(code="SL_FOREST"), "carbon_offset.projects",
     "a project code is used twice"),
    (lambda d: d["carbon_offset"]["projects"][0].update(share_percent="0"), "carbon_offset.projects[0].share_percent",
     "greater than 0"),
    (lambda d: d["carbon_offset"]["projects"][0].update(code="forest"), "carbon_offset.projects[0].code", "pattern"),
    (_set("carbon_offset", "offset_percent", value="0"), "carbon_offset.offset_percent", "greater than 0"),
    (_set("carbon_offset", "offset_percent", value="120"), "carbon_offset.offset_percent", "less than or equal to 100"),
    (_set("carbon_offset", "price_per_tonne", value="-1"), "carbon_offset.price_per_tonne", "greater than or equal to 0"),
    (_set("carbon_offset", "price_per_tonne", value="10.001"), "carbon_offset.price_per_tonne", "decimal places"),
    (_set("carbon_offset", "projects", value=[]), "carbon_offset.projects", "at least 1"),
    (_set("carbon_offset", "colour", value="green"), "carbon_offset.colour", "Extra inputs are not permitted"),
    (_set("carbon_offset", "estimates", "fuels", "steam", value={"engine_unknown_gkm": 300}),
     "carbon_offset.estimates.fuels", "unknown fuel type(s) ['steam']"),
    (_set("carbon_offset", "estimates", "fuels", "petrol", "bands",
          value=[{"to": 1400, "gkm": 140}, {"from": 1500, "gkm": 180}]),
     "carbon_offset.estimates.fuels.petrol.bands", "bands 0 and 1 leave a gap or overlap (1400 vs 1500)"),
    (_set("carbon_offset", "estimates", "fuels", "petrol", "bands", value=[{"from": 100, "gkm": 140}]),
     "carbon_offset.estimates.fuels.petrol.bands", "the first band must start at 0 cc"),
    (_set("carbon_offset", "estimates", "fuels", "petrol", "bands", value=[{"to": 100, "gkm": 140}]),
     "carbon_offset.estimates.fuels.petrol.bands", "the last band must be open-ended"),
    (_set("carbon_offset", "estimates", "unknown_fuel_gkm", value="lots"), "carbon_offset.estimates.unknown_fuel_gkm",
     "integer"),
    (_set("carbon_offset", "estimates", "source", value=" "), "carbon_offset.estimates.source", "at least 1 character"),
    (_set("terms", value=[{"unit": "months", "length": 6}]), "carbon_offset",
     "offsetting is bought per policy year: every term must be 12 months"),
    (lambda d: d.update(questions=[q for q in d["questions"] if q["name"] != "annual_mileage"]), "carbon_offset",
     "offsetting needs the annual_mileage question"),
])
def test_eco1_bad_carbon_offset_section_is_refused_naming_file_field_and_reason(
        tmp_path: Path, change: Callable[[dict[str, Any]], None], field: str, reason: str) -> None:
    problems = _problems(_broken(tmp_path, change))
    assert any(p.startswith(f"eco-2024.yaml: {field}: ") and reason in p for p in problems), problems


def test_eco1_a_product_may_leave_carbon_offsetting_out(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda d: d.pop("carbon_offset"))
    assert load_product_file(path).carbon_offset is None
