"""Products on sale, as their versioned data says (PRD-1)."""

from __future__ import annotations

from datetime import date

from covernote.platform.context import AppContext
from covernote.products.domain.model import Extra, Product
from covernote.products.results import ExtraView, ProductView


def list_products(ctx: AppContext, on: date | None = None) -> list[ProductView]:
    day = on or ctx.today()
    return [product_view(p, str(ctx.catalogue.tax.rate(p.ipt, day))) for p in ctx.catalogue.current(day)]


def get_product(ctx: AppContext, code: str, on: date | None = None) -> ProductView:
    day = on or ctx.today()
    p = ctx.catalogue.in_force(code.upper(), day)
    view = product_view(p, str(ctx.catalogue.tax.rate(p.ipt, day)))
    view["versions"] = [{"version": v.version, "effective_from": v.effective_from.isoformat(),
                         "effective_to": v.effective_to.isoformat() if v.effective_to else None}
                        for v in ctx.catalogue.versions(code.upper())]
    return view


def product_view(p: Product, ipt_rate: str | None = None) -> ProductView:
    return {
        "code": p.code, "version": p.version, "ref": p.ref, "name": p.name, "line": p.line, "source": p.source,
        "insurer": p.insurer, "effective_from": p.effective_from.isoformat(),
        "effective_to": p.effective_to.isoformat() if p.effective_to else None,
        "ipt_treatment": p.ipt, "ipt_rate": ipt_rate, "telematics": p.telematics,
        "terms": [{"unit": t.unit, "length": t.length} for t in p.terms],
        "covers": [{"code": c.code, "name": c.name, "description": c.description} for c in p.covers],
        "extras": [extra_view(e) for e in p.extras],
        "fees": [{"code": f.code, "name": f.name, "amount": f.amount.to_str(), "charged_on": f.charged_on,
                  "instead_of": list(f.instead_of), "refundable_within_cooling_off": f.refundable_within_cooling_off,
                  "box_return_refund_percent": str(f.box_return_refund_percent)} for f in p.fees],
        "questions": [{"name": q.name, "kind": q.kind, "choices": list(q.choices),
                       "minimum": None if q.minimum is None else str(q.minimum),
                       "maximum": None if q.maximum is None else str(q.maximum), "default": q.default}
                      for q in p.questions],
        "cancellation": {"cooling_off_days": p.cancellation.cooling_off_days,
                         "insurer_notice_days": p.cancellation.insurer_notice_days,
                         "no_refund_if": list(p.cancellation.no_refund_if),
                         "no_refund_within_cooling_off_if": list(p.cancellation.no_refund_rules(True)),
                         "box_return_days": p.cancellation.box_return_days,
                         "short_period_applies_before": p.cancellation.short_period.applies_before.isoformat()
                         if p.cancellation.short_period else None},
        "renewal": {"renewable": p.renewal.renewable, "invitation_days_before": p.renewal.invitation_days_before,
                    "auto_renew_default": p.renewal.auto_renew_default},
        "rating_table_version": p.rating.table_version,
    }


def extra_view(e: Extra) -> ExtraView:
    """An optional extra as the product offers it (ADD-1): provider, insurer, prices, IPT treatment,
    commission (PAY-7), documents and, for NCD protection, who may buy it (NCD-3)."""
    rule = e.ncd_protection
    return {"code": e.code, "name": e.name, "provider": e.provider, "insurer": e.insurer,
            "annual_price": e.annual_price.to_str(), "prices_by_term": {k: v.to_str() for k, v in e.prices_by_term.items()},
            "ipt": e.ipt, "commission_percent": str(e.commission_percent),
            "commission_per_sale": e.commission_per_sale.to_str(),
            "documents": [{"name": d.name, "reference": d.reference} for d in e.documents],
            "claim_types": list(e.claim_types),
            "ncd_protection": None if rule is None else {
                "min_years": rule.min_years, "max_claims": rule.max_claims, "window_years": rule.window_years,
                "claims_question": rule.claims_question}}
