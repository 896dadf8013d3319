"""The record of processing per product (PRV-1): for each product, the categories of personal data it
processes, the purposes and the lawful basis of each, the recipients, and the retention.

It is generated, never written by hand: the fields come from the declarations on every stored field
(the data map, `ctx.inventory`), restricted to the categories the product's notice says it collects;
the purposes, bases and recipients in the notice's own words, and the retention schedule, come from the
product file (`processing:` and `retention:`); the periods dealerships chose come from the database.
Exported as JSON and as CSV (one row per statement).
"""

from __future__ import annotations

import io

from covernote.identity.usecases import Principal, require_staff
from covernote.kernel import csv_cells
from covernote.kernel.declarations import PURPOSES, SPECIAL_CATEGORIES, DeclaredField, PersonalData, Subject
from covernote.kernel.errors import FieldIssue, NotFound, ServiceUnavailable, ValidationFailed
from covernote.kernel.retention import RECORD_CATEGORIES, s0_period
from covernote.platform.context import AppContext
from covernote.privacy.usecases.data_map import declared_fields
from covernote.privacy.usecases.results_retention import (
    DataMapPurposeUse,
    DealershipChoice,
    ProductRecord,
    PurposeRef,
    RecordCategory,
    RecordOfProcessing,
    RecordPurpose,
    RecordRetention,
    RetentionTableRow,
)
from covernote.privacy.usecases.retention import SWEPT, dealership_periods
from covernote.products.domain.model import Product

CSV_COLUMNS = ("product", "version", "section", "item", "detail", "lawful_basis", "period", "action", "source")



def _products(ctx: AppContext, code: str | None) -> list[Product]:
    """The version of each product in force today (else its newest), or of the one asked for: a code
    (ECO) or a version reference (ECO@2024.1)."""
    today = ctx.today()
    if code is not None and "@" in code:
        return [ctx.catalogue.by_ref(code)]
    codes = ctx.catalogue.codes()
    if code is not None:
        if code.upper() not in codes:
            raise NotFound(f"no product {code!r}", [FieldIssue("product", f"use one of {', '.join(codes)}")])
        codes = [code.upper()]
    out = []
    for c in codes:
        versions = ctx.catalogue.versions(c)
        out.append(next((p for p in versions if p.effective_on(today)), versions[-1]))
    return out


def _purpose(code: str) -> PurposeRef:
    p = PURPOSES[code]
    return {"code": p.code, "description": p.description, "lawful_basis": p.basis.value}


def product_record(product: Product, fields: list[DeclaredField], settings: list[DealershipChoice]) -> ProductRecord:
    """The record of one product version: its notice's statements joined with the declared fields."""
    statement = product.processing
    if statement is None:  # the loader requires it; a product built in code may lack it
        raise ServiceUnavailable(f"product {product.ref} states nothing about processing (processing: in its file)")
    collected = {c.category for c in statement.categories}
    # Named drivers' fields only where the product has named drivers (a warranty has none).
    mine = [f for f in fields if isinstance(f.declaration, PersonalData) and f.declaration.category.value in collected
            and not (product.max_drivers == 0 and f.declaration.subject is Subject.NAMED_DRIVER)]
    categories: list[RecordCategory] = []
    for c in statement.categories:
        held = [f for f in mine if isinstance(f.declaration, PersonalData) and f.declaration.category.value == c.category]
        categories.append({
            "category": c.category, "stated": c.stated,
            "special_category": c.category in {s.value for s in SPECIAL_CATEGORIES},
            "held": bool(held),
            "note": "" if held else "no field of this category is stored by Covernote yet",
            "subjects": sorted({f.declaration.subject.value for f in held if isinstance(f.declaration, PersonalData)}),
            "fields": [{"field": f.location, "subject": f.declaration.subject.value,
                        "purposes": list(f.declaration.purposes), "provided_by": f.declaration.provided_by.value,
                        "erasure": f.declaration.erasure.value}
                       for f in held if isinstance(f.declaration, PersonalData)],
        })
    used: dict[str, set[str]] = {}
    for f in mine:
        assert isinstance(f.declaration, PersonalData)
        for p in f.declaration.purposes:
            used.setdefault(p, set()).add(f.declaration.category.value)
    purposes: list[RecordPurpose] = [{
        "statement": p.statement, "lawful_basis": p.basis, "basis_stated": p.basis_stated, "source": p.source,
        "covernote_purpose": _purpose(p.purpose) if p.purpose else None,
        "categories": sorted(used.get(p.purpose, set())) if p.purpose else [],
        "note": "" if p.purpose else "stated in the notice; Covernote processes no data for it",
    } for p in statement.purposes]
    data_map_purposes: list[DataMapPurposeUse] = [{**_purpose(code), "categories": sorted(cats)} for code, cats in sorted(used.items())]
    retention: list[RecordRetention] = [{
        "category": r.category, "records": RECORD_CATEGORIES[r.category].description if r.category in RECORD_CATEGORIES
        else r.category, "trigger": r.trigger, "period": r.describe(), "action": r.action,
        "held": r.category in SWEPT, "source": r.source,
    } for r in product.retention.rules]
    out: ProductRecord = {
        "product": {"code": product.code, "version": product.version, "ref": product.ref, "name": product.name,
                    "line": product.line, "source": product.source, "insurer": product.insurer},
        "controller": statement.controller, "notice": statement.notice,
        "categories": categories, "purposes": purposes, "data_map_purposes": data_map_purposes,
        "recipients": [{"recipient": r.name, "kind": r.kind, "source": r.source} for r in statement.recipients],
        "retention": retention,
    }
    if product.retention.subscriptions:
        policy = product.retention.rule("policy")
        table: list[RetentionTableRow] = ([{"product": statement.product_name or product.name, "retention_period": s0_period(policy),
                   "rule": policy.describe(), "source": policy.source}] if policy else [])
        table += [{"product": s.category, "retention_period": s0_period(s), "rule": s.describe(), "source": s.source}
                  for s in product.retention.subscriptions]
        out["retention_table"] = table
        own = {s.category for s in product.retention.subscriptions}
        out["dealership_settings"] = [s for s in settings if s["category"] in own]
    return out


