"""Products on sale, as their versioned data says (PRD-1)."""

from __future__ import annotations

from datetime import date

from covernote.platform.context import AppContext
from covernote.policy.usecases.views import product_view
from covernote.products.results import ProductView


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
