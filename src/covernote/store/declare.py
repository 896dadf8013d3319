"""Privacy declarations for the stored fields (PRV-1, PRV-9): short constructors and the declarations
of structured (JSON) fields shared by several tables. tables.py puts one on every column."""

from __future__ import annotations

from typing import Any

from covernote.kernel.declarations import (
    Category,
    Erasure,
    NotPersonal,
    PersonalData,
    PersonalInside,
    ProvidedBy,
    Subject,
)

C, ND, U = Subject.CUSTOMER, Subject.NAMED_DRIVER, Subject.USER
QUOTE_AND_POLICY = ("quotation", "policy_administration", "pricing", "fraud_prevention")
MID = ("policy_administration", "regulatory_reporting", "fraud_prevention")


def pd(subject: Subject, category: Category, purposes: tuple[str, ...], provided: ProvidedBy, erasure: Erasure,
       note: str = "") -> dict[str, Any]:
    return {"privacy": PersonalData(subject, category, purposes, provided, erasure, note)}


def np(reason: str) -> dict[str, Any]:
    return {"privacy": NotPersonal(reason)}


def inside(paths: dict[str, PersonalData], note: str = "") -> dict[str, Any]:
    return {"privacy": PersonalInside(paths, note)}


def _p(subject: Subject, category: Category, purposes: tuple[str, ...], provided: ProvidedBy = ProvidedBy.DATA_SUBJECT,
       note: str = "") -> PersonalData:
    return PersonalData(subject, category, purposes, provided, Erasure.NULL, note)


ID = np("a random identifier: personal only through the fields linked to it, which are declared")
REF = np("a reference to another record's random identifier")
WHEN = np("when the record was written (system time)")
AMOUNT = np("an amount or rate; personal only through the policy it belongs to, which is declared")

VEHICLE_PATHS: dict[str, PersonalData] = {
    "registration": _p(C, Category.VEHICLE, MID, note="sent to the Motor Insurance Database (S1 section 11)"),
    "vin": _p(C, Category.VEHICLE, MID),
    "make": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "model": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "year": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "value": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "abi_group": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "fuel": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "engine_cc": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "co2_gkm": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
    "mileage": _p(C, Category.VEHICLE, QUOTE_AND_POLICY),
}
DRIVER_PATHS: dict[str, PersonalData] = {
    "driver_id": _p(ND, Category.IDENTITY, QUOTE_AND_POLICY, ProvidedBy.POLICYHOLDER,
                    "a label the customer or the system gave the driver"),
    "name": _p(ND, Category.IDENTITY, (*QUOTE_AND_POLICY, "regulatory_reporting"), ProvidedBy.POLICYHOLDER,
               "the first driver is usually the policyholder; others are entered by them (PRV-9)"),
    "date_of_birth": _p(ND, Category.IDENTITY, QUOTE_AND_POLICY, ProvidedBy.POLICYHOLDER),
    "licence_held_since": _p(ND, Category.DRIVING_LICENCE, QUOTE_AND_POLICY, ProvidedBy.POLICYHOLDER),
    "relationship": _p(ND, Category.IDENTITY, QUOTE_AND_POLICY, ProvidedBy.POLICYHOLDER),
}


def risk_paths(prefix: str) -> dict[str, PersonalData]:
    """The personal data inside a stored risk, under `prefix` (e.g. 'risk.' or 'versions[].risk.')."""
    out = {f"{prefix}vehicle.{k}": v for k, v in VEHICLE_PATHS.items()}
    out.update({f"{prefix}drivers[].{k}": v for k, v in DRIVER_PATHS.items()})
    out[f"{prefix}postcode"] = _p(C, Category.CONTACT, QUOTE_AND_POLICY, note="where the car is kept")
    out[f"{prefix}answers.*"] = _p(C, Category.CONTRACT, QUOTE_AND_POLICY,
                                   note="the product's questions: use, mileage, no-claims years, excess, plan")
    return out


def change_paths(prefix: str) -> dict[str, PersonalData]:
    out = {f"{prefix}vehicle.{k}": v for k, v in VEHICLE_PATHS.items()}
    out.update({f"{prefix}driver.{k}": v for k, v in DRIVER_PATHS.items()})
    out[f"{prefix}driver_id"] = DRIVER_PATHS["driver_id"]
    out[f"{prefix}postcode"] = _p(C, Category.CONTACT, QUOTE_AND_POLICY)
    out[f"{prefix}value"] = _p(C, Category.CONTRACT, QUOTE_AND_POLICY, note="a new answer to a product question")
    return out


RATING_PATHS = {"trace[].value": _p(C, Category.CONTRACT, ("quotation", "pricing"), ProvidedBy.GENERATED,
                                    "rating inputs derived from the risk (age, postcode area, mileage)")}


CHANGE_DESCRIPTIONS = {"changes[]": _p(C, Category.CONTRACT, ("policy_administration",), ProvidedBy.GENERATED,
                                       "a description of each change, naming drivers and registrations")}
