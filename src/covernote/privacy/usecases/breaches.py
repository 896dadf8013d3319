"""The breach register (PRV-8; **UK** GDPR arts. 33 and 34).

A breach is recorded with when it happened (if known) and when the insurer became aware of it. The
people affected are found from the data map: every customer with a non-empty value in any stored field
whose declared category is among the breach's, optionally narrowed by product, by named customers and
by when the records were written. The report to the ICO is due 72 hours after awareness (art. 33(1)),
counted in elapsed hours (UTC), so a change of the clocks neither adds nor removes an hour. The data
protection officer (or an administrator) decides the risk: "unlikely" (no report; the reason is kept,
art. 33(5)), "risk" (report to the ICO) or "high" (report and tell the people affected, art. 34).

The DPO (or an administrator) closes a breach with a closing summary once nothing the law asks for is
outstanding: a decision is recorded, the report the decision calls for is made, and, for a high risk,
everyone affected is recorded as told. A closed breach is the record kept for the ICO (art. 33(5)) and
is not changed afterwards (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from covernote.identity.usecases import Principal, require_privacy_officer, require_staff
from covernote.kernel.declarations import Category, PersonalData
from covernote.kernel.errors import (
    Conflict,
    FieldIssue,
    IssueCollector,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.privacy.ports import Breach, BreachAffected
from covernote.privacy.usecases.results_registers import (
    AffectedPerson,
    BreachDetail,
    BreachList,
    BreachNotifications,
    BreachScope,
    BreachView,
    UnmappedField,
)

# **UK** GDPR art. 33(1): without undue delay and, where feasible, not later than 72 hours after awareness.
ICO_REPORT_HOURS = 72
RISKS: tuple[str, ...] = ("unlikely", "risk", "high")
CHANNELS: tuple[str, ...] = ("email", "post", "phone", "sms", "in_person", "app")
AFFECTED_PAGE = 500


# -- the arithmetic (pure) ----------------------------------------------------------------------------


def ico_due_at(aware_at: datetime) -> datetime:
    """72 elapsed hours after awareness, in UTC. Adding hours to a Europe/London time would add wall-clock
    hours (71 or 73 real ones across a change of the clocks); UTC has no such change."""
    return aware_at.astimezone(UTC) + timedelta(hours=ICO_REPORT_HOURS)


def ico_report_required(risk: str) -> bool | None:
    """True when the decision calls for a report, False when it does not, None while undecided."""
    return None if risk == "unassessed" else risk in ("risk", "high")


def is_overdue(b: Breach, now: datetime) -> bool:
    """No report yet, the deadline has passed, and the decision is not that none is needed (an unassessed
    breach past its deadline is overdue too)."""
    return b.ico_reported_at is None and b.risk != "unlikely" and now > ico_due_at(b.aware_at)


def hours_left(b: Breach, now: datetime) -> float | None:
    """Hours until the deadline (negative once past) while a report may still be needed; None otherwise."""
    if b.ico_reported_at is not None or b.risk == "unlikely":
        return None
    return round((ico_due_at(b.aware_at) - now).total_seconds() / 3600, 1)


def breach_view(b: Breach, now: datetime, affected: int, notified: int) -> BreachView:
    due = ico_due_at(b.aware_at)
    tell = b.risk == "high"
    return {
        "id": b.breach_id, "title": b.title, "description": b.description,
        "occurred_at": b.occurred_at.isoformat() if b.occurred_at else None, "aware_at": b.aware_at.isoformat(),
        "categories": list(b.categories), "scope": cast(BreachScope, b.scope),  # stored as record_breach built it
        "risk": b.risk, "risk_reason": b.risk_reason,
        "assessed_at": b.assessed_at.isoformat() if b.assessed_at else None, "assessed_by": b.assessed_by,
        "ico_due_at": due.isoformat(), "hours_left": hours_left(b, now),
        "ico_report_required": ico_report_required(b.risk),
        "ico_reported_at": b.ico_reported_at.isoformat() if b.ico_reported_at else None,
        "ico_reference": b.ico_reference,
        "reported_late": b.ico_reported_at is not None and b.ico_reported_at > due,
        "overdue": is_overdue(b, now),
        "must_tell_people": tell, "affected_count": affected, "notified_count": notified,
        "still_to_tell": affected - notified if tell else 0,
        "recorded_at": b.recorded_at.isoformat(), "recorded_by": b.recorded_by,
        "closed": b.closed_at is not None, "closed_at": b.closed_at.isoformat() if b.closed_at else None,
        "closed_by": b.closed_by, "closure_note": b.closure_note,
    }


def _affected_view(a: BreachAffected, tell: bool) -> AffectedPerson:
    return {"customer_id": a.customer_id, "found_via": list(a.found_via),
            "notified_at": a.notified_at.isoformat() if a.notified_at else None,
            "notified_channel": a.notified_channel, "to_tell": tell and a.notified_at is None}


# -- validation helpers -------------------------------------------------------------------------------


def _aware(issues: IssueCollector, name: str, value: datetime | None) -> bool:
    if value is None:
        return False
    if value.tzinfo is None or value.utcoffset() is None:
        issues.add(name, "must carry a time zone (e.g. 2026-03-28T23:30:00Z)")
        return False
    return True


def _in_scope_locations(ctx: AppContext, categories: Sequence[str]) -> list[str]:
    if ctx.inventory is None:
        raise ServiceUnavailable("no data inventory is configured: the people affected cannot be found")
    wanted = set(categories)
    return [f.location for f in ctx.inventory.fields()
            if isinstance(f.declaration, PersonalData) and f.declaration.category.value in wanted]


# -- use cases ------------------------------------------------------------------------------------------


def record_breach(ctx: AppContext, principal: Principal, *, title: str, description: str, aware_at: datetime,
                  categories: Sequence[str], occurred_at: datetime | None = None,
                  product_codes: Sequence[str] = (), customer_ids: Sequence[str] = (),
                  created_from: datetime | None = None, created_to: datetime | None = None) -> BreachDetail:
    """Record a breach and find the people it affects from the data map, in one unit of work."""
    require_staff(principal, "record breaches")
    now = ctx.clock.now()
    issues = IssueCollector()
    name = issues.text("title", title, 200)
    text = issues.text("description", description, 10_000)
    if _aware(issues, "aware_at", aware_at) and aware_at > now:
        issues.add("aware_at", "cannot be in the future")
    if _aware(issues, "occurred_at", occurred_at) and occurred_at is not None and aware_at.tzinfo is not None \
            and occurred_at > aware_at:
        issues.add("occurred_at", "cannot be after the time the breach became known (aware_at)")
    known = {c.value for c in Category}
    cats: list[str] = []
    for i, c in enumerate(categories):
        if c not in known:
            issues.add(f"categories[{i}]", f"must be one of {', '.join(sorted(known))}")
        elif c not in cats:
            cats.append(c)
    if not categories:
        issues.add("categories", "name at least one category of data involved")
    codes = ctx.catalogue.codes()
    for i, code in enumerate(product_codes):
        if code not in codes:
            issues.add(f"scope.product_codes[{i}]", f"must be one of {', '.join(codes)}")
    window_ok = _aware(issues, "scope.created_from", created_from) | _aware(issues, "scope.created_to", created_to)
    if window_ok and created_from is not None and created_to is not None and created_from.tzinfo is not None \
            and created_to.tzinfo is not None and created_from >= created_to:
        issues.add("scope.created_to", "must be after created_from")
    issues.raise_if_any("the breach cannot be recorded")
    assert name is not None and text is not None
    ids = list(dict.fromkeys(customer_ids))
    locations = _in_scope_locations(ctx, cats)
    with ctx.uow() as uow:
        missing = [FieldIssue(f"scope.customer_ids[{i}]", f"no customer {cid}") for i, cid in enumerate(ids)
                   if uow.customers.get(cid) is None]
        if missing:
            raise NotFound("no such customer", missing)
        found, unmapped = uow.breaches.find_affected(
            locations, product_codes=list(dict.fromkeys(product_codes)), customer_ids=ids,
            created_from=created_from, created_to=created_to)
        scope: BreachScope = {
            "categories": cats, "product_codes": list(dict.fromkeys(product_codes)), "customer_ids": ids,
            "created_from": created_from.astimezone(UTC).isoformat() if created_from else None,
            "created_to": created_to.astimezone(UTC).isoformat() if created_to else None,
            "locations": locations, "unmapped": cast(list[UnmappedField], unmapped)}  # the store's {field, reason}
        breach = Breach(new_id("brc"), name, text, occurred_at.astimezone(UTC) if occurred_at else None,
                        aware_at.astimezone(UTC), tuple(cats), dict(scope), now, principal.user_id)
        uow.breaches.add(breach)
        uow.breaches.add_affected(breach.breach_id, found)
        uow.commit()
    return get_breach(ctx, principal, breach.breach_id)


def list_breaches(ctx: AppContext, principal: Principal, limit: int = 100, offset: int = 0,
                  closed: bool | None = None) -> BreachList:
    """The register, most recently discovered first: every breach, or only the open (`closed=False`) or
    closed (`closed=True`) ones."""
    check_listing(limit, offset)
    require_staff(principal, "read the breach register")
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        found = uow.breaches.page(limit, offset, closed)
        counts = uow.breaches.counts([b.breach_id for b in found])
    views = [breach_view(b, now, *counts.get(b.breach_id, (0, 0))) for b in found]
    return {"as_of": now.isoformat(), "closed_filter": closed, "count": len(views),
            "open": sum(1 for v in views if not v["closed"]), "overdue": sum(1 for v in views if v["overdue"]),
            "breaches": views}


def get_breach(ctx: AppContext, principal: Principal, breach_id: str, limit: int = AFFECTED_PAGE,
               offset: int = 0) -> BreachDetail:
    """The breach with the people affected (a page of them: `limit`, `offset`)."""
    require_staff(principal, "read the breach register")
    with ctx.uow(read_only=True) as uow:
        b = uow.breaches.get(breach_id)
        if b is None:
            raise NotFound("no such breach")
        affected, notified = uow.breaches.counts([breach_id])[breach_id]
        people = uow.breaches.affected(breach_id, limit, offset)
    view = breach_view(b, ctx.clock.now(), affected, notified)
    return {**view, "affected": [_affected_view(a, b.risk == "high") for a in people],
            "affected_page": {"limit": limit, "offset": offset}}


def _load(ctx: AppContext, breach_id: str) -> Breach:
    with ctx.uow(read_only=True) as uow:
        b = uow.breaches.get(breach_id)
    if b is None:
        raise NotFound("no such breach")
    return b


def _refuse_if_closed(b: Breach) -> None:
    """A closed breach is the record kept for the ICO: nothing in it changes afterwards."""
    if b.closed_at is not None:
        raise Conflict("the breach is closed: its record is not changed afterwards",
                       [FieldIssue("closed_at", f"closed on {b.closed_at.isoformat()} by {b.closed_by}")])


def assess_breach(ctx: AppContext, principal: Principal, breach_id: str, *, risk: str,
                  reason: str | None = None) -> BreachDetail:
    """The DPO's decision on the risk to people's rights and freedoms. 'unlikely' needs the reason (it is
    the record the ICO may ask for, art. 33(5)); it can no longer be chosen once the ICO was told."""
    require_privacy_officer(principal, "decide a breach's risk")
    issues = IssueCollector()
    if risk not in RISKS:
        issues.add("risk", f"must be one of {', '.join(RISKS)}")
    text = issues.text("reason", reason, 10_000, required=risk == "unlikely")
    issues.raise_if_any("the risk decision cannot be recorded")
    with ctx.uow() as uow:
        b = uow.breaches.get(breach_id)
        if b is None:
            raise NotFound("no such breach")
        _refuse_if_closed(b)
        uow.breaches.assess(breach_id, risk, text, ctx.clock.now(), principal.user_id)
        uow.commit()
    return get_breach(ctx, principal, breach_id)


def report_to_ico(ctx: AppContext, principal: Principal, breach_id: str, *, reference: str,
                  reported_at: datetime | None = None) -> BreachDetail:
    """Record the report made to the ICO (when, and the ICO's reference). Refused when the decision is
    that the breach is unlikely to risk people's rights, or while no decision is recorded."""
    require_privacy_officer(principal, "record a report to the ICO")
    now = ctx.clock.now()
    at = reported_at or now
    issues = IssueCollector()
    ref = issues.text("reference", reference, 100)
    b = _load(ctx, breach_id)
    if _aware(issues, "reported_at", at):
        if at > now:
            issues.add("reported_at", "cannot be in the future")
        elif at < b.aware_at:
            issues.add("reported_at", "cannot be before the breach became known (aware_at)")
    issues.raise_if_any("the report to the ICO cannot be recorded")
    assert ref is not None
    _refuse_if_closed(b)
    if b.risk == "unlikely":
        raise Conflict("the breach was judged unlikely to risk people's rights: no report to the ICO is recorded",
                       [FieldIssue("risk", "record a decision of 'risk' or 'high' first")])
    if b.risk == "unassessed":
        raise Conflict("record the risk decision before the report to the ICO",
                       [FieldIssue("risk", "unassessed: POST .../assessment first")])
    if b.ico_reported_at is not None:
        raise Conflict("the breach is already reported to the ICO",
                       [FieldIssue("reference", f"reported on {b.ico_reported_at.isoformat()} as {b.ico_reference}")])
    with ctx.uow() as uow:
        uow.breaches.report_to_ico(breach_id, at.astimezone(UTC), ref)
        uow.commit()
    return get_breach(ctx, principal, breach_id)


def record_notifications(ctx: AppContext, principal: Principal, breach_id: str, *, channel: str,
                         customer_ids: Sequence[str] | None = None,
                         notified_at: datetime | None = None) -> BreachNotifications:
    """Record that people affected were told (art. 34): all of them (`customer_ids` None) or those listed.
    Someone already told keeps their first notification; anyone not affected is refused by name."""
    require_privacy_officer(principal, "record breach notifications")
    now = ctx.clock.now()
    at = notified_at or now
    issues = IssueCollector()
    if channel not in CHANNELS:
        issues.add("channel", f"must be one of {', '.join(CHANNELS)}")
    if _aware(issues, "notified_at", at) and at > now:
        issues.add("notified_at", "cannot be in the future")
    if customer_ids is not None and not customer_ids:
        issues.add("customer_ids", "name at least one person, or leave it out to record everyone affected")
    issues.raise_if_any("the notifications cannot be recorded")
    with ctx.uow() as uow:
        b = uow.breaches.get(breach_id)
        if b is None:
            raise NotFound("no such breach")
        _refuse_if_closed(b)
        if at < b.aware_at:
            raise ValidationFailed("the notifications cannot be recorded",
                                   [FieldIssue("notified_at", "cannot be before the breach became known (aware_at)")])
        already = 0
        if customer_ids is not None:
            status = uow.breaches.affected_status(breach_id, customer_ids)
            unknown = [FieldIssue(f"customer_ids[{i}]", f"{cid} is not among the people affected")
                       for i, cid in enumerate(customer_ids) if cid not in status]
            if unknown:
                raise NotFound("not among the people affected", unknown)
            already = sum(1 for v in status.values() if v is not None)
        newly = uow.breaches.notify(breach_id, None if customer_ids is None else list(customer_ids),
                                    at.astimezone(UTC), channel)
        if customer_ids is None:
            _, notified = uow.breaches.counts([breach_id])[breach_id]
            already = notified - newly
        uow.commit()
    return {"newly_notified": newly, "already_notified": already,
            "breach": get_breach(ctx, principal, breach_id, limit=0)}


def close_breach(ctx: AppContext, principal: Principal, breach_id: str, *, note: str) -> BreachDetail:
    """Close a breach with a closing summary (`note`: what was done; 1-10000 characters, without naming
    people). The DPO or an administrator only. Refused (Conflict, naming what is outstanding) while the
    risk is unassessed, while the report the decision calls for ("risk" or "high") is not recorded, or,
    for a high risk, while anyone affected is not recorded as told; and when the breach is already closed.
    A closed breach is not changed afterwards."""
    require_privacy_officer(principal, "close a breach")
    issues = IssueCollector()
    text = issues.text("note", note, 10_000)
    issues.raise_if_any("the breach cannot be closed")
    assert text is not None
    with ctx.uow() as uow:
        b = uow.breaches.get(breach_id)
        if b is None:
            raise NotFound("no such breach")
        if b.closed_at is not None:
            raise Conflict("the breach is already closed",
                           [FieldIssue("closed_at", f"closed on {b.closed_at.isoformat()} by {b.closed_by}")])
        outstanding: list[FieldIssue] = []
        if b.risk == "unassessed":
            outstanding.append(FieldIssue("risk", "unassessed: record the risk decision first (POST .../assessment)"))
        if ico_report_required(b.risk) and b.ico_reported_at is None:
            outstanding.append(FieldIssue("ico_reported_at", "the decision calls for a report to the ICO and none is "
                                                             "recorded (POST .../ico-report)"))
        if b.risk == "high":
            affected, notified = uow.breaches.counts([breach_id])[breach_id]
            if notified < affected:
                outstanding.append(FieldIssue("still_to_tell", f"{affected - notified} of the {affected} people "
                                                                "affected are not recorded as told "
                                                                "(POST .../notifications)"))
        if outstanding:
            raise Conflict("the breach cannot be closed while something the law asks for is outstanding", outstanding)
        uow.breaches.close(breach_id, ctx.clock.now(), principal.user_id, text)
        uow.commit()
    return get_breach(ctx, principal, breach_id)
