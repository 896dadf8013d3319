"""PRD-6 explainable, deterministic rating; NCD-4 worked example; POL-3 renewal price cap (ENBP);
risk validation naming every failed field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.errors import ValidationFailed
from covernote.kernel.money import Money
from covernote.policy.domain.rating import rate, rate_for_term, rate_renewal
from covernote.policy.domain.risk import Risk, make_answers, validate_risk
from covernote.products.domain.catalogue import Catalogue
from covernote.products.domain.model import Band, FactorTable, Product
from covernote.products.store.files import load_catalogue

from .builders import PRODUCTS, driver, motor_risk, vehicle, young_risk

ON = date(2026, 11, 22)
CAT: Catalogue = load_catalogue(PRODUCTS)
ECO: Product = CAT.in_force("ECO", ON)
YD: Product = CAT.in_force("YOUNG_DRIVER", ON)
AREAS = {"LS1 4AB": "LS", "M1 1AE": "M", "B1 1AA": "B", "EH1 1YZ": "EH", "IV2 3AB": "IV", "SW1A 1AA": "SW",
         "E1 6AN": "E", "TR1 2AB": "TR", "CF10 1AA": "CF", "BS1 4DJ": "BS", "G2 1DY": "G", "AB10 1AB": "AB",
         "N1 9GU": "N", "SE1 7PB": "SE", "W1A 1AA": "W", "L1 8JQ": "L", "EX1 1AA": "EX", "YO1 7HH": "YO"}
POSTCODES = sorted(AREAS)
PENNY = Decimal("0.01")


def half_up(x: Decimal) -> Decimal:
    return x.quantize(PENNY, rounding=ROUND_HALF_UP)


def born_aged(age: int, on: date = ON) -> date:
    """A date of birth that makes someone exactly `age` on `on` (birthday at the end of the year)."""
    return date(on.year - age - 1, 12, 31)


@st.composite
def motor_risks(draw: st.DrawFn, product: Product = ECO) -> Risk:
    age = draw(st.integers(min_value=max(product.min_driver_age, 17), max_value=90))
    years_licensed = draw(st.integers(min_value=0, max_value=age - 17))
    extra_driver = draw(st.booleans())
    drivers = [driver("d1", born_aged(age), born_aged(years_licensed))]
    if extra_driver:
        age2 = draw(st.integers(min_value=17, max_value=90))
        drivers.append(driver("d2", born_aged(age2), born_aged(draw(st.integers(0, age2 - 17))), "Bob Example"))
    mileage_q = product.question("annual_mileage")
    assert mileage_q is not None and mileage_q.minimum is not None and mileage_q.maximum is not None
    answers = {
        "annual_mileage": draw(st.integers(int(mileage_q.minimum), int(mileage_q.maximum))),
        "ncd_years": draw(st.integers(0, 30)),
        "use": draw(st.sampled_from(product.question("use").choices)),  # type: ignore[union-attr]
        "voluntary_excess": draw(st.sampled_from(product.question("voluntary_excess").choices)),  # type: ignore[union-attr]
    }
    veh = vehicle(value=str(draw(st.integers(500, 120_000))), group=draw(st.integers(1, 50)),
                  year=draw(st.integers(2000, 2026)))
    return Risk(veh, tuple(drivers), draw(st.sampled_from(POSTCODES)), make_answers(answers))


def expected_factor(table: FactorTable, raw: str) -> Decimal:
    if table.bands:
        v = Decimal(raw)
        hits = [b.factor for b in table.bands if (b.low is None or b.low <= v) and (b.high is None or v < b.high)]
        assert len(hits) == 1, (table.name, raw)
        return hits[0]
    if raw in table.values:
        return table.values[raw]
    assert table.default is not None
    return table.default


def independent_variables(risk: Risk) -> dict[str, str]:
    """The rating variables computed here, without the engine, for the builders' risks."""
    out = dict(risk.answers)
    out.update({
        "driver_age": str(min(ON.year - d.date_of_birth.year - 1 for d in risk.drivers)),
        "years_licensed": str(min(ON.year - d.licence_held_since.year - 1 for d in risk.drivers)),
        "vehicle_group": str(risk.vehicle.abi_group),
        "vehicle_value": str(risk.vehicle.value.amount),
        "postcode_area": AREAS[risk.postcode],
    })
    return out


# -- PRD-6: deterministic and explainable ---------------------------------------------------------

