"""JSON-ready views of carbon offset figures (ECO-1), for the quote and policy responses and the carbon
resources. Pure: computed from the product and the recorded risk, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from covernote.carbon.domain import (
    FORMULA,
    ROUNDING,
    Emission,
    NoMileage,
    Stretch,
    YearOffset,
    emission_for,
    year_offset,
)
from covernote.carbon.results import (
    CarbonSummary,
    EmissionView,
    PolicyCarbon,
    QuoteCarbon,
    StretchView,
    YearView,
)
from covernote.policy.domain.codec import risk_from_dict
from covernote.policy.domain.model import Quote
from covernote.policy.domain.risk import Risk
from covernote.policy.domain.term import TermState
from covernote.products.domain.carbon_spec import CarbonOffsetSpec
from covernote.products.domain.catalogue import Catalogue

ESTIMATE_NOTE = "estimated: the vehicle record has no CO2 figure, so g/km comes from the product's estimate table"


def emission_view(e: Emission) -> EmissionView:
    return {
        "estimated_annual_co2_tonnes": f"{e.annual_co2:f}",
        "estimated": e.estimated,
        "gkm": e.gkm, "gkm_source": e.gkm_source,
        "estimate_row": e.estimate_row, "estimate_basis": e.estimate_basis,
        "annual_mileage": e.annual_miles,
        "offset_percent": str(e.offset_percent),
        "annual_offset_tonnes": f"{e.annual_offset:f}",
        "working": e.working(),
    }


def stretch_view(s: Stretch, with_car: bool = True) -> StretchView:
    v = s.risk.vehicle
    e = emission_view(s.emission)
    out: StretchView = {"from": s.period.start.isoformat(), "to": s.period.end.isoformat(),
                        "days_on_cover": s.days_on_cover,
                        # the stretch as planned runs to `to`; a cancellation ends its cover earlier
                        "on_cover_until": s.on_cover_until.isoformat() if s.on_cover_until else None,
                        **e, "year_share_tonnes": f"{s.share.quantize(Decimal('0.000001')):f}"}
    # (the response model puts `vehicle` after `on_cover_until`, where it always was on the wire)
    if with_car:
        out["vehicle"] = {"registration": v.registration, "make": v.make, "model": v.model, "fuel": v.fuel,
                          "engine_cc": v.engine_cc, "co2_gkm": v.co2_gkm}
    return out


def year_view(y: YearOffset, with_car: bool = True) -> YearView:
    """The policy year's offset as it stands, with each stretch's inputs and the split."""
    return {
        "from": y.period.start.isoformat(), "to": y.period.end.isoformat(), "cover_ends": y.cover_end.isoformat(),
        "days_in_year": y.period.days, "product": y.product_ref,
        "offset_tonnes": f"{y.tonnes:f}", "cost": y.cost.to_str(), "price_per_tonne": y.price_per_tonne.to_str(),
        "estimated": y.estimated,
        "projects": [{"code": p.code, "name": p.name, "country": p.country, "share_percent": str(p.share_percent),
                      "tonnes": f"{Decimal(p.kg) / 1000:.3f}", "cost": p.cost.to_str()} for p in y.projects],
        "stretches": [stretch_view(s, with_car) for s in y.stretches],
        "formula": FORMULA, "rounding": ROUNDING,
    }


def _summary(spec: CarbonOffsetSpec, year: YearOffset, now: Emission) -> CarbonSummary:
    out: CarbonSummary = {
        **emission_view(now),
        "policy_year_offset_tonnes": f"{year.tonnes:f}",
        "policy_year_estimated": year.estimated,
        "projects": [{"code": p.code, "name": p.name, "country": p.country, "share_percent": str(p.share_percent),
                      "tonnes": f"{Decimal(p.kg) / 1000:.3f}"} for p in year.projects],
        "formula": FORMULA,
    }
    if now.estimated:
        out["note"] = ESTIMATE_NOTE
    return out


def quote_carbon(catalogue: Catalogue, q: Quote) -> QuoteCarbon:
    """`{"carbon": ...}` for a quote of a product that offsets (ECO-1), else `{}`: the estimated annual CO2
    of the quoted car and mileage, and the offset the policy year would buy."""
    product = catalogue.by_ref(q.product_ref)
    spec = product.carbon_offset
    risk = _risk(q.risk_details)
    if spec is None or risk is None:
        return {}
    term = TermState(1, q.period, q.product_ref, risk, q.ipt_rate, False, q.period.start, q.period.start)
    try:
        return {"carbon": _summary(spec, year_offset(spec, term), emission_for(spec, risk))}
    except NoMileage:  # the quote's answers were erased
        return {}


def policy_carbon(catalogue: Catalogue, term: TermState | None, today: date) -> PolicyCarbon:
    """`{"carbon": ...}` for a policy term of a product that offsets, else `{}`: the car on cover today
    (or the year's last stretch) and the policy year's offset as it stands."""
    if term is None:
        return {}
    spec = catalogue.by_ref(term.product_ref).carbon_offset
    if spec is None:
        return {}
    year = year_offset(spec, term)
    now = next((s for s in year.stretches if s.period.contains(today)), year.stretches[-1])
    return {"carbon": {"policy_year": term.term_no, **_summary(spec, year, now.emission)}}


def _risk(details: dict[str, Any]) -> Risk | None:
    """The quote's risk, or None where its personal data has been erased (nothing left to compute from)."""
    try:
        return risk_from_dict(details)
    except (KeyError, TypeError, ValueError):
        return None
