"""Carbon offsetting for eco policies (ECO-1): recording each policy year's offset as the policy changes,
the customer's yearly statement and the insurer's portfolio report.

`record_offset` runs (carbon/usecases/handlers.py, on PolicyTransactionRecorded) for binding, renewal,
adjustment and cancellation, in their unit of work, once their transaction is on the policy: it records the difference between the policy year's offset as it now
stands and what was recorded for the year before (a purchase for a new year; a top-up or reduction for a
change of car or mileage, or a cancellation), per project. Nothing recorded is ever changed.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from typing import Any

from covernote.carbon.domain import FORMULA, ROUNDING, basis_of, movement, tonnes_str, year_offset
from covernote.carbon.ports import OffsetLine, OffsetRecord, PortfolioTotals
from covernote.carbon.results import (
    CarbonPortfolio,
    CarbonStatement,
    OffsetRecordView,
    PolicyOffsets,
    RecordProject,
    YearSummary,
)
from covernote.carbon.usecases.views import ESTIMATE_NOTE, policy_carbon, year_view
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel import csv_cells
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import FieldIssue, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, PolicyTransaction, is_anonymised
from covernote.policy.domain.term import TermState
from covernote.policy.usecases.lookup import find_policy

# The changes of an adjustment that can change the offset: the car, or the declared annual mileage.
_OFFSET_CHANGES = ("replace_vehicle",)
_OFFSET_QUESTIONS = ("annual_mileage",)


def _touches_offset(term: TermState, txn: PolicyTransaction) -> bool:
    adjustment = next((a for a in term.adjustments if a.transaction_id == txn.transaction_id), None)
    return adjustment is not None and any(
        c.op in _OFFSET_CHANGES or (c.op == "set_answer" and c.question in _OFFSET_QUESTIONS)
        for c in adjustment.changes)


def record_offset(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction) -> OffsetRecord | None:
    """Record what `txn` (already on `policy.transactions`) does to its policy year's carbon offset, for a
    product that offsets; nothing for other products. A change that leaves the offset as it was is
    recorded only when it changed the car or the mileage (a recomputation with no change), or cancelled."""
    term = policy.term(txn.term_no)
    spec = ctx.catalogue.by_ref(term.product_ref).carbon_offset
    if spec is None:
        return None
    # A new policy has nothing recorded yet: no need to ask.
    recorded = {} if txn.kind == "new_business" else uow.carbon.recorded_by_project(policy.policy_id, term.term_no)
    year = year_offset(spec, term)
    mv = movement(year, recorded, first=not recorded)
    if mv.kind == "recomputed" and txn.kind == "mta" and not _touches_offset(term, txn):
        return None
    currency = year.cost.currency
    record = OffsetRecord(
        new_id("co2"), policy.policy_id, term.term_no, txn.transaction_id, mv.kind, txn.effective_date,
        ctx.clock.now(), term.product_ref, term.period.start, term.period.end, mv.kg, mv.cost_pence, year.kg,
        year.cost.pence, year.price_per_tonne.pence,
        currency, year.estimated, {**basis_of(spec, year), "transaction_kind": txn.kind},
        tuple(OffsetLine(p.code, p.name, p.country, str(p.share_percent), kg, pence) for p, kg, pence in mv.lines))
    uow.carbon.add(record)
    return record


# -- reading -------------------------------------------------------------------------------------------------


def _money(pence: int, currency: str) -> str:
    return Money.from_pence(pence, currency).to_str()


def record_view(r: OffsetRecord) -> OffsetRecordView:
    return {
        "id": r.record_id, "policy_year": r.term_no, "transaction_id": r.transaction_id, "kind": r.kind,
        "effective_date": r.effective_date.isoformat(), "recorded_at": r.recorded_at.isoformat(),
        "product": r.product_ref, "tonnes": tonnes_str(r.co2_kg), "cost": _money(r.cost_pence, r.currency),
        "year_tonnes_after": tonnes_str(r.year_co2_kg), "year_cost_after": _money(r.year_cost_pence, r.currency),
        "price_per_tonne": _money(r.price_pence_per_tonne, r.currency), "estimated": r.estimated,
        "projects": [{"code": x.project_code, "name": x.project_name, "country": x.country,
                      "share_percent": x.share_percent, "tonnes": tonnes_str(x.co2_kg),
                      "cost": _money(x.cost_pence, r.currency)} for x in r.lines],
        "basis": r.basis,
    }


def _offsets_policy(ctx: AppContext, policy: Policy, records: list[OffsetRecord]) -> None:
    """404 for a policy none of whose years was sold with carbon offsetting."""
    refs = {t.product_ref for t in policy.terms()} if not is_anonymised(policy) else set()
    if not records and not any(ctx.catalogue.by_ref(ref).carbon_offset for ref in refs):
        raise NotFound("this policy has no carbon offsetting: only eco policies offset their car's CO2",
                       [FieldIssue("policy_id", f"policy {policy.number} is a {policy.product_code} policy")])


def _recorded_projects(records: list[OffsetRecord]) -> list[RecordProject]:
    """Each project's tonnes and cost over the records, in the product's order."""
    totals: dict[str, list[Any]] = {}
    for r in records:
        for x in r.lines:
            row = totals.setdefault(x.project_code, [x.project_name, x.country, x.share_percent, 0, 0, r.currency])
            row[3] += x.co2_kg
            row[4] += x.cost_pence
    return [{"code": code, "name": name, "country": country, "share_percent": share, "tonnes": tonnes_str(kg),
             "cost": _money(pence, cur)} for code, (name, country, share, kg, pence, cur) in totals.items()]


def _year_summary(records: list[OffsetRecord]) -> YearSummary:
    last = records[-1] if records else None
    return {
        "offset_tonnes": tonnes_str(last.year_co2_kg) if last else "0.000",
        "cost": _money(last.year_cost_pence, last.currency) if last else "0.00",
        "estimated": any(r.estimated for r in records),
        "projects": _recorded_projects(records),
        "records": [record_view(r) for r in records],
    }


def policy_offsets(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyOffsets:
    """The policy's carbon offset: the current year's figures as they stand (the car on cover, its
    estimated annual CO2, the offset) and every record of every policy year. Customers see their own."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        records = uow.carbon.for_policy(policy.policy_id)
    _offsets_policy(ctx, policy, records)
    anonymised = is_anonymised(policy)
    current = None if anonymised else policy_carbon(ctx.catalogue, policy.term(), ctx.today()).get("carbon")
    by_year: dict[int, list[OffsetRecord]] = {}
    for r in records:
        by_year.setdefault(r.term_no, []).append(r)
    return {
        "policy_id": policy.policy_id, "number": policy.number, "product_code": policy.product_code,
        "current": current,
        "years": [{"policy_year": n, "from": rs[0].term_start.isoformat(), "to": rs[0].term_end.isoformat(),
                   **_year_summary(rs)} for n, rs in sorted(by_year.items())],
    }