def test_prd6_known_example_trace_and_premium() -> None:
    """ECO 2026.7: 680.00 x LS 1.15 = 782.00 standard; 5 years NCD at 70% -> 234.60."""
    risk = validate_risk(ECO, motor_risk(), ON)
    result = rate(ECO, risk, ON)
    assert result.product_ref == "ECO@2026.7"
    assert result.table_version == "eco-rates-2026.7"
    assert result.standard_premium == Money.of("782.00")
    assert result.premium == Money.of("234.60")
    assert result.ncd_discount_percent == Decimal("70")
    steps = {s.variable: s for s in result.trace}
    assert steps["postcode_area"].value == "LS" and steps["postcode_area"].factor == Decimal("1.15")
    assert steps["driver_age"].value == "41" and steps["driver_age"].row == "[30, 50)"
    assert steps["annual_mileage"].row == "[5001, 10001)"
    assert result.trace[0].step == "base rate" and result.trace[0].amount_after == Money.of("680.00")
    assert result.trace[-1].row == "5 years = 70%"
    # the earlier version rates on its own table
    old = rate(CAT.by_ref("ECO@2024.1"), risk, date(2026, 1, 5))
    assert old.table_version == "eco-rates-2024.1" and old.trace[0].amount_after == Money.of("640.00")


@pytest.mark.parametrize(("variable", "change", "factor"), [
    ("driver_age", {"drivers": (driver("d1", born_aged(18), born_aged(1)),)}, "2.80"),
    ("driver_age", {"drivers": (driver("d1", born_aged(19), born_aged(1)),)}, "2.20"),  # bands are half-open
    ("driver_age", {"drivers": (driver("d1", born_aged(76), born_aged(50)),)}, "1.35"),
    ("annual_mileage", {"mileage": 5000}, "0.90"),
    ("annual_mileage", {"mileage": 5001}, "1.00"),
    ("annual_mileage", {"mileage": 20001}, "1.35"),
    ("vehicle_value", {"veh": vehicle(value="5000")}, "1.00"),
    ("vehicle_value", {"veh": vehicle(value="4999.99")}, "0.90"),
    ("vehicle_group", {"veh": vehicle(group=50)}, "1.80"),
    ("postcode_area", {"postcode": "CF10 1AA"}, "1.00"),  # not listed: the default
    ("postcode_area", {"postcode": "e1 6an"}, "1.40"),
])
def test_prd6_band_boundaries_and_defaults(variable: str, change: dict, factor: str) -> None:
    risk = validate_risk(ECO, motor_risk(**change), ON)
    step = next(s for s in rate(ECO, risk, ON).trace if s.variable == variable)
    assert step.factor == Decimal(factor)


@settings(max_examples=120, deadline=None)
@given(risk=motor_risks())
def test_prd6_rating_is_deterministic_and_premium_is_the_trace_product(risk: Risk) -> None:
    valid = validate_risk(ECO, risk, ON)
    first = rate(ECO, valid, ON)
    second = rate(ECO, valid, ON)
    assert first == second
    assert first.product_ref == ECO.ref == "ECO@2026.7"
    assert first.table_version == ECO.rating.table_version
    assert first.rated_on == ON
    # every step names factor, value and row
    for step in first.trace:
        assert step.step and step.variable and step.value and step.row
    factor_steps = [s for s in first.trace if s.variable in {t.variable for t in ECO.rating.factors}]
    assert [s.step for s in factor_steps] == [t.name for t in ECO.rating.factors]
    variables = independent_variables(valid)
    for table, step in zip(ECO.rating.factors, factor_steps, strict=True):
        assert step.value == variables[table.variable], table.name
        assert step.factor == expected_factor(table, variables[table.variable]), table.name
    exact = ECO.rating.base_rates["comprehensive"].amount
    for s in factor_steps:
        assert s.factor is not None
        exact *= s.factor
    standard = half_up(exact)
    assert first.standard_premium.amount == standard
    years = int(valid.answer("ncd_years") or 0)
    discount = {0: 0, 1: 30, 2: 40, 3: 50, 4: 60}.get(years, 70)
    assert first.ncd_discount_percent == Decimal(discount)
    assert first.premium.amount == max(half_up(standard * (1 - Decimal(discount) / 100)),
                                       ECO.rating.minimum_premium.amount)
    assert first.premium.is_whole_pence
    assert first.trace[-1].amount_after == first.premium


