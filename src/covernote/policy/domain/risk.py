"""What is insured: the vehicle, the drivers, where it is kept, and the answers to the product's own
questions (cover type, use, mileage, excess, plan...). Changes to a risk are small operations so that
a back-dated change can be merged under later ones (POL-2)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from covernote.kernel.days import MAX_AGE, age_on
from covernote.kernel.errors import IssueCollector
from covernote.kernel.money import Money
from covernote.products.domain.model import Product

# UK registration marks: current (AB12 CDE), prefix (A123 BCD), suffix (ABC 123D), dateless (1-4 letters/
# digits), and Northern Ireland (ABZ 1234). Spaces are ignored.
_REG_PATTERNS = [
    re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{3}$"),
    re.compile(r"^[A-Z][0-9]{1,3}[A-Z]{3}$"),
    re.compile(r"^[A-Z]{3}[0-9]{1,3}[A-Z]$"),
    re.compile(r"^[0-9]{1,4}[A-Z]{1,3}$"),
    re.compile(r"^[A-Z]{1,3}[0-9]{1,4}$"),
    re.compile(r"^[A-Z]{1,3}Z[0-9]{1,4}$"),
]
_POSTCODE = re.compile(r"^([A-Z]{1,2})[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def normalise_registration(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def is_uk_registration(value: str) -> bool:
    reg = normalise_registration(value)
    return any(p.match(reg) for p in _REG_PATTERNS)


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value).upper()
    return compact[:-3] + " " + compact[-3:] if len(compact) > 3 else compact


def postcode_area(postcode: str) -> str:
    m = _POSTCODE.match(normalise_postcode(postcode))
    if not m:
        raise ValueError(f"not a UK postcode: {postcode!r}")
    return m.group(1)


@dataclass(frozen=True)
class Vehicle:
    registration: str
    make: str
    model: str
    year: int
    value: Money
    abi_group: int | None = None
    fuel: str | None = None
    engine_cc: int | None = None
    co2_gkm: int | None = None
    vin: str | None = None
    mileage: int | None = None


@dataclass(frozen=True)
class Driver:
    driver_id: str
    name: str
    date_of_birth: date
    licence_held_since: date
    relationship: str = "proposer"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    def years_licensed_on(self, day: date) -> int:
        years = day.year - self.licence_held_since.year
        if (day.month, day.day) < (self.licence_held_since.month, self.licence_held_since.day):
            years -= 1
        return max(years, 0)


@dataclass(frozen=True)
class Risk:
    vehicle: Vehicle
    drivers: tuple[Driver, ...]
    postcode: str
    answers: tuple[tuple[str, str], ...]  # sorted (question, value) pairs, values as text

    def answer(self, name: str) -> str | None:
        for k, v in self.answers:
            if k == name:
                return v
        return None

    def answers_dict(self) -> dict[str, str]:
        return dict(self.answers)

    def with_answer(self, name: str, value: str) -> Risk:
        merged = dict(self.answers)
        merged[name] = value
        return replace(self, answers=tuple(sorted(merged.items())))

    def driver(self, driver_id: str) -> Driver | None:
        for d in self.drivers:
            if d.driver_id == driver_id:
                return d
        return None


def make_answers(values: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in values.items()))


def _decimal(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def validate_risk(product: Product, risk: Risk, on: date, prefix: str = "risk") -> Risk:
    """Check a risk against the product's questions and limits; fill defaults. Names every failure."""
    issues = IssueCollector()
    answers = risk.answers_dict()
    for q in product.questions:
        field_name = f"{prefix}.answers.{q.name}"
        if q.name not in answers:
            if q.default is not None:
                answers[q.name] = q.default
                continue
            issues.add(field_name, "is required by this product")
            continue
        value = answers[q.name]
        if q.kind == "choice":
            if value not in q.choices:
                issues.add(field_name, f"must be one of {', '.join(q.choices)}; got {value!r}")
        else:
            number = _decimal(value)
            if number is None or (q.kind == "integer" and number != number.to_integral_value()):
                issues.add(field_name, f"must be {'a whole number' if q.kind == 'integer' else 'an amount'}; got {value!r}")
            elif q.minimum is not None and number < q.minimum:
                issues.add(field_name, f"must be at least {q.minimum}; got {value}")
            elif q.maximum is not None and number > q.maximum:
                issues.add(field_name, f"must be at most {q.maximum}; got {value}")
            elif q.kind == "integer":
                answers[q.name] = str(int(number))
            else:
                answers[q.name] = f"{number.quantize(Decimal('0.01')):f}"
    for name in answers:
        if product.question(name) is None:
            issues.add(f"{prefix}.answers.{name}", f"is not a question product {product.code} asks")
    v = risk.vehicle
    if not is_uk_registration(v.registration):
        issues.add(f"{prefix}.vehicle.registration", f"{v.registration!r} is not a UK registration mark")
    if v.year < 1900 or v.year > on.year + 1:
        issues.add(f"{prefix}.vehicle.year", f"must be between 1900 and {on.year + 1}")
    if v.value.is_negative() or v.value.is_zero():
        issues.add(f"{prefix}.vehicle.value", "must be more than zero")
    if product.line == "motor":
        if v.abi_group is None or not 1 <= v.abi_group <= 50:
            issues.add(f"{prefix}.vehicle.abi_group", "is required for motor products and must be 1 to 50")
        if not risk.drivers:
            issues.add(f"{prefix}.drivers", "at least one driver is required")
    if product.line == "warranty" and v.mileage is None:
        issues.add(f"{prefix}.vehicle.mileage", "is required for a warranty")
    if len(risk.drivers) > product.max_drivers:
        issues.add(f"{prefix}.drivers", f"at most {product.max_drivers} drivers")
    seen: set[str] = set()
    for i, d in enumerate(risk.drivers):
        if d.driver_id in seen:
            issues.add(f"{prefix}.drivers[{i}].driver_id", f"duplicate driver id {d.driver_id!r}")
        seen.add(d.driver_id)
        if d.date_of_birth >= on:
            issues.add(f"{prefix}.drivers[{i}].date_of_birth", "must be in the past")
        elif d.age_on(on) < product.min_driver_age:
            issues.add(f"{prefix}.drivers[{i}].date_of_birth",
                       f"driver is {d.age_on(on)} on {on}; this product needs drivers aged {product.min_driver_age} or over")
        elif d.age_on(on) > MAX_AGE:  # issue 13, item 6: not a plausible driver (a slip for the year)
            issues.add(f"{prefix}.drivers[{i}].date_of_birth",
                       f"driver is {d.age_on(on)} on {on}; a driver is aged at most {MAX_AGE}")
        if d.licence_held_since > on:
            issues.add(f"{prefix}.drivers[{i}].licence_held_since", "cannot be after the cover starts")
        elif d.licence_held_since < d.date_of_birth:
            issues.add(f"{prefix}.drivers[{i}].licence_held_since", "cannot be before the date of birth")
    try:
        postcode = normalise_postcode(risk.postcode)
        postcode_area(postcode)
    except ValueError:
        issues.add(f"{prefix}.postcode", f"{risk.postcode!r} is not a UK postcode")
        postcode = risk.postcode
    issues.raise_if_any("the risk does not meet the product's rules")
    return replace(
        risk,
        postcode=postcode,
        vehicle=replace(v, registration=normalise_registration(v.registration)),
        answers=tuple(sorted(answers.items())),
    )