def _pick_year(policy: Policy, records: list[OffsetRecord], year: int | None, today: date) -> tuple[int, date, date]:
    """(policy year, start, end): the one asked for, or the latest that has begun (else the first)."""
    if is_anonymised(policy):
        spans = sorted({(r.term_no, r.term_start, r.term_end) for r in records})
    else:
        spans = [(t.term_no, t.period.start, t.period.end) for t in policy.terms()]
    if not spans:
        raise NotFound("the policy has no policy year to report on")
    if year is None:
        begun = [s for s in spans if s[1] <= today]
        return begun[-1] if begun else spans[0]
    for s in spans:
        if s[0] == year:
            return s
    raise ValidationFailed("no such policy year", [FieldIssue(
        "year", f"policy {policy.number} has policy years {spans[0][0]} to {spans[-1][0]}; got {year}")])


def statement(ctx: AppContext, principal: Principal, policy_id: str, year: int | None = None) -> CarbonStatement:
    """The customer's carbon statement for one policy year (ECO-1): tonnes offset per project, the cost,
    the car(s) and declared mileage the figures come from with g/km from the vehicle record or the estimate
    table (marked), the formula and rounding, every record of the year, and a check that what was recorded
    equals the year's figures recomputed from the policy. `year`: the policy year number (1 = the first);
    default the latest that has begun."""
    if year is not None and year < 1:
        raise ValidationFailed("no such policy year", [FieldIssue("year", "policy years are numbered from 1")])
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        all_records = uow.carbon.for_policy(policy.policy_id)
    _offsets_policy(ctx, policy, all_records)
    term_no, start, end = _pick_year(policy, all_records, year, today)
    records = [r for r in all_records if r.term_no == term_no]
    summary = _year_summary(records)
    out: CarbonStatement = {
        "policy_id": policy.policy_id, "number": policy.number, "product_code": policy.product_code,
        "policy_year": term_no, "from": start.isoformat(), "to": end.isoformat(), "prepared_on": today.isoformat(),
        "offset_tonnes": summary["offset_tonnes"], "cost": summary["cost"], "estimated": summary["estimated"],
        "projects": summary["projects"], "records": summary["records"],
        "formula": FORMULA, "rounding": ROUNDING,
        "figures": None, "check": None, "notes": [],
    }
    if is_anonymised(policy):
        out["notes"].append("The policy's records were anonymised under the retention schedule: the car and "
                            "mileage behind the figures are no longer held.")
        return out
    term = policy.term(term_no)
    spec = ctx.catalogue.by_ref(term.product_ref).carbon_offset
    if spec is not None:
        now = year_offset(spec, term)
        out["figures"] = year_view(now)
        recorded_kg = records[-1].year_co2_kg if records else None
        out["check"] = {"recorded_tonnes": None if recorded_kg is None else tonnes_str(recorded_kg),
                        "recomputed_tonnes": f"{now.tonnes:f}", "agree": recorded_kg == now.kg}
        out["estimated"] = out["estimated"] or now.estimated
        if not records:
            out["notes"].append("No offset has been recorded for this policy year yet.")
    if out["estimated"]:
        out["notes"].append(ESTIMATE_NOTE[0].upper() + ESTIMATE_NOTE[1:] + ".")
    return out