@settings(max_examples=40, deadline=None)
@given(risk=motor_risks(YD))
def test_prd6_young_driver_minimum_premium_is_the_least_charged_after_ncd(risk: Risk) -> None:
    result = rate(YD, validate_risk(YD, risk, ON), ON)
    assert result.premium >= YD.rating.minimum_premium
    discounted = half_up(result.standard_premium.amount * (1 - result.ncd_discount_percent / 100))
    if discounted < YD.rating.minimum_premium.amount:
        assert result.premium == YD.rating.minimum_premium
        assert result.trace[-1].step == "minimum premium"
    else:
        assert result.premium.amount == discounted


def test_prd6_missing_answer_is_a_named_validation_failure() -> None:
    with pytest.raises(ValidationFailed) as info:
        rate(ECO, motor_risk(), ON)  # not validated: cover_type has no default filled in
    assert info.value.issues[0].field == "risk.answers.cover_type"


# -- NCD-4 worked example ---------------------------------------------------------------------------

def flat_product(base: str) -> Product:
    return replace(ECO, rating=replace(ECO.rating, base_rates={"comprehensive": Money.of(base)}, factors=()))


@pytest.mark.parametrize(("base", "expected"), [("1000.00", "300.00"), ("1100.00", "330.00")])
def test_ncd4_five_years_is_70_percent_of_the_standard_premium(base: str, expected: str) -> None:
    product = flat_product(base)
    result = rate(product, validate_risk(product, motor_risk(ncd_years=5), ON), ON)
    assert result.standard_premium == Money.of(base)
    assert result.ncd_years == 5
    assert result.ncd_discount_percent == Decimal("70")
    assert result.premium == Money.of(expected)


def test_ncd4_more_than_five_years_takes_the_top_row() -> None:
    product = flat_product("1000.00")
    result = rate(product, validate_risk(product, motor_risk(ncd_years=9), ON), ON)
    assert result.premium == Money.of("300.00")
    assert result.trace[-1].row == "5 years = 70%"


@pytest.mark.parametrize(("years", "expected"), [(0, "1000.00"), (1, "700.00"), (3, "500.00"), (4, "400.00")])
def test_ncd4_lower_rows_of_the_scale(years: int, expected: str) -> None:
    product = flat_product("1000.00")
    result = rate(product, validate_risk(product, motor_risk(ncd_years=years), ON), ON)
    assert result.premium == Money.of(expected)


# -- POL-3: renewal never above the equivalent new-business price ---------------------------------

def with_renewal_factor(factor: Decimal) -> Product:
    loading = FactorTable("renewal loading", "driver_age", bands=(Band(None, None, factor),))
    return replace(ECO, rating=replace(ECO.rating, renewal_factors=(loading,)))


@settings(max_examples=80, deadline=None)
@given(risk=motor_risks(), loading=st.decimals(min_value=Decimal("1.01"), max_value=Decimal("2.50"), places=2))
def test_pol3_renewal_price_never_exceeds_new_business_price(risk: Risk, loading: Decimal) -> None:
    product = with_renewal_factor(loading)
    valid = validate_risk(product, risk, ON)
    new_business = rate(product, valid, ON, renewal=False)
    uncapped = rate(product, valid, ON, renewal=True)
    renewal = rate_for_term(product, valid, ON, renewal=True)
    assert renewal.premium <= new_business.premium
    assert rate_for_term(product, valid, ON, renewal=False) == new_business
    if uncapped.premium > new_business.premium:
        cap = renewal.trace[-1]
        assert cap.row == "ENBP"
        assert "POL-3" in cap.step
        assert cap.value == uncapped.premium.to_str()
        assert cap.amount_after == new_business.premium
        assert renewal.premium == new_business.premium
    else:
        assert renewal == uncapped


@settings(max_examples=60, deadline=None)
@given(risk=motor_risks(), loading=st.decimals(min_value=Decimal("0.50"), max_value=Decimal("2.50"), places=2),
       term_days=st.one_of(st.none(), st.integers(28, 366)))
def test_issue12_rate_renewal_is_the_capped_renewal_and_the_enbp_rated_separately(risk: Risk, loading: Decimal,
                                                                                  term_days: int | None) -> None:
    """Issue 12: the renewal offer's two ratings share the variables and the new-business factors; the
    answer, traces included, is the new-business and renewal ratings made apart, the renewal capped (POL-3)."""
    product = with_renewal_factor(loading)
    valid = validate_risk(product, risk, ON)
    new_business = rate(product, valid, ON, renewal=False, term_days=term_days)
    uncapped = rate(product, valid, ON, renewal=True, term_days=term_days)
    renewal, enbp = rate_renewal(product, valid, ON, term_days=term_days)
    assert enbp == new_business
    assert renewal == uncapped if uncapped.premium <= new_business.premium else (
        renewal.trace == (*uncapped.trace, renewal.trace[-1]) and renewal.premium == new_business.premium)


