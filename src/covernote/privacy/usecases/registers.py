"""Legal holds and fraud markers (issue 3 part 5; S1 section 10).

A legal hold keeps everything in its scope (a customer, a policy, or a claim recorded on a policy) from
erasure and from the retention sweep while a legal matter runs; both look holds up by customer
(`uow.holds.for_customer`, `uow.holds.held_customer_ids`). Any member of staff may set one; only the
data protection officer or an administrator may release one, with a reason. Each hold has a review date
so none is forgotten: the report lists those due.

A fraud marker records a suspected or proven fraud against a person (S1 section 10: insurers keep data
to prevent fraud). Staff record them; the person never sees them through the API (telling them could
prejudice the prevention or detection of crime); the DPO or an administrator may remove one, saying why.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, cast

from covernote.identity.usecases import Principal, require_privacy_officer, require_staff
from covernote.kernel.errors import Conflict, FieldIssue, Forbidden, IssueCollector, NotFound
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.usecases.lookup import customers_policy_id
from covernote.privacy.ports import FraudMarker, LegalHold
from covernote.privacy.usecases.results_registers import HoldsReport, HoldView, MarkerList, MarkerView

HOLD_SCOPES: tuple[str, ...] = ("customer", "policy", "claim")
MARKER_SOURCES: tuple[str, ...] = ("staff", "fraud_check", "cue", "fraud_agency", "claims_investigation", "police",
                                   "other")
REASON_LIMIT = 2000


# -- legal holds ---------------------------------------------------------------------------------------


def hold_view(h: LegalHold, today: date) -> HoldView:
    return {"id": h.hold_id, "scope": h.scope, "scope_id": h.scope_id, "customer_id": h.customer_id,
            "reason": h.reason, "set_by": h.set_by, "set_at": h.set_at.isoformat(),
            "review_on": h.review_on.isoformat(), "active": h.active,
            "due_for_review": h.active and h.review_on <= today,
            "released_at": h.released_at.isoformat() if h.released_at else None, "released_by": h.released_by,
            "release_reason": h.release_reason}


def _resolve_scope(uow: UnitOfWork, scope: str, scope_id: str) -> tuple[str, str]:
    """(the scope id as stored, the customer it belongs to); NotFound naming `scope_id` otherwise."""
    if scope == "customer":
        if uow.customers.get(scope_id) is None:
            raise NotFound("no such customer", [FieldIssue("scope_id", f"no customer {scope_id}")])
        return scope_id, scope_id
    if scope == "policy":
        policy = uow.policies.get(scope_id) or uow.policies.by_number(scope_id)
        if policy is None:
            raise NotFound("no such policy", [FieldIssue("scope_id", f"no policy {scope_id}")])
        return policy.policy_id, policy.customer_id
    owners = uow.holds.claim_owners(scope_id)
    if not owners:
        raise NotFound("no such claim", [FieldIssue("scope_id", f"no claim or incident with reference {scope_id}")])
    customers = {c for _, c in owners}
    if len(customers) > 1:
        raise Conflict("the claim reference is recorded for more than one customer",
                       [FieldIssue("scope_id", "hold each customer's policy instead")])
    return scope_id, customers.pop()


def set_hold(ctx: AppContext, principal: Principal, *, scope: str, scope_id: str, reason: str,
             review_on: date) -> HoldView:
    """Put a legal hold on a customer, a policy (by id or number) or a claim (by its reference)."""
    require_staff(principal, "set legal holds")
    today = ctx.today()
    issues = IssueCollector()
    if scope not in HOLD_SCOPES:
        issues.add("scope", f"must be one of {', '.join(HOLD_SCOPES)}")
    sid = issues.text("scope_id", scope_id, 60)
    text = issues.text("reason", reason, REASON_LIMIT)
    if review_on <= today:
        issues.add("review_on", f"must be after today ({today.isoformat()})")
    issues.raise_if_any("the legal hold cannot be set")
    assert sid is not None and text is not None
    with ctx.uow() as uow:
        stored_id, customer_id = _resolve_scope(uow, scope, sid)
        hold = LegalHold(new_id("hld"), cast(Literal["customer", "policy", "claim"], scope), stored_id, customer_id,
                         text, principal.user_id, ctx.clock.now(), review_on)
        uow.holds.add(hold)
        uow.commit()
    return hold_view(hold, today)


def release_hold(ctx: AppContext, principal: Principal, hold_id: str, reason: str) -> HoldView:
    require_privacy_officer(principal, "release legal holds")
    issues = IssueCollector()
    text = issues.text("reason", reason, REASON_LIMIT)
    issues.raise_if_any("the legal hold cannot be released")
    assert text is not None
    with ctx.uow() as uow:
        if uow.holds.get(hold_id) is None:
            raise NotFound("no such legal hold")
        uow.holds.release(hold_id, ctx.clock.now(), principal.user_id, text)
        hold = uow.holds.get(hold_id)
        uow.commit()
    assert hold is not None
    return hold_view(hold, ctx.today())


def get_hold(ctx: AppContext, principal: Principal, hold_id: str) -> HoldView:
    require_staff(principal, "read legal holds")
    with ctx.uow(read_only=True) as uow:
        hold = uow.holds.get(hold_id)
    if hold is None:
        raise NotFound("no such legal hold")
    return hold_view(hold, ctx.today())


def list_holds(ctx: AppContext, principal: Principal, *, active: bool = True, due_for_review: bool = False,
               customer_id: str | None = None, limit: int = 100, offset: int = 0) -> HoldsReport:
    """The holds report: active holds (or all, `active=False`), or only the active ones whose review date
    has come (`due_for_review`), soonest review first."""
    require_staff(principal, "read legal holds")
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        holds = uow.holds.page(active, limit, offset, today if due_for_review else None, customer_id)
    views = [hold_view(h, today) for h in holds]
    return {"as_of": today.isoformat(), "active_only": active or due_for_review, "due_for_review_only": due_for_review,
            "count": len(views), "due_for_review": sum(1 for v in views if v["due_for_review"]), "holds": views}


# -- fraud markers ------------------------------------------------------------------------------------


def marker_view(m: FraudMarker) -> MarkerView:
    return {"id": m.marker_id, "customer_id": m.customer_id, "policy_id": m.policy_id, "reason": m.reason,
            "source": m.source, "reference": m.reference, "recorded_at": m.recorded_at.isoformat(),
            "recorded_by": m.recorded_by, "active": m.removed_at is None,
            "removed_at": m.removed_at.isoformat() if m.removed_at else None, "removed_by": m.removed_by,
            "removal_reason": m.removal_reason}


def _staff_only(principal: Principal, action: str) -> None:
    """A customer is refused without learning whether any marker exists (403 whatever the customer id)."""
    if not principal.is_staff:
        raise Forbidden(f"only staff may {action}")


def record_marker(ctx: AppContext, principal: Principal, customer_id: str, *, reason: str, source: str = "staff",
                  reference: str | None = None, policy_id: str | None = None) -> MarkerView:
    _staff_only(principal, "record fraud markers")
    issues = IssueCollector()
    text = issues.text("reason", reason, REASON_LIMIT)
    if source not in MARKER_SOURCES:
        issues.add("source", f"must be one of {', '.join(MARKER_SOURCES)}")
    ref = issues.text("reference", reference, 100, required=False)
    issues.raise_if_any("the fraud marker cannot be recorded")
    assert text is not None
    with ctx.uow() as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        policy_id = customers_policy_id(uow, customer_id, policy_id)
        marker = FraudMarker(new_id("frd"), customer_id, policy_id, text, source, ref, ctx.clock.now(),
                             principal.user_id)
        uow.fraud_markers.add(marker)
        uow.commit()
    return marker_view(marker)


def list_markers(ctx: AppContext, principal: Principal, customer_id: str, active_only: bool = True) -> MarkerList:
    _staff_only(principal, "read fraud markers")
    with ctx.uow(read_only=True) as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer")
        markers = uow.fraud_markers.for_customer(customer_id, active_only)
    return {"customer_id": customer_id, "active_only": active_only, "markers": [marker_view(m) for m in markers]}


def remove_marker(ctx: AppContext, principal: Principal, customer_id: str, marker_id: str,
                  reason: str) -> MarkerView:
    """Remove a marker (the suspicion was unfounded, or the agency withdrew it). Only the DPO or an
    administrator may; the reason is required (1-2000 characters) and kept with the marker
    (`removal_reason`). Raises ValidationFailed naming `reason`, NotFound for another customer's or an
    unknown marker, Conflict when it is already removed."""
    _staff_only(principal, "remove fraud markers")
    require_privacy_officer(principal, "remove fraud markers")
    issues = IssueCollector()
    text = issues.text("reason", reason, REASON_LIMIT)
    issues.raise_if_any("the fraud marker cannot be removed")
    assert text is not None
    with ctx.uow() as uow:
        marker = uow.fraud_markers.get(marker_id)
        if marker is None or marker.customer_id != customer_id:
            raise NotFound("no such fraud marker")
        uow.fraud_markers.remove(marker_id, ctx.clock.now(), principal.user_id, text)
        removed = uow.fraud_markers.get(marker_id)
        uow.commit()
    assert removed is not None
    return marker_view(removed)
