"""The `carbon_offset:` section of an eco product file (ECO-1), validated strictly: unknown keys are
refused, project shares must add up to exactly 100, engine bands must leave no gap or overlap, and a
product that offsets must ask the annual mileage and sell 12-month policy years. product_files.py
loads it with the rest of the file; a problem is reported as `file: carbon_offset.<field>: reason`."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from covernote.kernel.money import Money
from covernote.products.domain.carbon_spec import (
    FUELS,
    CarbonOffsetSpec,
    EngineBand,
    EstimateTable,
    FuelEstimate,
    OffsetProject,
)
from covernote.products.store.strict import StrictDoc, only_known

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Gkm = Annotated[int, Field(ge=0, le=1000, strict=True)]


class ProjectDoc(StrictDoc):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,29}$")
    name: Text
    country: Text
    share_percent: Decimal = Field(gt=0, le=100)


class EngineBandDoc(StrictDoc):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    low: int | None = Field(default=None, alias="from", ge=0, strict=True)
    high: int | None = Field(default=None, alias="to", gt=0, strict=True)
    gkm: Gkm


class FuelDoc(StrictDoc):
    engine_unknown_gkm: Gkm
    bands: list[EngineBandDoc] = []

    @field_validator("bands")
    @classmethod
    def _contiguous(cls, bands: list[EngineBandDoc]) -> list[EngineBandDoc]:
        if not bands:
            return bands
        ordered = sorted(bands, key=lambda b: (b.low is not None, b.low or 0))
        if ordered[0].low not in (None, 0):
            raise ValueError(f"the first band must start at 0 cc (or leave 'from' out), not {ordered[0].low}")
        if ordered[-1].high is not None:
            raise ValueError(f"the last band must be open-ended (leave 'to' out), not end at {ordered[-1].high}")
        for j, (a, b) in enumerate(itertools.pairwise(ordered)):
            if a.high is None or b.low is None or a.high != b.low:
                raise ValueError(f"bands {j} and {j + 1} leave a gap or overlap ({a.high} vs {b.low})")
        for b in ordered:
            if b.low is not None and b.high is not None and b.high <= b.low:
                raise ValueError(f"band from {b.low} to {b.high} is empty")
        return bands


class EstimatesDoc(StrictDoc):
    source: Text
    unknown_fuel_gkm: Gkm
    fuels: dict[str, FuelDoc] = Field(min_length=1)

    @field_validator("fuels")
    @classmethod
    def _known(cls, fuels: dict[str, FuelDoc]) -> dict[str, FuelDoc]:
        only_known(fuels, FUELS, "fuel type(s)")
        return fuels


class CarbonOffsetDoc(StrictDoc):
    """ECO-1: where the offset is bought, at what price, and how much of the estimate is offset."""

    source: Text
    offset_percent: Decimal = Field(gt=0, le=100)
    price_per_tonne: Decimal = Field(ge=0, decimal_places=2)
    projects: list[ProjectDoc] = Field(min_length=1)
    estimates: EstimatesDoc

    @field_validator("projects")
    @classmethod
    def _shares(cls, projects: list[ProjectDoc]) -> list[ProjectDoc]:
        codes = [p.code for p in projects]
        if len(set(codes)) != len(codes):
            raise ValueError("a project code is used twice")
        total = sum((p.share_percent for p in projects), Decimal(0))
        if total != 100:
            raise ValueError(f"project shares must add up to exactly 100; they add up to {total}")
        return projects


def carbon_problems(doc: Any) -> list[tuple[str, str]]:
    """What a product with a `carbon_offset` section also needs (`doc` is the whole ProductDoc): the
    annual mileage question (the formula reads it) and 12-month terms (the offset is per policy year)."""
    section: CarbonOffsetDoc | None = doc.carbon_offset
    if section is None:
        return []
    out: list[tuple[str, str]] = []
    mileage = next((q for q in doc.questions if q.name == "annual_mileage"), None)
    if mileage is None or mileage.kind != "integer":
        out.append(("carbon_offset", "offsetting needs the annual_mileage question (an integer): the CO2 formula "
                                     "reads the declared annual miles"))
    if any((t.unit, t.length) != ("months", 12) for t in doc.terms):
        out.append(("carbon_offset", "offsetting is bought per policy year: every term must be 12 months"))
    return out


def carbon_spec(doc: CarbonOffsetDoc, currency: str) -> CarbonOffsetSpec:
    est = doc.estimates
    return CarbonOffsetSpec(
        offset_percent=doc.offset_percent,
        price_per_tonne=Money.of(doc.price_per_tonne, currency),
        projects=tuple(OffsetProject(p.code, p.name, p.country, p.share_percent) for p in doc.projects),
        estimates=EstimateTable(est.source, est.unknown_fuel_gkm, tuple(
            FuelEstimate(fuel, f.engine_unknown_gkm, tuple(EngineBand(b.low, b.high, b.gkm) for b in f.bands))
            for fuel, f in est.fuels.items())),
        source=doc.source,
    )
