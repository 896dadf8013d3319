"""Request bodies. They check shape and types and name the field on failure; business rules are the
domain's. Each converts itself into domain values."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.platform.requests import AMOUNT_SCHEMA, Day, MultiLine, RequestBody, Text
from covernote.policy.domain.risk import Change, Driver, Risk, Vehicle, make_answers
from covernote.products.domain.model import Term


def _written_amount(value: object) -> object:
    """An amount of money as JSON text ("150.00") or a whole number; never a float, a boolean or "1e2"."""
    if isinstance(value, bool | float):
        raise ValueError('give the amount as text in pounds and pence, e.g. "150.00"')
    if isinstance(value, str) and not re.fullmatch(r"\d+(\.\d{1,2})?", value.strip()):
        raise ValueError('pounds and pence as digits, e.g. "150.00"')
    return value


ExactAmount = Annotated[Decimal, BeforeValidator(_written_amount), Field(max_digits=14, decimal_places=2),
                        WithJsonSchema(AMOUNT_SCHEMA)]
# A price or value: more than zero (a vehicle's market value).
Amount = Annotated[Decimal, BeforeValidator(_written_amount), Field(gt=0, max_digits=12, decimal_places=2),
                   WithJsonSchema(AMOUNT_SCHEMA)]
ExtraCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


def _not_bool(value: object) -> object:
    """JSON true and false are not the numbers 1 and 0 (an answer of `"ncd_years": true` is refused)."""
    if isinstance(value, bool):
        raise ValueError("give a number or text, not true or false")
    return value


# An answer to a product question (or a new one in an adjustment): text or a whole number, never a boolean.
Answer = Annotated[str | int, BeforeValidator(_not_bool)]



class VehicleIn(RequestBody):
    registration: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=10)]
    make: Text
    model: Text
    # Whole numbers are strict: a JSON true is not 1 (422 naming the field), nor is "120" or 120.0.
    year: StrictInt = Field(ge=1900, le=2100)
    value: Amount = Field(description="Market value in pounds, e.g. \"9000.00\"")
    abi_group: StrictInt | None = Field(default=None, ge=1, le=50, description="ABI group 1-50 (motor products)")
    fuel: Literal["petrol", "diesel", "hybrid", "electric", "lpg"] | None = None
    engine_cc: StrictInt | None = Field(default=None, ge=0, le=10000, description="Engine size in cc")
    co2_gkm: StrictInt | None = Field(default=None, ge=0, le=1000,
                                      description="CO2 in g/km from the vehicle record (ECO-1); leave out if unknown")
    vin: Annotated[str, StringConstraints(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")] | None = None
    mileage: StrictInt | None = Field(default=None, ge=0, le=1_000_000)

    def to_domain(self) -> Vehicle:
        return Vehicle(self.registration, self.make, self.model, self.year, Money.of(self.value), self.abi_group,
                       self.fuel, self.engine_cc, self.co2_gkm, self.vin, self.mileage)


class DriverIn(RequestBody):
    driver_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None
    name: Text
    date_of_birth: Day
    licence_held_since: Day
    relationship: Literal["proposer", "spouse", "partner", "child", "parent", "other"] = "proposer"

    def to_domain(self) -> Driver:
        return Driver(self.driver_id or new_id("drv", 4), self.name, self.date_of_birth, self.licence_held_since,
                      self.relationship)


class RiskIn(RequestBody):
    vehicle: VehicleIn
    drivers: list[DriverIn] = Field(default_factory=list, max_length=10)
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=8)]
    answers: dict[str, Answer] = Field(default_factory=dict, description="Answers to the product's questions")

    def to_domain(self) -> Risk:
        return Risk(self.vehicle.to_domain(), tuple(d.to_domain() for d in self.drivers), self.postcode,
                    make_answers(self.answers))


class TermIn(RequestBody):
    unit: Literal["months", "days"]
    length: int = Field(gt=0, le=60)


class QuoteIn(RequestBody):
    product_code: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=20)]
    start_date: Day
    customer_id: str | None = Field(default=None, description="Required for staff; a customer quotes for themself")
    term: TermIn | None = None
    risk: RiskIn
    extras: list[ExtraCode] = Field(default_factory=list, max_length=20,
                                    description="Codes of the product's optional extras to buy with the policy (ADD-1)")

    def term_domain(self) -> Term | None:
        return None if self.term is None else Term(self.term.unit, self.term.length)


class PaymentIn(RequestBody):
    token: Annotated[str, StringConstraints(min_length=4, max_length=100)] = Field(
        description="A card or mandate token from the payment provider; Covernote never sees card numbers")


class WithdrawIn(RequestBody):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None, description="Why the quote is withdrawn (optional, at most 500 characters)")


class BindIn(RequestBody):
    quote_id: str
    payment: PaymentIn
    documents_on: Day | None = Field(default=None, description="When the customer received the documents")


class ChangeIn(RequestBody):
    op: Literal["replace_vehicle", "add_driver", "remove_driver", "set_answer", "set_postcode"]
    vehicle: VehicleIn | None = None
    driver: DriverIn | None = None
    driver_id: str | None = None
    question: str | None = None
    value: Answer | None = None
    postcode: str | None = None

    @model_validator(mode="after")
    def _needs(self) -> ChangeIn:
        need = {"replace_vehicle": "vehicle", "add_driver": "driver", "remove_driver": "driver_id",
                "set_answer": "question", "set_postcode": "postcode"}[self.op]
        if getattr(self, need) is None:
            raise ValueError(f"{self.op} needs '{need}'")
        if self.op == "set_answer" and self.value is None:
            raise ValueError("set_answer needs 'value'")
        return self

    def to_domain(self) -> Change:
        return Change(self.op, self.vehicle.to_domain() if self.vehicle else None,
                      self.driver.to_domain() if self.driver else None, self.driver_id, self.question,
                      None if self.value is None else str(self.value), self.postcode)


class AdjustmentIn(RequestBody):
    effective_date: Day
    until: Day | None = Field(default=None, description="For a temporary change: the first day it no longer applies")
    changes: list[ChangeIn] = Field(default_factory=list, max_length=20,
                                    description="At least one change, or an extra to add or remove")
    add_extras: list[ExtraCode] = Field(default_factory=list, max_length=20,
                                        description="Optional extras to add from effective_date, priced pro-rata (ADD-1)")
    remove_extras: list[ExtraCode] = Field(default_factory=list, max_length=20,
                                           description="Optional extras to remove from effective_date (return premium)")
    smartbox: Literal["retained", "new"] | None = Field(default=None, description="Telematics products, on a change of vehicle")
    reason: Text


class RenewalConfirmIn(RequestBody):
    extras: list[ExtraCode] | None = Field(default=None, max_length=20, description=(
        "The extras to renew with, from the invitation's extras_available; leave out to keep the extras carried "
        "forward; [] for none"))


class CancellationIn(RequestBody):
    effective_date: Day = Field(description="The first day without cover")
    reason: Text
    by: Literal["customer", "insurer"] = "customer"
    requested_on: Day | None = Field(default=None, description="Staff only: the day the request was received")


class VoidIn(RequestBody):
    reason: Text


class IncidentIn(RequestBody):
    kind: Literal["claim", "incident"]
    occurred_on: Day
    total_loss: bool = False
    reference: str = ""
    description: Annotated[str, MultiLine] = Field(default="", max_length=4000)
    claim_type: str = Field(default="other", max_length=40, description=(
        "accident, theft, fire, vandalism, windscreen_or_glass, glass_roof_panel, legal_expenses_uninsured_loss, "
        "breakdown, key_cover or other. Windscreen or glass, legal-expenses uninsured-loss, breakdown and key "
        "cover claims do not affect NCD (NCD-2)"))


class BoxReturnIn(RequestBody):
    returned_on: Day


class PolicyPatchIn(RequestBody):
    auto_renew: bool
    version: int | None = Field(default=None, description="The version you read; a stale one gets 409")
    reason: str = Field(default="", max_length=500,
                        description="Why automatic renewal is switched, recorded in the policy's history (POL-1)")


class CustomerIn(RequestBody):
    name: Text
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)]
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=8)]
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ]{7,20}$")] | None = None
    date_of_birth: Day | None = None


class ConsentIn(RequestBody):
    channel: Literal["mail", "email", "phone", "sms"]
    purpose: Literal["marketing", "partner_offers", "feedback"] = "marketing"
    granted: bool
    wording: Annotated[str, MultiLine, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)] = Field(
        description="Exactly what the person was shown or told")
    source: Literal["web", "app", "phone", "paper", "dealership", "api"] = "web"
