"""Carbon offset figures for an eco policy (ECO-1). Pure: no I/O, no clock.

The estimated annual CO2 of a car is

    tonnes = g/km x declared annual miles x 1.609344 / 1,000,000

with the g/km from the vehicle record, or, when the record has none, from the product's estimate table
by fuel type and engine size (marked as an estimate wherever it is shown). Rounding points, each named:

1. annual CO2: tonnes to 3 decimal places (kilograms), half-up;
2. annual offset: annual CO2 x the product's offset percent / 100, to 3 places, half-up;
3. a policy year's offset: the sum over the stretches of the year on cover of (annual offset of the car
   and mileage on that stretch x its days / the days in the year), rounded once to 3 places, half-up;
4. its cost: tonnes x the price per tonne, rounded once to the penny, half-up;
5. the split across projects by their shares: whole kilograms and whole pence by the largest-remainder
   method, so the parts always add up exactly to the year's tonnes and cost.

A change of car or mileage, or a cancellation, is recorded as the difference between the year's figures
after it and those recorded before it (per project), never by rewriting what was recorded: the records
of a year always add up to its current figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from covernote.kernel.money import Money, Rounding, allocate, split_units
from covernote.kernel.periods import Period
from covernote.policy.domain.risk import Risk
from covernote.policy.domain.term import TermState, risk_timeline
from covernote.products.domain.carbon_spec import CarbonOffsetSpec

KM_PER_MILE = Decimal("1.609344")
GRAMS_PER_TONNE = Decimal(1_000_000)
TONNE_PLACES = Decimal("0.001")
FORMULA = "tonnes = g/km x annual miles x 1.609344 / 1,000,000"
ROUNDING = ("annual CO2 and annual offset to 0.001 t half-up; the policy year's offset = sum of (annual offset x "
            "days on each stretch / days in the year), rounded once to 0.001 t half-up; cost = tonnes x price per "
            "tonne, rounded once to the penny half-up; projects get whole kilograms and whole pence by the "
            "largest-remainder method, so the parts add up to the totals")

OffsetKind = Literal["purchase", "top_up", "reduction", "recomputed"]


class NoMileage(ValueError):
    """The risk has no usable annual mileage answer, which the offset needs."""


def annual_tonnes_exact(gkm: int, annual_miles: int) -> Decimal:
    """g/km x miles x 1.609344 / 1,000,000, exactly (every factor is a terminating decimal)."""
    return Decimal(gkm) * Decimal(annual_miles) * KM_PER_MILE / GRAMS_PER_TONNE


def round_tonnes(value: Decimal) -> Decimal:
    """Tonnes to 3 decimal places (whole kilograms), half-up."""
    return value.quantize(TONNE_PLACES, rounding=ROUND_HALF_UP)


def kilograms(tonnes: Decimal) -> int:
    """Whole kilograms of a tonnage already rounded to 3 places."""
    kg = tonnes * 1000
    if kg != kg.to_integral_value():
        raise ValueError(f"{tonnes} t is not a whole number of kilograms: round it first")
    return int(kg)


def tonnes_of(kg: int) -> Decimal:
    return (Decimal(kg) / 1000).quantize(TONNE_PLACES)


def tonnes_str(kg: int) -> str:
    return f"{tonnes_of(kg):f}"


def largest_remainder(total: int, weights: Sequence[Decimal]) -> list[int]:
    """Split whole kilograms or pence by the projects' shares so the parts add up exactly (the one
    largest-remainder rule, `kernel.money.split_units`)."""
    return split_units(total, weights)


# -- one car and mileage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Emission:
    """The estimated annual CO2 of one car at one declared mileage, and the part of it offset."""

    gkm: int
    estimated: bool  # True: the g/km is the product table's estimate, not the vehicle record's figure
    estimate_row: str | None
    estimate_basis: str | None
    annual_miles: int
    annual_co2_exact: Decimal
    annual_co2: Decimal  # tonnes, 3 places
    offset_percent: Decimal
    annual_offset: Decimal  # tonnes, 3 places

    @property
    def gkm_source(self) -> str:
        return "estimate" if self.estimated else "vehicle record"

    def working(self) -> str:
        return (f"{self.gkm} g/km{' (estimate)' if self.estimated else ''} x {self.annual_miles:,} miles x 1.609344 "
                f"/ 1,000,000 = {self.annual_co2_exact.normalize():f} t, rounded to {self.annual_co2} t")


def annual_mileage(risk: Risk) -> int:
    raw = risk.answer("annual_mileage")
    try:
        miles = Decimal(raw) if raw is not None else None
    except ArithmeticError:
        miles = None
    if miles is None or not miles.is_finite() or miles != miles.to_integral_value() or miles < 0:
        raise NoMileage(f"the risk has no usable annual mileage (got {raw!r})")
    return int(miles)


def emission_for(spec: CarbonOffsetSpec, risk: Risk) -> Emission:
    """The estimated annual CO2 of the risk's car at its declared annual mileage. Raises NoMileage."""
    miles = annual_mileage(risk)
    v = risk.vehicle
    if v.co2_gkm is not None:
        gkm, estimated, row, basis = v.co2_gkm, False, None, None
    else:
        est = spec.estimates.estimate(v.fuel, v.engine_cc)
        gkm, estimated, row, basis = est.gkm, True, est.row, est.basis
    exact = annual_tonnes_exact(gkm, miles)
    co2 = round_tonnes(exact)
    offset = round_tonnes(co2 * spec.offset_percent / 100)
    return Emission(gkm, estimated, row, basis, miles, exact, co2, spec.offset_percent, offset)