def test_pol3_renewal_loading_is_capped_with_an_enbp_trace_line() -> None:
    product = with_renewal_factor(Decimal("1.20"))
    risk = validate_risk(product, motor_risk(), ON)
    renewal = rate_for_term(product, risk, ON, renewal=True)
    assert rate(product, risk, ON, renewal=True).premium == Money.of("281.52")  # 782 x 1.2 = 938.40 x 0.3
    assert renewal.premium == Money.of("234.60")
    assert [s.row for s in renewal.trace].count("ENBP") == 1
    assert any(s.step == "renewal loading" for s in renewal.trace)


def test_pol3_renewal_discount_is_kept_without_a_cap_line() -> None:
    product = with_renewal_factor(Decimal("0.90"))
    risk = validate_risk(product, motor_risk(), ON)
    renewal = rate_for_term(product, risk, ON, renewal=True)
    assert renewal.premium == Money.of("211.14")  # 782 x 0.9 = 703.80 x 0.3
    assert "ENBP" not in [s.row for s in renewal.trace]


# -- risk validation names every failed field -------------------------------------------------------

def test_prd1_validate_risk_names_every_failed_field() -> None:
    bad = Risk(
        vehicle("NOT A REG!", value="0", group=60, year=1850),
        (driver("d1", date(2012, 1, 1), date(2011, 1, 1)), driver("d1", date(1990, 1, 1), date(2027, 1, 1))),
        "XYZ",
        make_answers({"annual_mileage": 500, "ncd_years": "lots", "use": "racing", "colour": "blue"}),
    )
    with pytest.raises(ValidationFailed) as info:
        validate_risk(ECO, bad, ON)
    fields = {i.field for i in info.value.issues}
    assert fields == {
        "risk.vehicle.registration",
        "risk.vehicle.value",
        "risk.vehicle.year",
        "risk.vehicle.abi_group",
        "risk.postcode",
        "risk.answers.annual_mileage",
        "risk.answers.ncd_years",
        "risk.answers.use",
        "risk.answers.colour",
        "risk.drivers[0].date_of_birth",
        "risk.drivers[0].licence_held_since",
        "risk.drivers[1].driver_id",
        "risk.drivers[1].licence_held_since",
    }
    reasons = {i.field: i.reason for i in info.value.issues}
    assert "NOT A REG!" in reasons["risk.vehicle.registration"]
    assert "at least 1000" in reasons["risk.answers.annual_mileage"]
    assert "is not a question" in reasons["risk.answers.colour"]
    assert "aged 17 or over" in reasons["risk.drivers[0].date_of_birth"]


def test_prd3_young_driver_mileage_above_product_maximum() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_risk(YD, young_risk(annual_mileage=25000), ON)
    assert [(i.field, "at most 20000" in i.reason) for i in info.value.issues] == [("risk.answers.annual_mileage", True)]


def test_prd1_driver_turning_17_on_the_start_day_is_old_enough() -> None:
    risk = young_risk()
    seventeen = replace(risk, drivers=(driver("y1", date(2009, 11, 22), date(2026, 11, 22)),))
    assert validate_risk(YD, seventeen, ON).drivers[0].age_on(ON) == 17
    too_young = replace(risk, drivers=(driver("y1", date(2009, 11, 23), date(2026, 11, 22)),))
    with pytest.raises(ValidationFailed) as info:
        validate_risk(YD, too_young, ON)
    assert [i.field for i in info.value.issues] == ["risk.drivers[0].date_of_birth"]


def test_prd1_validate_risk_fills_defaults_and_normalises() -> None:
    valid = validate_risk(ECO, motor_risk(postcode="ls14ab", veh=vehicle(reg="ab12 cde")), ON)
    assert valid.postcode == "LS1 4AB"
    assert valid.vehicle.registration == "AB12CDE"
    assert valid.answers_dict() == {"annual_mileage": "8000", "ncd_years": "5", "cover_type": "comprehensive",
                                    "use": "sdp_commuting", "voluntary_excess": "0", "claims_last_3_years": "0"}


@pytest.mark.parametrize("reg", ["AB12CDE", "A123BCD", "ABC123D", "1234AB", "AB1234", "ABZ1234", "ab12 cde"])
def test_prd1_uk_registration_formats_accepted(reg: str) -> None:
    validate_risk(ECO, motor_risk(veh=vehicle(reg=reg)), ON)