ChangeOp = Literal["replace_vehicle", "add_driver", "remove_driver", "set_answer", "set_postcode"]


@dataclass(frozen=True)
class Change:
    """One operation of a mid-term adjustment."""

    op: ChangeOp
    vehicle: Vehicle | None = None
    driver: Driver | None = None
    driver_id: str | None = None
    question: str | None = None
    value: str | None = None
    postcode: str | None = None

    def describe(self) -> str:
        if self.op == "replace_vehicle" and self.vehicle:
            return f"new vehicle {self.vehicle.registration} ({self.vehicle.make} {self.vehicle.model})"
        if self.op == "add_driver" and self.driver:
            return f"add driver {self.driver.name}"
        if self.op == "remove_driver":
            return f"remove driver {self.driver_id}"
        if self.op == "set_answer":
            return f"{self.question} = {self.value}"
        return f"postcode {self.postcode}"


class ChangeNotApplicable(ValueError):
    pass


def apply_change(risk: Risk, change: Change) -> Risk:
    """The risk after one change; raises ChangeNotApplicable where it cannot apply (no such driver)."""
    if change.op == "replace_vehicle":
        assert change.vehicle is not None
        return replace(risk, vehicle=change.vehicle)
    if change.op == "add_driver":
        assert change.driver is not None
        if risk.driver(change.driver.driver_id) is not None:
            raise ChangeNotApplicable(f"driver {change.driver.driver_id} is already on the policy")
        return replace(risk, drivers=(*risk.drivers, change.driver))
    if change.op == "remove_driver":
        if risk.driver(change.driver_id or "") is None:
            raise ChangeNotApplicable(f"driver {change.driver_id} is not on the policy then")
        remaining = tuple(d for d in risk.drivers if d.driver_id != change.driver_id)
        if not remaining:
            raise ChangeNotApplicable("cannot remove the last driver")
        return replace(risk, drivers=remaining)
    if change.op == "set_answer":
        assert change.question is not None and change.value is not None
        return risk.with_answer(change.question, change.value)
    if change.op == "set_postcode":
        assert change.postcode is not None
        return replace(risk, postcode=change.postcode)
    raise ChangeNotApplicable(f"unknown change {change.op}")  # pragma: no cover
