"""Explainable, deterministic rating (PRD-6).

standard premium = base rate (by the product's base variable) x each factor, rounded half-up to pence;
premium = standard premium x (1 - NCD discount), rounded half-up, and never below the product's
minimum premium (the least the insurer charges). Every step is a trace line naming the factor, the
input value, the table row and the running amount, with the product and table versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.kernel.money import Money, Rounding
from covernote.policy.domain.risk import Risk, postcode_area
from covernote.products.domain.model import FactorTable, Product


@dataclass(frozen=True)
class TraceStep:
    step: str
    variable: str
    value: str
    row: str
    factor: Decimal | None
    amount_after: Money

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.step,
            "variable": self.variable,
            "value": self.value,
            "row": self.row,
            "factor": None if self.factor is None else str(self.factor),
            "amount_after": self.amount_after.to_str(),
        }


@dataclass(frozen=True)
class RatingResult:
    product_ref: str
    table_version: str
    rated_on: date
    standard_premium: Money  # before NCD (NCD-4's "standard premium")
    premium: Money  # annual premium, whole pence, before IPT
    ncd_years: int
    ncd_discount_percent: Decimal
    trace: tuple[TraceStep, ...]

    def trace_dicts(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.trace]


def rating_variables(product: Product, risk: Risk, on: date, term_days: int | None = None) -> dict[str, str]:
    """The values the rating tables read, derived from the risk as at `on` (the term's start)."""
    v = risk.vehicle
    out: dict[str, str] = dict(risk.answers)
    out["vehicle_value"] = str(v.value.amount)
    out["vehicle_age"] = str(max(on.year - v.year, 0))
    out["postcode_area"] = postcode_area(risk.postcode)
    if term_days is not None:
        out["term_days"] = str(term_days)
    if v.abi_group is not None:
        out["vehicle_group"] = str(v.abi_group)
    if v.engine_cc is not None:
        out["engine_cc"] = str(v.engine_cc)
    if v.mileage is not None:
        out["vehicle_mileage"] = str(v.mileage)
    if v.fuel is not None:
        out["fuel"] = v.fuel
    if risk.drivers:
        # The riskiest driver sets the age and experience factors.
        out["driver_age"] = str(min(d.age_on(on) for d in risk.drivers))
        out["years_licensed"] = str(min(d.years_licensed_on(on) for d in risk.drivers))
        out["driver_count"] = str(len(risk.drivers))
    return out


def _lookup(table: FactorTable, variables: dict[str, str]) -> tuple[str, str, Decimal]:
    if table.variable not in variables:
        raise ValidationFailed(
            f"rating needs {table.variable}",
            [FieldIssue(f"risk.{table.variable}", f"needed by rating factor {table.name}")],
        )
    raw = variables[table.variable]
    if table.bands:
        number = Decimal(raw)
        for band in table.bands:
            if band.matches(number):
                return raw, band.label(), band.factor
    elif raw in table.values:
        return raw, raw, table.values[raw]
    if table.default is not None:
        return raw, "default", table.default
    raise ValidationFailed(
        f"no rate for {table.variable}={raw}",
        [FieldIssue(f"risk.{table.variable}", f"value {raw} is outside the rating table {table.name}; we cannot quote it")],
    )


def rate(product: Product, risk: Risk, on: date, *, renewal: bool = False, term_days: int | None = None) -> RatingResult:
    """Price a risk on a product version as at `on`. Pure and deterministic."""
    variables = rating_variables(product, risk, on, term_days)
    amount, trace = _factored(product.rating.factors, variables, *_base(product, variables))
    if renewal:
        amount, trace = _factored(product.rating.renewal_factors, variables, amount, trace)
    return _premium(product, variables, on, amount, trace)


def _base(product: Product, variables: dict[str, str]) -> tuple[Money, list[TraceStep]]:
    """The base rate, and its trace line."""
    spec = product.rating
    base_key = variables.get(spec.base_variable)
    if base_key is None or base_key not in spec.base_rates:
        raise ValidationFailed(
            f"no base rate for {spec.base_variable}={base_key}",
            [FieldIssue(f"risk.answers.{spec.base_variable}", f"no base rate for {base_key!r}")],
        )
    amount = spec.base_rates[base_key]
    return amount, [TraceStep("base rate", spec.base_variable, base_key, base_key, None, amount)]


def _factored(tables: Sequence[FactorTable], variables: dict[str, str], amount: Money,
              trace: list[TraceStep]) -> tuple[Money, list[TraceStep]]:
    """`amount` times each table's factor, with the trace so far and a line for each (a new list)."""
    trace = list(trace)
    for table in tables:
        value, row, factor = _lookup(table, variables)
        amount = amount * factor
        trace.append(TraceStep(table.name, table.variable, value, row, factor, amount))
    return amount, trace


def _premium(product: Product, variables: dict[str, str], on: date, amount: Money,
             trace: list[TraceStep]) -> RatingResult:
    """The standard premium from the factored amount, then the NCD discount and the minimum premium."""
    spec = product.rating
    trace = list(trace)  # the caller's trace so far may go on to the renewal factors
    standard = amount.round_pence(Rounding.HALF_UP)
    trace.append(TraceStep("standard premium (rounded half-up to pence)", "-", "-", "-", None, standard))
    ncd_years = int(variables.get("ncd_years", "0"))
    discount = Decimal(0)
    premium = standard
    if spec.ncd is not None:
        ncd_row, discount = spec.ncd.discount_for(ncd_years)
        premium = (standard * (Decimal(1) - discount / 100)).round_pence(Rounding.HALF_UP)
        trace.append(TraceStep("no-claims discount", "ncd_years", str(ncd_years), f"{ncd_row} years = {discount}%",
                               Decimal(1) - discount / 100, premium))
    if premium < spec.minimum_premium:
        premium = spec.minimum_premium
        trace.append(TraceStep("minimum premium", "-", "-", "minimum", None, premium))
    return RatingResult(
        product_ref=product.ref,
        table_version=spec.table_version,
        rated_on=on,
        standard_premium=standard,
        premium=premium,
        ncd_years=ncd_years,
        ncd_discount_percent=discount,
        trace=tuple(trace),
    )


def rate_for_term(product: Product, risk: Risk, on: date, *, renewal: bool, term_days: int | None = None) -> RatingResult:
    """The premium a term charges for a risk. A renewal is rated with the product's renewal factors and
    then capped at the equivalent new-business price for the same risk on the same day (POL-3)."""
    if not renewal:
        return rate(product, risk, on, renewal=False, term_days=term_days)
    return rate_renewal(product, risk, on, term_days=term_days)[0]


def rate_renewal(product: Product, risk: Risk, on: date, *, term_days: int | None = None) -> tuple[RatingResult,
                                                                                                  RatingResult]:
    """`rate_for_term(..., renewal=True)` and the equivalent new-business rating it is capped at (POL-3),
    rating the new-business price once for both."""
    variables = rating_variables(product, risk, on, term_days)  # once, and the factors both apply once
    amount, trace = _factored(product.rating.factors, variables, *_base(product, variables))
    new_business = _premium(product, variables, on, amount, trace)
    renewed = _premium(product, variables, on,
                       *_factored(product.rating.renewal_factors, variables, amount, trace))
    return _capped(renewed, new_business, on), new_business


def _capped(renewed: RatingResult, new_business: RatingResult, on: date) -> RatingResult:
    """The renewal's rating, capped at the equivalent new-business price for the same risk on the same day."""
    if renewed.premium <= new_business.premium:
        return renewed
    cap = TraceStep("renewal price capped at the equivalent new-business price (POL-3)", "-",
                    renewed.premium.to_str(), "ENBP", None, new_business.premium)
    return RatingResult(
        product_ref=renewed.product_ref,
        table_version=renewed.table_version,
        rated_on=on,
        standard_premium=new_business.standard_premium,
        premium=new_business.premium,
        ncd_years=renewed.ncd_years,
        ncd_discount_percent=renewed.ncd_discount_percent,
        trace=(*renewed.trace, cap),
    )
