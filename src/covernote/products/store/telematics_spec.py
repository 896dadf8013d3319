"""The `telematics:` section of a product file (TEL-3, TEL-5, TEL-10): the telematics score's versioned ruleset,
validated strictly (unknown keys refused, every number bounded) and then checked as a whole
(`products/domain/telematics_spec.ruleset_problems`). files.py loads it with the rest of the file; a problem is
reported as `file: telematics.<field>: reason`. A product without the section has no Smartbox."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from covernote.products.domain.telematics_spec import (
    DurationRules,
    EcoRules,
    IndicatorWeights,
    NightRules,
    PointsBand,
    RerateRules,
    SevereSpeed,
    SpeedingRules,
    TelematicsRules,
    loading_factor_problems,
    ruleset_problems,
)
from covernote.products.store.strict import StrictDoc

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Hour = Annotated[float, Field(ge=0, lt=24)]
Points = Annotated[float, Field(ge=0, le=100)]


class PointsBandDoc(StrictDoc):
    over_mph: float = Field(ge=0, le=100)
    points: Points


class SevereSpeedDoc(StrictDoc):
    limit_mph: int = Field(ge=5, le=70, strict=True)
    severe_mph: float = Field(gt=0, le=200)


class SpeedingDoc(StrictDoc):
    tolerance_percent: float = Field(ge=0, le=50)
    tolerance_mph: float = Field(ge=0, le=20)
    min_duration_s: float = Field(ge=0, le=600)
    max_gap_s: float = Field(gt=0, le=120)
    points: list[PointsBandDoc] = Field(min_length=1)
    severe: list[SevereSpeedDoc]
    severe_any_road_mph: float = Field(gt=0, le=200)
    severe_points: Points


class NightDoc(StrictDoc):
    start_hour: Hour
    end_hour: Hour
    timezone: Literal["Europe/London"] = "Europe/London"  # a UK product: UK local time
    points_per_hour: Points


class EcoDoc(StrictDoc):
    harsh_acceleration_ms2: float = Field(gt=0, le=20)
    harsh_braking_ms2: float = Field(gt=0, le=20)
    harsh_cornering_ms2: float = Field(gt=0, le=20)
    min_speed_kph: float = Field(ge=0, le=100)
    min_cornering_speed_kph: float = Field(ge=0, le=150)
    max_hdop: float = Field(gt=0, le=50)
    min_satellites: int = Field(ge=0, le=64, strict=True)
    min_duration_s: float = Field(gt=0, le=30)
    max_step_s: float = Field(gt=0, le=30)
    gps_window_s: float = Field(gt=0, le=30)
    acceleration_points: Points
    braking_points: Points
    cornering_points: Points


class DurationDoc(StrictDoc):
    max_continuous_minutes: float = Field(gt=0, le=24 * 60)
    break_minutes: float = Field(gt=0, le=24 * 60)
    points_per_hour: Points


class WeightsDoc(StrictDoc):
    speed: float = Field(ge=0, le=1)
    time_of_day: float = Field(ge=0, le=1)
    eco: float = Field(ge=0, le=1)
    duration: float = Field(ge=0, le=1)


class RerateDoc(StrictDoc):
    """TEL-4: the 90-day premium review (products/domain/telematics_spec.RerateRules)."""

    interval_days: int = Field(ge=1, le=366, strict=True)
    baseline_score: Decimal = Field(ge=0, le=1000)
    percent_per_point: Decimal = Field(ge=0, le=100)
    max_step_percent: int = Field(ge=0, le=100, strict=True)
    cap_percent: int = Field(ge=0, le=100, strict=True)
    floor_percent: int = Field(ge=-100, le=0, strict=True)
    question: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")] = "telematics_loading_percent"


class TelematicsDoc(StrictDoc):
    """TEL-3: the four indicators' rules, their weights and the scale, under a `ruleset` version (TEL-10)."""

    ruleset: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    source: Text
    speeding: SpeedingDoc
    night: NightDoc
    eco: EcoDoc
    duration: DurationDoc
    weights: WeightsDoc
    scale_min: float = Field(default=0, ge=0)
    scale_max: float = Field(default=100, gt=0, le=1000)
    rerating: RerateDoc | None = None


def telematics_rules(d: TelematicsDoc) -> TelematicsRules:
    s = d.speeding
    return TelematicsRules(
        ruleset=d.ruleset, source=d.source,
        speeding=SpeedingRules(
            s.tolerance_percent, s.tolerance_mph, s.min_duration_s, s.max_gap_s,
            tuple(PointsBand(b.over_mph, b.points) for b in s.points),
            tuple(SevereSpeed(x.limit_mph, x.severe_mph) for x in s.severe), s.severe_any_road_mph,
            s.severe_points),
        night=NightRules(d.night.start_hour, d.night.end_hour, d.night.timezone, d.night.points_per_hour),
        eco=EcoRules(**d.eco.model_dump()),
        duration=DurationRules(d.duration.max_continuous_minutes * 60, d.duration.break_minutes * 60,
                               d.duration.points_per_hour),
        weights=IndicatorWeights(**d.weights.model_dump()),
        scale_min=d.scale_min, scale_max=d.scale_max,
        rerating=None if d.rerating is None else RerateRules(**d.rerating.model_dump()))


def telematics_problems(doc: Any) -> list[tuple[str, str]]:
    """The section's problems as (field, reason), the field under `telematics.` (`doc`: the whole
    ProductDoc); none when the product has no section."""
    section: TelematicsDoc | None = doc.telematics
    if section is None:
        return []
    rules = telematics_rules(section)
    out = ruleset_problems(rules)
    if rules.rerating is not None:  # TEL-4: the rating prices the loading, the question holds its range
        rr = rules.rerating
        tables = [f for f in doc.rating.factors if f.variable == rr.question] if doc.rating is not None else []
        out += loading_factor_problems(rr, dict(tables[0].values) if tables else None)
        questions = [q for q in doc.questions if q.name == rr.question]
        if not questions or questions[0].kind != "integer" or questions[0].default != "0" or (
                questions[0].minimum, questions[0].maximum) != (rr.floor_percent, rr.cap_percent):
            out.append(("rerating.question", f"the product must ask {rr.question}: an integer from "
                        f"{rr.floor_percent} to {rr.cap_percent}, default 0"))
    return [(f"telematics.{f}", reason) for f, reason in out]
