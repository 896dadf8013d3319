"""The data map (PRV-1): every stored field of personal data, whose it is, its category, purposes and
lawful bases, who provided it and how it is erased, generated from the declarations."""

from __future__ import annotations

import io
from typing import Any

from covernote.identity.usecases import Principal, require_staff
from covernote.kernel import csv_cells
from covernote.kernel.declarations import PURPOSES, DeclaredField, PersonalData
from covernote.kernel.errors import ServiceUnavailable
from covernote.platform.context import AppContext
from covernote.privacy.usecases.results import DataMap

CSV_COLUMNS = ("field", "personal", "subject", "category", "special_category", "purposes", "lawful_bases",
               "provided_by", "erasure", "note_or_reason")


def declared_fields(ctx: AppContext) -> list[DeclaredField]:
    """Every stored field with its declaration; ServiceUnavailable when any field lacks one."""
    if ctx.inventory is None:
        raise ServiceUnavailable("no data inventory is configured")
    missing = ctx.inventory.undeclared()
    if missing:
        raise ServiceUnavailable(f"fields without a privacy declaration: {', '.join(missing)}")
    return ctx.inventory.fields()


def data_map(ctx: AppContext, principal: Principal, include_not_personal: bool = False) -> DataMap:
    """The data map as JSON: the fields, and a summary by data subject and category."""
    require_staff(principal, "read the data map")
    fields = declared_fields(ctx)
    personal = [f for f in fields if isinstance(f.declaration, PersonalData)]
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for f in personal:
        d = f.declaration
        assert isinstance(d, PersonalData)
        entry = summary.setdefault(d.subject.value, {}).setdefault(
            d.category.value, {"fields": 0, "purposes": set(), "lawful_bases": set(), "provided_by": set()})
        entry["fields"] += 1
        entry["purposes"].update(d.purposes)
        entry["lawful_bases"].update(PURPOSES[p].basis.value for p in d.purposes)
        entry["provided_by"].add(d.provided_by.value)
    answer: DataMap = {
        "generated_at": ctx.clock.now().isoformat(),
        "purposes": {p.code: {"description": p.description, "lawful_basis": p.basis.value} for p in PURPOSES.values()},
        "summary": {s: {c: {"fields": e["fields"], "purposes": sorted(e["purposes"]),
                            "lawful_bases": sorted(e["lawful_bases"]), "provided_by": sorted(e["provided_by"])}
                        for c, e in sorted(cats.items())} for s, cats in sorted(summary.items())},
        "fields": [f.as_dict() for f in (fields if include_not_personal else personal)],
        "counts": {"fields": len(fields), "personal": len(personal)},
    }
    return answer


def data_map_csv(ctx: AppContext, principal: Principal, include_not_personal: bool = False) -> str:
    """The same fields as CSV, one row per field."""
    require_staff(principal, "read the data map")
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(CSV_COLUMNS)
    for f in declared_fields(ctx):
        row = f.as_dict()
        if not row["personal"]:
            if include_not_personal:
                writer.writerow([row["field"], "no", "", "", "", "", "", "", "", row["reason"]])
            continue
        writer.writerow([row["field"], "yes", row["subject"], row["category"], "yes" if row["special_category"] else "no",
                         ";".join(p["purpose"] for p in row["purposes"]),
                         ";".join(sorted({p["lawful_basis"] for p in row["purposes"]})),
                         row["provided_by"], row["erasure"], row["note"]])
    return out.getvalue()