def record_of_processing(ctx: AppContext, principal: Principal, product: str | None = None) -> RecordOfProcessing:
    """The record of processing of one product (by code or version reference) or of every product."""
    require_staff(principal, "read the record of processing")
    fields = [f for f in declared_fields(ctx) if isinstance(f.declaration, PersonalData)]
    products = _products(ctx, product)
    periods = dealership_periods(ctx)
    with ctx.uow(read_only=True) as uow:
        settings = uow.retention.settings()
    chosen: list[DealershipChoice] = []
    for s in settings:
        entry = periods.get(s.category)
        rule = entry[1].resolve(s.years) if entry and entry[1].floor_years <= s.years <= entry[1].ceiling_years \
            else None
        chosen.append({"dealership_id": s.dealership_id, "category": s.category, "years": s.years,
                       "rule": rule.describe() if rule else None})
    return {"generated_at": ctx.clock.now().isoformat(),
            "products": [product_record(p, fields, chosen) for p in products]}


def record_of_processing_csv(ctx: AppContext, principal: Principal, product: str | None = None) -> str:
    """The same record as CSV, one row per statement: category, purpose, recipient, retention rule, row of
    the provider's retention table, dealership setting."""
    data = record_of_processing(ctx, principal, product)
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(CSV_COLUMNS)
    for rec in data["products"]:
        code, version = rec["product"]["code"], rec["product"]["version"]

        def row(section: str, item: str, detail: str = "", basis: str = "", period: str = "", action: str = "",
                source: str = "", code: str = code, version: str = version) -> None:
            writer.writerow([code, version, section, item, detail, basis, period, action, source])

        for c in rec["categories"]:
            bases = sorted({PURPOSES[p].basis.value for f in c["fields"] for p in f["purposes"]})
            row("category", c["category"], ";".join(f["field"] for f in c["fields"]) or c["note"], ";".join(bases),
                source=c["stated"])
        for p in rec["purposes"]:
            row("purpose", p["statement"], p["covernote_purpose"]["code"] if p["covernote_purpose"] else p["note"],
                p["lawful_basis"], source=f"{p['source']}{': ' + p['basis_stated'] if p['basis_stated'] else ''}")
        for r in rec["recipients"]:
            row("recipient", r["recipient"], r["kind"], source=r["source"])
        for k in rec["retention"]:
            row("retention", k["category"], k["trigger"], period=k["period"], action=k["action"], source=k["source"])
        for t in rec.get("retention_table", []):
            row("retention_table", t["product"], t["rule"], period=t["retention_period"], source=t["source"])
        for s in rec.get("dealership_settings", []):
            row("dealership_setting", f"{s['dealership_id']}/{s['category']}", f"{s['years']} years",
                period=s["rule"] or "")
    return out.getvalue()


def check_format(fmt: str) -> str:
    if fmt not in ("json", "csv"):
        raise ValidationFailed("unknown export format", [FieldIssue("format", "use json or csv")])
    return fmt
