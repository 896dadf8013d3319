"""ECO-1: carbon figures for a known car and mileage, after a change of car or mileage, pro-rated on
cancellation, estimated for a car without a CO2 figure; allocation across the projects sums exactly
(property tests). Every expected figure is worked out by hand here, not by the code under test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.carbon.domain import (
    FORMULA,
    NoMileage,
    allocate_year,
    annual_tonnes_exact,
    emission_for,
    largest_remainder,
    movement,
    round_tonnes,
    tonnes_of,
    year_offset,
)
from covernote.kernel.money import Money, Rounding, allocate
from covernote.kernel.periods import Period
from covernote.policy.domain.risk import Change, Risk
from covernote.policy.domain.term import Adjustment, TermState
from covernote.products.domain.carbon_spec import (
    CarbonOffsetSpec,
    EngineBand,
    EstimateTable,
    FuelEstimate,
    OffsetProject,
)
from covernote.products.store.files import load_catalogue
from tests.unit.builders import PRODUCTS, driver, motor_risk, vehicle

START, END = date(2026, 11, 22), date(2027, 11, 22)  # 365 days
T = Decimal("0.001")


@pytest.fixture(scope="module")
def spec() -> CarbonOffsetSpec:
    s = load_catalogue(PRODUCTS).by_ref("ECO@2026.7").carbon_offset
    assert s is not None
    return s


def car(gkm: int | None, fuel: str | None = "petrol", cc: int | None = 1500) -> Risk:
    return motor_risk(veh=replace(vehicle(), co2_gkm=gkm, fuel=fuel, engine_cc=cc))


def term(risk: Risk, *adjustments: Adjustment, cancelled_from: date | None = None) -> TermState:
    return TermState(1, Period(START, END), "ECO@2026.7", risk, Decimal("0.12"), False, START, START,
                     list(adjustments), cancelled_from)


def by_hand(value: Decimal) -> Decimal:
    return value.quantize(T, rounding=ROUND_HALF_UP)


# -- a known car and mileage --------------------------------------------------------------------------


def test_eco1_known_car_and_mileage_gives_the_hand_worked_tonnes(spec: CarbonOffsetSpec) -> None:
    # 92 g/km x 8,000 miles x 1.609344 km/mile = 1,184,477.184 g = 1.184477184 t -> 1.184 t
    assert Decimal(92) * 8000 * Decimal("1.609344") / 1_000_000 == Decimal("1.184477184")
    e = emission_for(spec, car(92))
    assert e.annual_co2_exact == Decimal("1.184477184")
    assert e.annual_co2 == Decimal("1.184") and e.annual_offset == Decimal("1.184")  # 100% offset
    assert not e.estimated and e.gkm_source == "vehicle record" and e.estimate_basis is None
    assert e.working() == "92 g/km x 8,000 miles x 1.609344 / 1,000,000 = 1.184477184 t, rounded to 1.184 t"
    assert FORMULA == "tonnes = g/km x annual miles x 1.609344 / 1,000,000"


def test_eco1_a_full_policy_year_offsets_the_annual_figure_split_forty_twenty_twenty_twenty(
        spec: CarbonOffsetSpec) -> None:
    y = year_offset(spec, term(car(92)))
    assert y.kg == 1184 and y.tonnes == Decimal("1.184") and not y.estimated
    # 1,184 kg by 40/20/20/20 = 473.6, 236.8 x 3: floors 473 + 236 x 3 = 1,181; the 3 kg left go to the
    # largest remainders (0.8, 0.8, 0.8): 473, 237, 237, 237
    assert [(p.code, p.kg) for p in y.projects] == [("SL_FOREST", 473), ("KE_WATER", 237), ("IN_STOVES", 237),
                                                    ("KE_STOVES", 237)]
    # cost 1.184 t x 10.00 = 11.84; 1,184 pence split the same way
    assert y.cost == Money.of("11.84")
    assert [p.cost for p in y.projects] == [Money.of("4.73"), Money.of("2.37"), Money.of("2.37"), Money.of("2.37")]


def test_eco1_offset_percent_applies_to_the_rounded_annual_figure() -> None:
    half = CarbonOffsetSpec(Decimal("50"), Money.of("10.00"), (OffsetProject("A", "a", "X", Decimal(100)),),
                            EstimateTable("illustrative", 170, ()))
    e = emission_for(half, car(92))
    assert e.annual_co2 == Decimal("1.184") and e.annual_offset == Decimal("0.592")


# -- a change of car or mileage -----------------------------------------------------------------------------


def test_eco1_change_of_car_mid_year_pro_rates_by_days(spec: CarbonOffsetSpec) -> None:
    change_on = date(2027, 5, 22)
    days_before, days_after = (change_on - START).days, (END - change_on).days
    assert (days_before, days_after) == (181, 184)
    new_car = replace(vehicle("CD34EFG"), co2_gkm=150)
    adj = Adjustment(1, change_on, None, (Change("replace_vehicle", vehicle=new_car),), "txn_a")
    y = year_offset(spec, term(car(92), adj))
    # 150 g/km x 8,000 x 1.609344 / 1e6 = 1.9312128 -> 1.931 t a year
    assert emission_for(spec, replace(car(92), vehicle=new_car)).annual_co2 == Decimal("1.931")
    expected = by_hand(Decimal("1.184") * 181 / 365 + Decimal("1.931") * 184 / 365)  # 0.587... + 0.973... = 1.561
    assert expected == Decimal("1.561")
    assert y.tonnes == expected
    assert [s.days_on_cover for s in y.stretches] == [181, 184]
    before = year_offset(spec, term(car(92))).by_project()
    mv = movement(y, before, first=False)
    assert mv.kind == "top_up" and mv.kg == 1561 - 1184 and mv.cost_pence == 1561 - 1184
    assert sum(d for _, d, _ in mv.lines) == mv.kg


def test_eco1_lower_mileage_from_a_date_is_a_reduction(spec: CarbonOffsetSpec) -> None:
    adj = Adjustment(1, date(2027, 2, 22), None, (Change("set_answer", question="annual_mileage", value="4000"),))
    y = year_offset(spec, term(car(92), adj))
    # 92 x 4,000 x 1.609344 / 1e6 = 0.592238592 -> 0.592 t a year, from day 92 of 365
    assert (date(2027, 2, 22) - START).days == 92
    assert y.tonnes == by_hand(Decimal("1.184") * 92 / 365 + Decimal("0.592") * 273 / 365) == Decimal("0.741")
    mv = movement(y, year_offset(spec, term(car(92))).by_project(), first=False)
    assert mv.kind == "reduction" and mv.kg == 741 - 1184


def test_eco1_temporary_change_of_car_counts_only_its_days(spec: CarbonOffsetSpec) -> None:
    hire = replace(vehicle("HI12RED"), co2_gkm=200)
    adj = Adjustment(1, date(2027, 1, 1), date(2027, 1, 11), (Change("replace_vehicle", vehicle=hire),))
    y = year_offset(spec, term(car(92), adj))
    # 200 g/km -> 2.574950... -> 2.575 t a year for 10 days; 1.184 for the other 355
    assert y.tonnes == by_hand(Decimal("1.184") * 355 / 365 + Decimal("2.575") * 10 / 365) == Decimal("1.222")


def test_eco1_a_change_of_driver_does_not_split_the_working(spec: CarbonOffsetSpec) -> None:
    adj = Adjustment(1, date(2027, 1, 1), None, (Change("add_driver", driver=driver("d2", name="Second")),))
    y = year_offset(spec, term(car(92), adj))
    assert [(s.period, s.days_on_cover) for s in y.stretches] == [(Period(START, END), 365)] and y.kg == 1184


# -- cancellation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cancel_on", "expected"), [
    (START, Decimal("0.000")),  # cancelled from the first day: nothing offset
    (START + timedelta(days=1), Decimal("0.003")),  # 1.184 x 1/365 = 0.00324 -> 0.003
    (date(2027, 5, 22), Decimal("0.587")),  # 1.184 x 181/365 = 0.58713 -> 0.587
    (END, Decimal("1.184")),  # to the last day: the whole year
])
def test_eco1_cancellation_pro_rates_the_year_to_the_days_on_cover(spec: CarbonOffsetSpec, cancel_on: date,
                                                                   expected: Decimal) -> None:
    y = year_offset(spec, term(car(92), cancelled_from=cancel_on))
    assert y.tonnes == expected == by_hand(Decimal("1.184") * (cancel_on - START).days / 365)
    assert y.cost == Money.of(expected * 10).round_pence(Rounding.HALF_UP)
    mv = movement(y, year_offset(spec, term(car(92))).by_project(), first=False)
    assert mv.kg == int(expected * 1000) - 1184
    assert mv.kind == ("recomputed" if cancel_on == END else "reduction")


# -- estimates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fuel", "cc", "gkm", "row"), [
    ("petrol", 1500, 180, "petrol, 1400 cc to under 2000 cc"),
    ("petrol", 1399, 140, "petrol, under 1400 cc"),
    ("petrol", 1400, 180, "petrol, 1400 cc to under 2000 cc"),  # bands are half-open: 1400 is the next band
    ("petrol", 2000, 270, "petrol, 2000 cc and over"),
    ("petrol", None, 170, "petrol, engine size unknown"),
    ("diesel", 1699, 140, "diesel, under 1700 cc"),
    ("diesel", 1700, 170, "diesel, 1700 cc to under 2000 cc"),
    ("hybrid", 1800, 115, "hybrid, any engine size"),
    ("electric", None, 0, "electric, any engine size"),
    (None, 1500, 170, "fuel type unknown"),
    ("hydrogen", 1500, 170, "fuel type unknown"),
])
def test_eco1_car_without_co2_gets_an_estimate_by_fuel_and_engine_marked_as_such(
        spec: CarbonOffsetSpec, fuel: str | None, cc: int | None, gkm: int, row: str) -> None:
    e = emission_for(spec, car(None, fuel, cc))
    assert e.estimated and e.gkm_source == "estimate" and e.gkm == gkm and e.estimate_row == row
    assert e.estimate_basis is not None and str(gkm) in e.estimate_basis
    assert "(estimate)" in e.working()
    assert e.annual_co2 == by_hand(Decimal(gkm) * 8000 * Decimal("1.609344") / 1_000_000)


def test_eco1_estimated_petrol_1500cc_at_8000_miles(spec: CarbonOffsetSpec) -> None:
    # 180 g/km (table row petrol 1400-1999 cc) x 8,000 x 1.609344 / 1e6 = 2.31745536 -> 2.317 t
    y = year_offset(spec, term(car(None, "petrol", 1500)))
    assert y.tonnes == Decimal("2.317") and y.estimated


def test_eco1_a_recorded_co2_figure_of_zero_is_not_an_estimate(spec: CarbonOffsetSpec) -> None:
    y = year_offset(spec, term(car(0, "electric", None)))
    assert y.kg == 0 and not y.estimated and all(p.kg == 0 and p.cost.is_zero() for p in y.projects)


def test_eco1_a_risk_without_annual_mileage_is_refused(spec: CarbonOffsetSpec) -> None:
    risk = replace(car(92), answers=(("ncd_years", "5"),))
    with pytest.raises(NoMileage):
        emission_for(spec, risk)


def test_eco1_engine_band_edges() -> None:
    table = EstimateTable("t", 99, (FuelEstimate("petrol", 50, (EngineBand(None, 1000, 1), EngineBand(1000, None, 2))),))
    assert table.estimate("petrol", 999).gkm == 1 and table.estimate("petrol", 1000).gkm == 2
    assert table.estimate("diesel", 999).gkm == 99


# -- rounding and allocation (properties) ----------------------------------------------------------------------


@given(gkm=st.integers(0, 1000), miles=st.integers(0, 100_000))
def test_eco1_annual_tonnes_are_exact_and_rounded_half_up_to_the_kilogram(gkm: int, miles: int) -> None:
    exact = annual_tonnes_exact(gkm, miles)
    assert exact * 1_000_000 == Decimal(gkm) * miles * Decimal("1.609344")  # no precision lost
    rounded = round_tonnes(exact)
    assert abs(rounded - exact) <= Decimal("0.0005")
    assert rounded == rounded.quantize(T)
    if exact - exact.quantize(T, rounding="ROUND_DOWN") == Decimal("0.0005"):
        assert rounded > exact  # a half goes up


shares = st.lists(st.integers(1, 100), min_size=1, max_size=6).map(lambda ws: [Decimal(w) for w in ws])


@given(total=st.integers(-10**9, 10**9), weights=shares)
def test_eco1_largest_remainder_parts_add_up_exactly_and_each_is_within_one_unit(total: int,
                                                                                  weights: list[Decimal]) -> None:
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    for part, w in zip(parts, weights, strict=True):
        exact = Decimal(total) * w / sum(weights)
        assert abs(part - exact) < 1
        assert part == 0 or (part > 0) == (total > 0)


@given(kg=st.integers(0, 10**7), price_pence=st.integers(0, 10**5), weights=shares)
def test_eco1_project_tonnes_and_costs_add_up_to_the_year(kg: int, price_pence: int, weights: list[Decimal]) -> None:
    projects = tuple(OffsetProject(f"P{i}", f"project {i}", "X", w) for i, w in enumerate(weights))
    s = CarbonOffsetSpec(Decimal(100), Money.from_pence(price_pence), projects, EstimateTable("t", 170, ()))
    cost = (s.price_per_tonne * tonnes_of(kg)).round_pence(Rounding.HALF_UP)
    split = allocate_year(s, kg, cost)
    assert sum(p.kg for p in split) == kg
    assert sum((p.cost for p in split), Money.zero()) == cost
    assert [p.cost for p in split] == allocate(cost, weights)


@given(changes=st.lists(st.tuples(st.integers(1, 364), st.integers(0, 400), st.integers(1000, 40000)),
                        max_size=4),
       cancel_day=st.one_of(st.none(), st.integers(0, 365)))
def test_eco1_records_of_a_year_always_add_up_to_its_figures(spec: CarbonOffsetSpec,
                                                             changes: list[tuple[int, int, int]],
                                                             cancel_day: int | None) -> None:
    """Bind, then changes of car and mileage (in any order of dates), then maybe a cancellation: each record
    is the difference from what was recorded, so the records, per project, add up to the year's figures."""
    recorded: dict[str, tuple[int, int]] = {}
    adjustments: list[Adjustment] = []
    states = [term(car(92))]
    for seq, (day, gkm, miles) in enumerate(changes, start=1):
        adjustments.append(Adjustment(seq, START + timedelta(days=day), None, (
            Change("replace_vehicle", vehicle=replace(vehicle(), co2_gkm=gkm)),
            Change("set_answer", question="annual_mileage", value=str(miles)))))
        states.append(term(car(92), *adjustments))
    if cancel_day is not None:
        states.append(term(car(92), *adjustments, cancelled_from=START + timedelta(days=cancel_day)))
    for i, state in enumerate(states):
        y = year_offset(spec, state)
        mv = movement(y, recorded, first=i == 0)
        for p, kg, pence in mv.lines:
            old = recorded.get(p.code, (0, 0))
            recorded[p.code] = (old[0] + kg, old[1] + pence)
        assert recorded == y.by_project()
        assert sum(kg for kg, _ in recorded.values()) == y.kg
        assert sum(p for _, p in recorded.values()) == y.cost.pence


def test_eco1_allocation_needs_positive_weights() -> None:
    with pytest.raises(ValueError):
        largest_remainder(10, [Decimal(0)])
    with pytest.raises(ValueError):
        largest_remainder(10, [])