# -- a policy year ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """Part of the policy year with one car and mileage, and the days of it on cover."""

    period: Period
    days_on_cover: int
    risk: Risk
    emission: Emission
    share: Decimal  # annual offset x days on cover / days in the year, unrounded

    @property
    def on_cover_until(self) -> date | None:
        """The day after the stretch's last day on cover (its end, or the cancellation date); None when
        none of it was on cover."""
        return self.period.start + timedelta(days=self.days_on_cover) if self.days_on_cover > 0 else None


@dataclass(frozen=True)
class ProjectAllocation:
    code: str
    name: str
    country: str
    share_percent: Decimal
    kg: int
    cost: Money


@dataclass(frozen=True)
class YearOffset:
    """A policy year's offset as things stand: tonnes, cost, the split and how each was reached."""

    period: Period
    cover_end: date
    product_ref: str
    stretches: tuple[Stretch, ...]
    kg: int
    cost: Money
    price_per_tonne: Money
    projects: tuple[ProjectAllocation, ...]

    @property
    def tonnes(self) -> Decimal:
        return tonnes_of(self.kg)

    @property
    def estimated(self) -> bool:
        return any(s.emission.estimated for s in self.stretches if s.days_on_cover > 0)

    def by_project(self) -> dict[str, tuple[int, int]]:
        return {p.code: (p.kg, p.cost.pence) for p in self.projects}


def allocate_year(spec: CarbonOffsetSpec, kg: int, cost: Money) -> tuple[ProjectAllocation, ...]:
    """The year's kilograms and cost split across the projects by share (largest remainder)."""
    kgs = largest_remainder(kg, spec.shares)
    costs = allocate(cost, spec.shares)
    return tuple(ProjectAllocation(p.code, p.name, p.country, p.share_percent, k, c)
                 for p, k, c in zip(spec.projects, kgs, costs, strict=True))


def _car_and_mileage_timeline(term: TermState) -> list[tuple[Period, Risk]]:
    """The term's timeline with neighbouring stretches that have the same car and mileage joined (a change
    of driver or postcode does not split the offset's working)."""
    out: list[tuple[Period, Risk]] = []
    for period, risk in risk_timeline(term.base_risk, term.period, term.adjustments):
        if out and out[-1][1].vehicle == risk.vehicle and \
                out[-1][1].answer("annual_mileage") == risk.answer("annual_mileage"):
            out[-1] = (Period(out[-1][0].start, period.end), out[-1][1])
        else:
            out.append((period, risk))
    return out


