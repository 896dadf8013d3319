"""Plain JSON-ready forms of policy values, for storage and for responses. Pure functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from covernote.kernel.money import Money
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.rating import RatingResult
from covernote.policy.domain.risk import Change, Driver, Risk, Vehicle
from covernote.policy.domain.term import Adjustment


def vehicle_to_dict(v: Vehicle) -> dict[str, Any]:
    return {"registration": v.registration, "make": v.make, "model": v.model, "year": v.year,
            "value": v.value.to_str(), "abi_group": v.abi_group, "fuel": v.fuel, "engine_cc": v.engine_cc,
            "co2_gkm": v.co2_gkm, "vin": v.vin, "mileage": v.mileage}


def vehicle_from_dict(d: dict[str, Any]) -> Vehicle:
    return Vehicle(d["registration"], d["make"], d["model"], int(d["year"]), Money.of(str(d["value"])),
                   d.get("abi_group"), d.get("fuel"), d.get("engine_cc"), d.get("co2_gkm"), d.get("vin"),
                   d.get("mileage"))


def driver_to_dict(d: Driver) -> dict[str, Any]:
    return {"driver_id": d.driver_id, "name": d.name, "date_of_birth": d.date_of_birth.isoformat(),
            "licence_held_since": d.licence_held_since.isoformat(), "relationship": d.relationship}


def driver_from_dict(d: dict[str, Any]) -> Driver:
    return Driver(d["driver_id"], d["name"], date.fromisoformat(d["date_of_birth"]),
                  date.fromisoformat(d["licence_held_since"]), d.get("relationship", "proposer"))


def risk_to_dict(r: Risk) -> dict[str, Any]:
    return {"vehicle": vehicle_to_dict(r.vehicle), "drivers": [driver_to_dict(d) for d in r.drivers],
            "postcode": r.postcode, "answers": dict(r.answers)}


def risk_from_dict(d: dict[str, Any]) -> Risk:
    return Risk(vehicle_from_dict(d["vehicle"]), tuple(driver_from_dict(x) for x in d.get("drivers", [])),
                d["postcode"], tuple(sorted((k, str(v)) for k, v in d.get("answers", {}).items())))


def change_to_dict(c: Change) -> dict[str, Any]:
    out: dict[str, Any] = {"op": c.op}
    if c.vehicle is not None:
        out["vehicle"] = vehicle_to_dict(c.vehicle)
    if c.driver is not None:
        out["driver"] = driver_to_dict(c.driver)
    for key in ("driver_id", "question", "value", "postcode"):
        if getattr(c, key) is not None:
            out[key] = getattr(c, key)
    return out


def change_from_dict(d: dict[str, Any]) -> Change:
    return Change(d["op"], vehicle_from_dict(d["vehicle"]) if "vehicle" in d else None,
                  driver_from_dict(d["driver"]) if "driver" in d else None, d.get("driver_id"),
                  d.get("question"), d.get("value"), d.get("postcode"))


def adjustment_to_dict(a: Adjustment) -> dict[str, Any]:
    return {"sequence": a.sequence, "effective": a.effective.isoformat(),
            "until": a.until.isoformat() if a.until else None, "changes": [change_to_dict(c) for c in a.changes],
            "transaction_id": a.transaction_id}


def adjustment_from_dict(d: dict[str, Any]) -> Adjustment:
    return Adjustment(int(d["sequence"]), date.fromisoformat(d["effective"]),
                      date.fromisoformat(d["until"]) if d.get("until") else None,
                      tuple(change_from_dict(c) for c in d["changes"]), d.get("transaction_id", ""))


def fee_line_to_dict(f: FeeLine) -> dict[str, Any]:
    return {"code": f.code, "name": f.name, "amount": f.amount.to_str(), "term_no": f.term_no,
            "charged_on": f.charged_on.isoformat(), "transaction_id": f.transaction_id,
            "refundable_within_cooling_off": f.refundable_within_cooling_off,
            "box_return_refund_percent": str(f.box_return_refund_percent)}


def fee_line_from_dict(d: dict[str, Any]) -> FeeLine:
    return FeeLine(d["code"], d["name"], Money.of(d["amount"]), int(d["term_no"]), date.fromisoformat(d["charged_on"]),
                   d["transaction_id"], bool(d["refundable_within_cooling_off"]), Decimal(d["box_return_refund_percent"]))


def event_to_dict(e: RecordedEvent) -> dict[str, Any]:
    return {"kind": e.kind, "occurred_on": e.occurred_on.isoformat(), "total_loss": e.total_loss, "reference": e.reference,
            "claim_type": e.claim_type}


def event_from_dict(d: dict[str, Any]) -> RecordedEvent:
    return RecordedEvent(d["kind"], date.fromisoformat(d["occurred_on"]), bool(d.get("total_loss")), d.get("reference", ""),
                         d.get("claim_type") or "other")


def rating_to_dict(r: RatingResult) -> dict[str, Any]:
    return {"product": r.product_ref, "table_version": r.table_version, "rated_on": r.rated_on.isoformat(),
            "standard_premium": r.standard_premium.to_str(), "premium": r.premium.to_str(),
            "ncd_years": r.ncd_years, "ncd_discount_percent": str(r.ncd_discount_percent), "trace": r.trace_dicts()}