def statement_html(s: CarbonStatement) -> str:
    """The statement as a page to read or print (`carbon/templates/statement.html`, autoescaped; issue 14)."""
    return templating.render("covernote.carbon", "statement.html", **{**s, "figures": s.get("figures")})


# -- the insurer's portfolio -----------------------------------------------------------------------------


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def portfolio(ctx: AppContext, principal: Principal, start: date, end: date) -> CarbonPortfolio:
    """Staff: the carbon offsets recorded on London days from `start` up to but not including `end`:
    tonnes and cost per project (purchases less reductions), the number of policies and policy years
    concerned and how many of those years used an estimated g/km, and the records by kind."""
    require_staff(principal, "see the carbon offset portfolio")
    if end <= start:
        raise ValidationFailed("the period is empty", [FieldIssue("to", f"must be after from ({start}); the period "
                                                                        "is from `from` up to but not including `to`")])
    with ctx.uow(read_only=True) as uow:
        totals: PortfolioTotals = uow.carbon.portfolio(_instant(start), _instant(end))
    currency = totals.currencies[0] if totals.currencies else "GBP"
    # the products' own order of projects (forest, water, stoves...), then any no longer sold, by code
    order: dict[str, int] = {}
    for product in ctx.catalogue.products:
        for project in product.carbon_offset.projects if product.carbon_offset else ():
            order.setdefault(project.code, len(order))
    projects = sorted(totals.projects, key=lambda p: (order.get(p.project_code, len(order)), p.project_code))
    kg = sum(p.co2_kg for p in totals.projects)
    pence = sum(p.cost_pence for p in totals.projects)
    return {
        "from": start.isoformat(), "to": end.isoformat(),
        "period": "records made on London days from `from` up to but not including `to`",
        "currency": currency,
        "projects": [{"code": p.project_code, "name": p.project_name, "country": p.country,
                      "tonnes": tonnes_str(p.co2_kg), "cost": _money(p.cost_pence, currency), "policies": p.policies}
                     for p in projects],
        "totals": {"tonnes": tonnes_str(kg), "cost": _money(pence, currency), "policies": totals.policies,
                   "policy_years": totals.policy_years, "estimated_policy_years": totals.estimated_policy_years},
        "by_kind": [{"kind": k.kind, "records": k.records, "tonnes": tonnes_str(k.co2_kg),
                     "cost": _money(k.cost_pence, currency)} for k in totals.kinds],
        "estimates": "policy years with a record in the period whose g/km came from the estimate table",
    }


def portfolio_csv(report: CarbonPortfolio) -> str:
    """The report's projects, one row each, and a total row."""
    buf = io.StringIO()
    w = csv_cells.writer(buf)
    w.writerow(["from", "to", "project_code", "project", "country", "tonnes", "cost", "currency", "policies",
                "policy_years", "estimated_policy_years"])
    for p in report["projects"]:
        w.writerow([report["from"], report["to"], p["code"], p["name"], p["country"], p["tonnes"], p["cost"],
                    report["currency"], p["policies"], "", ""])
    t = report["totals"]
    w.writerow([report["from"], report["to"], "TOTAL", "all projects", "", t["tonnes"], t["cost"], report["currency"],
                t["policies"], t["policy_years"], t["estimated_policy_years"]])
    return buf.getvalue()