def year_offset(spec: CarbonOffsetSpec, term: TermState) -> YearOffset:
    """The offset of one policy year (a term) as it stands: every car and mileage on the term's timeline,
    pro-rated by the days of each on cover (up to the cancellation date, if any). Raises NoMileage."""
    days_in_year = term.period.days
    on_cover = Period(term.period.start, max(term.cover_end, term.period.start))
    stretches = []
    total = Decimal(0)
    for period, risk in _car_and_mileage_timeline(term):
        covered = period.intersection(on_cover)
        days = covered.days if covered is not None else 0
        emission = emission_for(spec, risk)
        share = emission.annual_offset * days / days_in_year if days_in_year else Decimal(0)
        total += share
        stretches.append(Stretch(period, days, risk, emission, share))
    kg = kilograms(round_tonnes(total))
    cost = (spec.price_per_tonne * tonnes_of(kg)).round_pence(Rounding.HALF_UP)
    return YearOffset(term.period, term.cover_end, term.product_ref, tuple(stretches), kg, cost,
                      spec.price_per_tonne, allocate_year(spec, kg, cost))


# -- recording a change ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """What to record: the change in each project's kilograms and pence since what was recorded before."""

    kind: OffsetKind
    kg: int
    cost_pence: int
    lines: tuple[tuple[ProjectAllocation, int, int], ...]  # (project as now allocated, kg change, pence change)


def movement(year: YearOffset, recorded: Mapping[str, tuple[int, int]], first: bool) -> Movement:
    """The record that brings what is recorded for the year (`recorded`: project code -> (kg, pence))
    to `year`. `first`: the year has no record yet (a purchase). A project recorded before but no longer
    in the year's split (it cannot happen within one product version) is brought to zero."""
    lines = []
    for p in year.projects:
        kg0, pence0 = recorded.get(p.code, (0, 0))
        lines.append((p, p.kg - kg0, p.cost.pence - pence0))
    for code, (kg0, pence0) in recorded.items():
        if code not in {p.code for p in year.projects} and (kg0 or pence0):
            gone = ProjectAllocation(code, code, "", Decimal(0), 0, Money.zero(year.cost.currency))
            lines.append((gone, -kg0, -pence0))
    kg = sum(d for _, d, _ in lines)
    pence = sum(c for _, _, c in lines)
    kind: OffsetKind
    if first:
        kind = "purchase"
    elif kg > 0 or (kg == 0 and pence > 0):
        kind = "top_up"
    elif kg < 0 or pence < 0:
        kind = "reduction"
    else:
        kind = "recomputed"
    return Movement(kind, kg, pence, tuple(lines))


def basis_of(spec: CarbonOffsetSpec, year: YearOffset) -> dict[str, Any]:
    """How the year's figures were reached, without the person's own inputs (their car's g/km, engine
    size and declared mileage stay in the policy's recorded risk, where they are declared personal data
    and erased with it): the formula, the rounding, each stretch's dates, days and annual tonnes, the
    estimate table row where one was used, and the product's offset settings."""
    return {
        "formula": FORMULA,
        "rounding": ROUNDING,
        "offset_percent": str(spec.offset_percent),
        "price_per_tonne": year.price_per_tonne.to_str(),
        "days_in_year": year.period.days,
        "cover_end": year.cover_end.isoformat(),
        "stretches": [{
            "from": s.period.start.isoformat(), "to": s.period.end.isoformat(), "days_on_cover": s.days_on_cover,
            "gkm_source": s.emission.gkm_source,
            "estimate_row": s.emission.estimate_row,
            "estimate_gkm": s.emission.gkm if s.emission.estimated else None,
            "annual_co2_tonnes": f"{s.emission.annual_co2:f}",
            "annual_offset_tonnes": f"{s.emission.annual_offset:f}",
        } for s in year.stretches],
        "shares": [{"code": p.code, "share_percent": str(p.share_percent)} for p in year.projects],
        "estimate_source": spec.estimates.source if year.estimated else None,
    }
